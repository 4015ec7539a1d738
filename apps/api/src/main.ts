import { ConfigError, describeConfig, loadConfig } from './config/app-config.js';
import { createLogger } from './common/logging/logger.js';
import { createHttpApp } from './http-app.js';
import { startRuntime } from './runtime.js';
import { ensureFirstOwner } from './bootstrap/first-run.js';

/** `npm start`: the API (and, in the embedded default, the worker) on one port. */
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
  const logger = createLogger(config);
  const runtime = await startRuntime(config, logger);
  const app = await createHttpApp(runtime);
  await app.listen({ port: config.port, host: config.host });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  if (config.env !== 'test') {
    const first = await ensureFirstOwner(app);
    if (first.created) {
      console.log(
        `Created the owner account (shown once): e-mail ${first.email}  password ${first.password}`,
      );
    }
  }
  console.log(`Trellis is running on http://localhost:${port} (${describeConfig(config)})`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await app.close();
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

await main();
