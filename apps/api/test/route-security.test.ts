import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { RouteCatalog, type RouteInfo } from '../src/common/http/route-catalog.js';
import { createApp, CUSTOMER_SCHEMA, publishForm } from './support/forms.js';
import { HttpClient, type Session } from './support/http.js';
import { fixture, uploadFile } from './support/imports.js';
import { addMember, signupOwner } from './support/people.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The reviewed list of routes anyone may call without signing in. Adding a
 * public route means changing this list in a reviewed commit.
 */
const PUBLIC_ROUTES = [
  'GET /api/forms/:formId/versions/:version/validator.mjs',
  'GET /api/health',
  'POST /api/auth/login',
  'POST /api/auth/logout',
  'POST /api/auth/refresh',
  'POST /api/auth/signup',
];

/**
 * A valid body for each route that takes one, so that a refusal is about who
 * asks and not about the payload. A new route with a body must be added here.
 */
const BODIES: Record<string, (ids: Record<string, string>) => unknown> = {
  'POST /api/apps/:appId/forms': () => ({ key: 'intrusion', name: '越权' }),
  'PATCH /api/apps/:appId': () => ({ name: '越权' }),
  'PUT /api/forms/:formId': () => ({ schema: { fields: [] } }),
  'PUT /api/forms/:formId/flow': () => ({
    definition: {
      id: 'x',
      initial: 'a',
      states: [{ id: 'a', label: 'a', kind: 'final', order: 1 }],
      transitions: [],
    },
  }),
  'POST /api/forms/:formId/records': () => ({ values: { company_name: '越权测试' } }),
  'POST /api/forms/:formId/records/bulk': () => ({
    records: [{ values: { company_name: '越权测试' } }],
  }),
  'PATCH /api/forms/:formId/records/bulk': (ids) => ({
    records: [{ id: ids['recordId'], version: 1, values: { contact_name: '越权' } }],
  }),
  'PATCH /api/forms/:formId/records/:recordId': () => ({
    values: { contact_name: '越权' },
    version: 1,
  }),
  'POST /api/forms/:formId/records/:recordId/transitions': () => ({ event: 'analyse' }),
  'POST /api/approvals/:id/decision': () => ({ kind: 'approve' }),
  'PATCH /api/members/:id': () => ({ displayName: '越权' }),
  'PATCH /api/teams/:id': () => ({ name: '越权' }),
  'PATCH /api/roles/:id': () => ({ name: '越权' }),
  'POST /api/apps/:appId/rules': () => ({ definition: AUTOMATION_RULE('intrusion') }),
  'PUT /api/apps/:appId/rules/:ruleId': () => ({ definition: AUTOMATION_RULE('b_rule') }),
  'POST /api/rules/:ruleId/test': () => ({ record: { company_name: '越权测试' } }),
  'POST /api/rule-runs/replay': (ids) => ({ runIds: [ids['runId']] }),
  'PATCH /api/webhooks/:webhookId': () => ({ name: '越权' }),
  'PUT /api/calendars/teams/:teamId': () => ({
    calendar: { timeZone: 'Asia/Shanghai', periods: [{ start: '00:00', end: '24:00' }] },
  }),
  'POST /api/apps/:appId/reports': () => ({
    name: '越权',
    spec: { kind: 'table', form: 'customer', measures: [{ id: 'n', fn: 'count' }] },
  }),
  'PATCH /api/reports/:id': () => ({ name: '越权' }),
  'POST /api/apps/:appId/dashboards': () => ({ name: '越权', layout: { items: [] } }),
  'PATCH /api/dashboards/:id': () => ({ name: '越权' }),
  'POST /api/forms/:formId/views': () => ({ name: '越权视图' }),
  'PATCH /api/views/:viewId': () => ({ name: '越权' }),
  'PUT /api/imports/:id/mapping': () => ({ columns: [{ column: 0, field: 'company_name' }] }),
  'POST /api/imports/:id/commit': () => ({ mode: 'skip_bad_rows' }),
};
const BODILESS = new Set(['GET', 'DELETE']);

function AUTOMATION_RULE(id: string): Record<string, unknown> {
  return {
    id,
    name: '越权规则',
    form: 'customer',
    trigger: { type: 'record_created' },
    actions: [{ type: 'notify', channel: 'in_app', to: [{ type: 'owner' }], title: '越权' }],
  };
}

function bodyFor(route: RouteInfo, ids: Record<string, string> = {}): unknown {
  const make = BODIES[`${route.method} ${route.path}`];
  return make === undefined ? (BODILESS.has(route.method) ? undefined : {}) : make(ids);
}

