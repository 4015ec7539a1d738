import { Injectable } from '@nestjs/common';
import type { FlowDirectory } from '@trellis/flow-engine';
import { SharedCache } from '../common/cache/shared-cache.service.js';
import type { Sql } from '../database/database.service.js';

/**
 * A snapshot of a workspace's people for pure engines that need synchronous
 * look-ups: who holds a role, and each member's managers (nearest first).
 */
export type WorkspaceDirectory = FlowDirectory & {
  rolesOf(memberId: string): readonly string[];
  usersWithRole(role: string): readonly string[];
  managerChainOf(memberId: string): readonly string[];
  isActive(memberId: string): boolean;
};

type DirectoryRows = {
  members: Array<{
    id: string;
    team_id: string | null;
    manager_member_id: string | null;
    status: string;
    roles: string[];
  }>;
  teams: Array<{ id: string; parent_id: string | null; manager_member_id: string | null }>;
};

/** Cache key of a workspace's people; member, team and role-grant changes drop it. */
export function directoryKey(workspaceId: string): string {
  return `dir:${workspaceId}`;
}

@Injectable()
export class WorkspaceDirectoryLoader {
  constructor(private readonly cache: SharedCache) {}

  async load(sql: Sql, workspaceId: string): Promise<WorkspaceDirectory> {
    const { members, teams } = await this.cache.get<DirectoryRows>(directoryKey(workspaceId), () =>
      this.read(sql, workspaceId),
    );
    return buildDirectory(members, teams);
  }

  private async read(sql: Sql, workspaceId: string): Promise<DirectoryRows> {
    const members = await sql.query<{
      id: string;
      team_id: string | null;
      manager_member_id: string | null;
      status: string;
      roles: string[];
    }>(
      `SELECT m.id, m.team_id, m.manager_member_id, m.status,
              coalesce(array_agg(r.key) FILTER (WHERE r.key IS NOT NULL), '{}') AS roles
         FROM member m LEFT JOIN member_role mr ON mr.member_id = m.id LEFT JOIN role r ON r.id = mr.role_id
        WHERE m.workspace_id = $1 GROUP BY m.id`,
      [workspaceId],
    );
    const teams = await sql.query<{
      id: string;
      parent_id: string | null;
      manager_member_id: string | null;
    }>(`SELECT id, parent_id, manager_member_id FROM team WHERE workspace_id = $1`, [workspaceId]);
    return { members, teams };
  }
}

function buildDirectory(
  members: DirectoryRows['members'],
  teams: DirectoryRows['teams'],
): WorkspaceDirectory {
  const byId = new Map(members.map((m) => [m.id, m]));
  const teamById = new Map(teams.map((t) => [t.id, t]));
  const chains = new Map<string, string[]>();
  const chainOf = (memberId: string): string[] => {
    const cached = chains.get(memberId);
    if (cached !== undefined) return cached;
    const chain: string[] = [];
    const push = (id: string | null | undefined) => {
      if (
        id !== null &&
        id !== undefined &&
        id !== memberId &&
        !chain.includes(id) &&
        byId.get(id)?.status === 'active'
      )
        chain.push(id);
    };
    const member = byId.get(memberId);
    push(member?.manager_member_id);
    let team =
      member?.team_id === null || member?.team_id === undefined
        ? undefined
        : teamById.get(member.team_id);
    for (let depth = 0; team !== undefined && depth < 50; depth++) {
      push(team.manager_member_id);
      team = team.parent_id === null ? undefined : teamById.get(team.parent_id);
    }
    chains.set(memberId, chain);
    return chain;
  };
  return {
    rolesOf: (id) => byId.get(id)?.roles ?? [],
    usersWithRole: (role) =>
      members.filter((m) => m.status === 'active' && m.roles.includes(role)).map((m) => m.id),
    managerChainOf: chainOf,
    isActive: (id) => byId.get(id)?.status === 'active',
  };
}
