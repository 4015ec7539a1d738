import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { InvalidTokenError, TokenService } from '../../auth/token.service.js';
import { DatabaseService } from '../../database/database.service.js';
import { ApiError } from '../errors/api-error.js';
import { SharedCache } from '../cache/shared-cache.service.js';
import { IS_PUBLIC } from './public.decorator.js';

type MemberRow = {
  member_id: string;
  workspace_id: string;
  schema_name: string;
  is_owner: boolean;
  team_id: string | null;
  status: string;
  token_version: number;
  locale: string;
};

/**
 * Deny by default: every route needs a valid access token of an active
 * member unless it is marked @Public(). The database is consulted on every
 * request, so a password change (token version) or a removal from the
 * workspace takes effect at once, in every API process.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly db: DatabaseService,
    private readonly cache: SharedCache,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic === true) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header) : null;
    if (match?.[1] === undefined) throw new ApiError('UNAUTHENTICATED', 'Sign in to continue');
    let claims;
    try {
      claims = await this.tokens.verifyAccess(match[1]);
    } catch (error) {
      const reason = error instanceof InvalidTokenError ? error.message : 'token is invalid';
      throw new ApiError('UNAUTHENTICATED', `Sign in again: ${reason}`);
    }
    const [row] = await this.cache.get(authCacheKey(claims.sub, claims.mid), () =>
      this.db.query<MemberRow>(
        `SELECT m.id AS member_id, m.workspace_id, w.schema_name, m.is_owner, m.team_id, m.status, u.token_version, u.locale
         FROM member m JOIN app_user u ON u.id = m.user_id JOIN workspace w ON w.id = m.workspace_id
        WHERE m.id = $1 AND m.user_id = $2 AND m.workspace_id = $3`,
        [claims.mid, claims.sub, claims.ws],
      ),
    );
    if (
      row === undefined ||
      row.workspace_id !== claims.ws ||
      row.status !== 'active' ||
      row.token_version !== claims.tv
    ) {
      throw new ApiError('UNAUTHENTICATED', 'Sign in again: this session is no longer valid');
    }
    request.auth = {
      userId: claims.sub,
      memberId: row.member_id,
      workspaceId: row.workspace_id,
      schemaName: row.schema_name,
      isOwner: row.is_owner,
      teamId: row.team_id,
      locale: requestedLocale(request.headers['accept-language']) ?? row.locale,
    };
    return true;
  }
}

/** An explicit Accept-Language (zh or en) wins over the user's saved locale for messages. */
function requestedLocale(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return null;
  const first = value.split(',')[0]?.trim().toLowerCase() ?? '';
  if (first.startsWith('en')) return 'en';
  if (first.startsWith('zh')) return 'zh-CN';
  return null;
}

/** Cache key of a session's member context; a password change drops `auth:<userId>:*`. */
export function authCacheKey(userId: string, memberId: string): string {
  return `auth:${userId}:${memberId}`;
}
