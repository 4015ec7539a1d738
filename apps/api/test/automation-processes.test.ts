import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { OutboxRelay } from '../src/automation/outbox-relay.service.js';
import {
  createRule,
  LEAD_SCHEMA,
  notificationsOf,
  spawnWorker,
  type SpawnedWorker,
  sqlClient,
  waitFor,
} from './support/automation.js';
import { createApp, publishedTable, publishForm } from './support/forms.js';
import { HttpClient, type Session } from './support/http.js';
import { addMember, signupOwner } from './support/people.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { freePort } from './support/ports.js';
import { createTestDatabase, type TestDatabase, testEnv } from './support/test-env.js';

type RecordBody = { id: string; version: number; ownerId: string | null; createdAt: string };

const REMARK = '[已分配]';

for (const backend of testEnv.queueBackends) {
  describe(`separate worker processes: crashes, restarts and two at once (queue on ${backend})`, () => {
    let database: TestDatabase;
    let t: TestApp;
    let http: HttpClient;
    let as: HttpClient;
    let owner: Session;
    let rep: Session;
    let leadFormId: string;
    let table: string;
    let db: Awaited<ReturnType<typeof sqlClient>>;
    let remindRuleId: string;
    const prefix = `trellis-test-${testEnv.runId}-p${randomBytes(3).toString('hex')}`;
    const workers: SpawnedWorker[] = [];

    const workerEnvFor = (extra: Record<string, string> = {}): Record<string, string> => ({
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      ...(backend === 'redis' && testEnv.redisUrl !== null ? { REDIS_URL: testEnv.redisUrl } : {}),
      QUEUE_PREFIX: prefix,
      JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
      LOG_LEVEL: 'error',
      TRELLIS_DATA_DIR: testEnv.scratchDir,
      QUEUE_LOCK_MS: '1500',
      OUTBOX_POLL_MS: '200',
      SCHEDULER_INTERVAL_MS: '300',
      JOB_BACKOFF_MS: '100',
      WORKER_CONCURRENCY: '4',
      ...extra,
    });
    const startWorker = async (extra: Record<string, string> = {}) => {
      const worker = await spawnWorker(workerEnvFor(extra));
      workers.push(worker);
      return worker;
    };
    const createLead = async (values: Record<string, unknown>) => {
      const response = await as.post<RecordBody>(`/api/forms/${leadFormId}/records`, { values });
      assert.equal(response.status, 201, JSON.stringify(response.body));
      return response.body;
    };
    const remarkOf = async (id: string) =>
      (
        await db.rows<{ remark: string | null }>(`SELECT remark FROM ${table} WHERE id = $1`, [id])
      )[0]?.remark ?? null;
    const appliedFor = async (id: string) =>
      (
        await db.rows<{ n: number }>(
          `SELECT count(*)::int AS n FROM action_execution ae JOIN rule_run rr ON rr.id = ae.run_id WHERE rr.record_id = $1`,
          [id],
        )
      )[0]?.n ?? 0;

    before(async () => {
      database = await createTestDatabase();
      // the API process relays the outbox but runs no worker: workers are separate processes here
      t = await startTestApp({
        queue: backend,
        database,
        queuePrefix: prefix,
        env: { TRELLIS_WORKER: 'separate', OUTBOX_POLL_MS: '200', QUEUE_LOCK_MS: '1500' },
      });
      db = await sqlClient(database.url);
      http = new HttpClient(t.baseUrl);
      owner = await signupOwner(http);
      as = http.as(owner.accessToken);
      const team = await as.post<{ id: string }>('/api/teams', {
        name: '电销组',
        managerMemberId: owner.member.id,
      });
      rep = await addMember(http, owner, {
        email: 'lina@qiming.cn',
        name: '李娜',
        teamId: team.body.id,
      });
      const appId = await createApp(as);
      leadFormId = (await publishForm(as, appId, 'lead', { 'zh-CN': '线索' }, LEAD_SCHEMA)).id;
      table = await publishedTable(db, leadFormId);
      await createRule(as, appId, {
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
        await createRule(as, appId, {
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
      await db?.end();
      await t?.close();
      await database?.drop();
    });

    const stopAll = async () => {
      for (const worker of workers.splice(0)) await worker.kill('SIGTERM');
    };

    it('a worker killed with SIGKILL in the middle of an action applies it exactly once after a restart', async () => {
      const lead = await createLead({
        company_name: '上海启明信息技术有限公司',
        source: 'website',
        remark: '',
      });
      // hold the record so the worker's first action blocks inside its transaction
      const blocker = await sqlClient(database.url);
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM ${table} WHERE id = $1 FOR UPDATE`, [lead.id]);
      const worker = await startWorker();
      await waitFor(
        async () =>
          (
            await db.rows(
              `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%'`,
            )
          ).length > 0,
        'the action to block mid-transaction',
      );
      assert.equal(await worker.kill('SIGKILL'), 'SIGKILL');
      await blocker.query('ROLLBACK');
      await blocker.end();
      assert.equal(await remarkOf(lead.id), null, 'nothing applied by the killed worker');
      assert.equal(await appliedFor(lead.id), 0);
      await startWorker();
      await waitFor(
        async () =>
          (
            await db.rows(`SELECT 1 FROM rule_run WHERE record_id = $1 AND status = 'succeeded'`, [
              lead.id,
            ])
          ).length === 1,
        'the redelivered job to succeed',
      );
      assert.equal(await remarkOf(lead.id), REMARK);
      assert.equal(await appliedFor(lead.id), 3);
      const told = (await notificationsOf(http, rep.accessToken)).filter((n) =>
        n.title.includes('上海启明'),
      );
      assert.equal(told.length, 1);
      await stopAll();
    });

    it('a worker killed after the effect committed and before the ack does not apply it twice', async () => {
      const crashing = await startWorker({ TRELLIS_FAILPOINT: 'crash-after-action-commit' });
      const lead = await createLead({
        company_name: '杭州云帆电子商务有限公司',
        source: 'website',
        remark: '',
      });
      assert.equal(
        await crashing.exited,
        'SIGKILL',
        'the worker died right after its first commit',
      );
      workers.splice(workers.indexOf(crashing), 1);
      assert.equal(await remarkOf(lead.id), REMARK, 'the first action was committed');
      assert.equal(await appliedFor(lead.id), 1);
      await startWorker();
      const run = await waitFor(async () => {
        const rows = await db.rows<{
          status: string;
          actions: Array<{ status: string }>;
          attempts: number;
        }>(`SELECT status, actions, attempts FROM rule_run WHERE record_id = $1`, [lead.id]);
        return rows[0]?.status === 'succeeded' ? rows[0] : null;
      }, 'the redelivered job to finish');
      assert.deepEqual(
        run.actions.map((a) => a.status),
        ['already_applied', 'applied', 'applied'],
      );
      assert.ok(run.attempts >= 2);
      assert.equal(await remarkOf(lead.id), REMARK, 'applied exactly once');
      assert.equal(await appliedFor(lead.id), 3);
      await stopAll();
    });

    it('two workers never double-apply (events and timers), a timer due during downtime fires once after restart, and SSE is fed across processes', async () => {
      await startWorker();
      await startWorker();
      const controller = new AbortController();
      const stream = await fetch(`${t.baseUrl}/api/me/notifications/stream`, {
        headers: { authorization: `Bearer ${rep.accessToken}` },
        signal: controller.signal,
      });
      const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
      let streamed = '';
      const pump = (async () => {
        const decoder = new TextDecoder();
        for (;;) {
          const { value, done } = await reader
            .read()
            .catch(() => ({ value: undefined, done: true }));
          if (done) return;
          streamed += decoder.decode(value, { stream: true });
        }
      })();
      const leads = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          createLead({
            company_name: `并发客户${String(i).padStart(2, '0')}有限公司`,
            source: 'website',
            remark: '',
          }),
        ),
      );
      const ids = leads.map((l) => l.id);
      await waitFor(
        async () =>
          (
            await db.rows<{ n: number }>(
              `SELECT count(*)::int AS n FROM rule_run WHERE record_id = ANY($1::uuid[]) AND status = 'succeeded'`,
              [ids],
            )
          )[0]?.n === 30,
        'thirty runs',
        { timeoutMs: 30_000 },
      );
      const remarks = await db.rows<{ remark: string }>(
        `SELECT remark FROM ${table} WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      assert.ok(
        remarks.every((r) => r.remark === REMARK),
        'every action applied exactly once',
      );
      const perLead = await db.rows<{ n: number }>(
        `SELECT count(*)::int AS n FROM notification WHERE member_id = $1 AND title LIKE '新线索：并发客户%' GROUP BY title`,
        [rep.member.id],
      );
      assert.equal(perLead.length, 30);
      assert.ok(perLead.every((r) => r.n === 1));
      await waitFor(
        async () => (streamed.match(/新线索：并发客户/g) ?? []).length === 30,
        'thirty SSE events',
        {
          timeoutMs: 15_000,
        },
      );
      controller.abort();
      await pump;

      // timers: everyone goes down before the reminders are due ...
      const timers = await waitFor(async () => {
        const rows = await db.rows<{ id: string; due_at: Date }>(
          `SELECT id, due_at FROM scheduled_timer WHERE rule_id = $1 AND record_id = ANY($2::uuid[]) AND status = 'scheduled'`,
          [remindRuleId, ids],
        );
        return rows.length === 30 ? rows : null;
      }, 'thirty scheduled reminders');
      await stopAll();
      // ... and comes back, twice over, after they came due
      const latest = Math.max(...timers.map((r) => r.due_at.getTime()));
      const offset = String(latest - Date.now() + 60_000);
      await Promise.all([
        startWorker({ TRELLIS_CLOCK_OFFSET_MS: offset }),
        startWorker({ TRELLIS_CLOCK_OFFSET_MS: offset }),
      ]);
      await waitFor(
        async () =>
          (
            await db.rows<{ n: number }>(
              `SELECT count(*)::int AS n FROM scheduled_timer WHERE id = ANY($1::uuid[]) AND status = 'fired'`,
              [timers.map((r) => r.id)],
            )
          )[0]?.n === 30,
        'every reminder to fire',
        { timeoutMs: 30_000 },
      );
      const reminders = await db.rows<{ n: number }>(
        `SELECT count(*)::int AS n FROM notification WHERE member_id = $1 AND title LIKE '未联系提醒：并发客户%' GROUP BY title`,
        [rep.member.id],
      );
      assert.equal(reminders.length, 30);
      assert.ok(
        reminders.every((r) => r.n === 1),
        'each timer fired exactly once',
      );
      const runs = await db.rows<{ n: number }>(
        `SELECT count(*)::int AS n FROM rule_run WHERE rule_id = $1 GROUP BY record_id`,
        [remindRuleId],
      );
      assert.ok(runs.every((r) => r.n === 1));
      await stopAll();
    });

    it('loses no event when a relay dies between commit and enqueue', async () => {
      // the API's relay is down: committed changes wait in the outbox ...
      await t.app.get(OutboxRelay).stop();
      const waiting = await createLead({
        company_name: '成都天府软件园有限公司',
        source: 'website',
        remark: '',
      });
      const claimed = await createLead({
        company_name: '武汉光谷科技有限公司',
        source: 'website',
        remark: '',
      });
      // ... and one batch was claimed by a relay that died before it enqueued it
      await db.query(
        `UPDATE outbox_event SET relay_batch = gen_random_uuid(), relay_claimed_at = now() - interval '1 minute'
          WHERE record_id = $1 AND sent_at IS NULL`,
        [claimed.id],
      );
      assert.equal(
        (
          await db.rows(
            `SELECT 1 FROM outbox_event WHERE record_id = ANY($1::uuid[]) AND sent_at IS NULL`,
            [[waiting.id, claimed.id]],
          )
        ).length,
        2,
      );
      await startWorker(); // its relay picks up the unsent rows and takes over the stale batch
      for (const lead of [waiting, claimed])
        await waitFor(
          async () =>
            (
              await db.rows(
                `SELECT 1 FROM rule_run WHERE record_id = $1 AND status = 'succeeded'`,
                [lead.id],
              )
            ).length === 1,
          `the event of ${lead.id}`,
        );
      assert.equal(await remarkOf(waiting.id), REMARK);
      assert.equal(await remarkOf(claimed.id), REMARK);
      assert.equal(await appliedFor(waiting.id), 3);
      assert.equal(await appliedFor(claimed.id), 3);
      await t.app.get(OutboxRelay).start();
      await stopAll();
    });
  });
}

describe('a worker on Redis', () => {
  it(
    'refuses to start unless maxmemory-policy is noeviction',
    { skip: testEnv.redisUrl === null },
    async () => {
      const port = await freePort();
      const redis = spawn('redis-server', [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'allkeys-lru',
      ]);
      try {
        await waitFor(async () => {
          const ok = await new Promise<boolean>((resolve) => {
            const socket = createServer().listen(port, '127.0.0.1');
            socket.on('error', () => resolve(true));
            socket.on('listening', () => socket.close(() => resolve(false)));
          });
          return ok;
        }, 'the private redis-server');
        const database = await createTestDatabase();
        try {
          const worker = await spawnWorker(
            {
              NODE_ENV: 'test',
              DATABASE_URL: database.url,
              REDIS_URL: `redis://127.0.0.1:${port}`,
              JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
            },
            { waitForStart: false },
          );
          assert.equal(await worker.exited, '3');
          assert.match(worker.output(), /maxmemory-policy is "allkeys-lru".*noeviction/);
        } finally {
          await database.drop();
        }
      } finally {
        redis.kill('SIGTERM');
      }
    },
  );
});
