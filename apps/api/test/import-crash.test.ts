import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createApp, publishedTable, publishForm } from './support/forms.js';
import { HttpClient, type Problem, type Session } from './support/http.js';
import {
  allRejections,
  benchCustomerData,
  type ImportBody,
  type MappingBody,
  uploadFile,
  waitForImport,
} from './support/imports.js';
import { signupOwner } from './support/people.js';
import { spawnServer, type SpawnedServer } from './support/spawn-server.js';
import { createTestDatabase, type TestDatabase, testEnv } from './support/test-env.js';

const ROWS = 100_000;

/** What the generated file holds, row by row (row i is on line i + 2, after the header). */
type Expected = {
  csv: Buffer;
  /** Line numbers of the rows that must become new records, and their mobile numbers. */
  created: Map<number, string>;
  rejected: number[];
  skipped: number[];
};

/**
 * 100,000 realistic customers (bench/import/generate.mjs, deterministic), of
 * which one row in a thousand has no contact (required), one has a phone that
 * is no phone, and one repeats the previous row's phone in another format.
 */
async function customerFile(): Promise<Expected> {
  const { customerRow, csvLine, random, HEADERS } = await benchCustomerData();
  const rnd = random(20260105);
  const created = new Map<number, string>();
  const rejected: number[] = [];
  const skipped: number[] = [];
  const lines = [csvLine(HEADERS)];
  let previousMobile = '';
  for (let i = 0; i < ROWS; i++) {
    const cells = customerRow(i, rnd);
    const line = i + 2;
    const mobile = (cells[2] ?? '').replace(/\D/g, '').slice(-11);
    if (i % 1000 === 500) {
      cells[1] = '';
      rejected.push(line);
    } else if (i % 1000 === 900) {
      cells[2] = '电话待补';
      rejected.push(line);
    } else if (i % 1000 === 250) {
      cells[2] = `+86 ${previousMobile.slice(0, 3)}-${previousMobile.slice(3, 7)}-${previousMobile.slice(7)}`;
      skipped.push(line);
    } else created.set(line, mobile);
    previousMobile = mobile;
    lines.push(csvLine(cells));
  }
  return { csv: Buffer.from(`${lines.join('\r\n')}\r\n`), created, rejected, skipped };
}

/**
 * Issue 9 / issue 11 item 13: a process killed (SIGKILL) in the middle of a
 * 100,000-row commit leaves either nothing or a resumable import; another
 * process resumes it to the end with every valid row written exactly once.
 */
