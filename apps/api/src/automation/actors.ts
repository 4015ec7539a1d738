import type { Sql } from '../database/database.service.js';
import type { Actor } from '../records/records.service.js';

/**
 * The member an automation acts as: a rule's author (its permissions bound
 * what the rule may do) or, for flow timers, the workspace owner standing in
 * for the system. `depth` is the cascade depth its changes carry.
 */
export async function loadActor(sql: Sql, memberId: string, depth: number): Promise<Actor | null> {
  const [row] = await sql.query<{
    id: string;
    workspace_id: string;
    is_owner: boolean;
    team_id: string | null;
    status: string;
    locale: string;
  }>(
    `SELECT m.id, m.workspace_id, m.is_owner, m.team_id, m.status, u.locale
       FROM member m JOIN app_user u ON u.id = m.user_id WHERE m.id = $1`,
    [memberId],
  );
  if (row === undefined || row.status !== 'active') return null;
  return {
    memberId: row.id,
    workspaceId: row.workspace_id,
    isOwner: row.is_owner,
    teamId: row.team_id,
    locale: row.locale,
    depth,
  };
}

/** The workspace's owner, who stands in for "the system" where a member must be named (flow timers). */
export async function systemActor(sql: Sql, workspaceId: string): Promise<Actor | null> {
  const [row] = await sql.query<{ id: string }>(
    `SELECT id FROM member WHERE workspace_id = $1 AND is_owner AND status = 'active' ORDER BY created_at, id LIMIT 1`,
    [workspaceId],
  );
  return row === undefined ? null : loadActor(sql, row.id, 0);
}
