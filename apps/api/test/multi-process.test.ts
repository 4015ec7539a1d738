import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  createRule,
  LEAD_SCHEMA,
  spawnWorker,
  type SpawnedWorker,
  sqlClient,
  waitFor,
} from './support/automation.js';
import { createApp, publishedTable, publishForm } from './support/forms.js';
import { HttpClient, type Session } from './support/http.js';
import { addMember, signupOwner } from './support/people.js';
import { spawnServer, type SpawnedServer } from './support/spawn-server.js';
import { createTestDatabase, type TestDatabase, testEnv } from './support/test-env.js';

type RecordBody = { id: string; version: number };

const REMARK = '[已分配]';
const LEADS_PER_API = 40;

/**
 * Issue 11, "several processes": two API processes and two worker processes
 * on one PostgreSQL and one Redis, as docker/compose.yaml runs them. Record
 * changes arrive at both APIs; every event is processed exactly once, every
 * timer fires once, and a change made through one API is enforced by the
 * other at once (no per-process session or stale cache).
 */
describe('two API processes and two workers on the same PostgreSQL and Redis', () => {
  let database: TestDatabase;
  let db: Awaited<ReturnType<typeof sqlClient>>;
  const apis: SpawnedServer[] = [];
  const workers: SpawnedWorker[] = [];
  const prefix = `trellis-test-${testEnv.runId}-m${randomBytes(3).toString('hex')}`;
  let owner: Session;
  let rep: Session;
  let leadFormId: string;
  let table: string;
  let remindRuleId: string;

  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    REDIS_URL: testEnv.redisUrl ?? '',
    QUEUE_PREFIX: prefix,
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    LOG_LEVEL: 'error',
    TRELLIS_SIGNUP: 'open',
    TRELLIS_DATA_DIR: testEnv.scratchDir,
    QUEUE_LOCK_MS: '1500',
    OUTBOX_POLL_MS: '200',
    SCHEDULER_INTERVAL_MS: '300',
    JOB_BACKOFF_MS: '100',
    WORKER_CONCURRENCY: '4',
    ...extra,
  });

  before(async () => {
    assert.ok(testEnv.redisUrl !== null, 'this test needs Redis (TRELLIS_TEST_REDIS_URL)');
    database = await createTestDatabase();
    db = await sqlClient(database.url);
    // the APIs relay their outbox but run no worker; the workers are their own processes
    apis.push(
      ...(await Promise.all([0, 1].map(() => spawnServer(env({ TRELLIS_WORKER: 'separate' }))))),
    );
    const [a, b] = apis.map((api) => new HttpClient(api.baseUrl));
    assert.ok(a !== undefined && b !== undefined);
    owner = await signupOwner(a);
    const team = await a
      .as(owner.accessToken)
      .post<{ id: string }>('/api/teams', { name: '电销组', managerMemberId: owner.member.id });
    rep = await addMember(a, owner, {
      email: 'lina@qiming.cn',
      name: '李娜',
      teamId: team.body.id,
    });
    const asA = a.as(owner.accessToken);
    const appId = await createApp(asA);
    leadFormId = (await publishForm(asA, appId, 'lead', { 'zh-CN': '线索' }, LEAD_SCHEMA)).id;
    table = await publishedTable(db, leadFormId);
    await createRule(asA, appId, {
      id: 'assign_and_tell',
      name: '官网线索分配并通知',
      form: 'lead',
      trigger: { type: 'record_created' },
      condition: { '==': [{ var: 'source' }, 'website'] },
      actions: [
        { type: 'set_field', field: 'remark', value: { cat: [{ var: 'remark' }, REMARK] } },
        { type: 'assign_owner', strategy: 'fixed', userId: rep.member.id },
        {
          type: 'notify',
          channel: 'in_app',
          to: [{ type: 'owner' }],
          title: '新线索：{{company_name}}',
        },
      ],
    });
    remindRuleId = (
      await createRule(asA, appId, {
        id: 'remind_2h',
        name: '2 个工作小时未联系提醒',
        form: 'lead',
        trigger: {
          type: 'relative_time',
          field: 'created_at',
          amount: 2,
          unit: 'hours',
          working: true,
        },
        condition: { is_empty: { var: 'contacted_at' } },
        actions: [
          {
            type: 'notify',
            channel: 'in_app',
            to: [{ type: 'owner' }],
            title: '未联系提醒：{{company_name}}',
          },
        ],
      })
    ).id;
  });

  after(async () => {
    for (const worker of workers) await worker.kill('SIGKILL');
    for (const api of apis) await api.stop('SIGKILL');
    await db?.end();
    await database?.drop();
  });

  it('processes every event exactly once and fires every timer once, with load at both APIs', async () => {
    // the workers' clocks run five days ahead, so each 2-working-hour reminder is due as soon as it is scheduled
    const ahead = String(5 * 24 * 3_600_000);
    workers.push(
      ...(await Promise.all([
        spawnWorker(env({ TRELLIS_CLOCK_OFFSET_MS: ahead })),
        spawnWorker(env({ TRELLIS_CLOCK_OFFSET_MS: ahead })),
      ])),
    );
    const clients = apis.map((api) => new HttpClient(api.baseUrl).as(owner.accessToken));
    const created = await Promise.all(
      Array.from({ length: LEADS_PER_API * 2 }, async (_, i) => {
        const client = clients[i % 2] as HttpClient;
        const response = await client.post<RecordBody>(`/api/forms/${leadFormId}/records`, {
          values: {
            company_name: `双进程客户${String(i).padStart(3, '0')}有限公司`,
            source: 'website',
            remark: '',
          },
        });
        assert.equal(response.status, 201, JSON.stringify(response.body));
        return response.body;
      }),
    );
    const ids = created.map((r) => r.id);
    // and an edit of every record through the other API, racing the workers' own writes
    await Promise.all(
      created.map(async (record, i) => {
        const client = clients[(i + 1) % 2] as HttpClient;
        for (;;) {
          const current = await client.get<RecordBody>(
            `/api/forms/${leadFormId}/records/${record.id}`,
          );
          const response = await client.patch(`/api/forms/${leadFormId}/records/${record.id}`, {
            values: { contact_name: '王芳' },
            version: current.body.version,
          });
          if (response.status === 200) return;
          assert.equal(response.status, 409, JSON.stringify(response.body));
        }
      }),
    );

    await waitFor(
      async () =>
        (
          await db.rows<{ n: number }>(
            `SELECT count(*)::int AS n FROM rule_run WHERE record_id = ANY($1::uuid[]) AND rule_id <> $2 AND status = 'succeeded'`,
            [ids, remindRuleId],
          )
        )[0]?.n === ids.length,
      'a successful run per new lead',
      { timeoutMs: 60_000 },
    );
    const rows = await db.rows<{ remark: string; contact_name: string; owner_id: string }>(
      `SELECT remark, contact_name, owner_id FROM ${table} WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    assert.equal(rows.length, ids.length);
    assert.ok(
      rows.every((r) => r.remark === REMARK),
      'the set_field action applied exactly once to every lead',
    );
    assert.ok(
      rows.every((r) => r.contact_name === '王芳'),
      'no edit was lost',
    );
    assert.ok(rows.every((r) => r.owner_id === rep.member.id));
    const runsPerEvent = await db.rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM rule_run WHERE record_id = ANY($1::uuid[]) AND rule_id <> $2 GROUP BY trigger_key`,
      [ids, remindRuleId],
    );
    assert.equal(runsPerEvent.length, ids.length);
    assert.ok(
      runsPerEvent.every((r) => r.n === 1),
      'one run per event',
    );
    const told = await db.rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM notification WHERE member_id = $1 AND title LIKE '新线索：双进程客户%' GROUP BY title`,
      [rep.member.id],
    );
    assert.equal(told.length, ids.length);
    assert.ok(
      told.every((r) => r.n === 1),
      'one notification per lead',
    );

    await waitFor(
      async () =>
        (
          await db.rows<{ n: number }>(
            `SELECT count(*)::int AS n FROM scheduled_timer WHERE rule_id = $1 AND record_id = ANY($2::uuid[]) AND status = 'fired'`,
            [remindRuleId, ids],
          )
        )[0]?.n === ids.length,
      'every reminder to fire',
      { timeoutMs: 60_000 },
    );
    // a reminder goes to whoever owns the lead when it fires (the rep, or the creator if it beat the assignment)
    const reminders = await waitFor(async () => {
      const rows = await db.rows<{ n: number }>(
        `SELECT count(*)::int AS n FROM notification WHERE title LIKE '未联系提醒：双进程客户%' GROUP BY title`,
      );
      return rows.length === ids.length ? rows : null;
    }, 'a reminder per lead');
    assert.ok(
      reminders.every((r) => r.n === 1),
      'each timer fired exactly once',
    );
    const reminderRuns = await db.rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM rule_run WHERE rule_id = $1 GROUP BY record_id`,
      [remindRuleId],
    );
    assert.equal(reminderRuns.length, ids.length);
    assert.ok(
      reminderRuns.every((r) => r.n === 1),
      'one reminder run per lead',
    );
  });

  it('enforces at once, on the other API, a member removed through the first', async () => {
    const [a, b] = apis.map((api) => new HttpClient(api.baseUrl));
    assert.ok(a !== undefined && b !== undefined);
    // both APIs have the rep's session and permissions in their caches
    assert.equal((await b.get('/api/me', { token: rep.accessToken })).status, 200);
    assert.equal((await a.get('/api/me', { token: rep.accessToken })).status, 200);
    const removed = await a.delete(`/api/members/${rep.member.id}`, { token: owner.accessToken });
    assert.ok(removed.status === 200 || removed.status === 204, JSON.stringify(removed.body));
    const refused = await b.get(`/api/forms/${leadFormId}/records`, { token: rep.accessToken });
    assert.equal(refused.status, 401, JSON.stringify(refused.body));
  });
});
