import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AppRuntime } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { runMigrations } from './database/data-source.js';
import { statementTrace } from './database/database.service.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './database/embedded-postgres.js';
import { QueueRuntime } from './queue/queue-runtime.js';

export type StartedRuntime = AppRuntime & {
  /** Stops what this process started (queue connections, the embedded database). */
  stop(): Promise<void>;
};

/**
 * Brings up what the API and the worker need before Nest starts: the database
 * (external, or embedded PGlite over the wire protocol), its migrations, and
 * the queue backend (Redis, or BullMQ's PostgreSQL backend on the same
 * database when no REDIS_URL is set).
 */
export type RuntimeOptions = {
  /** Run pending migrations first (default true). */
  readonly migrate?: boolean;
  /** Redis key prefix for the queues (tests isolate runs with it). */
  readonly queuePrefix?: string;
};

export async function startRuntime(
  config: AppConfig,
  logger: Logger,
  options: RuntimeOptions = {},
): Promise<StartedRuntime> {
  statementTrace.enabled = config.sqlTrace;
  let embedded: EmbeddedPostgres | null = null;
  let databaseUrl: string;
  if (config.database.kind === 'embedded') {
    embedded = await startEmbeddedPostgres(config.database.dataDir);
    databaseUrl = embedded.url;
  } else {
    databaseUrl = config.database.url;
  }
  try {
    if (options.migrate !== false) {
      const applied = await runMigrations(databaseUrl);
      if (applied.length > 0) logger.info({ applied }, `applied ${applied.length} migration(s)`);
    }
    const queue = await QueueRuntime.create(
      config.queue.kind === 'redis'
        ? {
            kind: 'redis',
            url: config.queue.url,
            prefix: options.queuePrefix ?? config.automation.queuePrefix,
          }
        : { kind: 'postgres', url: databaseUrl },
    );
    const resolved: AppConfig = {
      ...config,
      jwtSecret: config.jwtSecret ?? localSecret(config.dataDir),
    };
    return {
      config: resolved,
      databaseUrl,
      queue,
      logger,
      async stop() {
        await queue.close();
        if (embedded !== null) await embedded.stop();
      },
    };
  } catch (error) {
    if (embedded !== null) await embedded.stop().catch(() => undefined);
    throw error;
  }
}

/** Development only (production requires JWT_SECRET): a secret generated once and kept in the data folder. */
function localSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(48).toString('base64url');
    writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}
