// Rule R1: standard operators give the results of json-logic-js 2.0.5, in every mode
// (interpreter, closure compiler, generated code, explain).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import jsonLogic from 'json-logic-js';
import cases from './fixtures/json-logic-conformance.json' with { type: 'json' };
import { compile, evaluate, explain } from './index.js';

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function attempt(run: () => unknown): Outcome {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return { ok: false, error };
  }
}

function reference(rule: unknown, data: unknown): Outcome {
  return attempt(() => jsonLogic.apply(rule as jsonLogic.RulesLogic, data));
}

/** Every way this package evaluates a rule. */
const MODES: Record<string, (rule: unknown, data: unknown) => unknown> = {
  interpreter: (rule, data) => evaluate(rule, data),
  closures: (rule, data) => compile(rule, { codegen: false })(data),
  codegen: (rule, data) => compile(rule)(data),
  explain: (rule, data) => explain(rule, data).value,
};

function assertSameAsReference(rule: unknown, data: unknown): void {
  const expected = reference(rule, data);
  for (const [mode, run] of Object.entries(MODES)) {
    const got = attempt(() => run(rule, data));
    const label = `${mode}: ${JSON.stringify(rule)} on ${JSON.stringify(data)}`;
    if (!expected.ok) {
      assert.equal(
        got.ok,
        false,
        `${label} should throw like json-logic-js (${String(expected.error)})`,
      );
    } else {
      assert.ok(got.ok, `${label} threw ${got.ok ? '' : String(got.error)}`);
      assert.deepStrictEqual(got.value, expected.value, label);
    }
  }
}

type Case = [unknown, unknown, unknown];
const table = (cases as unknown[]).filter((c): c is Case => Array.isArray(c));

describe('json-logic conformance fixture', () => {
  it('holds the well-known cases, each verified against json-logic-js', () => {
    assert.ok(table.length >= 300, `only ${table.length} cases`);
    for (const [rule, data, expected] of table) {
      assert.deepStrictEqual(
        jsonLogic.apply(rule as jsonLogic.RulesLogic, data),
        expected,
        JSON.stringify(rule),
      );
    }
  });
  for (const [mode, run] of Object.entries(MODES)) {
    it(`${mode} gives the expected result for all ${table.length} cases`, () => {
      for (const [rule, data, expected] of table) {
        assert.deepStrictEqual(
          run(rule, data),
          expected,
          `${JSON.stringify(rule)} on ${JSON.stringify(data)}`,
        );
      }
    });
  }
});

describe('results that JSON cannot hold (undefined, NaN, -0) and errors', () => {
  const edge: [string, unknown, unknown][] = [
    ['and of nothing is undefined', { and: [] }, {}],
    ['or of nothing is undefined', { or: [] }, {}],
    ['var "" without data is undefined', { var: '' }, undefined],
    ['+ of a word is NaN', { '+': ['abc'] }, {}],
    ['+ of true is NaN', { '+': [true, 1] }, {}],
    [
      'reduce without initial starts from null',
      { reduce: [{ var: 'x' }, { '+': [{ var: 'current' }, { var: 'accumulator' }] }] },
      { x: [1, 2] },
    ],
    ['unary minus of 0 is -0', { '-': [0] }, {}],
    ['0 times -1 is -0', { '*': [0, -1] }, {}],
    ['negative zero from data stays', { '*': [{ var: 'z' }] }, { z: -0 }],
    ['plus turns -0 into 0', { '+': [{ var: 'z' }] }, { z: -0 }],
    ['division by zero is Infinity', { '/': [1, 0] }, {}],
    ['max of nothing is -Infinity', { max: [] }, {}],
    ['min of an object is NaN', { min: [{ var: 'o' }] }, { o: { a: 1 } }],
    ['- of nothing is NaN', { '-': [] }, {}],
    ['map body missing gives undefined items', { map: [[1, 2]] }, {}],
    ['unknown operator throws', { fly: [1] }, {}],
    [
      'unknown operator inside an untaken branch does not throw',
      { if: [false, { fly: [1] }, 'ok'] },
      {},
    ],
    ['and short-circuits before an unknown operator', { and: [false, { fly: [1] }] }, {}],
    ['between evaluates all three arguments', { '<': [1, 0, { fly: [] }] }, {}],
    ['* of nothing throws', { '*': [] }, {}],
    ['missing_some without keys throws', { missing_some: [1, null] }, null],
    ['dotted operator names are not methods', { 'var.length': [] }, {}],
    // Regression (found by the property test): json-logic-js checks `!b` first.
    [
      'nothing is in an empty string, not even an empty string',
      { in: [{ var: 'items' }, ''] },
      { items: [] },
    ],
    ['"" is not in ""', { in: ['', ''] }, {}],
    // Regression (found by the property test): extra arguments are still evaluated.
    [
      'substr evaluates a fourth argument that throws',
      { substr: ['abc', 0, 1, { missing_some: [] }] },
      { n: 0 },
    ],
    ['missing re-applies keys that are logic', { missing: [{ var: 'k' }] }, { k: 'phone' }],
    [
      'missing_some re-applies logic in its list',
      { missing_some: [1, [{ var: 'k' }, 'b']] },
      { k: 'a', b: 1 },
    ],
  ];
  for (const [title, rule, data] of edge) it(title, () => assertSameAsReference(rule, data));
});

// ---------------------------------------------------------------------------------------------
// Property tests: random rules and data against json-logic-js.

