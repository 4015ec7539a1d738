import {
  argsOf,
  BLOCKED_SEGMENTS,
  isLogic,
  ITERATION_OPERATORS,
  operatorOf,
  staticVarPath,
} from './json-logic-core.js';
import { resolveLimits } from './limits.js';
import { getInternals } from './rule-engine.js';
import { type RuleError } from './rule-error.js';
import { ruleChecks } from './crm-operators.js';
import type { Issue, JsonLogic, RuleEngine, RuleLimits } from './types.js';

/** System fields present on every record (valid var targets even when not in `fields`). */
export const SYSTEM_FIELDS: readonly string[] = Object.freeze([
  'id',
  'owner_id',
  'created_by',
  'created_at',
  'updated_at',
  'version',
  'stage',
  'stage_entered_at',
  'deleted_at',
  'is_draft',
  'submitted_at',
  'workspace_id',
]);

export type ValidateRuleOptions = {
  /** Known field ids (dotted paths allowed, e.g. `customer.level`); enables unknown-field checks. */
  fields?: readonly string[];
  limits?: Partial<RuleLimits>;
  engine?: RuleEngine;
};

function join(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`;
}

function isKnownField(path: string, fields: ReadonlySet<string>): boolean {
  if (fields.has(path)) return true;
  // A path may walk into an object or relation field: `customer.level` under `customer`.
  const segments = path.split('.');
  for (let i = segments.length - 1; i > 0; i--) {
    if (fields.has(segments.slice(0, i).join('.'))) return true;
  }
  return false;
}

/**
 * Checks a rule without running it and returns every issue at once: unknown operators,
 * wrong argument counts, unknown fields (when `fields` is given), forbidden paths,
 * unsafe regular expressions, bad date units, and the depth / size limits.
 */
export function validateRule(logic: JsonLogic, options: ValidateRuleOptions = {}): Issue[] {
  const issues: Issue[] = [];
  let limits: RuleLimits;
  try {
    limits = resolveLimits(options.limits);
  } catch (error) {
    const e = error as RuleError;
    return [{ path: '', code: e.code, message: e.message }];
  }
  const { info } = getInternals(options.engine);
  const fields =
    options.fields === undefined
      ? undefined
      : new Set<string>([...SYSTEM_FIELDS, ...options.fields]);
  let nodes = 0;
  let tooDeepReported = false;
  let tooManyReported = false;

  const visit = (node: unknown, path: string, depth: number, inBody: boolean): void => {
    nodes += 1;
    if (nodes > limits.maxNodes && !tooManyReported) {
      tooManyReported = true;
      issues.push({
        path,
        code: 'too_many_nodes',
        message: `rule has more than ${limits.maxNodes} nodes`,
      });
    }
    if (depth > limits.maxDepth) {
      if (!tooDeepReported) {
        tooDeepReported = true;
        issues.push({
          path,
          code: 'too_deep',
          message: `rule is nested deeper than ${limits.maxDepth} levels`,
        });
      }
      return;
    }
    if (tooManyReported) return;
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, join(path, i), depth + 1, inBody));
      return;
    }
    if (typeof node !== 'object' || node === null) {
      if (typeof node === 'number' && !Number.isFinite(node)) {
        issues.push({ path, code: 'not_json', message: 'numbers must be finite' });
      } else if (
        node === undefined ||
        typeof node === 'function' ||
        typeof node === 'symbol' ||
        typeof node === 'bigint'
      ) {
        issues.push({ path, code: 'not_json', message: 'a rule must be plain JSON' });
      }
      return;
    }
    if (!isLogic(node)) {
      const keys = Object.keys(node);
      issues.push({
        path,
        code: keys.length === 0 ? 'empty_object' : 'not_an_operation',
        message:
          keys.length === 0
            ? 'an empty object is not an operation'
            : `an operation has exactly one key (found ${keys.map((k) => `"${k}"`).join(', ')})`,
      });
      return;
    }
    const op = operatorOf(node);
    const args = argsOf(node, op);
    const argPath = join(path, op);
    const meta = info.get(op);
    if (meta === undefined) {
      issues.push({
        path,
        code: 'unknown_operator',
        message:
          op === 'method' ? 'the "method" operator is not available' : `unknown operator "${op}"`,
      });
    } else if (args.length < meta.minArgs || args.length > meta.maxArgs) {
      const range =
        meta.maxArgs === Infinity
          ? `at least ${meta.minArgs}`
          : meta.minArgs === meta.maxArgs
            ? `${meta.minArgs}`
            : `${meta.minArgs} to ${meta.maxArgs}`;
      issues.push({
        path,
        code: 'wrong_arity',
        message: `"${op}" takes ${range} argument(s), got ${args.length}`,
      });
    }
    if (op === 'var') {
      const p = staticVarPath(args);
      if (p !== undefined && p !== '') {
        if (p.split('.').some((s) => BLOCKED_SEGMENTS.has(s))) {
          issues.push({
            path: argPath,
            code: 'forbidden_path',
            message: `var path "${p}" is not allowed`,
          });
        } else if (fields !== undefined && !inBody && !isKnownField(p, fields)) {
          issues.push({ path: argPath, code: 'unknown_field', message: `unknown field "${p}"` });
        }
      }
    }
    if (fields !== undefined && !inBody && (op === 'changed' || op === 'old' || op === 'new')) {
      const field = args[0];
      if (typeof field === 'string' && !isKnownField(field, fields)) {
        issues.push({
          path: join(argPath, 0),
          code: 'unknown_field',
          message: `unknown field "${field}"`,
        });
      }
    }
    for (const issue of ruleChecks(op, args)) {
      issues.push({ ...issue, path: issue.path === '' ? argPath : join(argPath, issue.path) });
    }
    // Depth counts JSON levels, like the evaluator: an argument list is a level of its own.
    const argDepth = Array.isArray(node[op]) ? depth + 2 : depth + 1;
    args.forEach((arg, i) => {
      const body = ITERATION_OPERATORS.has(op) && i === 1;
      visit(arg, join(argPath, i), argDepth, inBody || body);
    });
  };
  visit(logic, '', 1, false);
  return issues;
}
