// A normalized Condition -> a PostgreSQL boolean expression. Identifiers come from the table
// map only; every value is a bind parameter. Every leaf is two-valued where it matters: `not`
// compiles to `IS NOT TRUE`, so a NULL never flips a negation (the in-memory twin agrees).
import { quoteIdent } from './identifiers.js';
import { ReportError } from './report-error.js';
import { castOf, columnOf, columnSql, relationColumn, tableInfo, tableSql } from './sql-columns.js';
import type {
  Condition,
  ConditionLeaf,
  ParamCollector,
  RangeValue,
  ScalarValue,
  TableMap,
  TableRef,
  ValueKind,
} from './types.js';

/** Turns a field path of a condition into a SQL value expression. */
export type FieldResolver = (path: string, kind: ValueKind) => string;

const KINDS: ReadonlySet<string> = new Set([
  'text',
  'number',
  'date',
  'datetime',
  'boolean',
  'uuid',
  'text_array',
  'json',
]);

const JSON_EMPTY = `('null'::jsonb, '""'::jsonb, '[]'::jsonb, '{}'::jsonb)`;

function param(params: ParamCollector, value: unknown, cast: string): string {
  return `${params.add(value)}::${cast}`;
}

function isLeaf(c: Condition): c is ConditionLeaf {
  return typeof (c as ConditionLeaf).field === 'string';
}

/** Compiles a condition with a resolver for field expressions. */
export function compileCondition(
  condition: Condition,
  resolve: FieldResolver,
  params: ParamCollector,
  depth = 0,
): string {
  if (depth > 64) throw new ReportError('CONDITION_TOO_DEEP', 'condition nests too deeply');
  if (condition === null || typeof condition !== 'object') {
    throw new ReportError('INVALID_CONDITION', 'a condition is an object');
  }
  if ('and' in condition && Array.isArray(condition.and)) {
    if (condition.and.length === 0) return 'TRUE';
    const parts = condition.and.map((c) => compileCondition(c, resolve, params, depth + 1));
    return parts.length === 1 ? (parts[0] as string) : `(${parts.join(' AND ')})`;
  }
  if ('or' in condition && Array.isArray(condition.or)) {
    if (condition.or.length === 0) return 'FALSE';
    const parts = condition.or.map((c) => compileCondition(c, resolve, params, depth + 1));
    return parts.length === 1 ? (parts[0] as string) : `(${parts.join(' OR ')})`;
  }
  if ('not' in condition) {
    return `((${compileCondition(condition.not, resolve, params, depth + 1)}) IS NOT TRUE)`;
  }
  if (!isLeaf(condition)) throw new ReportError('INVALID_CONDITION', 'unknown condition shape');
  return leafSql(condition, resolve, params);
}

function scalar(value: unknown): ScalarValue {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return value;
  throw new ReportError('INVALID_CONDITION', 'condition value is not a scalar; normalize first');
}

function list(value: unknown): ScalarValue[] {
  if (!Array.isArray(value))
    throw new ReportError('INVALID_CONDITION', 'list expected; normalize first');
  return value.map(scalar);
}

function leafSql(leaf: ConditionLeaf, resolve: FieldResolver, params: ParamCollector): string {
  const kind = leaf.kind;
  if (!KINDS.has(kind)) throw new ReportError('INVALID_CONDITION', `unknown kind ${String(kind)}`);
  const e = resolve(leaf.field, kind);
  const cast = castOf(kind);
  const p = (v: unknown): string => param(params, scalar(v), cast);
  switch (leaf.op) {
    case 'eq':
      return kind === 'text_array' ? `${e} @> ARRAY[${p(leaf.value)}]` : `${e} = ${p(leaf.value)}`;
    case 'ne':
      return kind === 'text_array'
        ? `(${e} IS NULL OR NOT (${e} @> ARRAY[${p(leaf.value)}]))`
        : `${e} IS DISTINCT FROM ${p(leaf.value)}`;
    case 'lt':
      return `${e} < ${p(leaf.value)}`;
    case 'lte':
      return `${e} <= ${p(leaf.value)}`;
    case 'gt':
      return `${e} > ${p(leaf.value)}`;
    case 'gte':
      return `${e} >= ${p(leaf.value)}`;
    case 'in': {
      const arr = param(params, list(leaf.value), `${cast}[]`);
      return kind === 'text_array' ? `${e} && ${arr}` : `${e} = ANY(${arr})`;
    }
    case 'not_in': {
      const arr = param(params, list(leaf.value), `${cast}[]`);
      return kind === 'text_array'
        ? `(${e} IS NULL OR NOT (${e} && ${arr}))`
        : `(${e} IS NULL OR NOT (${e} = ANY(${arr})))`;
    }
    case 'contains':
      return kind === 'text_array'
        ? `${e} @> ARRAY[${p(leaf.value)}]`
        : `strpos(lower(${e}), lower(${p(leaf.value)})) > 0`;
    case 'not_contains':
      return kind === 'text_array'
        ? `(${e} IS NULL OR NOT (${e} @> ARRAY[${p(leaf.value)}]))`
        : `(${e} IS NULL OR strpos(lower(${e}), lower(${p(leaf.value)})) = 0)`;
    case 'starts_with':
      return `starts_with(lower(${e}), lower(${p(leaf.value)}))`;
    case 'is_empty':
      if (kind === 'text') return `(${e} IS NULL OR ${e} = '')`;
      if (kind === 'text_array') return `(${e} IS NULL OR cardinality(${e}) = 0)`;
      if (kind === 'json') return `(${e} IS NULL OR ${e} IN ${JSON_EMPTY})`;
      return `${e} IS NULL`;
    case 'is_not_empty':
      if (kind === 'text') return `${e} <> ''`;
      if (kind === 'text_array') return `cardinality(${e}) > 0`;
      if (kind === 'json') return `${e} NOT IN ${JSON_EMPTY}`;
      return `${e} IS NOT NULL`;
    case 'between': {
      const [lo, hi] = list(leaf.value);
      return `${e} BETWEEN ${p(lo)} AND ${p(hi)}`;
    }
    case 'in_range': {
      const r = (leaf.value ?? {}) as RangeValue;
      const parts: string[] = [];
      if (r.from !== undefined) parts.push(`${e} >= ${p(r.from)}`);
      if (r.to !== undefined) parts.push(`${e} < ${p(r.to)}`);
      if (parts.length === 0) return `${e} IS NOT NULL`;
      return parts.length === 1 ? (parts[0] as string) : `(${parts.join(' AND ')})`;
    }
    default:
      throw new ReportError('INVALID_CONDITION', `unknown operator ${String(leaf.op)}`);
  }
}

