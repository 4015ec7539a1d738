// bench/jobs: the automation runtime's queue layer (issue 8) against raw BullMQ on the same
// Redis, side by side. "ours" is the production JobBus on the production QueueRuntime (from
// apps/api/dist), with the production worker settings (loadConfig defaults); the anchor is
// BullMQ's own Queue.addBulk + Worker (the very bullmq module the API loads) with the same
// settings. Every trial uses fresh queue names under a key prefix unique to this run, and every
// queue is obliterated afterwards; nothing else in Redis is touched.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import {
  CHINA_MAINLAND_CALENDAR_2026_2027,
  matchRules,
  normalizeRuleDefinition,
} from '@trellis/rule-engine';
import { formatRate, median, row } from '../lib/harness.mjs';

const ADMIN = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS ?? 'redis://127.0.0.1:6379';
const DB = 'trellis_bench_jobs';
const NOOP = Number(process.env.BENCH_JOBS_NOOP ?? 200_000);
const EVENTS = Number(process.env.BENCH_JOBS_EVENTS ?? 50_000);
const ROUNDS = Number(process.env.BENCH_JOBS_ROUNDS ?? 3);
/** Jobs through BullMQ's PostgreSQL backend (informational; 0 skips it). */
const PG_JOBS = Number(process.env.BENCH_JOBS_PG ?? 10_000);
/** The outbox relay claims and publishes up to 500 events at a time; the anchor adds in the same chunks. */
const CHUNK = 500;
const TIME_ZONE = 'Asia/Shanghai';

/** Loads a module of the built API (apps/api/dist/src/...). */
function api(root, path) {
  return import(pathToFileURL(join(root, 'apps', 'api', 'dist', 'src', path)).href);
}

