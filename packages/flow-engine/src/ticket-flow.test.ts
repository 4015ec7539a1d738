import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, fireTimer, pendingTimers, startFlow, transition } from './index.js';
import { codes, ctx, MemoryHost, people, refused, ticketFlow as flow } from './scenario-kit.js';

const ticket = {
  id: 'tk_20250303_0007',
  owner_id: 'u_sunli',
  customer: '上海启明信息技术有限公司',
  contact_name: '陈晓东',
  mobile: '13812345678',
  address: '上海市浦东新区张江路 88 号 5 楼',
  problem: '考勤机无法同步打卡数据',
};

/** Reported at 09:00 Monday, dispatched to 赵磊 at 09:20. */
function dispatched(extra: Record<string, unknown> = {}): MemoryHost {
  const host = new MemoryHost({ ...ticket, ...extra });
  host.apply(startFlow(flow, ctx(people.sunLi, '2025-03-03T09:00:00+08:00', host.record)));
  host.record.engineer_id = 'u_zhaolei';
  host.apply(
    transition(
      flow,
      host.snap,
      { event: 'dispatch' },
      ctx(people.sunLi, '2025-03-03T09:20:00+08:00', host.record),
    ),
  );
  return host;
}

describe('service ticket: reported → dispatched → resolved → feedback → rated', () => {
  it('runs end to end, notifying the engineer by SMS and tasking customer service with the call-back', () => {
    const host = dispatched();
    const dispatch = host.effects.find(
      (e) => e.type === 'notify' && e.template === 'ticket.dispatched',
    );
    assert.deepEqual(dispatch?.type === 'notify' && dispatch.to, [
      { kind: 'user', id: 'u_zhaolei' },
    ]);

    host.record.resolution = '更换网络模块，数据已补传';
    const resolved = host.apply(
      transition(
        flow,
        host.snap,
        { event: 'resolve' },
        ctx(people.zhaoLei, '2025-03-03T14:00:00+08:00', host.record),
      ),
    );
    const task = resolved.effects.find((e) => e.type === 'createTask');
    assert.ok(task?.type === 'createTask');
    assert.deepEqual(task.assignees, [{ kind: 'role', role: 'customer_service' }]);
    assert.equal(task.dueAt, '2025-03-04T06:00:00.000Z'); // one working day later, Tuesday 14:00

    host.record.callback_note = '客户确认已恢复';
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'request_feedback' },
        ctx(people.sunLi, '2025-03-04T10:00:00+08:00', host.record),
      ),
    );
    host.record.rating = 7;
    const badRating = refused(
      transition(
        flow,
        host.snap,
        { event: 'rate' },
        ctx(people.sunLi, '2025-03-04T11:00:00+08:00', host.record),
      ),
    );
    assert.deepEqual(
      badRating.reasons.map((r) => r.code),
      ['GUARD_FALSE'],
    );
    assert.deepEqual(badRating.reasons[0]?.guardMessage, {
      'zh-CN': '评分须为 1–5 星',
      en: 'Rate 1 to 5 stars',
    });
    host.record.rating = 5;
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'rate' },
        ctx(people.sunLi, '2025-03-04T11:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'rated');
    assert.deepEqual(
      host.history.map((h) => h.to),
      ['reported', 'dispatched', 'resolved', 'feedback', 'rated'],
    );
  });

  it('only the assigned engineer (or the service manager) resolves, and only a dispatcher dispatches', () => {
    const host = new MemoryHost(ticket);
    host.apply(startFlow(flow, ctx(people.sunLi, '2025-03-03T09:00:00+08:00', host.record)));
    assert.deepEqual(
      codes(
        transition(
          flow,
          host.snap,
          { event: 'dispatch' },
          ctx(people.zhaoLei, '2025-03-03T09:10:00+08:00', {
            ...host.record,
            engineer_id: 'u_zhaolei',
          }),
        ),
      ),
      ['NOT_ALLOWED'],
    );
    assert.deepEqual(
      codes(
        transition(
          flow,
          host.snap,
          { event: 'dispatch' },
          ctx(people.sunLi, '2025-03-03T09:10:00+08:00', host.record),
        ),
      ),
      ['MISSING_REQUIRED_FIELDS'],
    );
    const d = dispatched({ resolution: '重启设备' });
    assert.deepEqual(
      codes(
        transition(
          flow,
          d.snap,
          { event: 'resolve' },
          ctx(people.huangMin, '2025-03-03T10:00:00+08:00', d.record),
        ),
      ),
      ['NOT_ALLOWED'],
    );
    d.apply(
      transition(
        flow,
        d.snap,
        { event: 'resolve' },
        ctx(people.zhouJie, '2025-03-03T10:00:00+08:00', d.record),
      ),
    );
    assert.equal(d.snap.state, 'resolved');
  });

  it('reopens to dispatched when the customer is unhappy, with a reason', () => {
    const host = dispatched({ resolution: '重启设备', callback_note: '客户反馈仍有问题' });
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'resolve' },
        ctx(people.zhaoLei, '2025-03-03T11:00:00+08:00', host.record),
      ),
    );
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'request_feedback' },
        ctx(people.sunLi, '2025-03-03T15:00:00+08:00', host.record),
      ),
    );
    assert.deepEqual(
      refused(
        transition(
          flow,
          host.snap,
          { event: 'reopen' },
          ctx(people.sunLi, '2025-03-03T16:00:00+08:00', host.record),
        ),
      ).reasons[0]?.fields,
      ['reopen_reason'],
    );
    host.record.reopen_reason = '数据仍然不同步';
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'reopen' },
        ctx(people.sunLi, '2025-03-03T16:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'dispatched');
    // A fresh on-site SLA for the new visit, keyed by the new entry.
    assert.deepEqual(
      pendingTimers(flow, host.snap).map((p) => p.key),
      ['service_ticket@1:state:dispatched:5:onsite_sla'],
    );
  });
});

