import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { CONFIG_ENV_KEYS, loadConfig } from '../src/config/app-config.js';

// No Docker engine runs on these machines, so the compose file is checked
// statically: its shape, and that its environment is what the config reads.
const root = join(import.meta.dirname, '..', '..', '..', '..');
type Service = {
  environment?: Record<string, string>;
  deploy?: { replicas?: number };
  command?: string[];
  build?: unknown;
  image?: string;
};
const compose = parse(readFileSync(join(root, 'docker', 'compose.yaml'), 'utf8'), {
  merge: true,
}) as { services: Record<string, Service> };

describe('docker/compose.yaml', () => {
  it('runs postgres, redis, several API replicas and several workers', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), ['api', 'postgres', 'redis', 'worker']);
    assert.ok((compose.services['api']?.deploy?.replicas ?? 1) >= 2);
    assert.ok((compose.services['worker']?.deploy?.replicas ?? 1) >= 2);
    assert.deepEqual(compose.services['worker']?.command?.slice(-1), ['api/dist/src/worker.js']);
  });

  it('configures Redis with noeviction, as the worker requires', () => {
    const redis = compose.services['redis'] as Service & { command?: string[] };
    assert.ok(redis.command?.join(' ').includes('--maxmemory-policy noeviction'));
  });

  for (const name of ['api', 'worker']) {
    it(`gives ${name} only environment variables the config module reads, and a valid config`, () => {
      const env = compose.services[name]?.environment ?? {};
      const unknown = Object.keys(env).filter(
        (k) => !(CONFIG_ENV_KEYS as readonly string[]).includes(k),
      );
      assert.deepEqual(unknown, []);
      const resolved = Object.fromEntries(
        Object.entries(env).map(([k, v]) => [
          k,
          String(v).replace(
            /\$\{([A-Z_]+)(?::[-?]([^}]*))?\}/g,
            (_m, key: string, dflt?: string) =>
              key === 'JWT_SECRET' ? 'x'.repeat(40) : (dflt ?? ''),
          ),
        ]),
      );
      const config = loadConfig(resolved);
      assert.equal(config.database.kind, 'external');
      assert.equal(config.queue.kind, 'redis');
      assert.equal(config.env, 'production');
    });
  }

  it('the Dockerfile builds in stages and runs as a non-root user', () => {
    const dockerfile = readFileSync(join(root, 'docker', 'Dockerfile'), 'utf8');
    assert.ok((dockerfile.match(/^FROM /gm) ?? []).length >= 3);
    assert.match(dockerfile, /^USER node$/m);
    assert.match(dockerfile, /HEALTHCHECK .*\/api\/health/);
  });
});
