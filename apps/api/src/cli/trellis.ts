// The Trellis command line (`npm run trellis -- <command>`), against DATABASE_URL with the
// API's own services: a Nest application initialised but not listening, as the worker does.
import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config/app-config.js';
import { createLogger } from '../common/logging/logger.js';
import { createHttpApp } from '../http-app.js';
import { startRuntime } from '../runtime.js';
import {
  CliError,
  parseTemplateImport,
  readTemplate,
  runTemplateImport,
} from './template-import.command.js';

const USAGE = `usage: trellis template import <folder or file> [--workspace <id>] [--with-sample-data]`;

async function main(argv: readonly string[]): Promise<number> {
  const [group, command, ...rest] = argv;
  if (group !== 'template' || command !== 'import') throw new CliError(USAGE, 2);
  const args = parseTemplateImport(rest);
  const { bundle, sources } = (await readTemplate(args.path)) as {
    bundle: unknown;
    sources: Parameters<typeof runTemplateImport>[3];
  };
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, 2);
    throw error;
  }
  const quiet = { ...config, logLevel: 'error' as const, workerInProcess: false };
  const logger = createLogger(quiet, 'trellis-cli');
  const runtime = await startRuntime(quiet, logger);
  const app = await createHttpApp(runtime);
  try {
    await app.init();
    console.log(await runTemplateImport(app, args, bundle, sources));
    return 0;
  } finally {
    await app.close();
    await runtime.stop();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof CliError) {
    console.error(error.message);
    process.exitCode = error.exitCode;
  } else {
    console.error(error);
    process.exitCode = 1;
  }
}
