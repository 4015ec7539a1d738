import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decide,
  fireTimer,
  migrateSnapshot,
  parseFlow,
  pendingTimers,
  startFlow,
  transition,
  validateFlow,
} from './index.js';
import { codes, ctx, MemoryHost, opportunityFlow as v1, people, rawFlows } from './scenario-kit.js';

/** Version 2: Needs analysis becomes Discovery (25%), the negotiation reminder comes after 5 days, manager review is renamed. */
function version2(renameManagerStep = false) {
  const raw = structuredClone(rawFlows.opportunity) as Record<string, unknown> & {
    states: { id: string; probability?: number; timers?: { id: string; after: string }[] }[];
    transitions: {
      id: string;
      from: string | string[];
      to: string;
      approval?: { steps: { id: string }[] };
    }[];
  };
  raw.version = 2;
  for (const s of raw.states) {
    if (s.id === 'needs_analysis') {
      s.id = 'discovery';
      s.probability = 25;
    }
    if (s.id === 'negotiation')
      for (const t of s.timers ?? []) if (t.id === 'stuck') t.after = 'P5D';
  }
  for (const t of raw.transitions) {
    if (t.from === 'needs_analysis') t.from = 'discovery';
    if (t.to === 'needs_analysis') t.to = 'discovery';
    if (renameManagerStep && t.approval !== undefined) {
      for (const s of t.approval.steps)
        if (s.id === 'manager_review') s.id = 'sales_manager_review';
    }
  }
  assert.deepEqual(validateFlow(raw), []);
  return parseFlow(raw);
}

const v2 = version2();
const deal = {
  owner_id: 'u_zhangwei',
  contact_name: '陈晓东',
  amount: 480000,
  quote_no: 'BJ-2025-0317',
  contract_no: 'HT-2025-0042',
  signed_at: '2025-03-20',
  discount: 15,
};

function at(state: 'needs_analysis' | 'negotiation'): MemoryHost {
  const host = new MemoryHost(deal);
  host.apply(startFlow(v1, ctx(people.zhangWei, '2025-03-03T09:00:00+08:00', host.record)));
  const events = state === 'needs_analysis' ? ['analyse'] : ['analyse', 'propose', 'negotiate'];
  for (const event of events) {
    host.apply(
      transition(
        v1,
        host.snap,
        { event },
        ctx(people.zhangWei, '2025-03-04T10:00:00+08:00', host.record),
      ),
    );
  }
  return host;
}

