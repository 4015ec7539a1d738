import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createApp, CUSTOMER_SCHEMA, publishForm } from './support/forms.js';
import { HttpClient, type Session } from './support/http.js';
import { signupOwner } from './support/people.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  additionalProperties?: boolean | Schema;
};
type Operation = {
  parameters?: Array<{ name: string; in: 'path' | 'query' | 'header'; schema?: Schema }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, unknown>;
};
type Document = { paths: Record<string, Record<string, Operation>> };

const BUDGET_MS = Number(process.env['TRELLIS_FUZZ_MS'] ?? 45_000);

const hostileStrings = fc.constantFrom(
  '',
  ' ',
  "'; DROP TABLE app; --",
  '"; SELECT pg_sleep(10); --',
  '__proto__',
  'constructor',
  '../../etc/passwd',
  '%00',
  '\u0000',
  '\u202e',
  '<script>alert(1)</script>',
  '{"$ne":null}',
  '0'.repeat(10_000),
  '张伟'.repeat(2_000),
  'NaN',
  '-1',
  '99999999999999999999999',
  '2026-02-30',
  '00000000-0000-4000-8000-000000000000',
);

const hostileKeys = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'workspaceId',
  'owner_id',
  'id',
  'version',
  'role',
  'isOwner',
  '$where',
);

/** A fast-check arbitrary for a JSON Schema, with hostile values mixed in everywhere. */
function arbitraryFor(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const wild = fc.oneof(hostileStrings, fc.jsonValue({ maxDepth: 2 }));
  if (schema === undefined || depth > 4) return wild;
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives !== undefined && alternatives.length > 0)
    return fc.oneof(...alternatives.map((s) => arbitraryFor(s, depth + 1)), wild);
  if (schema.enum !== undefined && schema.enum.length > 0)
    return fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...schema.enum) },
      { weight: 1, arbitrary: wild },
    );
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const known = Object.entries(schema.properties ?? {});
      const record = fc.record(
        Object.fromEntries(known.map(([k, s]) => [k, arbitraryFor(s, depth + 1)])),
        { requiredKeys: [] },
      );
      return fc.oneof(
        { weight: 5, arbitrary: record },
        {
          weight: 1,
          arbitrary: fc
            .tuple(record, fc.dictionary(hostileKeys, wild, { maxKeys: 2 }))
            .map(([a, b]) => ({ ...a, ...b })),
        },
        { weight: 1, arbitrary: wild },
      );
    }
    case 'array':
      return fc.oneof(
        { weight: 4, arbitrary: fc.array(arbitraryFor(schema.items, depth + 1), { maxLength: 4 }) },
        { weight: 1, arbitrary: wild },
      );
    case 'string':
      return fc.oneof(fc.string({ maxLength: 40 }), fc.uuid(), hostileStrings);
    case 'integer':
    case 'number':
      return fc.oneof(fc.integer(), fc.double({ noNaN: false }), hostileStrings);
    case 'boolean':
      return fc.oneof(fc.boolean(), wild);
    default:
      return wild;
  }
}

type Answer = { status: number; body: unknown; headers: Headers };

/**
 * One request, answered within 20 s or reported as hanging. A live stream
 * (server-sent events) counts as answered once its headers arrive; the
 * fuzzer then hangs up instead of waiting for a stream that never ends.
 */
