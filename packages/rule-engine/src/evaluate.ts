import { tryCodegen } from './codegen.js';
import { compileRule, type Closure } from './compiler.js';
import { explainNode } from './explain.js';
import { interpret } from './interpreter.js';
import { argsOf, isLogic, ITERATION_OPERATORS, operatorOf } from './json-logic-core.js';
import { measureRule, resolveLimits } from './limits.js';
import { getInternals } from './rule-engine.js';
import { RuleError } from './rule-error.js';
import { createRuntime, type Runtime } from './runtime.js';
import type { EvaluateOptions, ExplainNode, JsonLogic, RuleEngine } from './types.js';

/** Turns a JavaScript stack overflow (a limit set too high) into a coded error. */
function guard<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw new RuleError('too_deep', 'rule or data nested too deeply to evaluate');
    }
    throw error;
  }
}

/** Interprets `logic` against `data` (json-logic-js semantics, bounded by `options.limits`). */
export function evaluate(logic: JsonLogic, data: unknown, options?: EvaluateOptions): unknown {
  const { eager } = getInternals(options?.engine);
  const rt = createRuntime(options, eager);
  measureRule(logic, rt.limits);
  rt.root = data;
  return guard(() => interpret(logic, data, rt, 0));
}

/** Evaluates and returns the tree of every node's value, to show why a rule fired or not. */
export function explain(logic: JsonLogic, data: unknown, options?: EvaluateOptions): ExplainNode {
  const { eager } = getInternals(options?.engine);
  const rt = createRuntime(options, eager);
  measureRule(logic, rt.limits);
  rt.root = data;
  return guard(() => explainNode(logic, data, rt, 0, ''));
}

type CacheEntry = {
  core: Closure;
  /** Generated code only: an entry function of its own for a bound runtime. */
  bind: ((rt: Runtime) => (data: unknown) => unknown) | undefined;
  nodes: number;
  depth: number;
  stateful: boolean;
};

/** Operators that read per-call state (the step budget, the root record) besides their arguments. */
const STATEFUL: ReadonlySet<string> = new Set([
  ...ITERATION_OPERATORS,
  'missing',
  'missing_some',
  'changed',
  'old',
  'new',
]);

/** Does a rule need its step budget reset and root record set on every call? */
function isStateful(logic: unknown, custom: (op: string) => boolean): boolean {
  const stack: unknown[] = [logic];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
    } else if (isLogic(node)) {
      const op = operatorOf(node);
      if (STATEFUL.has(op) || custom(op)) return true;
      for (const arg of argsOf(node, op)) stack.push(arg);
    }
  }
  return false;
}

/** Compiled rules by engine and JSON text (least recently used dropped past the limit). */
const cache = new Map<string, CacheEntry>();
export const COMPILE_CACHE_SIZE = 2000;

function jsonKey(logic: unknown): string | undefined {
  try {
    const text = JSON.stringify(logic);
    if (text === undefined) return undefined;
    // Only cache when the JSON text round-trips (no undefined, NaN, functions, …).
    return isJsonValue(logic, 0) ? text : undefined;
  } catch {
    return undefined;
  }
}

function isJsonValue(value: unknown, depth: number): boolean {
  if (depth > 200) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every((v) => isJsonValue(v, depth + 1));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(value).every((v) => isJsonValue(v, depth + 1));
  }
  return false;
}

const generatedFunctions = new WeakSet<object>();

/** Internal (tests): was this function returned by compile built from generated code? */
export function isGeneratedCode(fn: unknown): boolean {
  return typeof fn === 'function' && generatedFunctions.has(fn);
}

/** Empties the compiled-rule cache (for hosts that reload many rules, and for benchmarks). */
export function clearCompileCache(): void {
  cache.clear();
}

/**
 * The compiled core of a rule: `(data, runtime) => result`, cached per engine and rule text.
 * Throws `too_deep` / `too_many_nodes` when the rule exceeds the limits.
 */
export function compileCore(
  logic: JsonLogic,
  engine: RuleEngine | undefined,
  limits: Runtime['limits'],
  codegen = true,
): Closure {
  return compileEntry(logic, engine, limits, codegen).core;
}

function compileEntry(
  logic: JsonLogic,
  engine: RuleEngine | undefined,
  limits: Runtime['limits'],
  codegen: boolean,
): CacheEntry {
  const { eager, info } = getInternals(engine);
  const text = jsonKey(logic);
  const key = text === undefined ? undefined : `${engine?.id ?? 0}:${codegen ? 'g' : 'c'}:${text}`;
  let entry = key === undefined ? undefined : cache.get(key);
  if (entry !== undefined && key !== undefined) {
    cache.delete(key);
    cache.set(key, entry);
  } else {
    // Compile from a private copy so later changes to the caller's object cannot alter the cache.
    const source = text === undefined ? logic : (JSON.parse(text) as unknown);
    const measured = measureRule(source, limits);
    const generated = codegen ? guard(() => tryCodegen(source, eager)) : undefined;
    const core = generated?.rule ?? guard(() => compileRule(source, eager));
    const stateful = isStateful(source, (op) => info.get(op)?.kind === 'custom');
    entry = { core, bind: generated?.bind, ...measured, stateful };
    if (key !== undefined) {
      cache.set(key, entry);
      if (cache.size > COMPILE_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    }
  }
  if (entry.nodes > limits.maxNodes) {
    throw new RuleError('too_many_nodes', `rule has more than ${limits.maxNodes} nodes`);
  }
  if (entry.depth > limits.maxDepth) {
    throw new RuleError('too_deep', `rule is nested deeper than ${limits.maxDepth} levels`);
  }
  return entry;
}

/**
 * Compiles a rule to a function of the data, built from closures (no eval, CSP-safe).
 * Cached per rule: compiling the same rule again is a lookup. Results equal `evaluate`.
 */
export function compile(logic: JsonLogic, options?: EvaluateOptions): (data: unknown) => unknown {
  const limits = resolveLimits(options?.limits);
  const { core, bind, stateful } = compileEntry(
    logic,
    options?.engine,
    limits,
    options?.codegen !== false,
  );
  const { eager } = getInternals(options?.engine);
  const rt = createRuntime(options, eager);
  // Rules without iterations, missing, changed/old/new or custom operators keep no per-call
  // state: call the compiled core directly.
  if (!stateful) {
    if (bind === undefined) return (data: unknown): unknown => core(data, rt);
    const fn = bind(rt);
    generatedFunctions.add(fn);
    return fn;
  }
  let busy = false;
  return (data: unknown): unknown => {
    if (busy) {
      // Re-entered (a custom operator ran this rule again): use a fresh budget.
      const inner: Runtime = { ...rt, steps: 0, root: data };
      return core(data, inner);
    }
    busy = true;
    rt.steps = 0;
    rt.root = data;
    try {
      return core(data, rt);
    } finally {
      busy = false;
    }
  };
}