describe('service ticket: response SLA', () => {
  it('reminds dispatchers at 30 minutes, escalates at 2 hours, and both are cancelled by dispatching', () => {
    const host = new MemoryHost(ticket);
    const start = host.apply(
      startFlow(flow, ctx(people.sunLi, '2025-03-03T09:00:00+08:00', host.record)),
    );
    assert.deepEqual(
      start.effects
        .filter((e) => e.type === 'scheduleTimer')
        .map((e) => e.type === 'scheduleTimer' && [e.timer.timerId, e.timer.dueAt]),
      [
        ['response_sla', '2025-03-03T09:30:00.000+08:00'],
        ['response_breach', '2025-03-03T11:00:00.000+08:00'],
      ],
    );
    const due = pendingTimers(flow, host.snap).filter(
      (p) => p.dueAt !== null && Date.parse(p.dueAt) <= Date.parse('2025-03-03T09:45:00+08:00'),
    );
    assert.deepEqual(
      due.map((p) => p.timerId),
      ['response_sla'],
    );
    const remind = host.apply(
      fireTimer(
        flow,
        host.snap,
        due[0]?.key ?? '',
        ctx(people.system, '2025-03-03T09:45:00+08:00', host.record),
      ),
    );
    const n = remind.effects[0];
    assert.deepEqual(n?.type === 'notify' && n.to, [{ kind: 'role', role: 'service_dispatcher' }]);

    host.record.engineer_id = 'u_zhaolei';
    const d = host.apply(
      transition(
        flow,
        host.snap,
        { event: 'dispatch' },
        ctx(people.sunLi, '2025-03-03T10:00:00+08:00', host.record),
      ),
    );
    assert.deepEqual(
      d.effects
        .filter((e) => e.type === 'cancelTimer')
        .map((e) => e.type === 'cancelTimer' && e.key),
      [
        'service_ticket@1:state:reported:1:response_sla',
        'service_ticket@1:state:reported:1:response_breach',
      ],
    );
    assert.deepEqual(
      codes(
        fireTimer(
          flow,
          host.snap,
          'service_ticket@1:state:reported:1:response_breach',
          ctx(people.system, '2025-03-03T11:00:00+08:00', host.record),
        ),
      ),
      ['TIMER_STALE'],
    );
    assert.deepEqual(
      [...host.scheduled.keys()],
      ['service_ticket@1:state:dispatched:3:onsite_sla'],
    );
  });

  it('escalates a ticket nobody dispatched to the owner’s manager', () => {
    const host = new MemoryHost(ticket);
    host.apply(startFlow(flow, ctx(people.sunLi, '2025-03-03T09:00:00+08:00', host.record)));
    const r = host.apply(
      fireTimer(
        flow,
        host.snap,
        'service_ticket@1:state:reported:1:response_breach',
        ctx(people.system, '2025-03-03T11:00:00+08:00', host.record),
      ),
    );
    assert.deepEqual(
      r.effects.map((e) => e.type === 'escalate' && [e.about, e.to]),
      [['u_sunli', [{ kind: 'user', id: 'u_zhoujie' }]]],
    );
  });

  it('closes an unrated ticket after 7 days through its transition (default good rating)', () => {
    const host = dispatched({ resolution: '更换电源', callback_note: '已回访' });
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'resolve' },
        ctx(people.zhaoLei, '2025-03-03T12:00:00+08:00', host.record),
      ),
    );
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'request_feedback' },
        ctx(people.sunLi, '2025-03-04T10:00:00+08:00', host.record),
      ),
    );
    const key = pendingTimers(flow, host.snap)[0]?.key ?? '';
    // The timer runs as the system user, who is not a service manager: timers bypass who-may-fire.
    const r = host.apply(
      fireTimer(flow, host.snap, key, ctx(people.system, '2025-03-11T10:00:00+08:00', host.record)),
    );
    assert.equal(host.snap.state, 'rated');
    assert.equal(host.record.rating, 5);
    assert.deepEqual(
      r.history.map((h) => [h.kind, h.transitionId, h.by, h.timerKey]),
      [['transition', 'close_unrated', 'system', key]],
    );
  });
});

