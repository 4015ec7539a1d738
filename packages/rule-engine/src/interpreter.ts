// A direct interpreter of JsonLogic with json-logic-js semantics, bounded by the runtime limits.
import { argsOf, isLogic, operatorOf, truthy } from './json-logic-core.js';
import { RuleError } from './rule-error.js';
import { bodyCost, chargeIterations, setApply, type Runtime } from './runtime.js';

export function tooDeep(rt: Runtime): never {
  throw new RuleError('too_deep', `rule is nested deeper than ${rt.limits.maxDepth} levels`);
}

export function unknownOperator(op: string): never {
  throw new RuleError('unknown_operator', `unknown operator "${op}"`, op);
}

export function interpret(logic: unknown, data: unknown, rt: Runtime, depth: number): unknown {
  if (depth > rt.limits.maxDepth) tooDeep(rt);
  if (Array.isArray(logic)) {
    const out = new Array<unknown>(logic.length);
    for (let i = 0; i < logic.length; i++) out[i] = interpret(logic[i], data, rt, depth + 1);
    return out;
  }
  if (!isLogic(logic)) return logic;
  const op = operatorOf(logic);
  const args = argsOf(logic, op);
  const next = depth + 1;
  switch (op) {
    case 'if':
    case '?:': {
      let i = 0;
      for (; i < args.length - 1; i += 2) {
        if (truthy(interpret(args[i], data, rt, next)))
          return interpret(args[i + 1], data, rt, next);
      }
      if (args.length === i + 1) return interpret(args[i], data, rt, next);
      return null;
    }
    case 'and': {
      let current: unknown;
      for (let i = 0; i < args.length; i++) {
        current = interpret(args[i], data, rt, next);
        if (!truthy(current)) return current;
      }
      return current;
    }
    case 'or': {
      let current: unknown;
      for (let i = 0; i < args.length; i++) {
        current = interpret(args[i], data, rt, next);
        if (truthy(current)) return current;
      }
      return current;
    }
    case 'filter':
    case 'map':
    case 'all':
    case 'none':
    case 'some': {
      const items = interpret(args[0], data, rt, next);
      const body = args[1];
      if (!Array.isArray(items))
        return op === 'none' ? true : op === 'all' || op === 'some' ? false : [];
      chargeIterations(rt, items.length, bodyCost(body));
      if (op === 'map') return items.map((item) => interpret(body, item, rt, next));
      if (op === 'filter') return items.filter((item) => truthy(interpret(body, item, rt, next)));
      if (items.length === 0) return op === 'none';
      for (let i = 0; i < items.length; i++) {
        const hit = truthy(interpret(body, items[i], rt, next));
        if (op === 'all' && !hit) return false;
        if (op === 'none' && hit) return false;
        if (op === 'some' && hit) return true;
      }
      return op !== 'some';
    }
    case 'reduce': {
      const items = interpret(args[0], data, rt, next);
      const body = args[1];
      const initial = args[2] !== undefined ? interpret(args[2], data, rt, next) : null;
      if (!Array.isArray(items)) return initial;
      chargeIterations(rt, items.length, bodyCost(body));
      let accumulator = initial;
      for (let i = 0; i < items.length; i++) {
        accumulator = interpret(body, { current: items[i], accumulator }, rt, next);
      }
      return accumulator;
    }
  }
  const values = new Array<unknown>(args.length);
  for (let i = 0; i < args.length; i++) values[i] = interpret(args[i], data, rt, next);
  const fn = rt.eager.get(op);
  if (fn === undefined) unknownOperator(op);
  return fn(values, data, rt, depth);
}

setApply(interpret);
