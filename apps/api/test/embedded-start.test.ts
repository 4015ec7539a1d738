import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT, spawnServer } from './support/spawn-server.js';
import { testEnv } from './support/test-env.js';

// `npm start` with no DATABASE_URL and no REDIS_URL: PGlite over the wire
// protocol, BullMQ on its PostgreSQL backend, data in the data folder.
describe('the embedded default (npm start on a fresh machine)', () => {
  it('serves a green health check and the designer, and keeps its data across restarts', async () => {
    const dataDir = mkdtempSync(join(testEnv.scratchDir, 'embedded-'));
    const env = {
      TRELLIS_DATA_DIR: dataDir,
      DESIGNER_DIST: join(REPO_ROOT, 'apps', 'designer', 'dist'),
      LOG_LEVEL: 'warn',
    };

    const first = await spawnServer(env);
    try {
      assert.match(
        first.output(),
        /database: embedded PostgreSQL \(PGlite\).*queue: BullMQ on PostgreSQL/,
      );
      const health = (await (await fetch(`${first.baseUrl}/api/health`)).json()) as {
        status: string;
        queue: { kind: string };
      };
      assert.equal(health.status, 'ok');
      assert.equal(health.queue.kind, 'postgres');
      const page = await fetch(`${first.baseUrl}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<div id="root"><\/div>/);
      assert.match(
        first.output(),
        /Created the owner account \(shown once\): e-mail owner@trellis\.local {2}password \S+/,
      );
      const deepLink = await fetch(`${first.baseUrl}/apps/some-app/records`);
      assert.match(
        await deepLink.text(),
        /<div id="root"><\/div>/,
        'client-side routes fall back to index.html',
      );
    } finally {
      assert.equal(await first.stop(), 0, 'a SIGTERM shuts down cleanly');
    }

    const password = /password (\S+)/.exec(first.output())?.[1] ?? '';
    const second = await spawnServer(env);
    try {
      assert.doesNotMatch(
        second.output(),
        /applied \d+ migration/,
        'the second start finds its database already migrated',
      );
      assert.doesNotMatch(
        second.output(),
        /Created the owner account/,
        'the owner is created once',
      );
      const login = await fetch(`${second.baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'owner@trellis.local', password }),
      });
      assert.equal(login.status, 200, 'the account of the first start signs in after a restart');
      // installing the template publishes ten tables in one transaction: on PGlite, which
      // serves one transaction at a time, nothing in it may wait for another connection
      const { accessToken } = (await login.json()) as { accessToken: string };
      const installed = await fetch(`${second.baseUrl}/api/templates/import`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({ template: 'customer-follow-up' }),
        signal: AbortSignal.timeout(60_000),
      });
      assert.equal(installed.status, 201, await installed.clone().text());
      const { created } = (await installed.json()) as { created: Record<string, number> };
      assert.equal(created['forms'], 10);
      const health = (await (await fetch(`${second.baseUrl}/api/health`)).json()) as {
        status: string;
      };
      assert.equal(health.status, 'ok');
    } finally {
      await second.stop();
    }
  });
});
