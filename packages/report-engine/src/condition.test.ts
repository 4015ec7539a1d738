import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conditionToSql } from './condition-sql.js';
import { NOW, collector, customers, forms, people, tables } from './crm-kit.js';
import { conditionFromJsonLogic } from './json-logic-condition.js';
import { matchesCondition } from './match-condition.js';
import { normalizeCondition } from './normalize-condition.js';
import { ReportError } from './report-error.js';
import type { Condition, ReportForm } from './types.js';

const opportunity = forms[0] as ReportForm;
const ref = { alias: 't', formId: 'opportunity', tables };

function norm(raw: unknown, timeZone = 'Asia/Shanghai'): Condition {
  const c = normalizeCondition(raw, opportunity, { forms, now: NOW, timeZone });
  if (Array.isArray(c)) throw new Error(JSON.stringify(c));
  return c;
}

function sql(c: Condition): { text: string; values: unknown[] } {
  const p = collector();
  return { text: conditionToSql(c, ref, p), values: p.values };
}

describe('normalizeCondition', () => {
  const cases: Array<{ title: string; raw: unknown; expect: unknown }> = [
    {
      title: "the designer's operator names (neq, empty, not_empty) are accepted",
      raw: {
        and: [
          { field: 'source', op: 'neq', value: 'expo' },
          { field: 'title', op: 'empty' },
          { field: 'tags', op: 'not_empty' },
        ],
      },
      expect: {
        and: [
          { field: 'source', op: 'ne', kind: 'text', value: 'expo' },
          { field: 'title', op: 'is_empty', kind: 'text' },
          { field: 'tags', op: 'is_not_empty', kind: 'text_array' },
        ],
      },
    },
    {
      title: 'numbers written as text become numbers; a member id is lower-cased',
      raw: {
        and: [
          { field: 'amount', op: 'gte', value: '12800.50' },
          { field: 'owner_id', op: 'eq', value: people.zhangWei.toUpperCase() },
        ],
      },
      expect: {
        and: [
          { field: 'amount', op: 'gte', kind: 'number', value: 12800.5 },
          { field: 'owner_id', op: 'eq', kind: 'uuid', value: people.zhangWei },
        ],
      },
    },
    {
      title: '"created on 1 March" is that whole local day in Shanghai',
      raw: { field: 'created_at', op: 'eq', value: '2026-03-01' },
      expect: {
        field: 'created_at',
        op: 'in_range',
        kind: 'datetime',
        value: { from: '2026-02-28T16:00:00.000Z', to: '2026-03-01T16:00:00.000Z' },
      },
    },
    {
      title: '"created after 1 March" starts the next local day',
      raw: { field: 'created_at', op: 'gt', value: '2026-03-01' },
      expect: {
        field: 'created_at',
        op: 'gte',
        kind: 'datetime',
        value: '2026-03-01T16:00:00.000Z',
      },
    },
    {
      title: 'last 7 days includes today',
      raw: { field: 'expected_close', op: 'last_n_days', value: 7 },
      expect: {
        field: 'expected_close',
        op: 'in_range',
        kind: 'date',
        value: { from: '2026-03-09', to: '2026-03-16' },
      },
    },
    {
      title: 'a custom range includes its last day',
      raw: { field: 'created_at', op: 'custom', value: { from: '2026-01-01', to: '2026-01-31' } },
      expect: {
        field: 'created_at',
        op: 'in_range',
        kind: 'datetime',
        value: { from: '2025-12-31T16:00:00.000Z', to: '2026-01-31T16:00:00.000Z' },
      },
    },
    {
      title: 'eq on a multi-select means "has this tag"',
      raw: { field: 'tags', op: 'eq', value: '重点' },
      expect: { field: 'tags', op: 'contains', kind: 'text_array', value: '重点' },
    },
    {
      title: 'eq null means empty',
      raw: { field: 'customer', op: 'eq', value: null },
      expect: { field: 'customer', op: 'is_empty', kind: 'uuid' },
    },
    {
      title: 'a related field is walked along the relation',
      raw: { field: 'customer.level', op: 'in', value: ['A', 'A', 'B'] },
      expect: { field: 'customer.level', op: 'in', kind: 'text', value: ['A', 'B'] },
    },
  ];
  for (const c of cases) {
    it(c.title, () => assert.deepEqual(norm(c.raw), c.expect));
  }

  it('reports every bad leaf with its path', () => {
    const out = normalizeCondition(
      {
        or: [
          { field: 'amount', op: 'gt', value: 'a lot' },
          { field: 'nope', op: 'eq', value: 1 },
          { field: 'key_account', op: 'contains', value: true },
        ],
      },
      opportunity,
      { forms, now: NOW },
    );
    assert.ok(Array.isArray(out));
    assert.deepEqual(
      out.map((i) => [i.path, i.code]),
      [
        ['or.0.value', 'INVALID_VALUE'],
        ['or.1.field', 'UNKNOWN_FIELD'],
        ['or.2.op', 'OPERATOR_NOT_SUPPORTED'],
      ],
    );
  });

  it('only lets through fields the viewer can read', () => {
    const out = normalizeCondition({ field: 'margin', op: 'gt', value: 0 }, opportunity, {
      readableFields: ['title', 'amount'],
    });
    assert.ok(Array.isArray(out));
    assert.equal(out[0]?.code, 'FIELD_NOT_READABLE');
    assert.ok(
      !Array.isArray(
        normalizeCondition({ field: 'owner_id', op: 'is_empty' }, opportunity, {
          readableFields: ['title'],
        }),
      ),
    );
  });

  it('bounds the size of a condition', () => {
    const deep = Array.from({ length: 20 }).reduce<unknown>((inner) => ({ not: inner }), {
      field: 'title',
      op: 'is_empty',
    });
    const out = normalizeCondition(deep, opportunity);
    assert.ok(Array.isArray(out) && out.some((i) => i.code === 'CONDITION_TOO_DEEP'));
  });
});

