import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './support/test-app.js';
import { testEnv } from './support/test-env.js';

for (const backend of testEnv.queueBackends) {
  describe(`health and HTTP basics (queue on ${backend})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ queue: backend });
    });
    after(() => t.close());

    it('GET /api/health reports the database and the queue as up', async () => {
      const response = await fetch(`${t.baseUrl}/api/health`);
      assert.equal(response.status, 200);
      const body = (await response.json()) as {
        status: string;
        database: { status: string; kind: string };
        queue: { status: string; kind: string };
      };
      assert.equal(body.status, 'ok');
      assert.deepEqual([body.database.status, body.database.kind], ['up', 'postgres']);
      assert.deepEqual([body.queue.status, body.queue.kind], ['up', backend]);
    });

    it('echoes a safe x-request-id and makes one up otherwise', async () => {
      const given = await fetch(`${t.baseUrl}/api/health`, {
        headers: { 'x-request-id': 'req-42.abc' },
      });
      assert.equal(given.headers.get('x-request-id'), 'req-42.abc');
      const hostile = await fetch(`${t.baseUrl}/api/health`, {
        headers: { 'x-request-id': 'a b<script>' },
      });
      assert.match(hostile.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    });

    it('answers unknown API routes with a problem+json 404', async () => {
      const response = await fetch(`${t.baseUrl}/api/no-such-thing`);
      assert.equal(response.status, 404);
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
      const body = (await response.json()) as { code: string; status: number; errors: unknown[] };
      assert.equal(body.code, 'NOT_FOUND');
      assert.equal(body.status, 404);
      assert.deepEqual(body.errors, []);
    });

    it('sends a Content-Security-Policy without inline scripts', async () => {
      const response = await fetch(`${t.baseUrl}/api/health`);
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);
    });

    it('publishes an OpenAPI document that includes the health route', async () => {
      const response = await fetch(`${t.baseUrl}/api/docs-json`);
      assert.equal(response.status, 200);
      const document = (await response.json()) as {
        openapi: string;
        paths: Record<string, unknown>;
      };
      assert.match(document.openapi, /^3\./);
      assert.ok('/api/health' in document.paths);
    });
  });
}

describe('health when the database is gone', () => {
  it('turns 503 and names the database as down', async () => {
    const t = await startTestApp();
    try {
      await t.database.drop();
      const response = await fetch(`${t.baseUrl}/api/health`);
      assert.equal(response.status, 503);
      const body = (await response.json()) as { status: string; database: { status: string } };
      assert.equal(body.status, 'degraded');
      assert.equal(body.database.status, 'down');
    } finally {
      await t.app.close().catch(() => undefined);
      await t.runtime.stop().catch(() => undefined);
    }
  });
});

describe('malformed requests are problem+json too', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  const cases: Array<{
    title: string;
    headers: Record<string, string>;
    body: string;
    status: number;
    code: string;
  }> = [
    {
      title: 'broken JSON',
      headers: { 'content-type': 'application/json' },
      body: '{"email": "a@b.c",',
      status: 400,
      code: 'BAD_REQUEST',
    },
    {
      title: 'an unsupported content type',
      headers: { 'content-type': 'application/x-weird' },
      body: 'email=a',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      title: 'a body over the size limit',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'x'.repeat(3 * 1024 * 1024) }),
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
    {
      title: 'a JSON array where an object is expected',
      headers: { 'content-type': 'application/json' },
      body: '[1,2]',
      status: 400,
      code: 'VALIDATION_FAILED',
    },
  ];
  for (const c of cases) {
    it(`answers ${c.title} with ${c.status}`, async () => {
      const response = await fetch(`${t.baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: c.headers,
        body: c.body,
      });
      assert.equal(response.status, c.status);
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
      const problem = (await response.json()) as { code: string };
      assert.equal(problem.code, c.code);
    });
  }
});
