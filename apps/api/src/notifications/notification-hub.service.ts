import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { PgListener } from '../automation/pg-listener.service.js';
import { APP_LOGGER } from '../common/tokens.js';

type Listener = (notificationId: string) => void;

/**
 * Live notification signals for the SSE streams of this process. A trigger on
 * the notification table sends pg_notify('trellis_notification') when the row
 * commits, so a notification written by any process (a worker, another API
 * replica) reaches the stream of its member wherever that stream is connected.
 */
@Injectable()
export class NotificationHub {
  private readonly listeners = new Map<string, Set<Listener>>();
  private started: Promise<void> | null = null;

  constructor(
    private readonly pg: PgListener,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async subscribe(memberId: string, listener: Listener): Promise<() => void> {
    await this.start();
    let set = this.listeners.get(memberId);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(memberId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(memberId);
    };
  }

  private start(): Promise<void> {
    this.started ??= this.pg
      .listen('trellis_notification', (payload) => this.dispatch(payload))
      .then(() => undefined)
      .catch((error: unknown) => {
        this.started = null;
        throw error;
      });
    return this.started;
  }

  private dispatch(payload: string): void {
    let signal: { m?: unknown; id?: unknown };
    try {
      signal = JSON.parse(payload) as { m?: unknown; id?: unknown };
    } catch {
      this.logger.warn({ payload }, 'malformed notification signal');
      return;
    }
    if (typeof signal.m !== 'string' || typeof signal.id !== 'string') return;
    for (const listener of this.listeners.get(signal.m) ?? []) listener(signal.id);
  }
}
