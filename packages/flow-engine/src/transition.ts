// startFlow, transition and availableTransitions: the pure core.
import { submitApproval, applicableSteps } from './approvals.js';
import { checkTransition } from './checks.js';
import {
  byEvent,
  compiled,
  type CompiledFlow,
  type CompiledState,
  type CompiledTransition,
} from './compile-flow.js';
import { currentState, enterState, historyEntry, move, NONE_FIRED, refuse } from './move.js';
import type {
  AvailableTransition,
  Effect,
  FlowContext,
  FlowDefinition,
  FlowEvent,
  FlowResult,
  FlowSnapshot,
  FlowUser,
  Refusal,
} from './types.js';

/** Starts an instance in the initial state (or `options.state`, e.g. when importing records). */
export function startFlow(
  def: FlowDefinition,
  ctx: FlowContext,
  options: { state?: string; comment?: string } = {},
): FlowResult {
  const cf = compiled(def);
  const stateId = options.state ?? def.initial;
  const cs = cf.states.get(stateId);
  if (cs === undefined) {
    return refuse('UNKNOWN_STATE', `State ${stateId} is not in ${cf.keyPrefix}.`);
  }
  const effects: Effect[] = [];
  enterState(cf, cs, 1, ctx, null, effects);
  const entry = historyEntry(
    cf,
    1,
    'start',
    null,
    cs.id,
    ctx.user.id,
    ctx.now,
    options.comment ?? null,
    null,
    null,
    null,
    null,
    null,
  );
  return {
    ok: true,
    snapshot: {
      flowId: cf.id,
      version: cf.version,
      state: cs.id,
      enteredAt: ctx.now,
      seq: 1,
      entrySeq: 1,
      approval: null,
      firedTimers: NONE_FIRED,
    },
    effects,
    history: [entry],
  };
}

function pendingRefusal(snapshot: FlowSnapshot): Refusal | null {
  const a = snapshot.approval;
  if (a === null) return null;
  return {
    code: 'APPROVAL_PENDING',
    approvalId: a.id,
    transitionId: a.transitionId,
    message:
      a.status === 'returned'
        ? `The request to ${a.event} was returned to ${a.submittedBy}; resubmit or withdraw it first.`
        : `Waiting for approval of ${a.event}; decide or withdraw it first.`,
  };
}

function resolveEvent(cs: CompiledState, event: FlowEvent): CompiledTransition | Refusal {
  if ('event' in event) {
    const ct = byEvent(cs, event.event);
    if (ct !== undefined) return ct;
    return {
      code: 'NO_SUCH_TRANSITION',
      message: `No transition for event ${event.event} from ${cs.id}.`,
    };
  }
  const list = cs.byTarget.get(event.to);
  if (list === undefined) {
    return { code: 'NO_SUCH_TRANSITION', message: `No transition from ${cs.id} to ${event.to}.` };
  }
  if (list.length > 1) {
    return {
      code: 'AMBIGUOUS_TRANSITION',
      candidates: list.map((c) => c.id),
      message: `Several transitions lead from ${cs.id} to ${event.to}; fire one by event.`,
    };
  }
  return list[0] as CompiledTransition;
}

/** Fires `ct` from the snapshot's state: checks, then an approval request or the move. */
export function fire(
  cf: CompiledFlow,
  snapshot: FlowSnapshot,
  cs: CompiledState,
  ct: CompiledTransition,
  ctx: FlowContext,
  comment: string | null,
  skipAllowed: boolean,
  timerKey: string | null,
): FlowResult {
  const reasons = checkTransition(ct, ctx.record, ctx.user, skipAllowed);
  if (reasons !== null) return { ok: false, reasons };
  if (ct.steps !== null) {
    const steps = applicableSteps(ct, ctx.record);
    if (!Array.isArray(steps)) return { ok: false, reasons: [steps] };
    if (steps.length > 0) return submitApproval(cf, snapshot, ct, steps, ctx, comment);
  }
  return move(cf, snapshot, cs, ct, ctx, ctx.user.id, comment, null, timerKey, null, null);
}

/**
 * Fires an event (by name, or by target state for a kanban drop). Pure: returns
 * the next snapshot, the effects for the host and the history entries, or the
 * coded reasons it was refused.
 */
export function transition(
  def: FlowDefinition,
  snapshot: FlowSnapshot,
  event: FlowEvent,
  ctx: FlowContext,
): FlowResult {
  const cf = compiled(def);
  const cs = currentState(cf, snapshot);
  if ('ok' in cs) return cs;
  const pending = pendingRefusal(snapshot);
  if (pending !== null) return { ok: false, reasons: [pending] };
  const ct = resolveEvent(cs, event);
  if ('code' in ct) return { ok: false, reasons: [ct] };
  return fire(cf, snapshot, cs, ct, ctx, event.comment ?? null, false, null);
}

/**
 * The transitions out of the current state, for buttons and kanban drop
 * targets: enabled ones, and disabled ones with the reasons why.
 */
export function availableTransitions(
  def: FlowDefinition,
  snapshot: FlowSnapshot,
  record: Readonly<Record<string, unknown>>,
  user: FlowUser,
): AvailableTransition[] {
  const cf = compiled(def);
  const cs = currentState(cf, snapshot);
  if ('ok' in cs) return [];
  const pending = pendingRefusal(snapshot);
  return cs.outgoing.map((ct) => {
    const reasons: Refusal[] = pending === null ? [] : [pending];
    const refused = checkTransition(ct, record, user, false);
    if (refused !== null) reasons.push(...refused);
    let needsApproval = false;
    if (ct.steps !== null) {
      const steps = applicableSteps(ct, record);
      if (Array.isArray(steps)) needsApproval = steps.length > 0;
      else reasons.push(steps);
    }
    return {
      transitionId: ct.id,
      event: ct.event,
      to: ct.to.id,
      label: ct.def.label,
      toLabel: ct.to.def.label,
      enabled: reasons.length === 0,
      needsApproval,
      requiredFields: [...ct.required],
      reasons,
    };
  });
}
