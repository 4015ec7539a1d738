import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error.js';
import { APP_CONFIG } from '../common/tokens.js';
import { SharedCache } from '../common/cache/shared-cache.service.js';
import type { AppConfig } from '../config/app-config.js';
import { DatabaseService, type Sql } from '../database/database.service.js';
import { WorkspacesService } from '../workspaces/workspaces.service.js';
import type { ChangePasswordDto, LoginDto, SessionResponse, SignupDto } from './dto/auth.dto.js';
import { dummyHash, hashPassword, verifyPassword } from './password-hasher.js';
import { hashToken, TokenService } from './token.service.js';

type UserRow = {
  id: string;
  email: string;
  name: string;
  locale: string;
  token_version: number;
  password_hash: string;
};
type MembershipRow = {
  member_id: string;
  workspace_id: string;
  workspace_name: string;
  is_owner: boolean;
};

const INSTANCE_OWNER = 'instance_owner';

@Injectable()
export class AuthService {
  constructor(
    private readonly db: DatabaseService,
    private readonly tokens: TokenService,
    private readonly workspaces: WorkspacesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cache: SharedCache,
  ) {}

  /**
   * The first account of a fresh instance becomes its owner, race-safe: the
   * claim is a single INSERT ... ON CONFLICT DO NOTHING in the sign-up
   * transaction. Later accounts need an invitation (or open sign-up).
   */
  async signup(dto: SignupDto): Promise<SessionResponse> {
    const passwordHash = await hashPassword(dto.password);
    const result = await this.db.transaction(async (tx) => {
      const userId = randomUUID();
      if (dto.invitationToken !== undefined)
        return this.signupWithInvitation(tx, userId, dto, passwordHash);
      const claimed = await tx.query(
        `INSERT INTO instance_setting (key, value) VALUES ($1, to_jsonb($2::text)) ON CONFLICT (key) DO NOTHING RETURNING key`,
        [INSTANCE_OWNER, userId],
      );
      const isInstanceOwner = claimed.length === 1;
      if (!isInstanceOwner && this.config.signup !== 'open') {
        throw new ApiError('FORBIDDEN', 'This instance accepts new accounts by invitation only', [
          {
            path: 'invitationToken',
            code: 'INVITATION_REQUIRED',
            message: 'An invitation is required to sign up',
          },
        ]);
      }
      await this.insertUser(tx, userId, dto, passwordHash);
      const workspace = await this.workspaces.create(tx, {
        name: dto.workspaceName ?? `${dto.name}的工作区`,
        ownerUserId: userId,
        ownerName: dto.name,
      });
      return { userId, memberId: workspace.ownerMemberId, workspaceId: workspace.id };
    });
    return this.session(result.userId, result.memberId);
  }

  private async signupWithInvitation(
    tx: Sql,
    userId: string,
    dto: SignupDto,
    passwordHash: string,
  ) {
    const [invitation] = await tx.query<{
      id: string;
      workspace_id: string;
      email: string;
      role_keys: string[];
      team_id: string | null;
    }>(
      `SELECT id, workspace_id, email, role_keys, team_id FROM invitation
        WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > now() FOR UPDATE`,
      [hashToken(dto.invitationToken ?? '')],
    );
    if (invitation === undefined) {
      throw ApiError.validation([
        {
          path: 'invitationToken',
          code: 'INVITATION_INVALID',
          message: 'The invitation is invalid, used or expired',
        },
      ]);
    }
    if (invitation.email.toLowerCase() !== dto.email.toLowerCase()) {
      throw ApiError.validation([
        {
          path: 'email',
          code: 'INVITATION_EMAIL_MISMATCH',
          message: 'Sign up with the e-mail address the invitation was sent to',
        },
      ]);
    }
    await this.insertUser(tx, userId, dto, passwordHash);
    const memberId = await joinWorkspace(
      tx,
      invitation.workspace_id,
      userId,
      dto.name,
      invitation.role_keys,
      invitation.team_id,
    );
    await tx.query(`UPDATE invitation SET accepted_at = now() WHERE id = $1`, [invitation.id]);
    return { userId, memberId, workspaceId: invitation.workspace_id };
  }

