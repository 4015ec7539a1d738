import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { statementTrace } from '../src/database/database.service.js';
import { createApp, CUSTOMER_SCHEMA, publishForm } from './support/forms.js';
import { HttpClient, type Problem, type Session } from './support/http.js';
import { signupOwner } from './support/people.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type RecordBody = { id: string; version: number; ownerId: string; values: Record<string, unknown> };

/** Identifiers an attacker might try in any position that names a field or a function. */
const HOSTILE_IDENTIFIERS = [
  'company_name"; DROP TABLE member; --',
  'company_name`',
  'company_name;select 1',
  'company_name--',
  'pg_sleep(5)',
  "company_name' OR '1'='1",
  'ｃｏｍｐａｎｙ_ｎａｍｅ',
  'compаny_name', // Cyrillic а
  'no_such_field',
  '__proto__',
  'constructor',
  'COMPANY_NAME',
  'company_name)',
  '"company_name"',
];

/** Values that must be stored and returned byte-identical. */
const HOSTILE_VALUES = [
  "Robert'); DROP TABLE app;--",
  '<script>alert(1)</script>',
  '$1 $2 \\x00 %s %n {{7*7}} ${7*7}',
  '"; SELECT pg_sleep(10); --',
  '张伟\u202e\u200b隐藏字符',
  '=HYPERLINK("http://evil")',
  '\\',
  "'",
];

