import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { NOW, forms, people, report, tables } from './crm-kit.js';
import { normalizeCondition } from './normalize-condition.js';
import { normalizeReport } from './normalize-report.js';
import { ReportError } from './report-error.js';
import { toSql } from './to-sql.js';
import type { ReportForm, TableMap } from './types.js';

/** The CRM funnel of the README. */
export const FUNNEL_SPEC = {
  kind: 'funnel',
  form: 'opportunity',
  title: { 'zh-CN': '本季度销售漏斗', en: 'Sales funnel this quarter' },
  funnel: { field: 'stage', stages: ['lead', 'qualified', 'proposal', 'negotiation', 'won'] },
  measures: [
    { id: 'deals', fn: 'count', label: { 'zh-CN': '商机数', en: 'Deals' } },
    { id: 'amount', fn: 'sum', field: 'amount', label: { 'zh-CN': '金额', en: 'Amount' } },
  ],
  period: { field: 'created_at', op: 'this_quarter' },
};

/** The CRM leaderboard of the README. */
export const LEADERBOARD_SPEC = {
  kind: 'leaderboard',
  form: 'opportunity',
  title: { 'zh-CN': '本月赢单排行', en: 'Won this month' },
  dimensions: [{ field: 'owner_id' }],
  measures: [
    {
      id: 'won_amount',
      fn: 'sum',
      field: 'amount',
      filter: { field: 'stage', op: 'eq', value: 'won' },
    },
    { id: 'won_deals', fn: 'count', filter: { field: 'stage', op: 'eq', value: 'won' } },
  ],
  period: { field: 'created_at', op: 'this_month' },
  leaderboard: {
    by: 'won_amount',
    limit: 10,
    target: {
      form: 'sales_target',
      entityField: 'owner',
      valueField: 'amount',
      periodField: 'month',
    },
  },
};

describe('toSql: the README reports', () => {
  it('compiles the CRM funnel to one statement', () => {
    const { text, values } = toSql(report(FUNNEL_SPEC), tables);
    assert.equal(
      text,
      'SELECT "x".* FROM (SELECT "t"."stage" AS "s", count(*) AS "m0", sum("t"."amount") AS "m1" FROM "ws_acme"."opportunity" "t" WHERE "t"."deleted_at" IS NULL AND ("t"."created_at" >= $1::timestamptz AND "t"."created_at" < $2::timestamptz) AND "t"."stage" = ANY($3::text[]) GROUP BY "t"."stage") "x" ORDER BY "x"."s" COLLATE "C" ASC NULLS LAST LIMIT $4::integer',
    );
    assert.deepEqual(values, [
      '2025-12-31T16:00:00.000Z',
      '2026-03-31T16:00:00.000Z',
      ['lead', 'qualified', 'proposal', 'negotiation', 'won'],
      10001,
    ]);
  });

  it('compiles the leaderboard with targets and the row scope to one statement', () => {
    const scope = normalizeCondition(
      { field: 'owner_id', op: 'in', value: [people.zhangWei, people.wangFang] },
      forms[0] as ReportForm,
    );
    assert.ok(!Array.isArray(scope));
    const { text, values } = toSql(report(LEADERBOARD_SPEC), tables, { rowScope: scope });
    assert.equal(
      text,
      'SELECT "y".* FROM (SELECT "x".*, rank() OVER (ORDER BY "x"."m0" DESC NULLS LAST) AS "rk", "tg"."v" AS "tg" FROM (SELECT "t"."owner_id" AS "d0", sum("t"."amount") FILTER (WHERE "t"."stage" = $4::text) AS "m0", count(*) FILTER (WHERE "t"."stage" = $5::text) AS "m1" FROM "ws_acme"."opportunity" "t" WHERE "t"."deleted_at" IS NULL AND "t"."owner_id" = ANY($1::uuid[]) AND ("t"."created_at" >= $2::timestamptz AND "t"."created_at" < $3::timestamptz) AND "t"."owner_id" IS NOT NULL GROUP BY "t"."owner_id") "x" LEFT JOIN (SELECT "tt"."owner" AS "k", sum("tt"."amount") AS "v" FROM "ws_acme"."sales_target" "tt" WHERE "tt"."deleted_at" IS NULL AND "tt"."month" >= $6::date AND "tt"."month" < $7::date GROUP BY "tt"."owner") "tg" ON "tg"."k" = "x"."d0") "y" WHERE "y"."rk" <= $8::integer ORDER BY "y"."rk" ASC, "y"."d0" ASC NULLS LAST',
    );
    assert.deepEqual(values, [
      [people.zhangWei, people.wangFang],
      '2026-02-28T16:00:00.000Z',
      '2026-03-31T16:00:00.000Z',
      'won',
      'won',
      '2026-03-01',
      '2026-04-01',
      10,
    ]);
  });
});

