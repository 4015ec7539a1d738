// report-engine on a real PostgreSQL: random report specs over random CRM data must give the same
// result through toSql (run here) as through runInMemory (the oracle); random filters must select
// the same records; every cell's drill-down condition must reproduce its count; identifier
// injection is refused at normalization and value injection stays a harmless bind parameter.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import pg from 'pg';
import {
  type NormalizedReport,
  type ReportForm,
  type ReportResult,
  type TableMap,
  conditionToSql,
  matchesCondition,
  normalizeCondition,
  normalizeReport,
  runInMemory,
  toResult,
  toSql,
} from '@trellis/report-engine';
import { createTestDatabase, type TestDatabase } from './support/test-env.js';

const SCHEMA = 'report_conformance';
const NOW = '2026-03-15T04:00:00.000Z';
const NOW_MS = Date.parse(NOW);
const DAY = 86_400_000;

const OWNERS = [
  '6f1c1f3e-1111-4c4b-9d1e-000000000001',
  '6f1c1f3e-2222-4c4b-9d1e-000000000002',
  '6f1c1f3e-3333-4c4b-9d1e-000000000003',
  '6f1c1f3e-4444-4c4b-9d1e-000000000004',
];
const SOURCES = ['官网', '展会', '转介绍', 'Partner', 'partner'];
const REGIONS = ['华东', '华北', '华南'];
const STAGES = ['lead', 'qualified', 'proposal', 'won', 'lost'];
const TAGS = ['重点', '续约', '新客', 'vip'];
const NAMES = [
  '上海启明信息技术有限公司',
  '北京云帆科技有限公司',
  '深圳华创电子有限公司',
  '杭州西溪数据有限公司',
  'Acme 中国',
];
const AMOUNTS = ['12800.50', '0.10', '0.20', '1000', '2500.00', '99999.99', '350', '0.5', '480000'];

const forms: ReportForm[] = [
  {
    id: 'deal',
    name: { 'zh-CN': '商机', en: 'Deal' },
    fields: [
      { id: 'name', type: 'text', label: '商机名称' },
      {
        id: 'source',
        type: 'select',
        label: '来源',
        options: SOURCES.map((s) => ({ value: s, label: s })),
      },
      { id: 'region', type: 'radio', label: '区域' },
      { id: 'amount', type: 'currency', label: '金额' },
      { id: 'probability', type: 'percent', label: '赢率' },
      { id: 'quantity', type: 'number', label: '数量' },
      { id: 'closed_on', type: 'date', label: '成交日期' },
      { id: 'follow_up_at', type: 'datetime', label: '下次跟进' },
      { id: 'tags', type: 'multi_select', label: '标签' },
      { id: 'vip', type: 'boolean', label: '重点客户' },
      { id: 'customer', type: 'relation', label: '客户', relation: { formId: 'customer' } },
      { id: 'secret_margin', type: 'number', label: '毛利' },
    ],
  },
  {
    id: 'customer',
    name: '客户',
    fields: [
      { id: 'level', type: 'select', label: '客户等级' },
      { id: 'city', type: 'text', label: '城市' },
    ],
  },
  {
    id: 'sales_target',
    name: '销售目标',
    fields: [
      { id: 'owner', type: 'user', label: '销售' },
      { id: 'month', type: 'date', label: '月份' },
      { id: 'amount', type: 'currency', label: '目标金额' },
    ],
  },
];

const tables: TableMap = {
  deal: {
    schema: SCHEMA,
    table: 'deal',
    columns: {
      name: { column: 'name', type: 'text' },
      source: { column: 'source', type: 'text' },
      region: { column: 'region', type: 'text' },
      amount: { column: 'amount', type: 'numeric' },
      probability: { column: 'probability', type: 'numeric' },
      quantity: { column: 'quantity', type: 'numeric' },
      closed_on: { column: 'closed_on', type: 'date' },
      follow_up_at: { column: 'follow_up_at', type: 'timestamptz' },
      tags: { column: 'tags', type: 'text[]' },
      vip: { column: 'vip', type: 'boolean' },
      customer: { column: 'customer', type: 'uuid' },
      secret_margin: { column: 'secret_margin', type: 'numeric' },
    },
    relations: { customer: { formId: 'customer', column: 'customer' } },
  },
  customer: {
    schema: SCHEMA,
    table: 'customer',
    columns: { level: { column: 'level', type: 'text' }, city: { column: 'city', type: 'text' } },
  },
  sales_target: {
    schema: SCHEMA,
    table: 'sales_target',
    columns: {
      owner: { column: 'owner', type: 'uuid' },
      month: { column: 'month', type: 'date' },
      amount: { column: 'amount', type: 'numeric' },
    },
  },
};

