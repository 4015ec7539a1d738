import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { customers, opportunity, people, pipeline, report, targets } from './crm-kit.js';
import { matchesCondition } from './match-condition.js';
import { runInMemory } from './run-in-memory.js';
import type { ResultRow } from './types.js';

const rows = pipeline();
const byKey = (list: readonly ResultRow[], dim: string): Record<string, ResultRow> =>
  Object.fromEntries(list.map((r) => [String(r.keys[dim]), r]));

describe('runInMemory: the questions a sales manager asks', () => {
  it('how many opportunities by source this month (Shanghai time)', () => {
    const r = report({
      kind: 'table',
      form: 'opportunity',
      dimensions: [{ field: 'source' }],
      measures: [
        { id: 'n', fn: 'count' },
        { id: 'amount', fn: 'sum', field: 'amount' },
      ],
      period: { field: 'created_at', op: 'this_month' },
      sort: [{ by: 'n', direction: 'desc' }],
      totals: true,
    });
    const result = runInMemory(r, rows);
    assert.deepEqual(
      result.rows.map((x) => [x.keys['source'], x.values['n'], x.values['amount']]),
      [
        ['website', 3, 740000],
        ['expo', 2, 566000],
        ['cold_call', 1, 64000],
        ['referral', 1, 120000.5],
        [null, 1, null],
      ],
    );
    assert.deepEqual(result.rows[0]?.labels['source'], { 'zh-CN': '官网', en: 'Website' });
    assert.deepEqual(result.rows[4]?.labels['source'], { 'zh-CN': '(空)', en: '(empty)' });
    assert.equal(result.total?.values['n'], 8, 'the deleted opportunity never counts');
    const utc = runInMemory(
      report(
        { ...specOf(r), period: { field: 'created_at', op: 'this_month' } },
        { timeZone: 'UTC' },
      ),
      rows,
    );
    assert.equal(
      utc.total?.values['n'],
      7,
      'in UTC the 00:30 of 1 March in Shanghai is still February',
    );
  });

  it('where the funnel leaks: reached counts, step and overall conversion', () => {
    const r = report({
      kind: 'funnel',
      form: 'opportunity',
      funnel: { field: 'stage', stages: ['lead', 'qualified', 'proposal', 'won'] },
    });
    const result = runInMemory(r, rows);
    assert.deepEqual(
      result.rows.map((x) => [
        x.step?.stage,
        x.values['count'],
        round(x.step?.stepConversion),
        round(x.step?.overallConversion),
      ]),
      [
        ['lead', 9, null, 1],
        ['qualified', 6, 0.667, 0.667],
        ['proposal', 4, 0.667, 0.444],
        ['won', 3, 0.75, 0.333],
      ],
    );
    assert.deepEqual(result.rows[3]?.drill, {
      field: 'stage',
      op: 'in',
      kind: 'text',
      value: ['won'],
    });
    const current = runInMemory(
      report({
        kind: 'funnel',
        form: 'opportunity',
        funnel: {
          field: 'stage',
          stages: ['lead', 'qualified', 'proposal', 'won'],
          mode: 'current',
        },
      }),
      rows,
    );
    assert.deepEqual(
      current.rows.map((x) => x.values['count']),
      [3, 2, 1, 3],
    );
  });

  it('who leads the board this month: ties share a rank, targets give attainment', () => {
    const spec = {
      kind: 'leaderboard',
      form: 'opportunity',
      dimensions: [{ field: 'owner_id' }],
      measures: [
        {
          id: 'won',
          fn: 'sum',
          field: 'amount',
          filter: { field: 'stage', op: 'eq', value: 'won' },
        },
      ],
      period: { field: 'created_at', op: 'this_month' },
      leaderboard: {
        by: 'won',
        target: {
          form: 'sales_target',
          entityField: 'owner',
          valueField: 'amount',
          periodField: 'month',
        },
      },
    };
    const result = runInMemory(report(spec), rows, { targetRows: targets });
    assert.deepEqual(
      result.rows.map((x) => [x.keys['owner_id'], x.rank, x.values['won'], x.target, x.attainment]),
      [
        [people.zhangWei, 1, 480000, 500000, 0.96],
        [people.wangFang, 1, 480000, 400000, 1.2],
        [people.liNa, 3, null, 300000, null],
        [people.liuYang, 3, null, null, null],
      ],
    );
    const dense = runInMemory(
      report({ ...spec, leaderboard: { by: 'won', ties: 'dense', limit: 1 } }),
      rows,
    );
    assert.deepEqual(
      dense.rows.map((x) => x.rank),
      [1, 1],
      'a limit keeps everyone tied at the edge',
    );
  });

  it('a KPI card: this month against last month', () => {
    const result = runInMemory(
      report({
        kind: 'kpi',
        form: 'opportunity',
        measures: [{ id: 'n', fn: 'count' }],
        period: { field: 'created_at', op: 'this_month' },
        compare: 'previous_period',
      }),
      rows,
    );
    const row = result.total;
    assert.ok(row !== null);
    assert.deepEqual(
      [row.values['n'], row.previous?.['n'], row.delta?.['n'], row.deltaPct?.['n']],
      [8, 2, 6, 3],
    );
  });

  it('a weekly time series with empty weeks filled in', () => {
    const result = runInMemory(
      report({
        kind: 'time_series',
        form: 'opportunity',
        dimensions: [{ field: 'created_at', bucket: 'week' }],
        measures: [
          { id: 'n', fn: 'count' },
          { id: 'avg', fn: 'avg', field: 'amount' },
        ],
        period: { field: 'created_at', op: 'this_month' },
      }),
      rows,
    );
    assert.deepEqual(
      result.rows.map((x) => [x.keys['created_at'], x.values['n'], x.values['avg']]),
      [
        ['2026-02-23', 1, null],
        ['2026-03-02', 2, 300000.25],
        ['2026-03-09', 5, 178000],
        ['2026-03-16', 0, null],
        ['2026-03-23', 0, null],
        ['2026-03-30', 0, null],
      ],
    );
    assert.deepEqual(result.rows[1]?.drill, {
      and: [
        {
          field: 'created_at',
          op: 'in_range',
          kind: 'datetime',
          value: { from: '2026-02-28T16:00:00.000Z', to: '2026-03-31T16:00:00.000Z' },
        },
        {
          field: 'created_at',
          op: 'in_range',
          kind: 'datetime',
          value: { from: '2026-03-01T16:00:00.000Z', to: '2026-03-08T16:00:00.000Z' },
        },
      ],
    });
  });

  it('top 2 sources by amount, the rest folded into Other', () => {
    const result = runInMemory(
      report({
        kind: 'table',
        form: 'opportunity',
        dimensions: [{ field: 'source' }],
        measures: [
          { id: 'n', fn: 'count' },
          { id: 'amount', fn: 'sum', field: 'amount' },
          { id: 'share', fn: 'share', of: 'amount' },
        ],
        top: { n: 2 },
      }),
      rows,
    );
    assert.deepEqual(
      result.rows.map((x) => [
        x.other === true ? 'Other' : x.keys['source'],
        x.values['n'],
        x.values['amount'],
        round(x.values['share'] as number),
      ]),
      [
        ['website', 4, 790000, 0.467],
        ['expo', 2, 566000, 0.335],
        ['Other', 4, 334000.5, 0.198],
      ],
    );
    const other = result.rows[2] as ResultRow;
    assert.deepEqual(other.labels['source'], { 'zh-CN': '其他', en: 'Other' });
    assert.equal(
      rows.filter((x) => x['deleted_at'] === null && matchesCondition(other.drill, x)).length,
      4,
    );
  });

  it('a pivot of customer level by stage with row, column and grand totals', () => {
    const result = runInMemory(
      report({
        kind: 'pivot',
        form: 'opportunity',
        dimensions: [{ field: 'customer.level' }],
        columns: [{ field: 'stage' }],
        measures: [{ id: 'n', fn: 'count' }],
      }),
      rows,
    );
    assert.deepEqual(result.pivot?.rowKeys, [['A'], ['B'], [null]]);
    assert.deepEqual(result.pivot?.columnKeys, [
      ['lead'],
      ['lost'],
      ['proposal'],
      ['qualified'],
      ['won'],
    ]);
    const rowTotals = result.rows.filter(
      (x) => x.rolledUp.includes('stage') && !x.rolledUp.includes('customer__level'),
    );
    assert.deepEqual(
      rowTotals.map((x) => [x.keys['customer__level'], x.values['n']]),
      [
        ['A', 5],
        ['B', 2],
        [null, 3],
      ],
    );
    assert.equal(result.total?.values['n'], 10);
  });

  it('weighted pipeline per owner (a percent weight counts as a fraction)', () => {
    const result = runInMemory(
      report({
        kind: 'table',
        form: 'opportunity',
        dimensions: [{ field: 'owner_id' }],
        measures: [{ id: 'weighted', fn: 'weighted_sum', field: 'amount', weight: 'probability' }],
      }),
      rows,
    );
    assert.equal(byKey(result.rows, 'owner_id')[people.zhangWei]?.values['weighted'], 702000.3);
  });

  it('late follow-ups: a measure with its own filter, by customer', () => {
    const result = runInMemory(
      report({
        kind: 'table',
        form: 'opportunity',
        dimensions: [{ field: 'customer.name' }],
        measures: [
          {
            id: 'open',
            fn: 'count',
            filter: { field: 'stage', op: 'not_in', value: ['won', 'lost'] },
          },
          { id: 'all', fn: 'count' },
          { id: 'open_rate', fn: 'ratio', numerator: 'open', denominator: 'all' },
        ],
      }),
      rows,
    );
    const q = byKey(result.rows, 'customer__name')[customers.qiming.name];
    assert.deepEqual(
      [q?.values['open'], q?.values['all'], q?.values['open_rate']],
      [1, 3, 0.3333333333333333],
    );
  });

  it('a tag dimension counts an opportunity once under each of its tags', () => {
    const result = runInMemory(
      report({
        kind: 'table',
        form: 'opportunity',
        dimensions: [{ field: 'tags' }],
        measures: [{ id: 'n', fn: 'count' }],
      }),
      rows,
    );
    assert.deepEqual(
      result.rows.map((x) => [x.keys['tags'], x.values['n']]),
      [
        ['新客', 1],
        ['续约', 1],
        ['重点', 2],
        [null, 7],
      ],
    );
  });

  it('lists records with their fields, newest first', () => {
    const result = runInMemory(
      report({
        kind: 'table',
        form: 'opportunity',
        fields: ['title', 'amount', 'customer.name'],
        limit: 2,
      }),
      rows,
    );
    assert.deepEqual(
      result.rows.map((x) => [x.keys['title'], x.keys['amount'], x.keys['customer.name']]),
      [
        ['月底冲刺', 30000, null],
        ['华创 质检', 64000, customers.huachuang.name],
      ],
    );
    assert.deepEqual(result.rows[0]?.drill, {
      field: 'id',
      op: 'eq',
      kind: 'uuid',
      value: result.rows[0]?.recordId,
    });
  });
});

