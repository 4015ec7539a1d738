import type { JsonLogic } from '../forms/form-schema.js';

/**
 * A spreadsheet-like formula language for business users, compiled to JsonLogic (and printed
 * back). It is parsed by hand; nothing is ever evaluated as JavaScript.
 *
 *   {amount} * {probability} / 100
 *   IF({stage} == "won", {amount}, 0)
 *   CONCAT({company}, " - ", {contact})
 */

export type FormulaError = {
  message: 'unexpected' | 'unclosed' | 'unknownFunction' | 'arity' | 'empty';
  at: number;
  detail?: string;
};

type Token =
  | { kind: 'number'; value: number; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'field'; value: string; at: number }
  | { kind: 'name'; value: string; at: number }
  | { kind: 'op'; value: string; at: number }
  | { kind: 'end'; at: number };

/** Functions: name -> JsonLogic operator and argument bounds. */
export const FORMULA_FUNCTIONS: Readonly<Record<string, { op: string; min: number; max: number }>> =
  {
    IF: { op: 'if', min: 2, max: 3 },
    AND: { op: 'and', min: 1, max: 20 },
    OR: { op: 'or', min: 1, max: 20 },
    NOT: { op: '!', min: 1, max: 1 },
    CONCAT: { op: 'cat', min: 1, max: 20 },
    MIN: { op: 'min', min: 1, max: 20 },
    MAX: { op: 'max', min: 1, max: 20 },
    ROUND: { op: 'round', min: 1, max: 2 },
    FLOOR: { op: 'floor', min: 1, max: 2 },
    CEIL: { op: 'ceil', min: 1, max: 2 },
    ABS: { op: 'abs', min: 1, max: 1 },
    LOWER: { op: 'lower', min: 1, max: 1 },
    UPPER: { op: 'upper', min: 1, max: 1 },
    TRIM: { op: 'trim', min: 1, max: 1 },
    LENGTH: { op: 'length', min: 1, max: 1 },
    CONTAINS: { op: 'contains', min: 2, max: 2 },
    COALESCE: { op: 'coalesce', min: 1, max: 20 },
    DATE_DIFF: { op: 'date_diff', min: 2, max: 3 },
    DATE_ADD: { op: 'date_add', min: 3, max: 3 },
    NOW: { op: 'now', min: 0, max: 0 },
  };

const OPS = ['==', '!=', '>=', '<=', '&&', '||', '>', '<', '+', '-', '*', '/', '%', '(', ')', ','];

class ParseError extends Error {
  constructor(readonly error: FormulaError) {
    super(error.message);
  }
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (/[0-9.]/.test(ch)) {
      const match = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(source.slice(i));
      if (match === null) throw new ParseError({ message: 'unexpected', at: i, detail: ch });
      tokens.push({ kind: 'number', value: Number(match[0]), at: i });
      i += match[0].length;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '“' || ch === '‘') {
      const close = ch === '“' ? '”' : ch === '‘' ? '’' : ch;
      let j = i + 1;
      let text = '';
      while (j < source.length && source[j] !== close) {
        if (source[j] === '\\' && j + 1 < source.length) j += 1;
        text += source[j];
        j += 1;
      }
      if (j >= source.length) throw new ParseError({ message: 'unclosed', at: i, detail: ch });
      tokens.push({ kind: 'string', value: text, at: i });
      i = j + 1;
      continue;
    }
    if (ch === '{') {
      const end = source.indexOf('}', i);
      if (end < 0) throw new ParseError({ message: 'unclosed', at: i, detail: '{' });
      const name = source.slice(i + 1, end).trim();
      if (!/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/.test(name))
        throw new ParseError({ message: 'unexpected', at: i, detail: name });
      tokens.push({ kind: 'field', value: name, at: i });
      i = end + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
      const name = match?.[0] ?? ch;
      tokens.push({ kind: 'name', value: name, at: i });
      i += name.length;
      continue;
    }
    const op = OPS.find((candidate) => source.startsWith(candidate, i));
    if (op === undefined) throw new ParseError({ message: 'unexpected', at: i, detail: ch });
    tokens.push({ kind: 'op', value: op, at: i });
    i += op.length;
  }
  tokens.push({ kind: 'end', at: source.length });
  return tokens;
}

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.position] as Token;
  }
  private next(): Token {
    const token = this.peek();
    this.position += 1;
    return token;
  }
  private isOp(value: string): boolean {
    const token = this.peek();
    return token.kind === 'op' && token.value === value;
  }
  private expect(value: string): void {
    const token = this.next();
    if (token.kind !== 'op' || token.value !== value)
      throw new ParseError({ message: 'unexpected', at: token.at, detail: value });
  }

  parseAll(): JsonLogic {
    if (this.peek().kind === 'end') throw new ParseError({ message: 'empty', at: 0 });
    const value = this.or();
    const rest = this.peek();
    if (rest.kind !== 'end') throw new ParseError({ message: 'unexpected', at: rest.at });
    return value;
  }

  private or(): JsonLogic {
    let left = this.and();
    const parts = [left];
    while (this.isOp('||')) {
      this.next();
      parts.push(this.and());
    }
    if (parts.length > 1) left = { or: parts };
    return left;
  }

  private and(): JsonLogic {
    let left = this.comparison();
    const parts = [left];
    while (this.isOp('&&')) {
      this.next();
      parts.push(this.comparison());
    }
    if (parts.length > 1) left = { and: parts };
    return left;
  }

  private comparison(): JsonLogic {
    const left = this.additive();
    const token = this.peek();
    if (token.kind === 'op' && ['==', '!=', '>', '>=', '<', '<='].includes(token.value)) {
      this.next();
      return { [token.value]: [left, this.additive()] };
    }
    return left;
  }

  private additive(): JsonLogic {
    let left = this.multiplicative();
    for (;;) {
      const token = this.peek();
      if (token.kind !== 'op' || (token.value !== '+' && token.value !== '-')) return left;
      this.next();
      left = { [token.value]: [left, this.multiplicative()] };
    }
  }

  private multiplicative(): JsonLogic {
    let left = this.unary();
    for (;;) {
      const token = this.peek();
      if (token.kind !== 'op' || !['*', '/', '%'].includes(token.value)) return left;
      this.next();
      left = { [token.value]: [left, this.unary()] };
    }
  }

  private unary(): JsonLogic {
    if (this.isOp('-')) {
      this.next();
      const operand = this.unary();
      return typeof operand === 'number' ? -operand : { '-': [operand] };
    }
    return this.primary();
  }

  private primary(): JsonLogic {
    const token = this.next();
    switch (token.kind) {
      case 'number':
      case 'string':
        return token.value;
      case 'field':
        return { var: token.value };
      case 'name': {
        const upper = token.value.toUpperCase();
        if (upper === 'TRUE') return true;
        if (upper === 'FALSE') return false;
        if (upper === 'NULL') return null;
        const fn = FORMULA_FUNCTIONS[upper];
        if (fn === undefined)
          throw new ParseError({ message: 'unknownFunction', at: token.at, detail: token.value });
        this.expect('(');
        const args: JsonLogic[] = [];
        if (!this.isOp(')')) {
          args.push(this.or());
          while (this.isOp(',')) {
            this.next();
            args.push(this.or());
          }
        }
        this.expect(')');
        if (args.length < fn.min || args.length > fn.max)
          throw new ParseError({ message: 'arity', at: token.at, detail: upper });
        return { [fn.op]: fn.op === '!' ? args[0] : args };
      }
      case 'op':
        if (token.value === '(') {
          const inner = this.or();
          this.expect(')');
          return inner;
        }
        throw new ParseError({ message: 'unexpected', at: token.at, detail: token.value });
      case 'end':
        throw new ParseError({ message: 'unexpected', at: token.at });
    }
  }
}

