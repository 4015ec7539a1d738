import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRule, LEAD_SCHEMA, sqlClient, waitFor } from './support/automation.js';
import { createApp, publishedTable, publishForm } from './support/forms.js';
import { HttpClient, type Session } from './support/http.js';
import { signupOwner } from './support/people.js';
import { spawnServer, type SpawnedServer } from './support/spawn-server.js';
import { freePort } from './support/ports.js';
import { createTestDatabase, type TestDatabase, testEnv } from './support/test-env.js';

const REMARK = '[已分配]';

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** A Redis of this test's own (nothing on disk), so that stopping it disturbs no other test. */
async function startRedis(port: number): Promise<ChildProcess> {
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  await waitFor(() => accepts(port), `redis-server on port ${port}`);
  return redis;
}

/**
 * Issue 11, battery item 12, second half: Redis goes away after changes are
 * committed and before their events are enqueued, and comes back empty.
 * The outbox still holds the events, so every effect is applied exactly once.
 */
describe('Redis restarted between commit and enqueue', () => {
  let database: TestDatabase;
  let db: Awaited<ReturnType<typeof sqlClient>>;
  let api: SpawnedServer;
  let redis: ChildProcess;
  let port: number;
  let as: HttpClient;
  let owner: Session;
  let leadFormId: string;
  let table: string;

  before(async () => {
    port = await freePort();
    redis = await startRedis(port);
    database = await createTestDatabase();
    db = await sqlClient(database.url);
    api = await spawnServer({
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      REDIS_URL: `redis://127.0.0.1:${port}`,
      JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
      LOG_LEVEL: 'fatal',
      TRELLIS_DATA_DIR: testEnv.scratchDir,
      TRELLIS_WORKER: 'in-process',
      OUTBOX_POLL_MS: '200',
      QUEUE_LOCK_MS: '1500',
      JOB_BACKOFF_MS: '100',
    });
    const http = new HttpClient(api.baseUrl);
    owner = await signupOwner(http);
    as = http.as(owner.accessToken);
    const appId = await createApp(as);
    leadFormId = (await publishForm(as, appId, 'lead', { 'zh-CN': '线索' }, LEAD_SCHEMA)).id;
    table = await publishedTable(db, leadFormId);
    await createRule(as, appId, {
      id: 'mark_website_leads',
      name: '官网线索加标记',
      form: 'lead',
      trigger: { type: 'record_created' },
      condition: { '==': [{ var: 'source' }, 'website'] },
      actions: [
        { type: 'set_field', field: 'remark', value: { cat: [{ var: 'remark' }, REMARK] } },
        {
          type: 'notify',
          channel: 'in_app',
          to: [{ type: 'owner' }],
          title: '新线索：{{company_name}}',
        },
      ],
    });
  });

  after(async () => {
    await api?.stop('SIGKILL');
    redis?.kill('SIGKILL');
    await db?.end();
    await database?.drop();
  });

  const createLead = async (company: string) => {
    const response = await as.post<{ id: string }>(`/api/forms/${leadFormId}/records`, {
      values: { company_name: company, source: 'website', remark: '' },
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body.id;
  };
  const succeeded = async (ids: string[]) =>
    (
      await db.rows<{ n: number }>(
        `SELECT count(*)::int AS n FROM rule_run WHERE record_id = ANY($1::uuid[]) AND status = 'succeeded'`,
        [ids],
      )
    )[0]?.n ?? 0;

  it('applies every effect exactly once after Redis comes back empty', async () => {
    const first = await createLead('北京中关村科技有限公司');
    await waitFor(async () => (await succeeded([first])) === 1, 'the first lead before the outage');

    redis.kill('SIGKILL');
    await waitFor(async () => !(await accepts(port)), 'Redis to be gone');
    // records are still saved: PostgreSQL is the system of record, the outbox keeps their events
    const during: string[] = [];
    for (let i = 0; i < 10; i += 1)
      during.push(await createLead(`停机期间客户${String(i).padStart(2, '0')}有限公司`));
    const unsent = await db.rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox_event WHERE record_id = ANY($1::uuid[]) AND sent_at IS NULL`,
      [during],
    );
    assert.ok((unsent[0]?.n ?? 0) > 0, 'events wait in the outbox while Redis is down');

    redis = await startRedis(port);
    await waitFor(
      async () => (await succeeded(during)) === during.length,
      'every event after the restart',
      {
        timeoutMs: 60_000,
      },
    );
    const rows = await db.rows<{ remark: string }>(
      `SELECT remark FROM ${table} WHERE id = ANY($1::uuid[])`,
      [[first, ...during]],
    );
    assert.equal(rows.length, 11);
    assert.ok(
      rows.every((r) => r.remark === REMARK),
      `each change applied exactly once: ${rows.map((r) => r.remark).join(' | ')}`,
    );
    const runs = await db.rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM rule_run WHERE record_id = ANY($1::uuid[]) GROUP BY record_id`,
      [[first, ...during]],
    );
    assert.equal(runs.length, 11);
    assert.ok(
      runs.every((r) => r.n === 1),
      'one run per event',
    );
    const told = await db.rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM notification WHERE member_id = $1 AND title LIKE '新线索：%' GROUP BY title`,
      [owner.member.id],
    );
    assert.equal(told.length, 11);
    assert.ok(
      told.every((r) => r.n === 1),
      'one notification per lead',
    );
  });
});
