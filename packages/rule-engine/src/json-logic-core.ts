// The standard JsonLogic operators with json-logic-js 2.0.5 semantics, shared by the
// interpreter and the compiler so that both give identical results.
import { RuleError } from './rule-error.js';
import { arrayTooLarge, type Runtime } from './runtime.js';

/** JsonLogic truthiness: like JavaScript, except that an empty array is falsy. */
export function truthy(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : !!value;
}

/** An operation is a non-null, non-array object with exactly one key. */
export function isLogic(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.keys(value).length === 1;
}

export function operatorOf(logic: Record<string, unknown>): string {
  return Object.keys(logic)[0] as string;
}

/** The argument list of an operation (a single non-array argument is wrapped). */
export function argsOf(logic: Record<string, unknown>, op: string): unknown[] {
  const values = logic[op];
  return Array.isArray(values) ? values : [values];
}

/** Path segments that would reach an object's prototype: such a var yields its default (null). */
export const BLOCKED_SEGMENTS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);

/**
 * Reads a dotted path. Never reaches a prototype: blocked segments and function values
 * (which only come from prototypes) count as not found.
 */
export function readPath(data: unknown, segments: readonly string[], notFound: unknown): unknown {
  let current = data;
  for (let i = 0; i < segments.length; i++) {
    if (current === null || current === undefined) return notFound;
    const segment = segments[i] as string;
    if (BLOCKED_SEGMENTS.has(segment)) return notFound;
    current = (current as Record<string, unknown>)[segment];
    if (current === undefined || typeof current === 'function') return notFound;
  }
  return current;
}

/** `{"var": [path, default]}` with evaluated arguments. */
export function varOp(path: unknown, fallback: unknown, data: unknown): unknown {
  const notFound = fallback === undefined ? null : fallback;
  if (path === undefined || path === '' || path === null) return data;
  return readPath(data, String(path).split('.'), notFound);
}

/** The var path a literal `var` argument reads, or undefined when the path is computed. */
export function staticVarPath(args: readonly unknown[]): string | undefined {
  const path = args[0];
  if (path === undefined || path === null) return '';
  if (typeof path === 'string' || typeof path === 'number' || typeof path === 'boolean') {
    return String(path);
  }
  return undefined;
}

function num(value: unknown): number {
  return value as number;
}

/** parseFloat as json-logic-js applies it to `+` and `*` operands. */
export function toFloat(value: unknown): number {
  if (typeof value === 'number') return value === 0 ? 0 : value;
  return parseFloat(value as string);
}

function missing(args: readonly unknown[], data: unknown, rt: Runtime, depth: number): unknown[] {
  const keys: readonly unknown[] = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  const out: unknown[] = [];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    // json-logic-js evaluates `{"var": key}`, so a key that is itself logic is applied first.
    let value: unknown;
    if (typeof key === 'object' && key !== null) {
      value = rt.apply({ var: key }, data, rt, depth + 1);
    } else {
      value = varOp(key, undefined, data);
    }
    if (value === null || value === '') out.push(key);
  }
  return out;
}

function missingSome(args: readonly unknown[], data: unknown, rt: Runtime, depth: number): unknown {
  const needCount = args[0];
  const options = args[1];
  const areMissing = rt.apply({ missing: options }, data, rt, depth + 1) as unknown[];
  if (options === null || options === undefined) {
    throw new RuleError('invalid_arguments', 'missing_some needs a list of keys');
  }
  const length = (options as { length?: unknown }).length;
  return num(length) - areMissing.length >= num(needCount) ? [] : areMissing;
}

export function inOp(needle: unknown, haystack: unknown): boolean {
  // json-logic-js: `if (!b || …) return false` — so nothing is "in" an empty string.
  if (!haystack) return false;
  if (typeof haystack === 'string') return haystack.indexOf(String(needle)) !== -1;
  if (Array.isArray(haystack)) return haystack.indexOf(needle) !== -1;
  return false;
}