describe('deny by default and tenant isolation, generated from the route table', () => {
  let t: TestApp;
  let http: HttpClient;
  let routes: RouteInfo[];
  let a: Session;
  let b: Session;
  const ids: Record<string, string> = {};

  before(async () => {
    t = await startTestApp({ env: { TRELLIS_SIGNUP: 'open' } });
    http = new HttpClient(t.baseUrl);
    routes = t.app.get(RouteCatalog).routes();
    a = await signupOwner(http, 'zhangwei@qiming.cn', '张伟', '启明科技');
    b = await signupOwner(http, 'chenjing@yunfan.cn', '陈静', '云帆电商');
    const asB = http.as(b.accessToken);
    ids['appId'] = await createApp(asB);
    const form = await publishForm(
      asB,
      ids['appId'],
      'customer',
      { 'zh-CN': '客户', en: 'Customer' },
      CUSTOMER_SCHEMA,
    );
    ids['formId'] = form.id;
    const record = await asB.post<{ id: string }>(`/api/forms/${form.id}/records`, {
      values: { company_name: '云帆电商', contact_name: '陈静', phone: '13900001111' },
    });
    ids['recordId'] = record.body.id;
    ids['team'] = (await asB.post<{ id: string }>('/api/teams', { name: '云帆销售部' })).body.id;
    ids['role'] =
      (await asB.get<Array<{ id: string; key: string }>>('/api/roles')).body.find(
        (r) => r.key === 'member',
      )?.id ?? '';
    ids['member'] = (
      await addMember(http, b, { email: 'liuyang@yunfan.cn', name: '刘洋' })
    ).member.id;
    ids['version'] = '1';
    ids['report'] = (
      await asB.post<{ id: string }>(`/api/apps/${ids['appId']}/reports`, {
        name: '云帆报表',
        spec: { kind: 'table', form: 'customer', measures: [{ id: 'n', fn: 'count' }] },
      })
    ).body.id;
    ids['dashboard'] = (
      await asB.post<{ id: string }>(`/api/apps/${ids['appId']}/dashboards`, {
        name: '云帆看板',
        layout: { items: [] },
      })
    ).body.id;
    ids['viewId'] = (
      await asB.post<{ id: string }>(`/api/forms/${form.id}/views`, {
        name: '云帆重点客户',
        shared: true,
        filter: { field: 'level', op: 'eq', value: 'vip' },
      })
    ).body.id;
    const db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    const approval = await db.query<{ id: string }>(
      `INSERT INTO approval (workspace_id, form_id, record_id, approval_key, transition_id, status, submitted_by, assignees, state)
       VALUES ($1, $2, $3, 'customer/win#1', 'win', 'pending', $4, ARRAY[$4]::uuid[], '{}') RETURNING id`,
      [b.workspace.id, form.id, ids['recordId'], b.member.id],
    );
    ids['approval'] = approval.rows[0]?.id ?? '';
    // automation fixtures of workspace B: a rule, a run of it, a notification, a task, a webhook
    ids['ruleId'] = (
      await asB.post<{ id: string }>(`/api/apps/${ids['appId']}/rules`, {
        definition: AUTOMATION_RULE('b_rule'),
      })
    ).body.id;
    const run = await db.query<{ id: string }>(
      `INSERT INTO rule_run (workspace_id, app_id, rule_id, trigger_key, trigger, status, plan)
       VALUES ($1, $2, $3, 'fixture', '{"kind":"event","eventType":"record.created","depth":0,"record":{}}', 'dead', '[]') RETURNING id`,
      [b.workspace.id, ids['appId'], ids['ruleId']],
    );
    ids['runId'] = run.rows[0]?.id ?? '';
    const notification = await db.query<{ id: string }>(
      `INSERT INTO notification (workspace_id, member_id, kind, title) VALUES ($1, $2, 'rule.notify', '云帆') RETURNING id`,
      [b.workspace.id, b.member.id],
    );
    ids['notificationId'] = notification.rows[0]?.id ?? '';
    const task = await db.query<{ id: string }>(
      `INSERT INTO task (workspace_id, title, assignee_member_id) VALUES ($1, '云帆回访', $2) RETURNING id`,
      [b.workspace.id, b.member.id],
    );
    ids['taskId'] = task.rows[0]?.id ?? '';
    ids['webhookId'] = (
      await asB.post<{ id: string }>('/api/webhooks', {
        name: '云帆订单系统',
        kind: 'webhook',
        url: 'https://hooks.yunfan.example.com/trellis',
      })
    ).body.id;
    ids['teamId'] = ids['team'];
    const upload = await uploadFile(
      t.baseUrl,
      b.accessToken,
      form.id,
      'customers-utf8.csv',
      await fixture('customers-utf8.csv'),
    );
    assert.equal(upload.status, 201, JSON.stringify(upload.body));
    ids['import'] = upload.body.id;
    await db.end();
  });
  after(() => t.close());

  it('has exactly the reviewed public routes', () => {
    assert.deepEqual(
      routes
        .filter((r) => r.public)
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
      PUBLIC_ROUTES,
    );
  });

  it('answers every other route with 401 without a valid token', async () => {
    const tokens: Array<[string, string | null]> = [
      ['no token', null],
      ['garbage', 'abc.def.ghi'],
    ];
    for (const route of routes.filter((r) => !r.public)) {
      const path = route.path.replace(/:[a-zA-Z]+/g, '00000000-0000-4000-8000-000000000000');
      for (const [title, token] of tokens) {
        const response = await http.request(route.method, path, { token, body: bodyFor(route) });
        assert.equal(
          response.status,
          401,
          `${route.method} ${route.path} (${title}) answered ${response.status}`,
        );
      }
    }
  });

  it('does not open routes through path tricks', async () => {
    for (const path of [
      '/api/me/',
      '/API/me',
      '/api/ME',
      '/api/me.json',
      '/api/me;x=1',
      '/api//me',
      '/api/./me',
      '/api/%6de',
    ]) {
      const response = await http.get(path, { token: null });
      assert.ok(
        response.status === 401 || response.status === 404,
        `${path} answered ${response.status}`,
      );
    }
  });

  it("answers workspace A's token with 404 on every route holding workspace B's ids, and changes nothing", async () => {
    const db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    t.cleanups.push(() => db.end());
    const snapshot = async () =>
      (
        await db.query(
          `SELECT (SELECT json_agg(a ORDER BY id) FROM app a WHERE workspace_id = $1) AS apps,
                  (SELECT json_agg(f.draft_revision ORDER BY id) FROM form f WHERE workspace_id = $1) AS forms,
                  (SELECT json_agg(t ORDER BY id) FROM team t WHERE workspace_id = $1) AS teams,
                  (SELECT json_agg(r.permissions ORDER BY id) FROM role r WHERE workspace_id = $1) AS roles,
                  (SELECT json_agg(m.status ORDER BY id) FROM member m WHERE workspace_id = $1) AS members,
                  (SELECT count(*) FROM record_history WHERE workspace_id = $1) AS history,
                  (SELECT json_agg(j.status ORDER BY id) FROM import_job j WHERE workspace_id = $1) AS imports,
                  (SELECT json_agg(v ORDER BY id) FROM saved_view v WHERE workspace_id = $1) AS views`,
          [b.workspace.id],
        )
      ).rows[0] as unknown;
    const before = await snapshot();
    const asA = http.as(a.accessToken);
    const checked: string[] = [];
    for (const route of routes.filter((r) => !r.public && r.path.includes(':'))) {
      const path = route.path.replace(/:([a-zA-Z]+)/g, (_m, name: string) => {
        const key = name === 'id' ? resourceOf(route.path) : name;
        const value = ids[key];
        assert.ok(
          value !== undefined,
          `no workspace-B fixture for :${name} in ${route.method} ${route.path}; add one to this test`,
        );
        return value;
      });
      const response = await asA.request(route.method, path, { body: bodyFor(route, ids) });
      assert.equal(
        response.status,
        404,
        `${route.method} ${route.path} answered ${response.status}: ${JSON.stringify(response.body).slice(0, 200)}`,
      );
      checked.push(`${route.method} ${route.path}`);
    }
    assert.ok(checked.length >= 20, `only ${checked.length} routes checked`);
    assert.deepEqual(await snapshot(), before, 'nothing of workspace B changed');
  });
});

/** Which kind of resource a bare :id names, by the collection it sits under. */
function resourceOf(path: string): string {
  const collection = /\/api\/([a-z-]+)\/:id/.exec(path)?.[1];
  switch (collection) {
    case 'members':
      return 'member';
    case 'teams':
      return 'team';
    case 'roles':
      return 'role';
    case 'approvals':
      return 'approval';
    case 'reports':
      return 'report';
    case 'dashboards':
      return 'dashboard';
    case 'imports':
      return 'import';
    default:
      return `unmapped collection "${collection ?? path}"`;
  }
}
