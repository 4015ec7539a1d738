// Report engine benchmark on a real PostgreSQL: 1,000,000 opportunities in a typed table (one
// column per field, as published forms are stored) and the same data as JSONB documents. Each
// workload runs the SQL that report-engine generates side by side with hand-written SQL for the
// same question (results must be identical), interleaved; the group-by also runs against
// fetching the rows into Node and aggregating there, and against the JSONB document table.
import pg from 'pg';
import { normalizeReport, toResult, toSql } from '@trellis/report-engine';
import { compareTimes, row } from '../lib/harness.mjs';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'trellis_bench_reports';
const ROWS = 1_000_000;
const DATA_VERSION = 'v1-1m';
const NOW = '2026-03-15T04:00:00.000Z';
const TZ = 'Asia/Shanghai';
const STAGES = ['lead', 'qualified', 'proposal', 'negotiation', 'won'];

const forms = [
  {
    id: 'deal',
    name: { 'zh-CN': '商机', en: 'Deal' },
    fields: [
      { id: 'region', type: 'select', label: '区域' },
      { id: 'source', type: 'select', label: '来源' },
      { id: 'customer', type: 'text', label: '客户' },
      { id: 'amount', type: 'currency', label: '金额' },
      { id: 'quantity', type: 'number', label: '数量' },
    ],
  },
];
const tables = {
  deal: {
    schema: 'bench',
    table: 'deal',
    columns: {
      region: { column: 'region', type: 'text' },
      source: { column: 'source', type: 'text' },
      customer: { column: 'customer', type: 'text' },
      amount: { column: 'amount', type: 'numeric' },
      quantity: { column: 'quantity', type: 'integer' },
    },
  },
};

async function ensureDatabase() {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${DATABASE}"`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DATABASE}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return client;
}

/** Builds the data once (about a minute) and reuses it across runs. */
async function ensureData(client) {
  await client.query('CREATE SCHEMA IF NOT EXISTS bench');
  await client.query('CREATE TABLE IF NOT EXISTS bench.meta (version text PRIMARY KEY)');
  const have = await client.query('SELECT version FROM bench.meta');
  if (have.rows[0]?.version === DATA_VERSION) return false;
  console.log(`building ${ROWS.toLocaleString()} rows in ${DATABASE} (once)...`);
  await client.query('DROP TABLE IF EXISTS bench.deal, bench.deal_doc');
  await client.query(`CREATE TABLE bench.deal (
    id uuid PRIMARY KEY, owner_id uuid, created_by uuid, created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL, version integer NOT NULL DEFAULT 1, stage text,
    stage_entered_at timestamptz, deleted_at timestamptz, is_draft boolean NOT NULL DEFAULT false,
    submitted_at timestamptz, region text, source text, customer text, amount numeric, quantity integer)`);
  await client.query('SELECT setseed(0.42)');
  await client.query(
    `INSERT INTO bench.deal (id, owner_id, created_at, updated_at, stage, deleted_at, region, source, customer, amount, quantity)
     SELECT md5('deal' || i)::uuid,
            md5('owner' || (i % 8))::uuid,
            $1::timestamptz - (random() * interval '730 days'),
            $1::timestamptz,
            CASE WHEN r < 0.40 THEN 'lead' WHEN r < 0.65 THEN 'qualified' WHEN r < 0.80 THEN 'proposal'
                 WHEN r < 0.88 THEN 'negotiation' WHEN r < 0.95 THEN 'won' ELSE 'lost' END,
            CASE WHEN random() < 0.01 THEN $1::timestamptz END,
            (ARRAY['华东', '华北', '华南', '西南', '东北'])[1 + floor(random() * 5)::int],
            '渠道' || lpad((1 + floor(random() * 50))::int::text, 2, '0'),
            '客户' || lpad((1 + floor(random() * 1000))::int::text, 4, '0'),
            round((random() * 100000)::numeric, 2),
            1 + floor(random() * 20)::int
     FROM (SELECT i, random() AS r FROM generate_series(1, ${ROWS}) AS i) s`,
    [NOW],
  );
  await client.query(`CREATE TABLE bench.deal_doc (id uuid PRIMARY KEY, data jsonb NOT NULL)`);
  await client.query(`INSERT INTO bench.deal_doc (id, data)
    SELECT id, jsonb_build_object('owner_id', owner_id, 'created_at', created_at, 'stage', stage,
      'deleted_at', deleted_at, 'region', region, 'source', source, 'customer', customer,
      'amount', amount, 'quantity', quantity) FROM bench.deal`);
  await client.query('VACUUM ANALYZE bench.deal');
  await client.query('VACUUM ANALYZE bench.deal_doc');
  await client.query('DELETE FROM bench.meta');
  await client.query('INSERT INTO bench.meta VALUES ($1)', [DATA_VERSION]);
  return true;
}

