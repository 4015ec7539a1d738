import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  availableTransitions,
  decide,
  fireTimer,
  pendingTimers,
  startFlow,
  transition,
  type Effect,
} from './index.js';
import {
  codes,
  ctx,
  deepFreeze,
  MemoryHost,
  opportunityFlow as flow,
  people,
  refused,
} from './scenario-kit.js';

const deal = {
  id: 'opp_2025_0042',
  owner_id: 'u_zhangwei',
  name: '上海启明信息技术有限公司 CRM 年度订阅',
  contact_name: '陈晓东',
  mobile: '13812345678',
  amount: 480000,
  quote_no: 'BJ-2025-0317',
  contract_no: 'HT-2025-0042',
  signed_at: '2025-03-20',
};

/** Walks an opportunity to Negotiation as 张伟 with the given discount (percent). */
function inNegotiation(discount: number): MemoryHost {
  const host = new MemoryHost({ ...deal, discount });
  host.apply(startFlow(flow, ctx(people.zhangWei, '2025-03-03T09:00:00+08:00', host.record)));
  for (const [event, at] of [
    ['analyse', '2025-03-04T10:00:00+08:00'],
    ['propose', '2025-03-06T10:00:00+08:00'],
    ['negotiate', '2025-03-10T10:00:00+08:00'],
  ] as const) {
    host.apply(transition(flow, host.snap, { event }, ctx(people.zhangWei, at, host.record)));
  }
  return host;
}

const types = (effects: Effect[]): string[] => effects.map((e) => e.type);

