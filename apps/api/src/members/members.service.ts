import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context.js';
import { TokenService } from '../auth/token.service.js';
import { SharedCache } from '../common/cache/shared-cache.service.js';
import { authCacheKey } from '../common/auth/auth.guard.js';
import { rolesCacheKey } from '../policy/policy.service.js';
import { directoryKey } from '../flows/workspace-directory.js';
import { ApiError } from '../common/errors/api-error.js';
import { DatabaseService, type Sql } from '../database/database.service.js';
import type {
  InvitationResponse,
  InviteMemberDto,
  MemberResponse,
  UpdateMemberDto,
} from './dto/members.dto.js';

type MemberRow = {
  id: string;
  user_id: string;
  display_name: string;
  email: string;
  status: 'active' | 'removed';
  is_owner: boolean;
  team_id: string | null;
  manager_member_id: string | null;
  role_keys: string[];
};

const SELECT_MEMBERS = `
  SELECT m.id, m.user_id, m.display_name, u.email, m.status, m.is_owner, m.team_id, m.manager_member_id,
         coalesce(array_agg(r.key ORDER BY r.key) FILTER (WHERE r.key IS NOT NULL), '{}') AS role_keys
    FROM member m JOIN app_user u ON u.id = m.user_id
    LEFT JOIN member_role mr ON mr.member_id = m.id LEFT JOIN role r ON r.id = mr.role_id`;

@Injectable()
export class MembersService {
  constructor(
    private readonly db: DatabaseService,
    private readonly tokens: TokenService,
    private readonly cache: SharedCache,
  ) {}

  async list(auth: AuthContext): Promise<MemberResponse[]> {
    const rows = await this.db.query<MemberRow>(
      `${SELECT_MEMBERS} WHERE m.workspace_id = $1 GROUP BY m.id, u.email ORDER BY m.created_at, m.id`,
      [auth.workspaceId],
    );
    return rows.map(toResponse);
  }

  async get(auth: AuthContext, id: string, sql: Sql = this.db): Promise<MemberResponse> {
    const [row] = await sql.query<MemberRow>(
      `${SELECT_MEMBERS} WHERE m.workspace_id = $1 AND m.id = $2 GROUP BY m.id, u.email`,
      [auth.workspaceId, id],
    );
    if (row === undefined) throw ApiError.notFound('Member');
    return toResponse(row);
  }

  async invite(auth: AuthContext, dto: InviteMemberDto): Promise<InvitationResponse> {
    await this.assertTeam(auth, dto.teamId ?? null);
    await this.assertRoles(auth, dto.roleKeys ?? []);
    const { token, hash } = this.tokens.newRefreshToken();
    const [row] = await this.db.query<{ id: string; expires_at: Date }>(
      `INSERT INTO invitation (workspace_id, email, role_keys, team_id, token_hash, invited_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, now() + interval '14 days') RETURNING id, expires_at`,
      [
        auth.workspaceId,
        dto.email,
        dto.roleKeys ?? ['member'],
        dto.teamId ?? null,
        hash,
        auth.memberId,
      ],
    );
    if (row === undefined) throw new Error('invitation insert returned nothing');
    return { id: row.id, email: dto.email, expiresAt: row.expires_at.toISOString(), token };
  }