describe('security battery: injection, mass assignment (issue 11 items 1, 2, 6)', () => {
  let t: TestApp;
  let as: HttpClient;
  let owner: Session;
  let formId: string;

  before(async () => {
    t = await startTestApp({ env: { TRELLIS_SQL_TRACE: '1' } });
    const http = new HttpClient(t.baseUrl);
    owner = await signupOwner(http);
    as = http.as(owner.accessToken);
    const appId = await createApp(as);
    formId = (
      await publishForm(as, appId, 'customer', { 'zh-CN': '客户', en: 'Customer' }, CUSTOMER_SCHEMA)
    ).id;
    await as.post(`/api/forms/${formId}/records`, {
      values: {
        company_name: '上海启明信息技术有限公司',
        contact_name: '张伟',
        phone: '13812348000',
      },
    });
  });
  after(() => t.close());

  it('1. refuses hostile identifiers in filters and sorts with a located 400, and they never reach SQL text', async () => {
    statementTrace.texts.length = 0;
    for (const field of HOSTILE_IDENTIFIERS) {
      const filter = await as.get<Problem>(
        `/api/forms/${formId}/records?filter=${encodeURIComponent(JSON.stringify({ field, op: 'eq', value: 'x' }))}`,
      );
      assert.equal(filter.status, 400, `filter field ${field}`);
      assert.ok(
        filter.body.errors.some((e) => e.path.startsWith('filter')),
        `located: ${JSON.stringify(filter.body.errors)}`,
      );
      const op = await as.get<Problem>(
        `/api/forms/${formId}/records?filter=${encodeURIComponent(JSON.stringify({ field: 'company_name', op: field, value: 'x' }))}`,
      );
      assert.equal(op.status, 400, `filter op ${field}`);
      const sort = await as.get<Problem>(
        `/api/forms/${formId}/records?sort=${encodeURIComponent(field)}`,
      );
      assert.equal(sort.status, 400, `sort ${field}`);
      assert.equal(sort.body.errors[0]?.path, 'sort');
    }
    const leaked = statementTrace.texts.filter((text) =>
      HOSTILE_IDENTIFIERS.some(
        (h) => h !== 'COMPANY_NAME' && h !== 'constructor' && text.includes(h),
      ),
    );
    assert.deepEqual(leaked, []);
  });

  it('2. stores and returns hostile values byte-identical, and filters on them as plain values', async () => {
    statementTrace.texts.length = 0;
    for (const [i, value] of HOSTILE_VALUES.entries()) {
      const created = await as.post<RecordBody>(`/api/forms/${formId}/records`, {
        values: { company_name: `${value} #${i}`, contact_name: value, phone: '13900001111' },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.values['contact_name'], value);
      const read = await as.get<RecordBody>(`/api/forms/${formId}/records/${created.body.id}`);
      assert.equal(read.body.values['contact_name'], value);
      const found = await as.get<{ items: RecordBody[] }>(
        `/api/forms/${formId}/records?filter=${encodeURIComponent(JSON.stringify({ field: 'contact_name', op: 'eq', value }))}`,
      );
      assert.deepEqual(
        found.body.items.map((r) => r.id),
        [created.body.id],
      );
      const searched = await as.get<{ items: RecordBody[] }>(
        `/api/forms/${formId}/records?q=${encodeURIComponent(value.slice(0, 20))}`,
      );
      assert.equal(searched.status, 200);
    }
    const leaked = statementTrace.texts.filter((text) =>
      HOSTILE_VALUES.some((v) => v.length > 2 && text.includes(v)),
    );
    assert.deepEqual(leaked, [], 'values travel as bind parameters only');
  });

  it('2. keeps hostile option labels and defaults in a form schema byte-identical', async () => {
    const appId = await createApp(as, { 'zh-CN': '测试<img src=x onerror=alert(1)>', en: 'x' });
    const label = '<img src=x onerror=alert(1)>"\'';
    const form = await publishForm(
      as,
      appId,
      'lead',
      { 'zh-CN': label, en: label },
      {
        fields: [
          {
            id: 'source',
            type: 'select',
            label,
            default: "a'b",
            options: [
              { value: "a'b", label },
              { value: 'c;--', label: { 'zh-CN': label } },
            ],
          },
        ],
      },
    );
    const read = await as.get<{
      name: unknown;
      schema: {
        fields: Array<{
          label: unknown;
          default: unknown;
          options: Array<{ value: string; label: unknown }>;
        }>;
      };
    }>(`/api/forms/${form.id}`);
    assert.deepEqual(read.body.name, { 'zh-CN': label, en: label });
    assert.equal(read.body.schema.fields[0]?.label, label);
    assert.equal(read.body.schema.fields[0]?.default, "a'b");
    assert.deepEqual(
      read.body.schema.fields[0]?.options.map((o) => o.value),
      ["a'b", 'c;--'],
    );
    const created = await as.post<RecordBody>(`/api/forms/${form.id}/records`, { values: {} });
    assert.equal(created.body.values['source'], "a'b", 'the default applies as a plain value');
  });

  it('6. rejects mass-assignment keys, changes nothing and pollutes no prototype', async () => {
    const [existing] = (
      await as.get<{ items: RecordBody[] }>(`/api/forms/${formId}/records?limit=1&sort=created_at`)
    ).body.items;
    assert.ok(existing !== undefined);
    const attempts: Array<[string, unknown]> = [
      [
        'workspaceId',
        { values: { company_name: 'x', workspaceId: '00000000-0000-4000-8000-000000000000' } },
      ],
      [
        'owner_id',
        { values: { company_name: 'x', owner_id: '00000000-0000-4000-8000-000000000000' } },
      ],
      ['id', { values: { company_name: 'x', id: '00000000-0000-4000-8000-000000000000' } }],
      ['version', { values: { company_name: 'x', version: 99 } }],
      ['createdBy', { values: { company_name: 'x', createdBy: owner.member.id } }],
      ['role (top level)', { values: { company_name: 'x' }, role: 'owner' }],
      ['__proto__', JSON.parse('{"values":{"company_name":"x","__proto__":{"polluted":true}}}')],
      [
        'constructor.prototype',
        JSON.parse('{"values":{"company_name":"x","constructor":{"prototype":{"polluted":true}}}}'),
      ],
      [
        '__proto__ (top level)',
        JSON.parse('{"values":{"company_name":"x"},"__proto__":{"polluted":true}}'),
      ],
    ];
    for (const [title, body] of attempts) {
      const create = await as.post<Problem>(`/api/forms/${formId}/records`, body);
      assert.equal(create.status, 400, `create with ${title}: ${JSON.stringify(create.body)}`);
      const update = await as.patch<Problem>(`/api/forms/${formId}/records/${existing.id}`, {
        ...(body as object),
        version: existing.version,
      });
      assert.equal(update.status, 400, `update with ${title}`);
    }
    const signup = await as.post<Problem>('/api/auth/signup', {
      email: 'x@y.cn',
      password: 'password123',
      name: 'x',
      role: 'owner',
      isOwner: true,
    });
    assert.equal(signup.status, 400);
    const after = await as.get<RecordBody>(`/api/forms/${formId}/records/${existing.id}`);
    assert.equal(after.body.version, existing.version, 'the record did not change');
    assert.equal(after.body.ownerId, existing.ownerId);
    assert.equal(
      ({} as Record<string, unknown>)['polluted'],
      undefined,
      'Object.prototype is clean',
    );
    assert.equal((Object.prototype as Record<string, unknown>)['polluted'], undefined);
  });
});
