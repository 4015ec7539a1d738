// SLA timers: what the host should have scheduled for an instance right now,
// and what happens when one fires (remind, escalate, auto-act).
import { approvalWork, approveAs, reassignAs, resolveApprovers, returnAs } from './approvals.js';
import { byEvent, compiled, type CompiledFlow, type CompiledState } from './compile-flow.js';
import {
  approvalTimerPlans,
  resolveRecipients,
  slotAssignees,
  stateTimerPlans,
} from './effects.js';
import { currentState, historyEntry, refuse } from './move.js';
import { fire } from './transition.js';
import type {
  ApprovalStepState,
  Effect,
  FlowContext,
  FlowDefinition,
  FlowResult,
  FlowSnapshot,
  HistoryEntry,
  PendingApproval,
  Recipient,
  RecipientRef,
  TimerPlan,
} from './types.js';
import { workingAdder } from './rules.js';
import { parseInstant } from './iso-time.js';

/** Every timer of the current state and approval slot, fired or not. */
export function allTimerPlans(
  cf: CompiledFlow,
  cs: CompiledState,
  snapshot: FlowSnapshot,
  addWorkingTime: FlowContext['addWorkingTime'],
): TimerPlan[] {
  const plans = stateTimerPlans(cs, snapshot.entrySeq, snapshot.enteredAt, addWorkingTime);
  if (snapshot.approval !== null) {
    plans.push(...approvalTimerPlans(cf, snapshot.approval, addWorkingTime));
  }
  return plans;
}

/**
 * The timers the host should have scheduled for this instance now (not yet
 * fired): key, action, start, duration, due time (calendar timers, or working
 * timers when a calendar or addWorkingTime is given) and when to cancel them.
 */
export function pendingTimers(
  def: FlowDefinition,
  snapshot: FlowSnapshot,
  options: Pick<FlowContext, 'addWorkingTime' | 'calendar'> = {},
): TimerPlan[] {
  const cf = compiled(def);
  const cs = currentState(cf, snapshot);
  if ('ok' in cs) return [];
  return allTimerPlans(cf, cs, snapshot, workingAdder(options)).filter(
    (p) => !snapshot.firedTimers.includes(p.key),
  );
}

function markFired(
  cf: CompiledFlow,
  result: FlowResult,
  key: string,
  addWorkingTime: FlowContext['addWorkingTime'],
): FlowResult {
  if (!result.ok) return result;
  const cs = cf.states.get(result.snapshot.state) as CompiledState;
  const stillThere = allTimerPlans(cf, cs, result.snapshot, addWorkingTime).some(
    (p) => p.key === key,
  );
  if (!stillThere) return result;
  return {
    ...result,
    snapshot: { ...result.snapshot, firedTimers: [...result.snapshot.firedTimers, key] },
  };
}

/** A timer that only informs (or whose auto-action could not run): one history entry. */
function informOnly(
  cf: CompiledFlow,
  snapshot: FlowSnapshot,
  plan: TimerPlan,
  ctx: FlowContext,
  effects: Effect[],
  comment: string | null,
): FlowResult {
  const seq = snapshot.seq + 1;
  const entry: HistoryEntry = historyEntry(
    cf,
    seq,
    'timer',
    snapshot.state,
    snapshot.state,
    ctx.user.id,
    ctx.now,
    comment,
    null,
    null,
    snapshot.approval,
    null,
    plan.key,
  );
  entry.approvalId = plan.approvalId;
  return { ok: true, snapshot: { ...snapshot, seq }, effects, history: [entry] };
}

function remind(
  cf: CompiledFlow,
  snapshot: FlowSnapshot,
  plan: TimerPlan,
  ctx: FlowContext,
  to: Recipient[],
  template: string,
  comment: string | null,
): FlowResult {
  const effects: Effect[] = [
    {
      type: 'notify',
      key: `${plan.key}:notify`,
      to: resolveRecipients(to, ctx, snapshot.approval),
      template,
      params: {
        timerId: plan.timerId,
        state: snapshot.state,
        dueAt: plan.dueAt,
        approvalId: plan.approvalId,
      },
    },
  ];
  return informOnly(cf, snapshot, plan, ctx, effects, comment);
}

function escalate(
  cf: CompiledFlow,
  snapshot: FlowSnapshot,
  plan: TimerPlan,
  ctx: FlowContext,
  levels: number,
): FlowResult {
  const approval = snapshot.approval;
  const about =
    plan.scope === 'approval' && approval !== null
      ? slotAssignees(approval.steps[approval.current] as ApprovalStepState)
      : resolveRecipients([{ kind: 'owner' }], ctx, null).flatMap((r) =>
          r.kind === 'user' ? [r.id] : [],
        );
  const effects: Effect[] = about.map((user, i) => ({
    type: 'escalate',
    key: `${plan.key}:escalate:${i}`,
    scope: plan.scope,
    about: user,
    to: resolveManager(user, levels, ctx),
  }));
  return informOnly(cf, snapshot, plan, ctx, effects, null);
}

function resolveManager(user: string, levels: number, ctx: FlowContext): RecipientRef[] {
  return resolveRecipients(
    [{ kind: 'managerOf', of: 'actor', levels }],
    { ...ctx, user: { ...ctx.user, id: user, managerChain: undefined } },
    null,
  );
}