  async update(auth: AuthContext, id: string, dto: UpdateMemberDto): Promise<MemberResponse> {
    return this.db.transaction(async (tx) => {
      const current = await this.get(auth, id, tx);
      if (dto.teamId !== undefined) await this.assertTeam(auth, dto.teamId, tx);
      if (dto.managerMemberId !== undefined && dto.managerMemberId !== null) {
        if (dto.managerMemberId === id)
          throw ApiError.validation([
            {
              path: 'managerMemberId',
              code: 'SELF_MANAGER',
              message: 'A member cannot be their own manager',
            },
          ]);
        await this.get(auth, dto.managerMemberId, tx);
      }
      if (dto.roleKeys !== undefined) {
        if (current.isOwner)
          throw ApiError.validation([
            {
              path: 'roleKeys',
              code: 'OWNER_ROLE_FIXED',
              message: "The owner's roles cannot be changed",
            },
          ]);
        await this.assertRoles(auth, dto.roleKeys, tx);
        await tx.query(`DELETE FROM member_role WHERE member_id = $1`, [id]);
        await tx.query(
          `INSERT INTO member_role (member_id, role_id) SELECT $1, id FROM role WHERE workspace_id = $2 AND key = ANY($3::text[])`,
          [id, auth.workspaceId, dto.roleKeys],
        );
      }
      await tx.query(
        `UPDATE member SET display_name = coalesce($3, display_name),
                team_id = CASE WHEN $4::boolean THEN $5::uuid ELSE team_id END,
                manager_member_id = CASE WHEN $6::boolean THEN $7::uuid ELSE manager_member_id END
          WHERE workspace_id = $1 AND id = $2`,
        [
          auth.workspaceId,
          id,
          dto.displayName ?? null,
          dto.teamId !== undefined,
          dto.teamId ?? null,
          dto.managerMemberId !== undefined,
          dto.managerMemberId ?? null,
        ],
      );
      await this.cache.invalidate(tx, [
        authCacheKey(current.userId, id),
        rolesCacheKey(id),
        directoryKey(auth.workspaceId),
      ]);
      return this.get(auth, id, tx);
    });
  }

  /** Removal takes effect at once: the guard refuses the member's tokens and their refresh tokens are revoked. */
  async remove(auth: AuthContext, id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const member = await this.get(auth, id, tx);
      if (member.isOwner)
        throw ApiError.validation([
          {
            path: 'id',
            code: 'OWNER_NOT_REMOVABLE',
            message: 'The workspace owner cannot be removed',
          },
        ]);
      await tx.query(`UPDATE member SET status = 'removed', removed_at = now() WHERE id = $1`, [
        id,
      ]);
      await tx.query(
        `UPDATE refresh_token SET revoked_at = now() WHERE user_id = $1 AND workspace_id = $2 AND revoked_at IS NULL`,
        [member.userId, auth.workspaceId],
      );
      await this.cache.invalidate(tx, [
        authCacheKey(member.userId, id),
        rolesCacheKey(id),
        directoryKey(auth.workspaceId),
      ]);
    });
  }

  private async assertTeam(
    auth: AuthContext,
    teamId: string | null,
    sql: Sql = this.db,
  ): Promise<void> {
    if (teamId === null) return;
    const rows = await sql.query(`SELECT 1 FROM team WHERE workspace_id = $1 AND id = $2`, [
      auth.workspaceId,
      teamId,
    ]);
    if (rows.length === 0)
      throw ApiError.validation([
        { path: 'teamId', code: 'UNKNOWN_TEAM', message: 'No such team in this workspace' },
      ]);
  }

  private async assertRoles(
    auth: AuthContext,
    keys: readonly string[],
    sql: Sql = this.db,
  ): Promise<void> {
    if (keys.includes('owner'))
      throw ApiError.validation([
        {
          path: 'roleKeys',
          code: 'OWNER_ROLE_RESERVED',
          message: 'The owner role cannot be granted',
        },
      ]);
    const rows = await sql.query<{ key: string }>(
      `SELECT key FROM role WHERE workspace_id = $1 AND key = ANY($2::text[])`,
      [auth.workspaceId, keys],
    );
    const known = new Set(rows.map((r) => r.key));
    const errors = keys.flatMap((key, i) =>
      known.has(key)
        ? []
        : [
            {
              path: `roleKeys.${i}`,
              code: 'UNKNOWN_ROLE',
              message: `No role "${key}" in this workspace`,
            },
          ],
    );
    if (errors.length > 0) throw ApiError.validation(errors);
  }
}

function toResponse(row: MemberRow): MemberResponse {
  return {
    id: row.id,
    userId: row.user_id,
    displayName: row.display_name,
    email: row.email,
    status: row.status,
    isOwner: row.is_owner,
    teamId: row.team_id,
    managerMemberId: row.manager_member_id,
    roleKeys: row.role_keys,
  };
}