type Row = Record<string, unknown>;

const SYSTEM_COLUMNS = `id uuid PRIMARY KEY, owner_id uuid, created_by uuid, created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(), version integer NOT NULL DEFAULT 1, stage text,
  stage_entered_at timestamptz, deleted_at timestamptz, is_draft boolean NOT NULL DEFAULT false,
  submitted_at timestamptz`;

// ---------------------------------------------------------------------------
// Random data (deterministic: a fixed fast-check seed)
// ---------------------------------------------------------------------------

const iso = (ms: number): string => new Date(ms).toISOString();
const dateOf = (ms: number): string => iso(ms).slice(0, 10);

const customerArb = fc.record({
  level: fc.constantFrom('A', 'B', 'C', null),
  city: fc.constantFrom('上海', '北京', '深圳'),
});

function dealArb(customerIds: readonly string[]): fc.Arbitrary<Row> {
  return fc.record({
    owner_id: fc.constantFrom(...OWNERS, null),
    created_at: fc.integer({ min: -400 * DAY, max: 40 * DAY }).map((d) => iso(NOW_MS + d)),
    stage: fc.constantFrom(...STAGES, null),
    deleted_at: fc.constantFrom(
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      '2026-01-01T00:00:00.000Z',
    ),
    name: fc.constantFrom(...NAMES, null),
    source: fc.constantFrom(...SOURCES, null),
    region: fc.constantFrom(...REGIONS, null),
    amount: fc.constantFrom(...AMOUNTS, null),
    probability: fc.constantFrom(0, 10, 25, 50, 90, 100, null),
    quantity: fc.constantFrom(0, 1, 2, 3, 5, null),
    closed_on: fc.oneof(
      fc.constant(null),
      fc.integer({ min: -300, max: 60 }).map((d) => dateOf(NOW_MS + d * DAY)),
    ),
    follow_up_at: fc.oneof(
      fc.constant(null),
      fc.integer({ min: -60 * DAY, max: 60 * DAY }).map((d) => iso(NOW_MS + d)),
    ),
    tags: fc.oneof(fc.constant(null), fc.subarray(TAGS)),
    vip: fc.constantFrom(true, false, null),
    customer: fc.constantFrom(...customerIds, null),
    secret_margin: fc.constantFrom('10.5', '20', null),
  });
}

// ---------------------------------------------------------------------------
// Random report specs
// ---------------------------------------------------------------------------

const sourceValue = fc.constantFrom(...SOURCES, '不存在', 'PART');
const relOps = fc.oneof(
  fc.constantFrom(
    { op: 'this_month' },
    { op: 'last_month' },
    { op: 'this_quarter' },
    { op: 'last_quarter' },
    { op: 'this_year' },
    { op: 'this_week' },
    { op: 'today' },
  ),
  fc.integer({ min: 1, max: 120 }).map((n) => ({ op: 'last_n_days', value: n })),
  fc.tuple(fc.integer({ min: -300, max: 0 }), fc.integer({ min: 1, max: 200 })).map(([a, len]) => ({
    op: 'custom',
    value: { from: dateOf(NOW_MS + a * DAY), to: dateOf(NOW_MS + (a + len) * DAY) },
  })),
);

