// Optional server fast path: compiles a rule to one JavaScript function.
//
// Safety (README rule R9): the generated source is assembled only from fixed templates in this
// file. User values never appear as code: strings and numbers are emitted through `lit()` as
// JSON literals (JSON.stringify; -0 kept), and every other value (objects, arrays, non-finite
// numbers) and every operator implementation is passed in through the `k` / `c` arrays and
// referenced by index. Identifiers are fixed names plus counters. A fuzz test
// (codegen.test.ts) tokenizes generated code for hostile inputs and proves its structure equals
// that of the same rule with harmless values. Where `new Function` is refused (a browser CSP
// without 'unsafe-eval' throws EvalError), `tryCodegen` returns undefined and the caller uses
// closures.
import { compileRule, type Closure } from './compiler.js';
import { dateDiffFast, DIFF_UNITS, nowIso } from './crm-operators.js';
import {
  argsOf,
  BLOCKED_SEGMENTS,
  catOp,
  inOp,
  isLogic,
  mergeOp,
  operatorOf,
  plusOp,
  staticVarPath,
  substrOp,
  timesOp,
  toFloat,
  truthy,
  type EagerOperator,
} from './json-logic-core.js';
import { unknownOperator } from './interpreter.js';
import { bodyCost, chargeIterations, type Runtime } from './runtime.js';

type Kind = 'bool' | 'any';
type Expr = { e: string; kind: Kind };

const HELPERS = Object.freeze({
  truthy,
  toFloat,
  inOp,
  catOp,
  plusOp,
  timesOp,
  substrOp,
  mergeOp,
  charge: chargeIterations,
  unknownOperator,
  dateDiffFast,
  nowIso,
});

/** The fixed prologue: names bound for the generated body. */
const PROLOGUE =
  '"use strict";\nconst {truthy, toFloat, inOp, catOp, plusOp, timesOp, substrOp, mergeOp, charge, unknownOperator, dateDiffFast, nowIso} = h;\n';

export type GeneratedRule = { source: string; constants: unknown[]; closures: unknown[] };

class Generator {
  private readonly lines: string[] = [];
  private n = 0;
  readonly constants: unknown[] = [];
  readonly closures: unknown[] = [];
  constructor(private readonly eager: ReadonlyMap<string, EagerOperator>) {}

  emit(line: string): void {
    this.lines.push(line);
  }

  body(): string {
    return this.lines.join('\n');
  }

  tmp(): string {
    return `t${this.n++}`;
  }

  /** A user value as code: a JSON literal for strings, finite numbers, booleans and null; else k[i]. */
  lit(value: unknown): string {
    if (value === null) return 'null';
    if (value === undefined) return 'undefined';
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (typeof value === 'string') return JSON.stringify(value);
    if (typeof value === 'number' && Number.isFinite(value)) {
      return Object.is(value, -0) ? '-0' : JSON.stringify(value);
    }
    return this.constant(value);
  }

  constant(value: unknown): string {
    this.constants.push(value);
    return `k[${this.constants.length - 1}]`;
  }

  closure(value: unknown): string {
    this.closures.push(value);
    return `c[${this.closures.length - 1}]`;
  }

  /** Assigns an expression to a fresh temp (so it is evaluated once). */
  bind(x: Expr): Expr {
    if (/^t\d+$/.test(x.e)) return x;
    const t = this.tmp();
    this.emit(`const ${t} = ${x.e};`);
    return { e: t, kind: x.kind };
  }

  test(x: Expr): string {
    if (x.kind === 'bool') return x.e;
    const b = this.bind(x);
    return `(Array.isArray(${b.e}) ? ${b.e}.length > 0 : !!${b.e})`;
  }

