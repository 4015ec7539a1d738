// explain: evaluates like the interpreter and records every node's value.
import { argsOf, isLogic, operatorOf, staticVarPath, truthy } from './json-logic-core.js';
import { tooDeep } from './interpreter.js';
import { RuleError } from './rule-error.js';
import { bodyCost, chargeIterations, type Runtime } from './runtime.js';
import type { ExplainNode } from './types.js';

/** How many items of map/filter/… are explained (the rest are evaluated, not recorded). */
export const EXPLAIN_ITEMS = 20;

function join(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`;
}

/** The tree of a rule that was not evaluated (short-circuited). */
function skipped(logic: unknown, path: string, depth: number, rt: Runtime): ExplainNode {
  if (depth > rt.limits.maxDepth) tooDeep(rt);
  if (Array.isArray(logic)) {
    return {
      op: 'array',
      path,
      args: logic.map((item, i) => skipped(item, join(path, i), depth + 1, rt)),
      value: undefined,
      evaluated: false,
    };
  }
  if (!isLogic(logic)) return { op: 'literal', path, args: [], value: logic, evaluated: false };
  const op = operatorOf(logic);
  const argPath = join(path, op);
  return {
    op,
    path,
    args: argsOf(logic, op).map((a, i) => skipped(a, join(argPath, i), depth + 1, rt)),
    value: undefined,
    evaluated: false,
  };
}

export function explainNode(
  logic: unknown,
  data: unknown,
  rt: Runtime,
  depth: number,
  path: string,
): ExplainNode {
  if (depth > rt.limits.maxDepth) tooDeep(rt);
  if (Array.isArray(logic)) {
    const args = logic.map((item, i) => explainNode(item, data, rt, depth + 1, join(path, i)));
    return { op: 'array', path, args, value: args.map((a) => a.value), evaluated: true };
  }
  if (!isLogic(logic)) return { op: 'literal', path, args: [], value: logic, evaluated: true };
  const op = operatorOf(logic);
  const raw = argsOf(logic, op);
  const argPath = join(path, op);
  const next = depth + 1;
  const at = (i: number): ExplainNode => explainNode(raw[i], data, rt, next, join(argPath, i));
  const skip = (i: number): ExplainNode => skipped(raw[i], join(argPath, i), next, rt);
  const done = (
    args: ExplainNode[],
    value: unknown,
    extra?: Partial<ExplainNode>,
  ): ExplainNode => ({
    op,
    path,
    args,
    value,
    evaluated: true,
    ...extra,
  });
  switch (op) {
    case 'if':
    case '?:': {
      const args: ExplainNode[] = [];
      let i = 0;
      for (; i < raw.length - 1; i += 2) {
        const test = at(i);
        args.push(test);
        if (truthy(test.value)) {
          const then = at(i + 1);
          args.push(then);
          for (let j = i + 2; j < raw.length; j++) args.push(skip(j));
          return done(args, then.value);
        }
        args.push(skip(i + 1));
      }
      if (raw.length === i + 1) {
        const otherwise = at(i);
        args.push(otherwise);
        return done(args, otherwise.value);
      }
      return done(args, null);
    }
    case 'and':
    case 'or': {
      const args: ExplainNode[] = [];
      let current: unknown;
      for (let i = 0; i < raw.length; i++) {
        const node = at(i);
        args.push(node);
        current = node.value;
        if (truthy(current) === (op === 'or')) {
          for (let j = i + 1; j < raw.length; j++) args.push(skip(j));
          return done(args, current);
        }
      }
      return done(args, current);
    }
    case 'filter':
    case 'map':
    case 'all':
    case 'none':
    case 'some':
    case 'reduce': {
      const source = at(0);
      const items = source.value;
      const bodyPath = join(argPath, 1);
      const initialNode = op === 'reduce' && raw[2] !== undefined ? at(2) : undefined;
      const initial = initialNode === undefined ? null : initialNode.value;
      const tail = (): ExplainNode[] => {
        const out = [source, skipped(raw[1], bodyPath, next, rt)];
        if (initialNode !== undefined) out.push(initialNode);
        return out;
      };
      if (!Array.isArray(items)) {
        const value =
          op === 'reduce'
            ? initial
            : op === 'none'
              ? true
              : op === 'all' || op === 'some'
                ? false
                : [];
        return done(tail(), value);
      }
      if (op === 'all' || op === 'none' || op === 'some') {
        if (items.length === 0) return done(tail(), op === 'none');
      }
      chargeIterations(rt, items.length, bodyCost(raw[1]));
      const recorded: ExplainNode[] = [];
      const run = (item: unknown): unknown => {
        const node = explainNode(raw[1], item, rt, next, bodyPath);
        if (recorded.length < EXPLAIN_ITEMS) recorded.push(node);
        return node.value;
      };
      let value: unknown;
      if (op === 'map') value = items.map(run);
      else if (op === 'filter') value = items.filter((item) => truthy(run(item)));
      else if (op === 'reduce') {
        let accumulator = initial;
        for (const item of items) accumulator = run({ current: item, accumulator });
        value = accumulator;
      } else {
        value = op !== 'some';
        for (const item of items) {
          const hit = truthy(run(item));
          if (op === 'all' && !hit) {
            value = false;
            break;
          }
          if (op !== 'all' && hit) {
            value = op === 'some';
            break;
          }
        }
      }
      return done(tail(), value, { items: recorded });
    }
  }
  const args = raw.map((_, i) => at(i));
  const fn = rt.eager.get(op);
  const extra: Partial<ExplainNode> = {};
  if (op === 'var') {
    const p = staticVarPath(raw);
    if (p !== undefined) extra.var = p;
  }
  if (fn === undefined) {
    throw new RuleError('unknown_operator', `unknown operator "${op}"`, path);
  }
  return done(
    args,
    fn(
      args.map((a) => a.value),
      data,
      rt,
      depth,
    ),
    extra,
  );
}
