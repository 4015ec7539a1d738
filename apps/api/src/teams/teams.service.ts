import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context.js';
import { ApiError, type ErrorDetail } from '../common/errors/api-error.js';
import { SharedCache } from '../common/cache/shared-cache.service.js';
import { DatabaseService, type Sql } from '../database/database.service.js';
import { directoryKey } from '../flows/workspace-directory.js';
import type { CreateTeamDto, TeamResponse, UpdateTeamDto } from './dto/teams.dto.js';

type TeamRow = {
  id: string;
  name: string;
  kind: 'department' | 'team';
  parent_id: string | null;
  manager_member_id: string | null;
  member_count: number;
};

@Injectable()
export class TeamsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly cache: SharedCache,
  ) {}

  async list(auth: AuthContext): Promise<TeamResponse[]> {
    const rows = await this.db.query<TeamRow>(
      `SELECT t.id, t.name, t.kind, t.parent_id, t.manager_member_id,
              (SELECT count(*)::int FROM member m WHERE m.team_id = t.id AND m.status = 'active') AS member_count
         FROM team t WHERE t.workspace_id = $1 ORDER BY t.created_at, t.id`,
      [auth.workspaceId],
    );
    return rows.map(toResponse);
  }

  async get(auth: AuthContext, id: string, sql: Sql = this.db): Promise<TeamResponse> {
    const [row] = await sql.query<TeamRow>(
      `SELECT t.id, t.name, t.kind, t.parent_id, t.manager_member_id,
              (SELECT count(*)::int FROM member m WHERE m.team_id = t.id AND m.status = 'active') AS member_count
         FROM team t WHERE t.workspace_id = $1 AND t.id = $2`,
      [auth.workspaceId, id],
    );
    if (row === undefined) throw ApiError.notFound('Team');
    return toResponse(row);
  }

  async create(auth: AuthContext, dto: CreateTeamDto): Promise<TeamResponse> {
    return this.db.transaction(async (tx) => {
      await this.assertRefs(tx, auth, dto.parentId ?? null, dto.managerMemberId ?? null);
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO team (workspace_id, name, kind, parent_id, manager_member_id) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [auth.workspaceId, dto.name, dto.kind, dto.parentId ?? null, dto.managerMemberId ?? null],
      );
      if (row === undefined) throw new Error('team insert returned nothing');
      await this.cache.invalidate(tx, [directoryKey(auth.workspaceId)]);
      return this.get(auth, row.id, tx);
    });
  }

  async update(auth: AuthContext, id: string, dto: UpdateTeamDto): Promise<TeamResponse> {
    return this.db.transaction(async (tx) => {
      await this.get(auth, id, tx);
      await this.assertRefs(tx, auth, dto.parentId ?? null, dto.managerMemberId ?? null);
      if (dto.parentId !== undefined && dto.parentId !== null) {
        const cycle = await tx.query(
          `WITH RECURSIVE up AS (SELECT id, parent_id FROM team WHERE id = $1
             UNION ALL SELECT t.id, t.parent_id FROM team t JOIN up ON t.id = up.parent_id)
           SELECT 1 FROM up WHERE id = $2`,
          [dto.parentId, id],
        );
        if (cycle.length > 0)
          throw ApiError.validation([
            {
              path: 'parentId',
              code: 'TEAM_CYCLE',
              message: 'A team cannot sit under itself or its own sub-team',
            },
          ]);
      }
      await tx.query(
        `UPDATE team SET name = coalesce($3, name), kind = coalesce($4, kind),
                parent_id = CASE WHEN $5::boolean THEN $6::uuid ELSE parent_id END,
                manager_member_id = CASE WHEN $7::boolean THEN $8::uuid ELSE manager_member_id END
          WHERE workspace_id = $1 AND id = $2`,
        [
          auth.workspaceId,
          id,
          dto.name ?? null,
          dto.kind ?? null,
          dto.parentId !== undefined,
          dto.parentId ?? null,
          dto.managerMemberId !== undefined,
          dto.managerMemberId ?? null,
        ],
      );
      await this.cache.invalidate(tx, [directoryKey(auth.workspaceId)]);
      return this.get(auth, id, tx);
    });
  }

  async remove(auth: AuthContext, id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.get(auth, id, tx);
      const children = await tx.query(`SELECT 1 FROM team WHERE parent_id = $1 LIMIT 1`, [id]);
      if (children.length > 0)
        throw ApiError.validation([
          { path: 'id', code: 'TEAM_HAS_CHILDREN', message: 'Move or delete the sub-teams first' },
        ]);
      await tx.query(`DELETE FROM team WHERE workspace_id = $1 AND id = $2`, [
        auth.workspaceId,
        id,
      ]);
      await this.cache.invalidate(tx, [directoryKey(auth.workspaceId)]);
    });
  }

  private async assertRefs(
    tx: Sql,
    auth: AuthContext,
    parentId: string | null,
    managerId: string | null,
  ): Promise<void> {
    const errors: ErrorDetail[] = [];
    if (
      parentId !== null &&
      (
        await tx.query(`SELECT 1 FROM team WHERE workspace_id = $1 AND id = $2`, [
          auth.workspaceId,
          parentId,
        ])
      ).length === 0
    ) {
      errors.push({
        path: 'parentId',
        code: 'UNKNOWN_TEAM',
        message: 'No such team in this workspace',
      });
    }
    if (
      managerId !== null &&
      (
        await tx.query(`SELECT 1 FROM member WHERE workspace_id = $1 AND id = $2`, [
          auth.workspaceId,
          managerId,
        ])
      ).length === 0
    ) {
      errors.push({
        path: 'managerMemberId',
        code: 'UNKNOWN_MEMBER',
        message: 'No such member in this workspace',
      });
    }
    if (errors.length > 0) throw ApiError.validation(errors);
  }
}

function toResponse(row: TeamRow): TeamResponse {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    parentId: row.parent_id,
    managerMemberId: row.manager_member_id,
    memberCount: row.member_count,
  };
}