  node(logic: unknown, d: string, depth: number): Expr {
    if (Array.isArray(logic)) {
      if (logic.every((v) => typeof v !== 'object' || v === null)) {
        return { e: `${this.constant(logic.slice())}.slice()`, kind: 'any' };
      }
      const parts = logic.map((item) => this.bind(this.node(item, d, depth + 1)).e);
      return { e: `[${parts.join(', ')}]`, kind: 'any' };
    }
    if (!isLogic(logic)) {
      if (typeof logic === 'boolean') return { e: this.lit(logic), kind: 'bool' };
      return { e: this.lit(logic), kind: 'any' };
    }
    const op = operatorOf(logic);
    const args = argsOf(logic, op);
    switch (op) {
      case 'var':
        return this.variable(logic, args, d, depth);
      case 'and':
      case 'or':
        return this.andOr(op, args, d, depth);
      case 'if':
      case '?:':
        return this.ifElse(args, d, depth);
      case 'map':
      case 'filter':
      case 'all':
      case 'none':
      case 'some':
      case 'reduce':
        return this.iteration(op, args, d, depth);
      case '==':
      case '===':
      case '!=':
      case '!==':
      case '>':
      case '>=':
        if (args.length === 2) return this.binary(op, args, d, depth);
        break;
      case '<':
      case '<=':
        if (args.length === 2) return this.binary(op, args, d, depth);
        if (args.length === 3) return this.between(op, args, d, depth);
        break;
      case '!':
      case '!!': {
        if (args.length === 0) return { e: op === '!' ? 'true' : 'false', kind: 'bool' };
        const values = args.map((a) => this.bind(this.node(a, d, depth + 1)));
        const t = this.test(values[0] as Expr);
        return { e: op === '!' ? `!${t}` : t, kind: 'bool' };
      }
      case 'in':
        if (args.length === 2) return this.membership(args, d, depth);
        break;
      case '+':
      case '*':
      case '-':
      case '/':
      case '%':
        if (args.length === 2) return this.arithmetic(op, args, d, depth);
        break;
      case 'now':
        if (args.length === 0) return { e: 'nowIso(rt)', kind: 'any' };
        break;
      case 'date_diff': {
        const unit = args[2] === undefined ? 'days' : args[2];
        if (
          (args.length === 2 || args.length === 3) &&
          typeof unit === 'string' &&
          Object.hasOwn(DIFF_UNITS, unit)
        ) {
          const [a, b] = this.operands(args.slice(0, 2), d, depth) as [Expr, Expr];
          return {
            e: `dateDiffFast(${a.e}, ${b.e}, ${this.lit(DIFF_UNITS[unit])}, rt)`,
            kind: 'any',
          };
        }
        break;
      }
    }
    return this.eagerCall(op, args, d, depth);
  }

  private variable(
    logic: Record<string, unknown>,
    args: readonly unknown[],
    d: string,
    depth: number,
  ): Expr {
    const path = staticVarPath(args);
    const fallback = args[1];
    const constantFallback =
      fallback === undefined || typeof fallback !== 'object' || fallback === null;
    if (path === undefined || !constantFallback) return this.viaClosure(logic, d, depth);
    if (path === '') return { e: d, kind: 'any' };
    const nf = this.lit(fallback === undefined ? null : fallback);
    const segments = path.split('.');
    if (segments.some((s) => BLOCKED_SEGMENTS.has(s))) return { e: nf, kind: 'any' };
    const t = this.tmp();
    this.emit(`let ${t} = ${d} == null ? undefined : ${d}[${this.lit(segments[0])}];`);
    let close = '';
    for (let i = 1; i < segments.length; i++) {
      this.emit(
        `if (${t} === undefined || ${t} === null || typeof ${t} === "function") ${t} = ${nf}; else {`,
      );
      this.emit(`${t} = ${t}[${this.lit(segments[i])}];`);
      close += '}';
    }
    this.emit(`if (${t} === undefined || typeof ${t} === "function") ${t} = ${nf};${close}`);
    return { e: t, kind: 'any' };
  }

  private andOr(op: 'and' | 'or', args: readonly unknown[], d: string, depth: number): Expr {
    if (args.length === 0) return { e: 'undefined', kind: 'any' };
    const r = this.tmp();
    this.emit(`let ${r};`);
    let kind: Kind = 'bool';
    let close = '';
    args.forEach((arg, i) => {
      const x = this.node(arg, d, depth + 1);
      if (x.kind !== 'bool') kind = 'any';
      this.emit(`${r} = ${x.e};`);
      if (i < args.length - 1) {
        const t = this.test({ e: r, kind: x.kind });
        this.emit(op === 'and' ? `if (${t}) {` : `if (!${t}) {`);
        close += '}';
      }
    });
    this.emit(close);
    return { e: r, kind };
  }

