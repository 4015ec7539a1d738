import { join } from 'node:path';
import {
  REPO_ROOT,
  spawnServer,
  type SpawnedServer,
} from '../../../api/dist/test/support/spawn-server.js';
import {
  createTestDatabase,
  type TestDatabase,
  testEnv,
} from '../../../api/dist/test/support/test-env.js';

export type E2eServer = SpawnedServer & { readonly database: TestDatabase; close(): Promise<void> };

/** The real product (API + built designer) on its own throw-away database, driven over HTTP only. */
export async function startProduct(env: Record<string, string> = {}): Promise<E2eServer> {
  const database = await createTestDatabase();
  const server = await spawnServer({
    DATABASE_URL: database.url,
    ...(testEnv.redisUrl !== null ? { REDIS_URL: testEnv.redisUrl } : {}),
    DESIGNER_DIST: join(REPO_ROOT, 'apps', 'designer', 'dist'),
    TRELLIS_DATA_DIR: testEnv.scratchDir,
    TRELLIS_WORKER: 'in-process',
    JWT_SECRET: 'e2e-secret-e2e-secret-e2e-secret-012345',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'test',
    ...env,
  });
  return {
    ...server,
    database,
    async close() {
      await server.stop();
      await database.drop();
    },
  };
}

export function screenshotPath(name: string): string {
  return join(testEnv.outputDir, 'screenshots', `${name}.png`);
}
