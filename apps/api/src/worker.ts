import 'reflect-metadata';
import { ConfigError, describeConfig, loadConfig } from './config/app-config.js';
import { createLogger } from './common/logging/logger.js';
import { createHttpApp } from './http-app.js';
import { startRuntime } from './runtime.js';
import { assertRedisNoEviction, RedisPolicyError } from './queue/redis-policy.js';

/**
 * `npm run worker`: the automation worker in its own process (outbox relay,
 * rule execution, timers, deliveries), sharing PostgreSQL and the queue with
 * the API. Several may run at once.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  if (config.queue.kind === 'redis') {
    try {
      await assertRedisNoEviction(config.queue.url);
    } catch (error) {
      if (error instanceof RedisPolicyError) {
        console.error(`Trellis worker refuses to start: ${error.message}`);
        process.exit(3);
      }
      throw error;
    }
  }
  const logger = createLogger(config, 'trellis-worker');
  const runtime = await startRuntime({ ...config, workerInProcess: true }, logger);
  // The same application as the API (its modules may expect the HTTP adapter), initialised but not listening.
  const app = await createHttpApp(runtime);
  console.log(`Trellis worker is running (${describeConfig(config)})`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker shutting down');
    await app.close();
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

await main();