const leafArb: fc.Arbitrary<Row> = fc.oneof(
  fc.record({
    field: fc.constant('source'),
    op: fc.constantFrom('eq', 'ne', 'neq'),
    value: sourceValue,
  }),
  fc.record({
    field: fc.constant('source'),
    op: fc.constantFrom('in', 'not_in'),
    value: fc.subarray([...SOURCES, 'x']),
  }),
  fc.record({
    field: fc.constant('source'),
    op: fc.constantFrom('contains', 'starts_with', 'not_contains'),
    value: fc.constantFrom('par', '官', '会', 'P'),
  }),
  fc.record({
    field: fc.constantFrom(
      'source',
      'region',
      'name',
      'amount',
      'closed_on',
      'tags',
      'vip',
      'customer.level',
    ),
    op: fc.constantFrom('is_empty', 'is_not_empty'),
  }),
  fc.record({
    field: fc.constant('amount'),
    op: fc.constantFrom('lt', 'lte', 'gt', 'gte', 'eq', 'ne'),
    value: fc.constantFrom(0.2, 1000, '2500', 350.5),
  }),
  fc.record({
    field: fc.constant('amount'),
    op: fc.constant('between'),
    value: fc.constantFrom([0.1, 1000], [350, 480000]),
  }),
  fc.record({
    field: fc.constant('quantity'),
    op: fc.constantFrom('in', 'not_in'),
    value: fc.subarray([0, 1, 2, 5]),
  }),
  fc.record({
    field: fc.constant('tags'),
    op: fc.constantFrom('contains', 'not_contains', 'eq'),
    value: fc.constantFrom(...TAGS),
  }),
  fc.record({
    field: fc.constant('tags'),
    op: fc.constantFrom('in', 'not_in'),
    value: fc.subarray(TAGS, { minLength: 1 }),
  }),
  fc.record({ field: fc.constant('vip'), op: fc.constantFrom('eq', 'ne'), value: fc.boolean() }),
  fc.record({
    field: fc.constant('owner_id'),
    op: fc.constantFrom('eq', 'ne'),
    value: fc.constantFrom(...OWNERS),
  }),
  fc.record({
    field: fc.constant('owner_id'),
    op: fc.constantFrom('in', 'not_in'),
    value: fc.subarray(OWNERS),
  }),
  fc.record({
    field: fc.constant('stage'),
    op: fc.constantFrom('in', 'not_in'),
    value: fc.subarray(STAGES),
  }),
  fc.record({
    field: fc.constant('customer.level'),
    op: fc.constantFrom('eq', 'ne'),
    value: fc.constantFrom('A', 'B', 'C'),
  }),
  fc.record({
    field: fc.constant('customer.city'),
    op: fc.constant('eq'),
    value: fc.constantFrom('上海', '北京'),
  }),
  fc.record({
    field: fc.constant('closed_on'),
    op: fc.constantFrom('lt', 'gte', 'eq'),
    value: fc.integer({ min: -300, max: 60 }).map((d) => dateOf(NOW_MS + d * DAY)),
  }),
  fc.record({
    field: fc.constant('created_at'),
    op: fc.constantFrom('lt', 'gte', 'eq', 'lte', 'gt'),
    value: fc.integer({ min: -300, max: 30 }).map((d) => dateOf(NOW_MS + d * DAY)),
  }),
  fc
    .tuple(fc.constantFrom('created_at', 'closed_on', 'follow_up_at'), relOps)
    .map(([field, r]) => ({ field, ...r })),
);

const conditionArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb,
    fc.record({ and: fc.array(tie('node'), { maxLength: 3 }) }),
    fc.record({ or: fc.array(tie('node'), { maxLength: 3 }) }),
    fc.record({ not: tie('node') }),
  ),
})).node;

const DIMENSIONS: Row[] = [
  { field: 'source' },
  { field: 'region' },
  { field: 'stage' },
  { field: 'vip' },
  { field: 'owner_id' },
  { field: 'tags' },
  { field: 'customer.level' },
  { field: 'amount', bin: { width: 1000 } },
  { field: 'amount', bin: { width: 0.25, origin: 0.05 }, id: 'amount_fine' },
  { field: 'quantity' },
  { field: 'created_at', bucket: 'month' },
  { field: 'created_at', bucket: 'week', id: 'created_week' },
  { field: 'created_at', bucket: 'quarter', id: 'created_quarter' },
  { field: 'closed_on' },
  { field: 'closed_on', bucket: 'month', id: 'closed_month' },
  { field: 'follow_up_at', bucket: 'day' },
];

const measureArb: fc.Arbitrary<Row> = fc.oneof(
  fc.constant({ fn: 'count' }),
  fc.constant({ fn: 'count', field: 'closed_on' }),
  fc.constant({ fn: 'count_distinct', field: 'owner_id' }),
  fc.constant({ fn: 'count_distinct', field: 'source' }),
  fc.constant({ fn: 'sum', field: 'amount' }),
  fc.constant({ fn: 'avg', field: 'amount' }),
  fc.constant({ fn: 'avg', field: 'quantity' }),
  fc.constant({ fn: 'min', field: 'amount' }),
  fc.constant({ fn: 'max', field: 'closed_on' }),
  fc.constant({ fn: 'min', field: 'created_at' }),
  fc.constant({ fn: 'weighted_sum', field: 'amount', weight: 'probability' }),
  fc.constant({
    fn: 'conversion',
    field: 'stage',
    stages: ['lead', 'qualified', 'proposal', 'won'],
    from: 'lead',
    to: 'won',
  }),
  fc.record({ fn: fc.constant('count'), filter: leafArb }),
  fc.record({ fn: fc.constant('sum'), field: fc.constant('amount'), filter: leafArb }),
);

