import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type Bundle,
  generateSampleData,
  normalizeBundle,
  validateBundle,
} from '@trellis/app-bundle';
import pg from 'pg';
import { readBundleSource } from '../src/templates/read-bundle-source.js';
import { HttpClient, type Problem, type Session } from './support/http.js';
import { signupOwner } from './support/people.js';
import { REPO_ROOT } from './support/spawn-server.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase } from './support/test-env.js';

const TEMPLATE = join(REPO_ROOT, 'templates', 'customer-follow-up');
/** The template's sample data at 1% of its size (the generator's `scale` option), to keep the test short. */
const SAMPLE_SCALE = 0.01;

type ImportBody = {
  appId: string;
  outcome: string;
  created: Record<string, number>;
  sampleRecords: Record<string, number>;
  warnings: string[];
};
type ConflictBody = Problem & {
  upgrade: {
    appId: string;
    installedVersion: string;
    offeredVersion: string;
    diff: { forms: { added: string[]; changed: string[] }; rules: { added: string[] } };
  };
};

async function templateBundle(): Promise<Bundle> {
  const source = await readBundleSource(TEMPLATE);
  assert.ok(source.ok, JSON.stringify(source));
  const normalized = normalizeBundle(source.bundle);
  assert.ok(!Array.isArray(normalized), JSON.stringify(normalized));
  return normalized.bundle;
}

/** What makes two apps equal: the bundle without ids of the workspace, keys sorted. */
function comparable(bundle: Bundle): unknown {
  return JSON.parse(JSON.stringify(bundle)) as unknown;
}

