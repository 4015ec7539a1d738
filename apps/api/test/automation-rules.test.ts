import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addWorkingTime, CHINA_MAINLAND_CALENDAR_2026_2027 } from '@trellis/rule-engine';
import { AutomationClock } from '../src/automation/automation-clock.js';
import {
  createRule,
  LEAD_SCHEMA,
  notificationsOf,
  OPPORTUNITY_FLOW,
  OPPORTUNITY_SCHEMA,
  sqlClient,
  startSmtp,
  waitFor,
  workerEnv,
} from './support/automation.js';
import { createApp, publishForm } from './support/forms.js';
import { HttpClient, type Problem, type Session } from './support/http.js';
import { addMember, signupOwner } from './support/people.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { testEnv } from './support/test-env.js';

type RecordBody = {
  id: string;
  version: number;
  ownerId: string | null;
  stage: string | null;
  createdAt: string;
  values: Record<string, unknown>;
};
type Run = {
  id: string;
  status: string;
  trigger: Record<string, unknown>;
  explanation: unknown;
  actions: Array<{
    index: number;
    type: string;
    status: string;
    durationMs: number;
    result?: unknown;
  }>;
  error: { code: string; message: string } | null;
  attempts: number;
};
type Task = {
  id: string;
  title: string;
  status: string;
  related: { recordId: string | null } | null;
};

const HOUR = 3_600_000;