describe('an import survives kill -9 of the API process in the middle of its commit', () => {
  let database: TestDatabase;
  let db: pg.Client;
  const servers: SpawnedServer[] = [];
  const prefix = `trellis-test-${testEnv.runId}-i${randomBytes(3).toString('hex')}`;
  const backend = testEnv.queueBackends[0] ?? 'postgres';

  const env = (): Record<string, string> => ({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    ...(backend === 'redis' && testEnv.redisUrl !== null ? { REDIS_URL: testEnv.redisUrl } : {}),
    QUEUE_PREFIX: prefix,
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    LOG_LEVEL: 'error',
    TRELLIS_DATA_DIR: testEnv.scratchDir,
  });
  const start = async () => {
    const server = await spawnServer(env());
    servers.push(server);
    return server;
  };
  const one = async <T>(text: string, values: unknown[] = []): Promise<T> =>
    (await db.query(text, values)).rows[0] as T;

  before(async () => {
    database = await createTestDatabase();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
  });
  after(async () => {
    // a killed process has a signalCode and no exitCode: stop() would wait for an exit already past
    for (const server of servers)
      if (server.process.exitCode === null && server.process.signalCode === null)
        await server.stop();
    await db.end();
    await database.drop();
  });

  it('kills the importing process at about 50%, resumes in a new one: no duplicates, exact counts, one history entry per record', async (t) => {
    const file = await customerFile();
    const first = await start();
    const http = new HttpClient(first.baseUrl);
    const owner: Session = await signupOwner(http);
    const as = http.as(owner.accessToken);
    const { fields } = (await benchCustomerData()).BENCH_FORM;
    const schema = {
      fields: [
        ...fields,
        {
          id: 'customer_no',
          type: 'serial',
          label: { 'zh-CN': '客户编号', en: 'Customer No.' },
          serial: { pattern: '{000000}' },
          unique: true,
        },
      ],
    };
    const form = await publishForm(
      as,
      await createApp(as),
      'customer',
      { 'zh-CN': '客户', en: 'Customer' },
      schema,
    );
    const table = await publishedTable(db, form.id);

    const uploaded = await uploadFile(
      first.baseUrl,
      owner.accessToken,
      form.id,
      '客户名单.csv',
      file.csv,
      'text/csv',
    );
    assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
    const id = uploaded.body.id;
    assert.equal(uploaded.body.file.rows, ROWS);
    const mapping: MappingBody = {
      ...uploaded.body.suggestedMapping,
      columns: fields.map((f, column) => ({ column, field: f.id })),
      matchKeys: [{ field: 'phone', method: 'phone' }],
      onMatch: 'skip',
      onDuplicateInFile: 'skip',
    };
    const mapped = await as.put<ImportBody>(`/api/imports/${id}/mapping`, mapping);
    assert.equal(mapped.status, 200, JSON.stringify(mapped.body));
    const committing = await as.post<ImportBody>(`/api/imports/${id}/commit`, {
      mode: 'skip_bad_rows',
    });
    assert.equal(committing.status, 202, JSON.stringify(committing.body));

    // kill -9 once the progress reports about half way: merging has begun and a batch is committed
    let seen: ImportBody | undefined;
    for (const startedAt = Date.now(); ;) {
      const response = await as.get<ImportBody>(`/api/imports/${id}`);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      seen = response.body;
      assert.equal(seen.status, 'running', `the import ended before the kill: ${seen.status}`);
      const job = await one<{ merged_through: number }>(
        `SELECT merged_through FROM import_job WHERE id = $1`,
        [id],
      );
      if ((seen.progress?.percent ?? 0) >= 50 && job.merged_through > 0) break;
      assert.ok(Date.now() - startedAt < 90_000, `no progress: ${JSON.stringify(seen.progress)}`);
      await sleep(25);
    }
    await first.stop('SIGKILL');
    const killedAt = seen.progress;

    // what the dead process left: whole batches only, each record with its history entry
    const [{ merged_through: mergedThrough, status: storedStatus }] = (
      await db.query<{ merged_through: number; status: string }>(
        `SELECT merged_through, status FROM import_job WHERE id = $1`,
        [id],
      )
    ).rows as [{ merged_through: number; status: string }];
    const writtenBefore = [...file.created.keys()].filter((line) => line <= mergedThrough).length;
    const partial = await one<{ records: number; history: number; phones: number }>(
      `SELECT (SELECT count(*)::int FROM ${table}) AS records,
              (SELECT count(DISTINCT phone)::int FROM ${table}) AS phones,
              (SELECT count(*)::int FROM record_history WHERE form_id = $1) AS history`,
      [form.id],
    );
    assert.equal(storedStatus, 'running');
    // nothing (no batch committed yet) or exactly the committed batches: never half a batch
    assert.equal(
      partial.records,
      writtenBefore,
      `${partial.records} records after the kill; the committed batches hold ${writtenBefore}`,
    );
    assert.ok(partial.records < file.created.size, 'the kill came after the import finished');
    assert.equal(partial.history, partial.records);
    assert.equal(partial.phones, partial.records);
    t.diagnostic(
      `killed at ${killedAt?.percent}% (${killedAt?.phase}); ${partial.records} records committed through line ${mergedThrough}`,
    );

    const second = await start();
    const http2 = new HttpClient(second.baseUrl).as(owner.accessToken);
    const interrupted = await http2.get<ImportBody>(`/api/imports/${id}`);
    assert.equal(interrupted.status, 200, JSON.stringify(interrupted.body));
    assert.equal(interrupted.body.status, 'interrupted', JSON.stringify(interrupted.body));
    assert.equal(interrupted.body.resumable, true);
    assert.equal(interrupted.body.counts, null);

    // a fresh commit would write the first half again: refused once rows are written
    if (mergedThrough > 0) {
      const again = await http2.post<Problem>(`/api/imports/${id}/commit`, {
        mode: 'skip_bad_rows',
      });
      assert.equal(again.status, 409, JSON.stringify(again.body));
    }

    const resumed = await http2.post<ImportBody>(`/api/imports/${id}/resume`);
    assert.equal(resumed.status, 202, JSON.stringify(resumed.body));
    assert.equal(resumed.body.status, 'running');
    const twice = await http2.post<Problem>(`/api/imports/${id}/resume`);
    assert.equal(twice.status, 409, JSON.stringify(twice.body));

    const done = await waitForImport(http2, id, (b) => b.status !== 'running', 110_000);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.deepEqual(done.counts, {
      total: ROWS,
      new: file.created.size,
      updated: 0,
      skipped: file.skipped.length,
      rejected: file.rejected.length,
    });

    // exactly the file's valid rows, once each
    const final = await one<{
      records: number;
      phones: number;
      serials: number;
      last_serial: number;
      history: number;
      history_records: number;
      without_history: number;
    }>(
      `SELECT (SELECT count(*)::int FROM ${table}) AS records,
              (SELECT count(DISTINCT phone)::int FROM ${table}) AS phones,
              (SELECT count(DISTINCT customer_no)::int FROM ${table}) AS serials,
              (SELECT max(customer_no::int) FROM ${table}) AS last_serial,
              (SELECT count(*)::int FROM record_history WHERE form_id = $1) AS history,
              (SELECT count(DISTINCT record_id)::int FROM record_history WHERE form_id = $1 AND kind = 'import'
                  AND detail->>'importId' = $2) AS history_records,
              (SELECT count(*)::int FROM ${table} t
                WHERE NOT EXISTS (SELECT 1 FROM record_history h WHERE h.record_id = t.id)) AS without_history`,
      [form.id, id],
    );
    assert.deepEqual(final, {
      records: file.created.size,
      phones: file.created.size,
      serials: file.created.size,
      last_serial: file.created.size,
      history: file.created.size,
      history_records: file.created.size,
      without_history: 0,
    });
    const { rows: stored } = await db.query<{ line: number; mobile: string }>(
      `SELECT (h.detail->>'line')::int AS line, right(regexp_replace(t.phone, '\\D', '', 'g'), 11) AS mobile
         FROM ${table} t JOIN record_history h ON h.record_id = t.id ORDER BY 1`,
    );
    assert.deepEqual(
      stored.map((r) => [r.line, r.mobile]),
      [...file.created],
    );
    const listed = await http2.get<{ total: number }>(
      `/api/forms/${form.id}/records?limit=1&count=true`,
    );
    assert.equal(listed.body.total, file.created.size);

    // the rows left out, with their reasons, and one import.completed event
    const rejected = await allRejections(http2, id, 'rejected');
    assert.deepEqual(
      rejected.map((r) => r.line),
      file.rejected,
    );
    assert.deepEqual([...new Set(rejected.map((r) => r.reasons[0]?.field))].sort(), [
      'contact_name',
      'phone',
    ]);
    const skipped = await allRejections(http2, id, 'skipped');
    assert.deepEqual(
      skipped.map((r) => r.line),
      file.skipped,
    );
    const events = await one<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox_event WHERE type = 'import.completed' AND payload->>'importId' = $1`,
      [id],
    );
    assert.equal(events.n, 1);
    const scratch = await one<{ left: string | null }>(`SELECT to_regclass($1)::text AS left`, [
      `trellis_import.s_${id.replace(/-/g, '')}`,
    ]);
    assert.equal(scratch.left, null);
    assert.ok(killedAt !== null && killedAt.percent >= 50 && killedAt.percent < 99);
  });
});
