import type { SavedView, ViewContent, ViewMode } from '../api/views-api.js';
import type { FieldSchema } from '../forms/form-schema.js';
import { toFilterParam, type FilterCondition, type FilterOperator } from './list-filter.js';

export type Sort = { field: string; descending: boolean };

/** What the reader has set on a record list; a saved view stores it under a name. */
export type ListState = {
  filters: FilterCondition[];
  sort: Sort;
  search: string;
  /** Chosen columns in order; null shows the default columns. */
  columns: string[] | null;
  mode: ViewMode;
};

export const DEFAULT_SORT: Sort = { field: 'created_at', descending: true };

export function sortParam(sort: Sort): string {
  return `${sort.descending ? '-' : ''}${sort.field}`;
}

export function parseSort(raw: string | null): Sort {
  if (raw === null || raw.trim() === '') return DEFAULT_SORT;
  const value = raw.trim();
  return value.startsWith('-')
    ? { field: value.slice(1), descending: true }
    : { field: value, descending: false };
}

/** The view content of a list state, as the API stores it. */
export function contentOf(state: ListState): ViewContent {
  const filter = toFilterParam(state.filters) as Record<string, unknown> | undefined;
  const search = state.search.trim();
  return {
    filter: filter ?? null,
    sort: sortParam(state.sort),
    search: search === '' ? null : search,
    columns: state.columns,
    mode: state.mode,
  };
}

const FROM_API: Readonly<Record<string, FilterOperator>> = {
  eq: 'eq',
  ne: 'neq',
  contains: 'contains',
  gt: 'gt',
  gte: 'gte',
  lt: 'lt',
  lte: 'lte',
  is_empty: 'empty',
  is_not_empty: 'not_empty',
};

/**
 * The filter panel's conditions from a saved condition: `{ field, op, value }` leaves, alone or
 * under one `and`. Leaves on fields this reader cannot see, or that the panel cannot edit, are
 * left out.
 */
export function conditionsOf(
  filter: Record<string, unknown> | null,
  fields: readonly FieldSchema[],
): FilterCondition[] {
  if (filter === null) return [];
  const and = filter['and'];
  const leaves: unknown[] = Array.isArray(and) ? and : [filter];
  const known = new Set(fields.map((field) => field.id));
  const out: FilterCondition[] = [];
  for (const leaf of leaves) {
    if (typeof leaf !== 'object' || leaf === null) continue;
    const { field, op, value } = leaf as { field?: unknown; op?: unknown; value?: unknown };
    if (typeof field !== 'string' || typeof op !== 'string' || !known.has(field)) continue;
    const operator = Object.hasOwn(FROM_API, op) ? FROM_API[op] : undefined;
    if (operator === undefined) continue;
    out.push(value === undefined ? { field, op: operator } : { field, op: operator, value });
  }
  return out;
}

/** The list state a view opens with; columns this reader cannot see are dropped. */
export function stateOf(view: SavedView, fields: readonly FieldSchema[]): ListState {
  const known = new Set(fields.map((field) => field.id));
  const columns = view.columns?.filter((id) => known.has(id)) ?? null;
  const sort = parseSort(view.sort);
  const sortable = sort.field === 'created_at' || known.has(sort.field);
  return {
    filters: conditionsOf(view.filter, fields),
    sort: sortable ? sort : DEFAULT_SORT,
    search: view.search ?? '',
    columns: columns !== null && columns.length > 0 ? columns : null,
    mode: view.mode,
  };
}

/** Whether the list shows something other than what the view saved (so it can be updated). */
export function differsFrom(
  view: SavedView,
  state: ListState,
  fields: readonly FieldSchema[],
): boolean {
  const current = contentOf(state);
  const saved = contentOf(stateOf(view, fields));
  return JSON.stringify(current) !== JSON.stringify(saved);
}
