import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createApp, CUSTOMER_SCHEMA, type FormInfo, publishForm } from './support/forms.js';
import { HttpClient, type Problem, type Session } from './support/http.js';
import { addMember, signupOwner } from './support/people.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type RecordBody = {
  id: string;
  version: number;
  ownerId: string;
  values: Record<string, unknown>;
  masked: string[];
  isDraft: boolean;
  deletedAt: string | null;
};
type ListBody = { items: RecordBody[]; nextCursor: string | null; total?: number };

const qiming = {
  company_name: '上海启明信息技术有限公司',
  contact_name: '张伟',
  phone: '138-1234-8000',
  level: 'important',
  annual_revenue: '12800.50',
  tags: ['internet'],
};

describe('records on a published form', () => {
  let t: TestApp;
  let owner: Session;
  let as: HttpClient;
  let form: FormInfo;
  const base = () => `/api/forms/${form.id}/records`;

  before(async () => {
    t = await startTestApp();
    const http = new HttpClient(t.baseUrl);
    owner = await signupOwner(http);
    as = http.as(owner.accessToken);
    const appId = await createApp(as);
    form = await publishForm(
      as,
      appId,
      'customer',
      { 'zh-CN': '客户', en: 'Customer' },
      CUSTOMER_SCHEMA,
    );
  });
  after(() => t.close());

  it('stores a record in its typed table and returns coerced values, defaults and a serial number', async () => {
    const created = await as.post<RecordBody>(base(), { values: qiming });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const v = created.body.values;
    assert.equal(v['phone'], '13812348000', 'a mainland mobile is stored in its canonical form');
    assert.equal(
      v['annual_revenue'],
      '12800.50',
      'currency stays an exact decimal string with its decimal places',
    );
    assert.equal(v['status'], 'potential', 'the default applies');
    assert.match(String(v['customer_no']), /^KH-\d{4}-0001$/);
    assert.equal(created.body.version, 1);
    assert.equal(created.body.ownerId, owner.member.id);
  });

  it('answers bad values with every error located, in the language asked for', async () => {
    const bad = {
      company_name: '',
      contact_name: '李娜',
      phone: '12345',
      level: 'vip',
      status: 'churned',
      annual_revenue: 'lots',
    };
    const zh = await as.post<Problem>(base(), { values: bad });
    assert.equal(zh.status, 400);
    const paths = zh.body.errors.map((e) => e.path).sort();
    assert.deepEqual(paths, [
      'values.annual_revenue',
      'values.churn_reason',
      'values.company_name',
      'values.email',
      'values.phone',
    ]);
    assert.match(
      zh.body.errors.find((e) => e.path === 'values.email')?.message ?? '',
      /[\u4e00-\u9fff]/,
      'messages are Chinese by default',
    );
    const en = await as.post<Problem>(
      base(),
      { values: bad },
      { headers: { 'accept-language': 'en' } },
    );
    assert.match(
      en.body.errors.find((e) => e.path === 'values.email')?.message ?? '',
      /^[\x20-\x7e]+$/,
      'and English when asked',
    );
  });

  it('refuses unknown keys and system fields and writes nothing', async () => {
    const before = await as.get<ListBody>(`${base()}?count=true`);
    const response = await as.post<Problem>(base(), {
      values: {
        ...qiming,
        company_name: '新公司',
        owner_id: owner.member.id,
        version: 9,
        nickname: 'x',
      },
    });
    assert.equal(response.status, 400);
    assert.deepEqual(response.body.errors.map((e) => [e.path, e.code]).sort(), [
      ['values.owner_id', 'SYSTEM_FIELD'],
      ['values.version', 'SYSTEM_FIELD'],
    ]);
    const unknown = await as.post<Problem>(base(), {
      values: { ...qiming, company_name: '新公司2', nickname: 'x' },
    });
    assert.equal(unknown.status, 400);
    assert.deepEqual(
      unknown.body.errors.map((e) => e.path),
      ['values.nickname'],
    );
    const afterList = await as.get<ListBody>(`${base()}?count=true`);
    assert.equal(afterList.body.total, before.body.total);
  });

  it('needs the edited version, rejects a stale one with the current version, and keeps the winner', async () => {
    const created = await as.post<RecordBody>(base(), {
      values: { ...qiming, company_name: '杭州云帆电子商务有限公司' },
    });
    const id = created.body.id;
    const missing = await as.patch<Problem>(`${base()}/${id}`, {
      values: { contact_name: '王芳' },
    });
    assert.equal(missing.status, 428);
    const ok = await as.patch<RecordBody>(
      `${base()}/${id}`,
      { values: { contact_name: '王芳' } },
      { headers: { 'if-match': '"1"' } },
    );
    assert.equal(ok.status, 200);
    assert.equal(ok.body.version, 2);
    assert.equal(ok.headers.get('etag'), '"2"');
    const stale = await as.patch<Problem & { currentVersion: number }>(`${base()}/${id}`, {
      values: { contact_name: '赵磊' },
      version: 1,
    });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.code, 'VERSION_CONFLICT');
    assert.equal(stale.body.currentVersion, 2);
    const current = await as.get<RecordBody>(`${base()}/${id}`);
    assert.equal(current.body.values['contact_name'], '王芳', 'the stale write changed nothing');
  });

  it('lets exactly one of ten concurrent writers of the same version win', async () => {
    const created = await as.post<RecordBody>(base(), {
      values: { ...qiming, company_name: '深圳华信科技有限公司' },
    });
    const attempts = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        as.patch(`${base()}/${created.body.id}`, {
          values: { contact_name: `销售${i}` },
          version: 1,
        }),
      ),
    );
    assert.equal(attempts.filter((a) => a.status === 200).length, 1);
    assert.equal(attempts.filter((a) => a.status === 409).length, 9);
    const history = await as.get<Array<{ kind: string }>>(`${base()}/${created.body.id}/history`);
    assert.deepEqual(
      history.body.map((h) => h.kind),
      ['create', 'update'],
      'one update, no lost or doubled write',
    );
  });

  it('answers a unique violation with 409 naming the field, even under a race', async () => {
    const race = await Promise.all(
      Array.from({ length: 8 }, () =>
        as.post<RecordBody | Problem>(base(), {
          values: { ...qiming, company_name: '北京同创机械制造有限公司' },
        }),
      ),
    );
    assert.equal(race.filter((r) => r.status === 201).length, 1);
    const losers = race.filter((r) => r.status !== 201);
    assert.ok(losers.every((r) => r.status === 409));
    assert.deepEqual(
      (losers[0]?.body as Problem).errors.map((e) => [e.path, e.code]),
      [['values.company_name', 'UNIQUE']],
    );
  });

  it('hands out serial numbers without gaps or duplicates under concurrency', async () => {
    const created = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        as.post<RecordBody>(base(), { values: { ...qiming, company_name: `并发测试公司${i}号` } }),
      ),
    );
    assert.ok(created.every((c) => c.status === 201));
    const list = await as.get<ListBody>(`${base()}?limit=500`);
    const numbers = list.body.items
      .map((r) => Number(String(r.values['customer_no']).slice(-4)))
      .sort((a, b) => a - b);
    assert.deepEqual(
      numbers,
      Array.from({ length: numbers.length }, (_, i) => i + 1),
      'serials run 1..n with no gaps',
    );
  });

  it('records field-level history: who changed what from what to what', async () => {
    const created = await as.post<RecordBody>(base(), {
      values: { ...qiming, company_name: '成都天府软件有限公司' },
    });
    await as.patch(`${base()}/${created.body.id}`, {
      values: { level: 'vip', email: 'boss@tianfu.cn' },
      version: 1,
    });
    const history = await as.get<
      Array<{
        kind: string;
        actorMemberId: string;
        changes: Array<{ field: string; from: unknown; to: unknown }>;
      }>
    >(`${base()}/${created.body.id}/history`);
    const update = history.body.find((h) => h.kind === 'update');
    assert.equal(update?.actorMemberId, owner.member.id);
    assert.deepEqual(
      update?.changes.sort((a, b) => a.field.localeCompare(b.field)),
      [
        { field: 'email', from: null, to: 'boss@tianfu.cn' },
        { field: 'level', from: 'important', to: 'vip' },
      ],
    );
  });

  it('soft-deletes and restores', async () => {
    const created = await as.post<RecordBody>(base(), {
      values: { ...qiming, company_name: '武汉光谷生物有限公司' },
    });
    assert.equal((await as.delete(`${base()}/${created.body.id}`)).status, 204);
    const list = await as.get<ListBody>(`${base()}?limit=500`);
    assert.ok(!list.body.items.some((r) => r.id === created.body.id));
    const deleted = await as.get<ListBody>(`${base()}?deleted=true`);
    assert.ok(deleted.body.items.some((r) => r.id === created.body.id));
    const restored = await as.post<RecordBody>(`${base()}/${created.body.id}/restore`);
    assert.equal(restored.status, 200);
    assert.equal(restored.body.deletedAt, null);
  });

  it('keeps drafts to their author, checks them for types only, and validates fully on submit', async () => {
    const draft = await as.post<RecordBody>(base(), {
      values: { company_name: '草稿公司' },
      draft: true,
    });
    assert.equal(draft.status, 201, JSON.stringify(draft.body));
    assert.equal(draft.body.isDraft, true);
    const badType = await as.post<Problem>(base(), {
      values: { company_name: '草稿2', annual_revenue: 'abc' },
      draft: true,
    });
    assert.equal(badType.status, 400, 'types are still checked');
    const submit = await as.post<Problem>(`${base()}/${draft.body.id}/submit`);
    assert.equal(submit.status, 400);
    assert.ok(submit.body.errors.some((e) => e.path === 'values.phone'));
    await as.patch(`${base()}/${draft.body.id}`, {
      values: { contact_name: '周杰', phone: '13900001111' },
      version: 1,
    });
    const done = await as.post<RecordBody>(`${base()}/${draft.body.id}/submit`);
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.isDraft, false);
    assert.match(String(done.body.values['customer_no']), /^KH-/, 'numbered on submit');
  });

  it('pages with a keyset cursor without duplicates or gaps, sorted by a field', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `${base()}?limit=7&sort=company_name${cursor === null ? '' : `&cursor=${cursor}`}`;
      const page: { body: ListBody } = await as.get<ListBody>(url);
      seen.push(...page.body.items.map((r) => String(r.values['company_name'])));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 20);
    const all = await as.get<ListBody>(`${base()}?limit=500&count=true`);
    assert.equal(seen.length, all.body.total);
    assert.equal(new Set(seen).size, seen.length, 'no record twice');
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });

  it('finds records by a Chinese substring and by digits of a phone', async () => {
    const byName = await as.get<ListBody>(`${base()}?q=${encodeURIComponent('启明')}`);
    assert.ok(byName.body.items.length >= 1);
    assert.ok(byName.body.items.every((r) => String(r.values['company_name']).includes('启明')));
    const none = await as.get<ListBody>(`${base()}?q=${encodeURIComponent('不存在的公司')}`);
    assert.equal(none.body.items.length, 0);
  });

  it('refuses sorts on unknown fields with a located 400', async () => {
    const response = await as.get<Problem>(`${base()}?sort=nope`);
    assert.equal(response.status, 400);
    assert.equal(response.body.errors[0]?.path, 'sort');
  });
});

