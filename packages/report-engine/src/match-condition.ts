// The in-memory twin of conditionToSql: the same answers over plain rows (field ids as keys;
// related fields as `customer.level` keys or nested objects).
import { dateValue, parseInstant } from './time-zone.js';
import type { Condition, ConditionLeaf, RangeValue, ValueKind } from './types.js';

export type Row = Readonly<Record<string, unknown>>;

/** A value of a row by field path: a flat `a.b` key first, then nested objects. */
export function valueAt(row: Row, path: string): unknown {
  if (Object.hasOwn(row, path)) return row[path];
  if (!path.includes('.')) return undefined;
  let current: unknown = row;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

type Comparable = string | number | boolean;

/** A row value as the comparable form of its kind (null for no value). */
export function comparable(kind: ValueKind, value: unknown, timeZone = 'UTC'): Comparable | null {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'text':
      return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
    case 'number': {
      if (typeof value === 'number') return Number.isFinite(value) ? value : null;
      if (typeof value === 'string' && value.trim() !== '') {
        const n = Number(value);
        return Number.isFinite(n) ? n : null;
      }
      if (typeof value === 'bigint') return Number(value);
      return null;
    }
    case 'date':
      return dateValue(value);
    case 'datetime':
      return parseInstant(value, timeZone);
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'uuid':
      return typeof value === 'string' ? value.toLowerCase() : null;
    default:
      return null;
  }
}

function cmp(a: Comparable, b: Comparable): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function textArray(value: unknown): string[] | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value)) return null;
  return value.filter((v): v is string => typeof v === 'string');
}

function isJsonEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

const parsedValues = new WeakMap<ConditionLeaf, Map<string, Comparable | null>>();

/** A value of the condition as a comparable, parsed once per leaf (rows are many, leaves few). */
function conditionValue(leaf: ConditionLeaf, x: unknown, timeZone: string): Comparable | null {
  let cache = parsedValues.get(leaf);
  if (cache === undefined) {
    cache = new Map();
    parsedValues.set(leaf, cache);
  }
  const key = `${timeZone}|${typeof x}|${String(x)}`;
  const hit = cache.get(key);
  if (hit !== undefined || cache.has(key)) return hit ?? null;
  const value = comparable(leaf.kind, x, timeZone);
  cache.set(key, value);
  return value;
}

/** Options of the matcher: zone-less datetime text in rows is local time in `timeZone` (default UTC). */
export type MatchContext = { timeZone?: string };

function leafMatches(leaf: ConditionLeaf, row: Row, timeZone: string): boolean {
  const kind = leaf.kind;
  const raw = valueAt(row, leaf.field);
  if (kind === 'json') {
    if (leaf.op === 'is_empty') return isJsonEmpty(raw);
    if (leaf.op === 'is_not_empty') return !isJsonEmpty(raw);
    return false;
  }
  if (kind === 'text_array') {
    const arr = textArray(raw);
    const target = leaf.value;
    switch (leaf.op) {
      case 'eq':
      case 'contains':
        return arr !== null && arr.includes(String(target));
      case 'ne':
      case 'not_contains':
        return arr === null || !arr.includes(String(target));
      case 'in':
        return arr !== null && (target as readonly unknown[]).some((t) => arr.includes(String(t)));
      case 'not_in':
        return arr === null || !(target as readonly unknown[]).some((t) => arr.includes(String(t)));
      case 'is_empty':
        return arr === null || arr.length === 0;
      case 'is_not_empty':
        return arr !== null && arr.length > 0;
      default:
        return false;
    }
  }
  const v = comparable(kind, raw, timeZone);
  const one = (x: unknown): Comparable | null => conditionValue(leaf, x, timeZone);
  switch (leaf.op) {
    case 'eq': {
      const x = one(leaf.value);
      return v !== null && x !== null && cmp(v, x) === 0;
    }
    case 'ne': {
      const x = one(leaf.value);
      return v === null || x === null || cmp(v, x) !== 0;
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      const x = one(leaf.value);
      if (v === null || x === null) return false;
      const c = cmp(v, x);
      return leaf.op === 'lt'
        ? c < 0
        : leaf.op === 'lte'
          ? c <= 0
          : leaf.op === 'gt'
            ? c > 0
            : c >= 0;
    }
    case 'in':
      return (
        v !== null &&
        (leaf.value as readonly unknown[]).some((x) => {
          const y = one(x);
          return y !== null && cmp(v, y) === 0;
        })
      );
    case 'not_in':
      return (
        v === null ||
        !(leaf.value as readonly unknown[]).some((x) => {
          const y = one(x);
          return y !== null && cmp(v, y) === 0;
        })
      );
    case 'contains':
      return v !== null && String(v).toLowerCase().includes(String(leaf.value).toLowerCase());
    case 'not_contains':
      return v === null || !String(v).toLowerCase().includes(String(leaf.value).toLowerCase());
    case 'starts_with':
      return v !== null && String(v).toLowerCase().startsWith(String(leaf.value).toLowerCase());
    case 'is_empty':
      return v === null || (kind === 'text' && v === '');
    case 'is_not_empty':
      return v !== null && !(kind === 'text' && v === '');
    case 'between': {
      const [lo, hi] = (leaf.value as readonly unknown[]).map(one);
      return v !== null && lo != null && hi != null && cmp(v, lo) >= 0 && cmp(v, hi) <= 0;
    }
    case 'in_range': {
      const r = (leaf.value ?? {}) as RangeValue;
      if (v === null) return false;
      if (r.from !== undefined) {
        const f = one(r.from);
        if (f === null || cmp(v, f) < 0) return false;
      }
      if (r.to !== undefined) {
        const t = one(r.to);
        if (t === null || cmp(v, t) >= 0) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** Whether a row matches a normalized condition (the same semantics as the generated SQL). */
export function matchesCondition(condition: Condition, row: Row, ctx: MatchContext = {}): boolean {
  return matches(condition, row, ctx.timeZone ?? 'UTC');
}

function matches(condition: Condition, row: Row, timeZone: string): boolean {
  if ('and' in condition) return condition.and.every((c) => matches(c, row, timeZone));
  if ('or' in condition) return condition.or.some((c) => matches(c, row, timeZone));
  if ('not' in condition) return !matches(condition.not, row, timeZone);
  return leafMatches(condition, row, timeZone);
}
