import {
  argsOf,
  isLogic,
  ITERATION_OPERATORS,
  operatorOf,
  staticVarPath,
} from './json-logic-core.js';

/** Operators whose first argument names a field of the record (read statically). */
const FIELD_OPERATORS: ReadonlySet<string> = new Set(['changed', 'old', 'new']);

/**
 * Every var path a rule reads from its data, sorted and unique: `var` with a literal path,
 * literal keys of `missing` / `missing_some`, and fields named by `changed` / `old` / `new`.
 * Paths inside map/filter/reduce/all/none/some bodies refer to the items and are not listed
 * (the array itself is). Computed paths cannot be known and are skipped.
 */
export function referencedVars(logic: unknown): string[] {
  const found = new Set<string>();
  const stack: unknown[] = [logic];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null || seen.has(node)) continue;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
      continue;
    }
    if (!isLogic(node)) continue;
    const op = operatorOf(node);
    const args = argsOf(node, op);
    if (op === 'var') {
      const path = staticVarPath(args);
      if (path !== undefined && path !== '') found.add(path);
      else stack.push(args[0]);
      stack.push(args[1]);
    } else if (op === 'missing' || op === 'missing_some') {
      const keys = op === 'missing' ? (Array.isArray(args[0]) ? args[0] : args) : args[1];
      if (Array.isArray(keys)) {
        for (const key of keys) {
          if (typeof key === 'string' || typeof key === 'number') {
            if (String(key) !== '') found.add(String(key));
          } else stack.push(key);
        }
      } else stack.push(keys);
      if (op === 'missing_some') stack.push(args[0]);
    } else if (FIELD_OPERATORS.has(op) && typeof args[0] === 'string') {
      if (args[0] !== '') found.add(args[0]);
      for (const a of args.slice(1)) stack.push(a);
    } else if (ITERATION_OPERATORS.has(op)) {
      stack.push(args[0]);
      if (op === 'reduce') stack.push(args[2]);
    } else {
      for (const a of args) stack.push(a);
    }
  }
  return [...found].sort();
}
