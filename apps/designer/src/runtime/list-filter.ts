import type { FieldSchema, FieldType } from '../forms/form-schema.js';

/**
 * Record list filters as the person builds them, and their translation to the `filter` query
 * parameter of GET /api/forms/:formId/records (report-engine's structured condition).
 */

export type FilterOperator =
  'eq' | 'neq' | 'contains' | 'gt' | 'gte' | 'lt' | 'lte' | 'empty' | 'not_empty';

export type FilterCondition = { field: string; op: FilterOperator; value?: unknown };

export type FilterKind = 'text' | 'number' | 'date' | 'choice' | 'multi' | 'boolean' | 'id';

const KIND_BY_TYPE: Partial<Record<FieldType, FilterKind>> = {
  text: 'text',
  textarea: 'text',
  rich_text: 'text',
  phone: 'text',
  email: 'text',
  url: 'text',
  serial: 'text',
  number: 'number',
  currency: 'number',
  percent: 'number',
  rating: 'number',
  date: 'date',
  datetime: 'date',
  select: 'choice',
  radio: 'choice',
  multi_select: 'multi',
  boolean: 'boolean',
  user: 'id',
  department: 'id',
};

export function filterKindOf(field: FieldSchema): FilterKind | undefined {
  if (field.type === 'formula') {
    const result = field.resultType ?? 'number';
    return result === 'text'
      ? 'text'
      : result === 'boolean'
        ? 'boolean'
        : result === 'date'
          ? 'date'
          : 'number';
  }
  return KIND_BY_TYPE[field.type];
}

export const OPERATORS_BY_KIND: Readonly<Record<FilterKind, readonly FilterOperator[]>> = {
  text: ['contains', 'eq', 'neq', 'empty', 'not_empty'],
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'empty', 'not_empty'],
  date: ['eq', 'gt', 'gte', 'lt', 'lte', 'empty', 'not_empty'],
  choice: ['eq', 'neq', 'empty', 'not_empty'],
  multi: ['contains', 'empty', 'not_empty'],
  boolean: ['eq'],
  id: ['eq', 'neq', 'empty', 'not_empty'],
};

export function operatorNeedsValue(op: FilterOperator): boolean {
  return op !== 'empty' && op !== 'not_empty';
}

/** Conditions with a value where one is needed; the others are still being filled in. */
export function completeConditions(conditions: readonly FilterCondition[]): FilterCondition[] {
  return conditions.filter(
    (condition) =>
      condition.field !== '' &&
      (!operatorNeedsValue(condition.op) ||
        (condition.value !== undefined && condition.value !== null && condition.value !== '')),
  );
}

/** The API's operator names (report-engine's structured conditions). */
const API_OPERATORS: Readonly<Record<FilterOperator, string>> = {
  eq: 'eq',
  neq: 'ne',
  contains: 'contains',
  gt: 'gt',
  gte: 'gte',
  lt: 'lt',
  lte: 'lte',
  empty: 'is_empty',
  not_empty: 'is_not_empty',
};

/** The `filter` parameter: `{ field, op, value }` leaves, all of which must hold (`{ and: [...] }`). */
export function toFilterParam(conditions: readonly FilterCondition[]): unknown {
  const complete = completeConditions(conditions);
  if (complete.length === 0) return undefined;
  const leaves = complete.map((condition) =>
    operatorNeedsValue(condition.op)
      ? { field: condition.field, op: API_OPERATORS[condition.op], value: condition.value }
      : { field: condition.field, op: API_OPERATORS[condition.op] },
  );
  return leaves.length === 1 ? leaves[0] : { and: leaves };
}
