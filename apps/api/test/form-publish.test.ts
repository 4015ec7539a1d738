import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createApp, publishForm } from './support/forms.js';
import { HttpClient, type Problem } from './support/http.js';
import { signupOwner } from './support/people.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type RecordBody = { id: string; version: number; values: Record<string, unknown> };
type FormBody = {
  id: string;
  draft: { fields: Array<Record<string, unknown>> };
  draftRevision: number;
  publishedVersion: number;
};
type PublishBody = {
  preview: boolean;
  version: number;
  diff: { added: unknown[]; retyped: Array<{ id: string }> };
  lossy: Array<{
    fieldId: string;
    converted: number;
    lossy: number;
    samples: Array<{ value: unknown }>;
  }>;
};

const OPPORTUNITY = {
  fields: [
    { id: 'title', type: 'text', label: { 'zh-CN': '商机名称', en: 'Title' }, required: true },
    { id: 'amount', type: 'text', label: { 'zh-CN': '金额', en: 'Amount' } },
    { id: 'source', type: 'text', label: { 'zh-CN': '来源', en: 'Source' } },
  ],
};

describe('publishing forms as real tables and changing field types without losing values', () => {
  let t: TestApp;
  let as: HttpClient;
  let formId: string;
  let db: pg.Client;

  before(async () => {
    t = await startTestApp();
    const http = new HttpClient(t.baseUrl);
    const owner = await signupOwner(http);
    as = http.as(owner.accessToken);
    const appId = await createApp(as);
    formId = (
      await publishForm(
        as,
        appId,
        'opportunity',
        { 'zh-CN': '商机', en: 'Opportunity' },
        OPPORTUNITY,
      )
    ).id;
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    const amounts = ['128000', '35,000.50', '大约十万', '', '99.9'];
    for (const [i, amount] of amounts.entries()) {
      const response = await as.post(`/api/forms/${formId}/records`, {
        values: { title: `商机${i}`, amount: amount === '' ? null : amount, source: '官网' },
      });
      assert.equal(response.status, 201, JSON.stringify(response.body));
    }
  });
  after(async () => {
    await db.end();
    await t.close();
  });

  it('created a typed table with one column per field in the workspace schema', async () => {
    const { rows } = await db.query(
      `SELECT c.column_name, c.data_type FROM information_schema.columns c JOIN form f ON f.table_name = c.table_name WHERE f.id = $1 AND c.column_name IN ('title', 'amount', 'source') ORDER BY c.column_name`,
      [formId],
    );
    assert.deepEqual(rows, [
      { column_name: 'amount', data_type: 'text' },
      { column_name: 'source', data_type: 'text' },
      { column_name: 'title', data_type: 'text' },
    ]);
  });

  it('refuses an invalid draft with every issue located', async () => {
    const form = await as.get<FormBody>(`/api/forms/${formId}`);
    const fields = [
      ...form.body.draft.fields,
      { id: 'title', type: 'text', label: '重复' },
      { id: 'Bad Id', type: 'nonsense', label: 'x' },
    ];
    const response = await as.put<Problem>(`/api/forms/${formId}`, {
      schema: { ...form.body.draft, fields },
    });
    assert.equal(response.status, 400);
    const paths = response.body.errors.map((e) => e.path);
    assert.ok(
      paths.some((p) => p.startsWith('schema.fields.3')),
      JSON.stringify(paths),
    );
    assert.ok(
      paths.some((p) => p.startsWith('schema.fields.4')),
      JSON.stringify(paths),
    );
  });

  it('previews a type change: which values convert and which would be lossy, changing nothing', async () => {
    const form = await as.get<FormBody>(`/api/forms/${formId}`);
    const fields = form.body.draft.fields.map((f) =>
      f['id'] === 'amount' ? { ...f, type: 'currency', currency: 'CNY' } : f,
    );
    const saved = await as.put<FormBody>(`/api/forms/${formId}`, {
      schema: { ...form.body.draft, fields },
      revision: form.body.draftRevision,
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const preview = await as.post<PublishBody>(`/api/forms/${formId}/publish?preview=true`);
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.equal(preview.body.preview, true);
    const amount = preview.body.lossy.find((l) => l.fieldId === 'amount');
    assert.equal(amount?.lossy, 1, 'one value (大约十万) cannot become a number');
    assert.equal(amount?.converted, 3);
    assert.deepEqual(
      amount?.samples.map((s) => s.value),
      ['大约十万'],
    );
    const { rows } = await db.query(`SELECT published_version FROM form WHERE id = $1`, [formId]);
    assert.equal(rows[0]?.published_version, 1, 'nothing was published');
  });

  it('publishes the type change: convertible values converted, the rest kept, every other field identical', async () => {
    const before = await as.get<{ items: RecordBody[] }>(`/api/forms/${formId}/records?limit=100`);
    const published = await as.post<PublishBody>(`/api/forms/${formId}/publish`);
    assert.equal(published.status, 200, JSON.stringify(published.body));
    assert.equal(published.body.version, 2);
    const afterList = await as.get<{ items: RecordBody[] }>(
      `/api/forms/${formId}/records?limit=100`,
    );
    const byTitle = new Map(afterList.body.items.map((r) => [r.values['title'], r.values]));
    assert.equal(byTitle.get('商机0')?.['amount'], '128000.00');
    assert.equal(byTitle.get('商机4')?.['amount'], '99.90');
    assert.equal(
      byTitle.get('商机2')?.['amount'],
      null,
      'the lossy value is empty in the new column',
    );
    for (const record of before.body.items) {
      assert.equal(
        byTitle.get(record.values['title'])?.['source'],
        record.values['source'],
        'other fields unchanged',
      );
    }
    const { rows } = await db.query(
      `SELECT original FROM lossy_value WHERE form_id = $1 AND field_id = 'amount' ORDER BY original`,
      [formId],
    );
    assert.ok(
      rows.some((r) => r.original === '大约十万'),
      'the value that did not convert is kept',
    );
    assert.ok(
      rows.some((r) => r.original === '35,000.50'),
      'and so is the exact text of a value that converted with a different form',
    );
    const column = await db.query(
      `SELECT c.data_type FROM information_schema.columns c JOIN form f ON f.table_name = c.table_name WHERE f.id = $1 AND c.column_name = 'amount'`,
      [formId],
    );
    assert.equal(column.rows[0]?.data_type, 'numeric');
    const archived = await db.query(
      `SELECT count(*)::int AS n FROM information_schema.columns c JOIN form f ON f.table_name = c.table_name WHERE f.id = $1 AND c.column_name = 'amount__v1'`,
      [formId],
    );
    assert.equal(archived.rows[0]?.n, 1, 'the old column stays so the change can be undone');
  });

  it("keeps a removed field's data and brings it back when the field returns", async () => {
    const form = await as.get<FormBody>(`/api/forms/${formId}`);
    const without = form.body.draft.fields.filter((f) => f['id'] !== 'source');
    await as.put(`/api/forms/${formId}`, { schema: { ...form.body.draft, fields: without } });
    assert.equal((await as.post(`/api/forms/${formId}/publish`)).status, 200);
    const hidden = await as.get<{ items: RecordBody[] }>(`/api/forms/${formId}/records?limit=1`);
    assert.ok(!('source' in (hidden.body.items[0]?.values ?? {})));
    await as.put(`/api/forms/${formId}`, { schema: form.body.draft });
    assert.equal((await as.post(`/api/forms/${formId}/publish`)).status, 200);
    const back = await as.get<{ items: RecordBody[] }>(`/api/forms/${formId}/records?limit=1`);
    assert.equal(back.body.items[0]?.values['source'], '官网');
  });

  it('refuses making a field unique while duplicates exist, changing nothing', async () => {
    const form = await as.get<FormBody>(`/api/forms/${formId}`);
    const fields = form.body.draft.fields.map((f) =>
      f['id'] === 'source' ? { ...f, unique: true } : f,
    );
    await as.put(`/api/forms/${formId}`, { schema: { ...form.body.draft, fields } });
    const response = await as.post<Problem>(`/api/forms/${formId}/publish`);
    assert.equal(response.status, 409);
    assert.equal(response.body.code, 'UNIQUE_VIOLATION');
    const { rows } = await db.query(`SELECT published_version FROM form WHERE id = $1`, [formId]);
    assert.equal(rows[0]?.published_version, 4);
  });
});
