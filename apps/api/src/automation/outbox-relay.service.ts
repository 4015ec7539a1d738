import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, APP_LOGGER } from '../common/tokens.js';
import type { AppConfig } from '../config/app-config.js';
import { DatabaseService } from '../database/database.service.js';
import { JobBus, type LogicalJob } from './job-bus.js';
import { JOB_BUS } from './automation.tokens.js';
import { PgListener } from './pg-listener.service.js';
import { type OutboxEventJob, queueOfOutboxType } from './queues.js';

type OutboxRow = {
  id: string;
  event_id: string;
  workspace_id: string;
  app_id: string | null;
  form_id: string | null;
  record_id: string | null;
  type: string;
  payload: Record<string, unknown>;
  depth: number;
  created_at: Date;
};

const BATCH = 500;
/**
 * When events keep arriving while a batch is relayed, wait this long before
 * the next claim so that a burst travels as one batch (one claim, one
 * enqueue, one mark) instead of one event at a time.
 */
const COALESCE_MS = 10;
const COLUMNS = `o.id, o.event_id, o.workspace_id, o.app_id, o.form_id, o.record_id, o.type, o.payload, o.depth, o.created_at`;

/**
 * Moves committed outbox rows to the queue. A batch is claimed with
 * FOR UPDATE SKIP LOCKED and stamped with a batch id in one statement, so
 * several relays (API processes, workers) never take the same rows; after the
 * enqueue the batch is marked sent. If a process dies between the two, its
 * batch is taken over after the lease and enqueued again with the same
 * envelopes and job ids, which the queue refuses as duplicates: nothing is
 * lost and nothing doubles. Wakes on pg_notify('trellis_outbox') and polls as
 * a fallback.
 */
@Injectable()
export class OutboxRelay {
  private running = false;
  private draining: Promise<void> | null = null;
  private again = false;
  private timers: NodeJS.Timeout[] = [];
  private unlisten: (() => void) | null = null;

  constructor(
    private readonly db: DatabaseService,
    @Inject(JOB_BUS) private readonly bus: JobBus,
    private readonly listener: PgListener,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      this.unlisten = await this.listener.listen('trellis_outbox', () => this.kick());
    } catch (error) {
      this.logger.warn({ err: error }, 'outbox relay cannot LISTEN; polling only');
    }
    this.listener.onReconnect(() => this.kick());
    const poll = setInterval(() => this.kick(), this.config.automation.outboxPollMs);
    const recover = setInterval(
      () => void this.recover().catch((error: unknown) => this.logFailure(error)),
      Math.max(250, Math.floor(this.lease() / 2)),
    );
    poll.unref();
    recover.unref();
    this.timers = [poll, recover];
    await this.recover().catch((error: unknown) => this.logFailure(error));
    this.kick();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.unlisten?.();
    this.unlisten = null;
    await this.draining?.catch(() => undefined);
  }

  /**
   * Drains until the outbox is empty (coalesces concurrent wake-ups). A batch
   * smaller than the limit took every row committed before its claim; rows
   * committed later announce themselves with their own notification, which
   * lands here as `again`.
   */
  kick(): void {
    if (!this.running) return;
    if (this.draining !== null) {
      this.again = true;
      return;
    }
    this.draining = (async () => {
      do {
        this.again = false;
        try {
          while (this.running && (await this.drainOnce()) === BATCH);
        } catch (error) {
          this.logFailure(error);
        }
        if (this.again && this.running) await delay(COALESCE_MS);
      } while (this.again && this.running);
    })().finally(() => {
      this.draining = null;
    });
  }

  /** Waits for the current drain (tests, shutdown). */
  async idle(): Promise<void> {
    await this.draining;
  }

  /** Claims, enqueues and marks one batch; returns how many rows it moved. */
  async drainOnce(limit = BATCH): Promise<number> {
    const batch = randomUUID();
    const rows = await this.db.query<OutboxRow>(
      `UPDATE outbox_event o SET relay_batch = $1, relay_claimed_at = now()
        WHERE o.id IN (SELECT id FROM outbox_event WHERE sent_at IS NULL AND relay_batch IS NULL
                        ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING ${COLUMNS}`,
      [batch, limit],
    );
    if (rows.length === 0) return 0;
    await this.publish(rows);
    await this.db.query(
      `UPDATE outbox_event SET sent_at = now() WHERE relay_batch = $1 AND sent_at IS NULL`,
      [batch],
    );
    return rows.length;
  }

  /** Batches claimed by a relay that died before marking them sent: enqueue them again, same job ids. */
  async recover(): Promise<number> {
    const stale = await this.db.query<{ relay_batch: string }>(
      `SELECT DISTINCT relay_batch FROM outbox_event
        WHERE sent_at IS NULL AND relay_batch IS NOT NULL AND relay_claimed_at < now() - make_interval(secs => $1)
        LIMIT 50`,
      [this.lease() / 1000],
    );
    let moved = 0;
    for (const { relay_batch: batch } of stale) {
      const rows = await this.db.query<OutboxRow>(
        `UPDATE outbox_event o SET relay_claimed_at = now()
          WHERE o.relay_batch = $1 AND o.sent_at IS NULL AND o.relay_claimed_at < now() - make_interval(secs => $2)
          RETURNING ${COLUMNS}`,
        [batch, this.lease() / 1000],
      );
      if (rows.length === 0) continue;
      this.logger.warn({ batch, events: rows.length }, 're-sending an outbox batch left unsent');
      await this.publish(rows);
      await this.db.query(
        `UPDATE outbox_event SET sent_at = now() WHERE relay_batch = $1 AND sent_at IS NULL`,
        [batch],
      );
      moved += rows.length;
    }
    return moved;
  }

  private async publish(rows: readonly OutboxRow[]): Promise<void> {
    const byQueue = new Map<string, LogicalJob<OutboxEventJob>[]>();
    const sorted = [...rows].sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
    for (const row of sorted) {
      const queue = queueOfOutboxType(row.type);
      const list = byQueue.get(queue) ?? [];
      list.push({
        id: row.event_id,
        name: row.type,
        data: {
          seq: String(row.id),
          eventId: row.event_id,
          workspaceId: row.workspace_id,
          appId: row.app_id,
          formId: row.form_id,
          recordId: row.record_id,
          type: row.type,
          payload: row.payload,
          depth: row.depth,
          createdAt: row.created_at.toISOString(),
        },
      });
      byQueue.set(queue, list);
    }
    for (const [queue, jobs] of byQueue) await this.bus.publish(queue, jobs);
  }

  private lease(): number {
    return Math.max(1_000, this.config.automation.lockMs);
  }

  private logFailure(error: unknown): void {
    if (!this.running) return;
    this.logger.error({ err: error }, 'outbox relay failed; will retry');
  }
}
