import type { EagerOperator } from './json-logic-core.js';
import { resolveLimits } from './limits.js';
import { RuleError } from './rule-error.js';
import type { EvaluateOptions, LogSink, RuleLimits, WorkingCalendar } from './types.js';

/** Per-evaluation state shared by the interpreter, compiled closures and operators. */
export type Runtime = {
  limits: RuleLimits;
  steps: number;
  root: unknown;
  nowIso: string | undefined;
  nowMs: number | undefined;
  timeZone: string;
  calendar: WorkingCalendar | undefined;
  before: unknown;
  hasBefore: boolean;
  logSink: LogSink | undefined;
  /** The eager operators of the engine in use. */
  eager: ReadonlyMap<string, EagerOperator>;
  /** Interprets logic found at run time (json-logic-js re-applies `missing` keys); set by the interpreter. */
  apply: (logic: unknown, data: unknown, rt: Runtime, depth: number) => unknown;
};

let applyImpl: Runtime['apply'] = () => {
  throw new RuleError('internal', 'interpreter not loaded');
};

/** Called once by the interpreter module so that runtime users can re-enter it. */
export function setApply(fn: Runtime['apply']): void {
  applyImpl = fn;
}

export function toIsoInstant(value: string | Date, what: string): { iso: string; ms: number } {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(ms)) throw new RuleError('invalid_now', `${what} is not a valid instant`);
  return { iso: new Date(ms).toISOString(), ms };
}

export function createRuntime(
  options: EvaluateOptions | undefined,
  eager: ReadonlyMap<string, EagerOperator>,
): Runtime {
  const now = options?.now === undefined ? undefined : toIsoInstant(options.now, 'options.now');
  const timeZone = options?.timeZone ?? options?.calendar?.timeZone ?? 'UTC';
  return {
    limits: resolveLimits(options?.limits),
    steps: 0,
    root: undefined,
    nowIso: now?.iso,
    nowMs: now?.ms,
    timeZone,
    calendar: options?.calendar,
    before: options?.before,
    hasBefore: options !== undefined && 'before' in options && options.before !== undefined,
    logSink: options?.logSink,
    eager,
    apply: applyImpl,
  };
}

export function stepBudgetExceeded(rt: Runtime): never {
  throw new RuleError(
    'step_budget_exceeded',
    `evaluation exceeded the step budget of ${rt.limits.maxSteps}`,
  );
}

export function arrayTooLarge(rt: Runtime, length: number, path = ''): never {
  throw new RuleError(
    'array_too_large',
    `array of ${length} items exceeds the limit of ${rt.limits.maxArraySize}`,
    path,
  );
}

/** Charges `cost` steps for each of `count` iterations. */
export function chargeIterations(rt: Runtime, count: number, cost: number): void {
  if (count > rt.limits.maxArraySize) arrayTooLarge(rt, count);
  rt.steps += count * cost;
  if (rt.steps > rt.limits.maxSteps) stepBudgetExceeded(rt);
}

const sizeCache = new WeakMap<object, number>();

/** Number of JSON values in a rule body (the per-item cost of iterating it). Bounded by maxNodes. */
export function bodyCost(body: unknown): number {
  if (typeof body !== 'object' || body === null) return 1;
  const cached = sizeCache.get(body);
  if (cached !== undefined) return cached;
  let count = 0;
  const stack: unknown[] = [body];
  const seen = new Set<object>();
  while (stack.length > 0 && count < 1_000_000) {
    const value = stack.pop();
    count += 1;
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) continue;
      seen.add(value);
      const children = Array.isArray(value) ? value : Object.values(value);
      for (const child of children) stack.push(child);
    }
  }
  sizeCache.set(body, count);
  return count;
}