function normalized(spec) {
  const report = normalizeReport(spec, forms, { now: NOW, timeZone: TZ });
  if (Array.isArray(report)) throw new Error(`report spec refused: ${JSON.stringify(report)}`);
  return report;
}

const num = (v) => (v === null || v === undefined ? null : Number(v));

function sameRows(name, a, b) {
  const sa = JSON.stringify(a);
  const sb = JSON.stringify(b);
  if (sa !== sb) {
    throw new Error(
      `${name}: results differ\n generated: ${sa.slice(0, 400)}\n hand:      ${sb.slice(0, 400)}`,
    );
  }
}

export async function run() {
  const client = await ensureDatabase();
  const built = await ensureData(client);
  const rows = [];
  const notes = [];
  const timed = async (fn) => {
    await fn();
  };

  // 1. Group-by: count and sum of amount by source (50 values).
  const groupBy = normalized({
    kind: 'table',
    form: 'deal',
    dimensions: [{ field: 'source' }],
    measures: [
      { id: 'n', fn: 'count' },
      { id: 'amount', fn: 'sum', field: 'amount' },
    ],
  });
  const groupSql = toSql(groupBy, tables);
  const groupHand = `SELECT source, count(*) AS n, sum(amount) AS amount FROM bench.deal
    WHERE deleted_at IS NULL GROUP BY source ORDER BY source`;
  const groupDoc = `SELECT data->>'source' AS source, count(*) AS n, sum((data->>'amount')::numeric) AS amount
    FROM bench.deal_doc WHERE data->'deleted_at' = 'null'::jsonb GROUP BY 1 ORDER BY 1`;
  const generatedGroups = async () => {
    const res = await client.query(groupSql.text, groupSql.values);
    return toResult(groupBy, res.rows).rows.map((r) => [
      r.keys.source,
      r.values.n,
      r.values.amount,
    ]);
  };
  const handGroups = async (text) =>
    (await client.query(text)).rows.map((r) => [r.source, num(r.n), num(r.amount)]);
  const fetchAndAggregate = async () => {
    const res = await client.query(
      'SELECT source, amount FROM bench.deal WHERE deleted_at IS NULL',
    );
    const groups = new Map();
    for (const r of res.rows) {
      const g = groups.get(r.source) ?? { n: 0, cents: 0 };
      g.n += 1;
      if (r.amount !== null) g.cents += Math.round(Number(r.amount) * 100);
      groups.set(r.source, g);
    }
    return [...groups.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([source, g]) => [source, g.n, g.cents / 100]);
  };
  const expected = await handGroups(groupHand);
  sameRows('group-by', await generatedGroups(), expected);
  sameRows('group-by (JSONB)', await handGroups(groupDoc), expected);
  sameRows('group-by (fetch into Node)', await fetchAndAggregate(), expected);
  // Same-plan pairs are timed on their own, so the garbage left by fetching a million rows into
  // Node never lands in one side's timing only.
  const g = await compareTimes(
    { generated: () => timed(generatedGroups), hand: () => timed(() => handGroups(groupHand)) },
    { runs: 11, warmupRuns: 1 },
  );
  const a = await compareTimes(
    {
      // The generated statement runs first in each round, before the fetch leaves a million
      // rows of garbage behind; the JSONB scan runs right after the fetch and absorbs its
      // collection (it is the slowest anchor, so that only flatters the anchor).
      generated: () => timed(generatedGroups),
      fetch: () => timed(fetchAndAggregate),
      jsonb: () => timed(() => handGroups(groupDoc)),
    },
    { runs: 5, warmupRuns: 1 },
  );
  rows.push(
    row({
      workload: 'group-by source (50), 1M rows',
      ours: g.generated,
      anchor: g.hand,
      anchorName: 'hand-written SQL',
      ratio: g.hand / g.generated,
      target: 0.91,
      unit: 'time',
    }),
    row({
      workload: 'group-by source (50), 1M rows',
      ours: a.generated,
      anchor: a.fetch,
      anchorName: 'fetch rows + aggregate in Node',
      ratio: a.fetch / a.generated,
      target: 5,
      unit: 'time',
    }),
    row({
      workload: 'group-by source (50), 1M rows',
      ours: a.generated,
      anchor: a.jsonb,
      anchorName: 'hand-written SQL on JSONB documents',
      ratio: a.jsonb / a.generated,
      target: 1,
      unit: 'time',
    }),
  );

  // 2. Pivot: owner (8) x region (5) by month, with row, column and grand totals.
  const pivot = normalized({
    kind: 'pivot',
    form: 'deal',
    dimensions: [{ field: 'owner_id' }, { field: 'region' }],
    columns: [{ field: 'created_at', bucket: 'month' }],
    measures: [{ id: 'amount', fn: 'sum', field: 'amount' }],
  });
  const pivotSql = toSql(pivot, tables);
  const pivotHand = `SELECT owner_id::text AS owner, region, to_char(date_trunc('month', created_at AT TIME ZONE 'Asia/Shanghai'), 'YYYY-MM') AS month,
      GROUPING(owner_id, region, date_trunc('month', created_at AT TIME ZONE 'Asia/Shanghai')) AS g, sum(amount) AS amount
    FROM bench.deal WHERE deleted_at IS NULL
    GROUP BY GROUPING SETS ((owner_id, region, date_trunc('month', created_at AT TIME ZONE 'Asia/Shanghai')), (owner_id, region),
      (date_trunc('month', created_at AT TIME ZONE 'Asia/Shanghai')), ())`;
  const pivotKey = (o, r, m, g, v) => [o ?? '', r ?? '', m ?? '', g, v];
  const sortKeys = (list) => list.map((x) => JSON.stringify(x)).sort();
  const generatedPivot = async () => {
    const res = await client.query(pivotSql.text, pivotSql.values);
    const result = toResult(pivot, res.rows);
    const all = [...result.rows, ...(result.total === null ? [] : [result.total])];
    return sortKeys(
      all.map((r) => {
        const g =
          (r.rolledUp.includes('owner_id') ? 4 : 0) +
          (r.rolledUp.includes('region') ? 2 : 0) +
          (r.rolledUp.includes('created_at') ? 1 : 0);
        return pivotKey(r.keys.owner_id, r.keys.region, r.keys.created_at, g, r.values.amount);
      }),
    );
  };
  const handPivot = async () =>
    sortKeys(
      (await client.query(pivotHand)).rows.map((r) =>
        pivotKey(r.owner, r.region, r.month, r.g, num(r.amount)),
      ),
    );
  sameRows('pivot', await generatedPivot(), await handPivot());
  const p = await compareTimes(
    { generated: generatedPivot, hand: handPivot },
    { runs: 7, warmupRuns: 1 },
  );
  rows.push(
    row({
      workload: 'pivot owner (8) x region (5) by month, totals',
      ours: p.generated,
      anchor: p.hand,
      anchorName: 'hand-written SQL',
      ratio: p.hand / p.generated,
      target: 0.91,
      unit: 'time',
    }),
  );

  // 3. A 5-stage funnel: records reaching each stage, with amounts.
  const funnel = normalized({
    kind: 'funnel',
    form: 'deal',
    funnel: { field: 'stage', stages: STAGES },
    measures: [
      { id: 'n', fn: 'count' },
      { id: 'amount', fn: 'sum', field: 'amount' },
    ],
  });
  const funnelSql = toSql(funnel, tables);
  const funnelHand = `SELECT stage, count(*) AS n, sum(amount) AS amount FROM bench.deal
    WHERE deleted_at IS NULL AND stage IN ('lead', 'qualified', 'proposal', 'negotiation', 'won') GROUP BY stage`;
  const generatedFunnel = async () => {
    const res = await client.query(funnelSql.text, funnelSql.values);
    return toResult(funnel, res.rows).rows.map((r) => [
      r.keys.funnel_stage,
      r.values.n,
      r.values.amount,
    ]);
  };
  const handFunnel = async () => {
    const at = new Map((await client.query(funnelHand)).rows.map((r) => [r.stage, r]));
    // Reached = at this stage or any later one.
    return STAGES.map((stage, i) => {
      let n = 0;
      let cents = 0n;
      for (const s of STAGES.slice(i)) {
        const r = at.get(s);
        if (r === undefined) continue;
        n += Number(r.n);
        cents += BigInt(String(r.amount).replace('.', ''));
      }
      return [stage, n, Number(cents) / 100];
    });
  };
  sameRows('funnel', await generatedFunnel(), await handFunnel());
  const f = await compareTimes(
    { generated: generatedFunnel, hand: handFunnel },
    { runs: 11, warmupRuns: 1 },
  );
  rows.push(
    row({
      workload: '5-stage funnel (reached), 1M rows',
      ours: f.generated,
      anchor: f.hand,
      anchorName: 'hand-written SQL',
      ratio: f.hand / f.generated,
      target: 0.91,
      unit: 'time',
    }),
  );

  // 4. A filtered top-N: the 10 biggest customers (of 1,000) in 华东 over the last 180 days.
  const top = normalized({
    kind: 'table',
    form: 'deal',
    dimensions: [{ field: 'customer' }],
    measures: [{ id: 'amount', fn: 'sum', field: 'amount' }],
    filter: {
      and: [
        { field: 'region', op: 'eq', value: '华东' },
        { field: 'created_at', op: 'last_n_days', value: 180 },
      ],
    },
    top: { n: 10, other: false },
  });
  const topSql = toSql(top, tables);
  const range = top.filter.and[1].value;
  const topHand = `SELECT customer, sum(amount) AS amount FROM bench.deal
    WHERE deleted_at IS NULL AND region = '华东' AND created_at >= '${range.from}' AND created_at < '${range.to}'
    GROUP BY customer ORDER BY sum(amount) DESC NULLS LAST, customer COLLATE "C" LIMIT 10`;
  const generatedTop = async () => {
    const res = await client.query(topSql.text, topSql.values);
    return toResult(top, res.rows).rows.map((r) => [r.keys.customer, r.values.amount]);
  };
  const handTop = async () =>
    (await client.query(topHand)).rows.map((r) => [r.customer, num(r.amount)]);
  sameRows('top-N', await generatedTop(), await handTop());
  const t = await compareTimes(
    { generated: generatedTop, hand: handTop },
    { runs: 11, warmupRuns: 1 },
  );
  rows.push(
    row({
      workload: 'filtered top 10 of 1,000 customers',
      ours: t.generated,
      anchor: t.hand,
      anchorName: 'hand-written SQL',
      ratio: t.hand / t.generated,
      target: 0.91,
      unit: 'time',
    }),
  );

  const count = await client.query('SELECT count(*)::int AS n FROM bench.deal');
  await client.end();
  notes.push(
    `PostgreSQL database \`${DATABASE}\` (built once${built ? ' in this run' : ', reused'}): ${count.rows[0].n.toLocaleString()} opportunities in a typed table (region 5, source 50, customer 1,000 distinct values; 8 owners; amount numeric, quantity integer; created_at over two years; stage), and the same rows as JSONB documents. No indexes beyond the primary key: every workload is a full scan.`,
    'Ratios for times are anchor / ours: ">= 0.91x" against hand-written SQL means the generated statement takes at most 1.1x as long. Every pair returns identical results (asserted before timing). Median of interleaved runs after a warm-up (11 for the pairs under 0.5 s, 7 for the pivot, 5 for the slow anchors).',
    'Generated SQL is what the API runs: toSql with bind parameters (time zone, ranges, values), wrapped in ORDER BY ... LIMIT maxGroups + 1; hand-written SQL uses literals. "fetch rows + aggregate in Node" pulls (source, amount) of every live row through node-postgres and groups in a Map.',
  );
  return { rows, notes };
}