  private ifElse(args: readonly unknown[], d: string, depth: number): Expr {
    if (args.length === 0) return { e: 'null', kind: 'any' };
    if (args.length === 1) return this.node(args[0], d, depth + 1);
    const r = this.tmp();
    this.emit(`let ${r};`);
    let kind: Kind = args.length % 2 === 1 ? 'bool' : 'any';
    let close = '';
    let i = 0;
    for (; i < args.length - 1; i += 2) {
      const test = this.test(this.node(args[i], d, depth + 1));
      this.emit(`if (${test}) {`);
      const then = this.node(args[i + 1], d, depth + 1);
      if (then.kind !== 'bool') kind = 'any';
      this.emit(`${r} = ${then.e};`);
      this.emit('} else {');
      close += '}';
    }
    if (i < args.length) {
      const otherwise = this.node(args[i], d, depth + 1);
      if (otherwise.kind !== 'bool') kind = 'any';
      this.emit(`${r} = ${otherwise.e};`);
    } else this.emit(`${r} = null;`);
    this.emit(close);
    return { e: r, kind };
  }

  private iteration(op: string, args: readonly unknown[], d: string, depth: number): Expr {
    const items = this.bind(this.node(args[0], d, depth + 1)).e;
    const cost = bodyCost(args[1]);
    const r = this.tmp();
    const i = this.tmp();
    const item = this.tmp();
    const empty = op === 'map' || op === 'filter' ? '[]' : op === 'none' ? 'true' : 'false';
    if (op === 'reduce') {
      const initial =
        args[2] !== undefined ? this.bind(this.node(args[2], d, depth + 1)).e : 'null';
      this.emit(`let ${r} = ${initial};`);
      this.emit(`if (Array.isArray(${items})) {`);
      this.emit(`charge(rt, ${items}.length, ${cost});`);
      this.emit(`for (let ${i} = 0; ${i} < ${items}.length; ${i}++) {`);
      this.emit(`const ${item} = { current: ${items}[${i}], accumulator: ${r} };`);
      const body = this.node(args[1], item, depth + 1);
      this.emit(`${r} = ${body.e};`);
      this.emit('}}');
      return { e: r, kind: 'any' };
    }
    const guard =
      op === 'map' || op === 'filter'
        ? `!Array.isArray(${items})`
        : `!Array.isArray(${items}) || ${items}.length === 0`;
    this.emit(`let ${r};`);
    this.emit(`if (${guard}) ${r} = ${empty}; else {`);
    this.emit(`charge(rt, ${items}.length, ${cost});`);
    if (op === 'map') this.emit(`${r} = new Array(${items}.length);`);
    else if (op === 'filter') this.emit(`${r} = [];`);
    else this.emit(`${r} = ${op === 'some' ? 'false' : 'true'};`);
    this.emit(`for (let ${i} = 0; ${i} < ${items}.length; ${i}++) {`);
    this.emit(`const ${item} = ${items}[${i}];`);
    const body = this.node(args[1], item, depth + 1);
    if (op === 'map') this.emit(`${r}[${i}] = ${body.e};`);
    else {
      const t = this.test(body);
      if (op === 'filter') this.emit(`if (${t}) ${r}.push(${item});`);
      else if (op === 'all') this.emit(`if (!${t}) { ${r} = false; break; }`);
      else if (op === 'none') this.emit(`if (${t}) { ${r} = false; break; }`);
      else this.emit(`if (${t}) { ${r} = true; break; }`);
    }
    this.emit('}}');
    return { e: r, kind: op === 'map' || op === 'filter' ? 'any' : 'bool' };
  }

