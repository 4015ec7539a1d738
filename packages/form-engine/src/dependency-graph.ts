// Dependencies between fields of one scope (the record, or a sub-table row): a field's effective
// value depends on the fields its `visible` condition reads (a hidden field's value is cleared)
// and, for formulas, on the fields its formula reads. Evaluating in topological order gives every
// rule the final values of what it reads; a cycle has no such order and is refused.
export type DependencyEdges = ReadonlyMap<string, readonly string[]>;

export type TopologicalResult = { order: string[]; cycles: string[][] };

/**
 * Orders `ids` so that each comes after the ids it depends on (stable: schema order where free).
 * Returns each cycle found (as the ids along it, first id repeated at the end).
 */
export function topologicalOrder(
  ids: readonly string[],
  dependsOn: DependencyEdges,
): TopologicalResult {
  const order: string[] = [];
  const cycles: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const known = new Set(ids);
  const stack: string[] = [];
  const visit = (id: string): void => {
    const s = state.get(id);
    if (s === 'done') return;
    if (s === 'visiting') {
      const start = stack.indexOf(id);
      cycles.push([...stack.slice(start), id]);
      return;
    }
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of dependsOn.get(id) ?? []) if (known.has(dep) && dep !== id) visit(dep);
    for (const dep of dependsOn.get(id) ?? []) if (dep === id) cycles.push([id, id]);
    stack.pop();
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of ids) visit(id);
  return { order, cycles };
}
