import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createApp, publishForm } from './support/forms.js';
import { HttpClient, type Session } from './support/http.js';
import { signupOwner } from './support/people.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ROWS = 100_000;

/**
 * Issue 11, item 14: a field type change on 100,000 rows holding empty,
 * null and invalid values, while other requests keep writing. Every value
 * that converts is converted, every other one is kept, and every other field
 * is identical before and after (or holds the concurrent write).
 */
describe('field type change on 100,000 rows under concurrent writes', () => {
  let t: TestApp;
  let as: HttpClient;
  let owner: Session;
  let formId: string;
  let db: pg.Client;
  let table: string;

  before(async () => {
    t = await startTestApp();
    const http = new HttpClient(t.baseUrl);
    owner = await signupOwner(http);
    as = http.as(owner.accessToken);
    const appId = await createApp(as);
    formId = (
      await publishForm(
        as,
        appId,
        'deal',
        { 'zh-CN': '交易', en: 'Deal' },
        {
          fields: [
            { id: 'title', type: 'text', label: '标题', required: true },
            { id: 'amount', type: 'text', label: '金额' },
            { id: 'note', type: 'text', label: '备注' },
          ],
        },
      )
    ).id;
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    const meta = await db.query<{ schema_name: string; table_name: string }>(
      `SELECT w.schema_name, f.table_name FROM form f JOIN workspace w ON w.id = f.workspace_id WHERE f.id = $1`,
      [formId],
    );
    table = `"${meta.rows[0]?.schema_name}"."${meta.rows[0]?.table_name}"`;
    // 100,000 rows: every 10th empty, every 10th null, every 10th not a number, the rest numbers in assorted shapes
    await db.query(
      `INSERT INTO ${table} (owner_id, created_by, title, amount, note)
       SELECT $1::uuid, $1::uuid, '交易' || g,
              CASE g % 10 WHEN 0 THEN '' WHEN 1 THEN NULL WHEN 2 THEN '约' || g || '元' WHEN 3 THEN to_char(g, 'FM999,999') || '.50' ELSE (g * 3)::text END,
              '备注' || g
         FROM generate_series(1, ${ROWS}) g`,
      [owner.member.id],
    );
  });
  after(async () => {
    await db.end();
    await t.close();
  });

  it('converts what converts, keeps the rest, and loses no concurrent write', async () => {
    const before = await db.query<{ n: number; notes: string }>(
      `SELECT count(*)::int AS n, md5(string_agg(id::text || title || coalesce(note, ''), ',' ORDER BY id)) AS notes FROM ${table}`,
    );
    const sample = await db.query<{ id: string; version: number }>(
      `SELECT id, version FROM ${table} ORDER BY id LIMIT 40`,
    );

    const form = await as.get<{ draft: { fields: Array<Record<string, unknown>> } }>(
      `/api/forms/${formId}`,
    );
    const fields = form.body.draft.fields.map((f) =>
      f['id'] === 'amount' ? { ...f, type: 'number' } : f,
    );
    assert.equal(
      (await as.put(`/api/forms/${formId}`, { schema: { ...form.body.draft, fields } })).status,
      200,
    );

    // writers keep changing notes of the sample rows while the publish runs
    let writing = true;
    const written = new Map<string, string>();
    const writers = Promise.all(
      sample.rows.map(async (row, i) => {
        let version = row.version;
        let n = 0;
        while (writing && n < 20) {
          const note = `并发写入${i}-${n}`;
          const response = await as.patch<{ version: number }>(
            `/api/forms/${formId}/records/${row.id}`,
            { values: { note }, version },
          );
          if (response.status === 200) {
            version = response.body.version;
            written.set(row.id, note);
          } else {
            assert.equal(response.status, 409, JSON.stringify(response.body));
            const fresh = await as.get<{ version: number }>(
              `/api/forms/${formId}/records/${row.id}`,
            );
            version = fresh.body.version;
          }
          n++;
        }
      }),
    );
    const published = await as.post<{
      version: number;
      lossy: Array<{ fieldId: string; converted: number; lossy: number }>;
    }>(`/api/forms/${formId}/publish`);
    writing = false;
    await writers;
    assert.equal(published.status, 200, JSON.stringify(published.body));
    const report = published.body.lossy.find((l) => l.fieldId === 'amount');
    assert.equal(
      report?.lossy,
      ROWS / 10,
      'the non-numeric values could not convert (an empty text simply becomes an empty number)',
    );
    assert.equal(
      (report?.converted ?? 0) + (report?.lossy ?? 0),
      ROWS - ROWS / 10,
      'every non-null value was handled',
    );

    const converted = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table} WHERE amount IS NOT NULL`,
    );
    assert.equal(
      converted.rows[0]?.n,
      ROWS - 3 * (ROWS / 10),
      'every number, in every shape, converted',
    );
    const kept = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM lossy_value WHERE form_id = $1 AND field_id = 'amount'`,
      [formId],
    );
    assert.ok(
      (kept.rows[0]?.n ?? 0) >= (report?.lossy ?? 0),
      'every value that did not convert is kept',
    );
    const archived = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table} WHERE amount__v1 IS DISTINCT FROM NULL`,
    );
    assert.equal(
      archived.rows[0]?.n,
      ROWS - ROWS / 10,
      'the old column still holds every original value',
    );
    const spot = await db.query<{ amount: string; amount__v1: string }>(
      `SELECT amount::text, amount__v1 FROM ${table} WHERE title IN ('交易5', '交易13', '交易12') ORDER BY title`,
    );
    assert.deepEqual(spot.rows, [
      { amount: null, amount__v1: '约12元' },
      { amount: '13.5', amount__v1: '13.50' },
      { amount: '15', amount__v1: '15' },
    ]);

    for (const [id, note] of written) {
      const row = await db.query<{ note: string }>(`SELECT note FROM ${table} WHERE id = $1`, [id]);
      assert.equal(row.rows[0]?.note, note, 'the last successful concurrent write is there');
    }
    const untouched = await db.query<{ n: number; notes: string }>(
      `SELECT count(*)::int AS n, md5(string_agg(id::text || title || coalesce(note, ''), ',' ORDER BY id)) AS notes FROM ${table} WHERE NOT (id = ANY($1::uuid[]))`,
      [[...written.keys()]],
    );
    const expectedUntouched = await db.query<{ notes: string }>(
      `SELECT md5(string_agg(id::text || '交易' || substr(title, 3) || coalesce(note, ''), ',' ORDER BY id)) AS notes FROM ${table} WHERE NOT (id = ANY($1::uuid[]))`,
      [[...written.keys()]],
    );
    assert.equal(untouched.rows[0]?.n, ROWS - written.size);
    assert.equal(untouched.rows[0]?.notes, expectedUntouched.rows[0]?.notes);
    assert.equal(before.rows[0]?.n, ROWS);
  });
});
