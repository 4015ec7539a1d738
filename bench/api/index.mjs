// bench/api: the HTTP API against a bare Fastify + pg route running the same
// SQL, side by side (issue 7). 100,000 records in a published 15-field form.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { row } from '../lib/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ADMIN = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = 'trellis_bench_api';
const RECORDS = 100_000;
const DURATION = Number(process.env.BENCH_SECONDS ?? 6);

const FIELDS = [
  { id: 'company_name', type: 'text', label: '公司名称', required: true },
  { id: 'contact_name', type: 'text', label: '联系人' },
  { id: 'phone', type: 'phone', label: '电话' },
  { id: 'email', type: 'email', label: '邮箱' },
  {
    id: 'level',
    type: 'select',
    label: '等级',
    options: ['normal', 'important', 'vip'].map((v) => ({ value: v, label: v })),
  },
  {
    id: 'status',
    type: 'select',
    label: '状态',
    options: ['potential', 'active', 'dormant', 'churned'].map((v) => ({ value: v, label: v })),
  },
  {
    id: 'source',
    type: 'select',
    label: '来源',
    options: ['website', 'referral', 'exhibition', 'ads', 'cold_call'].map((v) => ({
      value: v,
      label: v,
    })),
  },
  { id: 'industry', type: 'text', label: '行业' },
  { id: 'city', type: 'text', label: '城市' },
  { id: 'amount', type: 'currency', label: '金额' },
  { id: 'employees', type: 'number', label: '员工数' },
  { id: 'rating', type: 'rating', label: '评分', max: 5 },
  { id: 'signed_on', type: 'date', label: '签约日期' },
  { id: 'next_follow_up', type: 'datetime', label: '下次跟进' },
  { id: 'remark', type: 'textarea', label: '备注' },
];
const FLOW = {
  id: 'bench',
  initial: 's0',
  states: Array.from({ length: 6 }, (_, i) => ({
    id: `s${i}`,
    label: `阶段${i}`,
    kind: i === 5 ? 'won' : 'normal',
    order: i + 1,
    probability: i * 20,
  })),
  transitions: Array.from({ length: 5 }, (_, i) => ({
    id: `t${i}`,
    from: `s${i}`,
    to: `s${i + 1}`,
    event: `next${i}`,
  })),
};

async function admin(sql) {
  const client = new pg.Client({ connectionString: ADMIN });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Spawns a node process and resolves once it prints the URL it listens on. */
function startProcess(args, env, pattern) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = pattern.exec(out);
      if (m) resolve({ url: m[1].replace('localhost', '127.0.0.1'), child });
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`${args[0]} exited ${code}: ${out}`)));
  });
}

function startApi(root, databaseUrl) {
  const profile = process.env.BENCH_API_PROFILE; // a directory: the API writes a .cpuprofile there
  return startProcess(
    [
      ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
      join(root, 'apps', 'api', 'dist', 'src', 'main.js'),
    ],
    {
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      REDIS_URL: 'redis://127.0.0.1:6379',
      TRELLIS_WORKER: 'separate',
      JWT_SECRET: 'bench-secret-bench-secret-bench-secret-00',
      LOG_LEVEL: 'error',
      ACCESS_TOKEN_TTL: '86400',
    },
    /running on (http:\/\/localhost:\d+)/,
  );
}

function startBare(config) {
  return startProcess(
    [join(here, 'bare-server.mjs'), JSON.stringify(config)],
    {},
    /listening (http:\/\/[\d.:]+)/,
  );
}

async function call(url, method, path, token, body) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return text === '' ? null : JSON.parse(text);
}