  private async insertUser(
    tx: Sql,
    userId: string,
    dto: SignupDto,
    passwordHash: string,
  ): Promise<void> {
    try {
      await tx.query(
        `INSERT INTO app_user (id, email, name, password_hash, locale) VALUES ($1, $2, $3, $4, $5)`,
        [userId, dto.email, dto.name, passwordHash, dto.locale ?? 'zh-CN'],
      );
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new ApiError('UNIQUE_VIOLATION', 'An account with this e-mail already exists', [
          {
            path: 'email',
            code: 'EMAIL_TAKEN',
            message: 'An account with this e-mail already exists; sign in instead',
          },
        ]);
      }
      throw error;
    }
  }

  async login(dto: LoginDto): Promise<SessionResponse> {
    const [user] = await this.db.query<UserRow>(
      `SELECT id, email, name, locale, token_version, password_hash FROM app_user WHERE lower(email) = lower($1)`,
      [dto.email],
    );
    const ok = await verifyPassword(user?.password_hash ?? (await dummyHash()), dto.password);
    if (user === undefined || !ok)
      throw new ApiError('UNAUTHENTICATED', 'The e-mail or the password is wrong');
    const memberships = await this.memberships(user.id);
    const membership =
      dto.workspaceId === undefined
        ? memberships[0]
        : memberships.find((m) => m.workspace_id === dto.workspaceId);
    if (membership === undefined)
      throw new ApiError('FORBIDDEN', 'You are not a member of this workspace');
    return this.session(user.id, membership.member_id);
  }

  /** Rotating refresh: each token works once; presenting a used one revokes its whole family (theft detection). */
  async refresh(refreshToken: string): Promise<SessionResponse> {
    const outcome = await this.db.transaction(async (tx) => {
      const [row] = await tx.query<{
        id: string;
        user_id: string;
        workspace_id: string;
        family_id: string;
        expired: boolean;
        used_at: Date | null;
        revoked_at: Date | null;
      }>(
        `SELECT id, user_id, workspace_id, family_id, expires_at <= now() AS expired, used_at, revoked_at
           FROM refresh_token WHERE token_hash = $1 FOR UPDATE`,
        [hashToken(refreshToken)],
      );
      if (row === undefined) return { error: 'unknown' as const };
      if (row.revoked_at !== null || row.used_at !== null) {
        await tx.query(
          `UPDATE refresh_token SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL`,
          [row.family_id],
        );
        return { error: 'reused' as const };
      }
      if (row.expired) return { error: 'expired' as const };
      const [member] = await tx.query<{ id: string }>(
        `SELECT id FROM member WHERE user_id = $1 AND workspace_id = $2 AND status = 'active'`,
        [row.user_id, row.workspace_id],
      );
      if (member === undefined) return { error: 'removed' as const };
      await tx.query(`UPDATE refresh_token SET used_at = now() WHERE id = $1`, [row.id]);
      return {
        userId: row.user_id,
        memberId: member.id,
        familyId: row.family_id,
        workspaceId: row.workspace_id,
      };
    });
    if ('error' in outcome)
      throw new ApiError(
        'UNAUTHENTICATED',
        `Sign in again: the refresh token is ${outcome.error === 'unknown' ? 'invalid' : outcome.error}`,
      );
    return this.session(outcome.userId, outcome.memberId, outcome.familyId);
  }

  async logout(refreshToken: string): Promise<void> {
    await this.db.query(
      `UPDATE refresh_token SET revoked_at = now()
        WHERE family_id = (SELECT family_id FROM refresh_token WHERE token_hash = $1) AND revoked_at IS NULL`,
      [hashToken(refreshToken)],
    );
  }

  async switchWorkspace(userId: string, workspaceId: string): Promise<SessionResponse> {
    const membership = (await this.memberships(userId)).find((m) => m.workspace_id === workspaceId);
    if (membership === undefined) throw ApiError.notFound('Workspace');
    return this.session(userId, membership.member_id);
  }

  /** A password change kills every other session at once (token version + refresh tokens). */
  async changePassword(
    userId: string,
    memberId: string,
    dto: ChangePasswordDto,
  ): Promise<SessionResponse> {
    const [user] = await this.db.query<UserRow>(
      `SELECT password_hash FROM app_user WHERE id = $1`,
      [userId],
    );
    if (user === undefined || !(await verifyPassword(user.password_hash, dto.currentPassword))) {
      throw ApiError.validation([
        {
          path: 'currentPassword',
          code: 'PASSWORD_WRONG',
          message: 'The current password is wrong',
        },
      ]);
    }
    const passwordHash = await hashPassword(dto.newPassword);
    await this.db.transaction(async (tx) => {
      await tx.query(
        `UPDATE app_user SET password_hash = $2, token_version = token_version + 1, updated_at = now() WHERE id = $1`,
        [userId, passwordHash],
      );
      await this.cache.invalidate(tx, [`auth:${userId}:*`]);
      await tx.query(
        `UPDATE refresh_token SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`,
        [userId],
      );
    });
    return this.session(userId, memberId);
  }

  async isInstanceOwner(userId: string): Promise<boolean> {
    const rows = await this.db.query(
      `SELECT 1 FROM instance_setting WHERE key = $1 AND value = to_jsonb($2::text)`,
      [INSTANCE_OWNER, userId],
    );
    return rows.length === 1;
  }

  private memberships(userId: string): Promise<MembershipRow[]> {
    return this.db.query<MembershipRow>(
      `SELECT m.id AS member_id, m.workspace_id, w.name AS workspace_name, m.is_owner
         FROM member m JOIN workspace w ON w.id = m.workspace_id
        WHERE m.user_id = $1 AND m.status = 'active' ORDER BY m.created_at, m.id`,
      [userId],
    );
  }

  private async session(
    userId: string,
    memberId: string,
    familyId: string = randomUUID(),
  ): Promise<SessionResponse> {
    const [row] = await this.db.query<{
      email: string;
      name: string;
      locale: string;
      token_version: number;
      workspace_id: string;
      workspace_name: string;
      is_owner: boolean;
    }>(
      `SELECT u.email, u.name, u.locale, u.token_version, m.workspace_id, w.name AS workspace_name, m.is_owner
         FROM app_user u JOIN member m ON m.user_id = u.id JOIN workspace w ON w.id = m.workspace_id
        WHERE u.id = $1 AND m.id = $2`,
      [userId, memberId],
    );
    if (row === undefined) throw new ApiError('UNAUTHENTICATED', 'Sign in again');
    const refresh = this.tokens.newRefreshToken();
    await this.db.query(
      `INSERT INTO refresh_token (user_id, workspace_id, family_id, token_hash, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
      [userId, row.workspace_id, familyId, refresh.hash, this.tokens.refreshTtlSeconds],
    );
    const accessToken = await this.tokens.signAccess({
      sub: userId,
      mid: memberId,
      ws: row.workspace_id,
      tv: row.token_version,
    });
    return {
      accessToken,
      refreshToken: refresh.token,
      tokenType: 'Bearer',
      expiresIn: this.tokens.accessTtlSeconds,
      user: { id: userId, email: row.email, name: row.name, locale: row.locale },
      workspace: { id: row.workspace_id, name: row.workspace_name },
      member: { id: memberId, isOwner: row.is_owner },
      isInstanceOwner: await this.isInstanceOwner(userId),
    };
  }
}

/** Adds a user to a workspace with the given roles (default: member). */
export async function joinWorkspace(
  tx: Sql,
  workspaceId: string,
  userId: string,
  displayName: string,
  roleKeys: readonly string[],
  teamId: string | null,
): Promise<string> {
  const [member] = await tx.query<{ id: string }>(
    `INSERT INTO member (workspace_id, user_id, display_name, team_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (workspace_id, user_id) DO UPDATE SET status = 'active', removed_at = NULL, display_name = EXCLUDED.display_name
     RETURNING id`,
    [workspaceId, userId, displayName, teamId],
  );
  if (member === undefined) throw new Error('member upsert returned nothing');
  const keys = roleKeys.length > 0 ? roleKeys : ['member'];
  await tx.query(
    `INSERT INTO member_role (member_id, role_id) SELECT $1, id FROM role WHERE workspace_id = $2 AND key = ANY($3::text[]) ON CONFLICT DO NOTHING`,
    [member.id, workspaceId, keys],
  );
  // a returning member may still be cached as removed in some process
  await tx.query(`SELECT pg_notify('trellis_cache', $1)`, [
    JSON.stringify([`auth:${userId}:*`, `roles:${member.id}`, `dir:${workspaceId}`]),
  ]);
  return member.id;
}
