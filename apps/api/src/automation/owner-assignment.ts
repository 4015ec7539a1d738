import type { ResolvedRuleAction } from '@trellis/rule-engine';
import type { Sql } from '../database/database.service.js';
import type { WorkspaceDirectory } from '../flows/workspace-directory.js';
import { ActionError } from './action-error.js';

type AssignAction = Extract<ResolvedRuleAction, { type: 'assign_owner' }>;

export type OwnerChoice = { ownerId: string; why: Record<string, unknown> };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Picks a new owner. Pools are team-aware: `team` (an id or a name) takes the
 * active members of that team and its sub-teams, intersected with `users` and
 * `role` holders when given. Round robin advances a per-rule cursor inside the
 * action's transaction (so a rolled-back or redelivered action does not skip
 * anyone); least-open counts each candidate's open records of the form (not
 * deleted, not drafts, not in a won/lost/final stage) and breaks ties with the
 * same cursor.
 */
export async function chooseOwner(
  sql: Sql,
  input: {
    action: AssignAction;
    directory: WorkspaceDirectory;
    workspaceId: string;
    ruleId: string;
    actionIndex: number;
    table: string;
    closedStages: readonly string[];
  },
): Promise<OwnerChoice> {
  const { action, directory } = input;
  switch (action.strategy) {
    case 'fixed': {
      if (!directory.isActive(action.userId))
        throw new ActionError('UNKNOWN_MEMBER', `${action.userId} is not an active member`);
      return { ownerId: action.userId, why: {} };
    }
    case 'from_field': {
      const value = action.userId;
      const id =
        typeof value === 'string'
          ? value
          : Array.isArray(value) && typeof value[0] === 'string'
            ? value[0]
            : typeof value === 'object' &&
                value !== null &&
                typeof (value as { id?: unknown }).id === 'string'
              ? (value as { id: string }).id
              : null;
      if (id === null || !UUID.test(id) || !directory.isActive(id))
        throw new ActionError(
          'UNKNOWN_MEMBER',
          `Field ${action.field} does not hold an active member (${JSON.stringify(value)})`,
        );
      return { ownerId: id, why: { field: action.field } };
    }
    case 'round_robin':
    case 'least_open': {
      const candidates = await poolMembers(sql, input.workspaceId, action.pool, directory);
      if (candidates.length === 0)
        throw new ActionError(
          'EMPTY_POOL',
          `Nobody active in the pool ${JSON.stringify(action.pool)} to assign to`,
        );
      const position = await advance(sql, input.ruleId, input.actionIndex);
      if (action.strategy === 'round_robin') {
        const ownerId = candidates[(position - 1) % candidates.length] as string;
        return { ownerId, why: { pool: candidates.length, turn: position } };
      }
      const counts = await sql.query<{ owner_id: string; n: number }>(
        `SELECT owner_id, count(*)::int AS n FROM ${input.table}
          WHERE owner_id = ANY($1::uuid[]) AND deleted_at IS NULL AND NOT is_draft
            AND (stage IS NULL OR NOT (stage = ANY($2::text[])))
          GROUP BY owner_id`,
        [candidates, input.closedStages],
      );
      const open = new Map(counts.map((r) => [r.owner_id, r.n]));
      const least = Math.min(...candidates.map((id) => open.get(id) ?? 0));
      const tied = candidates.filter((id) => (open.get(id) ?? 0) === least);
      const ownerId = tied[(position - 1) % tied.length] as string;
      return { ownerId, why: { pool: candidates.length, openRecords: least } };
    }
  }
}

async function poolMembers(
  sql: Sql,
  workspaceId: string,
  pool: { users?: readonly string[]; team?: string; role?: string },
  directory: WorkspaceDirectory,
): Promise<string[]> {
  let members: Set<string> | null = null;
  const intersect = (ids: Iterable<string>) => {
    const next = new Set(ids);
    members = members === null ? next : new Set([...members].filter((id) => next.has(id)));
  };
  if (pool.users !== undefined) intersect(pool.users.filter((u) => UUID.test(u)));
  if (pool.team !== undefined) {
    const rows = await sql.query<{ id: string }>(
      `WITH RECURSIVE root AS (
         SELECT id FROM team WHERE workspace_id = $1 AND (id::text = $2 OR name = $2)
       ), subtree AS (
         SELECT id FROM root UNION SELECT t.id FROM team t JOIN subtree s ON t.parent_id = s.id
       )
       SELECT m.id FROM member m WHERE m.workspace_id = $1 AND m.status = 'active' AND m.team_id IN (SELECT id FROM subtree)`,
      [workspaceId, pool.team],
    );
    intersect(rows.map((r) => r.id));
  }
  if (pool.role !== undefined) intersect(directory.usersWithRole(pool.role));
  const result: Set<string> = members ?? new Set<string>();
  return [...result].filter((id) => directory.isActive(id)).sort();
}

async function advance(sql: Sql, ruleId: string, actionIndex: number): Promise<number> {
  const [row] = await sql.query<{ position: string }>(
    `INSERT INTO assignment_cursor (rule_id, action_index, position) VALUES ($1, $2, 1)
     ON CONFLICT (rule_id, action_index) DO UPDATE SET position = assignment_cursor.position + 1
     RETURNING position`,
    [ruleId, actionIndex],
  );
  return Number(row?.position ?? 1);
}
