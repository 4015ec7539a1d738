import type { FieldSchema, FieldType, JsonLogic } from '../forms/form-schema.js';

/**
 * The visual condition builder's model and its two-way translation to JsonLogic. Only the
 * shapes written here are read back; anything else stays editable as JSON.
 */

export type ConditionOperator =
  | '=='
  | '!='
  | '>'
  | '>='
  | '<'
  | '<='
  | 'contains'
  | 'not_contains'
  | 'in'
  | 'empty'
  | 'not_empty';

export type ConditionRule = {
  kind: 'rule';
  field: string;
  operator: ConditionOperator;
  value?: unknown;
};
export type ConditionGroup = { kind: 'group'; combinator: 'and' | 'or'; children: ConditionNode[] };
export type ConditionNode = ConditionRule | ConditionGroup;

export type OperandKind = 'text' | 'number' | 'date' | 'choice' | 'multi' | 'boolean' | 'id';

const OPERAND_KINDS: Partial<Record<FieldType, OperandKind>> = {
  text: 'text',
  textarea: 'text',
  rich_text: 'text',
  phone: 'text',
  email: 'text',
  url: 'text',
  serial: 'text',
  number: 'number',
  currency: 'number',
  percent: 'number',
  rating: 'number',
  date: 'date',
  datetime: 'date',
  select: 'choice',
  radio: 'choice',
  multi_select: 'multi',
  boolean: 'boolean',
  user: 'id',
  department: 'id',
  relation: 'id',
};

export function operandKindOf(field: FieldSchema): OperandKind | undefined {
  if (field.type === 'formula') {
    const result = field.resultType ?? 'number';
    return result === 'text'
      ? 'text'
      : result === 'boolean'
        ? 'boolean'
        : result === 'date'
          ? 'date'
          : 'number';
  }
  return OPERAND_KINDS[field.type];
}

export const OPERATORS_BY_OPERAND: Readonly<Record<OperandKind, readonly ConditionOperator[]>> = {
  text: ['==', '!=', 'contains', 'not_contains', 'empty', 'not_empty'],
  number: ['==', '!=', '>', '>=', '<', '<=', 'empty', 'not_empty'],
  date: ['==', '>', '>=', '<', '<=', 'empty', 'not_empty'],
  choice: ['==', '!=', 'in', 'empty', 'not_empty'],
  multi: ['contains', 'not_contains', 'empty', 'not_empty'],
  boolean: ['=='],
  id: ['==', '!=', 'empty', 'not_empty'],
};

export function needsValue(operator: ConditionOperator): boolean {
  return operator !== 'empty' && operator !== 'not_empty';
}

export function emptyGroup(): ConditionGroup {
  return { kind: 'group', combinator: 'and', children: [] };
}

const v = (field: string) => ({ var: field });

function ruleToLogic(rule: ConditionRule): JsonLogic {
  switch (rule.operator) {
    case '==':
    case '!=':
    case '>':
    case '>=':
    case '<':
    case '<=':
      return { [rule.operator]: [v(rule.field), rule.value ?? null] };
    case 'contains':
      return { in: [rule.value ?? '', v(rule.field)] };
    case 'not_contains':
      return { '!': { in: [rule.value ?? '', v(rule.field)] } };
    case 'in':
      return { in: [v(rule.field), Array.isArray(rule.value) ? rule.value : []] };
    case 'empty':
      return { '!': v(rule.field) };
    case 'not_empty':
      return { '!!': v(rule.field) };
  }
}

/** Rules still being filled in (no field, or no value where one is needed) are left out. */
export function isCompleteRule(rule: ConditionRule): boolean {
  if (rule.field === '') return false;
  if (!needsValue(rule.operator)) return true;
  if (rule.operator === 'in') return Array.isArray(rule.value) && rule.value.length > 0;
  return rule.value !== undefined && rule.value !== null && rule.value !== '';
}

