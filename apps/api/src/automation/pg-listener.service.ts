import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import pg from 'pg';
import type { Logger } from 'pino';
import { APP_LOGGER, DATABASE_URL } from '../common/tokens.js';

type Handler = (payload: string) => void;

/**
 * One LISTEN connection per process for the automation channels
 * (trellis_outbox, trellis_timer, trellis_notification). pg_notify is
 * transactional, so a listener hears of a row exactly when it commits, in
 * every process. On a lost connection it reconnects and tells subscribers
 * (`onReconnect`) so they can catch up on what they may have missed.
 */
@Injectable()
export class PgListener implements OnModuleDestroy {
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly reconnectHandlers = new Set<() => void>();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private stopped = false;

  constructor(
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  /** Subscribes to a channel; resolves once the LISTEN is active. Returns an unsubscribe function. */
  async listen(channel: string, handler: Handler): Promise<() => void> {
    if (!/^[a-z_]{1,63}$/.test(channel)) throw new Error(`bad channel ${channel}`);
    let set = this.handlers.get(channel);
    const fresh = set === undefined;
    if (set === undefined) {
      set = new Set();
      this.handlers.set(channel, set);
    }
    set.add(handler);
    await this.connect();
    if (fresh && this.client !== null) await this.client.query(`LISTEN ${channel}`);
    return () => {
      set.delete(handler);
    };
  }

  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => this.reconnectHandlers.delete(handler);
  }

  get connected(): boolean {
    return this.client !== null;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private connect(): Promise<void> {
    if (this.client !== null || this.stopped) return Promise.resolve();
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async open(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      application_name: 'trellis-listen',
      keepAlive: true,
    });
    client.on('notification', (message) => {
      const set = this.handlers.get(message.channel);
      if (set === undefined) return;
      for (const handler of set) {
        try {
          handler(message.payload ?? '');
        } catch (error) {
          this.logger.error({ err: error, channel: message.channel }, 'listener failed');
        }
      }
    });
    client.on('error', (error) => {
      if (this.stopped) return;
      this.logger.warn({ err: error }, 'LISTEN connection lost; reconnecting');
      if (this.client === client) this.client = null;
      client.end().catch(() => undefined);
      setTimeout(() => void this.reconnect(), 500).unref();
    });
    await client.connect();
    for (const channel of this.handlers.keys()) await client.query(`LISTEN ${channel}`);
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private async reconnect(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.connect();
      for (const handler of this.reconnectHandlers) handler();
    } catch (error) {
      this.logger.warn({ err: error }, 'LISTEN reconnect failed; retrying');
      setTimeout(() => void this.reconnect(), 1000).unref();
    }
  }
}
