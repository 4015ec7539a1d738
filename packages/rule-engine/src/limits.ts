import { RuleError } from './rule-error.js';
import type { RuleLimits } from './types.js';

/** Defaults: generous for CRM rules, small enough that a hostile rule cannot hang a worker. */
export const DEFAULT_RULE_LIMITS: Readonly<RuleLimits> = Object.freeze({
  maxDepth: 128,
  maxNodes: 10_000,
  maxArraySize: 10_000,
  maxSteps: 1_000_000,
  maxStringLength: 100_000,
});

export function resolveLimits(partial: Partial<RuleLimits> | undefined): RuleLimits {
  if (partial === undefined) return DEFAULT_RULE_LIMITS;
  const out: RuleLimits = { ...DEFAULT_RULE_LIMITS };
  for (const key of Object.keys(DEFAULT_RULE_LIMITS) as (keyof RuleLimits)[]) {
    const value = partial[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value >= 0)) {
      throw new RuleError('invalid_limits', `limit ${key} must be a non-negative number`);
    }
    out[key] = value;
  }
  return out;
}

/** Size (number of JSON values) and depth of a rule, computed without recursion; stops past the limits. */
export function measureRule(logic: unknown, limits: RuleLimits): { nodes: number; depth: number } {
  let nodes = 0;
  let maxDepth = 0;
  const stack: [unknown, number][] = [[logic, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    nodes += 1;
    if (depth > maxDepth) maxDepth = depth;
    if (nodes > limits.maxNodes) {
      throw new RuleError('too_many_nodes', `rule has more than ${limits.maxNodes} nodes`);
    }
    if (depth > limits.maxDepth) {
      throw new RuleError('too_deep', `rule is nested deeper than ${limits.maxDepth} levels`);
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], depth + 1]);
    } else if (typeof value === 'object' && value !== null) {
      for (const key of Object.keys(value)) {
        stack.push([(value as Record<string, unknown>)[key], depth + 1]);
      }
    }
  }
  return { nodes, depth: maxDepth };
}