for (const backend of testEnv.queueBackends) {
  describe(`automation rules from real record changes (queue on ${backend})`, () => {
    let t: TestApp;
    let http: HttpClient;
    let as: HttpClient;
    let clock: AutomationClock;
    let db: Awaited<ReturnType<typeof sqlClient>>;
    let smtp: Awaited<ReturnType<typeof startSmtp>>;
    let owner: Session;
    let manager: Session;
    let rep1: Session;
    let rep2: Session;
    let presales: Session;
    let legal: Session;
    let finance: Session;
    let appId: string;
    let leadFormId: string;
    let oppFormId: string;
    let teamId: string;
    const rules: Record<string, string> = {};
    const reps = () => [rep1, rep2].sort((a, b) => a.member.id.localeCompare(b.member.id));
    const leads = () => `/api/forms/${leadFormId}/records`;
    const opps = () => `/api/forms/${oppFormId}/records`;
    const sessionOf = (memberId: string | null) =>
      [owner, manager, rep1, rep2, presales, legal, finance].find((s) => s.member.id === memberId);

    before(async () => {
      smtp = await startSmtp();
      t = await startTestApp({ queue: backend, env: workerEnv({ SMTP_URL: smtp.url }) });
      clock = t.app.get(AutomationClock);
      db = await sqlClient(t.database.url);
      http = new HttpClient(t.baseUrl);
      owner = await signupOwner(http);
      as = http.as(owner.accessToken);
      for (const key of ['presales', 'legal', 'finance'])
        assert.equal(
          (
            await as.post('/api/roles', {
              key,
              name: { 'zh-CN': key, en: key },
              permissions: { forms: { '*': { actions: ['read'], rowScope: 'all' } } },
            })
          ).status,
          201,
        );
      manager = await addMember(http, owner, {
        email: 'wangfang@qiming.cn',
        name: '王芳',
        roleKeys: ['manager'],
      });
      const team = await as.post<{ id: string }>('/api/teams', {
        name: '电销组',
        kind: 'team',
        managerMemberId: manager.member.id,
      });
      teamId = team.body.id;
      rep1 = await addMember(http, owner, { email: 'lina@qiming.cn', name: '李娜', teamId });
      rep2 = await addMember(http, owner, { email: 'liuyang@qiming.cn', name: '刘洋', teamId });
      presales = await addMember(http, owner, {
        email: 'zhaolei@qiming.cn',
        name: '赵磊',
        roleKeys: ['member', 'presales'],
      });
      legal = await addMember(http, owner, {
        email: 'chenjing@qiming.cn',
        name: '陈静',
        roleKeys: ['member', 'legal'],
      });
      finance = await addMember(http, owner, {
        email: 'sunli@qiming.cn',
        name: '孙丽',
        roleKeys: ['member', 'finance'],
      });
      appId = await createApp(as);
      leadFormId = (
        await publishForm(as, appId, 'lead', { 'zh-CN': '线索', en: 'Lead' }, LEAD_SCHEMA)
      ).id;
      oppFormId = (
        await publishForm(
          as,
          appId,
          'opportunity',
          { 'zh-CN': '商机', en: 'Opportunity' },
          OPPORTUNITY_SCHEMA,
        )
      ).id;
      assert.equal(
        (await as.put(`/api/forms/${oppFormId}/flow`, { definition: OPPORTUNITY_FLOW })).status,
        200,
      );
      assert.equal((await as.post(`/api/forms/${oppFormId}/flow/publish`)).status, 200);

      const websiteLead = { '==': [{ var: 'source' }, 'website'] };
      const notContacted = { and: [websiteLead, { is_empty: { var: 'contacted_at' } }] };
      const sla = (id: string, hours: number, name: string, actions: unknown[]) => ({
        id,
        name,
        form: 'lead',
        trigger: {
          type: 'relative_time',
          field: 'created_at',
          amount: hours,
          unit: 'hours',
          working: true,
        },
        condition: notContacted,
        actions,
      });
      const definitions: Array<Record<string, unknown>> = [
        {
          id: 'lead_round_robin',
          name: { 'zh-CN': '官网新线索轮流分配', en: 'Round-robin website leads' },
          form: 'lead',
          trigger: { type: 'record_created' },
          condition: websiteLead,
          actions: [
            { type: 'assign_owner', strategy: 'round_robin', pool: { team: teamId } },
            {
              type: 'notify',
              channel: 'in_app',
              to: [{ type: 'owner' }],
              title: {
                'zh-CN': '新的官网线索：{{company_name}}',
                en: 'New lead: {{company_name}}',
              },
            },
          ],
        },
        sla('lead_remind_2h', 2, '2 个工作小时未联系提醒', [
          {
            type: 'notify',
            channel: 'in_app',
            to: [{ type: 'owner' }],
            title: '线索超过 2 个工作小时未联系：{{company_name}}',
          },
        ]),
        sla('lead_escalate_4h', 4, '4 个工作小时未联系升级', [
          {
            type: 'escalate',
            to: { type: 'owner_manager' },
            message: '请督促跟进 {{company_name}}',
          },
        ]),
        sla('lead_pool_24h', 24, '24 个工作小时未联系退回公海', [
          { type: 'return_to_pool', pool: 'public_pool', reason: '24 个工作小时未联系' },
        ]),
        {
          id: 'lead_follow_up_due',
          name: '到达下次跟进时间',
          form: 'lead',
          trigger: {
            type: 'relative_time',
            field: 'next_follow_up_at',
            amount: 0,
            unit: 'minutes',
            working: false,
          },
          condition: null,
          actions: [
            {
              type: 'create_record',
              form: 'task',
              values: {
                title: { cat: ['跟进：', { var: 'company_name' }] },
                due_at: { var: 'next_follow_up_at' },
              },
            },
            {
              type: 'notify',
              channel: 'in_app',
              to: [{ type: 'owner' }],
              title: '该跟进了：{{company_name}}',
            },
          ],
        },
        {
          id: 'opp_needs_analysis_presales',
          name: '进入需求分析：通知售前',
          form: 'opportunity',
          trigger: { type: 'stage_entered', stage: 'needs_analysis' },
          actions: [
            {
              type: 'create_record',
              form: 'task',
              values: {
                title: { cat: ['售前支持：', { var: 'title' }] },
                assignee_role: 'presales',
              },
            },
          ],
        },
        {
          id: 'opp_contract_signed',
          name: '合同签订：通知法务和财务',
          form: 'opportunity',
          trigger: { type: 'stage_entered', stage: 'contract_signed' },
          actions: [
            {
              type: 'notify',
              channel: 'in_app',
              to: [
                { type: 'role', role: 'legal' },
                { type: 'role', role: 'finance' },
              ],
              title: '合同已签订：{{title}}',
            },
            {
              type: 'notify',
              channel: 'email',
              to: [
                { type: 'role', role: 'legal' },
                { type: 'role', role: 'finance' },
              ],
              title: '合同已签订：{{title}}',
              body: '请安排合同审核与开票：{{customer_name}}',
            },
          ],
        },
      ];
      for (const definition of definitions)
        rules[definition['id'] as string] = (await createRule(as, appId, definition)).id;
    });

    after(async () => {
      await db?.end();
      await t?.close();
      await smtp?.close();
    });

    const runsOf = async (ruleKey: string) => {
      const response = await as.get<Run[]>(`/api/rules/${rules[ruleKey]}/runs?limit=200`);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      return response.body;
    };

    it('refuses a broken rule with every issue located', async () => {
      const response = await as.post<Problem>(`/api/apps/${appId}/rules`, {
        definition: {
          id: 'broken',
          name: '坏规则',
          form: 'lead',
          trigger: { type: 'schedule', cron: '61 * * * *', timeZone: 'Mars/Base' },
          condition: { '==': [{ var: 'no_such_field' }, 1] },
          actions: [
            { type: 'set_field', field: 'nope', value: 1 },
            {
              type: 'notify',
              channel: 'in_app',
              to: [{ type: 'role', role: 'astronaut' }],
              title: 'x',
            },
            { type: 'webhook', url: 'https://hooks.example.com/not-registered' },
            { type: 'transition_stage', stage: 'won' },
            { type: 'teleport' },
          ],
        },
      });
      assert.equal(response.status, 400, JSON.stringify(response.body));
      const paths = response.body.errors.map((e) => `${e.path} ${e.code}`);
      for (const expected of [
        'definition.trigger.cron',
        'definition.trigger.timeZone',
        'definition.condition',
        'definition.actions.0.field',
        'definition.actions.4.type',
      ])
        assert.ok(
          paths.some((p) => p.startsWith(expected)),
          `${expected} missing in ${paths.join(', ')}`,
        );
      // host checks run on a rule the engine accepts: roles, webhooks, stages
      const host = await as.post<Problem>(`/api/apps/${appId}/rules`, {
        definition: {
          id: 'broken_host',
          name: '坏规则',
          form: 'lead',
          trigger: { type: 'record_created' },
          actions: [
            {
              type: 'notify',
              channel: 'in_app',
              to: [{ type: 'role', role: 'astronaut' }],
              title: 'x',
            },
            { type: 'webhook', url: 'https://hooks.example.com/not-registered' },
            { type: 'transition_stage', stage: 'won' },
          ],
        },
      });
      assert.equal(host.status, 400);
      assert.deepEqual(
        host.body.errors.map((e) => `${e.path} ${e.code}`),
        [
          'definition.actions.0.to.0.role UNKNOWN_ROLE',
          'definition.actions.1.url UNKNOWN_WEBHOOK',
          'definition.actions.2.stage NO_FLOW',
        ],
      );
      const duplicate = await as.post<Problem>(`/api/apps/${appId}/rules`, {
        definition: {
          id: 'lead_round_robin',
          name: 'x',
          form: 'lead',
          trigger: { type: 'record_created' },
          actions: [{ type: 'notify', channel: 'in_app', to: [{ type: 'owner' }], title: 'x' }],
        },
      });
      assert.equal(duplicate.status, 409);
    });

    it('lists, reads and updates rules with compare-and-set on their version', async () => {
      const list = await as.get<Array<{ key: string }>>(`/api/apps/${appId}/rules`);
      assert.equal(list.status, 200);
      assert.equal(list.body.length, 7);
      const one = await as.get<{
        key: string;
        version: number;
        definition: Record<string, unknown>;
        authorMemberId: string;
      }>(`/api/apps/${appId}/rules/${rules['lead_follow_up_due']}`);
      assert.equal(one.body.key, 'lead_follow_up_due');
      assert.equal(one.body.authorMemberId, owner.member.id);
      const stale = await as.put<Problem>(
        `/api/apps/${appId}/rules/${rules['lead_follow_up_due']}`,
        {
          definition: one.body.definition,
          version: one.body.version + 5,
        },
      );
      assert.equal(stale.status, 409);
      const saved = await as.put<{ version: number }>(
        `/api/apps/${appId}/rules/${rules['lead_follow_up_due']}`,
        {
          definition: { ...one.body.definition, priority: 50 },
          version: one.body.version,
        },
      );
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      assert.equal(saved.body.version, one.body.version + 1);
    });

    it('dry-runs a rule with a sample record: explanation and actions, nothing performed', async () => {
      const before = await db.rows<{ n: number }>(`SELECT count(*)::int AS n FROM notification`);
      const response = await as.post<{
        matched: boolean;
        triggered: boolean;
        conditionHolds: boolean;
        explanation: { op: string; value: unknown };
        actions: Array<{ type: string; title?: unknown }>;
      }>(`/api/rules/${rules['lead_round_robin']}/test`, {
        record: { company_name: '上海启明信息技术有限公司', source: 'website' },
      });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.equal(response.body.triggered, true);
      assert.equal(response.body.matched, true);
      assert.equal(response.body.conditionHolds, true);
      assert.equal(response.body.explanation.op, '==');
      assert.deepEqual(
        response.body.actions.map((a) => a.type),
        ['assign_owner', 'notify'],
      );
      const miss = await as.post<{
        matched: boolean;
        conditionHolds: boolean;
        explanation: { value: unknown };
      }>(`/api/rules/${rules['lead_round_robin']}/test`, {
        record: { company_name: '杭州云帆', source: 'referral' },
      });
      assert.equal(miss.body.matched, false);
      assert.equal(miss.body.conditionHolds, false);
      assert.equal(miss.body.explanation.value, false);
      const afterCount = await db.rows<{ n: number }>(
        `SELECT count(*)::int AS n FROM notification`,
      );
      assert.deepEqual(afterCount, before);
    });

    it('assigns new website leads round robin across the team and tells each new owner', async () => {
      const created: RecordBody[] = [];
      for (const name of [
        '上海启明信息技术有限公司',
        '杭州云帆电子商务有限公司',
        '北京星河科技有限公司',
      ]) {
        const response = await as.post<RecordBody>(leads(), {
          values: {
            company_name: name,
            contact_name: '张伟',
            mobile: '13812345678',
            source: 'website',
          },
        });
        assert.equal(response.status, 201, JSON.stringify(response.body));
        created.push(response.body);
      }
      const owners = await waitFor(async () => {
        const list = await Promise.all(
          created.map(async (c) => (await as.get<RecordBody>(`${leads()}/${c.id}`)).body.ownerId),
        );
        return list.every((o) => o !== owner.member.id && o !== null) ? list : null;
      }, 'round-robin assignment');
      // the three events may be processed in any order; the rotation still gives each rep a turn
      const [first, second] = reps();
      const counts = [first, second].map((r) => owners.filter((o) => o === r?.member.id).length);
      assert.deepEqual(counts.sort(), [1, 2]);
      for (const [index, lead] of created.entries()) {
        const to = sessionOf(owners[index] ?? null) as Session;
        await waitFor(
          async () =>
            (await notificationsOf(http, to.accessToken)).some(
              (n) =>
                n.kind === 'rule.notify' &&
                n.title === `新的官网线索：${String(lead.values['company_name'])}`,
            ),
          `the notification to the owner of lead ${index}`,
        );
      }
      // a notification is visible a moment before its run records that it finished
      const runs = await waitFor(async () => {
        const all = await runsOf('lead_round_robin');
        return all.length === 3 && all.every((r) => r.status === 'succeeded') ? all : null;
      }, 'three finished runs');
      for (const run of runs) {
        assert.equal(run.status, 'succeeded');
        assert.equal(run.trigger['eventType'], 'record.created');
        assert.deepEqual(
          run.actions.map((a) => [a.type, a.status]),
          [
            ['assign_owner', 'applied'],
            ['notify', 'applied'],
          ],
        );
        assert.ok(run.actions.every((a) => typeof a.durationMs === 'number'));
        assert.ok(run.explanation !== null);
      }
    });

    it('reminds after 2 working hours, escalates after 4, returns to the pool after 24, unless contacted', async () => {
      const [a, b] = await Promise.all(
        ['苏州工业园区精密制造有限公司', '深圳前海数据服务有限公司'].map(async (name) => {
          const r = await as.post<RecordBody>(leads(), {
            values: { company_name: name, source: 'website' },
          });
          assert.equal(r.status, 201, JSON.stringify(r.body));
          return r.body;
        }),
      );
      const lead = a as RecordBody;
      const contacted = b as RecordBody;
      const timers = await waitFor(async () => {
        const rows = await db.rows<{ key: string; due_at: Date; rule_id: string }>(
          `SELECT key, due_at, rule_id FROM scheduled_timer WHERE record_id = $1 AND kind = 'rule' AND status = 'scheduled'`,
          [lead.id],
        );
        return rows.length === 3 ? rows : null;
      }, 'three SLA timers');
      const dueOf = (key: string) =>
        timers.find((r) => r.rule_id === rules[key])?.due_at.getTime() ?? NaN;
      for (const [key, hours] of [
        ['lead_remind_2h', 2],
        ['lead_escalate_4h', 4],
        ['lead_pool_24h', 24],
      ] as const)
        assert.equal(
          new Date(dueOf(key)).toISOString(),
          addWorkingTime(lead.createdAt, { hours }, CHINA_MAINLAND_CALENDAR_2026_2027),
          `${key} is due ${hours} working hours after creation on the mainland calendar`,
        );
      // the second lead is contacted in time
      const current = await waitFor(async () => {
        const r = await as.get<RecordBody>(`${leads()}/${contacted.id}`);
        return r.body.ownerId !== owner.member.id ? r.body : null;
      }, 'assignment of the second lead');
      const patched = await as.patch(`${leads()}/${contacted.id}`, {
        values: { contacted_at: new Date().toISOString() },
        version: current.version,
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      const assigned = await waitFor(async () => {
        const r = await as.get<RecordBody>(`${leads()}/${lead.id}`);
        return r.body.ownerId !== owner.member.id ? r.body : null;
      }, 'assignment');
      const leadOwner = sessionOf(assigned.ownerId) as Session;
      const contactedOwner = sessionOf(current.ownerId) as Session;

      clock.setTo(new Date(dueOf('lead_remind_2h') + 60_000));
      await waitFor(
        async () =>
          (await notificationsOf(http, leadOwner.accessToken)).some(
            (n) => n.title === '线索超过 2 个工作小时未联系：苏州工业园区精密制造有限公司',
          ),
        'the 2-hour reminder',
      );
      const skipped = await waitFor(async () => {
        const runs = await runsOf('lead_remind_2h');
        return runs.find((r) => r.status === 'skipped') ?? null;
      }, 'the skipped run of the contacted lead');
      assert.equal(skipped.error?.code, 'CONDITION_FALSE');
      assert.ok(skipped.explanation !== null, 'a skipped run explains why');
      assert.ok(
        !(await notificationsOf(http, contactedOwner.accessToken)).some(
          (n) => n.title.includes('深圳前海数据服务有限公司') && n.title.startsWith('线索超过'),
        ),
      );

      clock.setTo(new Date(dueOf('lead_escalate_4h') + 60_000));
      const escalation = await waitFor(
        async () =>
          (await notificationsOf(http, manager.accessToken)).find(
            (n) =>
              n.kind === 'rule.escalate' && n.body === '请督促跟进 苏州工业园区精密制造有限公司',
          ),
        'the 4-hour escalation to the team lead',
      );
      assert.match(escalation.title, /升级提醒/);

      clock.setTo(new Date(dueOf('lead_pool_24h') + 60_000));
      await waitFor(async () => {
        const r = await as.get<RecordBody>(`${leads()}/${lead.id}`);
        return r.body.ownerId === null;
      }, 'the return to the public pool');
      const told = await notificationsOf(http, leadOwner.accessToken);
      assert.ok(
        told.some((n) => n.kind === 'rule.return_to_pool' && n.title.includes('苏州工业园区')),
      );
      const history = await as.get<
        Array<{ kind: string; changes: Array<{ field: string; to: unknown }> }>
      >(`${leads()}/${lead.id}/history`);
      assert.ok(
        history.body.some((h) => h.changes.some((c) => c.field === 'owner_id' && c.to === null)),
      );
      // the contacted lead stays with its owner
      assert.equal(
        (await as.get<RecordBody>(`${leads()}/${contacted.id}`)).body.ownerId,
        contactedOwner.member.id,
      );
      // every SLA timer fired exactly once
      const fired = await db.rows<{ status: string; n: number }>(
        `SELECT status, count(*)::int AS n FROM scheduled_timer WHERE record_id = ANY($1::uuid[]) AND kind = 'rule' GROUP BY status`,
        [[lead.id, contacted.id]],
      );
      assert.deepEqual(fired, [{ status: 'fired', n: 6 }]);
    });

    it('creates a task and a notification when the next follow-up time is reached', async () => {
      const at = new Date(clock.nowMs() + 3 * HOUR);
      const created = await as.post<RecordBody>(leads(), {
        values: {
          company_name: '成都天府软件园有限公司',
          source: 'referral',
          next_follow_up_at: at.toISOString(),
        },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await waitFor(
        async () =>
          (
            await db.rows(
              `SELECT 1 FROM scheduled_timer WHERE record_id = $1 AND status = 'scheduled'`,
              [created.body.id],
            )
          ).length === 1,
        'the follow-up timer',
      );
      assert.equal(
        (await as.get<Task[]>('/api/me/tasks')).body.filter((x) => x.title.includes('成都天府'))
          .length,
        0,
      );
      clock.setTo(new Date(at.getTime() + 1000));
      const task = await waitFor(async () => {
        const tasks = await as.get<Task[]>('/api/me/tasks');
        return tasks.body.find((x) => x.title === '跟进：成都天府软件园有限公司');
      }, 'the follow-up task');
      assert.equal(task.related?.recordId, created.body.id);
      await waitFor(
        async () =>
          (await notificationsOf(http, owner.accessToken)).some(
            (n) => n.title === '该跟进了：成都天府软件园有限公司',
          ),
        'the follow-up notification',
      );
      const done = await as.post<Task>(`/api/me/tasks/${task.id}/done`);
      assert.equal(done.status, 200);
      assert.equal(done.body.status, 'done');
      assert.equal(
        (await as.get<Task[]>('/api/me/tasks')).body.some((x) => x.id === task.id),
        false,
      );
      assert.equal(
        (await http.post(`/api/me/tasks/${task.id}/done`, undefined, { token: rep1.accessToken }))
          .status,
        404,
      );
    });

    it('gives presales a task when an opportunity enters Needs analysis, and tells legal and finance (in-app and e-mail) when the contract is signed', async () => {
      const asRep = http.as(rep1.accessToken);
      const opp = await asRep.post<RecordBody>(opps(), {
        values: { title: '启明 CRM 二期', customer_name: '上海启明信息技术有限公司', budget: 80 },
      });
      assert.equal(opp.status, 201, JSON.stringify(opp.body));
      const moved = await asRep.post<RecordBody>(`${opps()}/${opp.body.id}/transitions`, {
        event: 'analyse',
      });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      const task = await waitFor(async () => {
        const tasks = await http.get<Task[]>('/api/me/tasks', { token: presales.accessToken });
        return tasks.body.find((x) => x.title === '售前支持：启明 CRM 二期');
      }, 'the presales task');
      assert.equal(task.related?.recordId, opp.body.id);
      await asRep.post(`${opps()}/${opp.body.id}/transitions`, { event: 'propose' });
      const signed = await asRep.post<RecordBody>(`${opps()}/${opp.body.id}/transitions`, {
        event: 'sign',
      });
      assert.equal(signed.status, 200, JSON.stringify(signed.body));
      for (const who of [legal, finance])
        await waitFor(
          async () =>
            (await notificationsOf(http, who.accessToken)).some(
              (n) => n.title === '合同已签订：启明 CRM 二期',
            ),
          `the in-app notice to ${who.user.email}`,
        );
      const mails = await waitFor(async () => {
        const got = smtp.mails.filter((m) => m.to.some((to) => to.endsWith('@qiming.cn')));
        return got.length >= 2 ? got : null;
      }, 'the e-mails to legal and finance').catch(async (error: unknown) => {
        console.error(await db.rows(`SELECT status, last_error, attempts FROM mail_message`));
        console.error(
          await db.rows(
            `SELECT type, sent_at, relay_batch FROM outbox_event WHERE type LIKE 'delivery.%'`,
          ),
        );
        throw error;
      });
      assert.deepEqual(mails.flatMap((m) => m.to).sort(), [
        'chenjing@qiming.cn',
        'sunli@qiming.cn',
      ]);
      assert.ok(mails.every((m) => /Message-ID: <[0-9a-f-]+@trellis>/i.test(m.data)));
      // the SMTP server has the mails a moment before the worker records the server's answer
      await waitFor(async () => {
        const sent = await db.rows<{ status: string }>(`SELECT status FROM mail_message`);
        return sent.length === 2 && sent.every((m) => m.status === 'sent');
      }, 'both mails recorded as sent');
    });

    it('bounds cascades: a rule firing again on the same record is stopped with a clear error in the run log', async () => {
      const a = await createRule(as, appId, {
        id: 'cycle_grade_to_score',
        name: '等级变化加分',
        form: 'lead',
        trigger: { type: 'record_updated', fields: ['grade'] },
        actions: [{ type: 'set_field', field: 'score', value: { '+': [{ var: 'score' }, 1] } }],
      });
      await createRule(as, appId, {
        id: 'cycle_score_to_grade',
        name: '分数变化改等级',
        form: 'lead',
        trigger: { type: 'record_updated', fields: ['score'] },
        actions: [
          {
            type: 'set_field',
            field: 'grade',
            value: { if: [{ '==': [{ var: 'grade' }, 'a'] }, 'b', 'a'] },
          },
        ],
      });
      const lead = await as.post<RecordBody>(leads(), {
        values: { company_name: '循环测试有限公司', source: 'referral', score: 0 },
      });
      const updated = await as.patch(`${leads()}/${lead.body.id}`, {
        values: { grade: 'a' },
        version: lead.body.version,
      });
      assert.equal(updated.status, 200, JSON.stringify(updated.body));
      const stopped = await waitFor(async () => {
        const runs = await as.get<Run[]>(`/api/rules/${a.id}/runs`);
        return runs.body.find((r) => r.error?.code === 'CASCADE_CYCLE');
      }, 'the cascade error');
      assert.equal(stopped.status, 'dead');
      assert.match(
        stopped.error?.message ?? '',
        /cycle_grade_to_score@.* → cycle_score_to_grade@.* → cycle_grade_to_score@/,
      );
      const record = await as.get<RecordBody>(`${leads()}/${lead.body.id}`);
      assert.equal(record.body.values['score'], 1, 'the first rule ran once');
      assert.equal(record.body.values['grade'], 'b', 'the second rule ran once');
      const inbox = await as.get<Run[]>(`/api/apps/${appId}/rule-failures`);
      assert.ok(inbox.body.some((r) => r.id === stopped.id));
      await as.delete(`/api/apps/${appId}/rules/${a.id}`);
    });

    it("acts with its author's permissions; a refused run lands in the failure inbox, admins are told, and a replay applies it exactly once", async () => {
      const role = await as.post<{ id: string }>('/api/roles', {
        key: 'automation_designer',
        name: '自动化设计',
        permissions: {
          workspace: ['manage_apps'],
          forms: { '*': { actions: ['read'], rowScope: 'all' } },
        },
      });
      const designer = await addMember(http, owner, {
        email: 'zhoujie@qiming.cn',
        name: '周杰',
        roleKeys: ['automation_designer'],
      });
      const asDesigner = http.as(designer.accessToken);
      const rule = await createRule(asDesigner, appId, {
        id: 'exhibition_grade',
        name: '展会线索定为 A 级',
        form: 'lead',
        trigger: { type: 'record_created' },
        condition: { '==': [{ var: 'source' }, 'exhibition'] },
        actions: [
          { type: 'set_field', field: 'grade', value: 'a' },
          { type: 'set_field', field: 'remark', value: { cat: [{ var: 'remark' }, '[展会]'] } },
        ],
      });
      const lead = await as.post<RecordBody>(leads(), {
        values: { company_name: '广州琶洲会展客户有限公司', source: 'exhibition', remark: '' },
      });
      const dead = await waitFor(async () => {
        const runs = await as.get<Run[]>(`/api/rules/${rule.id}/runs`);
        return runs.body.find((r) => r.status === 'dead');
      }, 'the refused run');
      assert.equal(dead.error?.code, 'FORBIDDEN');
      assert.deepEqual(
        dead.actions.map((a) => a.status),
        ['failed', 'skipped'],
      );
      assert.ok(
        (await as.get<Run[]>(`/api/apps/${appId}/rule-failures`)).body.some(
          (r) => r.id === dead.id,
        ),
      );
      const notice = await waitFor(
        async () =>
          (await notificationsOf(http, owner.accessToken)).find(
            (n) => n.kind === 'rule.failed' && n.link?.['runId'] === dead.id,
          ),
        'the admin notice',
      );
      assert.match(notice.title, /展会线索定为 A 级/);
      // grant the author update rights, then replay: applied once; a second replay changes nothing
      assert.equal(
        (
          await as.patch(`/api/roles/${role.body.id}`, {
            permissions: {
              workspace: ['manage_apps'],
              forms: { '*': { actions: ['read', 'update'], rowScope: 'all' } },
            },
          })
        ).status,
        200,
      );
      const replayed = await as.post<Run>(`/api/rule-runs/${dead.id}/replay`);
      assert.equal(replayed.status, 200, JSON.stringify(replayed.body));
      assert.equal(replayed.body.status, 'succeeded');
      assert.deepEqual(
        replayed.body.actions.map((a) => a.status),
        ['applied', 'applied'],
      );
      const again = await as.post<Run[]>('/api/rule-runs/replay', { runIds: [dead.id] });
      assert.equal(again.status, 200);
      assert.equal(again.body[0]?.status, 'succeeded');
      const record = await as.get<RecordBody>(`${leads()}/${lead.body.id}`);
      assert.equal(record.body.values['grade'], 'a');
      assert.equal(record.body.values['remark'], '[展会]', 'applied exactly once');
      const ledger = await db.rows<{ n: number }>(
        `SELECT count(*)::int AS n FROM action_execution WHERE rule_id = $1`,
        [rule.id],
      );
      assert.deepEqual(ledger, [{ n: 2 }]);
    });

    it('reads and updates the working calendar (workspace and team), and team timers use it', async () => {
      const initial = await as.get<{
        workspace: { source: string; calendar: { timeZone: string; workingDays: string[] } };
      }>('/api/calendars');
      assert.equal(initial.status, 200);
      assert.equal(initial.body.workspace.source, 'default');
      assert.equal(initial.body.workspace.calendar.timeZone, 'Asia/Shanghai');
      assert.ok(
        initial.body.workspace.calendar.workingDays.includes('2026-02-14'),
        '调休 make-up days ship',
      );
      const bad = await as.put<Problem>('/api/calendars/workspace', {
        calendar: { timeZone: 'Asia/Shanghai', periods: [{ start: '13:00', end: '12:00' }] },
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0]?.path, 'calendar.periods.0.end');
      assert.equal(
        (
          await http.put(
            '/api/calendars/workspace',
            { calendar: { timeZone: 'UTC', periods: [{ start: '00:00', end: '24:00' }] } },
            { token: rep1.accessToken },
          )
        ).status,
        403,
      );
      const allDay = {
        timeZone: 'Asia/Shanghai',
        periods: [{ start: '00:00', end: '24:00' }],
        weekdays: [1, 2, 3, 4, 5, 6, 7],
      };
      const saved = await as.put<{ source: string }>(`/api/calendars/teams/${teamId}`, {
        calendar: allDay,
      });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      assert.equal(saved.body.source, 'team');
      // created by a team member, so the lead is theirs (and their team's calendar applies) from the start
      const lead = await http.post<RecordBody>(
        leads(),
        { values: { company_name: '全天候客服有限公司', source: 'referral' } },
        { token: rep1.accessToken },
      );
      assert.equal(lead.status, 201, JSON.stringify(lead.body));
      const due = await waitFor(async () => {
        const rows = await db.rows<{ due_at: Date }>(
          `SELECT due_at FROM scheduled_timer WHERE record_id = $1 AND rule_id = $2`,
          [lead.body.id, rules['lead_remind_2h']],
        );
        return rows[0]?.due_at;
      }, 'the timer on the team calendar');
      assert.equal(due.getTime(), Date.parse(lead.body.createdAt) + 2 * HOUR);
      const removed = await as.delete<{ source: string }>(`/api/calendars/teams/${teamId}`);
      assert.equal(removed.body.source, 'default');
    });

    it('escalates an opportunity stalled in Prospecting for 14 days (a flow SLA timer) exactly once', async () => {
      const asRep = http.as(rep2.accessToken);
      const opp = await asRep.post<RecordBody>(opps(), {
        values: { title: '云帆仓储系统', customer_name: '杭州云帆' },
      });
      assert.equal(opp.status, 201);
      const timer = await waitFor(async () => {
        const rows = await db.rows<{ id: string; due_at: Date }>(
          `SELECT id, due_at FROM scheduled_timer WHERE record_id = $1 AND kind = 'flow' AND status = 'scheduled'`,
          [opp.body.id],
        );
        return rows[0];
      }, 'the flow timer');
      clock.setTo(new Date(timer.due_at.getTime() + 1000));
      await waitFor(async () => {
        const rows = await db.rows<{ status: string }>(
          `SELECT status FROM scheduled_timer WHERE id = $1`,
          [timer.id],
        );
        return rows[0]?.status === 'fired';
      }, 'the flow timer to fire');
      const escalations = (await notificationsOf(http, manager.accessToken)).filter(
        (n) => n.kind.startsWith('flow.escalate') && n.link?.['recordId'] === opp.body.id,
      );
      assert.equal(escalations.length, 1);
    });

    it('runs a cron rule at 9:00 Shanghai time Monday to Friday, once per matching record, and re-arms it', async () => {
      const rule = await createRule(as, appId, {
        id: 'morning_call_list',
        name: '工作日早上 9 点提醒跟进展会线索',
        form: 'lead',
        trigger: { type: 'schedule', cron: '0 9 * * 1-5', timeZone: 'Asia/Shanghai' },
        condition: { in: ['展会', { var: 'company_name' }] },
        actions: [
          {
            type: 'notify',
            channel: 'in_app',
            to: [{ type: 'owner' }],
            title: '今日跟进：{{company_name}}',
          },
        ],
      });
      const matching: string[] = [];
      for (const name of [
        '广州展会客户甲有限公司',
        '广州展会客户乙有限公司',
        '广州普通客户丙有限公司',
      ]) {
        const r = await as.post<RecordBody>(leads(), {
          values: { company_name: name, source: 'exhibition' },
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        if (name.includes('展会')) matching.push(r.body.id);
      }
      const armed = await waitFor(async () => {
        const rows = await db.rows<{ id: string; due_at: Date }>(
          `SELECT id, due_at FROM scheduled_timer WHERE rule_id = $1 AND kind = 'cron' AND status = 'scheduled'`,
          [rule.id],
        );
        return rows[0];
      }, 'the cron timer');
      const local = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Asia/Shanghai',
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(armed.due_at);
      assert.match(local, /^(Mon|Tue|Wed|Thu|Fri) 09:00$/, `due at ${local} Shanghai time`);
      assert.ok(armed.due_at.getTime() > clock.nowMs(), 'the next tick, not a past one');

      clock.setTo(new Date(armed.due_at.getTime() + 1000));
      const runs = await waitFor(async () => {
        const rows = await db.rows<{ record_id: string }>(
          `SELECT record_id FROM rule_run WHERE rule_id = $1 AND status = 'succeeded'`,
          [rule.id],
        );
        return rows.length >= matching.length ? rows : null;
      }, 'a run per matching lead');
      assert.deepEqual(runs.map((r) => r.record_id).sort(), [...matching].sort());
      const rearmed = await waitFor(async () => {
        const rows = await db.rows<{ due_at: Date }>(
          `SELECT due_at FROM scheduled_timer WHERE rule_id = $1 AND kind = 'cron' AND status = 'scheduled'`,
          [rule.id],
        );
        return rows[0] !== undefined && rows[0].due_at.getTime() > armed.due_at.getTime()
          ? rows[0]
          : null;
      }, 'the next tick to be armed');
      assert.ok(rearmed.due_at.getTime() - armed.due_at.getTime() >= 24 * HOUR - 1000);
      const told = await db.rows<{ n: number }>(
        `SELECT count(*)::int AS n FROM notification WHERE title LIKE '今日跟进：%' GROUP BY title`,
      );
      assert.equal(told.length, matching.length);
      assert.ok(
        told.every((r) => r.n === 1),
        'once per record per tick',
      );
    });

    it('warns about a customer not followed up for 25 days and returns it to the pool at 30, unless protected or followed up since', async () => {
      const customerForm = await publishForm(
        as,
        appId,
        'pool_customer',
        { 'zh-CN': '客户' },
        {
          fields: [
            { id: 'company_name', type: 'text', label: { 'zh-CN': '公司名称' }, required: true },
            { id: 'last_follow_up_at', type: 'datetime', label: { 'zh-CN': '最近跟进时间' } },
            { id: 'protected', type: 'boolean', label: { 'zh-CN': '保护客户' } },
          ],
        },
      );
      const customers = `/api/forms/${customerForm.id}/records`;
      const since = (days: number) => ({
        type: 'relative_time',
        field: 'last_follow_up_at',
        amount: days,
        unit: 'days',
        working: false,
      });
      const warn = await createRule(as, appId, {
        id: 'customer_warn_25d',
        name: '25 天未跟进提醒',
        form: 'pool_customer',
        trigger: since(25),
        actions: [
          {
            type: 'notify',
            channel: 'in_app',
            to: [{ type: 'owner' }],
            title: '客户 25 天未跟进：{{company_name}}',
          },
        ],
      });
      const pool = await createRule(as, appId, {
        id: 'customer_pool_30d',
        name: '30 天未跟进退回公海',
        form: 'pool_customer',
        trigger: since(30),
        condition: { '!': { var: 'protected' } },
        actions: [{ type: 'return_to_pool', pool: 'public_pool', reason: '30 天未跟进' }],
      });
      const lastFollowUp = new Date(clock.nowMs()).toISOString();
      const make = async (company_name: string, isProtected: boolean) => {
        const r = await as.post<RecordBody>(customers, {
          values: { company_name, last_follow_up_at: lastFollowUp, protected: isProtected },
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return r.body;
      };
      const idle = await make('南京秦淮文化传媒有限公司', false);
      const guarded = await make('西安曲江会展服务有限公司', true);
      const revisited = await make('青岛崂山饮品贸易有限公司', false);
      const timersOf = async (recordId: string) =>
        db.rows<{ rule_id: string; due_at: Date; status: string }>(
          `SELECT rule_id, due_at, status FROM scheduled_timer WHERE record_id = $1 AND kind = 'rule' ORDER BY due_at`,
          [recordId],
        );
      await waitFor(
        async () =>
          (await timersOf(revisited.id)).filter((x) => x.status === 'scheduled').length === 2,
        'two timers per customer',
      );
      const [warnAt, poolAt] = (await timersOf(idle.id)).map((x) => x.due_at.getTime());
      assert.equal(warnAt, Date.parse(lastFollowUp) + 25 * 24 * HOUR);
      assert.equal(poolAt, Date.parse(lastFollowUp) + 30 * 24 * HOUR);

      // day 26: the owner is warned about each idle customer, once
      clock.setTo(new Date((warnAt as number) + 24 * HOUR));
      await waitFor(async () => {
        const rows = await db.rows<{ n: number }>(
          `SELECT count(*)::int AS n FROM rule_run WHERE rule_id = $1 AND status = 'succeeded'`,
          [warn.id],
        );
        return rows[0]?.n === 3;
      }, 'three 25-day warnings');
      const warned = (await notificationsOf(http, owner.accessToken)).filter((n) =>
        n.title.startsWith('客户 25 天未跟进'),
      );
      assert.equal(warned.length, 3);
      // ... and one customer gets a follow-up: its 30-day timer moves with it
      const current = await as.get<RecordBody>(`${customers}/${revisited.id}`);
      const followedUp = new Date(clock.nowMs()).toISOString();
      const patched = await as.patch(`${customers}/${revisited.id}`, {
        values: { last_follow_up_at: followedUp },
        version: current.body.version,
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      await waitFor(async () => {
        const due = (await timersOf(revisited.id)).find(
          (x) => x.rule_id === pool.id && x.status === 'scheduled',
        );
        return due?.due_at.getTime() === Date.parse(followedUp) + 30 * 24 * HOUR;
      }, 'the 30-day timer rescheduled after the follow-up');

      // day 31: back to the pool, except the protected one and the one followed up
      clock.setTo(new Date((poolAt as number) + HOUR));
      await waitFor(async () => {
        const r = await as.get<RecordBody>(`${customers}/${idle.id}`);
        return r.body.ownerId === null;
      }, 'the idle customer back in the public pool');
      await waitFor(async () => {
        const rows = await db.rows<{ n: number }>(
          `SELECT count(*)::int AS n FROM scheduled_timer WHERE rule_id = $1 AND record_id = ANY($2::uuid[]) AND status = 'fired'`,
          [pool.id, [idle.id, guarded.id]],
        );
        return rows[0]?.n === 2;
      }, 'both due pool timers to fire');
      assert.equal(
        (await as.get<RecordBody>(`${customers}/${guarded.id}`)).body.ownerId,
        owner.member.id,
      );
      assert.equal(
        (await as.get<RecordBody>(`${customers}/${revisited.id}`)).body.ownerId,
        owner.member.id,
      );
    });

    it('lists, reads and marks notifications (one, all), only my own', async () => {
      const mine = await http.get<{ items: Array<{ id: string }>; unreadCount: number }>(
        '/api/me/notifications',
        {
          token: rep1.accessToken,
        },
      );
      assert.ok(mine.body.items.length > 0);
      const first = mine.body.items[0] as { id: string };
      assert.equal(
        (
          await http.post(`/api/me/notifications/${first.id}/read`, undefined, {
            token: rep2.accessToken,
          })
        ).status,
        404,
      );
      const read = await http.post<{ readAt: string }>(
        `/api/me/notifications/${first.id}/read`,
        undefined,
        {
          token: rep1.accessToken,
        },
      );
      assert.equal(read.status, 200);
      assert.ok(read.body.readAt !== null);
      const unread = await http.get<{ items: unknown[]; unreadCount: number }>(
        '/api/me/notifications?unread=true',
        {
          token: rep1.accessToken,
        },
      );
      assert.equal(unread.body.items.length, mine.body.unreadCount - 1);
      const all = await http.post<{ updated: number }>(
        '/api/me/notifications/read-all',
        undefined,
        {
          token: rep1.accessToken,
        },
      );
      assert.equal(all.body.updated, mine.body.unreadCount - 1);
    });
  });
}
