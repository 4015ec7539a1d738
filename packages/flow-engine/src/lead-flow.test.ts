import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHINA_MAINLAND_CALENDAR_2026_2027 } from '@trellis/rule-engine';
import {
  availableTransitions,
  fireTimer,
  pendingTimers,
  startFlow,
  transition,
  type FlowEvent,
  type FlowUser,
  type RefusalCode,
} from './index.js';
import { codes, ctx, deepFreeze, leadFlow, MemoryHost, people, refused } from './scenario-kit.js';

const lead = {
  id: 'lead_20250303_001',
  owner_id: 'u_zhangwei',
  contact_name: '陈晓东',
  company: '上海启明信息技术有限公司',
  mobile: '13812345678',
  source: '官网留言',
};

describe('lead flow: New → Contacted → Qualified → Converted', () => {
  it('walks the happy path, stamping stage, time in stage and probability, with one history entry per move', () => {
    const host = new MemoryHost(lead);
    host.apply(startFlow(leadFlow, ctx(people.zhangWei, '2025-03-03T09:30:00+08:00', host.record)));
    assert.equal(host.record.stage, 'new');
    assert.equal(host.record.probability, 5);

    host.record.contact_method = '电话';
    host.apply(
      transition(
        leadFlow,
        host.snap,
        { event: 'contact', comment: '已电话沟通，客户对 CRM 有兴趣' },
        ctx(people.zhangWei, '2025-03-03T10:05:00+08:00', host.record),
      ),
    );
    assert.equal(host.record.stage, 'contacted');
    assert.equal(host.record.stage_entered_at, '2025-03-03T10:05:00+08:00');
    assert.equal(host.record.probability, 15);

    host.record.budget = 200000;
    host.apply(
      transition(
        leadFlow,
        host.snap,
        { event: 'qualify' },
        ctx(people.zhangWei, '2025-03-05T14:00:00+08:00', host.record),
      ),
    );
    host.record.expected_close_date = '2025-06-30';
    const converted = host.apply(
      transition(
        leadFlow,
        host.snap,
        { event: 'convert' },
        ctx(people.zhangWei, '2025-03-10T16:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'converted');
    assert.equal(host.record.probability, 100);
    assert.equal(host.record.converted_at, '2025-03-10T16:00:00+08:00');
    // The manager is told (resolved through the owner's manager chain) and the owner gets a task due in 2 working days.
    const notify = converted.effects.find((e) => e.type === 'notify');
    assert.deepEqual(notify?.type === 'notify' && notify.to, [{ kind: 'user', id: 'u_wangfang' }]);
    const task = converted.effects.find((e) => e.type === 'createTask');
    assert.ok(task?.type === 'createTask');
    assert.deepEqual(task.assignees, [{ kind: 'user', id: 'u_zhangwei' }]);
    assert.equal(task.dueAt, '2025-03-12T08:00:00.000Z'); // Wednesday 16:00 China time

    assert.deepEqual(
      host.history.map((h) => [h.seq, h.kind, h.from, h.to, h.by]),
      [
        [1, 'start', null, 'new', 'u_zhangwei'],
        [2, 'transition', 'new', 'contacted', 'u_zhangwei'],
        [3, 'transition', 'contacted', 'qualified', 'u_zhangwei'],
        [4, 'transition', 'qualified', 'converted', 'u_zhangwei'],
      ],
    );
    assert.equal(host.history[1]?.comment, '已电话沟通，客户对 CRM 有兴趣');
    assert.equal(host.snap.seq, 4);
  });

  it('moves by target state for a kanban drop, and disqualifies from any open state with a reason', () => {
    const host = new MemoryHost({ ...lead, contact_method: '微信' });
    host.apply(startFlow(leadFlow, ctx(people.zhangWei, '2025-03-03T09:30:00+08:00', host.record)));
    host.apply(
      transition(
        leadFlow,
        host.snap,
        { to: 'contacted' },
        ctx(people.zhangWei, '2025-03-03T11:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'contacted');

    const noReason = transition(
      leadFlow,
      host.snap,
      { to: 'unqualified' },
      ctx(people.zhangWei, '2025-03-04T09:00:00+08:00', host.record),
    );
    const reason = refused(noReason).reasons[0];
    assert.equal(reason?.code, 'MISSING_REQUIRED_FIELDS');
    assert.deepEqual(reason?.fields, ['unqualified_reason']);

    host.record.unqualified_reason = '同行咨询，非真实需求';
    host.apply(
      transition(
        leadFlow,
        host.snap,
        { to: 'unqualified' },
        ctx(people.zhangWei, '2025-03-04T09:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'unqualified');
    assert.equal(host.record.probability, 0);

    // Only a sales manager may reopen.
    assert.deepEqual(
      codes(
        transition(
          leadFlow,
          host.snap,
          { event: 'reopen' },
          ctx(people.zhangWei, '2025-03-05T09:00:00+08:00', host.record),
        ),
      ),
      ['NOT_ALLOWED'],
    );
    host.apply(
      transition(
        leadFlow,
        host.snap,
        { event: 'reopen' },
        ctx(people.wangFang, '2025-03-05T09:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'new');
  });
});

describe('lead flow refusals', () => {
  const started = deepFreeze(
    (() => {
      const r = startFlow(leadFlow, ctx(people.zhangWei, '2025-03-03T09:30:00+08:00', lead));
      if (!r.ok) throw new Error('start');
      return r.snapshot;
    })(),
  );
  const contacted = deepFreeze({ ...started, state: 'contacted', seq: 2, entrySeq: 2 });
  const cases: {
    title: string;
    at?: typeof started;
    event: FlowEvent;
    user: FlowUser;
    record: Record<string, unknown>;
    expect: RefusalCode[];
    fields?: string[];
  }[] = [
    {
      title: 'contact without a contact method names the field',
      event: { event: 'contact' },
      user: people.zhangWei,
      record: lead,
      expect: ['MISSING_REQUIRED_FIELDS'],
      fields: ['contact_method'],
    },
    {
      title: 'a whitespace-only contact method counts as empty',
      event: { event: 'contact' },
      user: people.zhangWei,
      record: { ...lead, contact_method: '   ' },
      expect: ['MISSING_REQUIRED_FIELDS'],
      fields: ['contact_method'],
    },
    {
      title: 'another sales rep is not allowed, and the missing field is reported at the same time',
      event: { event: 'contact' },
      user: people.huangMin,
      record: lead,
      expect: ['NOT_ALLOWED', 'MISSING_REQUIRED_FIELDS'],
    },
    {
      title: 'an unknown event',
      event: { event: 'sign_contract' },
      user: people.zhangWei,
      record: lead,
      expect: ['NO_SUCH_TRANSITION'],
    },
    {
      title: 'a kanban drop onto a stage with no edge from here',
      event: { to: 'converted' },
      user: people.zhangWei,
      record: lead,
      expect: ['NO_SUCH_TRANSITION'],
    },
    {
      title: 'qualify with a zero budget fails the guard',
      at: contacted,
      event: { event: 'qualify' },
      user: people.zhangWei,
      record: { ...lead, budget: 0 },
      expect: ['GUARD_FALSE'],
      fields: ['budget', 'mobile'],
    },
    {
      title: 'qualify without company or contact names both fields',
      at: contacted,
      event: { event: 'qualify' },
      user: people.zhangWei,
      record: { owner_id: 'u_zhangwei', budget: 50000, mobile: '13912345678' },
      expect: ['MISSING_REQUIRED_FIELDS'],
      fields: ['company', 'contact_name'],
    },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const r = transition(
        leadFlow,
        c.at ?? started,
        c.event,
        ctx(c.user, '2025-03-03T10:00:00+08:00', c.record),
      );
      assert.deepEqual(codes(r), c.expect);
      if (c.fields !== undefined) assert.deepEqual(refused(r).reasons.at(-1)?.fields, c.fields);
    });
  }

  it('a false guard carries the rule engine explanation and the definition message', () => {
    const r = refused(
      transition(
        leadFlow,
        contacted,
        { event: 'qualify' },
        ctx(people.zhangWei, '2025-03-03T10:00:00+08:00', { ...lead, budget: 0 }),
      ),
    );
    const reason = r.reasons[0];
    assert.equal(reason?.path, 'transitions.1.guard');
    assert.deepEqual(reason?.guardMessage, {
      'zh-CN': '请先确认预算（大于 0）和手机号',
      en: 'Confirm a budget above 0 and a mobile number',
    });
    assert.equal(reason?.explanation?.op, 'and');
    assert.equal(reason?.explanation?.value, false);
    assert.equal(reason?.explanation?.args[0]?.value, false); // budget > 0 is the failing part
  });
});

describe('lead flow timers', () => {
  it('schedules the first-touch SLA in working time, fires it when due and cancels the rest on contact', () => {
    const host = new MemoryHost(lead);
    // Friday 16:00: 4 working hours later is Monday 11:00, one working day later is Monday 16:00.
    const start = host.apply(
      startFlow(leadFlow, ctx(people.zhangWei, '2025-03-07T16:00:00+08:00', host.record)),
    );
    const scheduled = start.effects.filter((e) => e.type === 'scheduleTimer');
    assert.deepEqual(
      scheduled.map((e) => e.type === 'scheduleTimer' && [e.key, e.timer.dueAt]),
      [
        ['lead@1:state:new:1:first_touch', '2025-03-10T03:00:00.000Z'],
        ['lead@1:state:new:1:first_touch_escalation', '2025-03-10T08:00:00.000Z'],
      ],
    );
    // Without a working calendar the host gets the offset to compute.
    const plans = pendingTimers(leadFlow, host.snap);
    assert.deepEqual(
      plans.map((p) => [p.timerId, p.dueAt, p.from, p.after, p.clock, p.cancelWhen]),
      [
        ['first_touch', null, '2025-03-07T16:00:00+08:00', 'PT4H', 'working', 'stateExit'],
        [
          'first_touch_escalation',
          null,
          '2025-03-07T16:00:00+08:00',
          'P1D',
          'working',
          'stateExit',
        ],
      ],
    );

    const key = 'lead@1:state:new:1:first_touch';
    assert.deepEqual(
      codes(
        fireTimer(
          leadFlow,
          host.snap,
          key,
          ctx(people.system, '2025-03-08T10:00:00+08:00', host.record),
        ),
      ),
      ['TIMER_NOT_DUE'],
    );
    const fired = host.apply(
      fireTimer(
        leadFlow,
        host.snap,
        key,
        ctx(people.system, '2025-03-10T11:00:00+08:00', host.record),
      ),
    );
    const remind = fired.effects[0];
    assert.ok(remind?.type === 'notify');
    assert.equal(remind.template, 'flow.sla.remind');
    assert.deepEqual(remind.to, [{ kind: 'user', id: 'u_zhangwei' }]);
    assert.equal(fired.history[0]?.kind, 'timer');
    assert.equal(fired.history[0]?.timerKey, key);
    // Fired once: no longer pending, firing it again is stale.
    assert.deepEqual(
      pendingTimers(leadFlow, host.snap, {
        addWorkingTime: ctx(people.system, '', {}).addWorkingTime,
      }).map((p) => p.timerId),
      ['first_touch_escalation'],
    );
    assert.deepEqual(
      codes(
        fireTimer(
          leadFlow,
          host.snap,
          key,
          ctx(people.system, '2025-03-10T12:00:00+08:00', host.record),
        ),
      ),
      ['TIMER_STALE'],
    );

    host.record.contact_method = '电话';
    const contacted = host.apply(
      transition(
        leadFlow,
        host.snap,
        { event: 'contact' },
        ctx(people.zhangWei, '2025-03-10T11:30:00+08:00', host.record),
      ),
    );
    assert.deepEqual(
      contacted.effects
        .filter((e) => e.type === 'cancelTimer')
        .map((e) => e.type === 'cancelTimer' && e.key),
      ['lead@1:state:new:1:first_touch', 'lead@1:state:new:1:first_touch_escalation'],
    );
    // The escalation no longer applies once the state is left.
    assert.deepEqual(
      codes(
        fireTimer(
          leadFlow,
          host.snap,
          'lead@1:state:new:1:first_touch_escalation',
          ctx(people.system, '2025-03-10T16:00:00+08:00', host.record),
        ),
      ),
      ['TIMER_STALE'],
    );
    // The host's scheduler now holds only the new state's timer (calendar time: 7 days).
    assert.deepEqual([...host.scheduled.keys()], ['lead@1:state:contacted:3:stale_contact']);
    assert.equal(pendingTimers(leadFlow, host.snap)[0]?.dueAt, '2025-03-17T11:30:00+08:00');
  });

  it('counts the first-touch SLA in working time across the National Day holiday (rule engine calendar)', () => {
    // Wednesday 30 September 2026, 16:00: two working hours left that day, then 1–7 October off.
    const r = startFlow(
      leadFlow,
      ctx(people.zhangWei, '2026-09-30T16:00:00+08:00', lead, {
        addWorkingTime: undefined,
        calendar: CHINA_MAINLAND_CALENDAR_2026_2027,
      }),
    );
    assert.ok(r.ok);
    assert.deepEqual(
      r.effects.flatMap((e) =>
        e.type === 'scheduleTimer' ? [[e.timer.timerId, e.timer.dueAt]] : [],
      ),
      [
        ['first_touch', '2026-10-08T03:00:00.000Z'], // Thursday 8 October 11:00
        ['first_touch_escalation', '2026-10-08T08:00:00.000Z'], // one working day (8 h) later: 16:00
      ],
    );
    assert.deepEqual(
      pendingTimers(leadFlow, r.snapshot, { calendar: CHINA_MAINLAND_CALENDAR_2026_2027 }).map(
        (p) => p.dueAt,
      ),
      ['2026-10-08T03:00:00.000Z', '2026-10-08T08:00:00.000Z'],
    );
  });

  it('escalates an untouched lead to the owner’s manager, and reminds owner and manager of a stale contact', () => {
    const host = new MemoryHost(lead);
    host.apply(startFlow(leadFlow, ctx(people.zhangWei, '2025-03-03T09:30:00+08:00', host.record)));
    const esc = host.apply(
      fireTimer(
        leadFlow,
        host.snap,
        'lead@1:state:new:1:first_touch_escalation',
        ctx(people.system, '2025-03-04T09:30:00+08:00', host.record),
      ),
    );
    assert.deepEqual(esc.effects, [
      {
        type: 'escalate',
        key: 'lead@1:state:new:1:first_touch_escalation:escalate:0',
        scope: 'state',
        about: 'u_zhangwei',
        to: [{ kind: 'user', id: 'u_wangfang' }],
      },
    ]);
    host.record.contact_method = '上门拜访';
    host.apply(
      transition(
        leadFlow,
        host.snap,
        { event: 'contact' },
        ctx(people.zhangWei, '2025-03-04T10:00:00+08:00', host.record),
      ),
    );
    const stale = host.apply(
      fireTimer(
        leadFlow,
        host.snap,
        'lead@1:state:contacted:3:stale_contact',
        ctx(people.system, '2025-03-11T10:00:00+08:00', host.record),
      ),
    );
    const n = stale.effects[0];
    assert.ok(n?.type === 'notify');
    assert.deepEqual(n.to, [
      { kind: 'user', id: 'u_zhangwei' },
      { kind: 'user', id: 'u_wangfang' },
    ]);
  });
});

describe('lead flow: available transitions for the UI', () => {
  it('lists the buttons from Contacted with why-not reasons and the fields to prompt for', () => {
    const r = startFlow(leadFlow, ctx(people.zhangWei, '2025-03-03T09:30:00+08:00', lead));
    assert.ok(r.ok);
    const contacted = { ...r.snapshot, state: 'contacted' };
    const list = availableTransitions(leadFlow, contacted, { ...lead, budget: 0 }, people.zhangWei);
    assert.deepEqual(
      list.map((a) => [a.event, a.to, a.enabled, a.reasons.map((x) => x.code), a.requiredFields]),
      [
        ['qualify', 'qualified', false, ['GUARD_FALSE'], ['company', 'contact_name']],
        ['disqualify', 'unqualified', false, ['MISSING_REQUIRED_FIELDS'], ['unqualified_reason']],
      ],
    );
    const forOther = availableTransitions(
      leadFlow,
      contacted,
      { ...lead, budget: 80000 },
      people.huangMin,
    );
    assert.deepEqual(
      forOther.map((a) => a.reasons.map((x) => x.code)),
      [['NOT_ALLOWED'], ['NOT_ALLOWED', 'MISSING_REQUIRED_FIELDS']],
    );
    const forOwner = availableTransitions(
      leadFlow,
      contacted,
      { ...lead, budget: 80000 },
      people.zhangWei,
    );
    assert.equal(forOwner[0]?.enabled, true);
    assert.deepEqual(forOwner[0]?.label, { 'zh-CN': '确认需求', en: 'Qualify' });
  });
});
