import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';

// Return bigint (int8) and numeric as strings untouched; timestamps stay Date.
// Counts are cast to int in SQL where a number is wanted.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);
// DATE stays 'YYYY-MM-DD': turning it into a JS Date would shift it by the process time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export function dataSourceOptions(
  url: string,
  overrides: Partial<DataSourceOptions> = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migration',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: 20, application_name: 'trellis' },
    ...overrides,
  } as DataSourceOptions;
}

/** Advisory lock key so that several API processes starting at once migrate one at a time. */
const MIGRATION_LOCK = 74_110_001;

/** Runs pending migrations under an advisory lock. Returns the names applied. */
export async function runMigrations(url: string): Promise<string[]> {
  const lockClient = new pg.Client({ connectionString: url });
  await lockClient.connect();
  try {
    await lockClient.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const dataSource = new DataSource(dataSourceOptions(url, { extra: { max: 2 } }));
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await lockClient
      .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK])
      .catch(() => undefined);
    await lockClient.end();
  }
}
