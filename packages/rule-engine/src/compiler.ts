// Compiles JsonLogic to a tree of closures (no code generation: works under a CSP without
// 'unsafe-eval'). Each node is specialised on its shape; results are identical to the interpreter.
import {
  argsOf,
  BLOCKED_SEGMENTS,
  catOp,
  inOp,
  isLogic,
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

export type Closure = (data: unknown, rt: Runtime) => unknown;

/** What the compiler knows about a compiled node. */
type Compiled = {
  fn: Closure;
  /** 'bool' when the node always yields a boolean. */
  kind: 'const' | 'bool' | 'any';
  /** For constants: the value (arrays are copied on each evaluation). */
  value?: unknown;
};

type Ctx = { eager: ReadonlyMap<string, EagerOperator> };

const FN = (value: unknown): value is (...args: unknown[]) => unknown =>
  typeof value === 'function';

function constant(value: unknown): Compiled {
  return { fn: () => value, kind: 'const', value };
}

function any(fn: Closure): Compiled {
  return { fn, kind: 'any' };
}

function bool(fn: Closure): Compiled {
  return { fn, kind: 'bool' };
}

export function compileRule(
  logic: unknown,
  eager: ReadonlyMap<string, EagerOperator>,
  depth = 0,
): Closure {
  return compileNode(logic, { eager }, depth).fn;
}

function compileNode(logic: unknown, ctx: Ctx, depth: number): Compiled {
  if (Array.isArray(logic)) return compileArray(logic, ctx, depth);
  if (!isLogic(logic)) return constant(logic);
  const op = operatorOf(logic);
  const args = argsOf(logic, op);
  switch (op) {
    case 'var':
      return compileVar(args, ctx, depth);
    case 'if':
    case '?:':
      return compileIf(args, ctx, depth);
    case 'and':
      return compileAnd(args, ctx, depth);
    case 'or':
      return compileOr(args, ctx, depth);
    case 'map':
    case 'filter':
    case 'all':
    case 'none':
    case 'some':
    case 'reduce':
      return compileIteration(op, args, ctx, depth);
  }
  const compiled = args.map((a) => compileNode(a, ctx, depth + 1));
  const special = compileStandard(op, compiled);
  if (special !== undefined) return special;
  const fn = ctx.eager.get(op);
  const fns = compiled.map((c) => c.fn);
  if (fn === undefined) {
    return any((d, rt) => {
      for (let i = 0; i < fns.length; i++) (fns[i] as Closure)(d, rt);
      return unknownOperator(op);
    });
  }
  return any(eagerCall(fn, fns, depth));
}

function eagerCall(fn: EagerOperator, fns: Closure[], depth: number): Closure {
  switch (fns.length) {
    case 0:
      return (d, rt) => fn([], d, rt, depth);
    case 1: {
      const a = fns[0] as Closure;
      return (d, rt) => fn([a(d, rt)], d, rt, depth);
    }
    case 2: {
      const a = fns[0] as Closure;
      const b = fns[1] as Closure;
      return (d, rt) => fn([a(d, rt), b(d, rt)], d, rt, depth);
    }
    case 3: {
      const a = fns[0] as Closure;
      const b = fns[1] as Closure;
      const c = fns[2] as Closure;
      return (d, rt) => fn([a(d, rt), b(d, rt), c(d, rt)], d, rt, depth);
    }
    default:
      return (d, rt) => {
        const values = new Array<unknown>(fns.length);
        for (let i = 0; i < fns.length; i++) values[i] = (fns[i] as Closure)(d, rt);
        return fn(values, d, rt, depth);
      };
  }
}

function compileArray(items: readonly unknown[], ctx: Ctx, depth: number): Compiled {
  const compiled = items.map((item) => compileNode(item, ctx, depth + 1));
  if (
    compiled.every((c) => c.kind === 'const' && (typeof c.value !== 'object' || c.value === null))
  ) {
    const values = compiled.map((c) => c.value);
    return { fn: () => values.slice(), kind: 'any', value: values };
  }
  const fns = compiled.map((c) => c.fn);
  return any((d, rt) => {
    const out = new Array<unknown>(fns.length);
    for (let i = 0; i < fns.length; i++) out[i] = (fns[i] as Closure)(d, rt);
    return out;
  });
}

/** A reader for a static dotted path (never reaches a prototype). */
export function pathReader(path: string, notFound: unknown): Closure {
  if (path === '') return (d) => d;
  const segments = path.split('.');
  if (segments.some((s) => BLOCKED_SEGMENTS.has(s))) {
    // Still returns the data for a nullish root, like any missing path: the default.
    return () => notFound;
  }
  if (segments.length === 1) {
    const k = segments[0] as string;
    return (d) => {
      if (d === null || d === undefined) return notFound;
      const v = (d as Record<string, unknown>)[k];
      return v === undefined || FN(v) ? notFound : v;
    };
  }
  if (segments.length === 2) {
    const k1 = segments[0] as string;
    const k2 = segments[1] as string;
    return (d) => {
      if (d === null || d === undefined) return notFound;
      const v1 = (d as Record<string, unknown>)[k1];
      if (v1 === undefined || v1 === null || FN(v1)) return notFound;
      const v = (v1 as Record<string, unknown>)[k2];
      return v === undefined || FN(v) ? notFound : v;
    };
  }
  return (d) => {
    let current = d;
    for (let i = 0; i < segments.length; i++) {
      if (current === null || current === undefined) return notFound;
      current = (current as Record<string, unknown>)[segments[i] as string];
      if (current === undefined || FN(current)) return notFound;
    }
    return current;
  };
}

function compileVar(args: readonly unknown[], ctx: Ctx, depth: number): Compiled {
  const path = staticVarPath(args);
  const fallback = args[1] === undefined ? undefined : compileNode(args[1], ctx, depth + 1);
  if (path !== undefined && (fallback === undefined || fallback.kind === 'const')) {
    const notFound = fallback === undefined || fallback.value === undefined ? null : fallback.value;
    return any(pathReader(path, notFound));
  }
  const fns = [compileNode(args[0], ctx, depth + 1).fn];
  if (fallback !== undefined) fns.push(fallback.fn);
  return any(eagerCall(ctx.eager.get('var') as EagerOperator, fns, depth));
}

function asBoolean(c: Compiled): (d: unknown, rt: Runtime) => boolean {
  const f = c.fn;
  if (c.kind === 'bool') return f as (d: unknown, rt: Runtime) => boolean;
  if (c.kind === 'const') {
    const t = truthy(c.value);
    return () => t;
  }
  return (d, rt) => {
    const v = f(d, rt);
    return Array.isArray(v) ? v.length > 0 : !!v;
  };
}

function compileIf(args: readonly unknown[], ctx: Ctx, depth: number): Compiled {
  const compiled = args.map((a) => compileNode(a, ctx, depth + 1));
  if (compiled.length === 0) return constant(null);
  if (compiled.length === 1) return compiled[0] as Compiled;
  if (compiled.length === 2) {
    const test = asBoolean(compiled[0] as Compiled);
    const then = (compiled[1] as Compiled).fn;
    return any((d, rt) => (test(d, rt) ? then(d, rt) : null));
  }
  const tests: ((d: unknown, rt: Runtime) => boolean)[] = [];
  const thens: Closure[] = [];
  let i = 0;
  for (; i < compiled.length - 1; i += 2) {
    tests.push(asBoolean(compiled[i] as Compiled));
    thens.push((compiled[i + 1] as Compiled).fn);
  }
  const otherwise = i < compiled.length ? (compiled[i] as Compiled).fn : () => null;
  const allBool =
    compiled.length % 2 === 1 &&
    compiled.every((c, j) => (j % 2 === 0 && j < compiled.length - 1) || c.kind === 'bool');
  if (tests.length === 1) {
    const test = tests[0] as (d: unknown, rt: Runtime) => boolean;
    const then = thens[0] as Closure;
    const fn: Closure = (d, rt) => (test(d, rt) ? then(d, rt) : otherwise(d, rt));
    return allBool ? bool(fn) : any(fn);
  }
  const fn: Closure = (d, rt) => {
    for (let j = 0; j < tests.length; j++) {
      if ((tests[j] as (d: unknown, rt: Runtime) => boolean)(d, rt))
        return (thens[j] as Closure)(d, rt);
    }
    return otherwise(d, rt);
  };
  return allBool ? bool(fn) : any(fn);
}

function compileAnd(args: readonly unknown[], ctx: Ctx, depth: number): Compiled {
  const compiled = args.map((a) => compileNode(a, ctx, depth + 1));
  if (compiled.length === 0) return constant(undefined);
  if (compiled.length === 1) return compiled[0] as Compiled;
  const last = compiled[compiled.length - 1] as Compiled;
  const headsBool = compiled.slice(0, -1).every((c) => c.kind === 'bool');
  const kind = headsBool && last.kind === 'bool' ? 'bool' : 'any';
  if (headsBool) {
    const f = compiled.map((c) => c.fn) as ((d: unknown, rt: Runtime) => boolean)[];
    const [a, b, c, e] = f as [Closure, Closure, Closure, Closure];
    if (f.length === 2) return { kind, fn: (d, rt) => a(d, rt) && b(d, rt) };
    if (f.length === 3) return { kind, fn: (d, rt) => a(d, rt) && b(d, rt) && c(d, rt) };
    if (f.length === 4)
      return { kind, fn: (d, rt) => a(d, rt) && b(d, rt) && c(d, rt) && e(d, rt) };
    const n = f.length - 1;
    const lastFn = last.fn;
    return {
      kind,
      fn: (d, rt) => {
        for (let i = 0; i < n; i++) if (!(f[i] as Closure)(d, rt)) return false;
        return lastFn(d, rt);
      },
    };
  }
  const fns = compiled.map((c) => c.fn);
  return {
    kind,
    fn: (d, rt) => {
      let current: unknown;
      for (let i = 0; i < fns.length; i++) {
        current = (fns[i] as Closure)(d, rt);
        if (Array.isArray(current) ? current.length === 0 : !current) return current;
      }
      return current;
    },
  };
}

function compileOr(args: readonly unknown[], ctx: Ctx, depth: number): Compiled {
  const compiled = args.map((a) => compileNode(a, ctx, depth + 1));
  if (compiled.length === 0) return constant(undefined);
  if (compiled.length === 1) return compiled[0] as Compiled;
  const last = compiled[compiled.length - 1] as Compiled;
  const headsBool = compiled.slice(0, -1).every((c) => c.kind === 'bool');
  const kind = headsBool && last.kind === 'bool' ? 'bool' : 'any';
  if (headsBool) {
    const f = compiled.map((c) => c.fn);
    const [a, b, c, e] = f as [Closure, Closure, Closure, Closure];
    if (f.length === 2) return { kind, fn: (d, rt) => a(d, rt) || b(d, rt) };
    if (f.length === 3) return { kind, fn: (d, rt) => a(d, rt) || b(d, rt) || c(d, rt) };
    if (f.length === 4)
      return { kind, fn: (d, rt) => a(d, rt) || b(d, rt) || c(d, rt) || e(d, rt) };
    const n = f.length - 1;
    const lastFn = last.fn;
    return {
      kind,
      fn: (d, rt) => {
        for (let i = 0; i < n; i++) if ((f[i] as Closure)(d, rt)) return true;
        return lastFn(d, rt);
      },
    };
  }
  const fns = compiled.map((c) => c.fn);
  return {
    kind,
    fn: (d, rt) => {
      let current: unknown;
      for (let i = 0; i < fns.length; i++) {
        current = (fns[i] as Closure)(d, rt);
        if (Array.isArray(current) ? current.length > 0 : !!current) return current;
      }
      return current;
    },
  };
}

function compileIteration(op: string, args: readonly unknown[], ctx: Ctx, depth: number): Compiled {
  const source = compileNode(args[0], ctx, depth + 1).fn;
  const bodyLogic = args[1];
  const cost = bodyCost(bodyLogic);
  const bodyCompiled = compileNode(bodyLogic, ctx, depth + 1);
  const body = bodyCompiled.fn;
  const test = asBoolean(bodyCompiled);
  switch (op) {
    case 'map':
      return any((d, rt) => {
        const items = source(d, rt);
        if (!Array.isArray(items)) return [];
        chargeIterations(rt, items.length, cost);
        const out = new Array<unknown>(items.length);
        for (let i = 0; i < items.length; i++) out[i] = body(items[i], rt);
        return out;
      });
    case 'filter':
      return any((d, rt) => {
        const items = source(d, rt);
        if (!Array.isArray(items)) return [];
        chargeIterations(rt, items.length, cost);
        const out: unknown[] = [];
        for (let i = 0; i < items.length; i++) if (test(items[i], rt)) out.push(items[i]);
        return out;
      });
    case 'all':
      return bool((d, rt) => {
        const items = source(d, rt);
        if (!Array.isArray(items) || items.length === 0) return false;
        chargeIterations(rt, items.length, cost);
        for (let i = 0; i < items.length; i++) if (!test(items[i], rt)) return false;
        return true;
      });
    case 'none':
      return bool((d, rt) => {
        const items = source(d, rt);
        if (!Array.isArray(items) || items.length === 0) return true;
        chargeIterations(rt, items.length, cost);
        for (let i = 0; i < items.length; i++) if (test(items[i], rt)) return false;
        return true;
      });
    case 'some':
      return bool((d, rt) => {
        const items = source(d, rt);
        if (!Array.isArray(items) || items.length === 0) return false;
        chargeIterations(rt, items.length, cost);
        for (let i = 0; i < items.length; i++) if (test(items[i], rt)) return true;
        return false;
      });
    default: {
      const initial = args[2] !== undefined ? compileNode(args[2], ctx, depth + 1).fn : () => null;
      return any((d, rt) => {
        const items = source(d, rt);
        const start = initial(d, rt);
        if (!Array.isArray(items)) return start;
        chargeIterations(rt, items.length, cost);
        let accumulator = start;
        for (let i = 0; i < items.length; i++) {
          accumulator = body({ current: items[i], accumulator }, rt);
        }
        return accumulator;
      });
    }
  }
}

type Cmp = (a: unknown, b: unknown) => boolean;

/** Binary comparison closures, specialised when one side is a constant. */
function comparison(
  a: Compiled,
  b: Compiled,
  generic: Cmp,
  withConstRight: (f: Closure, c: unknown) => Closure,
): Compiled {
  if (b.kind === 'const') return bool(withConstRight(a.fn, b.value));
  const fa = a.fn;
  const fb = b.fn;
  return bool((d, rt) => generic(fa(d, rt), fb(d, rt)));
}

function num(v: unknown): number {
  return v as number;
}

function compileStandard(op: string, c: readonly Compiled[]): Compiled | undefined {
  const n = c.length;
  const a = c[0] as Compiled;
  const b = c[1] as Compiled;
  switch (op) {
    case '==':
      if (n !== 2) return undefined;
      return comparison(
        a,
        b,
        (x, y) => x == y,
        (f, k) => (d, rt) => f(d, rt) == k,
      );
    case '===':
      if (n !== 2) return undefined;
      return comparison(
        a,
        b,
        (x, y) => x === y,
        (f, k) => (d, rt) => f(d, rt) === k,
      );
    case '!=':
      if (n !== 2) return undefined;
      return comparison(
        a,
        b,
        (x, y) => x != y,
        (f, k) => (d, rt) => f(d, rt) != k,
      );
    case '!==':
      if (n !== 2) return undefined;
      return comparison(
        a,
        b,
        (x, y) => x !== y,
        (f, k) => (d, rt) => f(d, rt) !== k,
      );
    case '>':
      if (n !== 2) return undefined;
      return comparison(
        a,
        b,
        (x, y) => num(x) > num(y),
        (f, k) => (d, rt) => num(f(d, rt)) > num(k),
      );
    case '>=':
      if (n !== 2) return undefined;
      return comparison(
        a,
        b,
        (x, y) => num(x) >= num(y),
        (f, k) => (d, rt) => num(f(d, rt)) >= num(k),
      );
    case '<':
      if (n === 2) {
        return comparison(
          a,
          b,
          (x, y) => num(x) < num(y),
          (f, k) => (d, rt) => num(f(d, rt)) < num(k),
        );
      }
      if (n === 3 && c[2]?.kind === 'const' && c[2].value !== undefined) {
        const fb = b.fn;
        const fa = a.fn;
        const hi = c[2].value;
        if (a.kind === 'const') {
          const lo = a.value;
          return bool((d, rt) => {
            const x = fb(d, rt);
            return num(lo) < num(x) && num(x) < num(hi);
          });
        }
        return bool((d, rt) => {
          const lo = fa(d, rt);
          const x = fb(d, rt);
          return num(lo) < num(x) && num(x) < num(hi);
        });
      }
      return undefined;
    case '<=':
      if (n === 2) {
        return comparison(
          a,
          b,
          (x, y) => num(x) <= num(y),
          (f, k) => (d, rt) => num(f(d, rt)) <= num(k),
        );
      }
      if (n === 3 && c[2]?.kind === 'const' && c[2].value !== undefined) {
        const fb = b.fn;
        const fa = a.fn;
        const hi = c[2].value;
        if (a.kind === 'const') {
          const lo = a.value;
          return bool((d, rt) => {
            const x = fb(d, rt);
            return num(lo) <= num(x) && num(x) <= num(hi);
          });
        }
        return bool((d, rt) => {
          const lo = fa(d, rt);
          const x = fb(d, rt);
          return num(lo) <= num(x) && num(x) <= num(hi);
        });
      }
      return undefined;
    case '!':
      if (n === 0) return constant(true);
      {
        const t = asBoolean(a);
        const rest = c.slice(1).map((x) => x.fn);
        if (rest.length === 0) return bool((d, rt) => !t(d, rt));
        return bool((d, rt) => {
          const r = !t(d, rt);
          for (const f of rest) f(d, rt);
          return r;
        });
      }
    case '!!':
      if (n !== 1) return undefined;
      return bool(asBoolean(a));
    case 'in':
      if (n !== 2) return undefined;
      // A literal array of constants (kind 'any', since each evaluation returns a fresh copy).
      if (Array.isArray(b.value)) {
        const list = b.value as unknown[];
        const fa = a.fn;
        if (list.length > 8 && list.every((x) => typeof x === 'string')) {
          const set = new Set<unknown>(list);
          return bool((d, rt) => set.has(fa(d, rt)));
        }
        return bool((d, rt) => list.indexOf(fa(d, rt)) !== -1);
      }
      if (b.kind === 'const' && typeof b.value === 'string' && b.value !== '') {
        const s = b.value;
        const fa = a.fn;
        return bool((d, rt) => s.indexOf(String(fa(d, rt))) !== -1);
      }
      {
        const fa = a.fn;
        const fb = b.fn;
        return bool((d, rt) => inOp(fa(d, rt), fb(d, rt)));
      }
    case '+': {
      if (n === 2) {
        const fa = a.fn;
        const fb = b.fn;
        return any((d, rt) => 0 + toFloat(fa(d, rt)) + toFloat(fb(d, rt)));
      }
      const fns = c.map((x) => x.fn);
      return any((d, rt) => plusOp(fns.map((f) => f(d, rt))));
    }
    case '-': {
      if (n === 2) {
        const fa = a.fn;
        const fb = b.fn;
        return any((d, rt) => {
          const x = fa(d, rt);
          const y = fb(d, rt);
          return y === undefined ? -num(x) : num(x) - num(y);
        });
      }
      return undefined;
    }
    case '*': {
      if (n === 2) {
        const fa = a.fn;
        const fb = b.fn;
        return any((d, rt) => toFloat(fa(d, rt)) * toFloat(fb(d, rt)));
      }
      if (n === 0) return undefined;
      const fns = c.map((x) => x.fn);
      return any((d, rt) => timesOp(fns.map((f) => f(d, rt))));
    }
    case '/': {
      if (n !== 2) return undefined;
      const fa = a.fn;
      const fb = b.fn;
      return any((d, rt) => num(fa(d, rt)) / num(fb(d, rt)));
    }
    case '%': {
      if (n !== 2) return undefined;
      const fa = a.fn;
      const fb = b.fn;
      return any((d, rt) => num(fa(d, rt)) % num(fb(d, rt)));
    }
    case 'cat': {
      const fns = c.map((x) => x.fn);
      return any((d, rt) =>
        catOp(
          fns.map((f) => f(d, rt)),
          rt,
        ),
      );
    }
    case 'substr': {
      const fns = c.map((x) => x.fn);
      // Every argument is evaluated (an extra one may throw), like json-logic-js.
      return any((d, rt) => {
        const v = fns.map((f) => f(d, rt));
        return substrOp(v[0], v[1], v[2]);
      });
    }
  }
  return undefined;
}