  private operands(args: readonly unknown[], d: string, depth: number): Expr[] {
    return args.map((a) => {
      const x = this.node(a, d, depth + 1);
      // Literals stay inline; everything else is evaluated once, in order.
      return /^(t\d+|-?[0-9][0-9.e+-]*|"(?:[^"\\]|\\.)*"|true|false|null)$/.test(x.e)
        ? x
        : this.bind(x);
    });
  }

  private binary(op: string, args: readonly unknown[], d: string, depth: number): Expr {
    const [a, b] = this.operands(args, d, depth) as [Expr, Expr];
    return { e: `(${a.e} ${op} ${b.e})`, kind: 'bool' };
  }

  private between(op: '<' | '<=', args: readonly unknown[], d: string, depth: number): Expr {
    const [a, b, c] = this.operands(args, d, depth) as [Expr, Expr, Expr];
    return {
      e: `(${c.e} === undefined ? (${a.e} ${op} ${b.e}) : (${a.e} ${op} ${b.e}) && (${b.e} ${op} ${c.e}))`,
      kind: 'bool',
    };
  }

  private membership(args: readonly unknown[], d: string, depth: number): Expr {
    const list = args[1];
    const needle = this.bind(this.node(args[0], d, depth + 1));
    if (
      Array.isArray(list) &&
      list.every(
        (v) =>
          typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null,
      )
    ) {
      if (list.length === 0) return { e: 'false', kind: 'bool' };
      if (list.length <= 8) {
        return {
          e: `(${list.map((v) => `${needle.e} === ${this.lit(v)}`).join(' || ')})`,
          kind: 'bool',
        };
      }
      return { e: `(${this.constant(list.slice())}.indexOf(${needle.e}) !== -1)`, kind: 'bool' };
    }
    const haystack = this.bind(this.node(list, d, depth + 1));
    return { e: `inOp(${needle.e}, ${haystack.e})`, kind: 'bool' };
  }

  private arithmetic(op: string, args: readonly unknown[], d: string, depth: number): Expr {
    const [a, b] = this.operands(args, d, depth) as [Expr, Expr];
    switch (op) {
      case '+':
        return { e: `(0 + toFloat(${a.e}) + toFloat(${b.e}))`, kind: 'any' };
      case '*':
        return { e: `(toFloat(${a.e}) * toFloat(${b.e}))`, kind: 'any' };
      case '-':
        return { e: `(${b.e} === undefined ? -(${a.e}) : (${a.e}) - (${b.e}))`, kind: 'any' };
      default:
        return { e: `(${a.e} ${op} ${b.e})`, kind: 'any' };
    }
  }

  private eagerCall(op: string, args: readonly unknown[], d: string, depth: number): Expr {
    const values = args.map((a) => this.bind(this.node(a, d, depth + 1)).e);
    const fn = this.eager.get(op);
    if (fn === undefined) {
      // Evaluate the arguments first (json-logic-js does), then fail.
      return { e: `unknownOperator(${this.lit(op)})`, kind: 'any' };
    }
    return { e: `${this.closure(fn)}([${values.join(', ')}], ${d}, rt, ${depth})`, kind: 'any' };
  }

  private viaClosure(logic: unknown, d: string, depth: number): Expr {
    const fn: Closure = compileRule(logic, this.eager, depth);
    return { e: `${this.closure(fn)}(${d}, rt)`, kind: 'any' };
  }
}

/** Generates the source of a rule function (exported for the structure fuzz test). */
export function generateRuleSource(
  logic: unknown,
  eager: ReadonlyMap<string, EagerOperator>,
): GeneratedRule {
  const g = new Generator(eager);
  const result = g.node(logic, 'd', 0);
  // `bind` gives each compiled rule its own small entry function (its own call feedback).
  const source = `${PROLOGUE}function rule(d, rt) {\n${g.body()}\nreturn ${result.e};\n}\nreturn { rule, bind: (rt) => (d) => rule(d, rt) };`;
  return { source, constants: g.constants, closures: g.closures };
}

/**
 * Compiles with generated code when the environment allows `new Function`; returns undefined
 * when it does not (EvalError under a CSP without 'unsafe-eval'), so the caller uses closures.
 */
export type GeneratedFunctions = {
  rule: Closure;
  bind: (rt: Runtime) => (data: unknown) => unknown;
};

export function tryCodegen(
  logic: unknown,
  eager: ReadonlyMap<string, EagerOperator>,
): GeneratedFunctions | undefined {
  const { source, constants, closures } = generateRuleSource(logic, eager);
  let factory: (h: unknown, k: unknown[], c: unknown[]) => GeneratedFunctions;
  try {
    // Fixed templates only; user values are JSON literals or indexed constants (see header).
    // eslint-disable-next-line no-new-func
    factory = new Function('h', 'k', 'c', source) as typeof factory;
  } catch (error) {
    if (error instanceof EvalError) return undefined;
    throw error;
  }
  return factory(HELPERS, constants, closures);
}