function failed(
  cf: CompiledFlow,
  snapshot: FlowSnapshot,
  plan: TimerPlan,
  ctx: FlowContext,
  why: string,
): FlowResult {
  return remind(
    cf,
    snapshot,
    plan,
    ctx,
    [{ kind: 'owner' }],
    'flow.timer.autoActionFailed',
    `Automatic ${plan.action.kind} failed: ${why}`,
  );
}

/**
 * Fires the timer `key` (as the host's system user in ctx.user): refuses
 * TIMER_STALE when the instance no longer has it (state or approval slot
 * moved on, or already fired) and TIMER_NOT_DUE before its due time.
 * An auto-action that cannot run (guard false, nobody to reassign to)
 * becomes a history entry and a notification to the owner instead.
 */
export function fireTimer(
  def: FlowDefinition,
  snapshot: FlowSnapshot,
  key: string,
  ctx: FlowContext,
): FlowResult {
  const cf = compiled(def);
  const cs = currentState(cf, snapshot);
  if ('ok' in cs) return cs;
  const plan = allTimerPlans(cf, cs, snapshot, workingAdder(ctx)).find((p) => p.key === key);
  if (plan === undefined || snapshot.firedTimers.includes(key)) {
    return refuse('TIMER_STALE', `Timer ${key} no longer applies to this instance.`);
  }
  if (plan.dueAt !== null && parseInstant(ctx.now) < parseInstant(plan.dueAt)) {
    return refuse('TIMER_NOT_DUE', `Timer ${key} is due at ${plan.dueAt}.`);
  }
  return markFired(cf, run(cf, cs, snapshot, plan, ctx), key, workingAdder(ctx));
}

function run(
  cf: CompiledFlow,
  cs: CompiledState,
  snapshot: FlowSnapshot,
  plan: TimerPlan,
  ctx: FlowContext,
): FlowResult {
  const action = plan.action;
  const isApproval = plan.scope === 'approval';
  switch (action.kind) {
    case 'remind':
      return remind(
        cf,
        snapshot,
        plan,
        ctx,
        action.to ?? [{ kind: isApproval ? 'assignees' : 'owner' }],
        isApproval ? 'flow.approval.remind' : 'flow.sla.remind',
        null,
      );
    case 'escalate':
      return escalate(cf, snapshot, plan, ctx, action.levels);
    case 'fireEvent': {
      const ct = byEvent(cs, action.event);
      if (ct === undefined) return failed(cf, snapshot, plan, ctx, `no ${action.event} from here`);
      if (snapshot.approval !== null) return failed(cf, snapshot, plan, ctx, 'approval pending');
      const r = fire(cf, snapshot, cs, ct, ctx, null, true, plan.key);
      if (!r.ok) return failed(cf, snapshot, plan, ctx, r.reasons.map((x) => x.code).join(', '));
      return r;
    }
    case 'autoApprove':
    case 'return':
    case 'reassign':
      return runApprovalAction(cf, snapshot, plan, ctx);
  }
}

function runApprovalAction(
  cf: CompiledFlow,
  snapshot: FlowSnapshot,
  plan: TimerPlan,
  ctx: FlowContext,
): FlowResult {
  const opened = approvalWork(cf, snapshot, ctx, plan.key);
  if ('ok' in opened) return opened;
  const { w, a } = opened;
  const step = a.steps[a.current] as ApprovalStepState;
  const pending = slotAssignees(step);
  const by = ctx.user.id;
  const action = plan.action;
  if (action.kind === 'return') return returnAs(w, a, by, 'Returned automatically (SLA)', true);
  if (action.kind === 'autoApprove') {
    // Approves for whoever must decide now: one (any, sequential) or all remaining (all).
    const approvers = step.mode === 'all' ? pending : pending.slice(0, 1);
    let result: FlowResult = { ok: true, snapshot, effects: [], history: [] };
    let current: PendingApproval = a;
    for (const approver of approvers) {
      result = approveAs(w, current, approver, by, 'Approved automatically (SLA)', true);
      if (!result.ok || result.snapshot.approval === null) break;
      current = result.snapshot.approval;
      w.snap = result.snapshot;
    }
    return result;
  }
  if (action.kind !== 'reassign') return failed(cf, snapshot, plan, ctx, 'not an approval action');
  let current: PendingApproval = a;
  let result: FlowResult | null = null;
  for (const from of pending) {
    const candidates = resolveApprovers(
      action.to,
      ctx,
      { submitter: a.submittedBy, assignee: from },
      step.stepId,
    );
    const assignees = (current.steps[current.current] as ApprovalStepState).assignees;
    const to = Array.isArray(candidates)
      ? candidates.find((c) => !assignees.includes(c))
      : undefined;
    if (to === undefined) continue;
    result = reassignAs(w, current, from, to, by, 'Reassigned automatically (SLA)', true);
    if (!result.ok || result.snapshot.approval === null) break;
    current = result.snapshot.approval;
    w.snap = result.snapshot;
  }
  return result ?? failed(cf, snapshot, plan, ctx, 'nobody to reassign to');
}
