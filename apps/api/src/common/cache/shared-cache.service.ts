import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Sql } from '../../database/database.service.js';
import { APP_LOGGER, DATABASE_URL } from '../tokens.js';

const CHANNEL = 'trellis_cache';
const TTL_MS = 60_000;

type Entry = { value: unknown; expires: number };

/**
 * Small per-process caches (sessions' member context, role permissions, form
 * heads) that stay correct across several API processes: a change sends the
 * keys it invalidates with pg_notify inside its own transaction, so every
 * process drops them the moment the change commits. The writing process also
 * drops them locally before answering, so its next request never sees stale
 * data. Entries also expire after a minute as a safety net.
 */
@Injectable()
export class SharedCache implements OnModuleInit, OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  private listener: pg.Client | null = null;
  private stopped = false;
  private failures = 0;

  constructor(
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.listen();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.listener?.end().catch(() => undefined);
  }

  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.listener === null) return load();
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.expires > Date.now()) return hit.value as T;
    const value = await load();
    this.entries.set(key, { value, expires: Date.now() + TTL_MS });
    return value;
  }

  /** Drops keys (exact, or prefixes ending with '*') in this process. */
  drop(keys: readonly string[]): void {
    for (const key of keys) {
      if (key.endsWith('*')) {
        const prefix = key.slice(0, -1);
        for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
      } else this.entries.delete(key);
    }
  }

  /** Inside a transaction: every process drops the keys when it commits; this one drops them now too. */
  async invalidate(tx: Sql, keys: readonly string[]): Promise<void> {
    this.drop(keys);
    await tx.query(`SELECT pg_notify($1, $2)`, [CHANNEL, JSON.stringify(keys)]);
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      application_name: 'trellis-cache',
    });
    client.on('notification', (message) => {
      if (message.channel !== CHANNEL || message.payload === undefined) return;
      try {
        const keys = JSON.parse(message.payload) as unknown;
        if (Array.isArray(keys)) this.drop(keys.filter((k): k is string => typeof k === 'string'));
      } catch {
        this.entries.clear();
      }
    });
    client.on('error', () => {
      // lost the listener: forget everything and reconnect
      this.entries.clear();
      if (this.listener === client) {
        this.listener = null;
        setTimeout(() => void this.listen().catch(() => undefined), 1000).unref();
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.listener = client;
      this.failures = 0;
    } catch (error) {
      // without a listener nothing is cached; keep trying in the background
      if (this.failures === 0)
        this.logger.warn(
          { err: error },
          'cache invalidation listener unavailable; caching off until it reconnects',
        );
      this.failures += 1;
      this.entries.clear();
      this.listener = null;
      await client.end().catch(() => undefined);
      setTimeout(
        () => void this.listen().catch(() => undefined),
        Math.min(30_000, 500 * 2 ** Math.min(this.failures, 6)),
      ).unref();
    }
  }

  /** Without a live listener nothing is cached (another process's change could go unseen). */
  get enabled(): boolean {
    return this.listener !== null;
  }
}
