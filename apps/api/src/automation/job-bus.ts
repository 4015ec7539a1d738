import type { Job, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { QueueRuntime } from '../queue/queue-runtime.js';

/** One unit of work. `id` is stable (an event id, a timer firing, a delivery) and names its BullMQ job. */
export type LogicalJob<T = unknown> = {
  readonly id: string;
  readonly name: string;
  readonly data: T;
  /** 1 on the first try; retries carry the next number. */
  readonly attempt?: number;
};

/** What a BullMQ job carries: one or more logical jobs, processed together. */
export type Envelope = { readonly v: 1; readonly jobs: readonly LogicalJob[] };

export type JobHandler = {
  /** Performs one logical job; throwing schedules a retry (exponential back-off) until the budget is spent. */
  handle(job: LogicalJob): Promise<void>;
  /** Called once when a job has failed its last attempt (the dead letter). */
  onDead?(job: LogicalJob, error: unknown): Promise<void>;
  /** Jobs of one key run one after the other inside an envelope (for example one record's events, in order). */
  keyOf?(job: LogicalJob): string;
  /** An error that retrying cannot fix: dead-letter at once. */
  isPermanent?(error: unknown): boolean;
};

export type JobBusOptions = {
  /** Retry budget (attempts in all, the first included). */
  readonly attempts: number;
  /** First retry delay in ms; doubles on every attempt. */
  readonly backoffMs: number;
  /** Lock duration of a running job; a worker that dies loses its jobs to another after this. */
  readonly lockMs: number;
  /** Up to this many logical jobs travel in one BullMQ job. */
  readonly envelopeSize?: number;
  readonly logger?: Logger;
  /** Where jobs out of attempts are recorded (besides `onDead`). */
  readonly deadLetter?: (queue: string, job: LogicalJob, error: unknown) => Promise<void>;
};

export type PublishOptions = {
  /** Delay before the job may run (timers). */
  readonly delayMs?: number;
  /** Overrides the BullMQ job id of a single-envelope publish. */
  readonly jobId?: string;
};

const KEEP_COMPLETED = { age: 3_600, count: 20_000 };
const KEEP_FAILED = { age: 7 * 86_400 };

/**
 * A thin layer over BullMQ (on Redis or on PostgreSQL) for the automation
 * runtime. Logical jobs travel in envelopes of up to `envelopeSize`, so a
 * batch that the outbox relay claims in one statement costs one queue round
 * trip rather than one per event; the envelope's job id is the id of its
 * first logical job, and a relay batch is re-sent with the same envelopes, so
 * BullMQ refuses a duplicate. Delivery is at least once: a worker killed
 * mid-envelope loses its lock and another runs the envelope again, which is
 * safe because every effect carries an idempotency key. A failing logical job
 * is retried alone with exponential back-off and dead-lettered after the
 * budget; its siblings are not held back.
 */
export class JobBus {
  private readonly envelopeSize: number;
  private readonly workers: Worker[] = [];

  constructor(
    private readonly runtime: QueueRuntime,
    private readonly options: JobBusOptions,
  ) {
    this.envelopeSize = Math.max(1, options.envelopeSize ?? 100);
  }

  get backend(): QueueRuntime['kind'] {
    return this.runtime.kind;
  }

  /** Enqueues jobs in envelopes (in the given order). */
  async publish(
    queueName: string,
    jobs: readonly LogicalJob[],
    options: PublishOptions = {},
  ): Promise<void> {
    if (jobs.length === 0) return;
    const queue = this.runtime.queue(queueName);
    const bulk = [];
    for (let i = 0; i < jobs.length; i += this.envelopeSize) {
      const chunk = jobs.slice(i, i + this.envelopeSize);
      const first = chunk[0] as LogicalJob;
      const envelope: Envelope = { v: 1, jobs: chunk };
      bulk.push({
        name: first.name,
        data: envelope,
        opts: {
          jobId: safeJobId(
            options.jobId !== undefined && jobs.length <= this.envelopeSize
              ? options.jobId
              : first.id,
          ),
          removeOnComplete: KEEP_COMPLETED,
          removeOnFail: KEEP_FAILED,
          ...(options.delayMs !== undefined && options.delayMs > 0
            ? { delay: Math.ceil(options.delayMs) }
            : {}),
        },
      });
    }
    await queue.addBulk(bulk);
  }

  /** Starts a worker for a queue. */
  consume(queueName: string, handler: JobHandler, concurrency: number): Worker {
    const worker = this.runtime.worker(
      queueName,
      (job: Job) => this.process(queueName, job, handler),
      {
        concurrency,
        lockDuration: this.options.lockMs,
        stalledInterval: this.options.lockMs,
        maxStalledCount: 10,
        removeOnComplete: KEEP_COMPLETED,
        removeOnFail: KEEP_FAILED,
      },
    );
    worker.on('error', (error) =>
      this.options.logger?.error({ err: error, queue: queueName }, 'queue worker error'),
    );
    this.workers.push(worker);
    return worker;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.close()));
    this.workers.length = 0;
  }

  private async process(queueName: string, job: Job, handler: JobHandler): Promise<void> {
    const envelope = job.data as Envelope;
    const jobs = Array.isArray(envelope?.jobs) ? envelope.jobs : [];
    if (jobs.length === 1) {
      await this.runOne(queueName, jobs[0] as LogicalJob, handler);
      return;
    }
    const groups = new Map<string, LogicalJob[]>();
    for (const logical of jobs) {
      const key = handler.keyOf?.(logical) ?? logical.id;
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [logical]);
      else group.push(logical);
    }
    await Promise.all(
      [...groups.values()].map(async (group) => {
        for (const logical of group) await this.runOne(queueName, logical, handler);
      }),
    );
  }

  private async runOne(queueName: string, job: LogicalJob, handler: JobHandler): Promise<void> {
    try {
      await handler.handle(job);
    } catch (error) {
      const attempt = job.attempt ?? 1;
      const permanent = handler.isPermanent?.(error) === true;
      if (!permanent && attempt < this.options.attempts) {
        this.options.logger?.info(
          { err: error, queue: queueName, job: job.id, attempt },
          'job failed; retrying',
        );
        const retry: LogicalJob = { ...job, attempt: attempt + 1 };
        await this.publish(queueName, [retry], {
          delayMs: this.options.backoffMs * 2 ** (attempt - 1),
          jobId: `${job.id}_a${attempt + 1}`,
        });
        return;
      }
      this.options.logger?.error(
        { err: error, queue: queueName, job: job.id, attempt },
        'job out of attempts; dead-lettered',
      );
      await this.options.deadLetter?.(queueName, job, error);
      await handler.onDead?.(job, error);
    }
  }
}

/** BullMQ job ids may not be integers nor contain ':'. */
export function safeJobId(id: string): string {
  const cleaned = id.replaceAll(':', '_');
  return /^\d+$/.test(cleaned) ? `j${cleaned}` : cleaned;
}