describe('runInMemory: drill-down reproduces every cell (rule 6, property)', () => {
  const rowArb = fc.record({
    source: fc.constantFrom('website', 'expo', 'referral', null),
    stage: fc.constantFrom('lead', 'qualified', 'won', null),
    amount: fc.constantFrom('1000.50', '86000', '0.10', null),
    tags: fc.constantFrom(['重点'], ['重点', '新客'], [], null),
    created_at: fc
      .integer({ min: 0, max: 120 })
      .map((d) => new Date(Date.parse('2026-01-01T00:00:00Z') + d * 36_000_000).toISOString()),
    owner_id: fc.constantFrom(people.zhangWei, people.wangFang, null),
    customer: fc.constantFrom(customers.qiming.id, customers.yunfan.id, null),
  });
  const specArb = fc.record({
    dims: fc.uniqueArray(
      fc.constantFrom('source', 'stage', 'tags', 'customer.level', 'owner_id', 'created_at'),
      { minLength: 1, maxLength: 2 },
    ),
    totals: fc.boolean(),
  });
  it('every row of every random table holds exactly the records its drill condition selects', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 60 }), specArb, (data, s) => {
        const list = data.map((d) => opportunity(d));
        const r = report({
          kind: 'table',
          form: 'opportunity',
          dimensions: s.dims.map((field) =>
            field === 'created_at' ? { field, bucket: 'week' } : { field },
          ),
          measures: [{ id: 'n', fn: 'count' }],
          totals: s.totals,
        });
        const result = runInMemory(r, list);
        for (const row of result.rows) {
          const matching = list.filter((x) =>
            matchesCondition(row.drill, x, { timeZone: 'Asia/Shanghai' }),
          );
          assert.equal(matching.length, row.values['n'], JSON.stringify(row.keys));
        }
        if (result.total !== null && !s.dims.includes('tags'))
          assert.equal(result.total.values['n'], list.length);
      }),
      { numRuns: 200 },
    );
  });
});

function round(v: number | null | undefined): number | null {
  return v === null || v === undefined ? null : Math.round(v * 1000) / 1000;
}

function specOf(r: ReturnType<typeof report>): Record<string, unknown> {
  return {
    kind: r.kind,
    form: r.formId,
    dimensions: r.dimensions.map((d) => ({ field: d.field.path })),
    measures: [{ id: 'n', fn: 'count' }],
    totals: r.totals,
  };
}