async function admin(sql) {
  const client = new pg.Client({ connectionString: ADMIN });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

// --- the workload ----------------------------------------------------------------------------

/** The rules of the `lead` form: one fires on every event and sets one field; one never fires. */
const RULES = [
  {
    id: 'lead_hot_on_amount',
    name: { 'zh-CN': '大额线索标记为重点', en: 'Flag big leads' },
    form: 'lead',
    trigger: { type: 'record_updated', fields: ['amount'] },
    condition: {
      and: [
        { '>=': [{ var: 'amount' }, 100_000] },
        { '!=': [{ var: 'stage' }, 'lost'] },
        { in: [{ var: 'source' }, ['website', 'referral', 'exhibition']] },
      ],
    },
    actions: [
      {
        type: 'set_field',
        field: 'level',
        value: { if: [{ '>=': [{ var: 'amount' }, 500_000] }, 'key', 'hot'] },
      },
    ],
  },
  {
    id: 'lead_lost_reason',
    name: { 'zh-CN': '丢单记录原因', en: 'Lost leads need a reason' },
    form: 'lead',
    trigger: { type: 'record_updated', fields: ['stage'] },
    condition: { '==': [{ var: 'stage' }, 'lost'] },
    actions: [{ type: 'set_field', field: 'level', value: 'lost' }],
  },
].map((raw) => {
  const result = normalizeRuleDefinition(raw, {
    fields: ['name', 'source', 'amount', 'level', 'company'],
  });
  if (result.issues !== undefined) throw new Error(JSON.stringify(result.issues));
  return result.rule;
});

const SOURCES = ['website', 'referral', 'exhibition'];

/** A record.updated outbox event as the relay hands it to the queue (see OutboxRelay.publish). */
function leadEvent(seq, recordId, workspaceId, formId) {
  const amount = 100_000 + ((seq * 7919) % 900_000);
  const before = { name: `线索${seq}`, company: '上海启明信息技术有限公司', amount: 1_000 };
  const values = { ...before, source: SOURCES[seq % 3], amount };
  const at = new Date().toISOString();
  return {
    id: randomUUID(),
    name: 'record.updated',
    data: {
      seq: String(seq),
      eventId: randomUUID(),
      workspaceId,
      appId: null,
      formId,
      recordId,
      type: 'record.updated',
      payload: {
        formKey: 'lead',
        actorMemberId: null,
        version: 2,
        ownerId: null,
        stage: 'new',
        record: values,
        at,
        changes: [{ field: 'amount', from: before.amount, to: amount }],
        previous: { ...before, source: values.source },
      },
      depth: 0,
      createdAt: at,
    },
  };
}

const UPDATE = `UPDATE bench_lead SET level = $2, version = version + 1, updated_at = now() WHERE id = $1`;

/** Applies the one set_field the match produced: the single UPDATE of the record. */
async function applyMatches(pool, recordId, result) {
  let updates = 0;
  for (const match of result.matches)
    for (const action of match.actions)
      if (action.type === 'set_field') {
        await pool.query(UPDATE, [recordId, action.value]);
        updates += 1;
      }
  if (updates !== 1) throw new Error(`expected one UPDATE per event, got ${updates}`);
}

function matchContext() {
  return {
    now: new Date().toISOString(),
    calendar: CHINA_MAINLAND_CALENDAR_2026_2027,
    timeZone: TIME_ZONE,
  };
}

// --- one trial -------------------------------------------------------------------------------

/**
 * One end-to-end trial: the worker is started and ready, then the clock runs from the first
 * enqueue until BullMQ reports the last job completed. Returns logical jobs per second.
 */
async function trial({ start, enqueue, total }) {
  let done = 0;
  let finish;
  const finished = new Promise((resolve, reject) => (finish = { resolve, reject }));
  const onCompleted = (count) => {
    done += count;
    if (done >= total) finish.resolve();
  };
  const { stop } = await start(onCompleted, (error) => finish.reject(error));
  try {
    const started = performance.now();
    await enqueue();
    await finished;
    return (total * 1000) / (performance.now() - started);
  } finally {
    await stop();
  }
}

/** Runs every candidate once per round (after one small warm-up round each); median rate of each. */
async function interleave(candidates, { total, rounds = ROUNDS, label }) {
  const names = Object.keys(candidates);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  const warmup = Math.max(1_000, Math.round(total / 10));
  for (const name of names) await candidates[name](warmup);
  for (let round = 0; round < rounds; round++)
    for (const name of names) {
      const value = await candidates[name](total);
      samples[name].push(value);
      console.error(`  ${label} round ${round + 1} ${name}: ${formatRate(value)}`);
    }
  return {
    medians: Object.fromEntries(names.map((n) => [n, median(samples[n])])),
    samples,
  };
}

// --- run -------------------------------------------------------------------------------------

export async function run({ root }) {
  const requireApi = createRequire(join(root, 'apps', 'api', 'package.json'));
  const bullmq = requireApi('bullmq');
  const { Redis } = requireApi('ioredis');
  const { loadConfig } = await api(root, 'config/app-config.js');
  const { QueueRuntime, redisOptionsFromUrl } = await api(root, 'queue/queue-runtime.js');
  const { JobBus } = await api(root, 'automation/job-bus.js');
  const { isOutboxEventJob } = await api(root, 'automation/queues.js');
  const { eventRecordData, eventBeforeData } = await api(root, 'automation/record-data.js');

  await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${DB}`);
  const databaseUrl = ADMIN.replace(/\/[^/]*$/, `/${DB}`);
  // The production settings: what the worker reads from an environment that sets none of them.
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret-00',
  });
  const { concurrency, lockMs, attempts, backoffMs } = config.automation;
  const busOptions = { attempts, backoffMs, lockMs };
  // As JobBus.consume sets them (KEEP_COMPLETED / KEEP_FAILED are not exported; same values).
  const keep = { removeOnComplete: { age: 3_600, count: 20_000 }, removeOnFail: { age: 604_800 } };
  const workerSettings = {
    concurrency,
    lockDuration: lockMs,
    stalledInterval: lockMs,
    maxStalledCount: 10,
    ...keep,
  };

  const prefix = `bench-jobs-${process.pid}-${Date.now().toString(36)}`;
  const connection = redisOptionsFromUrl(REDIS_URL);
  let queueSeq = 0;
  const queueName = (kind) => `${kind}-${++queueSeq}`;
  const obliterate = async (name) => {
    const queue = new bullmq.Queue(name, { connection, prefix });
    try {
      await queue.obliterate({ force: true });
    } finally {
      await queue.close();
    }
  };

  const pool = new pg.Pool({ connectionString: databaseUrl, max: 20 });
  // An idle client dropped by the server must not take the process down with it.
  pool.on('error', (error) =>
    console.error(`jobs: idle PostgreSQL client error: ${error.message}`),
  );
  const notes = [];
  const rows = [];
  try {
    // --- 1. no-op jobs -----------------------------------------------------------------------
    const noopJobs = (n, tag) =>
      Array.from({ length: n }, (_, i) => ({ id: `${tag}-${i}`, name: 'noop', data: { i } }));

    const oursNoop = (total, envelopeSize = undefined) => {
      const name = queueName(envelopeSize === 1 ? 'noop-ours1' : 'noop-ours');
      const jobs = noopJobs(total, name);
      let runtime;
      let bus;
      return trial({
        total,
        start: async (completed, failed) => {
          runtime = await QueueRuntime.create({ kind: 'redis', url: REDIS_URL, prefix });
          bus = new JobBus(runtime, { ...busOptions, envelopeSize });
          const worker = bus.consume(name, { handle: async () => {} }, concurrency);
          worker.on('completed', (job) => completed(job.data.jobs.length));
          worker.on('failed', (_job, error) => failed(error));
          await worker.waitUntilReady();
          await runtime.queue(name).waitUntilReady();
          return {
            stop: async () => {
              await bus.close();
              await runtime.close();
              await obliterate(name);
            },
          };
        },
        enqueue: async () => {
          for (let i = 0; i < jobs.length; i += CHUNK)
            await bus.publish(name, jobs.slice(i, i + CHUNK));
        },
      });
    };

    const rawNoop = (total) => {
      const name = queueName('noop-raw');
      const jobs = Array.from({ length: total }, (_, i) => ({
        name: 'noop',
        data: { i },
        opts: keep,
      }));
      let queue;
      return trial({
        total,
        start: async (completed, failed) => {
          const worker = new bullmq.Worker(name, async () => {}, {
            ...workerSettings,
            connection,
            prefix,
          });
          worker.on('completed', () => completed(1));
          worker.on('failed', (_job, error) => failed(error));
          queue = new bullmq.Queue(name, { connection, prefix });
          await worker.waitUntilReady();
          await queue.waitUntilReady();
          return {
            stop: async () => {
              await worker.close();
              await queue.close();
              await obliterate(name);
            },
          };
        },
        enqueue: async () => {
          for (let i = 0; i < jobs.length; i += CHUNK)
            await queue.addBulk(jobs.slice(i, i + CHUNK));
        },
      });
    };

    console.error(`jobs: ${NOOP} no-op jobs, ${ROUNDS} rounds (prefix ${prefix})`);
    const noop = await interleave(
      // ours1: the same JobBus with one logical job per envelope (its batching turned off)
      { ours: (n) => oursNoop(n), raw: rawNoop, ours1: (n) => oursNoop(n, 1) },
      { total: NOOP, label: 'no-op' },
    );
    rows.push(
      row({
        workload: `${NOOP.toLocaleString('en-US')} no-op jobs, end to end`,
        ours: noop.medians.ours,
        anchor: noop.medians.raw,
        anchorName: 'BullMQ addBulk + Worker',
        ratio: noop.medians.ours / noop.medians.raw,
        target: 0.9,
      }),
    );
    rows.push({
      workload: `${NOOP.toLocaleString('en-US')} no-op jobs, absolute`,
      ours: formatRate(noop.medians.ours),
      anchor: '-',
      ratio: '-',
      target: '>= 10.0 k/s',
      ok: noop.medians.ours >= 10_000 ? 'ok' : 'FAIL',
    });

    // --- 2. record events: rule match + one UPDATE -------------------------------------------
    await pool.query(`CREATE TABLE bench_lead (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL, source text NOT NULL, amount numeric NOT NULL, level text,
      version integer NOT NULL DEFAULT 1, updated_at timestamptz NOT NULL DEFAULT now())`);
    await pool.query(
      `INSERT INTO bench_lead (name, source, amount)
       SELECT '线索' || i, (ARRAY['website','referral','exhibition'])[1 + i % 3], 1000
         FROM generate_series(1, $1) AS i`,
      [EVENTS],
    );
    await pool.query('VACUUM ANALYZE bench_lead');
    const ids = (await pool.query('SELECT id FROM bench_lead ORDER BY name')).rows.map((r) => r.id);
    const workspaceId = randomUUID();
    const formId = randomUUID();
    const events = (n) =>
      Array.from({ length: n }, (_, i) =>
        leadEvent(i + 1, ids[i % ids.length], workspaceId, formId),
      );

    // ours: the events handler as AutomationRuntime registers it (events of one record in order),
    // building the rule event as RuleRunner does (eventRecordData / eventBeforeData).
    const handleEvent = async (job) => {
      const event = job.data;
      const record = eventRecordData(event, {});
      const ruleEvent = {
        type: 'record_updated',
        form: 'lead',
        record,
        before: eventBeforeData(event, record),
        id: event.eventId,
      };
      await applyMatches(pool, event.recordId, matchRules(RULES, ruleEvent, matchContext()));
    };
    const eventsHandler = {
      keyOf: (job) => (isOutboxEventJob(job) ? (job.data.recordId ?? job.id) : job.id),
      handle: async (job) => {
        if (isOutboxEventJob(job)) await handleEvent(job);
      },
    };
    // the anchor: the same match and UPDATE, straight from the job data
    const rawProcessor = async (job) => {
      const event = job.data;
      const p = event.payload;
      const record = { ...p.record, id: event.recordId, owner_id: p.ownerId, stage: p.stage };
      const ruleEvent = {
        type: 'record_updated',
        form: 'lead',
        record,
        before: { ...record, ...p.previous },
        id: event.eventId,
      };
      await applyMatches(pool, event.recordId, matchRules(RULES, ruleEvent, matchContext()));
    };

    const oursEvents = (total) => {
      const name = queueName('events-ours');
      const jobs = events(total);
      let runtime;
      let bus;
      return trial({
        total,
        start: async (completed, failed) => {
          runtime = await QueueRuntime.create({ kind: 'redis', url: REDIS_URL, prefix });
          bus = new JobBus(runtime, {
            ...busOptions,
            deadLetter: async (_queue, _job, error) => failed(error),
          });
          const worker = bus.consume(name, eventsHandler, concurrency);
          worker.on('completed', (job) => completed(job.data.jobs.length));
          worker.on('failed', (_job, error) => failed(error));
          await worker.waitUntilReady();
          await runtime.queue(name).waitUntilReady();
          return {
            stop: async () => {
              await bus.close();
              await runtime.close();
              await obliterate(name);
            },
          };
        },
        enqueue: async () => {
          for (let i = 0; i < jobs.length; i += CHUNK)
            await bus.publish(name, jobs.slice(i, i + CHUNK));
        },
      });
    };
    const rawEvents = (total) => {
      const name = queueName('events-raw');
      const jobs = events(total).map((job) => ({ name: job.name, data: job.data, opts: keep }));
      let queue;
      return trial({
        total,
        start: async (completed, failed) => {
          const worker = new bullmq.Worker(name, rawProcessor, {
            ...workerSettings,
            connection,
            prefix,
          });
          worker.on('completed', () => completed(1));
          worker.on('failed', (_job, error) => failed(error));
          queue = new bullmq.Queue(name, { connection, prefix });
          await worker.waitUntilReady();
          await queue.waitUntilReady();
          return {
            stop: async () => {
              await worker.close();
              await queue.close();
              await obliterate(name);
            },
          };
        },
        enqueue: async () => {
          for (let i = 0; i < jobs.length; i += CHUNK)
            await queue.addBulk(jobs.slice(i, i + CHUNK));
        },
      });
    };

    console.error(`jobs: ${EVENTS} record events, ${ROUNDS} rounds`);
    const before = Number((await pool.query('SELECT sum(version) AS v FROM bench_lead')).rows[0].v);
    const evented = await interleave(
      { ours: oursEvents, raw: rawEvents },
      { total: EVENTS, label: 'events' },
    );
    const after = Number((await pool.query('SELECT sum(version) AS v FROM bench_lead')).rows[0].v);
    const expected = (Math.max(1_000, Math.round(EVENTS / 10)) + EVENTS * ROUNDS) * 2;
    if (after - before !== expected)
      throw new Error(`expected ${expected} UPDATEs, the table saw ${after - before}`);
    rows.push(
      row({
        workload: `${EVENTS.toLocaleString('en-US')} record events (rule match + 1 UPDATE)`,
        ours: evented.medians.ours,
        anchor: evented.medians.raw,
        anchorName: 'BullMQ addBulk + Worker',
        ratio: evented.medians.ours / evented.medians.raw,
        target: 0.9,
      }),
    );

    // --- 3. informational: BullMQ's PostgreSQL backend (the embedded default) ------------------
    if (PG_JOBS > 0) {
      const schema = 'bullmq';
      const backend = bullmq.withBackend(bullmq.createPostgresBackend);
      const pgConnection = { connectionString: databaseUrl, schema, max: 10 };
      const pgObliterate = async (name) => {
        const queue = new backend.Queue(name, { connection: pgConnection });
        try {
          await queue.obliterate({ force: true });
        } finally {
          await queue.close();
        }
      };
      const oursPg = (total) => {
        const name = queueName('noop-ours-pg');
        const jobs = noopJobs(total, name);
        let runtime;
        let bus;
        return trial({
          total,
          start: async (completed, failed) => {
            runtime = await QueueRuntime.create({ kind: 'postgres', url: databaseUrl, schema });
            bus = new JobBus(runtime, busOptions);
            const worker = bus.consume(name, { handle: async () => {} }, concurrency);
            worker.on('completed', (job) => completed(job.data.jobs.length));
            worker.on('failed', (_job, error) => failed(error));
            await worker.waitUntilReady();
            await runtime.queue(name).waitUntilReady();
            return {
              stop: async () => {
                await bus.close();
                await runtime.close();
                await pgObliterate(name);
              },
            };
          },
          enqueue: async () => {
            for (let i = 0; i < jobs.length; i += CHUNK)
              await bus.publish(name, jobs.slice(i, i + CHUNK));
          },
        });
      };
      const rawPg = (total) => {
        const name = queueName('noop-raw-pg');
        const jobs = Array.from({ length: total }, (_, i) => ({
          name: 'noop',
          data: { i },
          opts: keep,
        }));
        let queue;
        return trial({
          total,
          start: async (completed, failed) => {
            const worker = new backend.Worker(name, async () => {}, {
              ...workerSettings,
              connection: pgConnection,
            });
            worker.on('completed', () => completed(1));
            worker.on('failed', (_job, error) => failed(error));
            queue = new backend.Queue(name, { connection: pgConnection });
            await worker.waitUntilReady();
            await queue.waitUntilReady();
            return {
              stop: async () => {
                await worker.close();
                await queue.close();
                await pgObliterate(name);
              },
            };
          },
          enqueue: async () => {
            for (let i = 0; i < jobs.length; i += CHUNK)
              await queue.addBulk(jobs.slice(i, i + CHUNK));
          },
        });
      };
      console.error(`jobs: ${PG_JOBS} no-op jobs on BullMQ's PostgreSQL backend, 1 round`);
      const onPg = await interleave(
        { ours: oursPg, raw: rawPg },
        { total: PG_JOBS, rounds: 1, label: 'pg' },
      );
      notes.push(
        `Informational, no target: ${PG_JOBS.toLocaleString('en-US')} no-op jobs on BullMQ's PostgreSQL backend (QueueRuntime kind 'postgres', the embedded default, schema bullmq in ${DB}), one round: ours ${formatRate(onPg.medians.ours)}, raw backend Queue.addBulk + Worker ${formatRate(onPg.medians.raw)} (${(onPg.medians.ours / onPg.medians.raw).toFixed(2)}x).`,
      );
    }

    const spread = (s) => s.map((v) => formatRate(v)).join(', ');
    notes.push(
      `Informational, no target: the same ${NOOP.toLocaleString('en-US')} no-op jobs through JobBus with envelopeSize 1 (one BullMQ job per logical job, as the anchor): ${formatRate(noop.medians.ours1)} = ${(noop.medians.ours1 / noop.medians.raw).toFixed(2)}x the anchor (rounds ${spread(noop.samples.ours1)}). This is the layer's own overhead; the envelope is what makes the difference in the first row.`,
    );
    notes.unshift(
      `ours = the production JobBus on the production QueueRuntime (apps/api/dist; Redis at ${REDIS_URL}), publishing in chunks of ${CHUNK} as the outbox relay does; JobBus packs up to 100 logical jobs into one BullMQ job (its envelope) and runs the envelope's records in parallel. Anchor = BullMQ ${requireApi('bullmq/package.json').version} Queue.addBulk (same ${CHUNK}-job chunks) + Worker, one BullMQ job per logical job. Both: concurrency ${concurrency}, lockDuration/stalledInterval ${lockMs} ms, the same removeOnComplete/removeOnFail (production defaults from loadConfig), the same process and Redis.`,
      `End to end = from the first enqueue until the worker's 'completed' event for the last job (worker started and ready beforehand). Median of ${ROUNDS} interleaved rounds after a warm-up of a tenth of the size each; fresh queues per round under a run-unique key prefix, obliterated afterwards. Rounds: no-op ours ${spread(noop.samples.ours)}, raw ${spread(noop.samples.raw)}; events ours ${spread(evented.samples.ours)}, raw ${spread(evented.samples.raw)}.`,
      `Record events: record.updated outbox events (the relay's job shape) for ${EVENTS.toLocaleString('en-US')} distinct rows of a plain table in ${DB}; per event rule-engine matchRules over the form's 2 rules (one fires: set_field level from a JsonLogic if), then one UPDATE through node-postgres (one pool of 20 shared by both). Ours builds the rule event with the API's eventRecordData/eventBeforeData; the anchor inline. Every UPDATE is counted (row versions) after the runs. Not included on either side: the outbox relay's claim/mark statements and RuleRunner's rule_run ledger, calendar and catalog look-ups.`,
    );
    return { rows, notes };
  } finally {
    await pool.end();
    // Safety net: anything left under this run's prefix (the queues are obliterated one by one).
    const redis = new Redis({ ...connection, maxRetriesPerRequest: 1 });
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
    await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  }
}
