import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { RouteCatalog } from '../src/common/http/route-catalog.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type Operation = {
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
};
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

describe('the OpenAPI document', () => {
  let t: TestApp;
  let document: Document;
  before(async () => {
    t = await startTestApp();
    document = (await (await fetch(`${t.baseUrl}/api/docs-json`)).json()) as Document;
  });
  after(() => t.close());

  it('is a valid OpenAPI document', async () => {
    const result = await new Validator().validate(document as unknown as Record<string, unknown>);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2)?.slice(0, 2000));
  });

  it('covers every route of the API', () => {
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map(
          (method) => `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`,
        ),
      ),
    );
    const missing = t.app
      .get(RouteCatalog)
      .routes()
      .map((r) => `${r.method} ${r.path}`)
      .filter((r) => !documented.has(r));
    assert.deepEqual(missing, []);
  });

  it('gives every JSON body route a request schema and every route a response schema', () => {
    const problems: string[] = [];
    for (const [path, ops] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const responses = Object.entries(op.responses ?? {}).filter(([status]) =>
          status.startsWith('2'),
        );
        if (responses.length === 0) problems.push(`${method} ${path}: no success response`);
        for (const [status, response] of responses) {
          if (status === '204') continue;
          const content = response.content ?? {};
          if (Object.keys(content).length === 0 && !path.endsWith('.mjs'))
            problems.push(`${method} ${path} ${status}: no response schema`);
        }
        // JSON bodies, and file uploads (multipart/form-data), each need a schema.
        const bodies = Object.values(op.requestBody?.content ?? {});
        if (op.requestBody !== undefined && !bodies.some((body) => body.schema !== undefined))
          problems.push(`${method} ${path}: request body without schema`);
      }
    }
    assert.deepEqual(problems, []);
  });
});
