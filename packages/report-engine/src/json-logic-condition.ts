// Row-scope predicates are JsonLogic (roles hold them); reports and lists need them as SQL.
// This turns the comparison subset (==, !=, <, <=, >, >=, in, and, or, !, var) into a Condition.
import { show } from './identifiers.js';
import {
  type NormalizeConditionOptions,
  DEFAULT_TIME_ZONE,
  conditionContext,
  normalizeConditionAt,
} from './normalize-condition.js';
import { isValidTimeZone } from './time-zone.js';
import type { Condition, Issue, ReportForm } from './types.js';

export type JsonLogicConditionOptions = NormalizeConditionOptions & {
  /** Values for `var` paths that are not fields (for example `{ "$member.id": "..." }`). */
  context?: Readonly<Record<string, unknown>>;
};

type Raw = Record<string, unknown>;
type Out = { raw: Raw } | null;

const COMPARE: Readonly<Record<string, { op: string; flipped: string }>> = {
  '==': { op: 'eq', flipped: 'eq' },
  '===': { op: 'eq', flipped: 'eq' },
  '!=': { op: 'ne', flipped: 'ne' },
  '!==': { op: 'ne', flipped: 'ne' },
  '<': { op: 'lt', flipped: 'gt' },
  '<=': { op: 'lte', flipped: 'gte' },
  '>': { op: 'gt', flipped: 'lt' },
  '>=': { op: 'gte', flipped: 'lte' },
};

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Translates JsonLogic to a normalized Condition over `form`, or the issues (paths follow the
 * JsonLogic structure, e.g. `and.1.==.0`). Anything outside the subset is refused, never guessed.
 */