/** Walks a dotted path with the table map's relations: the hops and the final form and field. */
export function walkPath(
  path: string,
  sourceFormId: string,
  tables: TableMap,
): {
  hops: Array<{ field: string; formId: string; target: string }>;
  formId: string;
  fieldId: string;
} {
  const segments = path.split('.');
  const hops: Array<{ field: string; formId: string; target: string }> = [];
  let formId = sourceFormId;
  for (let i = 0; i < segments.length - 1; i++) {
    const field = segments[i] as string;
    const rel = tableInfo(tables, formId).relations?.[field];
    if (rel === undefined || !Object.hasOwn(tableInfo(tables, formId).relations ?? {}, field)) {
      throw new ReportError(
        'UNMAPPED_RELATION',
        `The table map has no relation "${field}" on "${formId}"`,
      );
    }
    hops.push({ field, formId, target: rel.formId });
    formId = rel.formId;
  }
  return { hops, formId, fieldId: segments[segments.length - 1] as string };
}

/**
 * Resolver for standalone conditions: plain fields are columns of the table alias; paths along
 * relations become scalar subqueries (a missing or unreadable related record gives NULL).
 */
export function subqueryResolver(
  ref: TableRef,
  params: ParamCollector,
  counter: { n: number } = { n: 0 },
): FieldResolver {
  return (path, kind) => {
    if (!path.includes('.')) {
      return columnSql(ref.alias, columnOf(ref.tables, ref.formId, path, kind).column);
    }
    const { hops, formId, fieldId } = walkPath(path, ref.formId, ref.tables);
    const aliases = hops.map(() => `_r${++counter.n}`);
    const joins: string[] = [];
    const where: string[] = [];
    hops.forEach((hop, i) => {
      const alias = aliases[i] as string;
      const fromAlias = i === 0 ? ref.alias : (aliases[i - 1] as string);
      const link = `${quoteIdent(alias)}."id" = ${quoteIdent(fromAlias)}.${relationColumn(ref.tables, hop.formId, hop.field)}`;
      const conds = [link, `${quoteIdent(alias)}."deleted_at" IS NULL`];
      const scope = ref.rowScopes?.[hop.target];
      if (scope !== undefined && Object.hasOwn(ref.rowScopes ?? {}, hop.target)) {
        const inner = subqueryResolver(
          { alias, formId: hop.target, tables: ref.tables },
          params,
          counter,
        );
        conds.push(compileCondition(scope, inner, params));
      }
      if (i === 0) {
        joins.push(`${tableSql(ref.tables, hop.target)} ${quoteIdent(alias)}`);
        where.push(...conds);
      } else {
        joins.push(
          `JOIN ${tableSql(ref.tables, hop.target)} ${quoteIdent(alias)} ON ${conds.join(' AND ')}`,
        );
      }
    });
    const last = aliases[aliases.length - 1] as string;
    const column = columnSql(last, columnOf(ref.tables, formId, fieldId, kind).column);
    return `(SELECT ${column} FROM ${joins.join(' ')} WHERE ${where.join(' AND ')})`;
  };
}

/**
 * Compiles a normalized condition against a table alias: `params.add(value)` assigns `$n` for
 * every value; the returned text holds only quoted identifiers from `ref.tables`.
 */
export function conditionToSql(
  condition: Condition,
  ref: TableRef,
  params: ParamCollector,
): string {
  return compileCondition(condition, subqueryResolver(ref, params), params);
}