describe('field policies on records', () => {
  let t: TestApp;
  let as: HttpClient;
  let rep: HttpClient;
  let form: FormInfo;
  let repSession: Session;
  const base = () => `/api/forms/${form.id}/records`;

  before(async () => {
    t = await startTestApp();
    const http = new HttpClient(t.baseUrl);
    const owner = await signupOwner(http);
    as = http.as(owner.accessToken);
    const appId = await createApp(as);
    form = await publishForm(
      as,
      appId,
      'customer',
      { 'zh-CN': '客户', en: 'Customer' },
      CUSTOMER_SCHEMA,
    );
    await as.post('/api/roles', {
      key: 'sales_rep',
      name: { 'zh-CN': '销售代表', en: 'Sales rep' },
      permissions: {
        forms: {
          [form.id]: {
            actions: ['create', 'read', 'update'],
            rowScope: 'all',
            fields: { phone: 'masked', annual_revenue: 'hidden', level: 'read_only' },
          },
        },
      },
    });
    repSession = await addMember(http, owner, {
      email: 'wangfang@qiming.cn',
      name: '王芳',
      roleKeys: ['sales_rep'],
    });
    rep = http.as(repSession.accessToken);
    await as.post(base(), { values: qiming });
  });
  after(() => t.close());

  it('masks the phone of records the viewer does not own and hides hidden fields', async () => {
    const list = await rep.get<ListBody>(base());
    const record = list.body.items[0];
    assert.equal(record?.values['phone'], '138****8000');
    assert.deepEqual(record?.masked, ['phone']);
    assert.ok(!('annual_revenue' in (record?.values ?? {})));
    const { annual_revenue: _hidden, ...visible } = qiming;
    const own = await rep.post<RecordBody>(base(), {
      values: { ...visible, company_name: '王芳的客户', level: 'normal' },
    });
    assert.equal(own.status, 201, JSON.stringify(own.body));
    assert.equal(own.body.values['phone'], '13812348000', 'the owner sees the full phone');
  });

  it('refuses writes to hidden and read-only fields with 403 and the field named', async () => {
    const list = await rep.get<ListBody>(base());
    const target = list.body.items.find((r) => r.values['company_name'] === qiming.company_name);
    const hidden = await rep.patch<Problem>(`${base()}/${target?.id}`, {
      values: { annual_revenue: '1' },
      version: target?.version,
    });
    assert.equal(hidden.status, 403);
    assert.deepEqual(
      hidden.body.errors.map((e) => [e.path, e.code]),
      [['values.annual_revenue', 'FIELD_HIDDEN']],
    );
    const readOnly = await rep.patch<Problem>(`${base()}/${target?.id}`, {
      values: { level: 'vip' },
      version: target?.version,
    });
    assert.equal(readOnly.status, 403);
    assert.ok(
      readOnly.body.errors.some((e) => e.path === 'values.level' && e.code === 'FIELD_READ_ONLY'),
    );
  });

  it('refuses sorting on a hidden field even when nothing would match', async () => {
    const response = await rep.get<Problem>(
      `${base()}?sort=-annual_revenue&q=${encodeURIComponent('没有这家公司')}`,
    );
    assert.equal(response.status, 403);
    assert.equal(response.body.errors[0]?.code, 'FIELD_NOT_READABLE');
  });

  it('does not let a search probe masked values', async () => {
    const probe = await rep.get<ListBody>(`${base()}?q=12348000`);
    assert.ok(
      !probe.body.items.some((r) => r.values['company_name'] === qiming.company_name),
      'the masked phone cannot be found by its digits',
    );
    const owner = await as.get<ListBody>(`${base()}?q=12348000`);
    assert.ok(owner.body.items.some((r) => r.values['company_name'] === qiming.company_name));
  });

  it('hides hidden fields from the form schema and the history', async () => {
    const schema = await rep.get<{
      schema: { fields: Array<{ id: string }> };
      fieldAccess: Record<string, string>;
    }>(`/api/forms/${form.id}`);
    assert.ok(!schema.body.schema.fields.some((f) => f.id === 'annual_revenue'));
    assert.equal(schema.body.fieldAccess['phone'], 'masked');
    const list = await as.get<ListBody>(base());
    const target = list.body.items.find((r) => r.values['company_name'] === qiming.company_name);
    const history = await rep.get<Array<{ changes: Array<{ field: string; to: unknown }> }>>(
      `${base()}/${target?.id}/history`,
    );
    const fields = history.body.flatMap((h) => h.changes.map((c) => c.field));
    assert.ok(!fields.includes('annual_revenue'));
    assert.equal(history.body[0]?.changes.find((c) => c.field === 'phone')?.to, '138****8000');
  });
});