describe('opportunity flow: stages and probabilities', () => {
  it('stamps 10% → 30% → 60% → 80% and creates the proposal task', () => {
    const host = new MemoryHost({ ...deal, discount: 0 });
    host.apply(startFlow(flow, ctx(people.zhangWei, '2025-03-03T09:00:00+08:00', host.record)));
    const seen: unknown[] = [host.record.probability];
    for (const event of ['analyse', 'propose', 'negotiate']) {
      host.apply(
        transition(
          flow,
          host.snap,
          { event },
          ctx(people.zhangWei, '2025-03-04T10:00:00+08:00', host.record),
        ),
      );
      seen.push(host.record.probability);
    }
    assert.deepEqual(seen, [10, 30, 60, 80]);
    const task = host.effects.find((e) => e.type === 'createTask');
    assert.ok(task?.type === 'createTask');
    assert.deepEqual(task.title, {
      'zh-CN': '准备方案与报价单',
      en: 'Prepare the proposal and quote',
    });
    assert.equal(task.dueAt, '2025-03-06T02:00:00.000Z');
  });

  it('wins without approval at a 5% discount: 100%, closed_at, finance notified, delivery task', () => {
    const host = inNegotiation(5);
    const r = host.apply(
      transition(
        flow,
        host.snap,
        { event: 'win', comment: '客户已盖章' },
        ctx(people.zhangWei, '2025-03-20T15:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'won');
    assert.equal(host.record.probability, 100);
    assert.equal(host.record.closed_at, '2025-03-20T15:00:00+08:00');
    assert.deepEqual(types(r.effects), [
      'cancelTimer',
      'cancelTimer',
      'setField',
      'setField',
      'setField',
      'setField',
      'notify',
      'createTask',
    ]);
    const n = r.effects.find((e) => e.type === 'notify');
    assert.deepEqual(n?.type === 'notify' && n.to, [
      { kind: 'role', role: 'finance' },
      { kind: 'user', id: 'u_zhangwei' },
    ]);
  });

  it('loses from any open stage only with loss_reason and competitor', () => {
    const host = inNegotiation(0);
    const r = refused(
      transition(
        flow,
        host.snap,
        { to: 'lost' },
        ctx(people.zhangWei, '2025-03-12T10:00:00+08:00', host.record),
      ),
    );
    assert.deepEqual(r.reasons[0]?.fields, ['loss_reason', 'competitor']);
    host.record.loss_reason = '价格';
    assert.deepEqual(
      refused(
        transition(
          flow,
          host.snap,
          { to: 'lost' },
          ctx(people.zhangWei, '2025-03-12T10:00:00+08:00', host.record),
        ),
      ).reasons[0]?.fields,
      ['competitor'],
    );
    host.record.competitor = '杭州云帆软件有限公司';
    host.apply(
      transition(
        flow,
        host.snap,
        { to: 'lost' },
        ctx(people.zhangWei, '2025-03-12T10:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'lost');
    assert.equal(host.record.probability, 0);
    // Lost is terminal for the rep: only a sales manager reopens.
    assert.deepEqual(
      codes(
        transition(
          flow,
          host.snap,
          { event: 'reopen' },
          ctx(people.zhangWei, '2025-04-01T10:00:00+08:00', host.record),
        ),
      ),
      ['NOT_ALLOWED'],
    );
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'reopen' },
        ctx(people.wangFang, '2025-04-01T10:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.record.probability, 10);
  });

  it('refuses a discount above 40% by guard before any approval starts', () => {
    const host = inNegotiation(45);
    const r = refused(
      transition(
        flow,
        host.snap,
        { event: 'win' },
        ctx(people.zhangWei, '2025-03-20T15:00:00+08:00', host.record),
      ),
    );
    assert.deepEqual(
      r.reasons.map((x) => x.code),
      ['GUARD_FALSE'],
    );
    assert.equal(host.snap.approval, null);
  });
});

describe('opportunity flow: discount approvals', () => {
  it('15% needs the manager (或签): approving completes the win, the move is 张伟’s and carries the decision', () => {
    const host = inNegotiation(15);
    const submit = host.apply(
      transition(
        flow,
        host.snap,
        { event: 'win', comment: '客户要求 15% 折扣' },
        ctx(people.zhangWei, '2025-03-20T10:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'negotiation');
    const a = host.snap.approval;
    assert.ok(a !== null);
    assert.equal(a.id, 'opportunity/win#5');
    assert.deepEqual(
      a.steps.map((s) => [s.stepId, s.mode, s.assignees]),
      [['manager_review', 'any', ['u_wangfang']]],
    );
    assert.deepEqual(submit.effects[0], {
      type: 'requestApproval',
      approvalId: 'opportunity/win#5',
      transitionId: 'win',
      stepId: 'manager_review',
      mode: 'any',
      assignees: ['u_wangfang'],
    });
    assert.equal(submit.history[0]?.kind, 'approvalSubmitted');

    // While pending, nothing else moves, and the UI shows why.
    host.record.loss_reason = '预算冻结';
    host.record.competitor = '无';
    assert.deepEqual(
      codes(
        transition(
          flow,
          host.snap,
          { event: 'lose' },
          ctx(people.zhangWei, '2025-03-20T11:00:00+08:00', host.record),
        ),
      ),
      ['APPROVAL_PENDING'],
    );
    assert.ok(
      availableTransitions(flow, host.snap, host.record, people.zhangWei).every(
        (t) => !t.enabled && t.reasons[0]?.code === 'APPROVAL_PENDING',
      ),
    );
    // Only the assignee decides.
    assert.deepEqual(
      codes(
        decide(
          flow,
          host.snap,
          { kind: 'approve' },
          ctx(people.liNa, '2025-03-20T11:00:00+08:00', host.record),
        ),
      ),
      ['NOT_AN_APPROVER'],
    );
    assert.deepEqual(
      codes(
        decide(
          flow,
          host.snap,
          { kind: 'approve', approvalId: 'opportunity/win#2' },
          ctx(people.wangFang, '2025-03-20T11:00:00+08:00', host.record),
        ),
      ),
      ['APPROVAL_STALE'],
    );

    const done = host.apply(
      decide(
        flow,
        host.snap,
        { kind: 'approve', comment: '同意，注意回款节点' },
        ctx(people.wangFang, '2025-03-20T14:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'won');
    assert.equal(host.snap.approval, null);
    assert.deepEqual(
      done.history.map((h) => [h.kind, h.decision, h.by, h.from, h.to]),
      [
        ['approvalDecision', 'approve', 'u_wangfang', 'negotiation', 'negotiation'],
        ['transition', null, 'u_zhangwei', 'negotiation', 'won'],
      ],
    );
    assert.equal(done.history[1]?.comment, '客户要求 15% 折扣');
    assert.deepEqual(
      done.history[1]?.decisions?.map((d) => [d.by, d.decision, d.comment]),
      [['u_wangfang', 'approve', '同意，注意回款节点']],
    );
    assert.ok(done.effects.some((e) => e.type === 'approvalClosed' && e.outcome === 'approved'));
    assert.equal(host.record.probability, 100);
  });

  it('25% goes up the chain one by one (逐级): 王芳 first, then 李娜', () => {
    const host = inNegotiation(25);
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'win' },
        ctx(people.zhangWei, '2025-03-20T10:00:00+08:00', host.record),
      ),
    );
    assert.deepEqual(
      host.snap.approval?.steps.map((s) => [s.stepId, s.mode, s.assignees]),
      [['director_review', 'sequential', ['u_wangfang', 'u_lina']]],
    );
    // Not 李娜's turn yet.
    assert.deepEqual(
      codes(
        decide(
          flow,
          host.snap,
          { kind: 'approve' },
          ctx(people.liNa, '2025-03-20T11:00:00+08:00', host.record),
        ),
      ),
      ['NOT_AN_APPROVER'],
    );
    const first = host.apply(
      decide(
        flow,
        host.snap,
        { kind: 'approve', comment: '同意上报' },
        ctx(people.wangFang, '2025-03-20T11:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'negotiation');
    const request = first.effects.find((e) => e.type === 'requestApproval');
    assert.deepEqual(request?.type === 'requestApproval' && request.assignees, ['u_lina']);
    host.apply(
      decide(
        flow,
        host.snap,
        { kind: 'approve', comment: '战略客户，同意' },
        ctx(people.liNa, '2025-03-20T16:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'won');
    assert.deepEqual(
      host.history.filter((h) => h.kind === 'approvalDecision').map((h) => h.by),
      ['u_wangfang', 'u_lina'],
    );
  });

  it('rejection needs a comment, keeps the stage, tells 张伟, and a new request starts over', () => {
    const host = inNegotiation(18);
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'win' },
        ctx(people.zhangWei, '2025-03-20T10:00:00+08:00', host.record),
      ),
    );
    assert.deepEqual(
      codes(
        decide(
          flow,
          host.snap,
          { kind: 'reject' },
          ctx(people.wangFang, '2025-03-20T11:00:00+08:00', host.record),
        ),
      ),
      ['COMMENT_REQUIRED'],
    );
    const r = host.apply(
      decide(
        flow,
        host.snap,
        { kind: 'reject', comment: '折扣过高，毛利不足' },
        ctx(people.wangFang, '2025-03-20T11:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'negotiation');
    assert.equal(host.snap.approval, null);
    assert.deepEqual(types(r.effects), [
      'cancelTimer',
      'cancelTimer',
      'cancelTimer',
      'approvalClosed',
      'notify',
    ]);
    const n = r.effects.at(-1);
    assert.ok(n?.type === 'notify');
    assert.equal(n.template, 'flow.approval.rejected');
    assert.deepEqual(n.to, [{ kind: 'user', id: 'u_zhangwei' }]);
    assert.equal(n.params.comment, '折扣过高，毛利不足');
    // With a smaller discount the win goes straight through.
    host.record.discount = 8;
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'win' },
        ctx(people.zhangWei, '2025-03-21T10:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'won');
  });

  it('return sends it back to 张伟, who lowers the discount and resubmits to the right approvers', () => {
    const host = inNegotiation(25);
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'win' },
        ctx(people.zhangWei, '2025-03-20T10:00:00+08:00', host.record),
      ),
    );
    host.apply(
      decide(
        flow,
        host.snap,
        { kind: 'return', comment: '请把折扣降到 20% 以内' },
        ctx(people.wangFang, '2025-03-20T11:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.approval?.status, 'returned');
    assert.deepEqual(
      codes(
        decide(
          flow,
          host.snap,
          { kind: 'approve' },
          ctx(people.wangFang, '2025-03-20T11:05:00+08:00', host.record),
        ),
      ),
      ['APPROVAL_RETURNED'],
    );
    assert.deepEqual(
      codes(
        decide(
          flow,
          host.snap,
          { kind: 'resubmit' },
          ctx(people.wangFang, '2025-03-20T11:05:00+08:00', host.record),
        ),
      ),
      ['NOT_SUBMITTER'],
    );
    assert.deepEqual(
      pendingTimers(flow, host.snap).filter((p) => p.scope === 'approval'),
      [],
    );

    host.record.discount = 18;
    const again = host.apply(
      decide(
        flow,
        host.snap,
        { kind: 'resubmit', comment: '已调整为 18%' },
        ctx(people.zhangWei, '2025-03-20T15:00:00+08:00', host.record),
      ),
    );
    const a = host.snap.approval;
    assert.equal(a?.id, 'opportunity/win#5'); // the same request, threaded
    assert.equal(a?.status, 'pending');
    assert.deepEqual(
      a?.steps.map((s) => s.stepId),
      ['manager_review'],
    );
    assert.deepEqual(
      again.effects.find((e) => e.type === 'requestApproval')?.type,
      'requestApproval',
    );
    host.apply(
      decide(
        flow,
        host.snap,
        { kind: 'approve' },
        ctx(people.wangFang, '2025-03-20T16:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'won');
    assert.deepEqual(
      host.history
        .filter((h) => h.approvalId === 'opportunity/win#5')
        .map((h) => [h.kind, h.decision]),
      [
        ['approvalSubmitted', null],
        ['approvalDecision', 'return'],
        ['approvalDecision', 'resubmit'],
        ['approvalDecision', 'approve'],
        ['transition', null],
      ],
    );
  });

  it('a resubmission that no longer needs approval moves at once', () => {
    const host = inNegotiation(15);
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'win' },
        ctx(people.zhangWei, '2025-03-20T10:00:00+08:00', host.record),
      ),
    );
    host.apply(
      decide(
        flow,
        host.snap,
        { kind: 'return', comment: '10% 以内无需审批' },
        ctx(people.wangFang, '2025-03-20T11:00:00+08:00', host.record),
      ),
    );
    host.record.discount = 10;
    const r = host.apply(
      decide(
        flow,
        host.snap,
        { kind: 'resubmit' },
        ctx(people.zhangWei, '2025-03-20T12:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'won');
    assert.ok(r.effects.some((e) => e.type === 'approvalClosed' && e.outcome === 'cancelled'));
  });

  it('the submitter can withdraw; the approval closes and the stage stays', () => {
    const host = inNegotiation(15);
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'win' },
        ctx(people.zhangWei, '2025-03-20T10:00:00+08:00', host.record),
      ),
    );
    assert.deepEqual(
      codes(
        decide(
          flow,
          host.snap,
          { kind: 'withdraw' },
          ctx(people.wangFang, '2025-03-20T10:30:00+08:00', host.record),
        ),
      ),
      ['NOT_SUBMITTER'],
    );
    const r = host.apply(
      decide(
        flow,
        host.snap,
        { kind: 'withdraw', comment: '客户还在比价' },
        ctx(people.zhangWei, '2025-03-20T10:30:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.approval, null);
    assert.ok(r.effects.some((e) => e.type === 'approvalClosed' && e.outcome === 'withdrawn'));
    assert.deepEqual(
      codes(
        decide(
          flow,
          host.snap,
          { kind: 'approve' },
          ctx(people.wangFang, '2025-03-20T11:00:00+08:00', host.record),
        ),
      ),
      ['NO_PENDING_APPROVAL'],
    );
  });

  it('reassign (转交) hands 王芳’s turn to 黄敏 with fresh timers', () => {
    const host = inNegotiation(15);
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'win' },
        ctx(people.zhangWei, '2025-03-20T10:00:00+08:00', host.record),
      ),
    );
    assert.deepEqual(
      codes(
        decide(
          flow,
          host.snap,
          { kind: 'reassign', user: 'u_wangfang' },
          ctx(people.wangFang, '2025-03-20T10:10:00+08:00', host.record),
        ),
      ),
      ['INVALID_DECISION'],
    );
    const r = host.apply(
      decide(
        flow,
        host.snap,
        { kind: 'reassign', user: 'u_huangmin', comment: '出差中，请黄敏代审' },
        ctx(people.wangFang, '2025-03-20T10:10:00+08:00', host.record),
      ),
    );
    assert.deepEqual(host.snap.approval?.steps[0]?.assignees, ['u_huangmin']);
    assert.deepEqual(types(r.effects), [
      'cancelTimer',
      'cancelTimer',
      'cancelTimer',
      'requestApproval',
      'scheduleTimer',
      'scheduleTimer',
      'scheduleTimer',
    ]);
    assert.deepEqual(host.snap.approval?.decisions.at(-1), {
      step: 'manager_review',
      by: 'u_wangfang',
      decision: 'reassign',
      at: '2025-03-20T10:10:00+08:00',
      comment: '出差中，请黄敏代审',
      target: 'u_huangmin',
      auto: false,
    });
    assert.deepEqual(
      codes(
        decide(
          flow,
          host.snap,
          { kind: 'approve' },
          ctx(people.wangFang, '2025-03-20T11:00:00+08:00', host.record),
        ),
      ),
      ['NOT_AN_APPROVER'],
    );
    host.apply(
      decide(
        flow,
        host.snap,
        { kind: 'approve' },
        ctx(people.huangMin, '2025-03-20T11:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'won');
  });

  it('add signer (加签) in sequence puts 刘洋 right after 王芳, before 李娜', () => {
    const host = inNegotiation(30);
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'win' },
        ctx(people.zhangWei, '2025-03-20T10:00:00+08:00', host.record),
      ),
    );
    host.apply(
      decide(
        flow,
        host.snap,
        { kind: 'addSigner', user: 'u_liuyang', comment: '30% 请副总裁把关' },
        ctx(people.wangFang, '2025-03-20T10:30:00+08:00', host.record),
      ),
    );
    assert.deepEqual(host.snap.approval?.steps[0]?.assignees, [
      'u_wangfang',
      'u_liuyang',
      'u_lina',
    ]);
    const order: string[] = [];
    for (const u of [people.wangFang, people.liuYang, people.liNa]) {
      host.apply(
        decide(
          flow,
          host.snap,
          { kind: 'approve' },
          ctx(u, '2025-03-20T15:00:00+08:00', host.record),
        ),
      );
      order.push(u.id);
    }
    assert.equal(host.snap.state, 'won');
    assert.deepEqual(
      host.history.at(-1)?.decisions?.map((d) => [d.decision, d.by, d.target]),
      [
        ['addSigner', 'u_wangfang', 'u_liuyang'],
        ['approve', 'u_wangfang', null],
        ['approve', 'u_liuyang', null],
        ['approve', 'u_lina', null],
      ],
    );
  });

  it('needs the submitter’s manager chain to route approvals', () => {
    const host = inNegotiation(15);
    const r = refused(
      transition(
        flow,
        host.snap,
        { event: 'win' },
        ctx({ id: 'u_zhangwei', roles: ['sales'] }, '2025-03-20T10:00:00+08:00', host.record, {
          directory: {},
        }),
      ),
    );
    assert.deepEqual(
      r.reasons.map((x) => [x.code, x.stepId]),
      [['APPROVERS_UNRESOLVED', 'manager_review']],
    );
    const top = refused(
      transition(
        flow,
        host.snap,
        { event: 'win' },
        ctx(
          { id: 'u_zhangwei', roles: ['sales'], managerChain: [] },
          '2025-03-20T10:00:00+08:00',
          host.record,
        ),
      ),
    );
    assert.deepEqual(
      top.reasons.map((x) => x.code),
      ['NO_APPROVERS'],
    );
  });

  it('availableTransitions flags the win as needing approval at 25% but not at 5%', () => {
    const host = inNegotiation(25);
    const win = (discount: number) =>
      availableTransitions(flow, host.snap, { ...host.record, discount }, people.zhangWei).find(
        (t) => t.event === 'win',
      );
    assert.equal(win(25)?.needsApproval, true);
    assert.equal(win(25)?.enabled, true);
    assert.equal(win(5)?.needsApproval, false);
  });
});

describe('opportunity flow: approval timers', () => {
  it('reminds 王芳 after 4 working hours, escalates to 李娜 after a working day, returns to 张伟 after 3 days', () => {
    const host = inNegotiation(15);
    // Friday 14:00 submission.
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'win' },
        ctx(people.zhangWei, '2025-03-21T14:00:00+08:00', host.record),
      ),
    );
    const plans = pendingTimers(flow, host.snap, {
      addWorkingTime: ctx(people.system, '', {}).addWorkingTime,
    }).filter((p) => p.scope === 'approval');
    assert.deepEqual(
      plans.map((p) => [p.timerId, p.dueAt, p.cancelWhen]),
      [
        ['remind', '2025-03-21T10:00:00.000Z', 'approvalSlot'], // Friday 18:00
        ['escalate', '2025-03-24T06:00:00.000Z', 'approvalSlot'], // Monday 14:00
        ['auto_return', '2025-03-24T14:00:00+08:00', 'approvalSlot'],
      ],
    );
    const [remind, escalate, autoReturn] = plans.map((p) => p.key) as [string, string, string];
    const r1 = host.apply(
      fireTimer(
        flow,
        host.snap,
        remind,
        ctx(people.system, '2025-03-21T18:00:00+08:00', host.record),
      ),
    );
    const n = r1.effects[0];
    assert.ok(n?.type === 'notify');
    assert.equal(n.template, 'flow.approval.remind');
    assert.deepEqual(n.to, [{ kind: 'user', id: 'u_wangfang' }]);
    const r2 = host.apply(
      fireTimer(
        flow,
        host.snap,
        escalate,
        ctx(people.system, '2025-03-24T14:00:00+08:00', host.record),
      ),
    );
    assert.deepEqual(
      r2.effects.map((e) => e.type === 'escalate' && [e.about, e.to]),
      [['u_wangfang', [{ kind: 'user', id: 'u_lina' }]]],
    );
    const r3 = host.apply(
      fireTimer(
        flow,
        host.snap,
        autoReturn,
        ctx(people.system, '2025-03-24T14:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.approval?.status, 'returned');
    assert.deepEqual(
      r3.history.map((h) => [h.kind, h.decision, h.by, h.timerKey]),
      [['approvalDecision', 'return', 'system', autoReturn]],
    );
    assert.equal(host.snap.approval?.decisions.at(-1)?.auto, true);
    // Returned: the approval's timers are gone; no more approval timers to fire.
    assert.deepEqual(
      pendingTimers(flow, host.snap).filter((p) => p.scope === 'approval'),
      [],
    );
  });

  it('a reassign timer with nobody new to hand the turn to tells the owner instead', () => {
    const host = inNegotiation(25);
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'win' },
        ctx(people.zhangWei, '2025-03-20T10:00:00+08:00', host.record),
      ),
    );
    const key = pendingTimers(flow, host.snap).find((p) => p.timerId === 'reassign_up')?.key;
    assert.equal(key, 'opportunity@1:approval:opportunity/win#5:director_review:1:reassign_up');
    const r = host.apply(
      fireTimer(flow, host.snap, key, ctx(people.system, '2025-03-22T10:00:00+08:00', host.record)),
    );
    // The target is 王芳's manager (李娜), already next in line: nobody new to hand to, so the owner is told.
    assert.deepEqual(types(r.effects), ['notify']);
    const n = r.effects[0];
    assert.ok(n?.type === 'notify');
    assert.equal(n.template, 'flow.timer.autoActionFailed');
    assert.equal(host.snap.approval?.steps[0]?.assignees[0], 'u_wangfang');
  });

  it('auto-reassigns a manager review to the manager’s manager', () => {
    const reassignFlow = deepFreeze(
      structuredClone({
        ...flow,
        transitions: flow.transitions.map((t) =>
          t.id !== 'win' || t.approval === null
            ? t
            : {
                ...t,
                approval: {
                  steps: t.approval.steps.map((s) =>
                    s.id !== 'manager_review'
                      ? s
                      : {
                          ...s,
                          timers: [
                            {
                              id: 'reassign_up',
                              label: null,
                              after: 'P1D',
                              clock: 'calendar' as const,
                              action: {
                                kind: 'reassign' as const,
                                to: [
                                  {
                                    kind: 'managerChain' as const,
                                    levels: 1,
                                    of: 'assignee' as const,
                                  },
                                ],
                              },
                            },
                          ],
                        },
                  ),
                },
              },
        ),
      }),
    );
    const host = inNegotiation(15);
    host.apply(
      transition(
        reassignFlow,
        host.snap,
        { event: 'win' },
        ctx(people.zhangWei, '2025-03-20T10:00:00+08:00', host.record),
      ),
    );
    const key = pendingTimers(reassignFlow, host.snap)[2]?.key ?? '';
    assert.deepEqual(
      codes(
        fireTimer(
          reassignFlow,
          host.snap,
          key,
          ctx(people.system, '2025-03-21T09:59:00+08:00', host.record),
        ),
      ),
      ['TIMER_NOT_DUE'],
    );
    const r = host.apply(
      fireTimer(
        reassignFlow,
        host.snap,
        key,
        ctx(people.system, '2025-03-21T10:00:00+08:00', host.record),
      ),
    );
    assert.deepEqual(host.snap.approval?.steps[0]?.assignees, ['u_lina']);
    assert.deepEqual(
      r.history.map((h) => [h.decision, h.timerKey]),
      [['reassign', key]],
    );
    host.apply(
      decide(
        reassignFlow,
        host.snap,
        { kind: 'approve' },
        ctx(people.liNa, '2025-03-21T11:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'won');
  });

  it('cancels the stage timers of Negotiation when the win is approved, and never mutates its input', () => {
    const host = inNegotiation(15);
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'win' },
        ctx(people.zhangWei, '2025-03-20T10:00:00+08:00', host.record),
      ),
    );
    const before = deepFreeze(structuredClone(host.snap));
    const r = host.apply(
      decide(
        flow,
        before,
        { kind: 'approve' },
        ctx(people.wangFang, '2025-03-20T11:00:00+08:00', host.record),
      ),
    );
    assert.deepEqual(
      r.effects
        .filter((e) => e.type === 'cancelTimer')
        .map((e) => e.type === 'cancelTimer' && e.key.split(':').slice(1, 2)[0]),
      ['approval', 'approval', 'approval', 'state', 'state'],
    );
    assert.deepEqual([...host.scheduled.keys()], []);
  });
});
