// Moving an in-flight instance to a new version of its flow, with an explicit
// state mapping. Instances never change version on their own.
import { compiled, type CompiledState } from './compile-flow.js';
import { cancelAll, scheduleAll } from './effects.js';
import { currentState, historyEntry, NONE_FIRED, refuse } from './move.js';
import { allTimerPlans } from './timers.js';
import type {
  Effect,
  FlowContext,
  FlowDefinition,
  FlowResult,
  FlowSnapshot,
  PendingApproval,
} from './types.js';
import { workingAdder } from './rules.js';

/**
 * Moves `snapshot` (on `fromDef`) to `toDef`. `stateMapping` maps old state ids
 * to new ones; a state missing from it keeps its id if the new version has it,
 * otherwise the migration is refused (UNMAPPED_STATE). The time in stage is
 * kept (enteredAt), timers are re-keyed to the new version (cancel + schedule,
 * already-fired ones stay fired), and a pending approval is kept when the new
 * version has the same transition and steps, else refused unless
 * `options.cancelPendingApprovals`.
 */
export function migrateSnapshot(
  fromDef: FlowDefinition,
  toDef: FlowDefinition,
  snapshot: FlowSnapshot,
  stateMapping: Readonly<Record<string, string>>,
  ctx: FlowContext,
  options: { cancelPendingApprovals?: boolean } = {},
): FlowResult {
  const from = compiled(fromDef);
  const to = compiled(toDef);
  const cs = currentState(from, snapshot);
  if ('ok' in cs) return cs;
  const targetId =
    stateMapping[snapshot.state] ?? (to.states.has(snapshot.state) ? snapshot.state : undefined);
  if (targetId === undefined) {
    return refuse(
      'UNMAPPED_STATE',
      `State ${snapshot.state} is not in ${to.keyPrefix}: map it to one of its states.`,
      { path: `stateMapping.${snapshot.state}` },
    );
  }
  const target = to.states.get(targetId);
  if (target === undefined) {
    return refuse('UNKNOWN_STATE', `State ${targetId} is not in ${to.keyPrefix}.`, {
      path: `stateMapping.${snapshot.state}`,
    });
  }
  const effects: Effect[] = [];
  let approval: PendingApproval | null = null;
  const a = snapshot.approval;
  if (a !== null) {
    const ct = to.transitions.get(a.transitionId);
    const mappedTo = stateMapping[a.to] ?? a.to;
    const keeps =
      ct !== undefined &&
      ct.to.id === mappedTo &&
      target.outgoing.includes(ct) &&
      a.steps.every((s) => ct.steps?.some((c) => c.def.id === s.stepId) === true);
    if (keeps) approval = { ...a, from: targetId, to: mappedTo };
    else if (options.cancelPendingApprovals === true) {
      effects.push({ type: 'approvalClosed', approvalId: a.id, outcome: 'cancelled' });
    } else {
      return refuse(
        'PENDING_APPROVAL_UNMAPPED',
        `Approval ${a.id} for ${a.transitionId} has no equivalent in ${to.keyPrefix}; decide it first or cancel it.`,
        { approvalId: a.id, transitionId: a.transitionId },
      );
    }
  }
  const seq = snapshot.seq + 1;
  const draft: FlowSnapshot = {
    flowId: to.id,
    version: to.version,
    state: targetId,
    enteredAt: snapshot.enteredAt,
    seq,
    entrySeq: snapshot.entrySeq,
    approval,
    firedTimers: NONE_FIRED,
  };
  const oldPlans = allTimerPlans(from, cs, snapshot, workingAdder(ctx));
  const newPlans = allTimerPlans(to, target, draft, workingAdder(ctx));
  const fired = new Set(snapshot.firedTimers);
  const firedIds = new Set(
    oldPlans.filter((p) => fired.has(p.key)).map((p) => `${p.scope}/${p.timerId}`),
  );
  const sameState = targetId === snapshot.state;
  draft.firedTimers = newPlans
    .filter((p) => sameState && firedIds.has(`${p.scope}/${p.timerId}`))
    .map((p) => p.key);
  cancelAll(
    oldPlans.filter((p) => !fired.has(p.key)),
    effects,
  );
  scheduleAll(
    newPlans.filter((p) => !draft.firedTimers.includes(p.key)),
    effects,
  );
  if (!sameState) effects.push((target as CompiledState).stageEffect);
  const entry = historyEntry(
    to,
    seq,
    'migration',
    snapshot.state,
    targetId,
    ctx.user.id,
    ctx.now,
    `${from.keyPrefix} → ${to.keyPrefix}`,
    null,
    null,
    approval,
    null,
    null,
  );
  return { ok: true, snapshot: draft, effects, history: [entry] };
}