describe('conditionToSql', () => {
  it('binds every value and quotes every identifier from the table map', () => {
    const c = norm({
      and: [
        { field: 'source', op: 'in', value: ['website', 'expo'] },
        { field: 'title', op: 'contains', value: "启明'; DROP TABLE x; --" },
        { not: { field: 'tags', op: 'contains', value: '重点' } },
        { field: 'amount', op: 'between', value: [1000, 500000] },
      ],
    });
    const { text, values } = sql(c);
    assert.equal(
      text,
      '("t"."source" = ANY($1::text[]) AND strpos(lower("t"."title"), lower($2::text)) > 0 AND (("t"."tags" @> ARRAY[$3::text]) IS NOT TRUE) AND "t"."amount" BETWEEN $4::numeric AND $5::numeric)',
    );
    assert.deepEqual(values, [
      ['website', 'expo'],
      "启明'; DROP TABLE x; --",
      '重点',
      1000,
      500000,
    ]);
  });

  it('reads a related field through a scalar subquery that skips deleted and unreadable records', () => {
    const c = norm({ field: 'customer.level', op: 'eq', value: 'A' });
    const scope = normalizeCondition(
      { field: 'province', op: 'eq', value: '上海市' },
      forms[1] as ReportForm,
    );
    assert.ok(!Array.isArray(scope));
    const p = collector();
    const text = conditionToSql(c, { ...ref, rowScopes: { customer: scope } }, p);
    assert.equal(
      text,
      '(SELECT "_r1"."level" FROM "ws_acme"."customer" "_r1" WHERE "_r1"."id" = "t"."customer" AND "_r1"."deleted_at" IS NULL AND "_r1"."province" = $1::text) = $2::text',
    );
    assert.deepEqual(p.values, ['上海市', 'A']);
  });

  it('keeps "not equal" true for empty values, like the in-memory matcher', () => {
    const { text } = sql(norm({ field: 'source', op: 'ne', value: 'expo' }));
    assert.equal(text, '"t"."source" IS DISTINCT FROM $1::text');
    assert.equal(
      matchesCondition(norm({ field: 'source', op: 'ne', value: 'expo' }), { source: null }),
      true,
    );
  });

  it('refuses identifiers the table map does not vouch for', () => {
    const bad = {
      ...tables,
      opportunity: {
        ...tables['opportunity'],
        columns: { title: { column: 'title"; DROP TABLE x; --', type: 'text' } },
      },
    } as unknown as typeof tables;
    assert.throws(
      () =>
        conditionToSql(
          norm({ field: 'title', op: 'is_empty' }),
          { ...ref, tables: bad },
          collector(),
        ),
      (e: unknown) => e instanceof ReportError && e.code === 'UNSAFE_IDENTIFIER',
    );
    const retyped = {
      ...tables,
      opportunity: {
        ...tables['opportunity'],
        columns: { amount: { column: 'amount', type: 'text' } },
      },
    } as unknown as typeof tables;
    assert.throws(
      () =>
        conditionToSql(
          norm({ field: 'amount', op: 'gt', value: 1 }),
          { ...ref, tables: retyped },
          collector(),
        ),
      (e: unknown) => e instanceof ReportError && e.code === 'COLUMN_TYPE_MISMATCH',
    );
  });

  it('refuses a hand-made condition with an operator outside the list', () => {
    const forged = {
      field: 'title',
      op: 'eq); DROP TABLE x; --',
      kind: 'text',
      value: 'a',
    } as unknown as Condition;
    assert.throws(
      () => sql(forged),
      (e: unknown) => e instanceof ReportError && e.code === 'INVALID_CONDITION',
    );
  });
});

