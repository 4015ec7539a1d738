import { CRM_OPERATORS } from './crm-operators.js';
import { LAZY_OPERATORS, STANDARD_EAGER, type EagerOperator } from './json-logic-core.js';
import { RuleError } from './rule-error.js';
import type { OperatorDefinition, OperatorInfo, RuleEngine } from './types.js';

/** Arity and a one-line description of each standard operator. */
const STANDARD_INFO: Record<string, [number, number, string]> = {
  var: [0, 2, 'value at a dotted path of the data, with an optional default'],
  missing: [0, Infinity, 'the keys among its arguments whose values are null or empty'],
  missing_some: [2, 2, 'missing keys, or [] when at least N of them are present'],
  if: [0, Infinity, 'if / else-if / else'],
  '?:': [0, Infinity, 'ternary (same as if)'],
  '==': [2, 2, 'loose equality (JavaScript ==)'],
  '===': [2, 2, 'strict equality'],
  '!=': [2, 2, 'loose inequality'],
  '!==': [2, 2, 'strict inequality'],
  '!': [1, 1, 'not (JsonLogic truthiness)'],
  '!!': [1, 1, 'to boolean (JsonLogic truthiness)'],
  or: [1, Infinity, 'first truthy argument, or the last'],
  and: [1, Infinity, 'first falsy argument, or the last'],
  '>': [2, 2, 'greater than'],
  '>=': [2, 2, 'greater than or equal'],
  '<': [2, 3, 'less than; with three arguments, strictly between'],
  '<=': [2, 3, 'less than or equal; with three arguments, between inclusive'],
  max: [1, Infinity, 'largest number'],
  min: [1, Infinity, 'smallest number'],
  '+': [0, Infinity, 'sum (also casts a string to a number)'],
  '-': [1, 2, 'difference, or negation'],
  '*': [1, Infinity, 'product'],
  '/': [2, 2, 'quotient'],
  '%': [2, 2, 'remainder'],
  map: [2, 2, 'applies a rule to each item'],
  filter: [2, 2, 'items for which a rule is truthy'],
  reduce: [2, 3, 'folds items with current/accumulator'],
  all: [2, 2, 'true when the rule holds for every item (false for none)'],
  none: [2, 2, 'true when the rule holds for no item'],
  some: [2, 2, 'true when the rule holds for at least one item'],
  merge: [0, Infinity, 'concatenates arrays'],
  in: [2, 2, 'substring or array membership'],
  cat: [0, Infinity, 'concatenates strings'],
  substr: [2, 3, 'substring (negative start/length count from the end)'],
  log: [1, 1, 'returns its argument (and hands it to options.logSink)'],
};

/** What the interpreter and the compiler need from an engine. */
export type EngineInternals = {
  eager: ReadonlyMap<string, EagerOperator>;
  info: ReadonlyMap<string, OperatorInfo>;
};

const internals = new WeakMap<RuleEngine, EngineInternals>();
let nextId = 1;

const OPERATOR_NAME = /^[a-z][a-z0-9_]{0,62}$/;
const RESERVED = new Set(['method', 'literal', 'array']);

function build(eager: Map<string, EagerOperator>, info: Map<string, OperatorInfo>): RuleEngine {
  const engine: RuleEngine = {
    id: nextId++,
    operators: info,
    extend(config) {
      const nextEager = new Map(eager);
      const nextInfo = new Map(info);
      for (const [name, definition] of Object.entries(config.operators ?? {})) {
        addCustom(nextEager, nextInfo, name, definition);
      }
      return build(nextEager, nextInfo);
    },
  };
  internals.set(engine, { eager, info });
  return engine;
}

function addCustom(
  eager: Map<string, EagerOperator>,
  info: Map<string, OperatorInfo>,
  name: string,
  definition: OperatorDefinition,
): void {
  if (info.has(name) || LAZY_OPERATORS.has(name)) {
    throw new RuleError('operator_duplicate', `operator "${name}" is already registered`, name);
  }
  if (!OPERATOR_NAME.test(name) || RESERVED.has(name)) {
    throw new RuleError(
      'operator_name_invalid',
      `operator name "${name}" must match ${OPERATOR_NAME} and not be reserved`,
      name,
    );
  }
  if (typeof definition?.evaluate !== 'function') {
    throw new RuleError('operator_invalid', `operator "${name}" needs an evaluate function`, name);
  }
  const evaluateFn = definition.evaluate;
  eager.set(name, (args, data, rt) =>
    evaluateFn(args, {
      data,
      root: rt.root,
      now: rt.nowIso,
      timeZone: rt.timeZone,
      calendar: rt.calendar,
    }),
  );
  info.set(name, {
    name,
    kind: 'custom',
    minArgs: definition.minArgs ?? 0,
    maxArgs: definition.maxArgs ?? Infinity,
    description: definition.description ?? '',
  });
}

function builtins(): RuleEngine {
  const eager = new Map<string, EagerOperator>();
  const info = new Map<string, OperatorInfo>();
  for (const [name, [minArgs, maxArgs, description]] of Object.entries(STANDARD_INFO)) {
    info.set(name, { name, kind: 'standard', minArgs, maxArgs, description });
    const op = STANDARD_EAGER[name];
    if (op !== undefined) eager.set(name, op);
  }
  for (const [name, def] of Object.entries(CRM_OPERATORS)) {
    if (info.has(name)) throw new RuleError('operator_duplicate', `duplicate built-in ${name}`);
    eager.set(name, def.fn);
    info.set(name, {
      name,
      kind: 'crm',
      minArgs: def.minArgs,
      maxArgs: def.maxArgs,
      description: def.description,
    });
  }
  return build(eager, info);
}

/** The engine used when `options.engine` is not given: standard plus CRM operators. */
export const DEFAULT_ENGINE: RuleEngine = builtins();

/** An engine with the built-ins plus `operators`; a name already taken throws `operator_duplicate`. */
export function createRuleEngine(config: {
  operators?: Record<string, OperatorDefinition>;
}): RuleEngine {
  return DEFAULT_ENGINE.extend(config);
}

export function getInternals(engine: RuleEngine | undefined): EngineInternals {
  const found = internals.get(engine ?? DEFAULT_ENGINE);
  if (found === undefined) {
    throw new RuleError('invalid_engine', 'options.engine was not made by createRuleEngine');
  }
  return found;
}