/** JsonLogic for the group; undefined when it has no complete rule. */
export function toJsonLogic(node: ConditionNode): JsonLogic | undefined {
  if (node.kind === 'rule') return isCompleteRule(node) ? ruleToLogic(node) : undefined;
  const parts = node.children.map(toJsonLogic).filter((part) => part !== undefined);
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  return { [node.combinator]: parts };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function singleOp(value: unknown): [string, unknown] | null {
  if (!isObject(value)) return null;
  const keys = Object.keys(value);
  if (keys.length !== 1) return null;
  const key = keys[0] as string;
  return [key, value[key]];
}

function varName(value: unknown): string | null {
  const op = singleOp(value);
  if (op === null || op[0] !== 'var') return null;
  const arg = op[1];
  if (typeof arg === 'string') return arg;
  if (Array.isArray(arg) && typeof arg[0] === 'string' && arg.length === 1) return arg[0];
  return null;
}

function isLiteral(value: unknown): boolean {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return true;
  return (
    Array.isArray(value) &&
    value.every((item) => item === null || ['string', 'number', 'boolean'].includes(typeof item))
  );
}

const COMPARISONS = new Set(['==', '!=', '>', '>=', '<', '<=', '===', '!==']);
const FLIPPED: Record<string, ConditionOperator> = {
  '>': '<',
  '>=': '<=',
  '<': '>',
  '<=': '>=',
  '==': '==',
  '!=': '!=',
};

function parseRule(logic: unknown): ConditionRule | null {
  const op = singleOp(logic);
  if (op === null) return null;
  const [name, args] = op;
  if (COMPARISONS.has(name) && Array.isArray(args) && args.length === 2) {
    const operator = (name === '===' ? '==' : name === '!==' ? '!=' : name) as ConditionOperator;
    const left = varName(args[0]);
    if (left !== null && isLiteral(args[1]))
      return { kind: 'rule', field: left, operator, value: args[1] };
    const right = varName(args[1]);
    const flipped = FLIPPED[operator];
    if (right !== null && isLiteral(args[0]) && flipped !== undefined)
      return { kind: 'rule', field: right, operator: flipped, value: args[0] };
    return null;
  }
  if (name === 'in' && Array.isArray(args) && args.length === 2) {
    const container = varName(args[1]);
    if (container !== null && isLiteral(args[0]) && !Array.isArray(args[0]))
      return { kind: 'rule', field: container, operator: 'contains', value: args[0] };
    const member = varName(args[0]);
    if (member !== null && Array.isArray(args[1]) && isLiteral(args[1]))
      return { kind: 'rule', field: member, operator: 'in', value: args[1] };
    return null;
  }
  if (name === '!') {
    const inner = Array.isArray(args) && args.length === 1 ? args[0] : args;
    const field = varName(inner);
    if (field !== null) return { kind: 'rule', field, operator: 'empty' };
    const negated = parseRule(inner);
    if (negated?.operator === 'contains') return { ...negated, operator: 'not_contains' };
    return null;
  }
  if (name === '!!') {
    const inner = Array.isArray(args) && args.length === 1 ? args[0] : args;
    const field = varName(inner);
    return field === null ? null : { kind: 'rule', field, operator: 'not_empty' };
  }
  return null;
}

function parseNode(logic: unknown, depth: number): ConditionNode | null {
  if (depth > 4) return null;
  const op = singleOp(logic);
  if (op !== null && (op[0] === 'and' || op[0] === 'or') && Array.isArray(op[1])) {
    const children: ConditionNode[] = [];
    for (const child of op[1]) {
      const parsed = parseNode(child, depth + 1);
      if (parsed === null) return null;
      children.push(parsed);
    }
    return { kind: 'group', combinator: op[0], children };
  }
  return parseRule(logic);
}

/** The visual form of a JsonLogic condition, or null when it uses anything the builder cannot show. */
export function fromJsonLogic(logic: unknown): ConditionGroup | null {
  if (logic === undefined || logic === null) return emptyGroup();
  const node = parseNode(logic, 0);
  if (node === null) return null;
  return node.kind === 'group' ? node : { kind: 'group', combinator: 'and', children: [node] };
}

/** Field ids a condition reads (for the designer's warnings about removed fields). */
export function referencedFields(node: ConditionNode): string[] {
  if (node.kind === 'rule') return node.field === '' ? [] : [node.field];
  return node.children.flatMap(referencedFields);
}