describe('matchesCondition', () => {
  const row = {
    title: '启明 ERP 升级',
    source: 'website',
    amount: '480000.00',
    tags: ['重点', '续约'],
    created_at: '2026-03-01T02:00:00.000Z',
    expected_close: '2026-03-31',
    key_account: true,
    customer: customers.qiming.id,
    'customer.level': 'A',
  };
  const truth: Array<[unknown, boolean]> = [
    [{ field: 'title', op: 'contains', value: 'erp' }, true],
    [{ field: 'title', op: 'starts_with', value: '启明' }, true],
    [{ field: 'amount', op: 'gt', value: 479999.99 }, true],
    [{ field: 'amount', op: 'lt', value: '480000' }, false],
    [{ field: 'tags', op: 'in', value: ['续约', '新客'] }, true],
    [{ field: 'tags', op: 'not_contains', value: '新客' }, true],
    [{ field: 'created_at', op: 'this_month' }, true],
    [{ field: 'created_at', op: 'eq', value: '2026-03-01' }, true],
    [{ field: 'expected_close', op: 'this_month' }, true],
    [{ field: 'expected_close', op: 'last_n_days', value: 30 }, false],
    [{ field: 'key_account', op: 'ne', value: true }, false],
    [{ field: 'customer.level', op: 'eq', value: 'A' }, true],
    [{ not: { field: 'margin', op: 'gt', value: 0 } }, true],
    [{ or: [] }, false],
    [{ and: [] }, true],
  ];
  for (const [raw, expected] of truth) {
    it(`${JSON.stringify(raw)} is ${expected}`, () =>
      assert.equal(matchesCondition(norm(raw), row), expected));
  }
});

describe('conditionFromJsonLogic (row-scope predicates)', () => {
  const cases: Array<{ title: string; logic: unknown; expect: unknown }> = [
    {
      title: 'own records or key accounts',
      logic: {
        or: [
          { '==': [{ var: 'owner_id' }, { var: '$member.id' }] },
          { '==': [{ var: 'key_account' }, true] },
        ],
      },
      expect: {
        or: [
          { field: 'owner_id', op: 'eq', kind: 'uuid', value: people.liNa },
          { field: 'key_account', op: 'eq', kind: 'boolean', value: true },
        ],
      },
    },
    {
      title: 'a literal on the left flips the comparison',
      logic: { '<': [100000, { var: 'amount' }] },
      expect: { field: 'amount', op: 'gt', kind: 'number', value: 100000 },
    },
    {
      title: 'a between written as a three-argument <=',
      logic: { '<=': [1000, { var: 'amount' }, 5000] },
      expect: {
        and: [
          { field: 'amount', op: 'gte', kind: 'number', value: 1000 },
          { field: 'amount', op: 'lte', kind: 'number', value: 5000 },
        ],
      },
    },
    {
      title: 'in a list, and a value in a multi-select',
      logic: {
        and: [{ in: [{ var: 'source' }, ['website', 'expo']] }, { in: ['重点', { var: 'tags' }] }],
      },
      expect: {
        and: [
          { field: 'source', op: 'in', kind: 'text', value: ['website', 'expo'] },
          { field: 'tags', op: 'contains', kind: 'text_array', value: '重点' },
        ],
      },
    },
    {
      title: '! of a number field is "empty or zero"',
      logic: { '!': { var: 'margin' } },
      expect: {
        or: [
          { field: 'margin', op: 'is_empty', kind: 'number' },
          { field: 'margin', op: 'eq', kind: 'number', value: 0 },
        ],
      },
    },
    {
      title: '!= null is "not empty"',
      logic: { '!=': [{ var: 'customer' }, null] },
      expect: { field: 'customer', op: 'is_not_empty', kind: 'uuid' },
    },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const out = conditionFromJsonLogic(c.logic, opportunity, {
        context: { '$member.id': people.liNa },
      });
      assert.deepEqual(out, c.expect);
    });
  }

  it('refuses anything outside the subset, with the JsonLogic path', () => {
    const out = conditionFromJsonLogic(
      {
        and: [
          { '==': [{ var: 'title' }, 'x'] },
          { '+': [1, 2] },
          { '==': [{ var: 'a' }, { var: 'b' }] },
        ],
      },
      opportunity,
    );
    assert.ok(Array.isArray(out));
    assert.deepEqual(
      out.map((i) => i.path),
      ['and.1.+', 'and.2.=='],
    );
  });
});
