import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ident, type Sql } from '../database/database.service.js';
import { SYSTEM_ROLES } from '../policy/permissions.js';

export type CreatedWorkspace = {
  id: string;
  name: string;
  schemaName: string;
  ownerMemberId: string;
};

@Injectable()
export class WorkspacesService {
  /**
   * Creates a workspace inside the caller's transaction: its own PostgreSQL
   * schema for record tables, the system roles, and the owner's membership.
   */
  async create(
    tx: Sql,
    input: { name: string; ownerUserId: string; ownerName: string; timeZone?: string },
  ): Promise<CreatedWorkspace> {
    const schemaName = `ws_${randomBytes(6).toString('hex')}`;
    const [workspace] = await tx.query<{ id: string }>(
      `INSERT INTO workspace (name, schema_name, settings) VALUES ($1, $2, $3) RETURNING id`,
      [
        input.name,
        schemaName,
        JSON.stringify({ timeZone: input.timeZone ?? 'Asia/Shanghai', locale: 'zh-CN' }),
      ],
    );
    if (workspace === undefined) throw new Error('workspace insert returned nothing');
    await tx.query(`CREATE SCHEMA ${ident(schemaName)}`);
    for (const role of SYSTEM_ROLES) {
      await tx.query(
        `INSERT INTO role (workspace_id, key, name, is_system, permissions) VALUES ($1, $2, $3, true, $4)`,
        [workspace.id, role.key, JSON.stringify(role.name), JSON.stringify(role.permissions)],
      );
    }
    const [member] = await tx.query<{ id: string }>(
      `INSERT INTO member (workspace_id, user_id, display_name, is_owner) VALUES ($1, $2, $3, true) RETURNING id`,
      [workspace.id, input.ownerUserId, input.ownerName],
    );
    if (member === undefined) throw new Error('member insert returned nothing');
    await tx.query(
      `INSERT INTO member_role (member_id, role_id) SELECT $1, id FROM role WHERE workspace_id = $2 AND key = 'owner'`,
      [member.id, workspace.id],
    );
    return { id: workspace.id, name: input.name, schemaName, ownerMemberId: member.id };
  }
}
