// Customer import: a generated 1,000,000-row, 15-column CSV of realistic
// Chinese customers, loaded into the same form table three ways:
//   ours  — the API's import pipeline end to end (multipart upload with
//           encoding/header detection, mapping, then commit: parse, clean,
//           form-engine validation of every row, duplicate resolution on the
//           phone, COPY into staging, INSERT ... SELECT into the form table
//           with search columns and one history entry per record)
//   psql  — `psql \copy` of the same file into the same table (no cleaning,
//           no validation, no search columns, no history)
//   ORM   — TypeORM repository.save() one row at a time, measured on a
//           2,000-row sample and extrapolated
// The import runs in a spawned API process whose peak RSS (VmHWM) is read
// from /proc. Set BENCH_IMPORT_ROWS for a smaller run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, openAsBlob, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { formatMs, limitRow, row } from '../lib/harness.mjs';
import { BENCH_FORM } from './form.mjs';
import { customerRow, HEADERS, random, writeCustomerCsv } from './generate.mjs';

const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = 'trellis_bench_import';
const ORM_SAMPLE = 2_000;

function databaseUrl() {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DB_NAME}`;
  return url.toString();
}

async function admin(sql) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Starts the API as `npm start` does, against the bench database. */
async function startApi(root) {
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', join(root, 'apps/api/dist/src/main.js')],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        NODE_ENV: 'test',
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl(),
        JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
        LOG_LEVEL: 'warn',
        TRELLIS_DATA_DIR: join(tmpdir(), 'trellis-bench-import'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const started = Date.now();
  for (;;) {
    const match = /Trellis is running on (http:\/\/localhost:\d+)/.exec(output);
    if (match)
      return { child, baseUrl: match[1].replace('localhost', '127.0.0.1'), output: () => output };
    if (child.exitCode !== null || Date.now() - started > 90_000)
      throw new Error(`the API did not start:\n${output}`);
    await sleep(50);
  }
}

/** Resident set size (current and peak) of a process, in MB, from /proc. */
function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function api(baseUrl, token, method, path, body) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (response.status >= 300)
    throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function setUp(baseUrl) {
  const session = await api(baseUrl, null, 'POST', '/api/auth/signup', {
    email: 'bench@qiming.cn',
    password: 'Qiming-CRM-2026!',
    name: '张伟',
    workspaceName: '上海启明信息技术有限公司',
  });
  const token = session.accessToken;
  const app = await api(baseUrl, token, 'POST', '/api/apps', {
    name: { 'zh-CN': '客户管理', en: 'CRM' },
  });
  const form = await api(baseUrl, token, 'POST', `/api/apps/${app.id}/forms`, {
    key: 'customer',
    name: { 'zh-CN': '客户', en: 'Customer' },
    schema: BENCH_FORM,
  });
  await api(baseUrl, token, 'POST', `/api/forms/${form.id}/publish`);
  return { token, formId: form.id };
}

async function tableOf(db, formId) {
  const { rows } = await db.query(
    `SELECT v.columns FROM form f JOIN form_version v ON v.form_id = f.id AND v.version = f.published_version WHERE f.id = $1`,
    [formId],
  );
  const layout = rows[0].columns;
  return {
    schema: layout.schema,
    table: layout.table,
    qualified: `"${layout.schema}"."${layout.table}"`,
    layout,
  };
}

async function reset(db, table) {
  await db.query(`TRUNCATE ${table.qualified} CASCADE`);
  await db.query(`TRUNCATE record_history, outbox_event, import_row_issue`);
  await db.query(`DELETE FROM import_job`);
  await db.query(`CHECKPOINT`);
}

async function count(db, table) {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${table.qualified}`);
  return rows[0].n;
}