function withIds(measures: Row[], extras: { ratio: boolean; share: boolean }): Row[] {
  const out: Row[] = measures.map((m, i) => ({ id: `m${i}`, ...m }));
  const additive = out.filter(
    (m) => m['fn'] === 'count' || m['fn'] === 'sum' || m['fn'] === 'weighted_sum',
  );
  if (extras.ratio && out.length >= 2)
    out.push({ id: 'r', fn: 'ratio', numerator: 'm0', denominator: `m${out.length - 1}` });
  if (extras.share && additive[0] !== undefined)
    out.push({ id: 'sh', fn: 'share', of: additive[0]['id'] });
  return out;
}

const specArb: fc.Arbitrary<Row> = fc
  .record({
    kind: fc.constantFrom(
      'table',
      'table',
      'pivot',
      'time_series',
      'funnel',
      'leaderboard',
      'kpi',
      'detail',
    ),
    dims: fc.uniqueArray(fc.constantFrom(...DIMENSIONS), {
      maxLength: 3,
      selector: (d) => String(d['id'] ?? d['field']),
    }),
    cols: fc.uniqueArray(fc.constantFrom(...DIMENSIONS), {
      minLength: 1,
      maxLength: 2,
      selector: (d) => String(d['id'] ?? d['field']),
    }),
    measures: fc.array(measureArb, { minLength: 1, maxLength: 4 }),
    ratio: fc.boolean(),
    share: fc.boolean(),
    filter: fc.option(conditionArb, { nil: undefined }),
    period: fc.option(fc.tuple(fc.constantFrom('created_at', 'closed_on'), relOps), {
      nil: undefined,
    }),
    compare: fc.constantFrom(undefined, undefined, 'previous_period', 'previous_year'),
    sortBy: fc.option(fc.tuple(fc.nat(6), fc.constantFrom('asc', 'desc')), { nil: undefined }),
    top: fc.option(fc.record({ n: fc.integer({ min: 1, max: 4 }), other: fc.boolean() }), {
      nil: undefined,
    }),
    limit: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
    totals: fc.boolean(),
    subtotals: fc.boolean(),
    mode: fc.constantFrom('reached', 'current'),
    ties: fc.constantFrom('competition', 'dense'),
    target: fc.boolean(),
    tz: fc.constantFrom('Asia/Shanghai', 'Asia/Shanghai', 'UTC', 'America/New_York'),
  })
  .map((r) => {
    const measures = withIds(r.measures, { ratio: r.ratio, share: r.share });
    const spec: Row = { kind: r.kind, form: 'deal', measures };
    const ids = [
      ...r.dims.map((d) => String(d['id'] ?? String(d['field']).replaceAll('.', '__'))),
      ...measures.map((m) => String(m['id'])),
    ];
    if (r.filter !== undefined) spec['filter'] = r.filter;
    if (r.period !== undefined) spec['period'] = { field: r.period[0], ...r.period[1] };
    if (r.compare !== undefined) spec['compare'] = r.compare;
    if (r.sortBy !== undefined && ids.length > 0)
      spec['sort'] = [{ by: ids[r.sortBy[0] % ids.length], direction: r.sortBy[1] }];
    switch (r.kind) {
      case 'table':
        spec['dimensions'] = r.dims;
        spec['totals'] = r.totals;
        if (r.subtotals && r.dims.length >= 2) spec['subtotals'] = true;
        else if (r.top !== undefined) spec['top'] = r.top;
        else if (r.limit !== undefined) spec['limit'] = r.limit;
        break;
      case 'pivot':
        spec['dimensions'] = r.dims.length === 0 ? [{ field: 'source' }] : r.dims.slice(0, 2);
        spec['columns'] = r.cols.filter(
          (c) =>
            !(spec['dimensions'] as Row[]).some(
              (d) => (d['id'] ?? d['field']) === (c['id'] ?? c['field']),
            ),
        );
        spec['totals'] = r.totals;
        spec['subtotals'] = r.subtotals;
        if (r.top !== undefined && !r.subtotals) spec['top'] = r.top;
        break;
      case 'time_series':
        spec['dimensions'] = [
          { field: 'created_at', bucket: r.top === undefined ? 'month' : 'week' },
          ...r.dims.filter((d) => d['field'] !== 'created_at').slice(0, 1),
        ];
        spec['totals'] = r.totals;
        if (r.top !== undefined && (spec['dimensions'] as Row[]).length === 2)
          spec['top'] = {
            ...r.top,
            dimension: String(
              (spec['dimensions'] as Row[])[1]?.['id'] ??
                String((spec['dimensions'] as Row[])[1]?.['field']).replaceAll('.', '__'),
            ),
          };
        delete spec['sort'];
        break;
      case 'funnel':
        spec['funnel'] = {
          field: 'stage',
          stages: ['lead', 'qualified', 'proposal', 'won'],
          mode: r.mode,
        };
        spec['measures'] = [
          { id: 'n', fn: 'count' },
          { id: 'amt', fn: 'sum', field: 'amount' },
          { id: 'w', fn: 'weighted_sum', field: 'amount', weight: 'probability' },
        ];
        spec['dimensions'] = r.dims.slice(0, 1);
        spec['totals'] = r.totals;
        delete spec['sort'];
        break;
      case 'leaderboard':
        spec['dimensions'] = [{ field: 'owner_id' }];
        spec['leaderboard'] = {
          by: String(measures[0]?.['id']),
          limit: r.limit ?? 3,
          ties: r.ties,
          ...(r.target
            ? {
                target: {
                  form: 'sales_target',
                  entityField: 'owner',
                  valueField: 'amount',
                  periodField: 'month',
                },
              }
            : {}),
        };
        delete spec['sort'];
        break;
      case 'kpi':
        delete spec['sort'];
        break;
      case 'detail':
        spec['kind'] = 'table';
        delete spec['measures'];
        spec['fields'] = [
          'name',
          'source',
          'amount',
          'closed_on',
          'created_at',
          'tags',
          'vip',
          'customer.level',
          'owner_id',
        ];
        spec['sort'] =
          r.sortBy === undefined
            ? []
            : [
                {
                  by: ['amount', 'closed_on', 'source', 'created_at'][r.sortBy[0] % 4],
                  direction: r.sortBy[1],
                },
              ];
        spec['limit'] = r.limit ?? 50;
        break;
      default:
        break;
    }
    return { spec, tz: r.tz };
  }) as unknown as fc.Arbitrary<Row>;