function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // the npm script's entry point; the tree is already built, so it skips install and build
    const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'trellis.mjs'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, INIT_CWD: REPO_ROOT, TRELLIS_NO_BUILD: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('app bundles: template import, upgrade and export', () => {
  let t: TestApp;
  let http: HttpClient;
  let db: pg.Client;
  let a: Session;
  let b: Session;
  let bundle: Bundle;
  let appId: string;

  const counts = async (workspaceId: string) =>
    (
      await db.query<{ apps: string; forms: string; tables: string }>(
        `SELECT (SELECT count(*) FROM app WHERE workspace_id = $1) AS apps,
                (SELECT count(*) FROM form WHERE workspace_id = $1) AS forms,
                (SELECT count(*) FROM pg_tables WHERE schemaname = (SELECT schema_name FROM workspace WHERE id = $1)) AS tables`,
        [workspaceId],
      )
    ).rows[0];

  before(async () => {
    t = await startTestApp({ env: { TRELLIS_SIGNUP: 'open' } });
    http = new HttpClient(t.baseUrl);
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    t.cleanups.push(() => db.end());
    a = await signupOwner(http, 'zhangwei@qiming.cn', '张伟', '启明科技');
    b = await signupOwner(http, 'chenjing@yunfan.cn', '陈静', '云帆电商');
    bundle = await templateBundle();
  });
  after(() => t.close());

  it('imports the customer follow-up template: tables, flows, rules, reports, dashboards', async () => {
    const asA = http.as(a.accessToken);
    const response = await asA.post<ImportBody>('/api/templates/import', { bundle });
    assert.equal(response.status, 201, JSON.stringify(response.body).slice(0, 2000));
    appId = response.body.appId;
    assert.equal(response.body.created['forms'], bundle.forms.length);
    assert.equal(response.body.created['rules'], bundle.rules.length);

    const app = await asA.get<{
      templateKey: string;
      forms: Array<{ key: string; publishedVersion: number }>;
    }>(`/api/apps/${appId}`);
    assert.equal(app.body.templateKey, bundle.key);
    assert.deepEqual(app.body.forms.map((f) => f.key).sort(), bundle.forms.map((f) => f.id).sort());
    assert.ok(app.body.forms.every((f) => f.publishedVersion === 1));
    const tables = await db.query(
      `SELECT f.key FROM form f JOIN pg_tables p ON p.tablename = f.table_name AND p.schemaname = $2 WHERE f.app_id = $1`,
      [appId, await schemaOf(a.workspace.id)],
    );
    assert.equal(tables.rowCount, bundle.forms.length, 'every form is a real table');

    const opportunity = app.body.forms.find((f) => f.key === 'opportunity') as unknown as {
      id: string;
    };
    const flow = await asA.get<{ publishedVersion: number }>(`/api/forms/${opportunity.id}/flow`);
    assert.equal(flow.status, 200);
    assert.equal(flow.body.publishedVersion, 1);
    const rules = await asA.get<unknown[]>(`/api/apps/${appId}/rules`);
    assert.equal(rules.body.length, bundle.rules.length);
    const reports = await asA.get<unknown[]>(`/api/apps/${appId}/reports`);
    assert.equal(reports.body.length, bundle.reports.length);
    const dashboards = await asA.get<unknown[]>(`/api/apps/${appId}/dashboards`);
    assert.equal(dashboards.body.length, bundle.dashboards.length);
    const roles = await asA.get<Array<{ key: string }>>('/api/roles');
    for (const role of bundle.roles)
      assert.ok(
        roles.body.some((r) => r.key === role.key),
        `role ${role.key}`,
      );
  });

  it('answers a second import of the same template with 409 and an upgrade offer', async () => {
    const before = await counts(a.workspace.id);
    const next = { ...bundle, version: '1.1.0' };
    const response = await http.as(a.accessToken).post<ConflictBody>('/api/templates/import', {
      bundle: next,
    });
    assert.equal(response.status, 409, JSON.stringify(response.body).slice(0, 500));
    assert.equal(response.body.errors[0]?.code, 'TEMPLATE_INSTALLED');
    assert.equal(response.body.upgrade.appId, appId);
    assert.equal(response.body.upgrade.installedVersion, bundle.version);
    assert.equal(response.body.upgrade.offeredVersion, '1.1.0');
    assert.deepEqual(response.body.upgrade.diff.forms.added, []);
    assert.deepEqual(await counts(a.workspace.id), before);
  });

  it('upgrades the installed app keeping its records: a new field, a new rule, a new report', async () => {
    const asA = http.as(a.accessToken);
    const app = await asA.get<{ forms: Array<{ id: string; key: string }> }>(`/api/apps/${appId}`);
    const customer = app.body.forms.find((f) => f.key === 'customer') as { id: string };
    const customerSchema = bundle.forms.find((f) => f.id === 'customer') as Bundle['forms'][number];
    const required = customerSchema.fields.filter(
      (f) => (f as { required?: unknown }).required === true,
    );
    // the required values of the generator's first customer: canonical for the form
    const first = generateSampleData(bundle, { now: new Date().toISOString(), scale: 0.001 })
      .records('customer')
      .next().value as { values: Record<string, unknown> };
    const values: Record<string, unknown> = {};
    for (const f of required) values[f.id] = first.values[f.id];
    const record = await asA.post<{ id: string }>(`/api/forms/${customer.id}/records`, { values });
    assert.equal(record.status, 201, JSON.stringify(record.body).slice(0, 1000));

    const next: Bundle = structuredClone(bundle);
    next.version = '1.1.0';
    const form = next.forms.find((f) => f.id === 'customer') as Bundle['forms'][number];
    (form.fields as unknown[]).push({
      id: 'wechat_id',
      type: 'text',
      label: { 'zh-CN': '微信号', en: 'WeChat ID' },
    });
    const rule = structuredClone(next.rules[0]) as Bundle['rules'][number];
    rule.id = `${rule.id}_v11`;
    next.rules.push(rule);
    const report = structuredClone(next.reports[0]) as Bundle['reports'][number];
    report.id = `${report.id}_v11`;
    next.reports.push(report);
    assert.deepEqual(validateBundle(next), []);

    const upgraded = await asA.post<ImportBody>('/api/templates/import', {
      bundle: next,
      upgrade: { appId },
    });
    assert.equal(upgraded.status, 201, JSON.stringify(upgraded.body).slice(0, 2000));
    assert.equal(upgraded.body.outcome, 'upgraded');
    assert.equal(upgraded.body.created['rules'], 1);
    assert.equal(upgraded.body.created['reports'], 1);
    const kept = await asA.get<{ values: Record<string, unknown> }>(
      `/api/forms/${customer.id}/records/${record.body.id}`,
    );
    assert.equal(kept.status, 200);
    for (const f of required) assert.notEqual(kept.body.values[f.id], undefined);
    const published = await asA.get<{
      publishedVersion: number;
      schema: { fields: Array<{ id: string }> };
    }>(`/api/forms/${customer.id}`);
    assert.equal(published.body.publishedVersion, 2);
    assert.ok(published.body.schema.fields.some((f) => f.id === 'wechat_id'));
    const rules = await asA.get<unknown[]>(`/api/apps/${appId}/rules`);
    assert.equal(rules.body.length, next.rules.length);
    const app2 = await asA.get<{ templateVersion: string }>(`/api/apps/${appId}`);
    assert.equal(app2.body.templateVersion, '1.1.0');
    bundle = next;
  });

  it('exports the app as a valid bundle that re-imports into another workspace as an equal app', async () => {
    const exported = await http.as(a.accessToken).get<Bundle>(`/api/apps/${appId}/export`);
    assert.equal(exported.status, 200);
    assert.deepEqual(validateBundle(exported.body), []);
    assert.deepEqual(
      exported.body.forms.map((f) => f.id),
      bundle.forms.map((f) => f.id),
    );
    assert.deepEqual(exported.body.forms, bundle.forms, 'forms and fields as in the bundle');
    assert.deepEqual(
      exported.body.flows.map((f) => f.formId),
      bundle.flows.map((f) => f.formId),
    );
    assert.deepEqual(
      exported.body.rules.map((r) => r.id),
      bundle.rules.map((r) => r.id),
    );
    assert.deepEqual(
      exported.body.reports.map((r) => [r.id, r.spec]),
      bundle.reports.map((r) => [r.id, r.spec]),
    );

    const asB = http.as(b.accessToken);
    const imported = await asB.post<ImportBody>('/api/templates/import', { bundle: exported.body });
    assert.equal(imported.status, 201, JSON.stringify(imported.body).slice(0, 2000));
    const again = await asB.get<Bundle>(`/api/apps/${imported.body.appId}/export`);
    assert.equal(again.status, 200);
    assert.deepEqual(comparable(again.body), comparable(exported.body));
  });

  it('lists the shipped templates with what each workspace has installed, and installs one by its key', async () => {
    type Shipped = Array<{ key: string; version: string; installedAppId: string | null }>;
    const listA = await http.as(a.accessToken).get<Shipped>('/api/templates');
    assert.equal(listA.status, 200);
    const crm = listA.body.find((x) => x.key === bundle.key);
    assert.equal(crm?.installedAppId, appId, 'workspace A has it installed');
    // a third workspace installs it by key, as the gallery does
    const c = await signupOwner(http, 'liuyang@tianfu.cn', '刘洋', '天府软件');
    const asC = http.as(c.accessToken);
    assert.equal(
      (await asC.get<Shipped>('/api/templates')).body.find((x) => x.key === bundle.key)
        ?.installedAppId,
      null,
    );
    const installed = await asC.post<ImportBody>('/api/templates/import', { template: bundle.key });
    assert.equal(installed.status, 201, JSON.stringify(installed.body).slice(0, 500));
    assert.equal(
      (await asC.get<Shipped>('/api/templates')).body.find((x) => x.key === bundle.key)
        ?.installedAppId,
      installed.body.appId,
    );
    const unknown = await asC.post<Problem>('/api/templates/import', {
      template: 'no-such-template',
    });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.errors[0]?.path, 'template');
    const both = await asC.post<Problem>('/api/templates/import', { template: bundle.key, bundle });
    assert.equal(both.status, 400);
    assert.equal(both.body.errors[0]?.path, 'bundle');
  });

  it("answers another workspace's export with 404", async () => {
    const response = await http.as(b.accessToken).get<Problem>(`/api/apps/${appId}/export`);
    assert.equal(response.status, 404);
    const upgrade = await http
      .as(b.accessToken)
      .post<Problem>('/api/templates/import', { bundle, upgrade: { appId } });
    assert.equal(upgrade.status, 404);
  });

  it('refuses an invalid bundle with every problem located and writes nothing', async () => {
    const session = await signupOwner(http, 'wangfang@xinghe.cn', '王芳', '星河贸易');
    const before = await counts(session.workspace.id);
    const broken = structuredClone(bundle) as unknown as {
      forms: Array<{ fields: Array<Record<string, unknown>> }>;
      reports: Array<{ spec: Record<string, unknown> }>;
    };
    const field = broken.forms[2]?.fields.find((f) => Array.isArray(f['options']));
    assert.ok(field !== undefined, 'the third form has a choice field');
    field['options'] = 'not a list';
    const fieldIndex = broken.forms[2]?.fields.indexOf(field) ?? -1;
    (broken.reports[0] as { spec: Record<string, unknown> }).spec['form'] = 'no_such_form';
    const response = await http.as(session.accessToken).post<Problem>('/api/templates/import', {
      bundle: broken,
    });
    assert.equal(response.status, 400, JSON.stringify(response.body).slice(0, 500));
    assert.match(response.headers.get('content-type') ?? '', /problem\+json/);
    const paths = response.body.errors.map((e) => e.path);
    assert.ok(paths.includes(`forms.2.fields.${fieldIndex}.options`), paths.join(', '));
    assert.ok(
      paths.some((p) => p.startsWith('reports.0.spec')),
      paths.join(', '),
    );
    assert.deepEqual(await counts(session.workspace.id), before);
  });

  it('leaves nothing behind when the third form fails late, at publish', async () => {
    const session = await signupOwner(http, 'liqiang@beichen.cn', '李强', '北辰物流');
    const before = await counts(session.workspace.id);
    const third = bundle.forms[2] as Bundle['forms'][number];
    // a failure only PostgreSQL sees: publishing the third form's version is refused
    await db.query(`CREATE OR REPLACE FUNCTION trellis_test_refuse() RETURNS trigger AS $$
      BEGIN IF NEW.schema->>'id' = '${third.id}' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await db.query(
      `CREATE TRIGGER trellis_test_refuse BEFORE INSERT ON form_version FOR EACH ROW EXECUTE FUNCTION trellis_test_refuse()`,
    );
    try {
      const response = await http.as(session.accessToken).post<Problem>('/api/templates/import', {
        bundle,
      });
      assert.equal(response.status, 500);
    } finally {
      await db.query(`DROP TRIGGER trellis_test_refuse ON form_version`);
      await db.query(`DROP FUNCTION trellis_test_refuse()`);
    }
    const after = await counts(session.workspace.id);
    assert.deepEqual(after, before, 'no app, no form, no table');
    const teams = await db.query(`SELECT 1 FROM team WHERE workspace_id = $1`, [
      session.workspace.id,
    ]);
    assert.equal(teams.rowCount, 0);
  });

  it('imports with sample data: as many customers, follow-ups and opportunities as the generator makes', async () => {
    const session = await signupOwner(http, 'zhaomin@dongfang.cn', '赵敏', '东方制造');
    const result = await importWithSample(t, session, bundle);
    const now = result.now;
    const plan = generateSampleData(bundle, { now, scale: SAMPLE_SCALE }).plan;
    for (const key of ['customer', 'follow_up', 'opportunity']) {
      const table = await db.query<{ table_name: string }>(
        `SELECT table_name FROM form WHERE app_id = $1 AND key = $2`,
        [result.appId, key],
      );
      const rows = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM "${await schemaOf(session.workspace.id)}"."${table.rows[0]?.table_name}"`,
      );
      assert.equal(Number(rows.rows[0]?.n), plan.counts[key], key);
      assert.ok((plan.counts[key] ?? 0) > 0);
    }
  });

  it('creates the sample sales organisation for real: 8 reps in 2 teams who own the sample and cannot sign in', async () => {
    const session = await signupOwner(http, 'zhouxun@jinghua.cn', '周迅', '京华医疗');
    const asOwner = http.as(session.accessToken);
    const result = await importWithSample(t, session, bundle);
    // what the generator itself says, independently of the database
    const data = generateSampleData(bundle, { now: result.now, scale: SAMPLE_SCALE });
    const reps = data.members.filter((m) => m.roles.includes('sales_rep'));
    assert.equal(reps.length, 8);
    assert.equal(new Set(reps.map((m) => m.teamKey)).size, 2);
    const nameOf = new Map(data.members.map((m) => [m.id, m.name]));
    const expected = new Map<string, number>();
    let publicPool = 0;
    for (const record of data.records('customer')) {
      if (record.ownerId === null) publicPool += 1;
      else {
        const name = nameOf.get(record.ownerId) as string;
        expected.set(name, (expected.get(name) ?? 0) + 1);
      }
    }
    assert.equal(expected.size, 8, 'the generator spreads customers over its 8 reps');

    type Member = {
      id: string;
      displayName: string;
      email: string;
      isOwner: boolean;
      teamId: string | null;
      managerMemberId: string | null;
      roleKeys: string[];
    };
    const members = (await asOwner.get<Member[]>('/api/members')).body;
    const sample = members.filter((m) => m.email.endsWith('@sample.trellis.invalid'));
    assert.equal(sample.length, data.members.length, 'every person of the sample org is a member');
    assert.deepEqual(
      result.sampleMembers.map((m) => m.memberId).sort(),
      sample.map((m) => m.id).sort(),
      'the response lists the sample people',
    );
    const sampleReps = sample.filter((m) => m.roleKeys.includes('sales_rep'));
    assert.deepEqual(sampleReps.map((m) => m.displayName).sort(), reps.map((m) => m.name).sort());
    assert.ok(sampleReps.every((m) => /^[\u4e00-\u9fff]{2,3}$/.test(m.displayName)));
    const repTeams = new Set(sampleReps.map((m) => m.teamId));
    assert.equal(repTeams.size, 2, 'the reps are in 2 teams');
    const teams = (
      await asOwner.get<Array<{ id: string; name: string; managerMemberId: string | null }>>(
        '/api/teams',
      )
    ).body;
    for (const teamId of repTeams) {
      const team = teams.find((x) => x.id === teamId);
      const lead = sample.find((m) => m.id === team?.managerMemberId);
      assert.ok(
        lead?.roleKeys.includes('sales_manager'),
        `team ${team?.name} has its sales manager`,
      );
      for (const rep of sampleReps.filter((m) => m.teamId === teamId))
        assert.equal(rep.managerMemberId, lead?.id, `${rep.displayName} reports to the team lead`);
    }
    assert.ok(
      members.some((m) => m.id === session.member.id && m.isOwner),
      'the importer stays the owner of the workspace',
    );
    assert.ok(sample.every((m) => !m.isOwner));

    // no way to sign in as a sample person, whatever the password
    for (const person of sample.filter((m) => m.roleKeys.includes('sales_rep'))) {
      for (const password of ['Qiming-CRM-2026!', '!sample-person:no-password', 'x'.repeat(12)]) {
        const login = await http.post<Problem>('/api/auth/login', {
          email: person.email,
          password,
        });
        assert.equal(login.status, 401, `${person.email} / ${password}`);
      }
    }

    // the rep leaderboard groups by 8 real people, with the generator's own counts
    const report = await asOwner.post<{
      result: { rows: Array<{ keys: Record<string, unknown>; values: Record<string, unknown> }> };
    }>('/api/reports/query', {
      appId: result.appId,
      spec: {
        kind: 'table',
        form: 'customer',
        dimensions: [{ field: 'owner_id' }],
        measures: [{ id: 'n', fn: 'count' }],
      },
    });
    assert.equal(report.status, 200, JSON.stringify(report.body).slice(0, 1000));
    const displayName = new Map(members.map((m) => [m.id, m.displayName]));
    const owned = report.body.result.rows.filter((r) => r.keys['owner_id'] != null);
    assert.equal(owned.length, 8, JSON.stringify(report.body.result.rows).slice(0, 1000));
    const actual = new Map(
      owned.map((r) => [displayName.get(r.keys['owner_id'] as string), Number(r.values['n'])]),
    );
    assert.deepEqual(actual, expected);
    const pool = report.body.result.rows.find((r) => r.keys['owner_id'] == null);
    assert.equal(Number(pool?.values['n'] ?? 0), publicPool, 'the public pool has no owner');

    // the importer owns and created nothing of the sample
    const schema = await schemaOf(session.workspace.id);
    const tables = await db.query<{ table_name: string }>(
      `SELECT table_name FROM form WHERE app_id = $1`,
      [result.appId],
    );
    for (const { table_name } of tables.rows) {
      const mine = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM "${schema}"."${table_name}" WHERE owner_id = $1 OR created_by = $1`,
        [session.member.id],
      );
      assert.equal(Number(mine.rows[0]?.n), 0, table_name);
    }
  });

  it('creates no sample person when the import with sample data fails at its last step', async () => {
    const session = await signupOwner(http, 'hanmei@lanshan.cn', '韩梅', '蓝山咨询');
    // the audit entry is written after every sample record: refusing it rolls everything back
    await db.query(`CREATE OR REPLACE FUNCTION trellis_test_refuse_audit() RETURNS trigger AS $$
      BEGIN IF NEW.action = 'template.import' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await db.query(
      `CREATE TRIGGER trellis_test_refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION trellis_test_refuse_audit()`,
    );
    try {
      await assert.rejects(importWithSample(t, session, bundle), /refused by the test/);
    } finally {
      await db.query(`DROP TRIGGER trellis_test_refuse_audit ON audit_log`);
      await db.query(`DROP FUNCTION trellis_test_refuse_audit()`);
    }
    const left = await db.query<{ users: string; members: string; teams: string }>(
      `SELECT (SELECT count(*) FROM app_user WHERE email LIKE '%+' || $1::text || '@sample.trellis.invalid') AS users,
              (SELECT count(*) FROM member WHERE workspace_id = $1::uuid) AS members,
              (SELECT count(*) FROM team WHERE workspace_id = $1::uuid) AS teams`,
      [session.workspace.id],
    );
    assert.deepEqual(left.rows[0], { users: '0', members: '1', teams: '0' });
  });

  it('imports the template folder from the command line and reports located errors for a broken file', async () => {
    const database = await createTestDatabase();
    t.cleanups.push(() => database.drop());
    const setup = await startTestApp({ database, env: { TRELLIS_SIGNUP: 'open' } });
    const owner = await signupOwner(
      new HttpClient(setup.baseUrl),
      'sunli@nanhu.cn',
      '孙丽',
      '南湖科技',
    );
    await setup.close();
    const env = { DATABASE_URL: database.url };
    const ok = await runCli(
      ['template', 'import', 'templates/customer-follow-up', '--workspace', owner.workspace.id],
      env,
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /forms\s+10/);
    const check = new pg.Client({ connectionString: database.url });
    await check.connect();
    try {
      const apps = await check.query(
        `SELECT 1 FROM app WHERE workspace_id = $1 AND template_key = $2`,
        [owner.workspace.id, bundle.key],
      );
      assert.equal(apps.rowCount, 1);
    } finally {
      await check.end();
    }

    const dir = await mkdtemp(join(tmpdir(), 'trellis-bundle-'));
    t.cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const broken = structuredClone(bundle) as unknown as {
      forms: Array<{ fields: Array<Record<string, unknown>> }>;
    };
    const field = broken.forms[2]?.fields.find((f) => Array.isArray(f['options'])) as Record<
      string,
      unknown
    >;
    field['options'] = 'not a list';
    const file = join(dir, 'broken.json');
    await writeFile(file, JSON.stringify(broken));
    const bad = await runCli(['template', 'import', file, '--workspace', owner.workspace.id], env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /forms\.2\.fields\.\d+\.options/);
  });

  async function schemaOf(workspaceId: string): Promise<string> {
    const row = await db.query<{ schema_name: string }>(
      `SELECT schema_name FROM workspace WHERE id = $1`,
      [workspaceId],
    );
    return row.rows[0]?.schema_name ?? '';
  }
});

/** Sample data at a fraction of its size goes through the service (the HTTP body has no scale). */
async function importWithSample(
  t: TestApp,
  session: Session,
  bundle: Bundle,
): Promise<{ appId: string; now: string; sampleMembers: Array<{ memberId: string }> }> {
  const { TemplatesService } = await import('../src/templates/templates.service.js');
  const templates = t.app.get(TemplatesService);
  const now = '2026-11-01T02:00:00.000Z';
  const auth = {
    userId: session.user.id,
    memberId: session.member.id,
    workspaceId: session.workspace.id,
    schemaName: '',
    isOwner: true,
    teamId: null,
    locale: 'zh-CN',
  };
  const result = await templates.import(auth, bundle, {
    withSampleData: true,
    sampleScale: SAMPLE_SCALE,
    now,
  });
  return { appId: result.appId, now, sampleMembers: result.sampleMembers };
}