async function send(
  baseUrl: string,
  method: string,
  target: string,
  { token, body }: { token: string | null; body: string | undefined },
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${target}`, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(20_000),
  });
  const type = response.headers.get('content-type') ?? '';
  if (type.startsWith('text/event-stream')) {
    await response.body?.cancel();
    return { status: response.status, body: '', headers: response.headers };
  }
  const text = await response.text();
  return {
    status: response.status,
    body: /json/.test(type) && text !== '' ? (JSON.parse(text) as unknown) : text,
    headers: response.headers,
  };
}

/**
 * Issue 11: a property-based fuzzer drives every documented route with
 * random and hostile inputs for a bounded time. Every answer must be a
 * documented status, errors must be problem+json, never a 500, and the
 * process must still be healthy afterwards.
 */
describe('API fuzzing from the OpenAPI document', () => {
  let t: TestApp;
  let http: HttpClient;
  let owner: Session;
  const ids: string[] = [];

  before(async () => {
    t = await startTestApp();
    http = new HttpClient(t.baseUrl);
    owner = await signupOwner(http);
    const as = http.as(owner.accessToken);
    const appId = await createApp(as);
    const form = await publishForm(
      as,
      appId,
      'customer',
      { 'zh-CN': '客户', en: 'Customer' },
      CUSTOMER_SCHEMA,
    );
    const record = await as.post<{ id: string }>(`/api/forms/${form.id}/records`, {
      values: { company_name: '模糊测试公司', contact_name: '张伟', phone: '13800138000' },
    });
    ids.push(appId, form.id, record.body.id, owner.member.id);
  });
  after(() => t.close());

  it('answers every random or hostile request with a documented status and never a 500', async () => {
    const document = (await (await fetch(`${t.baseUrl}/api/docs-json`)).json()) as Document;
    const operations = Object.entries(document.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
    );
    const perOperation = 10;
    const problems: string[] = [];
    const started = Date.now();
    // Round after round over every operation, each with a new seed, until the budget is spent.
    let round = 0;
    const fuzzed = new Set<string>();
    for (; Date.now() - started < BUDGET_MS && problems.length === 0; round += 1)
      for (const { path, method, op } of operations) {
        if (Date.now() - started > BUDGET_MS) break;
        if (path.endsWith('/me/password') || path.endsWith('/auth/switch-workspace')) continue; // would end the fuzzer's own session
        const documented = new Set(Object.keys(op.responses ?? {}).map(Number));
        const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
        const queryParams = (op.parameters ?? []).filter((p) => p.in === 'query');
        const bodySchema = op.requestBody?.content?.['application/json']?.schema;
        const request = fc.record({
          params: fc.tuple(
            ...pathParams.map(() =>
              fc.oneof(
                { weight: 3, arbitrary: fc.constantFrom(...ids) },
                { weight: 1, arbitrary: fc.uuid() },
                { weight: 1, arbitrary: hostileStrings },
              ),
            ),
          ),
          query: fc.tuple(
            ...queryParams.map((p) =>
              fc.option(
                arbitraryFor(p.schema).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))),
                { nil: undefined },
              ),
            ),
          ),
          body: bodySchema === undefined ? fc.constant(undefined) : arbitraryFor(bodySchema),
          anonymous: fc.boolean(),
        });
        await fc.assert(
          fc.asyncProperty(request, async ({ params, query, body, anonymous }) => {
            let url = path;
            pathParams.forEach(
              (p, i) => (url = url.replace(`{${p.name}}`, encodeURIComponent(String(params[i])))),
            );
            const search = new URLSearchParams();
            queryParams.forEach((p, i) => {
              const value = query[i];
              if (value !== undefined) search.set(p.name, value.slice(0, 2000));
            });
            const target = `${url}${search.size > 0 ? `?${search.toString()}` : ''}`;
            const response = await send(t.baseUrl, method, target, {
              token: anonymous ? null : owner.accessToken,
              body: body === undefined ? undefined : JSON.stringify(body),
            });
            const where = `${method} ${target.slice(0, 120)} -> ${response.status}`;
            if (response.status >= 500 && response.status !== 503)
              problems.push(`${where}: ${JSON.stringify(response.body).slice(0, 300)}`);
            if (!documented.has(response.status)) problems.push(`${where}: undocumented status`);
            if (response.status >= 400) {
              const type = response.headers.get('content-type') ?? '';
              const problem = response.body as { code?: unknown; status?: unknown };
              if (
                !type.startsWith('application/problem+json') ||
                problem.status !== response.status ||
                typeof problem.code !== 'string'
              )
                problems.push(`${where}: not a problem document`);
            }
            return true;
          }),
          { numRuns: perOperation, seed: 20261123 + round },
        );
        fuzzed.add(`${method} ${path}`);
      }
    assert.deepEqual(problems.slice(0, 20), []);
    assert.equal(fuzzed.size, operations.length - 2, 'every operation was fuzzed at least once');
    const health = await fetch(`${t.baseUrl}/api/health`);
    assert.equal(health.status, 200, 'the process is alive and healthy after the fuzzing');
  });
});
