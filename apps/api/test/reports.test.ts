import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { statementTrace } from '../src/database/database.service.js';
import { createApp, CUSTOMER_SCHEMA, publishForm } from './support/forms.js';
import { HttpClient, type Problem, type Session } from './support/http.js';
import { addMember, signupOwner } from './support/people.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type Row = {
  keys: Record<string, unknown>;
  values: Record<string, number | null>;
  level: string;
  drill?: unknown;
};
type Result = {
  result: { rows: Row[]; total: Row | null; truncated: boolean };
  chartOption?: Record<string, unknown>;
};

const OPPORTUNITY = {
  fields: [
    { id: 'title', type: 'text', label: { 'zh-CN': '商机名称', en: 'Title' }, required: true },
    {
      id: 'customer',
      type: 'relation',
      label: { 'zh-CN': '客户', en: 'Customer' },
      relation: { formId: 'customer' },
    },
    { id: 'amount', type: 'currency', label: { 'zh-CN': '金额', en: 'Amount' } },
    {
      id: 'phase',
      type: 'select',
      label: { 'zh-CN': '阶段', en: 'Phase' },
      options: ['prospecting', 'needs_analysis', 'proposal', 'negotiation', 'won'].map((v) => ({
        value: v,
        label: v,
      })),
    },
  ],
};

