import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createApp, publishForm } from './support/forms.js';
import { HttpClient, type Problem, type Session } from './support/http.js';
import { addMember, signupOwner } from './support/people.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type RecordBody = {
  id: string;
  version: number;
  stage: string | null;
  values: Record<string, unknown>;
};
type Approval = { id: string; recordId: string; status: string; assignees: string[] };

const OPPORTUNITY_FORM = {
  fields: [
    { id: 'title', type: 'text', label: { 'zh-CN': '商机名称', en: 'Title' }, required: true },
    { id: 'amount', type: 'currency', label: { 'zh-CN': '金额', en: 'Amount' } },
    { id: 'discount', type: 'percent', label: { 'zh-CN': '折扣', en: 'Discount' } },
    { id: 'probability', type: 'percent', label: { 'zh-CN': '赢率', en: 'Probability' } },
    { id: 'loss_reason', type: 'textarea', label: { 'zh-CN': '输单原因', en: 'Loss reason' } },
    { id: 'competitor', type: 'text', label: { 'zh-CN': '竞争对手', en: 'Competitor' } },
    {
      id: 'closed_at',
      type: 'datetime',
      label: { 'zh-CN': '关闭时间', en: 'Closed at' },
      readOnly: true,
    },
    {
      id: 'cycle_days',
      type: 'formula',
      label: { 'zh-CN': '销售周期（天）', en: 'Sales cycle (days)' },
      resultType: 'number',
      formula: {
        if: [
          { var: 'closed_at' },
          { round: [{ date_diff: [{ var: 'created_at' }, { var: 'closed_at' }, 'days'] }, 1] },
          null,
        ],
      },
    },
  ],
};

const OPPORTUNITY_FLOW = {
  id: 'opportunity',
  label: { 'zh-CN': '商机阶段', en: 'Opportunity stages' },
  initial: 'prospecting',
  states: [
    {
      id: 'prospecting',
      label: { 'zh-CN': '初步接洽', en: 'Prospecting' },
      kind: 'normal',
      order: 1,
      probability: 10,
    },
    {
      id: 'needs_analysis',
      label: { 'zh-CN': '需求分析', en: 'Needs analysis' },
      kind: 'normal',
      order: 2,
      probability: 30,
    },
    {
      id: 'proposal',
      label: { 'zh-CN': '方案报价', en: 'Proposal' },
      kind: 'normal',
      order: 3,
      probability: 60,
      onEnter: [
        {
          type: 'createTask',
          title: { 'zh-CN': '准备方案与报价单', en: 'Prepare the quote' },
          assignee: 'owner',
          due: { after: 'P2D', clock: 'working' },
        },
      ],
    },
    { id: 'won', label: { 'zh-CN': '赢单', en: 'Won' }, kind: 'won', order: 4, probability: 100 },
    {
      id: 'lost',
      label: { 'zh-CN': '输单', en: 'Lost' },
      kind: 'lost',
      order: 5,
      probability: 0,
      onEnter: [{ type: 'setField', field: 'closed_at', valueFrom: 'now' }],
    },
  ],
  transitions: [
    {
      id: 'analyse',
      from: 'prospecting',
      to: 'needs_analysis',
      event: 'analyse',
      allowed: { owner: true, roles: ['manager'] },
    },
    {
      id: 'propose',
      from: 'needs_analysis',
      to: 'proposal',
      event: 'propose',
      guard: { '>': [{ var: 'amount' }, 0] },
      guardMessage: { 'zh-CN': '预计金额必须大于 0', en: 'The amount must be above 0' },
      allowed: { owner: true, roles: ['manager'] },
    },
    {
      id: 'win',
      from: 'proposal',
      to: 'won',
      event: 'win',
      allowed: { owner: true, roles: ['manager'] },
      approval: {
        steps: [
          {
            id: 'manager_review',
            when: { '>': [{ var: 'discount' }, 10] },
            approvers: [{ kind: 'managerChain', levels: 1 }],
            mode: 'any',
          },
        ],
      },
    },
    {
      id: 'lose',
      from: '*',
      to: 'lost',
      event: 'lose',
      requiredFields: ['loss_reason', 'competitor'],
    },
  ],
};