describe('service ticket: compensation sign-off (会签)', () => {
  it('needs both the service manager and finance; one approval keeps it pending', () => {
    const host = dispatched({ resolution: '设备损坏，已更换新机', compensation_amount: 800 });
    const submit = host.apply(
      transition(
        flow,
        host.snap,
        { event: 'resolve' },
        ctx(people.zhaoLei, '2025-03-03T15:00:00+08:00', host.record),
      ),
    );
    assert.deepEqual(host.snap.approval?.steps[0]?.assignees, ['u_zhoujie', 'u_chenjing']);
    const req = submit.effects[0];
    assert.deepEqual(req?.type === 'requestApproval' && [req.mode, req.assignees], [
      'all',
      ['u_zhoujie', 'u_chenjing'],
    ]);

    const first = host.apply(
      decide(
        flow,
        host.snap,
        { kind: 'approve', comment: '同意赔付 800 元' },
        ctx(people.zhouJie, '2025-03-03T16:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'dispatched');
    assert.deepEqual(first.effects, []);
    assert.deepEqual(
      codes(
        decide(
          flow,
          host.snap,
          { kind: 'approve' },
          ctx(people.zhouJie, '2025-03-03T16:05:00+08:00', host.record),
        ),
      ),
      ['NOT_AN_APPROVER'],
    );
    host.apply(
      decide(
        flow,
        host.snap,
        { kind: 'approve' },
        ctx(people.chenJing, '2025-03-04T09:30:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'resolved');
  });

  it('any single rejection ends the sign-off', () => {
    const host = dispatched({ resolution: '客户自行损坏', compensation_amount: 3000 });
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'resolve' },
        ctx(people.zhaoLei, '2025-03-03T15:00:00+08:00', host.record),
      ),
    );
    host.apply(
      decide(
        flow,
        host.snap,
        { kind: 'approve' },
        ctx(people.zhouJie, '2025-03-03T16:00:00+08:00', host.record),
      ),
    );
    host.apply(
      decide(
        flow,
        host.snap,
        { kind: 'reject', comment: '非质量问题，不予赔付' },
        ctx(people.chenJing, '2025-03-03T17:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'dispatched');
    assert.equal(host.snap.approval, null);
  });

  it('add signer in 会签 adds one more required approver', () => {
    const host = dispatched({ resolution: '更换主板', compensation_amount: 1500 });
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'resolve' },
        ctx(people.zhaoLei, '2025-03-03T15:00:00+08:00', host.record),
      ),
    );
    const added = host.apply(
      decide(
        flow,
        host.snap,
        { kind: 'addSigner', user: 'u_liuyang' },
        ctx(people.chenJing, '2025-03-03T15:30:00+08:00', host.record),
      ),
    );
    assert.deepEqual(
      added.effects.map((e) => e.type === 'requestApproval' && e.assignees),
      [['u_zhoujie', 'u_chenjing', 'u_liuyang']],
    );
    for (const u of [people.zhouJie, people.chenJing]) {
      host.apply(
        decide(
          flow,
          host.snap,
          { kind: 'approve' },
          ctx(u, '2025-03-03T16:00:00+08:00', host.record),
        ),
      );
    }
    assert.equal(host.snap.state, 'dispatched');
    host.apply(
      decide(
        flow,
        host.snap,
        { kind: 'approve' },
        ctx(people.liuYang, '2025-03-03T17:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'resolved');
  });

  it('auto-approves for whoever has not signed after 2 working days', () => {
    const host = dispatched({ resolution: '更换传感器', compensation_amount: 200 });
    host.apply(
      transition(
        flow,
        host.snap,
        { event: 'resolve' },
        ctx(people.zhaoLei, '2025-03-03T15:00:00+08:00', host.record),
      ),
    );
    host.apply(
      decide(
        flow,
        host.snap,
        { kind: 'approve' },
        ctx(people.zhouJie, '2025-03-03T16:00:00+08:00', host.record),
      ),
    );
    const plan = pendingTimers(flow, host.snap, {
      addWorkingTime: ctx(people.system, '', {}).addWorkingTime,
    }).find((p) => p.timerId === 'auto_approve');
    assert.equal(plan?.dueAt, '2025-03-05T07:00:00.000Z');
    const r = host.apply(
      fireTimer(
        flow,
        host.snap,
        plan?.key ?? '',
        ctx(people.system, '2025-03-05T15:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'resolved');
    const auto = r.history.at(-1)?.decisions?.at(-1);
    assert.deepEqual([auto?.by, auto?.decision, auto?.auto], ['u_chenjing', 'approve', true]);
  });

  it('cannot route role approvers without a directory', () => {
    const host = dispatched({ resolution: '更换电池', compensation_amount: 100 });
    const r = refused(
      transition(
        flow,
        host.snap,
        { event: 'resolve' },
        ctx(people.zhaoLei, '2025-03-03T15:00:00+08:00', host.record, { directory: {} }),
      ),
    );
    assert.deepEqual(
      r.reasons.map((x) => [x.code, x.stepId]),
      [['APPROVERS_UNRESOLVED', 'compensation']],
    );
  });
});