describe('reports through the API', () => {
  let t: TestApp;
  let http: HttpClient;
  let owner: Session;
  let rep: Session;
  let appId: string;
  let customers: string;
  let opportunities: string;

  before(async () => {
    t = await startTestApp({ env: { TRELLIS_SQL_TRACE: '1' } });
    http = new HttpClient(t.baseUrl);
    owner = await signupOwner(http);
    const as = http.as(owner.accessToken);
    appId = await createApp(as);
    customers = (
      await publishForm(as, appId, 'customer', { 'zh-CN': '客户', en: 'Customer' }, CUSTOMER_SCHEMA)
    ).id;
    opportunities = (
      await publishForm(
        as,
        appId,
        'opportunity',
        { 'zh-CN': '商机', en: 'Opportunity' },
        OPPORTUNITY,
      )
    ).id;
    await as.post('/api/roles', {
      key: 'sales_rep',
      name: '销售代表',
      permissions: {
        forms: {
          '*': {
            actions: ['create', 'read', 'update'],
            rowScope: 'own',
            fields: { annual_revenue: 'hidden', phone: 'masked' },
          },
        },
      },
    });
    rep = await addMember(http, owner, {
      email: 'wangfang@qiming.cn',
      name: '王芳',
      roleKeys: ['sales_rep'],
    });
    const levels = ['normal', 'normal', 'important', 'vip', 'normal', 'vip'];
    for (const [i, level] of levels.entries()) {
      // the owner creates everything; the last two customers and opportunities are handed to the rep
      const c = await as.post<{ id: string }>(`/api/forms/${customers}/records`, {
        values: {
          company_name: `客户${i}`,
          contact_name: `联系人${i}`,
          phone: `1390000000${i}`,
          level,
          annual_revenue: `${(i + 1) * 1000}.00`,
          email: `c${i}@x.cn`,
        },
      });
      assert.equal(c.status, 201, JSON.stringify(c.body));
      const phases = ['prospecting', 'needs_analysis', 'proposal', 'negotiation', 'won', 'won'];
      const o = await as.post<{ id: string }>(`/api/forms/${opportunities}/records`, {
        values: {
          title: `商机${i}`,
          customer: c.body.id,
          amount: `${(i + 1) * 10000}.00`,
          phase: phases[i],
        },
      });
      assert.equal(o.status, 201, JSON.stringify(o.body));
      if (i >= 4) {
        assert.equal(
          (
            await as.patch(`/api/forms/${customers}/records/${c.body.id}`, {
              values: {},
              version: 1,
              ownerId: rep.member.id,
            })
          ).status,
          200,
        );
        assert.equal(
          (
            await as.patch(`/api/forms/${opportunities}/records/${o.body.id}`, {
              values: {},
              version: 1,
              ownerId: rep.member.id,
            })
          ).status,
          200,
        );
      }
    }
  });
  after(() => t.close());

  const query = (token: string, spec: unknown, chart?: unknown) =>
    http.post<Result & Problem>(
      '/api/reports/query',
      { appId, spec, ...(chart !== undefined ? { chart } : {}) },
      { token },
    );

  it('groups customers by level with a count and a sum, and renders a chart option', async () => {
    const response = await query(
      owner.accessToken,
      {
        kind: 'table',
        form: 'customer',
        dimensions: [{ field: 'level' }],
        measures: [
          { id: 'n', fn: 'count' },
          { id: 'revenue', fn: 'sum', field: 'annual_revenue' },
        ],
        totals: true,
      },
      { type: 'bar' },
    );
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const byLevel = Object.fromEntries(
      response.body.result.rows
        .filter((r) => r.level !== 'total')
        .map((r) => [r.keys['level'], r.values]),
    );
    assert.deepEqual(byLevel['normal'], { n: 3, revenue: 1000 + 2000 + 5000 });
    assert.deepEqual(byLevel['vip'], { n: 2, revenue: 4000 + 6000 });
    assert.equal(response.body.result.total?.values['n'], 6);
    assert.ok(response.body.chartOption !== undefined && 'series' in response.body.chartOption);
  });

  it('runs a funnel over the opportunity phases with step conversion', async () => {
    const response = await query(
      owner.accessToken,
      {
        kind: 'funnel',
        form: 'opportunity',
        funnel: {
          field: 'phase',
          stages: ['prospecting', 'needs_analysis', 'proposal', 'negotiation', 'won'],
        },
        measures: [{ id: 'n', fn: 'count' }],
      },
      { type: 'funnel' },
    );
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const counts = response.body.result.rows.map((r) => r.values['n']);
    assert.deepEqual(
      counts,
      [6, 5, 4, 3, 2],
      'reached mode: a record counts at every stage up to its own',
    );
  });

  it('joins along a relation (opportunity amount by customer level)', async () => {
    const response = await query(owner.accessToken, {
      kind: 'table',
      form: 'opportunity',
      dimensions: [{ field: 'customer.level' }],
      measures: [{ id: 'amount', fn: 'sum', field: 'amount' }],
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const vip = response.body.result.rows.find((r) => r.keys['customer__level'] === 'vip');
    assert.equal(vip?.values['amount'], 40000 + 60000);
  });

  it("never counts a row outside the viewer's row scope", async () => {
    const response = await query(rep.accessToken, {
      kind: 'table',
      form: 'customer',
      measures: [{ id: 'n', fn: 'count' }],
      totals: true,
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const n = response.body.result.total?.values['n'] ?? response.body.result.rows[0]?.values['n'];
    assert.equal(n, 2, 'the rep owns two customers');
    const joined = await query(rep.accessToken, {
      kind: 'table',
      form: 'opportunity',
      dimensions: [{ field: 'customer.level' }],
      measures: [{ id: 'n', fn: 'count' }],
    });
    assert.equal(joined.status, 200, JSON.stringify(joined.body));
    const total = joined.body.result.rows.reduce((sum, r) => sum + (r.values['n'] ?? 0), 0);
    assert.equal(total, 2);
  });

  for (const [position, spec] of [
    [
      'dimension',
      {
        kind: 'table',
        form: 'customer',
        dimensions: [{ field: 'annual_revenue' }],
        measures: [{ id: 'n', fn: 'count' }],
      },
    ],
    [
      'measure',
      {
        kind: 'table',
        form: 'customer',
        measures: [{ id: 's', fn: 'sum', field: 'annual_revenue' }],
      },
    ],
    [
      'filter',
      {
        kind: 'table',
        form: 'customer',
        measures: [{ id: 'n', fn: 'count' }],
        filter: { field: 'annual_revenue', op: 'gt', value: 999999999 },
      },
    ],
    [
      'masked field as a dimension',
      {
        kind: 'table',
        form: 'customer',
        dimensions: [{ field: 'phone' }],
        measures: [{ id: 'n', fn: 'count' }],
      },
    ],
    [
      'through a relation',
      {
        kind: 'table',
        form: 'opportunity',
        dimensions: [{ field: 'customer.annual_revenue' }],
        measures: [{ id: 'n', fn: 'count' }],
      },
    ],
  ] as const) {
    it(`refuses a field the viewer cannot read in a ${position} with 403, even when nothing matches`, async () => {
      const response = await query(rep.accessToken, spec);
      assert.equal(response.status, 403, JSON.stringify(response.body));
      assert.ok(response.body.errors.some((e) => e.code === 'FIELD_NOT_READABLE'));
    });
  }

  it('refuses hostile identifiers in every position at normalisation, and none reaches SQL', async () => {
    statementTrace.texts.length = 0;
    const hostile = [
      'level"; DROP TABLE app; --',
      'pg_sleep(5)',
      'ｌｅｖｅｌ',
      'level)--',
      '__proto__',
    ];
    for (const h of hostile) {
      const specs = [
        {
          kind: 'table',
          form: 'customer',
          dimensions: [{ field: h }],
          measures: [{ id: 'n', fn: 'count' }],
        },
        { kind: 'table', form: 'customer', measures: [{ id: 'n', fn: h }] },
        { kind: 'table', form: 'customer', measures: [{ id: 's', fn: 'sum', field: h }] },
        {
          kind: 'table',
          form: 'customer',
          measures: [{ id: 'n', fn: 'count' }],
          filter: { field: h, op: 'eq', value: 1 },
        },
        {
          kind: 'table',
          form: 'customer',
          dimensions: [{ field: 'level' }],
          measures: [{ id: 'n', fn: 'count' }],
          sort: [{ by: h }],
        },
        {
          kind: 'table',
          form: 'customer',
          dimensions: [{ field: 'created_at', bucket: h }],
          measures: [{ id: 'n', fn: 'count' }],
        },
        {
          kind: 'pivot',
          form: 'customer',
          dimensions: [{ field: 'level' }],
          columns: [{ field: h }],
          measures: [{ id: 'n', fn: 'count' }],
        },
        { kind: 'table', form: h, measures: [{ id: 'n', fn: 'count' }] },
        { kind: 'table', form: 'customer', fields: [h] },
      ];
      for (const spec of specs) {
        const response = await query(owner.accessToken, spec);
        assert.equal(response.status, 400, `${JSON.stringify(spec)} answered ${response.status}`);
      }
    }
    assert.deepEqual(
      statementTrace.texts.filter((text) => hostile.some((h) => text.includes(h))),
      [],
    );
  });

  it('exports CSV with formula cells escaped, and needs the export action', async () => {
    await http.post(
      `/api/forms/${customers}/records`,
      {
        values: {
          company_name: '=HYPERLINK("http://evil","点我")',
          contact_name: '+1',
          phone: '13900009999',
        },
      },
      { token: owner.accessToken },
    );
    const spec = { kind: 'table', form: 'customer', fields: ['company_name', 'contact_name'] };
    const csv = await http.post<string>(
      '/api/reports/export',
      { appId, spec, format: 'csv' },
      { token: owner.accessToken },
    );
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    assert.ok(
      csv.body.includes(`'=HYPERLINK`) || csv.body.includes(`"'=HYPERLINK`),
      'a formula is escaped',
    );
    const xlsx = await fetch(`${t.baseUrl}/api/reports/export`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ appId, spec, format: 'xlsx' }),
    });
    assert.equal(xlsx.status, 200);
    assert.equal(
      Buffer.from(await xlsx.arrayBuffer())
        .subarray(0, 2)
        .toString(),
      'PK',
      'an XLSX is a zip',
    );
    const refused = await http.post<Problem>(
      '/api/reports/export',
      { appId, spec: { kind: 'table', form: 'customer', fields: ['company_name'] }, format: 'csv' },
      { token: rep.accessToken },
    );
    assert.equal(refused.status, 403);
  });

  it('saves reports and dashboards, and runs a saved report for the viewer', async () => {
    const as = http.as(owner.accessToken);
    const saved = await as.post<{ id: string }>(`/api/apps/${appId}/reports`, {
      name: { 'zh-CN': '客户等级分布', en: 'Customers by level' },
      spec: {
        kind: 'table',
        form: 'customer',
        dimensions: [{ field: 'level' }],
        measures: [{ id: 'n', fn: 'count' }],
      },
      chart: { type: 'pie' },
    });
    assert.equal(saved.status, 201, JSON.stringify(saved.body));
    const bad = await as.post<Problem>(`/api/apps/${appId}/reports`, {
      name: '坏报表',
      spec: { kind: 'table', form: 'customer', dimensions: [{ field: 'nope' }] },
    });
    assert.equal(bad.status, 400);
    assert.ok(bad.body.errors.every((e) => e.path.startsWith('spec')));
    const dashboard = await as.post<{ id: string }>(`/api/apps/${appId}/dashboards`, {
      name: '经理看板',
      layout: {
        items: [{ id: 'a', reportId: saved.body.id, x: 0, y: 0, w: 6, h: 4 }],
        filters: [],
      },
    });
    assert.equal(dashboard.status, 201, JSON.stringify(dashboard.body));
    const wrong = await as.post<Problem>(`/api/apps/${appId}/dashboards`, {
      name: '坏看板',
      layout: {
        items: [
          { id: 'a', reportId: '00000000-0000-4000-8000-000000000000', x: 0, y: 0, w: 6, h: 4 },
        ],
      },
    });
    assert.equal(wrong.body.errors[0]?.path, 'layout.items.0.reportId');
    const run = await http.post<Result>(`/api/reports/${saved.body.id}/run`, undefined, {
      token: rep.accessToken,
    });
    assert.equal(run.status, 200, JSON.stringify(run.body));
    assert.equal(
      run.body.result.rows.reduce((s, r) => s + (r.values['n'] ?? 0), 0),
      2,
      'run with the rep row scope',
    );
    assert.ok(run.body.chartOption !== undefined);
  });

  it('caps the number of measures and applies a statement timeout', async () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ id: `m${i}`, fn: 'count' }));
    const tooMany = await query(owner.accessToken, {
      kind: 'table',
      form: 'customer',
      measures: many,
    });
    assert.equal(tooMany.status, 400);
    const slow = await startTestApp({
      database: t.database,
      env: { REPORT_STATEMENT_TIMEOUT_MS: '10' },
    });
    try {
      const db = new pg.Client({ connectionString: t.database.url });
      await db.connect();
      const [meta] = (
        await db.query(
          `SELECT w.schema_name, f.table_name FROM form f JOIN workspace w ON w.id = f.workspace_id WHERE f.id = $1`,
          [customers],
        )
      ).rows as Array<{ schema_name: string; table_name: string }>;
      await db.query(
        `INSERT INTO "${meta?.schema_name}"."${meta?.table_name}" (owner_id, created_by, company_name, level) SELECT $1::uuid, $1::uuid, 'bulk' || g, (ARRAY['normal','vip','important'])[1 + g % 3] FROM generate_series(1, 30000) g`,
        [owner.member.id],
      );
      await db.end();
      const response = await new HttpClient(slow.baseUrl).post<Problem>(
        '/api/reports/query',
        {
          appId,
          spec: {
            kind: 'pivot',
            form: 'customer',
            dimensions: [{ field: 'company_name' }],
            columns: [{ field: 'level' }],
            measures: [{ id: 'n', fn: 'count_distinct', field: 'company_name' }],
          },
        },
        { token: owner.accessToken },
      );
      assert.equal(response.status, 503, JSON.stringify(response.body).slice(0, 300));
      assert.match(response.body.detail, /too long/);
      const capped = await query(owner.accessToken, {
        kind: 'table',
        form: 'customer',
        dimensions: [{ field: 'company_name' }],
        measures: [{ id: 'n', fn: 'count' }],
      });
      assert.equal(capped.status, 200);
      assert.equal(
        capped.body.result.truncated,
        true,
        'a high-cardinality result is capped and says so',
      );
      assert.ok(capped.body.result.rows.length <= 10_000);
    } finally {
      await slow.app.close();
      await slow.runtime.stop();
    }
  });
});
