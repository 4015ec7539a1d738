import type { Team } from '../api/people-api.js';

export type TeamNode = { team: Team; children: TeamNode[]; depth: number };

/** The department tree from the flat list (orphans, whose parent is gone, become roots). */
export function buildTeamTree(teams: readonly Team[]): TeamNode[] {
  const ids = new Set(teams.map((team) => team.id));
  const byParent = new Map<string | null, Team[]>();
  for (const team of teams) {
    const parent = team.parentId !== null && ids.has(team.parentId) ? team.parentId : null;
    byParent.set(parent, [...(byParent.get(parent) ?? []), team]);
  }
  const build = (parent: string | null, depth: number, seen: Set<string>): TeamNode[] =>
    (byParent.get(parent) ?? [])
      .filter((team) => !seen.has(team.id))
      .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))
      .map((team) => ({
        team,
        depth,
        children: build(team.id, depth + 1, new Set([...seen, team.id])),
      }));
  return build(null, 1, new Set());
}

/** A team and everything under it (a team cannot move under its own descendant). */
export function subtreeIds(teams: readonly Team[], rootId: string): Set<string> {
  const out = new Set([rootId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const team of teams) {
      if (team.parentId !== null && out.has(team.parentId) && !out.has(team.id)) {
        out.add(team.id);
        grew = true;
      }
    }
  }
  return out;
}

/** The nodes a reader sees, top to bottom, given which are expanded. */
export function visibleNodes(
  nodes: readonly TeamNode[],
  expanded: ReadonlySet<string>,
): TeamNode[] {
  const out: TeamNode[] = [];
  const walk = (list: readonly TeamNode[]) => {
    for (const node of list) {
      out.push(node);
      if (expanded.has(node.team.id)) walk(node.children);
    }
  };
  walk(nodes);
  return out;
}
