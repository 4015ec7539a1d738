import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import invalid from './fixtures/invalid-specs.json' with { type: 'json' };
import { normalizeReport } from './normalize-report.js';
import { NOW, forms, report } from './crm-kit.js';

describe('normalizeReport: refusals (rule 1: every issue, with its path)', () => {
  for (const c of invalid as Array<{
    title: string;
    spec: unknown;
    issues: [string, string][];
    options?: { now?: null };
  }>) {
    it(`refuses ${c.title}`, () => {
      const now = c.options?.now === null ? undefined : NOW;
      const out = normalizeReport(c.spec, forms, {
        ...(now !== undefined ? { now } : {}),
        timeZone: 'Asia/Shanghai',
      });
      assert.ok(Array.isArray(out), 'expected issues');
      for (const [path, code] of c.issues) {
        assert.ok(
          out.some((i) => i.path === path && i.code === code),
          `expected ${code} at ${path}, got ${JSON.stringify(out)}`,
        );
      }
    });
  }

  it('collects every issue at once instead of stopping at the first', () => {
    const out = normalizeReport(
      {
        kind: 'table',
        form: 'opportunity',
        dimensions: [{ field: 'no_such_field' }, { field: 'amount', bucket: 'month' }],
        measures: [
          { id: 'n', fn: 'median' },
          { id: 'Bad Id', fn: 'count' },
        ],
        filter: {
          and: [
            { field: 'source', op: 'like', value: '%' },
            { field: 'amount', op: 'gt', value: 'lots' },
          ],
        },
        sort: [{ by: 'nothing', direction: 'sideways' }],
      },
      forms,
      { now: NOW },
    );
    assert.ok(Array.isArray(out));
    const paths = out.map((i) => i.path).sort();
    for (const p of [
      'dimensions.0.field',
      'dimensions.1.bucket',
      'measures.0.fn',
      'measures.1.id',
      'filter.and.0.op',
      'filter.and.1.value',
      'sort.0.direction',
      'sort.0.by',
    ]) {
      assert.ok(paths.includes(p), `missing an issue at ${p}: ${JSON.stringify(out)}`);
    }
  });

  it('refuses a field the viewer cannot read, in every position (rule 2)', () => {
    const policy = { opportunity: { hidden: ['margin'] }, customer: { hidden: ['level'] } };
    const cases: Array<[unknown, string]> = [
      [
        {
          kind: 'table',
          form: 'opportunity',
          dimensions: [{ field: 'margin', bin: { width: 10 } }],
          measures: [{ id: 'n', fn: 'count' }],
        },
        'dimensions.0.field',
      ],
      [
        { kind: 'kpi', form: 'opportunity', measures: [{ id: 'm', fn: 'sum', field: 'margin' }] },
        'measures.0.field',
      ],
      [
        {
          kind: 'kpi',
          form: 'opportunity',
          measures: [{ id: 'n', fn: 'count' }],
          filter: { field: 'margin', op: 'gt', value: 0 },
        },
        'filter.field',
      ],
      [{ kind: 'table', form: 'opportunity', fields: ['title', 'margin'] }, 'fields.1'],
      [
        {
          kind: 'table',
          form: 'opportunity',
          dimensions: [{ field: 'customer.level' }],
          measures: [{ id: 'n', fn: 'count' }],
        },
        'dimensions.0.field',
      ],
    ];
    for (const [spec, path] of cases) {
      const out = normalizeReport(spec, forms, { now: NOW, fieldPolicy: policy });
      assert.ok(Array.isArray(out));
      assert.deepEqual(
        out.filter((i) => i.code === 'FIELD_NOT_READABLE').map((i) => i.path),
        [path],
      );
    }
  });
});