describe('toSql: structure', () => {
  it('uses GROUPING SETS for pivot subtotals and totals, rows by columns', () => {
    const r = report({
      kind: 'pivot',
      form: 'opportunity',
      dimensions: [{ field: 'customer.level' }, { field: 'owner_id' }],
      columns: [{ field: 'created_at', bucket: 'month' }],
      measures: [{ id: 'n', fn: 'count' }],
      subtotals: true,
    });
    const { text } = toSql(r, tables);
    assert.match(
      text,
      /LEFT JOIN "ws_acme"."customer" "j1" ON "j1"."id" = "t"."customer" AND "j1"."deleted_at" IS NULL/,
    );
    const sets = /GROUPING SETS \((.*)\)\) "x"/.exec(text)?.[1] ?? '';
    assert.equal(sets.split('), (').length, 6, `3 row levels x 2 column levels: ${sets}`);
    assert.match(
      text,
      /GROUPING\("j1"."level", "t"."owner_id", date_trunc\('month', \("t"."created_at" AT TIME ZONE \$1::text\)\)\) AS "g"/,
    );
  });

  it('walks two relations with LEFT JOINs that skip deleted records', () => {
    const r = report({
      kind: 'table',
      form: 'opportunity',
      dimensions: [{ field: 'customer.group.name' }],
      measures: [{ id: 'n', fn: 'count' }],
      filter: { field: 'customer.level', op: 'eq', value: 'A' },
    });
    const { text } = toSql(r, tables);
    assert.ok(
      text.includes(
        'FROM "ws_acme"."opportunity" "t" LEFT JOIN "ws_acme"."customer" "j1" ON "j1"."id" = "t"."customer" AND "j1"."deleted_at" IS NULL LEFT JOIN "ws_acme"."customer_group" "j2" ON "j2"."id" = "j1"."group" AND "j2"."deleted_at" IS NULL WHERE "t"."deleted_at" IS NULL AND "j1"."level" = $1::text GROUP BY "j2"."name"',
      ),
      text,
    );
  });

  it('ranks the top N over the same scan, row scope included, and folds the rest into Other', () => {
    const scope = normalizeCondition(
      { field: 'owner_id', op: 'eq', value: people.liNa },
      forms[0] as ReportForm,
    );
    assert.ok(!Array.isArray(scope));
    const r = report({
      kind: 'table',
      form: 'opportunity',
      dimensions: [{ field: 'source' }],
      measures: [{ id: 'amount', fn: 'sum', field: 'amount' }],
      top: { n: 3 },
    });
    const { text } = toSql(r, tables, { rowScope: scope });
    const cte = /WITH "top" AS \((.*?)\) SELECT/.exec(text)?.[1] ?? '';
    assert.match(
      cte,
      /"t"."owner_id" = \$1::uuid/,
      'the ranking never sees rows outside the scope',
    );
    assert.match(
      cte,
      /ORDER BY sum\("t"."amount"\) DESC NULLS LAST, "t"."source" COLLATE "C" ASC NULLS LAST LIMIT/,
    );
    assert.match(text, /IS NOT TRUE AS "o"/);
  });

  it('keeps plain top N a plain ORDER BY ... LIMIT', () => {
    const r = report({
      kind: 'table',
      form: 'opportunity',
      dimensions: [{ field: 'customer' }],
      measures: [{ id: 'amount', fn: 'sum', field: 'amount' }],
      top: { n: 10, other: false },
    });
    const { text, values } = toSql(r, tables);
    assert.doesNotMatch(text, /WITH/);
    assert.match(
      text,
      /ORDER BY "x"."m0" DESC NULLS LAST, "x"."d0" ASC NULLS LAST LIMIT \$1::integer$/,
    );
    assert.deepEqual(values, [10]);
  });

  it('compares with the previous period in one scan (FILTER per period)', () => {
    const r = report({
      kind: 'kpi',
      form: 'opportunity',
      measures: [{ id: 'n', fn: 'count' }],
      period: { field: 'created_at', op: 'this_month' },
      compare: 'previous_period',
    });
    const { text } = toSql(r, tables);
    assert.equal((text.match(/FROM "ws_acme"."opportunity"/g) ?? []).length, 1);
    assert.match(
      text,
      /count\(\*\) FILTER \(WHERE .*\) AS "m0", count\(\*\) FILTER \(WHERE .*\) AS "p0"/,
    );
  });

  it('caps the rows and leaves drafts out when asked', () => {
    const r = report({
      kind: 'table',
      form: 'opportunity',
      dimensions: [{ field: 'title' }],
      measures: [{ id: 'n', fn: 'count' }],
    });
    const { text, values } = toSql(r, tables, { maxGroups: 500, excludeDrafts: true });
    assert.match(text, /NOT "t"."is_draft"/);
    assert.equal(values[values.length - 1], 501);
    assert.throws(
      () => toSql(r, tables, { maxGroups: 0 }),
      (e: unknown) => e instanceof ReportError && e.code === 'INVALID_MAX_GROUPS',
    );
    assert.throws(
      () => toSql(r, tables, { timeZone: 'UTC' }),
      (e: unknown) => e instanceof ReportError && e.code === 'TIME_ZONE_MISMATCH',
    );
  });

  it('refuses a table map that does not match the form', () => {
    const r = report({
      kind: 'kpi',
      form: 'opportunity',
      measures: [{ id: 'a', fn: 'sum', field: 'amount' }],
    });
    const noTable = { ...tables } as Record<string, unknown>;
    delete noTable['opportunity'];
    assert.throws(
      () => toSql(r, noTable as TableMap),
      (e: unknown) => e instanceof ReportError && e.code === 'UNMAPPED_FORM',
    );
    const unsafe = {
      ...tables,
      opportunity: { ...tables['opportunity'], table: 'opportunity; DROP TABLE x' },
    } as TableMap;
    assert.throws(
      () => toSql(r, unsafe),
      (e: unknown) => e instanceof ReportError && e.code === 'UNSAFE_IDENTIFIER',
    );
  });
});