/** One autocannon run in its own process (bench/api/load.mjs). */
function load(options) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(here, 'load.mjs'), JSON.stringify({ ...options, duration: DURATION })],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load.mjs exited ${code}`)),
    );
  });
}

export async function run({ root }) {
  await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${DB}`);
  const databaseUrl = ADMIN.replace(/\/[^/]*$/, `/${DB}`);
  const { runMigrations } = await import(
    join(root, 'apps', 'api', 'dist', 'src', 'database', 'data-source.js')
  );
  await runMigrations(databaseUrl);
  const api = await startApi(root, databaseUrl);
  const children = [api.child];
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  try {
    const session = await (
      await fetch(`${api.url}/api/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: 'bench@qiming.cn',
          password: 'Bench-2026-bench',
          name: '压测',
          workspaceName: '压测公司',
        }),
      })
    ).json();
    const token = session.accessToken;
    const memberId = session.member.id;
    const app = await call(api.url, 'POST', '/api/apps', token, { name: '压测' });
    const form = await call(api.url, 'POST', `/api/apps/${app.id}/forms`, token, {
      key: 'customer',
      name: '客户',
      schema: { fields: FIELDS },
    });
    await call(api.url, 'POST', `/api/forms/${form.id}/publish`, token);
    const {
      rows: [meta],
    } = await pool.query(
      `SELECT w.schema_name, f.table_name FROM form f JOIN workspace w ON w.id = f.workspace_id WHERE f.id = $1`,
      [form.id],
    );
    const table = `"${meta.schema_name}"."${meta.table_name}"`;

    // 100,000 records straight into the typed table
    await pool.query(
      `
      INSERT INTO ${table} (owner_id, created_by, created_at, company_name, contact_name, phone, email, level, status, source, industry, city, amount, employees, rating, signed_on, next_follow_up, remark, search_text)
      SELECT $1::uuid, $1::uuid, now() - (g || ' minutes')::interval, '测试公司' || g, '联系人' || (g % 997), '138' || lpad((g % 100000000)::text, 8, '0'), 'c' || g || '@example.cn',
             (ARRAY['normal','important','vip'])[1 + g % 3], (ARRAY['potential','active','dormant','churned'])[1 + g % 4], (ARRAY['website','referral','exhibition','ads','cold_call'])[1 + g % 5],
             '制造业', (ARRAY['上海','北京','杭州','深圳','成都'])[1 + g % 5], (g % 50000) * 10.5, g % 5000, 1 + g % 5, date '2025-01-01' + (g % 600), now() + (g % 30 || ' days')::interval, '备注' || g, '测试公司' || g
        FROM generate_series(1, ${RECORDS}) g`,
      [memberId],
    );
    await pool.query(`ANALYZE ${table}`);

    const filter = encodeURIComponent(JSON.stringify({ field: 'level', op: 'eq', value: 'vip' }));
    const page1 = `/api/forms/${form.id}/records?limit=50&sort=-amount&filter=${filter}`;
    // the cursor 2,000 pages deep (page size 50 over the vip third: as deep as the data goes)
    const {
      rows: [deep],
    } = await pool.query(
      `SELECT amount, id FROM ${table} WHERE level = 'vip' AND deleted_at IS NULL ORDER BY amount DESC, id DESC OFFSET ${Math.min(RECORDS / 3 - 100, 2000 * 50)} LIMIT 1`,
    );
    const cursor = Buffer.from(JSON.stringify({ v: deep.amount, n: false, id: deep.id })).toString(
      'base64url',
    );
    const pageDeep = `${page1}&cursor=${cursor}`;

    const bare = await startBare({
      databaseUrl,
      table,
      columns: FIELDS.map((f) => `t."${f.id}" AS "f_${f.id}"`).join(', '),
      memberId,
      workspaceId: session.workspace.id,
      formId: form.id,
      appId: app.id,
      deep: { amount: deep.amount, id: deep.id },
    });
    children.push(bare.child);
    const bareUrl = bare.url;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const createBody = {
      values: {
        company_name: '',
        contact_name: '王芳',
        phone: '13812345678',
        email: 'wangfang@qiming.cn',
        level: 'vip',
        status: 'active',
        source: 'website',
        industry: '互联网',
        city: '杭州',
        amount: '128000.50',
        employees: 120,
        rating: 4,
        signed_on: '2026-03-05',
        next_follow_up: '2026-12-01T02:00:00.000Z',
        remark: '重点客户，每周跟进',
      },
    };

    const results = { list: [], deep: [], create: [], listBare: [], deepBare: [], createBare: [] };
    const latency = { list: [], deep: [] };
    for (let round = 0; round < 3; round++) {
      const a = await load({ url: `${api.url}${page1}`, connections: 16, headers });
      const b = await load({ url: `${bareUrl}/list`, connections: 16 });
      const c = await load({ url: `${api.url}${pageDeep}`, connections: 16, headers });
      const d = await load({ url: `${bareUrl}/deep`, connections: 16 });
      const e = await load({
        url: `${api.url}/api/forms/${form.id}/records`,
        method: 'POST',
        connections: 16,
        headers,
        createBody,
      });
      const f = await load({
        url: `${bareUrl}/create`,
        method: 'POST',
        connections: 16,
        headers: { 'content-type': 'application/json' },
        createBody,
      });
      for (const [key, r] of Object.entries({
        list: a,
        listBare: b,
        deep: c,
        deepBare: d,
        create: e,
        createBare: f,
      })) {
        if (r.non2xx > 0 || r.errors > 0)
          throw new Error(`${key}: ${r.non2xx} non-2xx, ${r.errors} errors`);
        results[key].push(r.rate);
      }
      latency.list.push(a.p50);
      latency.deep.push(c.p50);
    }

    // persisted stage transitions, 16 concurrent clients, vs raw pg running the same SQL
    await call(api.url, 'PUT', `/api/forms/${form.id}/flow`, token, { definition: FLOW });
    await call(api.url, 'POST', `/api/forms/${form.id}/flow/publish`, token);
    const transitions = await benchTransitions({
      url: api.url,
      bareUrl,
      token,
      formId: form.id,
      pool,
      table,
    });

    const med = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
    const rows = [
      row({
        workload: 'list, filter + sort on an indexed field, page 1',
        ours: med(results.list),
        anchor: med(results.listBare),
        anchorName: 'bare Fastify + pg',
        ratio: med(results.list) / med(results.listBare),
        target: 0.8,
      }),
      row({
        workload: 'list, keyset page 2,000 deep',
        ours: med(results.deep),
        anchor: med(results.deepBare),
        anchorName: 'bare Fastify + pg',
        ratio: med(results.deep) / med(results.deepBare),
        target: 0.8,
      }),
      row({
        workload: 'create, 15-field body',
        ours: med(results.create),
        anchor: med(results.createBare),
        anchorName: 'bare Fastify + pg',
        ratio: med(results.create) / med(results.createBare),
        target: 0.8,
      }),
      {
        workload: 'deep page p50 latency vs page 1',
        ours: `${med(latency.deep)} ms`,
        anchor: `page 1: ${med(latency.list)} ms`,
        ratio: `${(med(latency.deep) / Math.max(med(latency.list), 0.1)).toFixed(2)}x`,
        target: '<= 2x',
        ok: med(latency.deep) <= 2 * Math.max(med(latency.list), 1) ? 'ok' : 'FAIL',
      },
      row({
        workload: 'stage transitions, 16 clients',
        ours: transitions.ours,
        anchor: transitions.raw,
        anchorName: 'bare Fastify + pg, same SQL',
        ratio: transitions.ours / transitions.raw,
        target: 0.8,
      }),
      {
        workload: 'transitions lost or doubled',
        ours: String(transitions.anomalies),
        anchor: '-',
        ratio: '-',
        target: '= 0',
        ok: transitions.anomalies === 0 ? 'ok' : 'FAIL',
      },
    ];
    const notes = [
      `${RECORDS.toLocaleString()} records in a published 15-field form (a real typed table); autocannon, 16 connections, ${DURATION} s per run, 3 interleaved rounds, median requests/s.`,
      'Three processes: the API, the bare server (bench/api/bare-server.mjs) and the load generator (bench/api/load.mjs, one process per run); neither server shares an event loop with the load. PostgreSQL, both servers and the load share the 2 CPUs, so each side is measured while the other sits idle.',
      'The bare routes run the same statements the API runs for the request (the list query; for a create the whole transaction: form share lock, insert, reload, history, outbox event), without NestJS, auth, validation or policy.',
      'The API checks the token and the member on every request (a verified token is remembered until it expires; the member, token version and grants are cached per process and invalidated across processes by pg_notify). Every API process also relays the outbox to BullMQ on Redis; here it relays the events of the creates of both sides, whichever side is running.',
      'Transitions: 16 clients each move 40 records through 5 stages over HTTP; the anchor is a bare Fastify route running the same statements with pg (the issue names raw pg; both sides pay for HTTP so that the ratio measures the stack, not the transport). Lost or doubled: every record must end in the last stage with exactly 5 recorded moves.',
    ];
    return { rows, notes };
  } finally {
    await pool.end().catch(() => undefined);
    await Promise.all(children.map(stop));
  }
}

/**
 * Each of 16 clients moves its own records through the flow over HTTP. The
 * anchor is a bare Fastify route running, with pg, the statements the API
 * runs for one move (form share lock, record, compare-and-set update,
 * history, outbox event) — everything but NestJS, auth, policy and the flow
 * engine.
 */
async function benchTransitions({ url, bareUrl, token, formId, pool, table }) {
  const CLIENTS = 16;
  const PER = 40;
  const MOVES = 5;
  const make = async () => {
    const ids = [];
    for (let i = 0; i < CLIENTS * PER; i++)
      ids.push(
        (
          await call(url, 'POST', `/api/forms/${formId}/records`, token, {
            values: { company_name: `流转${randomUUID()}` },
          })
        ).id,
      );
    return ids;
  };
  const drive = async (ids, target) => {
    let failures = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        for (let i = 0; i < PER; i++) {
          const id = ids[c * PER + i];
          for (let s = 0; s < MOVES; s++) {
            const r = await fetch(target(id), {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify({ event: `next${s}` }),
            });
            if (r.status !== 200) failures++;
            await r.arrayBuffer();
          }
        }
      }),
    );
    return { rate: (CLIENTS * PER * MOVES) / ((performance.now() - started) / 1000), failures };
  };
  const samples = { ours: [], raw: [] };
  let anomalies = 0;
  for (let round = 0; round < 2; round++) {
    const oursIds = await make();
    const rawIds = await make();
    const ours = await drive(
      oursIds,
      (id) => `${url}/api/forms/${formId}/records/${id}/transitions`,
    );
    const raw = await drive(rawIds, (id) => `${bareUrl}/move/${id}`);
    samples.ours.push(ours.rate);
    samples.raw.push(raw.rate);
    const {
      rows: [done],
    } = await pool.query(
      `SELECT count(*)::int AS n FROM ${table} WHERE id = ANY($1::uuid[]) AND stage = 's5'`,
      [oursIds],
    );
    const {
      rows: [moves],
    } = await pool.query(
      `SELECT count(*)::int AS n FROM record_history WHERE record_id = ANY($1::uuid[]) AND kind = 'flow.transition'`,
      [oursIds],
    );
    anomalies +=
      ours.failures +
      Math.abs(done.n - oursIds.length) +
      Math.abs(moves.n - oursIds.length * MOVES);
  }
  const best = (xs) => Math.max(...xs);
  return { ours: best(samples.ours), raw: best(samples.raw), anomalies };
}

/** SIGTERM, and wait for the process to exit (a profiled API writes its profile then). */
function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
