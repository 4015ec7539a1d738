// Finds (or falls back for) the real services the tests need: PostgreSQL,
// Redis and Chromium. With CI=true a missing server is an error, never a fallback.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fail, log } from './bootstrap.mjs';

const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_REDIS = 'redis://127.0.0.1:6379';

export async function prepareServices({ ci, root }) {
  const { default: pg } = await import('pg');
  const { Redis } = await import('ioredis');
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const env = { TRELLIS_TEST_RUN_ID: runId, NODE_ENV: 'test' };
  const cleanups = [];
  const api = (path) => import(pathToFileURL(join(root, 'apps', 'api', 'dist', 'src', path)).href);

  // PostgreSQL: a throw-away database per run, migrated once; test files clone it.
  const adminUrl = process.env.DATABASE_URL ?? DEFAULT_PG;
  const reachable = await canConnect(pg, adminUrl);
  if (reachable) {
    const prefix = `trellis_test_${runId}`;
    const base = `${prefix}_base`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${base}"`);
    await admin.end();
    const baseUrl = withDatabase(adminUrl, base);
    const { runMigrations } = await api('database/data-source.js');
    await runMigrations(baseUrl);
    log(`PostgreSQL at ${hostOf(adminUrl)}: throw-away database ${base} (migrated)`);
    Object.assign(env, {
      TRELLIS_TEST_ADMIN_URL: adminUrl,
      TRELLIS_TEST_DATABASE_URL: baseUrl,
      TRELLIS_TEST_DB_PREFIX: prefix,
    });
    cleanups.push(async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      const { rows } = await client.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
        `${prefix}%`,
      ]);
      for (const { datname } of rows)
        await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      await client.end();
    });
  } else if (ci) {
    fail(
      `PostgreSQL is unreachable at ${hostOf(adminUrl)} and CI=true forbids the embedded fallback`,
    );
  } else {
    log(
      `PostgreSQL is unreachable at ${hostOf(adminUrl)}; each test file uses its own embedded PostgreSQL (PGlite)`,
    );
    env.TRELLIS_TEST_EMBEDDED = '1';
  }

  // Redis: the queue tests run on Redis and on BullMQ's PostgreSQL backend.
  const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS;
  if (await canPing(Redis, redisUrl)) {
    log(`Redis at ${hostOf(redisUrl)}: queue tests run on Redis and on PostgreSQL`);
    Object.assign(env, {
      TRELLIS_TEST_REDIS_URL: redisUrl,
      TRELLIS_TEST_QUEUE_BACKENDS: 'redis,postgres',
    });
    cleanups.push(async () => {
      const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(
          cursor,
          'MATCH',
          `trellis-test-${runId}*`,
          'COUNT',
          1000,
        );
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    });
  } else if (ci) {
    fail(`Redis is unreachable at ${hostOf(redisUrl)} and CI=true forbids the fallback`);
  } else {
    log(
      `Redis is unreachable at ${hostOf(redisUrl)}; queue tests run on BullMQ's PostgreSQL backend only`,
    );
    env.TRELLIS_TEST_QUEUE_BACKENDS = 'postgres';
  }

  // Chromium for the browser tests.
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (apt && isRoot && chromium === '/usr/bin/chromium') {
      log('installing Debian chromium for the browser tests (apt-get install -y chromium)');
      const status = spawnSync(
        'sh',
        [
          '-c',
          'apt-get install -y chromium >/dev/null 2>&1 || (apt-get update >/dev/null 2>&1 && apt-get install -y chromium >/dev/null 2>&1)',
        ],
        { stdio: 'inherit' },
      ).status;
      if (status !== 0 || !existsSync(chromium))
        fail('could not install chromium; run: sudo apt-get install -y chromium');
    } else {
      fail(
        `Chromium not found at ${chromium}: install it (sudo apt-get install -y chromium) or set CHROMIUM_PATH`,
      );
    }
  }
  env.CHROMIUM_PATH = chromium;
  const cjk = spawnSync('sh', ['-c', 'fc-list :lang=zh 2>/dev/null | head -1'], {
    encoding: 'utf8',
  }).stdout.trim();
  if (cjk === '' && typeof process.getuid === 'function' && process.getuid() === 0) {
    log('installing a CJK font for browser screenshots (apt-get install -y fonts-wqy-microhei)');
    spawnSync(
      'sh',
      [
        '-c',
        'apt-get install -y fonts-wqy-microhei >/dev/null 2>&1 || (apt-get update >/dev/null 2>&1 && apt-get install -y fonts-wqy-microhei >/dev/null 2>&1)',
      ],
      { stdio: 'inherit' },
    );
  }

  const outputDir = join(root, 'test-output');
  env.TRELLIS_TEST_OUTPUT = outputDir;
  const scratch = mkdtempSync(join(tmpdir(), 'trellis-test-'));
  env.TRELLIS_TEST_SCRATCH = scratch;
  cleanups.push(async () => rmSync(scratch, { recursive: true, force: true }));

  return {
    env,
    async cleanup() {
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch (error) {
          log(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      cleanups.length = 0;
    },
  };
}

async function canConnect(pg, url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function canPing(Redis, url) {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function hostOf(url) {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || (parsed.protocol.startsWith('redis') ? 6379 : 5432)}`;
  } catch {
    return '(invalid URL)';
  }
}