describe('personal data requests (PIPL / GDPR)', () => {
  let t: TestApp;
  let as: HttpClient;
  let rep: HttpClient;
  let customers: FormInfo;
  let followUps: FormInfo;

  before(async () => {
    t = await startTestApp();
    const http = new HttpClient(t.baseUrl);
    const owner = await signupOwner(http);
    as = http.as(owner.accessToken);
    rep = http.as(
      (await addMember(http, owner, { email: 'zhaolei@qiming.cn', name: '赵磊' })).accessToken,
    );
    const appId = await createApp(as);
    customers = await publishForm(
      as,
      appId,
      'customer',
      { 'zh-CN': '客户', en: 'Customer' },
      CUSTOMER_SCHEMA,
    );
    followUps = await publishForm(
      as,
      appId,
      'follow_up',
      { 'zh-CN': '跟进记录', en: 'Follow-up' },
      {
        fields: [
          {
            id: 'customer',
            type: 'relation',
            label: { 'zh-CN': '客户', en: 'Customer' },
            relation: { formId: 'customer' },
            required: true,
          },
          { id: 'content', type: 'textarea', label: { 'zh-CN': '跟进内容', en: 'Notes' } },
        ],
      },
    );
  });
  after(() => t.close());

  it('exports everything about a person and then erases it everywhere, audited', async () => {
    const person = await as.post<RecordBody>(`/api/forms/${customers.id}/records`, {
      values: {
        company_name: '个体户张三',
        contact_name: '张三',
        phone: '13700001234',
        email: 'zhangsan@example.cn',
        level: 'normal',
      },
    });
    await as.patch(`/api/forms/${customers.id}/records/${person.body.id}`, {
      values: { phone: '13700005678' },
      version: 1,
    });
    await as.post(`/api/forms/${followUps.id}/records`, {
      values: { customer: person.body.id, content: '电话沟通，张三对报价满意' },
    });

    assert.equal(
      (await rep.get(`/api/forms/${customers.id}/records/${person.body.id}/personal-data`)).status,
      403,
      'needs manage',
    );
    const exported = await as.get<{
      record: { values: Record<string, unknown> };
      history: unknown[];
      referencedBy: Array<{ formKey: string; values: Record<string, unknown> }>;
    }>(`/api/forms/${customers.id}/records/${person.body.id}/personal-data`);
    assert.equal(exported.status, 200);
    assert.equal(exported.body.record.values['email'], 'zhangsan@example.cn');
    assert.equal(exported.body.history.length, 2);
    assert.deepEqual(
      exported.body.referencedBy.map((r) => r.formKey),
      ['follow_up'],
    );

    const erased = await as.post<{ erased: string[] }>(
      `/api/forms/${customers.id}/records/${person.body.id}/erase`,
      {},
    );
    assert.equal(erased.status, 200, JSON.stringify(erased.body));
    assert.ok(erased.body.erased.includes('phone') && erased.body.erased.includes('contact_name'));
    const after = await as.get<RecordBody>(`/api/forms/${customers.id}/records/${person.body.id}`);
    assert.equal(after.body.values['phone'], null);
    assert.equal(after.body.values['level'], 'normal', 'non-personal fields stay for statistics');
    const history = await as.get<
      Array<{ changes: Array<{ field: string; from: unknown; to: unknown }> }>
    >(`/api/forms/${customers.id}/records/${person.body.id}/history`);
    const texts = JSON.stringify(history.body);
    assert.ok(
      !texts.includes('13700001234') &&
        !texts.includes('13700005678') &&
        !texts.includes('zhangsan@'),
      'the history no longer holds the old values',
    );
    const found = await as.get<{ items: unknown[] }>(
      `/api/forms/${customers.id}/records?q=${encodeURIComponent('张三')}`,
    );
    assert.ok(!JSON.stringify(found.body.items).includes('13700005678'));
    const db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    const audit = await db.query(
      `SELECT action, target FROM audit_log WHERE action = 'record.erase'`,
    );
    await db.end();
    assert.equal(audit.rows.length, 1);
    assert.ok(
      !JSON.stringify(audit.rows[0]).includes('13700005678'),
      'the audit names fields, never values',
    );
  });
});