describe('versions and migration', () => {
  it('instances stay on their version: the new version refuses an old snapshot until migrated', () => {
    const host = at('needs_analysis');
    const r = transition(
      v2,
      host.snap,
      { event: 'propose' },
      ctx(people.zhangWei, '2025-03-05T10:00:00+08:00', host.record),
    );
    assert.deepEqual(codes(r), ['FLOW_MISMATCH']);
    // The old version keeps working for it.
    host.apply(
      transition(
        v1,
        host.snap,
        { event: 'propose' },
        ctx(people.zhangWei, '2025-03-05T10:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.version, 1);
    assert.equal(host.snap.state, 'proposal');
  });

  it('migrates an instance in a renamed state with an explicit mapping, keeping the time in stage', () => {
    const host = at('needs_analysis');
    const enteredAt = host.snap.enteredAt;
    const r = host.apply(
      migrateSnapshot(
        v1,
        v2,
        host.snap,
        { needs_analysis: 'discovery' },
        ctx(people.liuYang, '2025-03-05T08:00:00+08:00', host.record),
      ),
    );
    assert.deepEqual(
      [host.snap.version, host.snap.state, host.snap.enteredAt],
      [2, 'discovery', enteredAt],
    );
    assert.equal(host.record.stage, 'discovery');
    assert.deepEqual(
      r.history.map((h) => [h.kind, h.from, h.to, h.by, h.comment, h.version]),
      [
        [
          'migration',
          'needs_analysis',
          'discovery',
          'u_liuyang',
          'opportunity@1 → opportunity@2',
          2,
        ],
      ],
    );
    host.apply(
      transition(
        v2,
        host.snap,
        { event: 'propose' },
        ctx(people.zhangWei, '2025-03-05T10:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.state, 'proposal');
  });

  const refusals: { title: string; mapping: Record<string, string>; code: string }[] = [
    { title: 'a state the new version lacks, unmapped', mapping: {}, code: 'UNMAPPED_STATE' },
    {
      title: 'a mapping onto a state that does not exist',
      mapping: { needs_analysis: 'qualification' },
      code: 'UNKNOWN_STATE',
    },
  ];
  for (const c of refusals) {
    it(`refuses ${c.title}`, () => {
      const host = at('needs_analysis');
      const r = migrateSnapshot(
        v1,
        v2,
        host.snap,
        c.mapping,
        ctx(people.liuYang, '2025-03-05T08:00:00+08:00', host.record),
      );
      assert.deepEqual(codes(r), [c.code]);
      assert.ok(!r.ok && r.reasons[0]?.path === 'stateMapping.needs_analysis');
    });
  }

  it('re-keys timers to the new version: cancels the old, schedules the new, and what already fired stays fired', () => {
    const host = at('negotiation');
    const stuck = 'opportunity@1:state:negotiation:4:stuck';
    host.apply(
      fireTimer(v1, host.snap, stuck, ctx(people.system, '2025-03-11T10:00:00+08:00', host.record)),
    );
    const r = host.apply(
      migrateSnapshot(
        v1,
        v2,
        host.snap,
        {},
        ctx(people.liuYang, '2025-03-12T08:00:00+08:00', host.record),
      ),
    );
    assert.deepEqual(
      r.effects.map((e) =>
        e.type === 'cancelTimer' || e.type === 'scheduleTimer' ? [e.type, e.key] : [e.type],
      ),
      [
        ['cancelTimer', 'opportunity@1:state:negotiation:4:stuck_escalation'],
        ['scheduleTimer', 'opportunity@2:state:negotiation:4:stuck_escalation'],
      ],
    );
    assert.deepEqual(host.snap.firedTimers, ['opportunity@2:state:negotiation:4:stuck']);
    assert.deepEqual(
      pendingTimers(v2, host.snap).map((p) => [p.timerId, p.dueAt]),
      [['stuck_escalation', '2025-03-18T10:00:00+08:00']],
    );
  });

  it('keeps a pending approval whose transition and steps exist in the new version', () => {
    const host = at('negotiation');
    host.apply(
      transition(
        v1,
        host.snap,
        { event: 'win' },
        ctx(people.zhangWei, '2025-03-20T10:00:00+08:00', host.record),
      ),
    );
    const r = host.apply(
      migrateSnapshot(
        v1,
        v2,
        host.snap,
        {},
        ctx(people.liuYang, '2025-03-20T12:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.approval?.id, 'opportunity/win#5');
    assert.ok(
      r.effects.some(
        (e) =>
          e.type === 'scheduleTimer' &&
          e.key.startsWith('opportunity@2:approval:opportunity/win#5:manager_review:'),
      ),
    );
    host.apply(
      decide(
        v2,
        host.snap,
        { kind: 'approve' },
        ctx(people.wangFang, '2025-03-20T14:00:00+08:00', host.record),
      ),
    );
    assert.deepEqual([host.snap.version, host.snap.state], [2, 'won']);
  });

  it('refuses to strand a pending approval whose step was renamed, unless told to cancel it', () => {
    const v2b = version2(true);
    const host = at('negotiation');
    host.apply(
      transition(
        v1,
        host.snap,
        { event: 'win' },
        ctx(people.zhangWei, '2025-03-20T10:00:00+08:00', host.record),
      ),
    );
    assert.deepEqual(
      codes(
        migrateSnapshot(
          v1,
          v2b,
          host.snap,
          {},
          ctx(people.liuYang, '2025-03-20T12:00:00+08:00', host.record),
        ),
      ),
      ['PENDING_APPROVAL_UNMAPPED'],
    );
    const r = host.apply(
      migrateSnapshot(
        v1,
        v2b,
        host.snap,
        {},
        ctx(people.liuYang, '2025-03-20T12:00:00+08:00', host.record),
        { cancelPendingApprovals: true },
      ),
    );
    assert.equal(r.snapshot.approval, null);
    assert.ok(r.effects.some((e) => e.type === 'approvalClosed' && e.outcome === 'cancelled'));
    assert.ok(r.effects.some((e) => e.type === 'cancelTimer' && e.key.includes(':approval:')));
    // Resubmitting on the new version routes to the renamed step.
    host.apply(
      transition(
        v2b,
        host.snap,
        { event: 'win' },
        ctx(people.zhangWei, '2025-03-20T13:00:00+08:00', host.record),
      ),
    );
    assert.equal(host.snap.approval?.steps[0]?.stepId, 'sales_manager_review');
  });
});
