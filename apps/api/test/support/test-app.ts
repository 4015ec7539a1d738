import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type AppConfig, loadConfig } from '../../src/config/app-config.js';
import { createLogger } from '../../src/common/logging/logger.js';
import { createHttpApp } from '../../src/http-app.js';
import { type StartedRuntime, startRuntime } from '../../src/runtime.js';
import { createTestDatabase, queuePrefix, type TestDatabase, testEnv } from './test-env.js';

export type TestApp = {
  readonly app: NestFastifyApplication;
  readonly runtime: StartedRuntime;
  readonly config: AppConfig;
  readonly database: TestDatabase;
  /** http://127.0.0.1:<port> of the listening server. */
  readonly baseUrl: string;
  /** Run before the app closes (for example clients a test opened). */
  readonly cleanups: Array<() => Promise<unknown>>;
  close(): Promise<void>;
};

export type TestAppOptions = {
  readonly queue?: 'redis' | 'postgres';
  readonly env?: Record<string, string>;
  readonly database?: TestDatabase;
  /** Redis key prefix of the queues (default: one of its own); share it with spawned workers. */
  readonly queuePrefix?: string;
};

/** Boots the real API (Nest + Fastify + TypeORM + BullMQ) on its own database, listening on a free port. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const queue = options.queue ?? testEnv.queueBackends[0] ?? 'postgres';
  if (queue === 'redis' && testEnv.redisUrl === null)
    throw new Error('Redis is not available in this run');
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    ...(queue === 'redis' && testEnv.redisUrl !== null ? { REDIS_URL: testEnv.redisUrl } : {}),
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    LOG_LEVEL: 'warn',
    TRELLIS_DATA_DIR: testEnv.scratchDir,
    ...options.env,
  });
  const logger = createLogger(config);
  const runtime = await startRuntime(config, logger, {
    queuePrefix: options.queuePrefix ?? queuePrefix(),
  });
  const app = await createHttpApp(runtime);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  if (typeof address !== 'object' || address === null) throw new Error('server has no address');
  const cleanups: Array<() => Promise<unknown>> = [];
  return {
    app,
    runtime,
    cleanups,
    config: runtime.config,
    database,
    baseUrl: `http://127.0.0.1:${address.port}`,
    async close() {
      for (const cleanup of cleanups) await cleanup().catch(() => undefined);
      await app.close();
      await runtime.stop();
      if (options.database === undefined) await database.drop();
    },
  };
}
