import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  decide,
  fireTimer,
  pendingTimers,
  startFlow,
  transition,
  type Decision,
  type FlowDefinition,
  type FlowResult,
  type FlowUser,
} from './index.js';
import {
  addWorkingTime,
  ctx,
  deepFreeze,
  leadFlow,
  MemoryHost,
  opportunityFlow,
  people,
  ticketFlow,
} from './scenario-kit.js';

type Step =
  | { kind: 'event'; event: string; user: number }
  | { kind: 'decide'; decision: Decision['kind']; user: number; target: number }
  | { kind: 'timer'; pick: number }
  | { kind: 'edit'; field: string; value: unknown };

const users: FlowUser[] = Object.values(people);

/** Per flow: definition, starting record, fields the steps edit, who fires events. */
const flows: [string, FlowDefinition, Record<string, unknown>, string[], FlowUser[]][] = [
  [
    'opportunity',
    opportunityFlow,
    {
      owner_id: 'u_zhangwei',
      contact_name: '陈晓东',
      amount: 480000,
      quote_no: 'BJ-1',
      contract_no: 'HT-1',
      signed_at: '2025-03-20',
      discount: 15,
    },
    ['discount', 'discount', 'amount', 'loss_reason', 'competitor'],
    [people.zhangWei, people.zhangWei, people.wangFang, people.huangMin],
  ],
  [
    'lead',
    leadFlow,
    {
      owner_id: 'u_zhangwei',
      company: '上海启明信息技术有限公司',
      contact_name: '陈晓东',
      mobile: '13812345678',
      contact_method: '电话',
      budget: 200000,
      expected_close_date: '2025-06-30',
    },
    ['contact_method', 'budget', 'unqualified_reason'],
    [people.zhangWei, people.zhangWei, people.wangFang, people.huangMin],
  ],
  [
    'ticket',
    ticketFlow,
    {
      owner_id: 'u_sunli',
      customer: '上海启明信息技术有限公司',
      engineer_id: 'u_zhaolei',
      resolution: '更换模块',
      callback_note: '已回访',
      rating: 5,
      reopen_reason: '仍有异响',
    },
    ['compensation_amount', 'compensation_amount', 'rating', 'cancel_reason'],
    [people.sunLi, people.zhaoLei, people.zhouJie],
  ],
];

function stepArb(def: FlowDefinition, fields: string[]): fc.Arbitrary<Step> {
  const events = [...new Set(def.transitions.map((t) => t.event))];
  const user = fc.integer({ min: 0, max: users.length - 1 });
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('event' as const),
        event: fc.constantFrom(...events),
        user: fc.nat({ max: 1000 }),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('decide' as const),
        decision: fc.constantFrom<Decision['kind']>(
          'approve',
          'approve',
          'reject',
          'return',
          'reassign',
          'addSigner',
          'withdraw',
          'resubmit',
        ),
        user,
        target: user,
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('timer' as const), pick: fc.nat() }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('edit' as const),
        field: fc.constantFrom(...fields),
        value: fc.oneof(
          fc.constantFrom<unknown>(null, '', '价格'),
          fc.integer({ min: 0, max: 30 }),
        ),
      }),
    },
  );
}

describe('flow properties (random event, decision and timer sequences)', () => {
  for (const [name, def, record, fields, actors] of flows) {
    it(`${name}: pure, gap-free history, timers in step with effects, snapshots plain JSON`, () => {
      fc.assert(
        fc.property(fc.array(stepArb(def, fields), { minLength: 10, maxLength: 40 }), (steps) => {
          const host = new MemoryHost(record);
          let clock = Date.parse('2025-03-03T01:00:00.000Z');
          host.apply(
            startFlow(def, ctx(people.zhangWei, new Date(clock).toISOString(), host.record)),
          );
          for (const step of steps) {
            clock += 3 * 3_600_000;
            const now = new Date(clock).toISOString();
            const before = deepFreeze(structuredClone(host.snap));
            const record = deepFreeze({ ...host.record });
            let result: FlowResult;
            let firedKey: string | null = null;
            if (step.kind === 'edit') {
              host.record[step.field] = step.value;
              continue;
            } else if (step.kind === 'event') {
              // Mostly an event that leaves the current state, sometimes any event at all.
              const leaving = def.transitions
                .filter((t) => t.from === '*' || t.from.includes(before.state))
                .map((t) => t.event);
              const event =
                leaving.length > 0 && step.user % 5 !== 0
                  ? (leaving[step.user % leaving.length] as string)
                  : step.event;
              const u = actors[step.user % actors.length] as FlowUser;
              result = transition(def, before, { event }, ctx(u, now, record));
            } else if (step.kind === 'decide') {
              // Mostly someone who may decide now (an assignee, or the submitter), sometimes anyone.
              const a = before.approval;
              const step0 = a === null ? undefined : a.steps[a.current];
              const deciders =
                a === null || step0 === undefined ? [] : [...step0.assignees, a.submittedBy];
              const u =
                deciders.length > 0 && step.user % 4 !== 0
                  ? (users.find((x) => x.id === deciders[step.user % deciders.length]) as FlowUser)
                  : (users[step.user] as FlowUser);
              const decision: Decision =
                step.decision === 'reassign' || step.decision === 'addSigner'
                  ? {
                      kind: step.decision,
                      user: (users[step.target] as FlowUser).id,
                      comment: '请协助处理',
                    }
                  : { kind: step.decision, comment: '已阅' };
              result = decide(def, before, decision, ctx(u, now, record));
            } else {
              const timers = pendingTimers(def, before, { addWorkingTime });
              if (timers.length === 0) continue;
              const plan = timers[step.pick % timers.length];
              firedKey = plan?.key ?? '';
              result = fireTimer(
                def,
                before,
                firedKey,
                ctx(people.system, plan?.dueAt ?? now, record),
              );
            }
            if (!result.ok) {
              assert.ok(result.reasons.length > 0);
              for (const r of result.reasons) assert.ok(r.code.length > 0 && r.message.length > 0);
              continue;
            }
            // History: one entry per step, numbered without gaps.
            assert.ok(result.history.length > 0);
            assert.deepEqual(
              result.history.map((h) => h.seq),
              result.history.map((_, i) => before.seq + 1 + i),
            );
            assert.equal(result.snapshot.seq, before.seq + result.history.length);
            // A state change is stamped on the record.
            if (result.snapshot.state !== before.state) {
              assert.ok(
                result.effects.some(
                  (e) =>
                    e.type === 'setField' &&
                    e.field === 'stage' &&
                    e.value === result.snapshot.state,
                ),
              );
            }
            // A pending approval never outlives its origin state.
            if (result.snapshot.approval !== null)
              assert.equal(result.snapshot.approval.from, result.snapshot.state);
            // Plain JSON.
            assert.deepEqual(JSON.parse(JSON.stringify(result.snapshot)), result.snapshot);
            host.apply(result);
            if (firedKey !== null) host.scheduled.delete(firedKey);
            // What the host scheduled from effects is exactly what pendingTimers says is pending.
            assert.deepEqual(
              [...host.scheduled.keys()].sort(),
              pendingTimers(def, host.snap)
                .map((p) => p.key)
                .sort(),
            );
          }
        }),
        { numRuns: 200 },
      );
    });
  }
});
