// Rules R5–R8: untrusted rules cannot reach prototypes, call methods, run unbounded, or hang on
// a regular expression.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compile, evaluate, explain, RuleError, validateRule } from './index.js';

const modes: [string, (rule: unknown, data: unknown, limits?: object) => unknown][] = [
  ['evaluate', (rule, data, limits) => evaluate(rule, data, { limits })],
  ['compile (closures)', (rule, data, limits) => compile(rule, { limits, codegen: false })(data)],
  ['compile (generated)', (rule, data, limits) => compile(rule, { limits })(data)],
  ['explain', (rule, data, limits) => explain(rule, data, { limits }).value],
];

function throwsCode(run: () => unknown, code: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof RuleError, `expected a RuleError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

describe('R5 prototype paths yield null', () => {
  const record = { name: '张伟', customer: { level: 1 } };
  const cases: [string, unknown, unknown][] = [
    ['__proto__', { var: '__proto__' }, null],
    ['constructor', { var: 'constructor' }, null],
    ['constructor.prototype', { var: 'customer.constructor.prototype' }, null],
    ['__proto__ with a default', { var: ['__proto__', '无'] }, '无'],
    ['inherited method names', { var: 'toString' }, null],
    ['hasOwnProperty', { var: 'customer.hasOwnProperty' }, null],
    ['a method of a string', { var: 'name.toUpperCase' }, null],
    ['computed path to the prototype', { var: { cat: ['__pro', 'to__'] } }, null],
    ['missing treats a prototype path as missing', { missing: ['constructor'] }, ['constructor']],
  ];
  for (const [mode, run] of modes) {
    for (const [title, rule, expected] of cases) {
      it(`${mode}: ${title}`, () => assert.deepStrictEqual(run(rule, record), expected));
    }
  }
  it('an own "__proto__" key in parsed JSON data is not read either', () => {
    const data = JSON.parse('{"__proto__": {"isAdmin": true}, "a": 1}') as unknown;
    for (const [, run] of modes) assert.equal(run({ var: '__proto__.isAdmin' }, data), null);
  });
  it('evaluating hostile rules never changes Object.prototype', () => {
    const hostile = [
      { merge: [{ var: '__proto__' }, [1]] },
      { map: [[{}], { var: 'constructor.prototype' }] },
      { reduce: [[1, 2], { cat: [{ var: 'accumulator.__proto__' }, 'x'] }, ''] },
      { if: [{ var: 'constructor' }, 'polluted', 'clean'] },
    ];
    for (const rule of hostile) for (const [, run] of modes) run(rule, {});
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(Object.keys(Object.prototype), []);
  });
  it('validateRule flags forbidden paths', () => {
    const issues = validateRule({ and: [{ var: 'a.__proto__' }, { var: 'constructor' }] });
    assert.deepEqual(
      issues.map((i) => [i.path, i.code]),
      [
        ['and.0.var', 'forbidden_path'],
        ['and.1.var', 'forbidden_path'],
      ],
    );
  });
});

describe('R6 there is no method operator', () => {
  for (const [mode, run] of modes) {
    it(`${mode}: method throws unknown_operator`, () => {
      throwsCode(() => run({ method: ['toUpperCase', []] }, {}), 'unknown_operator');
      throwsCode(
        () => run({ method: [{ var: 'name' }, 'constructor', ['return 1']] }, { name: 'x' }),
        'unknown_operator',
      );
    });
  }
  it('validateRule explains that method is not available', () => {
    const [issue] = validateRule({ method: ['a', 'b'] });
    assert.equal(issue?.code, 'unknown_operator');
    assert.match(issue?.message ?? '', /method/);
  });
});

describe('R7 evaluation is bounded', () => {
  const nest = (depth: number): unknown => {
    let rule: unknown = { var: 'a' };
    for (let i = 0; i < depth; i++) rule = { '!': [rule] };
    return rule;
  };
  for (const [mode, run] of modes) {
    it(`${mode}: a rule nested 100 000 deep fails with too_deep, not a stack overflow`, () => {
      throwsCode(() => run(nest(100_000), { a: 1 }), 'too_deep');
    });
    it(`${mode}: a rule within the depth limit (40 nested operations) runs`, () => {
      assert.equal(run(nest(40), { a: 1 }), true);
    });
    it(`${mode}: more nodes than allowed fails with too_many_nodes`, () => {
      const wide = { in: [{ var: 'a' }, Array.from({ length: 20_000 }, (_, i) => i)] };
      throwsCode(() => run(wide, { a: 1 }), 'too_many_nodes');
    });
    it(`${mode}: iterating a huge array fails with array_too_large`, () => {
      const items = new Array(200_000).fill(1);
      throwsCode(
        () => run({ map: [{ var: 'items' }, { '+': [{ var: '' }, 1] }] }, { items }),
        'array_too_large',
      );
      throwsCode(() => run({ some: [{ var: 'items' }, false] }, { items }), 'array_too_large');
    });
    it(`${mode}: merge cannot build a huge array`, () => {
      const items = new Array(6_000).fill(0);
      throwsCode(
        () => run({ merge: [{ var: 'items' }, { var: 'items' }] }, { items }),
        'array_too_large',
      );
    });
    it(`${mode}: nested iteration runs out of the step budget`, () => {
      // 2 000 records × 2 000 inner items × a 4-node body = 16 M steps, over the 1 M budget.
      const items = Array.from({ length: 2_000 }, (_, i) => i);
      const square = { map: [{ var: 'items' }, { some: [{ var: 'items' }, false] }] };
      throwsCode(
        () => run(square, { items: items.map(() => ({ items })) }),
        'step_budget_exceeded',
      );
      const small = { items: items.slice(0, 50).map(() => ({ items: items.slice(0, 50) })) };
      assert.equal((run(square, small) as unknown[]).length, 50);
    });
    it(`${mode}: cat cannot build a huge string`, () => {
      const doubling = {
        reduce: [{ var: 'items' }, { cat: [{ var: 'accumulator' }, { var: 'accumulator' }] }, 'ab'],
      };
      throwsCode(() => run(doubling, { items: new Array(40).fill(0) }), 'string_too_long');
    });
    it(`${mode}: the limits can be tightened per call`, () => {
      throwsCode(() => run(nest(6), { a: 1 }, { maxDepth: 5 }), 'too_deep');
      throwsCode(
        () => run({ map: [[1, 2, 3], { var: '' }] }, {}, { maxArraySize: 2 }),
        'array_too_large',
      );
      throwsCode(
        () => run({ map: [[1, 2, 3], { '+': [{ var: '' }, 1] }] }, {}, { maxSteps: 5 }),
        'step_budget_exceeded',
      );
    });
  }
  it('the step budget is per call: a compiled rule can run again and again', () => {
    const rule = compile(
      { all: [{ var: 'items' }, { '>': [{ var: '' }, 0] }] },
      { limits: { maxSteps: 100 } },
    );
    for (let i = 0; i < 1_000; i++)
      assert.equal(rule({ items: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }), true);
  });
  it('logic smuggled in through data is bounded too (missing re-applies keys)', () => {
    let deep: unknown = 'a';
    for (let i = 0; i < 200; i++) deep = { var: [deep] };
    throwsCode(() => evaluate({ missing: [{ var: 'k' }] }, { k: deep }), 'too_deep');
    throwsCode(() => compile({ missing: [{ var: 'k' }] })({ k: deep }), 'too_deep');
  });
  it('validateRule reports depth and size at once, with paths', () => {
    const issues = validateRule({
      and: [nest(70), { in: [1, Array.from({ length: 20_000 }, () => 0)] }],
    });
    assert.deepEqual(
      issues.map((i) => i.code),
      ['too_deep', 'too_many_nodes'],
    );
  });
});

describe('R8 regex_match cannot backtrack catastrophically', () => {
  const hostile: [string, string, string][] = [
    ['nested plus', '^(a+)+$', 'a'.repeat(5_000) + '!'],
    ['alternation under a star', '^(a|a)*$', 'a'.repeat(5_000) + '!'],
    ['overlapping stars', '^a*a*a*a*a*a*a*a*b$', 'a'.repeat(5_000)],
    [
      'email-like blow-up',
      '^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$',
      'a'.repeat(3_000) + '!',
    ],
  ];
  for (const [title, pattern, input] of hostile) {
    it(`${title} finishes quickly and answers like JavaScript would`, () => {
      const started = performance.now();
      for (const [, run] of modes)
        assert.equal(run({ regex_match: [{ var: 's' }, pattern] }, { s: input }), false);
      assert.ok(performance.now() - started < 2_000, `took ${performance.now() - started} ms`);
    });
  }
  it('refuses backreferences and lookaround with a coded error', () => {
    throwsCode(() => evaluate({ regex_match: ['aa', '(a)\\1'] }, {}), 'regex_unsupported');
    throwsCode(() => evaluate({ regex_match: ['ab', 'a(?=b)'] }, {}), 'regex_unsupported');
    throwsCode(() => evaluate({ regex_match: ['ab', '(?<!x)b'] }, {}), 'regex_unsupported');
    assert.deepEqual(
      validateRule({ regex_match: [{ var: 'phone' }, '(\\d)\\1'] }).map((i) => [i.path, i.code]),
      [['regex_match.1', 'regex_unsupported']],
    );
  });
  it('caps the input length', () => {
    throwsCode(
      () => evaluate({ regex_match: [{ var: 's' }, 'a'] }, { s: 'b'.repeat(20_000) }),
      'regex_input_too_long',
    );
  });
  it('refuses repetition counts that would blow up the program', () => {
    throwsCode(
      () => evaluate({ regex_match: ['a', '((a{1000}){1000}){1000}'] }, {}),
      'regex_too_complex',
    );
  });
});

describe('log never writes to the console', () => {
  it('returns its argument and hands it to the sink only', () => {
    const original = console.log;
    const printed: unknown[] = [];
    console.log = (...args: unknown[]) => printed.push(args);
    try {
      const sink: unknown[] = [];
      assert.equal(evaluate({ log: { var: 'a' } }, { a: '王芳' }, { logSink: sink }), '王芳');
      assert.equal(compile({ log: [{ '+': [1, 2] }] }, { logSink: sink })({}), 3);
      assert.equal(compile({ log: 'x' }, { codegen: false })({}), 'x');
      assert.deepEqual(sink, ['王芳', 3]);
    } finally {
      console.log = original;
    }
    assert.deepEqual(printed, []);
  });
});