describe('flows on records', () => {
  let t: TestApp;
  let owner: Session;
  let rep: Session;
  let as: HttpClient;
  let asRep: HttpClient;
  let formId: string;
  const base = () => `/api/forms/${formId}/records`;

  before(async () => {
    t = await startTestApp();
    const http = new HttpClient(t.baseUrl);
    owner = await signupOwner(http);
    as = http.as(owner.accessToken);
    const team = await as.post<{ id: string }>('/api/teams', {
      name: '华东销售部',
      kind: 'department',
      managerMemberId: owner.member.id,
    });
    rep = await addMember(http, owner, {
      email: 'lina@qiming.cn',
      name: '李娜',
      roleKeys: ['member'],
      teamId: team.body.id,
    });
    asRep = http.as(rep.accessToken);
    const appId = await createApp(as);
    formId = (
      await publishForm(
        as,
        appId,
        'opportunity',
        { 'zh-CN': '商机', en: 'Opportunity' },
        OPPORTUNITY_FORM,
      )
    ).id;
    const saved = await as.put(`/api/forms/${formId}/flow`, { definition: OPPORTUNITY_FLOW });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal((await as.post(`/api/forms/${formId}/flow/publish`)).status, 200);
  });
  after(() => t.close());

  it('refuses a flow with problems, every one located', async () => {
    const broken = {
      ...OPPORTUNITY_FLOW,
      states: [
        ...OPPORTUNITY_FLOW.states,
        { id: 'limbo', label: '孤岛', kind: 'normal', order: 9 },
      ],
      transitions: [
        ...OPPORTUNITY_FLOW.transitions,
        {
          id: 'x',
          from: 'prospecting',
          to: 'won',
          event: 'analyse',
          guard: { '==': [{ var: 'no_such_field' }, 1] },
        },
      ],
    };
    const response = await as.put<Problem>(`/api/forms/${formId}/flow`, { definition: broken });
    assert.equal(response.status, 400);
    const codes = response.body.errors.map((e) => e.code);
    assert.ok(codes.includes('unreachable_state'), JSON.stringify(codes));
    assert.ok(codes.includes('unknown_field'), JSON.stringify(codes));
    assert.ok(response.body.errors.every((e) => e.path.startsWith('definition')));
  });

  it('starts a new record in the initial stage with its probability', async () => {
    const created = await asRep.post<RecordBody>(base(), {
      values: { title: '启明 CRM 升级项目', amount: '0' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.stage, 'prospecting');
    assert.equal(created.body.values['probability'], 10);
  });

  it('moves a record, refuses a false guard with its explanation, and names missing required fields', async () => {
    const created = await asRep.post<RecordBody>(base(), {
      values: { title: '云帆电商平台', amount: '0' },
    });
    const moved = await asRep.post<RecordBody>(`${base()}/${created.body.id}/transitions`, {
      event: 'analyse',
    });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.equal(moved.body.stage, 'needs_analysis');
    assert.equal(moved.body.values['probability'], 30);
    const guard = await asRep.post<
      Problem & { errors: Array<{ code: string; explanation?: unknown }> }
    >(`${base()}/${created.body.id}/transitions`, { event: 'propose' });
    assert.equal(guard.status, 409);
    assert.equal(guard.body.errors[0]?.code, 'GUARD_FALSE');
    assert.ok(guard.body.errors[0]?.explanation !== undefined, 'the guard explains itself');
    const missing = await asRep.post<Problem>(`${base()}/${created.body.id}/transitions`, {
      event: 'lose',
    });
    assert.equal(missing.status, 409);
    assert.deepEqual(missing.body.errors.map((e) => e.path).sort(), [
      'values.competitor',
      'values.loss_reason',
    ]);
    const lost = await asRep.post<RecordBody>(`${base()}/${created.body.id}/transitions`, {
      event: 'lose',
      values: { loss_reason: '预算被砍', competitor: '某友商' },
    });
    assert.equal(lost.status, 200, JSON.stringify(lost.body));
    assert.equal(lost.body.stage, 'lost');
    const history = await asRep.get<Array<{ kind: string }>>(
      `${base()}/${created.body.id}/history`,
    );
    assert.ok(history.body.filter((h) => h.kind === 'flow.transition').length >= 2);
  });

  it('lets exactly one of fifty identical concurrent moves succeed', async () => {
    const created = await asRep.post<RecordBody>(base(), {
      values: { title: '并发测试商机', amount: '5000' },
    });
    const attempts = await Promise.all(
      Array.from({ length: 50 }, () =>
        asRep.post(`${base()}/${created.body.id}/transitions`, { event: 'analyse' }),
      ),
    );
    assert.equal(attempts.filter((a) => a.status === 200).length, 1);
    assert.equal(attempts.filter((a) => a.status === 409).length, 49);
    const history = await asRep.get<Array<{ kind: string }>>(
      `${base()}/${created.body.id}/history`,
    );
    assert.equal(
      history.body.filter((h) => h.kind === 'flow.transition').length,
      1,
      'one move recorded, none doubled',
    );
  });

  it('runs an approval: the manager sees it in the inbox, approves, and the record moves', async () => {
    const created = await asRep.post<RecordBody>(base(), {
      values: { title: '华信大单', amount: '880000', discount: 15 },
    });
    await asRep.post(`${base()}/${created.body.id}/transitions`, { event: 'analyse' });
    const proposal = await asRep.post<RecordBody>(`${base()}/${created.body.id}/transitions`, {
      event: 'propose',
    });
    assert.equal(proposal.body.stage, 'proposal');
    const db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    const tasks = await db.query(
      `SELECT title, assignee_member_id, due_at FROM task WHERE record_id = $1`,
      [created.body.id],
    );
    await db.end();
    assert.deepEqual(
      tasks.rows.map((r) => [r.title, r.assignee_member_id]),
      [['准备方案与报价单', rep.member.id]],
      'entering Proposal created the owner a task',
    );
    assert.ok(tasks.rows[0]?.due_at instanceof Date, 'due in two working days');
    const submitted = await asRep.post<RecordBody>(`${base()}/${created.body.id}/transitions`, {
      event: 'win',
      comment: '客户要求 15% 折扣',
    });
    assert.equal(submitted.status, 200, JSON.stringify(submitted.body));
    assert.equal(submitted.body.stage, 'proposal', 'waiting for approval');
    const again = await asRep.post<Problem>(`${base()}/${created.body.id}/transitions`, {
      event: 'win',
    });
    assert.equal(again.body.errors[0]?.code, 'APPROVAL_PENDING');
    const inbox = await as.get<Approval[]>('/api/approvals');
    const approval = inbox.body.find((a) => a.recordId === created.body.id);
    assert.ok(approval !== undefined, 'the manager has it in the inbox');
    assert.deepEqual(approval.assignees, [owner.member.id]);
    assert.equal(
      (await asRep.post<Problem>(`/api/approvals/${approval.id}/decision`, { kind: 'approve' }))
        .status,
      403,
      'the submitter cannot approve',
    );
    const decided = await as.post<RecordBody>(`/api/approvals/${approval.id}/decision`, {
      kind: 'approve',
      comment: '同意',
    });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    assert.equal(decided.body.stage, 'won');
    assert.equal(decided.body.values['probability'], 100);
    const closed = await as.get<Approval[]>('/api/approvals');
    assert.ok(!closed.body.some((a) => a.id === approval.id), 'gone from the inbox');
  });

  it('recomputes formulas over the fields a stage sets: the sales cycle once closed_at is set', async () => {
    const created = await as.post<RecordBody>(base(), {
      values: { title: '宁波港物流数字化项目' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.values['cycle_days'], null, 'no cycle while the deal is open');
    const lost = await as.post<RecordBody>(`${base()}/${created.body.id}/transitions`, {
      event: 'lose',
      values: { loss_reason: '预算冻结', competitor: '金蝶' },
    });
    assert.equal(lost.status, 200, JSON.stringify(lost.body));
    assert.equal(lost.body.stage, 'lost');
    assert.equal(typeof lost.body.values['closed_at'], 'string');
    // created and closed within the same minute: a cycle of 0 days, computed, not left empty
    assert.equal(lost.body.values['cycle_days'], 0);
    const history = await as.get<Array<{ changes: Array<{ field: string; to: unknown }> }>>(
      `${base()}/${created.body.id}/history`,
    );
    const changed = history.body.flatMap((h) => h.changes.map((c) => c.field));
    assert.ok(changed.includes('cycle_days'), `history names the formula: ${changed.join(', ')}`);
  });

  it('lists the available transitions with reasons for the disabled ones', async () => {
    const created = await asRep.post<RecordBody>(base(), {
      values: { title: '可用按钮测试', amount: '0' },
    });
    await asRep.post(`${base()}/${created.body.id}/transitions`, { event: 'analyse' });
    const available = await asRep.get<
      Array<{ event: string; enabled: boolean; reasons: Array<{ code: string }> }>
    >(`${base()}/${created.body.id}/transitions`);
    const propose = available.body.find((a) => a.event === 'propose');
    assert.equal(propose?.enabled, false);
    assert.equal(propose?.reasons[0]?.code, 'GUARD_FALSE');
    const lose = available.body.find((a) => a.event === 'lose');
    assert.equal(lose?.enabled, false);
    assert.equal(
      lose?.reasons[0]?.code,
      'MISSING_REQUIRED_FIELDS',
      'the UI asks for the missing fields in a dialog',
    );
  });
});
