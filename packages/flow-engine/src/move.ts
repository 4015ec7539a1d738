// Moving an instance from one state to another: exit effects, transition
// effects, the built-in stage stamps, entry effects, timers, the history
// entry and the next snapshot. Also the shared builders for history entries
// and refusals.
import type { CompiledFlow, CompiledState, CompiledTransition } from './compile-flow.js';
import { specEffects, stateTimerPlans, scheduleAll } from './effects.js';
import type {
  ApprovalDecisionRecord,
  DecisionKind,
  Effect,
  FlowContext,
  FlowResult,
  FlowSnapshot,
  HistoryEntry,
  HistoryKind,
  PendingApproval,
  Refusal,
  RefusalCode,
} from './types.js';
import { workingAdder } from './rules.js';

/** Shared by every snapshot that has fired no timer yet (snapshots are immutable values). */
export const NONE_FIRED: readonly string[] = Object.freeze([]);

export function refuse(code: RefusalCode, message: string, extra?: Partial<Refusal>): FlowResult {
  return { ok: false, reasons: [{ code, message, ...extra }] };
}

export function historyEntry(
  cf: CompiledFlow,
  seq: number,
  kind: HistoryKind,
  from: string | null,
  to: string,
  by: string,
  at: string,
  comment: string | null,
  transition: CompiledTransition | null,
  decision: DecisionKind | null,
  approval: PendingApproval | null,
  decisions: ApprovalDecisionRecord[] | null,
  timerKey: string | null,
): HistoryEntry {
  return {
    seq,
    kind,
    flowId: cf.id,
    version: cf.version,
    from,
    to,
    transitionId: transition === null ? null : transition.id,
    event: transition === null ? null : transition.event,
    by,
    at,
    comment,
    decision,
    approvalId: approval === null ? null : approval.id,
    decisions,
    timerKey,
  };
}

/** Cancels the timers of the state being left (keys of the entry that started them). */
export function cancelStateTimers(cs: CompiledState, entrySeq: number, out: Effect[]): void {
  for (const t of cs.timers)
    out.push({ type: 'cancelTimer', key: t.keyHead + entrySeq + t.keyTail });
}

/** Effects of entering `to` at history seq `seq` (stage stamps, onEnter, timers). */
export function enterState(
  cf: CompiledFlow,
  to: CompiledState,
  seq: number,
  ctx: FlowContext,
  approval: PendingApproval | null,
  out: Effect[],
): void {
  out.push(to.stageEffect, { type: 'setField', field: 'stage_entered_at', value: ctx.now });
  if (to.probabilityEffect !== null) out.push(to.probabilityEffect);
  if (to.def.onEnter.length > 0) {
    specEffects(to.def.onEnter, out, ctx, approval, `${cf.keyPrefix}:${seq}:enter`);
  }
  if (to.timers.length > 0) {
    scheduleAll(stateTimerPlans(to, seq, ctx.now, workingAdder(ctx)), out);
  }
}

/**
 * Applies `ct` from `snap` (checks already passed, no approval pending).
 * `approval` is the (closed) approval that authorised it; `effects` and
 * `history` carry what came before in the same call (null for none).
 */
export function move(
  cf: CompiledFlow,
  snap: FlowSnapshot,
  from: CompiledState,
  ct: CompiledTransition,
  ctx: FlowContext,
  by: string,
  comment: string | null,
  approval: PendingApproval | null,
  timerKey: string | null,
  before: Effect[] | null,
  history: HistoryEntry[] | null,
): FlowResult {
  const seq = snap.seq + 1;
  const to = ct.to;
  let effects: Effect[];
  if (before === null && from.plainExit && ct.def.effects.length === 0 && to.plainEntry) {
    // The common case, built in one allocation: the stage stamps only.
    const stamp: Effect = { type: 'setField', field: 'stage_entered_at', value: ctx.now };
    effects =
      to.probabilityEffect === null
        ? [to.stageEffect, stamp]
        : [to.stageEffect, stamp, to.probabilityEffect];
  } else {
    effects = before ?? [];
    if (from.timers.length > 0) cancelStateTimers(from, snap.entrySeq, effects);
    if (from.def.onExit.length > 0) {
      specEffects(from.def.onExit, effects, ctx, approval, `${cf.keyPrefix}:${seq}:exit`);
    }
    if (ct.def.effects.length > 0) {
      specEffects(ct.def.effects, effects, ctx, approval, `${cf.keyPrefix}:${seq}:transition`);
    }
    enterState(cf, to, seq, ctx, approval, effects);
  }
  const entry = historyEntry(
    cf,
    seq,
    'transition',
    from.id,
    to.id,
    by,
    ctx.now,
    comment,
    ct,
    null,
    approval,
    approval === null ? null : approval.decisions,
    timerKey,
  );
  if (history !== null) history.push(entry);
  return {
    ok: true,
    snapshot: {
      flowId: cf.id,
      version: cf.version,
      state: to.id,
      enteredAt: ctx.now,
      seq,
      entrySeq: seq,
      approval: null,
      firedTimers: NONE_FIRED,
    },
    effects,
    history: history ?? [entry],
  };
}

/** Checks that `snapshot` belongs to `cf` and names a known state. */
export function currentState(
  cf: CompiledFlow,
  snapshot: FlowSnapshot,
): CompiledState | Extract<FlowResult, { ok: false }> {
  if (snapshot.flowId !== cf.id || snapshot.version !== cf.version) {
    return {
      ok: false,
      reasons: [
        {
          code: 'FLOW_MISMATCH',
          message: `The instance runs ${snapshot.flowId}@${snapshot.version}, not ${cf.keyPrefix}; load that version or migrate the instance.`,
        },
      ],
    };
  }
  const cs = cf.stateIndex[snapshot.state];
  if (cs === undefined) {
    return {
      ok: false,
      reasons: [
        { code: 'UNKNOWN_STATE', message: `State ${snapshot.state} is not in ${cf.keyPrefix}.` },
      ],
    };
  }
  return cs;
}