// ---------------------------------------------------------------------------

let db: TestDatabase;
let client: pg.Client;
let deals: Row[] = [];
let targets: Row[] = [];
/** Deals as the in-memory twin sees them: related fields under `customer.level` / `customer.city`. */
let memoryDeals: Row[] = [];

function plain(result: ReportResult): unknown {
  return JSON.parse(JSON.stringify(result));
}

async function viaSql(
  report: NormalizedReport,
  options: Parameters<typeof toSql>[2] = {},
): Promise<ReportResult> {
  const { text, values } = toSql(report, tables, options);
  const res = await client.query(text, values);
  return toResult(
    report,
    res.rows,
    options.maxGroups === undefined ? {} : { maxGroups: options.maxGroups },
  );
}

before(async () => {
  db = await createTestDatabase();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(`CREATE SCHEMA ${SCHEMA}`);
  await client.query(`CREATE TABLE ${SCHEMA}.customer (${SYSTEM_COLUMNS}, level text, city text)`);
  await client.query(`CREATE TABLE ${SCHEMA}.deal (${SYSTEM_COLUMNS}, name text, source text, region text,
    amount numeric, probability numeric, quantity numeric, closed_on date, follow_up_at timestamptz,
    tags text[], vip boolean, customer uuid REFERENCES ${SCHEMA}.customer(id), secret_margin numeric)`);
  await client.query(
    `CREATE TABLE ${SCHEMA}.sales_target (${SYSTEM_COLUMNS}, owner uuid, month date, amount numeric)`,
  );

  const customers = fc.sample(customerArb, { numRuns: 8, seed: 42 }).map((c, i) => ({
    id: randomUUID(),
    ...c,
    deleted: i === 7,
  }));
  for (const c of customers) {
    await client.query(
      `INSERT INTO ${SCHEMA}.customer (id, created_at, level, city, deleted_at) VALUES ($1, now(), $2, $3, $4)`,
      [c.id, c.level, c.city, c.deleted ? '2026-01-01T00:00:00Z' : null],
    );
  }
  deals = fc
    .sample(dealArb(customers.map((c) => c.id)), { numRuns: 600, seed: 7 })
    .map((d) => ({ id: randomUUID(), ...d }));
  const columns = [
    'id',
    'owner_id',
    'created_at',
    'stage',
    'deleted_at',
    'name',
    'source',
    'region',
    'amount',
    'probability',
    'quantity',
    'closed_on',
    'follow_up_at',
    'tags',
    'vip',
    'customer',
    'secret_margin',
  ];
  for (let i = 0; i < deals.length; i += 100) {
    const chunk = deals.slice(i, i + 100);
    const values: unknown[] = [];
    const tuples = chunk.map(
      (d, r) =>
        `(${columns
          .map((c, k) => {
            values.push(d[c]);
            return `$${r * columns.length + k + 1}`;
          })
          .join(', ')})`,
    );
    await client.query(
      `INSERT INTO ${SCHEMA}.deal (${columns.join(', ')}) VALUES ${tuples.join(', ')}`,
      values,
    );
  }
  memoryDeals = deals.map((d) => {
    const c = customers.find((x) => x.id === d['customer'] && !x.deleted);
    return { ...d, 'customer.level': c?.level ?? null, 'customer.city': c?.city ?? null };
  });
  targets = [];
  for (const owner of OWNERS.slice(0, 3)) {
    for (const month of ['2025-12-01', '2026-01-01', '2026-02-01', '2026-03-01']) {
      targets.push({
        id: randomUUID(),
        owner,
        month,
        amount: String(100_000 + targets.length * 12_345),
        deleted_at: null,
      });
    }
  }
  for (const t of targets) {
    await client.query(
      `INSERT INTO ${SCHEMA}.sales_target (id, created_at, owner, month, amount) VALUES ($1, now(), $2, $3, $4)`,
      [t['id'], t['owner'], t['month'], t['amount']],
    );
  }
});

