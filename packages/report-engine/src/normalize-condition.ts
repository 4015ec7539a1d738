// Raw filter JSON (as the designer and saved reports hold it) -> a normalized Condition whose
// every field exists and is readable, every operator fits the field, and every value has the
// field's type. Relative date ranges are resolved here, in the given time zone at `now`.
import { isRelativeDateOp, resolveRelative, toRangeValue } from './date-ranges.js';
import { type FormIndex, type Readability, indexForms, isProblem, resolveField } from './fields.js';
import { show } from './identifiers.js';
import {
  addDays,
  isoInstant,
  isValidTimeZone,
  localDate,
  parseDate,
  parseInstant,
} from './time-zone.js';
import type {
  Condition,
  ConditionLeaf,
  ConditionOp,
  FieldPolicy,
  FieldRef,
  Issue,
  RangeValue,
  ReportForm,
  ScalarValue,
  ValueKind,
} from './types.js';

export const CONDITION_LIMITS = {
  depth: 12,
  nodes: 400,
  listValues: 1000,
  textLength: 2000,
} as const;

const OP_ALIASES: Readonly<Record<string, ConditionOp>> = {
  eq: 'eq',
  ne: 'ne',
  neq: 'ne',
  lt: 'lt',
  lte: 'lte',
  gt: 'gt',
  gte: 'gte',
  in: 'in',
  not_in: 'not_in',
  nin: 'not_in',
  contains: 'contains',
  not_contains: 'not_contains',
  starts_with: 'starts_with',
  is_empty: 'is_empty',
  empty: 'is_empty',
  is_not_empty: 'is_not_empty',
  not_empty: 'is_not_empty',
  between: 'between',
  in_range: 'in_range',
};