export function catOp(args: readonly unknown[], rt: Runtime): string {
  const out = args.join('');
  if (out.length > rt.limits.maxStringLength) {
    throw new RuleError(
      'string_too_long',
      `cat produced ${out.length} characters, over the limit of ${rt.limits.maxStringLength}`,
    );
  }
  return out;
}

export function substrOp(source: unknown, start: unknown, end: unknown): string {
  const text = String(source);
  if (num(end) < 0) {
    // json-logic-js emulates PHP: a negative end counts from the end.
    const temp = text.substr(num(start));
    return temp.substr(0, temp.length + num(end));
  }
  return text.substr(num(start), num(end));
}

export function mergeOp(args: readonly unknown[], rt: Runtime): unknown[] {
  let out: unknown[] = [];
  for (let i = 0; i < args.length; i++) {
    out = out.concat(args[i]);
    if (out.length > rt.limits.maxArraySize) arrayTooLarge(rt, out.length);
  }
  return out;
}

export function plusOp(args: readonly unknown[]): number {
  let total = 0;
  for (let i = 0; i < args.length; i++) total = toFloat(total) + toFloat(args[i]);
  return total;
}

export function timesOp(args: readonly unknown[]): unknown {
  if (args.length === 0) {
    throw new RuleError('invalid_arguments', '* needs at least one argument');
  }
  let product: unknown = args[0];
  for (let i = 1; i < args.length; i++) product = toFloat(product) * toFloat(args[i]);
  return product;
}

/** An eager operator: gets evaluated arguments. */
export type EagerOperator = (
  args: readonly unknown[],
  data: unknown,
  rt: Runtime,
  depth: number,
) => unknown;

/** Operators that control evaluation of their own arguments. */
export const LAZY_OPERATORS: ReadonlySet<string> = new Set([
  'if',
  '?:',
  'and',
  'or',
  'filter',
  'map',
  'reduce',
  'all',
  'none',
  'some',
]);

export const ITERATION_OPERATORS: ReadonlySet<string> = new Set([
  'filter',
  'map',
  'reduce',
  'all',
  'none',
  'some',
]);

export const STANDARD_EAGER: Readonly<Record<string, EagerOperator>> = Object.freeze({
  '==': (a) => a[0] == a[1],
  '===': (a) => a[0] === a[1],
  '!=': (a) => a[0] != a[1],
  '!==': (a) => a[0] !== a[1],
  '>': (a) => num(a[0]) > num(a[1]),
  '>=': (a) => num(a[0]) >= num(a[1]),
  '<': (a) =>
    a[2] === undefined ? num(a[0]) < num(a[1]) : num(a[0]) < num(a[1]) && num(a[1]) < num(a[2]),
  '<=': (a) =>
    a[2] === undefined ? num(a[0]) <= num(a[1]) : num(a[0]) <= num(a[1]) && num(a[1]) <= num(a[2]),
  '!!': (a) => truthy(a[0]),
  '!': (a) => !truthy(a[0]),
  '%': (a) => num(a[0]) % num(a[1]),
  log: (a, _data, rt) => {
    rt.logSink?.push(a[0]);
    return a[0];
  },
  in: (a) => inOp(a[0], a[1]),
  cat: (a, _data, rt) => catOp(a, rt),
  substr: (a) => substrOp(a[0], a[1], a[2]),
  '+': (a) => plusOp(a),
  '*': (a) => timesOp(a),
  '-': (a) => (a[1] === undefined ? -num(a[0]) : num(a[0]) - num(a[1])),
  '/': (a) => num(a[0]) / num(a[1]),
  min: (a) => Math.min(...(a as number[])),
  max: (a) => Math.max(...(a as number[])),
  merge: (a, _data, rt) => mergeOp(a, rt),
  var: (a, data) => varOp(a[0], a[1], data),
  missing: (a, data, rt, depth) => missing(a, data, rt, depth),
  missing_some: (a, data, rt, depth) => missingSome(a, data, rt, depth),
});
