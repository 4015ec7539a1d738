// Rule R4: validateRule collects every issue with a path; referencedVars, explain and the
// operator registry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compile,
  createRuleEngine,
  evaluate,
  explain,
  referencedVars,
  RuleError,
  validateRule,
  type ExplainNode,
} from './index.js';

describe('R4 validateRule', () => {
  it('collects every issue at once, each with a dotted path', () => {
    const rule = {
      and: [
        { '==': [{ var: 'stauts' }, 'new'] },
        { fly: [1] },
        { '>': [{ var: 'amount' }] },
        { some: [{ var: 'contacts' }, { '==': [{ var: 'phone' }, ''] }] },
        { date_diff: [{ var: 'created_at' }, { now: [] }, 'fortnights'] },
        { regex_match: [{ var: 'phone' }, '(\\d)\\1'] },
        { a: 1, b: 2 },
        { changed: 'ownr_id' },
      ],
    };
    const issues = validateRule(rule, { fields: ['status', 'amount', 'contacts', 'phone'] });
    assert.deepEqual(
      issues.map((i) => [i.path, i.code]),
      [
        ['and.0.==.0.var', 'unknown_field'],
        ['and.1', 'unknown_operator'],
        ['and.2', 'wrong_arity'],
        ['and.4.date_diff.2', 'invalid_unit'],
        ['and.5.regex_match.1', 'regex_unsupported'],
        ['and.6', 'not_an_operation'],
        ['and.7.changed.0', 'unknown_field'],
      ],
    );
    assert.ok(issues.every((i) => i.message.length > 0));
  });
  it('accepts dotted paths into object fields, system fields and item fields inside iterations', () => {
    const rule = {
      and: [
        { '<=': [{ var: 'customer.level' }, 2] },
        { '!': { var: 'owner_id' } },
        { all: [{ var: 'contacts' }, { '!!': { var: 'phone' } }] },
      ],
    };
    assert.deepEqual(validateRule(rule, { fields: ['customer', 'contacts'] }), []);
  });
  it('needs no field list to check operators', () => {
    assert.deepEqual(validateRule({ '==': [{ var: 'anything' }, 1] }), []);
  });
  it('knows custom operators of an engine', () => {
    const engine = createRuleEngine({
      operators: { vip_level: { evaluate: () => 1, minArgs: 1, maxArgs: 1 } },
    });
    assert.deepEqual(validateRule({ vip_level: [1] }, { engine }), []);
    assert.deepEqual(
      validateRule({ vip_level: [] }, { engine }).map((i) => i.code),
      ['wrong_arity'],
    );
    assert.deepEqual(
      validateRule({ vip_level: [1] }).map((i) => i.code),
      ['unknown_operator'],
    );
  });
});

describe('referencedVars', () => {
  const rows: [string, unknown, string[]][] = [
    [
      'plain and dotted vars',
      { and: [{ var: 'status' }, { var: ['customer.level', 3] }] },
      ['customer.level', 'status'],
    ],
    [
      'missing and missing_some keys',
      { or: [{ missing: ['phone', 'email'] }, { missing_some: [1, ['mobile', 'wechat']] }] },
      ['email', 'mobile', 'phone', 'wechat'],
    ],
    [
      'fields of changed/old/new',
      { and: [{ changed: 'stage' }, { '==': [{ old: 'owner_id' }, null] }] },
      ['owner_id', 'stage'],
    ],
    [
      'the array of an iteration but not the item fields',
      { some: [{ var: 'contacts' }, { var: 'phone' }] },
      ['contacts'],
    ],
    ['unique and sorted', [{ var: 'b' }, { var: 'a' }, { var: 'b' }], ['a', 'b']],
    [
      'computed paths are skipped, their inputs are listed',
      { var: { cat: ['field_', { var: 'suffix' }] } },
      ['suffix'],
    ],
    ['the whole data ("") is not a field', { var: '' }, []],
  ];
  for (const [title, rule, expected] of rows)
    it(title, () => assert.deepEqual(referencedVars(rule), expected));
});

describe('explain', () => {
  const rule = {
    and: [
      { '==': [{ var: 'source' }, 'website'] },
      { '>': [{ var: 'amount' }, 10000] },
      { '!': { var: 'owner_id' } },
    ],
  };
  it('shows each node with its value and why the rule did not fire', () => {
    const tree = explain(rule, { source: 'website', amount: 8000, owner_id: null });
    assert.equal(tree.value, false);
    const [first, second, third] = tree.args as [ExplainNode, ExplainNode, ExplainNode];
    assert.deepEqual([first.op, first.value, first.path], ['==', true, 'and.0']);
    assert.deepEqual([second.op, second.value], ['>', false]);
    assert.deepEqual([second.args[0]?.var, second.args[0]?.value], ['amount', 8000]);
    assert.equal(third.evaluated, false, 'short-circuited after the first false');
  });
  it('agrees with evaluate on the value', () => {
    for (const amount of [5000, 20000]) {
      assert.equal(
        explain(rule, { source: 'website', amount }).value,
        evaluate(rule, { source: 'website', amount }),
      );
    }
  });
  it('records items of iterations', () => {
    const tree = explain(
      { some: [{ var: 'contacts' }, { '==': [{ var: 'name' }, '李娜'] }] },
      { contacts: [{ name: '王芳' }, { name: '李娜' }] },
    );
    assert.equal(tree.value, true);
    assert.deepEqual(
      tree.items?.map((n) => n.value),
      [false, true],
    );
  });
});

describe('createRuleEngine', () => {
  const engine = createRuleEngine({
    operators: {
      credit_ok: {
        evaluate: ([rating, amount]) =>
          ['AAA', 'AA'].includes(String(rating)) || Number(amount) < 50_000,
        minArgs: 2,
        maxArgs: 2,
        description: 'credit rating good enough for the amount',
      },
    },
  });
  it('adds operators usable in every mode', () => {
    const rule = { credit_ok: [{ var: 'rating' }, { var: 'amount' }] };
    for (const data of [
      { rating: 'AA', amount: 1e6 },
      { rating: 'B', amount: 1e6 },
    ]) {
      const expected = data.rating === 'AA';
      assert.equal(evaluate(rule, data, { engine }), expected);
      assert.equal(compile(rule, { engine })(data), expected);
      assert.equal(compile(rule, { engine, codegen: false })(data), expected);
    }
  });
  it('throws when a name is registered twice', () => {
    const check = (run: () => unknown): void => {
      assert.throws(run, (e: unknown) => e instanceof RuleError && e.code === 'operator_duplicate');
    };
    check(() => createRuleEngine({ operators: { in: { evaluate: () => true } } }));
    check(() => createRuleEngine({ operators: { date_diff: { evaluate: () => 0 } } }));
    check(() => createRuleEngine({ operators: { if: { evaluate: () => 0 } } }));
    check(() => engine.extend({ operators: { credit_ok: { evaluate: () => 0 } } }));
  });
  it('refuses method and malformed names', () => {
    for (const name of ['method', 'Has.Dot', '__proto__', '']) {
      assert.throws(
        () => createRuleEngine({ operators: { [name]: { evaluate: () => 0 } } }),
        RuleError,
      );
    }
  });
  it('keeps engines apart: the default engine does not know custom operators', () => {
    assert.throws(
      () => evaluate({ credit_ok: ['AA', 1] }, {}),
      (e: unknown) => e instanceof RuleError && e.code === 'unknown_operator',
    );
  });
});
