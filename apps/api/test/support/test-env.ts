import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runMigrations } from '../../src/database/data-source.js';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';

/**
 * What `npm test` found (scripts/lib/test-services.mjs) and passed down in the
 * environment. Test code reads it only through this module.
 */
export const testEnv = {
  runId: process.env['TRELLIS_TEST_RUN_ID'] ?? `local${Date.now().toString(36)}`,
  adminUrl: process.env['TRELLIS_TEST_ADMIN_URL'] ?? null,
  baseDatabaseUrl: process.env['TRELLIS_TEST_DATABASE_URL'] ?? null,
  databasePrefix: process.env['TRELLIS_TEST_DB_PREFIX'] ?? null,
  embedded: process.env['TRELLIS_TEST_EMBEDDED'] === '1',
  redisUrl: process.env['TRELLIS_TEST_REDIS_URL'] ?? null,
  queueBackends: (process.env['TRELLIS_TEST_QUEUE_BACKENDS'] ?? 'postgres')
    .split(',')
    .filter(Boolean) as Array<'redis' | 'postgres'>,
  outputDir: process.env['TRELLIS_TEST_OUTPUT'] ?? join(process.cwd(), 'test-output'),
  scratchDir: process.env['TRELLIS_TEST_SCRATCH'] ?? tmpdir(),
};

export type TestDatabase = { readonly url: string; drop(): Promise<void> };

/**
 * A fresh, migrated database of its own: a clone of the run's migrated base on
 * a real PostgreSQL, or an embedded PGlite when the run had no server.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (
    testEnv.adminUrl !== null &&
    testEnv.databasePrefix !== null &&
    testEnv.baseDatabaseUrl !== null
  ) {
    const name = `${testEnv.databasePrefix}_${randomBytes(4).toString('hex')}`;
    const base = new URL(testEnv.baseDatabaseUrl).pathname.slice(1);
    await withAdmin(testEnv.adminUrl, (c) =>
      c.query(`CREATE DATABASE "${name}" TEMPLATE "${base}"`),
    );
    const url = new URL(testEnv.adminUrl);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      drop: () =>
        withAdmin(testEnv.adminUrl as string, (c) =>
          c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
        ).then(() => undefined),
    };
  }
  const dataDir = mkdtempSync(join(testEnv.scratchDir, 'pglite-'));
  const embedded = await startEmbeddedPostgres(dataDir);
  await runMigrations(embedded.url);
  return { url: embedded.url, drop: () => embedded.stop() };
}

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A Redis key prefix unique to this test, cleaned up with the run. */
export function queuePrefix(): string {
  return `trellis-test-${testEnv.runId}-${randomBytes(3).toString('hex')}`;
}