describe('toSql: values never change the statement (rule 3, property)', () => {
  const text = fc.string({ unit: 'grapheme', maxLength: 40 });
  it('puts every user value in a bind parameter', () => {
    fc.assert(
      fc.property(
        text,
        text,
        text,
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (a, b, stage, amount) => {
          const spec = (v: { a: string; b: string; stage: string; amount: number }) => ({
            kind: 'table',
            form: 'opportunity',
            title: v.a.length > 0 ? v.a.slice(0, 100) : 'x',
            dimensions: [{ field: 'source', label: v.b.length > 0 ? v.b.slice(0, 100) : 'y' }],
            measures: [
              { id: 'n', fn: 'count', filter: { field: 'title', op: 'contains', value: v.a } },
              {
                id: 'c',
                fn: 'conversion',
                field: 'stage',
                stages: [`s${v.stage}`, 'won'],
                from: `s${v.stage}`,
                to: 'won',
              },
            ],
            filter: {
              or: [
                { field: 'source', op: 'in', value: [v.b] },
                { field: 'amount', op: 'gt', value: v.amount },
              ],
            },
            top: { n: 3 },
          });
          const attack = normalizeReport(spec({ a, b, stage, amount }), forms, { now: NOW });
          const benign = normalizeReport(
            spec({ a: 'a', b: 'b', stage: 'lead', amount: 1 }),
            forms,
            { now: NOW },
          );
          if (Array.isArray(attack) || Array.isArray(benign)) return;
          assert.equal(toSql(attack, tables).text, toSql(benign, tables).text);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary JSON, and what it accepts compiles', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (raw) => {
        const out = normalizeReport(raw, forms, { now: NOW });
        if (!Array.isArray(out)) toSql(out, tables);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts an identifier only when it names a real field (arbitrary strings)', () => {
    const known = new Set([
      'title',
      'source',
      'amount',
      'probability',
      'expected_close',
      'tags',
      'key_account',
      'customer',
      'margin',
      'score',
      'id',
      'owner_id',
      'created_by',
      'created_at',
      'updated_at',
      'version',
      'stage',
      'stage_entered_at',
      'deleted_at',
      'is_draft',
      'submitted_at',
    ]);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.constantFrom(...known),
          fc.stringMatching(/^[a-z_;"'`\- ]{1,12}$/),
        ),
        (field) => {
          const out = normalizeReport(
            { kind: 'table', form: 'opportunity', fields: [field] },
            forms,
            { now: NOW },
          );
          assert.equal(!Array.isArray(out), known.has(field), field);
        },
      ),
      { numRuns: 500 },
    );
  });
});
