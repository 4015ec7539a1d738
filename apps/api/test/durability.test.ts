import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runMigrations } from '../src/database/data-source.js';
import { createApp, CUSTOMER_SCHEMA, publishForm } from './support/forms.js';
import { HttpClient } from './support/http.js';
import { signupOwner } from './support/people.js';
import { startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 11, item 16: kill -9 PostgreSQL right after the API answered 201;
 * after a restart the record is there. A 201 means committed and flushed.
 */
describe('durability', () => {
  let postgres: PrivatePostgres;
  let t: TestApp;

  before(async () => {
    postgres = await startPrivatePostgres();
    await runMigrations(postgres.url);
    t = await startTestApp({
      database: { url: postgres.url, drop: async () => undefined },
      queue: 'postgres',
    });
  });
  after(async () => {
    await t.app.close().catch(() => undefined);
    await t.runtime.stop().catch(() => undefined);
    await postgres.stop();
  });

  it('keeps every record answered with 201 when PostgreSQL is killed with -9', async () => {
    const http = new HttpClient(t.baseUrl);
    const owner = await signupOwner(http);
    const as = http.as(owner.accessToken);
    const form = await publishForm(
      as,
      await createApp(as),
      'customer',
      { 'zh-CN': '客户', en: 'Customer' },
      CUSTOMER_SCHEMA,
    );
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await as.post<{ id: string }>(`/api/forms/${form.id}/records`, {
        values: { company_name: `断电测试公司${i}`, contact_name: '张伟', phone: '13800138000' },
      });
      assert.equal(response.status, 201);
      created.push(response.body.id);
    }
    await postgres.crash();
    const down = await as.get(`/api/forms/${form.id}/records/${created[4]}`);
    assert.equal(down.status, 503, 'while the database is down the API says so');
    await postgres.start();
    let found = 0;
    for (let attempt = 0; attempt < 50 && found < created.length; attempt++) {
      found = 0;
      for (const id of created)
        if ((await as.get(`/api/forms/${form.id}/records/${id}`)).status === 200) found++;
      if (found < created.length) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(found, created.length, 'every acknowledged record survived the crash');
  });
});
