import type { NotifyTarget } from '@trellis/rule-engine';
import type { Sql } from '../database/database.service.js';
import type { WorkspaceDirectory } from '../flows/workspace-directory.js';

export type Recipient = {
  readonly memberId: string;
  readonly email: string;
  readonly locale: string;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Notify targets -> active members (owner, the owner's manager, holders of a role, a member). */
export function resolveTargets(
  targets: readonly NotifyTarget[],
  directory: WorkspaceDirectory,
  ownerId: string | null,
): string[] {
  const out = new Set<string>();
  for (const target of targets) {
    switch (target.type) {
      case 'owner':
        if (ownerId !== null && directory.isActive(ownerId)) out.add(ownerId);
        break;
      case 'owner_manager': {
        const manager = ownerId === null ? undefined : directory.managerChainOf(ownerId)[0];
        if (manager !== undefined) out.add(manager);
        break;
      }
      case 'role':
        for (const id of directory.usersWithRole(target.role)) out.add(id);
        break;
      case 'user':
        if (UUID.test(target.userId) && directory.isActive(target.userId)) out.add(target.userId);
        break;
    }
  }
  return [...out].sort();
}

/** E-mail addresses and locales of members. */
export async function recipientDetails(
  sql: Sql,
  memberIds: readonly string[],
): Promise<Recipient[]> {
  if (memberIds.length === 0) return [];
  const rows = await sql.query<{ id: string; email: string; locale: string }>(
    `SELECT m.id, u.email, u.locale FROM member m JOIN app_user u ON u.id = m.user_id
      WHERE m.id = ANY($1::uuid[]) AND m.status = 'active' ORDER BY m.id`,
    [memberIds],
  );
  return rows.map((r) => ({ memberId: r.id, email: r.email, locale: r.locale }));
}

/** Members who administer automation (owners and holders of manage_apps): they get failure notices. */
export async function appAdmins(sql: Sql, workspaceId: string): Promise<string[]> {
  const rows = await sql.query<{ id: string }>(
    `SELECT DISTINCT m.id FROM member m
       LEFT JOIN member_role mr ON mr.member_id = m.id LEFT JOIN role r ON r.id = mr.role_id
      WHERE m.workspace_id = $1 AND m.status = 'active'
        AND (m.is_owner OR coalesce(r.permissions->'workspace', '[]'::jsonb) ? 'manage_apps')
      ORDER BY m.id`,
    [workspaceId],
  );
  return rows.map((r) => r.id);
}
