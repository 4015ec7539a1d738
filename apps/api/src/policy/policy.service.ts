import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context.js';
import { ApiError } from '../common/errors/api-error.js';
import { SharedCache } from '../common/cache/shared-cache.service.js';
import { DatabaseService, type Sql } from '../database/database.service.js';
import type { FormAction, RolePermissions, WorkspaceAction } from './permissions.js';
import { type FormAccess, mergeFormAccess, mergeWorkspaceActions } from './policy-merge.js';

/** Whose records a viewer may see: everything, or records owned by some members and/or matching predicates. */
export type RowScopeFilter =
  | { readonly all: true }
  | {
      readonly all: false;
      readonly ownerIds: readonly string[];
      readonly predicates: readonly unknown[];
    };

/**
 * The one enforcement point for permissions. Every channel (records, lists,
 * search, reports, exports, imports, webhooks, automation) asks it.
 */
@Injectable()
export class PolicyService {
  constructor(
    private readonly db: DatabaseService,
    private readonly cache: SharedCache,
  ) {}

  /** The member's roles' permissions; cached per process, dropped whenever roles or grants change. */
  async roles(memberId: string, sql: Sql = this.db): Promise<RolePermissions[]> {
    const load = async () => {
      const rows = await sql.query<{ permissions: RolePermissions; workspace_id: string }>(
        `SELECT r.permissions, r.workspace_id FROM member_role mr JOIN role r ON r.id = mr.role_id WHERE mr.member_id = $1`,
        [memberId],
      );
      return rows.map((r) => r.permissions);
    };
    // a grant change drops this entry in every process as it commits, so writes may use it too
    return this.cache.get(rolesCacheKey(memberId), load);
  }

  async requireWorkspace(auth: AuthContext, action: WorkspaceAction): Promise<void> {
    const actions = mergeWorkspaceActions(await this.roles(auth.memberId), auth.isOwner);
    if (!actions.has(action))
      throw ApiError.forbidden(`Your role does not allow ${action.replace('_', ' ')}`);
  }

  async formAccess(
    auth: Pick<AuthContext, 'memberId' | 'isOwner'>,
    formId: string,
    sql: Sql = this.db,
  ): Promise<FormAccess> {
    return mergeFormAccess(await this.roles(auth.memberId, sql), formId, auth.isOwner);
  }

  requireForm(access: FormAccess, action: FormAction, what = 'this form'): void {
    if (!access.actions.has(action) && !(action !== 'manage' && access.actions.has('manage'))) {
      throw ApiError.forbidden(`Your role does not allow ${action} on ${what}`);
    }
  }

  /** Resolves own / team / department / predicate scopes into owner ids and JsonLogic predicates. */
  async rowScope(
    auth: Pick<AuthContext, 'memberId' | 'teamId' | 'workspaceId'>,
    access: FormAccess,
    sql: Sql = this.db,
  ): Promise<RowScopeFilter> {
    if (access.rowScopes.includes('all')) return { all: true };
    const ownerIds = new Set<string>();
    const predicates: unknown[] = [];
    for (const scope of access.rowScopes) {
      if (scope === 'own') ownerIds.add(auth.memberId);
      else if (scope === 'team' || scope === 'department') {
        ownerIds.add(auth.memberId);
        if (auth.teamId === null) continue;
        const rows =
          scope === 'team'
            ? await sql.query<{ id: string }>(
                `SELECT id FROM member WHERE workspace_id = $1 AND team_id = $2`,
                [auth.workspaceId, auth.teamId],
              )
            : await sql.query<{ id: string }>(
                `WITH RECURSIVE subtree AS (
                   SELECT id FROM team WHERE id = $2 AND workspace_id = $1
                   UNION ALL SELECT t.id FROM team t JOIN subtree s ON t.parent_id = s.id
                 ) SELECT m.id FROM member m WHERE m.workspace_id = $1 AND m.team_id IN (SELECT id FROM subtree)`,
                [auth.workspaceId, auth.teamId],
              );
        for (const row of rows) ownerIds.add(row.id);
      } else if (scope !== 'all') predicates.push(scope.logic);
    }
    return { all: false, ownerIds: [...ownerIds], predicates };
  }

  /**
   * A member's managers, nearest first: an explicit manager, else the
   * managers of their team and its ancestors. Feeds approvals and escalations.
   */
  async managerChain(memberId: string, sql: Sql = this.db): Promise<string[]> {
    const rows = await sql.query<{ manager: string | null; depth: number }>(
      `WITH RECURSIVE me AS (SELECT id, workspace_id, team_id, manager_member_id FROM member WHERE id = $1),
       chain AS (
         SELECT t.id, t.parent_id, t.manager_member_id, 1 AS depth FROM team t JOIN me ON t.id = me.team_id
         UNION ALL SELECT t.id, t.parent_id, t.manager_member_id, c.depth + 1 FROM team t JOIN chain c ON t.id = c.parent_id WHERE c.depth < 20
       )
       SELECT manager_member_id AS manager, 0 AS depth FROM me
       UNION ALL SELECT manager_member_id, depth FROM chain
       ORDER BY depth`,
      [memberId],
    );
    const chain: string[] = [];
    for (const row of rows) {
      if (row.manager !== null && row.manager !== memberId && !chain.includes(row.manager))
        chain.push(row.manager);
    }
    return chain;
  }
}

/** Cache key of a member's role permissions; a role change drops `roles:*`. */
export function rolesCacheKey(memberId: string): string {
  return `roles:${memberId}`;
}