export function parseFormula(
  source: string,
): { ok: true; logic: JsonLogic } | { ok: false; error: FormulaError } {
  try {
    return { ok: true, logic: new Parser(tokenize(source)).parseAll() };
  } catch (error) {
    if (error instanceof ParseError) return { ok: false, error: error.error };
    throw error;
  }
}

const FUNCTION_BY_OP = new Map(
  Object.entries(FORMULA_FUNCTIONS).map(([name, fn]) => [fn.op, name]),
);
const PRECEDENCE: Record<string, number> = {
  or: 1,
  and: 2,
  '==': 3,
  '!=': 3,
  '>': 3,
  '>=': 3,
  '<': 3,
  '<=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
};

/** The formula text of a JsonLogic expression, or null when the language cannot express it. */
export function formatFormula(logic: JsonLogic, parent = 0): string | null {
  if (typeof logic === 'number') return Number.isFinite(logic) ? String(logic) : null;
  if (typeof logic === 'string') return JSON.stringify(logic);
  if (typeof logic === 'boolean') return logic ? 'TRUE' : 'FALSE';
  if (logic === null) return 'NULL';
  if (typeof logic !== 'object' || Array.isArray(logic)) return null;
  const entries = Object.entries(logic as Record<string, unknown>);
  if (entries.length !== 1) return null;
  const [op, raw] = entries[0] as [string, unknown];
  if (op === 'var') return typeof raw === 'string' && raw !== '' ? `{${raw}}` : null;
  const args = Array.isArray(raw) ? raw : [raw];
  const precedence = PRECEDENCE[op];
  if (
    precedence !== undefined &&
    (args.length === 2 || ((op === 'and' || op === 'or') && args.length >= 2))
  ) {
    const joiner = op === 'and' ? ' && ' : op === 'or' ? ' || ' : ` ${op} `;
    const parts = args.map((arg, index) =>
      formatFormula(arg, index === 0 ? precedence : precedence + 1),
    );
    if (parts.some((part) => part === null)) return null;
    const text = parts.join(joiner);
    return precedence < parent ? `(${text})` : text;
  }
  if (op === '-' && args.length === 1) {
    const inner = formatFormula(args[0], 6);
    return inner === null ? null : `-${inner}`;
  }
  const name = FUNCTION_BY_OP.get(op);
  if (name === undefined) return null;
  const parts = args.map((arg) => formatFormula(arg));
  if (parts.some((part) => part === null)) return null;
  return `${name}(${parts.join(', ')})`;
}