/** The operators each kind of field accepts (relative date operators: dates and datetimes). */
export const OPS_BY_KIND: Readonly<Record<ValueKind, readonly ConditionOp[]>> = {
  text: [
    'eq',
    'ne',
    'in',
    'not_in',
    'contains',
    'not_contains',
    'starts_with',
    'is_empty',
    'is_not_empty',
  ],
  number: [
    'eq',
    'ne',
    'lt',
    'lte',
    'gt',
    'gte',
    'in',
    'not_in',
    'between',
    'is_empty',
    'is_not_empty',
  ],
  date: [
    'eq',
    'ne',
    'lt',
    'lte',
    'gt',
    'gte',
    'in',
    'not_in',
    'between',
    'in_range',
    'is_empty',
    'is_not_empty',
  ],
  datetime: [
    'eq',
    'ne',
    'lt',
    'lte',
    'gt',
    'gte',
    'between',
    'in_range',
    'is_empty',
    'is_not_empty',
  ],
  boolean: ['eq', 'ne', 'is_empty', 'is_not_empty'],
  uuid: ['eq', 'ne', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  text_array: ['eq', 'ne', 'contains', 'not_contains', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  json: ['is_empty', 'is_not_empty'],
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMERIC_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** What normalizing a condition needs to know. */
export type ConditionContext = {
  sourceFormId: string;
  forms: FormIndex;
  readability: Readability;
  timeZone: string;
  now: number | null;
};

type Collector = { issues: Issue[]; nodes: number };

function at(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`;
}

function issue(c: Collector, path: string, code: string, message: string): null {
  c.issues.push({ path, code, message });
  return null;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Normalizes one condition tree, pushing issues; returns null when anything was wrong. */
export function normalizeConditionAt(
  raw: unknown,
  path: string,
  ctx: ConditionContext,
  c: Collector = { issues: [], nodes: 0 },
  depth = 0,
): Condition | null {
  c.nodes += 1;
  if (depth > CONDITION_LIMITS.depth) {
    return issue(
      c,
      path,
      'CONDITION_TOO_DEEP',
      `Conditions nest at most ${CONDITION_LIMITS.depth} levels`,
    );
  }
  if (c.nodes > CONDITION_LIMITS.nodes) {
    if (c.nodes === CONDITION_LIMITS.nodes + 1) {
      issue(
        c,
        path,
        'CONDITION_TOO_LARGE',
        `A condition has at most ${CONDITION_LIMITS.nodes} parts`,
      );
    }
    return null;
  }
  if (!isPlainObject(raw)) {
    return issue(c, path, 'INVALID_CONDITION', `A condition is an object, got ${show(raw)}`);
  }
  const keys = Object.keys(raw);
  if ('and' in raw || 'or' in raw) {
    const op = 'and' in raw ? 'and' : 'or';
    if (keys.length !== 1) {
      return issue(c, path, 'INVALID_CONDITION', `"${op}" stands alone in its object`);
    }
    const list = raw[op];
    if (!Array.isArray(list)) {
      return issue(c, at(path, op), 'INVALID_CONDITION', `"${op}" takes a list of conditions`);
    }
    const out: Condition[] = [];
    let ok = true;
    list.forEach((item, i) => {
      const n = normalizeConditionAt(item, at(at(path, op), i), ctx, c, depth + 1);
      if (n === null) ok = false;
      else out.push(n);
    });
    if (!ok) return null;
    return op === 'and' ? { and: out } : { or: out };
  }
  if ('not' in raw) {
    if (keys.length !== 1)
      return issue(c, path, 'INVALID_CONDITION', '"not" stands alone in its object');
    const inner = normalizeConditionAt(raw['not'], at(path, 'not'), ctx, c, depth + 1);
    return inner === null ? null : { not: inner };
  }
  return normalizeLeaf(raw, path, ctx, c);
}

function normalizeLeaf(
  raw: Record<string, unknown>,
  path: string,
  ctx: ConditionContext,
  c: Collector,
): Condition | null {
  for (const key of Object.keys(raw)) {
    if (key !== 'field' && key !== 'op' && key !== 'value' && key !== 'kind') {
      return issue(
        c,
        at(path, key),
        'UNKNOWN_PROPERTY',
        `Unknown property ${show(key)} in a condition`,
      );
    }
  }
  const ref = resolveField(raw['field'], ctx.sourceFormId, ctx.forms, ctx.readability);
  if (isProblem(ref)) return issue(c, at(path, 'field'), ref.code, ref.message);
  const rawOp = raw['op'];
  if (isRelativeDateOp(rawOp)) {
    if (ref.kind !== 'date' && ref.kind !== 'datetime') {
      return issue(
        c,
        at(path, 'op'),
        'OPERATOR_NOT_SUPPORTED',
        `${rawOp} applies to date fields only`,
      );
    }
    if (ctx.now === null) {
      return issue(c, at(path, 'op'), 'NOW_REQUIRED', `${rawOp} needs the current time (now)`);
    }
    const bounds = resolveRelative(rawOp, raw['value'], ctx.now, ctx.timeZone);
    if ('code' in bounds) return issue(c, at(path, 'value'), bounds.code, bounds.message);
    return leaf(ref, 'in_range', toRangeValue(bounds, ref.kind, ctx.timeZone));
  }
  const op = typeof rawOp === 'string' ? OP_ALIASES[rawOp] : undefined;
  if (op === undefined || !Object.hasOwn(OP_ALIASES, rawOp as string)) {
    return issue(c, at(path, 'op'), 'UNKNOWN_OPERATOR', `Unknown operator ${show(rawOp)}`);
  }
  if (!OPS_BY_KIND[ref.kind].includes(op)) {
    return issue(
      c,
      at(path, 'op'),
      'OPERATOR_NOT_SUPPORTED',
      `Operator "${op}" does not apply to field "${ref.path}" (${ref.type})`,
    );
  }
  return normalizeOperand(ref, op, raw['value'], at(path, 'value'), ctx, c);
}

function leaf(ref: FieldRef, op: ConditionOp, value?: ConditionLeaf['value']): ConditionLeaf {
  return value === undefined
    ? { field: ref.path, op, kind: ref.kind }
    : { field: ref.path, op, kind: ref.kind, value };
}

/** A single value of the field's kind, or an issue. */
export function scalarFor(
  kind: ValueKind,
  value: unknown,
  timeZone: string,
): { ok: ScalarValue } | { code: string; message: string } {
  const bad = (what: string) => ({
    code: 'INVALID_VALUE',
    message: `Expected ${what}, got ${show(value)}`,
  });
  switch (kind) {
    case 'text':
    case 'text_array':
      if (typeof value === 'number' && Number.isFinite(value)) return { ok: String(value) };
      if (typeof value !== 'string') return bad('text');
      if (value.length > CONDITION_LIMITS.textLength) {
        return {
          code: 'VALUE_TOO_LONG',
          message: `Text values hold at most ${CONDITION_LIMITS.textLength} characters`,
        };
      }
      if (value.includes('\u0000')) return bad('text without NUL characters');
      return { ok: value };
    case 'number':
      if (typeof value === 'number' && Number.isFinite(value)) return { ok: value };
      if (typeof value === 'string' && NUMERIC_TEXT.test(value.trim())) {
        const n = Number(value.trim());
        if (Number.isFinite(n)) return { ok: n };
      }
      return bad('a number');
    case 'boolean':
      if (typeof value === 'boolean') return { ok: value };
      if (value === 'true' || value === 'false') return { ok: value === 'true' };
      return bad('true or false');
    case 'uuid':
      if (typeof value === 'string' && UUID.test(value)) return { ok: value.toLowerCase() };
      return bad('a record or member id (uuid)');
    case 'date': {
      if (typeof value === 'string' && parseDate(value) !== null) return { ok: value };
      const ms = typeof value === 'string' ? parseInstant(value, timeZone) : null;
      if (ms !== null) return { ok: localDate(ms, timeZone) };
      return bad('a date (YYYY-MM-DD)');
    }
    case 'datetime': {
      const ms = typeof value === 'string' ? parseInstant(value, timeZone) : null;
      if (ms !== null) return { ok: isoInstant(ms) };
      return bad('a date and time (ISO 8601)');
    }
    default:
      return bad('no value');
  }
}

function normalizeOperand(
  ref: FieldRef,
  op: ConditionOp,
  value: unknown,
  path: string,
  ctx: ConditionContext,
  c: Collector,
): Condition | null {
  const kind = ref.kind;
  const tz = ctx.timeZone;
  if (op === 'is_empty' || op === 'is_not_empty') {
    if (value !== undefined && value !== null && value !== true) {
      return issue(c, path, 'UNEXPECTED_VALUE', `"${op}" takes no value`);
    }
    return leaf(ref, op);
  }
  const one = (v: unknown, p: string): ScalarValue | null => {
    const r = scalarFor(kind, v, tz);
    if ('ok' in r) return r.ok;
    return issue(c, p, r.code, r.message);
  };
  if (op === 'in' || op === 'not_in') {
    if (!Array.isArray(value))
      return issue(c, path, 'INVALID_VALUE', `"${op}" takes a list of values`);
    if (value.length > CONDITION_LIMITS.listValues) {
      return issue(
        c,
        path,
        'TOO_MANY_VALUES',
        `"${op}" takes at most ${CONDITION_LIMITS.listValues} values`,
      );
    }
    const out: ScalarValue[] = [];
    let ok = true;
    value.forEach((v, i) => {
      const n = one(v, at(path, i));
      if (n === null) ok = false;
      else if (!out.includes(n)) out.push(n);
    });
    return ok ? leaf(ref, op, out) : null;
  }
  if (op === 'in_range') {
    if (!isPlainObject(value))
      return issue(c, path, 'INVALID_VALUE', 'in_range takes { from, to }');
    const out: RangeValue = {};
    let ok = true;
    for (const key of ['from', 'to'] as const) {
      const v = value[key];
      if (v === undefined || v === null) continue;
      const n = one(v, at(path, key));
      if (n === null) ok = false;
      else out[key] = String(n);
    }
    for (const key of Object.keys(value)) {
      if (key !== 'from' && key !== 'to') {
        ok = false;
        issue(c, at(path, key), 'UNKNOWN_PROPERTY', `Unknown property ${show(key)} in a range`);
      }
    }
    return ok ? leaf(ref, 'in_range', out) : null;
  }
  if (op === 'between') {
    if (!Array.isArray(value) || value.length !== 2) {
      return issue(c, path, 'INVALID_VALUE', 'between takes [low, high]');
    }
    if (kind === 'datetime' && value.every((v) => typeof v === 'string' && parseDate(v) !== null)) {
      const [lo, hi] = value as [string, string];
      return leaf(ref, 'in_range', dayRange(lo, addDays(hi, 1), tz));
    }
    const lo = one(value[0], at(path, 0));
    const hi = one(value[1], at(path, 1));
    return lo === null || hi === null ? null : leaf(ref, 'between', [lo, hi]);
  }
  // eq, ne, lt, lte, gt, gte, contains, not_contains, starts_with
  if (Array.isArray(value) || isPlainObject(value)) {
    return issue(c, path, 'INVALID_VALUE', `"${op}" takes one value`);
  }
  if (value === undefined || value === null) {
    if (op === 'eq') return leaf(ref, 'is_empty');
    if (op === 'ne') return leaf(ref, 'is_not_empty');
    return issue(c, path, 'VALUE_REQUIRED', `"${op}" needs a value`);
  }
  if (kind === 'datetime' && typeof value === 'string' && parseDate(value) !== null) {
    // A whole local day compared with a datetime.
    const next = addDays(value, 1);
    switch (op) {
      case 'eq':
        return leaf(ref, 'in_range', dayRange(value, next, tz));
      case 'ne':
        return { not: leaf(ref, 'in_range', dayRange(value, next, tz)) };
      case 'lt':
      case 'gte':
        return leaf(ref, op, dayRange(value, next, tz).from as string);
      case 'lte':
        return leaf(ref, 'lt', dayRange(next, next, tz).from as string);
      case 'gt':
        return leaf(ref, 'gte', dayRange(next, next, tz).from as string);
      default:
        break;
    }
  }
  const v = one(value, path);
  if (v === null) return null;
  if (kind === 'text_array' && (op === 'eq' || op === 'ne')) {
    return leaf(ref, op === 'eq' ? 'contains' : 'not_contains', v);
  }
  return leaf(ref, op, v);
}

function dayRange(from: string, to: string, timeZone: string): RangeValue {
  return toRangeValue({ from: { date: from }, to: { date: to } }, 'datetime', timeZone);
}

export type NormalizeConditionOptions = {
  /** Forms reachable through relation fields (for dotted paths such as `customer.level`). */
  forms?: readonly ReportForm[];
  /** Field ids of this form the viewer may read; others are refused (system fields stay readable). */
  readableFields?: Iterable<string>;
  fieldPolicy?: FieldPolicy;
  /** The current instant, for relative date ranges. */
  now?: string | number | Date;
  /** IANA time zone for relative ranges and local dates (default Asia/Shanghai). */
  timeZone?: string;
};

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** Builds the shared context, or reports why the options themselves are wrong. */
export function conditionContext(
  form: ReportForm,
  options: NormalizeConditionOptions,
  issues: Issue[],
  pathPrefix = '',
): ConditionContext {
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  let now: number | null = null;
  if (options.now !== undefined) {
    now = parseInstant(options.now, 'UTC');
    if (now === null)
      issues.push({
        path: at(pathPrefix, 'now'),
        code: 'INVALID_NOW',
        message: 'now is not an instant',
      });
  }
  const forms = indexForms([...(options.forms ?? []), form]);
  return {
    sourceFormId: form.id,
    forms,
    readability: {
      sourceFormId: form.id,
      ...(options.fieldPolicy !== undefined ? { policy: options.fieldPolicy } : {}),
      ...(options.readableFields !== undefined
        ? { readable: new Set(options.readableFields) }
        : {}),
    },
    timeZone,
    now,
  };
}

/**
 * Normalizes a raw filter against a form: `Condition`, or every issue found (dotted paths).
 * The API's record lists, searches and saved filters use this with `conditionToSql`.
 */
export function normalizeCondition(
  raw: unknown,
  form: ReportForm,
  options: NormalizeConditionOptions = {},
): Condition | Issue[] {
  const issues: Issue[] = [];
  if (!isValidTimeZone(options.timeZone ?? DEFAULT_TIME_ZONE)) {
    return [
      {
        path: 'timeZone',
        code: 'INVALID_TIME_ZONE',
        message: `Unknown time zone ${show(options.timeZone)}`,
      },
    ];
  }
  const ctx = conditionContext(form, options, issues);
  const c: Collector = { issues, nodes: 0 };
  const out = normalizeConditionAt(raw, '', ctx, c);
  return issues.length > 0 || out === null ? issues : out;
}