/** psql \copy of the file into the form's table: the raw database floor. */
function psqlCopy(file, table) {
  const columns = BENCH_FORM.fields.map((f) => `"${f.id}"`).join(', ');
  const started = performance.now();
  const result = spawnSync(
    'psql',
    [
      databaseUrl(),
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      `\\copy ${table.qualified} (${columns}) FROM '${file}' WITH (FORMAT csv, HEADER true)`,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
  return performance.now() - started;
}

/** Our pipeline through the API; samples the API process's memory meanwhile. */
async function ours(baseUrl, token, formId, file, pid) {
  const memory = { peak: 0 };
  const started = performance.now();
  const sampler = setInterval(
    () => {
      try {
        memory.peak = Math.max(memory.peak, memoryOf(pid).rss);
        if (process.env.BENCH_TRACE) {
          const m = memoryOf(pid);
          if (m.peak > (memory.lastPeak ?? 0) + 2)
            console.log(
              'peak',
              ((performance.now() - started) / 1000).toFixed(2),
              m.rss.toFixed(0),
              m.peak.toFixed(0),
              memory.phase,
            );
          memory.lastPeak = m.peak;
        }
      } catch {
        // the process is gone
      }
    },
    process.env.BENCH_TRACE ? 5 : 100,
  );
  const form = new FormData();
  form.append('file', await openAsBlob(file), '客户名单.csv');
  const uploadResponse = await fetch(`${baseUrl}/api/forms/${formId}/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const upload = await uploadResponse.json();
  if (uploadResponse.status !== 201) throw new Error(`upload: ${JSON.stringify(upload)}`);
  const uploaded = performance.now();
  const mapping = upload.suggestedMapping;
  const unmapped = mapping.columns.filter((c) => c.field === null);
  if (unmapped.length > 0)
    throw new Error(`columns without a suggested field: ${JSON.stringify(unmapped)}`);
  await api(baseUrl, token, 'PUT', `/api/imports/${upload.id}/mapping`, {
    ...mapping,
    matchKeys: [{ field: 'phone', method: 'phone' }],
    onMatch: 'skip',
  });
  await api(baseUrl, token, 'POST', `/api/imports/${upload.id}/commit`, { mode: 'skip_bad_rows' });
  let body;
  const phases = {};
  for (;;) {
    body = await api(baseUrl, token, 'GET', `/api/imports/${upload.id}`);
    memory.phase = body.progress?.phase;
    if (body.progress?.phase) phases[body.progress.phase] ??= performance.now();
    if (body.status !== 'running') break;
    await sleep(200);
  }
  const ms = performance.now() - started;
  clearInterval(sampler);
  if (body.status !== 'completed')
    throw new Error(`import ended ${body.status}: ${JSON.stringify(body.error)}`);
  return {
    ms,
    uploadMs: uploaded - started,
    phases,
    started,
    counts: body.counts,
    peakRss: Math.max(memory.peak, memoryOf(pid).peak),
  };
}

/** TypeORM repository.save() of one row at a time into the same table (no validation at all). */
async function ormSample(root, table, rows) {
  const require = createRequire(join(root, 'apps/api/package.json'));
  const typeorm = await import(pathToFileURL(require.resolve('typeorm')).href);
  const { DataSource, EntitySchema } = typeorm.default ?? typeorm;
  const columns = { id: { type: 'uuid', primary: true, generated: 'uuid' } };
  for (const f of BENCH_FORM.fields) {
    const storage = table.layout.fields[f.id];
    columns[f.id] = {
      type: storage.sqlType === 'numeric' ? 'numeric' : storage.sqlType,
      nullable: true,
    };
  }
  const Customer = new EntitySchema({
    name: 'BenchCustomer',
    tableName: table.table,
    schema: table.schema,
    columns,
  });
  const dataSource = new DataSource({
    type: 'postgres',
    url: databaseUrl(),
    entities: [Customer],
    synchronize: false,
    logging: false,
  });
  await dataSource.initialize();
  try {
    const repository = dataSource.getRepository(Customer);
    const rnd = random(7);
    const sample = Array.from({ length: rows }, (_, i) => customerRow(5_000_000 + i, rnd));
    const started = performance.now();
    for (const cells of sample) {
      const entity = {};
      BENCH_FORM.fields.forEach((f, i) => (entity[f.id] = cells[i] === '' ? null : cells[i]));
      await repository.save(entity);
    }
    return performance.now() - started;
  } finally {
    await dataSource.destroy();
  }
}

export async function run({ root }) {
  const rows = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
  const file = join(tmpdir(), `trellis-bench-customers-${rows}.csv`);
  if (!existsSync(file)) await writeCustomerCsv(file, rows);
  const megabytes = statSync(file).size / 1e6;
  const loadBefore = loadavg()[0];

  await admin(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${DB_NAME}`);
  const { runMigrations } = await import(
    pathToFileURL(join(root, 'apps/api/dist/src/database/data-source.js')).href
  );
  await runMigrations(databaseUrl());
  const db = new pg.Client({ connectionString: databaseUrl() });
  await db.connect();
  const server = await startApi(root);
  try {
    const { token, formId } = await setUp(server.baseUrl);
    const table = await tableOf(db, formId);
    const idleRss = memoryOf(server.child.pid).rss;

    await reset(db, table);
    const psqlMs = psqlCopy(file, table);
    const psqlRows = await count(db, table);
    if (psqlRows !== rows) throw new Error(`psql loaded ${psqlRows} rows`);

    await reset(db, table);
    const result = await ours(server.baseUrl, token, formId, file, server.child.pid);
    const ourRows = await count(db, table);
    if (ourRows !== rows || result.counts.new !== rows)
      throw new Error(`the import wrote ${ourRows} rows: ${JSON.stringify(result.counts)}`);
    const { rows: grams } = await db.query(
      `SELECT avg(cardinality(search_grams))::int AS grams FROM (SELECT search_grams FROM ${table.qualified} LIMIT 10000) s`,
    );
    const { rows: history } = await db.query(
      `SELECT count(*)::int AS n FROM record_history WHERE kind = 'import'`,
    );

    await reset(db, table);
    const ormMs = ormSample(root, table, ORM_SAMPLE);
    const ormTime = await ormMs;
    const ormRate = (ORM_SAMPLE * 1000) / ormTime;

    const ourRate = (rows * 1000) / result.ms;
    const psqlRate = (rows * 1000) / psqlMs;
    const phase = (name, next) =>
      result.phases[name] !== undefined && result.phases[next] !== undefined
        ? formatMs(result.phases[next] - result.phases[name])
        : '-';
    return {
      rows: [
        row({
          workload: `import ${rows.toLocaleString('en')} rows x 15 columns (${megabytes.toFixed(0)} MB CSV)`,
          ours: ourRate,
          anchor: psqlRate,
          anchorName: 'psql \\copy',
          ratio: ourRate / psqlRate,
          target: 0.5,
        }),
        row({
          workload: 'same, vs row-by-row ORM saves',
          ours: ourRate,
          anchor: ormRate,
          anchorName: `TypeORM save() x ${ORM_SAMPLE.toLocaleString('en')}, extrapolated`,
          ratio: ourRate / ormRate,
          target: 100,
        }),
        limitRow({
          workload: 'peak RSS of the importing API process',
          value: result.peakRss,
          limit: 300,
          unit: 'MB',
        }),
      ],
      notes: [
        `ours: ${formatMs(result.ms)} from the start of the upload to status completed (upload and detection ${formatMs(result.uploadMs)}; staging ${phase('staging', 'resolving')}, resolving ${phase('resolving', 'merging')}, merging ${phase('merging', 'finishing')}); psql \\copy: ${formatMs(psqlMs)}. No dry run: the commit validates every row itself.`,
        `Both load the same ${rows.toLocaleString('en')}-row file into the same empty form table (its 13 indexes, GIN on search_grams included), emptied with TRUNCATE and CHECKPOINT before each. psql stores the cells as they are (labels such as 重要 in select columns, unparsed phones) with empty search columns and no history; ours maps labels to option values, canonicalises phones, validates each row with form-engine, writes search_text/search_grams (avg ${grams[0].grams} grams per row, the GIN index entries psql never writes), one record_history row per record (${history[0].n.toLocaleString('en')}) and one import.completed event.`,
        "Imported records get time-ordered UUIDv7 ids, so the primary key and the (field, id) indexes of the select columns take new entries at their right edge; psql gets the table default gen_random_uuid(), whose random ids scatter those inserts across 128 MB of shared buffers. That, not parsing, is most of psql's time here.",
        `ORM: TypeORM 1.1 repository.save() of ${ORM_SAMPLE.toLocaleString('en')} rows one by one (each its own transaction, no validation, no search columns, no history) into the emptied table, ${formatMs(ormTime)}; the rate is extrapolated to ${rows.toLocaleString('en')} rows.`,
        `Peak RSS is VmHWM of the API process that received the upload and ran the import (idle after start-up: ${idleRss.toFixed(0)} MB). The file streams through in 1 MB chunks and 50,000-row COPY transactions; it is never held in memory.`,
        `psql \\copy itself runs at ${(psqlRate / ormRate).toFixed(1)}x the ORM rate here, so the 100x ORM target asks for ${((100 * ormRate) / psqlRate).toFixed(1)}x psql \\copy.`,
        `One run of each (a 1M-row run takes minutes); psql first, then ours, then the ORM sample, on the same database. Load average (1 min) at the start ${loadBefore.toFixed(2)}, at the end ${loadavg()[0].toFixed(2)}, on ${availableParallelism()} CPUs.`,
      ],
    };
  } finally {
    server.child.kill('SIGTERM');
    await db.end();
  }
}

export { HEADERS };
