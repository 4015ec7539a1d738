import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, describeConfig, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('defaults to the embedded database and the PostgreSQL queue backend', () => {
    const config = loadConfig({}, '/srv/trellis');
    assert.deepEqual(config.database, {
      kind: 'embedded',
      dataDir: '/srv/trellis/.trellis/pgdata',
    });
    assert.deepEqual(config.queue, { kind: 'postgres' });
    assert.equal(config.port, 3000);
    assert.equal(config.workerInProcess, true);
    assert.match(describeConfig(config), /embedded PostgreSQL \(PGlite\).*BullMQ on PostgreSQL/);
  });

  it('uses PostgreSQL and Redis when their URLs are given, and hides passwords when describing them', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app:s3cret@db:5432/trellis',
      REDIS_URL: 'redis://:pw@cache:6379/2',
    });
    assert.deepEqual(config.database, {
      kind: 'external',
      url: 'postgres://app:s3cret@db:5432/trellis',
    });
    assert.deepEqual(config.queue, { kind: 'redis', url: 'redis://:pw@cache:6379/2' });
    assert.equal(config.workerInProcess, false);
    const line = describeConfig(config);
    assert.doesNotMatch(line, /s3cret|pw@/);
    assert.match(line, /BullMQ on Redis/);
  });

  it('collects every problem with a clear message', () => {
    assert.throws(
      () =>
        loadConfig({
          DATABASE_URL: 'mysql://x',
          REDIS_URL: 'nonsense',
          PORT: 'eighty',
          LOG_LEVEL: 'loud',
          NODE_ENV: 'production',
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.problems, [
          'PORT must be a whole number (got "eighty")',
          'DATABASE_URL must be a postgres:// URL (got mysql://)',
          'REDIS_URL must be a redis:// URL (got something that is not a URL)',
          'JWT_SECRET is required when NODE_ENV=production',
          'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
        ]);
        return true;
      },
    );
  });

  it('refuses short JWT secrets and test-only outbound exceptions in production', () => {
    assert.throws(
      () =>
        loadConfig({
          NODE_ENV: 'production',
          JWT_SECRET: 'short',
          OUTBOUND_ALLOW_HOSTS: '127.0.0.1',
        }),
      /JWT_SECRET must be at least 32 characters[\s\S]*OUTBOUND_ALLOW_HOSTS is a test setting/,
    );
  });
});