const KEYS = ['a', 'b', 'c', 'n', 's', 'items', 'x', '0', '1', 'current', 'accumulator'];
const PATHS = [
  '',
  'a',
  'b',
  'c',
  'n',
  's',
  'items',
  'a.b',
  'a.b.c',
  'items.0',
  'items.1.a',
  'x.0',
  'current',
  'accumulator',
];
const STRINGS = [
  '',
  '0',
  '1',
  '2.5',
  '-3',
  'a',
  'b',
  'apple',
  '上海',
  'x,y',
  ' 7 ',
  'true',
  'null',
];

const primitive = fc.oneof(
  fc.integer({ min: -6, max: 6 }),
  fc.double({ min: -100, max: 100 }),
  fc.constantFrom(...STRINGS),
  fc.boolean(),
  fc.constant(null),
);

const { value: dataValue } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 4 }),
  ),
}));

const STANDARD_OPS = [
  '==',
  '===',
  '!=',
  '!==',
  '>',
  '>=',
  '<',
  '<=',
  '!',
  '!!',
  'or',
  'and',
  'if',
  '?:',
  '+',
  '-',
  '*',
  '/',
  '%',
  'max',
  'min',
  'merge',
  'in',
  'cat',
  'substr',
  'missing',
  'missing_some',
];

const { rule: randomRule } = fc.letrec((tie) => ({
  rule: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    tie('var'),
    tie('op'),
    tie('op'),
    tie('iteration'),
    fc.array(tie('rule'), { maxLength: 3 }),
  ),
  var: fc.oneof(
    fc.constantFrom(...PATHS).map((p) => ({ var: p })),
    fc.tuple(fc.constantFrom(...PATHS), primitive).map((args) => ({ var: args })),
    tie('rule').map((p) => ({ var: [p] })),
  ),
  op: fc.oneof(
    fc
      .tuple(fc.constantFrom(...STANDARD_OPS), fc.array(tie('rule'), { maxLength: 4 }))
      .map(([op, args]) => ({ [op]: args })),
    fc
      .tuple(fc.constantFrom('!', '!!', 'cat', '-', 'missing', 'if'), tie('rule'))
      .map(([op, arg]) => ({ [op]: arg })),
    fc
      .tuple(fc.constantFrom('==', '!=', '<', '>=', 'in'), tie('var'), primitive)
      .map(([op, a, b]) => ({ [op]: [a, b] })),
    fc
      .tuple(fc.constantFrom('<', '<='), primitive, tie('var'), primitive)
      .map(([op, a, b, c]) => ({ [op]: [a, b, c] })),
    fc
      .tuple(tie('var'), fc.array(primitive, { maxLength: 10 }))
      .map(([a, list]) => ({ in: [a, list] })),
  ),
  iteration: fc.oneof(
    fc
      .tuple(
        fc.constantFrom('map', 'filter', 'all', 'none', 'some'),
        fc.oneof(tie('var'), tie('rule')),
        tie('rule'),
      )
      .map(([op, items, body]) => ({ [op]: [items, body] })),
    fc
      .tuple(
        fc.oneof(tie('var'), tie('rule')),
        tie('rule'),
        fc.option(tie('rule'), { nil: undefined }),
      )
      .map(([items, body, initial]) => ({
        reduce: initial === undefined ? [items, body] : [items, body, initial],
      })),
  ),
}));

const randomData = fc.oneof(
  dataValue,
  fc.record(
    {
      a: dataValue,
      b: dataValue,
      c: dataValue,
      n: fc.integer({ min: -10, max: 10 }),
      s: fc.constantFrom(...STRINGS),
      items: fc.array(dataValue, { maxLength: 5 }),
    },
    { requiredKeys: ['n'] },
  ),
);

describe('property: random rules and data agree with json-logic-js', () => {
  it('evaluate, compile (closures and generated code) and explain equal json-logic-js apply', () => {
    fc.assert(
      fc.property(randomRule, randomData, (rule, data) => {
        assertSameAsReference(rule, data);
      }),
      { numRuns: 1500 },
    );
  });

  it('comparison-heavy CRM-like rules over record-shaped data agree', () => {
    const field = fc.constantFrom(
      'amount',
      'level',
      'status',
      'customer.level',
      'customer.city',
      'tags',
    );
    const literal = fc.oneof(
      fc.integer({ min: 0, max: 200000 }),
      fc.constantFrom('new', 'won', '上海', '北京', '', null),
    );
    const clause = fc
      .tuple(fc.constantFrom('==', '===', '!=', '!==', '>', '>=', '<', '<=', 'in'), field, literal)
      .map(([op, f, v]) =>
        op === 'in' ? { in: [{ var: f }, [v, 'won']] } : { [op]: [{ var: f }, v] },
      );
    const condition = fc
      .tuple(
        fc.constantFrom('and', 'or'),
        fc.array(
          fc.oneof(
            clause,
            clause.map((c) => ({ '!': c })),
          ),
          { minLength: 1, maxLength: 6 },
        ),
      )
      .map(([op, clauses]) => ({ [op]: clauses }));
    const record = fc.record({
      amount: fc.oneof(
        fc.integer({ min: 0, max: 200000 }),
        fc.constant(null),
        fc.constant('15000'),
      ),
      level: fc.integer({ min: 1, max: 5 }),
      status: fc.constantFrom('new', 'won', 'lost'),
      tags: fc.array(fc.constantFrom('vip', 'won', 'new'), { maxLength: 3 }),
      customer: fc.option(
        fc.record({
          level: fc.integer({ min: 1, max: 5 }),
          city: fc.constantFrom('上海', '北京', '深圳'),
        }),
        { nil: null },
      ),
    });
    fc.assert(
      fc.property(condition, record, (rule, data) => assertSameAsReference(rule, data)),
      { numRuns: 500 },
    );
  });
});
