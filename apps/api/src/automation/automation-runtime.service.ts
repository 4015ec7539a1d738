import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, APP_LOGGER, QUEUE_RUNTIME } from '../common/tokens.js';
import type { AppConfig } from '../config/app-config.js';
import { MailService } from '../mail/mail.service.js';
import type { QueueRuntime } from '../queue/queue-runtime.js';
import { assertRedisNoEviction } from '../queue/redis-policy.js';
import { OutboundRefusedError } from '../webhooks/outbound-guard.js';
import { WebhooksService } from '../webhooks/webhooks.service.js';
import { JOB_BUS } from './automation.tokens.js';
import { JobBus, type JobHandler, type LogicalJob } from './job-bus.js';
import { OutboxRelay } from './outbox-relay.service.js';
import {
  DELIVERIES_QUEUE,
  EVENTS_QUEUE,
  isOutboxEventJob,
  type OutboxEventJob,
  TIMERS_QUEUE,
  type TimerJob,
} from './queues.js';
import { RuleRunner } from './rule-runner.service.js';
import { RunExecutor } from './run-executor.service.js';
import { TimerService } from './timer.service.js';

/**
 * Starts what this process runs of the automation runtime. Every process
 * (API or worker) relays the outbox: the relay is safe to run many times over.
 * Processes with the worker role (`npm run worker`, or the API when
 * TRELLIS_WORKER=in-process, the embedded default) also consume the queues and
 * run the timer scheduler. On Redis a worker refuses to start unless
 * maxmemory-policy is noeviction.
 */
@Injectable()
export class AutomationRuntime implements OnApplicationBootstrap, OnModuleDestroy {
  private started = false;

  constructor(
    @Inject(JOB_BUS) private readonly bus: JobBus,
    @Inject(QUEUE_RUNTIME) private readonly queue: QueueRuntime,
    private readonly relay: OutboxRelay,
    private readonly timers: TimerService,
    private readonly runner: RuleRunner,
    private readonly runs: RunExecutor,
    private readonly webhooks: WebhooksService,
    private readonly mail: MailService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.workerInProcess) await this.startWorker();
    await this.relay.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.timers.stop();
    await this.relay.stop();
    await this.bus.close();
  }

  get isWorker(): boolean {
    return this.started;
  }

  private async startWorker(): Promise<void> {
    if (this.config.queue.kind === 'redis') await assertRedisNoEviction(this.config.queue.url);
    const concurrency = this.config.automation.concurrency;
    const attempts = this.config.automation.attempts;
    const events: JobHandler = {
      keyOf: (job) => (isOutboxEventJob(job) ? (job.data.recordId ?? job.id) : job.id),
      handle: async (job) => {
        if (!isOutboxEventJob(job)) return;
        await this.runner.handleEvent(job, (job.attempt ?? 1) >= attempts);
      },
      onDead: async (job, error) => {
        if (isOutboxEventJob(job)) await this.runs.markDead(job.data.eventId, error);
      },
    };
    const timers: JobHandler = {
      handle: (job) =>
        this.timers.fire(job as LogicalJob<TimerJob>, (job.attempt ?? 1) >= attempts),
      onDead: (job, error) => this.timers.dead(job as LogicalJob<TimerJob>, error),
    };
    const deliveries: JobHandler = {
      handle: async (job) => {
        const target = deliveryOf(job);
        if (target === null) return;
        if (target.kind === 'webhook') await this.webhooks.deliver(target.id);
        else await this.mail.send(target.id);
      },
      onDead: async (job, error) => {
        const target = deliveryOf(job);
        if (target === null) return;
        if (target.kind === 'webhook') await this.webhooks.markDead(target.id, error);
        else await this.mail.markDead(target.id);
      },
      isPermanent: (error) => error instanceof OutboundRefusedError,
    };
    this.bus.consume(EVENTS_QUEUE, events, concurrency);
    this.bus.consume(TIMERS_QUEUE, timers, concurrency);
    this.bus.consume(DELIVERIES_QUEUE, deliveries, concurrency);
    await this.timers.start();
    this.started = true;
    this.logger.info(
      { backend: this.queue.kind, concurrency },
      'automation worker started (events, timers, deliveries)',
    );
  }
}

function deliveryOf(job: LogicalJob): { kind: 'webhook' | 'email'; id: string } | null {
  if (!isOutboxEventJob(job)) return null;
  const payload = (job as LogicalJob<OutboxEventJob>).data.payload;
  const kind = payload['kind'];
  const id = payload['id'];
  if ((kind !== 'webhook' && kind !== 'email') || typeof id !== 'string') return null;
  return { kind, id };
}