after(async () => {
  await client?.end();
  await db?.drop();
});

describe('report-engine on PostgreSQL', () => {
  it('gives the same result for random report specs through toSql and runInMemory', async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(specArb, async (input) => {
        const { spec, tz } = input as { spec: Row; tz: string };
        const report = normalizeReport(spec, forms, { now: NOW, timeZone: tz as string });
        if (Array.isArray(report)) return;
        compared += 1;
        const sql = await viaSql(report);
        const memory = runInMemory(report, memoryDeals, { targetRows: targets });
        assert.deepEqual(plain(sql), plain(memory), JSON.stringify(spec));
      }),
      { numRuns: 260, seed: 20260315 },
    );
    assert.ok(compared >= 150, `only ${compared} of 260 random specs were valid reports`);
  });

  it('selects the same records for random filters (conditionToSql vs matchesCondition)', async () => {
    const deal = forms[0] as ReportForm;
    await fc.assert(
      fc.asyncProperty(
        conditionArb,
        fc.constantFrom('Asia/Shanghai', 'America/New_York'),
        async (raw, tz) => {
          const condition = normalizeCondition(raw, deal, { forms, now: NOW, timeZone: tz });
          if (Array.isArray(condition)) return;
          const values: unknown[] = [];
          const where = conditionToSql(
            condition,
            { alias: 't', formId: 'deal', tables },
            { add: (v) => `$${values.push(v)}` },
          );
          const res = await client.query<{ id: string }>(
            `SELECT t.id::text AS id FROM ${SCHEMA}.deal t WHERE t.deleted_at IS NULL AND ${where}`,
            values,
          );
          const expected = memoryDeals
            .filter((d) => d['deleted_at'] === null && matchesCondition(condition, d))
            .map((d) => d['id']);
          assert.deepEqual(
            res.rows.map((r) => r.id).sort(),
            [...(expected as string[])].sort(),
            JSON.stringify(raw),
          );
        },
      ),
      { numRuns: 200, seed: 11 },
    );
  });

  it("reproduces every cell's count with its drill-down condition", async () => {
    const deal = forms[0] as ReportForm;
    let cells = 0;
    await fc.assert(
      fc.asyncProperty(specArb, async (input) => {
        const { spec, tz } = input as { spec: Row; tz: string };
        if (spec['kind'] !== 'table' && spec['kind'] !== 'pivot' && spec['kind'] !== 'time_series')
          return;
        const s: Row = { ...spec, measures: [{ id: 'n', fn: 'count' }] };
        delete s['sort'];
        delete s['top'];
        const report = normalizeReport(s, forms, { now: NOW, timeZone: tz });
        if (Array.isArray(report)) return;
        const result = await viaSql(report);
        for (const row of [...result.rows, ...(result.total === null ? [] : [result.total])]) {
          const again = normalizeCondition(row.drill, deal, { forms, now: NOW, timeZone: tz });
          assert.ok(!Array.isArray(again), JSON.stringify(again));
          const values: unknown[] = [];
          const where = conditionToSql(
            again,
            { alias: 't', formId: 'deal', tables },
            { add: (v) => `$${values.push(v)}` },
          );
          const res = await client.query<{ n: string }>(
            `SELECT count(*) AS n FROM ${SCHEMA}.deal t WHERE t.deleted_at IS NULL AND ${where}`,
            values,
          );
          const fanOut =
            report.dimensions.some((d) => d.field.kind === 'text_array') && row.level !== 'detail';
          if (!fanOut)
            assert.equal(
              Number(res.rows[0]?.n),
              row.values['n'],
              `${JSON.stringify(s)} ${JSON.stringify(row.keys)}`,
            );
          cells += 1;
        }
      }),
      { numRuns: 60, seed: 5 },
    );
    assert.ok(cells > 100, `checked only ${cells} cells`);
  });

  it('never counts a row outside the viewer row scope, here or through related forms', async () => {
    const rowScope = normalizeCondition(
      { field: 'owner_id', op: 'in', value: OWNERS.slice(0, 2) },
      forms[0] as ReportForm,
    );
    const customerScope = normalizeCondition(
      { field: 'city', op: 'eq', value: '上海' },
      forms[1] as ReportForm,
    );
    assert.ok(!Array.isArray(rowScope) && !Array.isArray(customerScope));
    const report = normalizeReport(
      {
        kind: 'table',
        form: 'deal',
        dimensions: [{ field: 'customer.level' }],
        measures: [
          { id: 'n', fn: 'count' },
          { id: 'amt', fn: 'sum', field: 'amount' },
        ],
        totals: true,
      },
      forms,
      { now: NOW },
    );
    assert.ok(!Array.isArray(report));
    const sql = await viaSql(report, { rowScope, rowScopes: { customer: customerScope } });
    const visible = memoryDeals
      .filter((d) => OWNERS.slice(0, 2).includes(d['owner_id'] as string))
      .map((d) =>
        d['customer.city'] === '上海' ? d : { ...d, 'customer.level': null, 'customer.city': null },
      );
    assert.deepEqual(plain(sql), plain(runInMemory(report, visible)));
    const everyone = runInMemory(report, memoryDeals);
    assert.ok((sql.total?.values['n'] as number) < (everyone.total?.values['n'] as number));
  });

  it('keeps injected values as bind parameters: the statement runs and the table survives', async () => {
    const payloads = [
      "'; DROP TABLE report_conformance.deal; --",
      '" OR 1=1 --',
      '`id`',
      "x'); SELECT pg_sleep(5); --",
      '$1',
      '\\',
      '%_',
    ];
    const specFor = (value: string): Row => ({
      kind: 'table',
      form: 'deal',
      dimensions: [{ field: 'source' }],
      measures: [{ id: 'n', fn: 'count', filter: { field: 'name', op: 'contains', value } }],
      filter: {
        or: [
          { field: 'source', op: 'ne', value },
          { field: 'name', op: 'starts_with', value },
        ],
      },
      totals: true,
    });
    const benign = normalizeReport(specFor('x'), forms, { now: NOW });
    assert.ok(!Array.isArray(benign));
    for (const value of payloads) {
      const spec = {
        kind: 'table',
        form: 'deal',
        dimensions: [{ field: 'source' }],
        measures: [{ id: 'n', fn: 'count', filter: { field: 'name', op: 'contains', value } }],
        filter: {
          or: [
            { field: 'source', op: 'ne', value },
            { field: 'name', op: 'starts_with', value },
          ],
        },
        totals: true,
      };
      const report = normalizeReport(spec, forms, { now: NOW });
      assert.ok(!Array.isArray(report));
      const { text, values } = toSql(report, tables);
      assert.equal(text, toSql(benign, tables).text, `value ${value} changed the SQL text`);
      assert.ok(values.includes(value));
      const started = Date.now();
      assert.deepEqual(plain(await viaSql(report)), plain(runInMemory(report, memoryDeals)));
      assert.ok(Date.now() - started < 2000);
    }
    const count = await client.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.deal`);
    assert.equal(count.rows[0].n, deals.length);
  });

  it('refuses identifier injection in every position before any SQL exists', () => {
    const attacks = [
      'source"; DROP TABLE deal; --',
      'source`',
      "source'",
      'source; SELECT pg_sleep(10)',
      'source--',
      'ѕource',
      'ａmount',
      'SOURCE',
      'no_such_field',
      'customer.level"',
      'customer.no_such',
      'secret_margin',
    ];
    const base = {
      kind: 'table',
      form: 'deal',
      dimensions: [{ field: 'source' }],
      measures: [{ id: 'n', fn: 'count' }],
    };
    const positions: Array<[string, (a: string) => Row, string]> = [
      ['dimension', (a) => ({ ...base, dimensions: [{ field: a }] }), 'dimensions.0.field'],
      [
        'measure',
        (a) => ({ ...base, measures: [{ id: 'n', fn: 'sum', field: a }] }),
        'measures.0.field',
      ],
      [
        'filter',
        (a) => ({ ...base, filter: { and: [{ field: a, op: 'eq', value: 1 }] } }),
        'filter.and.0.field',
      ],
      [
        'measure filter',
        (a) => ({
          ...base,
          measures: [{ id: 'n', fn: 'count', filter: { field: a, op: 'is_empty' } }],
        }),
        'measures.0.filter.field',
      ],
      ['sort', (a) => ({ ...base, sort: [{ by: a }] }), 'sort.0.by'],
      [
        'date bucket',
        (a) => ({ ...base, dimensions: [{ field: 'created_at', bucket: a }] }),
        'dimensions.0.bucket',
      ],
      [
        'pivot column',
        (a) => ({ ...base, kind: 'pivot', columns: [{ field: a }] }),
        'columns.0.field',
      ],
      ['projection', (a) => ({ kind: 'table', form: 'deal', fields: ['name', a] }), 'fields.1'],
      ['period', (a) => ({ ...base, period: { field: a, op: 'this_month' } }), 'period.field'],
      ['measure id', (a) => ({ ...base, measures: [{ id: a, fn: 'count' }] }), 'measures.0.id'],
      ['function', (a) => ({ ...base, measures: [{ id: 'n', fn: a }] }), 'measures.0.fn'],
      ['form', (a) => ({ ...base, form: a }), 'form'],
    ];
    for (const [name, build, path] of positions) {
      for (const attack of attacks) {
        if (
          name === 'date bucket' ||
          name === 'function' ||
          name === 'measure id' ||
          name === 'sort' ||
          name === 'form'
        ) {
          if (attack === 'secret_margin' || attack === 'no_such_field') continue;
        }
        const issues = normalizeReport(build(attack), forms, {
          now: NOW,
          fieldPolicy: { deal: { hidden: ['secret_margin'] } },
        });
        assert.ok(Array.isArray(issues), `${name}: ${attack} was accepted`);
        assert.ok(
          issues.some((i) => i.path === path),
          `${name}: ${attack} gave ${JSON.stringify(issues)}`,
        );
      }
    }
  });

  it('caps high-cardinality reports and says so', async () => {
    const report = normalizeReport(
      {
        kind: 'pivot',
        form: 'deal',
        dimensions: [{ field: 'name' }, { field: 'closed_on' }],
        columns: [{ field: 'follow_up_at', bucket: 'day' }],
        measures: [{ id: 'n', fn: 'count' }],
      },
      forms,
      { now: NOW },
    );
    assert.ok(!Array.isArray(report));
    const capped = await viaSql(report, { maxGroups: 50 });
    assert.equal(capped.truncated, true);
    assert.ok(capped.rows.length + (capped.total === null ? 0 : 1) <= 50);
    assert.notEqual(capped.total, null, 'the grand total survives truncation');
    assert.deepEqual(plain(capped), plain(runInMemory(report, memoryDeals, { maxGroups: 50 })));
  });

  it('drops nothing and exposes no hidden field when the field policy hides one', async () => {
    const issues = normalizeCondition(
      { field: 'secret_margin', op: 'gt', value: 0 },
      forms[0] as ReportForm,
      {
        fieldPolicy: { deal: { hidden: ['secret_margin'] } },
      },
    );
    assert.ok(Array.isArray(issues));
    assert.equal(issues[0]?.code, 'FIELD_NOT_READABLE');
    const viaReadable = normalizeCondition(
      { field: 'secret_margin', op: 'gt', value: 0 },
      forms[0] as ReportForm,
      {
        readableFields: ['name', 'amount'],
      },
    );
    assert.ok(Array.isArray(viaReadable));
  });

  it('counts correctly around a daylight-saving change in the viewer time zone', async () => {
    const report = normalizeReport(
      {
        kind: 'time_series',
        form: 'deal',
        dimensions: [{ field: 'created_at', bucket: 'day' }],
        measures: [{ id: 'n', fn: 'count' }],
        period: {
          field: 'created_at',
          op: 'custom',
          value: { from: '2025-10-25', to: '2025-11-05' },
        },
      },
      forms,
      { now: NOW, timeZone: 'America/New_York' },
    );
    assert.ok(!Array.isArray(report));
    const sql = await viaSql(report);
    assert.equal(sql.rows.length, 12);
    assert.deepEqual(plain(sql), plain(runInMemory(report, memoryDeals)));
    const perDay = sql.rows.reduce((s, r) => s + (r.values['n'] as number), 0);
    const inRange = memoryDeals.filter((d) => {
      const t = Date.parse(String(d['created_at']));
      return (
        d['deleted_at'] === null &&
        t >= Date.parse('2025-10-25T04:00:00Z') &&
        t < Date.parse('2025-11-06T05:00:00Z')
      );
    }).length;
    assert.equal(perDay, inRange);
  });
});