describe('normalizeReport: names every object inherits (regression: "constructor" read the prototype)', () => {
  it('does not mistake constructor or toString for fields, system fields or measure ids', () => {
    for (const name of ['constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
      const field = normalizeReport({ kind: 'table', form: 'opportunity', fields: [name] }, forms, {
        now: NOW,
      });
      assert.ok(Array.isArray(field));
      assert.ok(['UNKNOWN_FIELD', 'INVALID_IDENTIFIER'].includes(field[0]?.code ?? ''), name);
      const id = normalizeReport(
        { kind: 'kpi', form: 'opportunity', measures: [{ id: name, fn: 'count' }] },
        forms,
        { now: NOW },
      );
      assert.ok(Array.isArray(id));
      assert.equal(id[0]?.path, 'measures.0.id');
    }
  });

  it('lets a real field called constructor be used under an id of its own', () => {
    const withField = [{ id: 'odd', fields: [{ id: 'constructor', type: 'text' }] }, ...forms];
    const policy = { constructor: { hidden: [] }, odd: { hidden: [] } };
    const bare = normalizeReport(
      {
        kind: 'table',
        form: 'odd',
        dimensions: [{ field: 'constructor' }],
        measures: [{ id: 'n', fn: 'count' }],
      },
      withField,
      { fieldPolicy: policy },
    );
    assert.ok(Array.isArray(bare));
    assert.equal(bare[0]?.code, 'ID_REQUIRED');
    const named = normalizeReport(
      {
        kind: 'table',
        form: 'odd',
        dimensions: [{ field: 'constructor', id: 'builder' }],
        measures: [{ id: 'n', fn: 'count' }],
      },
      withField,
      { fieldPolicy: policy },
    );
    assert.ok(!Array.isArray(named));
  });
});

describe('normalizeReport: what a valid spec becomes', () => {
  it('resolves fields, labels, formats and defaults', () => {
    const r = report({
      kind: 'table',
      form: 'opportunity',
      dimensions: [
        { field: 'created_at' },
        { field: 'customer.level' },
        { field: 'amount', bin: { width: 100000 } },
      ],
      measures: [
        { id: 'n', fn: 'count' },
        { id: 'total_amount', fn: 'sum', field: 'amount' },
        { id: 'weighted', fn: 'weighted_sum', field: 'amount', weight: 'probability' },
        {
          id: 'won_rate',
          fn: 'conversion',
          field: 'stage',
          stages: ['lead', 'qualified', 'won'],
          from: 'lead',
          to: 'won',
        },
      ],
    });
    assert.equal(r.dimensions[0]?.bucket, 'day', 'datetimes default to days');
    assert.deepEqual(r.dimensions[1]?.field.via, [
      { field: 'customer', formId: 'opportunity', target: 'customer' },
    ]);
    assert.equal(r.dimensions[1]?.id, 'customer__level');
    assert.deepEqual(r.dimensions[1]?.label, {
      'zh-CN': '客户 · 客户等级',
      en: 'Customer · Level',
    });
    assert.deepEqual(r.dimensions[2]?.bin, { width: 100000, origin: 0 });
    assert.deepEqual(
      r.measures.map((m) => m.format),
      ['integer', 'currency', 'currency', 'percent'],
    );
    assert.equal(r.measures[2]?.weightDivisor, 100, 'a percent weight counts as a fraction');
    assert.deepEqual(r.measures[3]?.conversion?.reachedFrom, ['lead', 'qualified', 'won']);
    assert.deepEqual(r.measures[3]?.conversion?.reachedTo, ['won']);
    assert.equal(r.totals, false);
    assert.ok(r.refs['customer.level'] !== undefined);
  });

  it('gives a funnel a count and a pivot its totals by default', () => {
    const f = report({
      kind: 'funnel',
      form: 'opportunity',
      funnel: { field: 'stage', stages: ['lead', 'won'] },
    });
    assert.deepEqual(
      f.measures.map((m) => m.fn),
      ['count'],
    );
    assert.equal(f.funnel?.mode, 'reached');
    const p = report({
      kind: 'pivot',
      form: 'opportunity',
      dimensions: [{ field: 'owner_id' }],
      columns: [{ field: 'created_at', bucket: 'month' }],
      measures: [{ id: 'n', fn: 'count' }],
    });
    assert.equal(p.totals, true);
    assert.deepEqual(
      p.dimensions.map((d) => d.axis),
      ['row', 'column'],
    );
  });

  it('resolves "this month" in the viewer time zone: 1 April in Shanghai is still 31 March in UTC', () => {
    const r = report(
      {
        kind: 'kpi',
        form: 'opportunity',
        measures: [{ id: 'n', fn: 'count' }],
        period: { field: 'created_at', op: 'this_month' },
        compare: 'previous_period',
      },
      { now: '2026-03-31T17:00:00Z', timeZone: 'Asia/Shanghai' },
    );
    assert.deepEqual(r.period?.current, {
      from: '2026-03-31T16:00:00.000Z',
      to: '2026-04-30T16:00:00.000Z',
    });
    assert.deepEqual(r.period?.previous, {
      from: '2026-02-28T16:00:00.000Z',
      to: '2026-03-31T16:00:00.000Z',
    });
  });

  it('matches a target period kept as dates to a period on a datetime', () => {
    const r = report({
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
    });
    assert.deepEqual(r.leaderboard?.target?.range, { from: '2026-03-01', to: '2026-04-01' });
  });

  it('accepts a plain field id as a dimension shorthand', () => {
    const r = report({
      kind: 'table',
      form: 'opportunity',
      dimensions: ['source'],
      measures: [{ id: 'n', fn: 'count' }],
    });
    assert.equal(r.dimensions[0]?.id, 'source');
  });
});