export function conditionFromJsonLogic(
  logic: unknown,
  form: ReportForm,
  options: JsonLogicConditionOptions = {},
): Condition | Issue[] {
  const tz = options.timeZone ?? DEFAULT_TIME_ZONE;
  if (!isValidTimeZone(tz)) {
    return [
      { path: 'timeZone', code: 'INVALID_TIME_ZONE', message: `Unknown time zone ${show(tz)}` },
    ];
  }
  const issues: Issue[] = [];
  const fieldIds = new Set(form.fields.map((f) => f.id));
  const context = options.context ?? {};

  const fail = (path: string, code: string, message: string): null => {
    issues.push({ path, code, message });
    return null;
  };
  const at = (path: string, key: string | number): string =>
    path === '' ? String(key) : `${path}.${key}`;

  /** A `var` operand naming a field, or a literal (context vars become literals). */
  type Operand = { field: string } | { literal: unknown } | null;
  const operand = (v: unknown, path: string): Operand => {
    if (isObject(v) && 'var' in v) {
      if (Object.keys(v).length !== 1) return fail(path, 'UNSUPPORTED_LOGIC', 'var stands alone');
      const name = v['var'];
      if (typeof name !== 'string') {
        return fail(
          path,
          'UNSUPPORTED_LOGIC',
          'var takes a field path (defaults are not supported)',
        );
      }
      if (Object.hasOwn(context, name) && !fieldIds.has(name)) return { literal: context[name] };
      return { field: name };
    }
    if (isObject(v) || (Array.isArray(v) && v.some((x) => isObject(x)))) {
      return fail(
        path,
        'UNSUPPORTED_LOGIC',
        `Only var and literals can be compared, got ${show(v)}`,
      );
    }
    return { literal: v };
  };

  const falsy = (field: string): Raw => ({
    or: [
      { field, op: 'is_empty' },
      { field, op: 'eq', value: 0, kind: 'falsy' },
    ],
  });

  const walk = (node: unknown, path: string, depth: number): Out => {
    if (depth > 24) return fail(path, 'CONDITION_TOO_DEEP', 'The predicate nests too deeply');
    if (isObject(node) && 'var' in node) {
      const o = operand(node, path);
      if (o === null) return null;
      if ('field' in o) return { raw: { not: falsy(o.field) } };
      return fail(path, 'UNSUPPORTED_LOGIC', 'A constant is not a condition');
    }
    if (typeof node === 'boolean') return { raw: node ? { and: [] } : { or: [] } };
    if (!isObject(node) || Object.keys(node).length !== 1) {
      return fail(path, 'UNSUPPORTED_LOGIC', `Expected one JsonLogic operation, got ${show(node)}`);
    }
    const op = Object.keys(node)[0] as string;
    const argsRaw = node[op];
    const args = Array.isArray(argsRaw) ? argsRaw : [argsRaw];
    const here = at(path, op);
    if (op === 'and' || op === 'or') {
      const parts: Raw[] = [];
      let ok = true;
      args.forEach((a, i) => {
        const r = walk(a, at(here, i), depth + 1);
        if (r === null) ok = false;
        else parts.push(r.raw);
      });
      return ok ? { raw: { [op]: parts } } : null;
    }
    if (op === '!') {
      if (args.length !== 1) return fail(here, 'UNSUPPORTED_LOGIC', '! takes one argument');
      const a = args[0];
      if (isObject(a) && 'var' in a) {
        const o = operand(a, at(here, 0));
        if (o === null) return null;
        if ('field' in o) return { raw: falsy(o.field) };
      }
      const r = walk(a, at(here, 0), depth + 1);
      return r === null ? null : { raw: { not: r.raw } };
    }
    const compare = COMPARE[op];
    if (compare !== undefined && Object.hasOwn(COMPARE, op)) {
      if ((op === '<' || op === '<=') && args.length === 3) {
        const lo = operand(args[0], at(here, 0));
        const mid = operand(args[1], at(here, 1));
        const hi = operand(args[2], at(here, 2));
        if (lo === null || mid === null || hi === null) return null;
        if (!('field' in mid) || !('literal' in lo) || !('literal' in hi)) {
          return fail(here, 'UNSUPPORTED_LOGIC', 'A range compares a var between two literals');
        }
        const strict = op === '<';
        return {
          raw: {
            and: [
              { field: mid.field, op: strict ? 'gt' : 'gte', value: lo.literal },
              { field: mid.field, op: strict ? 'lt' : 'lte', value: hi.literal },
            ],
          },
        };
      }
      if (args.length !== 2) return fail(here, 'UNSUPPORTED_LOGIC', `${op} takes two arguments`);
      const a = operand(args[0], at(here, 0));
      const b = operand(args[1], at(here, 1));
      if (a === null || b === null) return null;
      if ('field' in a && 'literal' in b)
        return { raw: { field: a.field, op: compare.op, value: b.literal } };
      if ('literal' in a && 'field' in b)
        return { raw: { field: b.field, op: compare.flipped, value: a.literal } };
      return fail(here, 'UNSUPPORTED_LOGIC', `${op} compares one var with one literal`);
    }
    if (op === 'in') {
      if (args.length !== 2) return fail(here, 'UNSUPPORTED_LOGIC', 'in takes two arguments');
      const a = operand(args[0], at(here, 0));
      const b = operand(args[1], at(here, 1));
      if (a === null || b === null) return null;
      if ('field' in a && 'literal' in b && Array.isArray(b.literal)) {
        return { raw: { field: a.field, op: 'in', value: b.literal } };
      }
      if ('literal' in a && 'field' in b && !Array.isArray(a.literal)) {
        return { raw: { field: b.field, op: 'contains', value: a.literal } };
      }
      return fail(here, 'UNSUPPORTED_LOGIC', 'in takes (var, [values]) or (value, var)');
    }
    return fail(here, 'UNSUPPORTED_LOGIC', `Operation ${show(op)} is not supported in row scopes`);
  };

  const tree = walk(logic, '', 0);
  if (tree === null) return issues;
  const ctx = conditionContext(form, { ...options, timeZone: tz }, issues);
  const fixed = fixFalsy(tree.raw, form);
  const c = { issues, nodes: 0 };
  const out = normalizeConditionAt(fixed, '', ctx, c);
  return issues.length > 0 || out === null ? issues : out;
}

/** `!var` is "empty or the kind's falsy value": 0 for numbers, false for booleans, nothing else. */
function fixFalsy(raw: Raw, form: ReportForm): Raw {
  const visit = (node: Raw): Raw => {
    if (Array.isArray(node['and'])) return { and: (node['and'] as Raw[]).map(visit) };
    if (Array.isArray(node['or'])) {
      const list = node['or'] as Raw[];
      return { or: list.map(visit).filter((n) => n['kind'] !== 'drop') };
    }
    if (isObject(node['not'])) return { not: visit(node['not'] as Raw) };
    if (node['kind'] === 'falsy') {
      const field = form.fields.find((f) => f.id === node['field']);
      const t = field?.type;
      if (t === 'boolean' || (t === 'formula' && field?.resultType === 'boolean')) {
        return { field: node['field'], op: 'eq', value: false };
      }
      if (
        t === 'number' ||
        t === 'currency' ||
        t === 'percent' ||
        t === 'rating' ||
        t === 'rollup' ||
        (t === 'formula' && (field?.resultType ?? 'number') === 'number')
      ) {
        return { field: node['field'], op: 'eq', value: 0 };
      }
      return { kind: 'drop' };
    }
    return node;
  };
  return visit(raw);
}
