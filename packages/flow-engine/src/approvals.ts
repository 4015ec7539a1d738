// Approvals on a transition: submission (steps whose condition holds, with
// their approvers resolved), and decisions — approve, reject, return to the
// submitter, reassign, add a signer, withdraw, resubmit — in the same pure
// style as transition(). The last approval of the last step fires the move.
import { checkTransition, runRule } from './checks.js';
import {
  compiled,
  type CompiledFlow,
  type CompiledState,
  type CompiledStep,
  type CompiledTransition,
} from './compile-flow.js';
import {
  approvalTimerPlans,
  cancelAll,
  managerChainOf,
  resolveRecipients,
  scheduleAll,
  slotAssignees,
  userIdsOf,
} from './effects.js';
import { currentState, historyEntry, move, refuse } from './move.js';
import type {
  ApprovalDecisionRecord,
  ApprovalStepState,
  ApproverSpec,
  Decision,
  DecisionKind,
  Effect,
  FlowContext,
  FlowDefinition,
  FlowResult,
  FlowSnapshot,
  HistoryEntry,
  PendingApproval,
  Refusal,
} from './types.js';
import { truthy, workingAdder } from './rules.js';

/** The steps whose `when` holds for the record (a rule error is a GUARD_ERROR refusal). */
export function applicableSteps(
  ct: CompiledTransition,
  record: Readonly<Record<string, unknown>>,
): CompiledStep[] | Refusal {
  const out: CompiledStep[] = [];
  for (const [i, s] of (ct.steps ?? []).entries()) {
    if (s.when === null) {
      out.push(s);
      continue;
    }
    const r = runRule(s.when, record);
    if (r.error !== null) {
      return {
        code: 'GUARD_ERROR',
        path: `transitions.${ct.index}.approval.steps.${i}.when`,
        transitionId: ct.id,
        stepId: s.def.id,
        message: `The approval condition could not be evaluated: ${r.error}`,
      };
    }
    if (truthy(r.value)) out.push(s);
  }
  return out;
}

/** Resolves approver specs to user ids, in order, without duplicates. */
export function resolveApprovers(
  specs: readonly ApproverSpec[],
  ctx: FlowContext,
  subjects: { submitter: string; assignee: string },
  stepId: string,
): string[] | Refusal {
  const out: string[] = [];
  const add = (ids: readonly string[]): void => {
    for (const id of ids) if (!out.includes(id)) out.push(id);
  };
  for (const spec of specs) {
    switch (spec.kind) {
      case 'users':
        add(spec.users);
        break;
      case 'userField':
        add(userIdsOf(ctx.record[spec.field]));
        break;
      case 'roles': {
        const lookup = ctx.directory?.usersWithRole;
        if (lookup === undefined) {
          return {
            code: 'APPROVERS_UNRESOLVED',
            stepId,
            message: `Step ${stepId} is approved by roles ${spec.roles.join(', ')}: pass ctx.directory.usersWithRole.`,
          };
        }
        for (const role of spec.roles) add(lookup(role));
        break;
      }
      case 'managerChain': {
        const subject = spec.of === 'assignee' ? subjects.assignee : subjects.submitter;
        const chain = managerChainOf(subject, ctx);
        if (chain === null) {
          return {
            code: 'APPROVERS_UNRESOLVED',
            stepId,
            message: `Step ${stepId} needs the managers of ${subject}: pass ctx.user.managerChain or ctx.directory.managerChainOf.`,
          };
        }
        add(chain.slice(0, spec.levels));
        break;
      }
    }
  }
  if (out.length === 0) {
    return { code: 'NO_APPROVERS', stepId, message: `Nobody can approve step ${stepId}.` };
  }
  return out;
}

/** Work in progress for one decision: effects and history accumulate, seq advances. */
type Work = {
  cf: CompiledFlow;
  snap: FlowSnapshot;
  cs: CompiledState;
  ct: CompiledTransition;
  ctx: FlowContext;
  timerKey: string | null;
  effects: Effect[];
  history: HistoryEntry[];
  seq: number;
};

function dropApprovalFired(fired: readonly string[]): readonly string[] {
  return fired.filter((k) => !k.includes(':approval:'));
}

function openSlot(w: Work, a: PendingApproval): void {
  const step = a.steps[a.current] as ApprovalStepState;
  w.effects.push({
    type: 'requestApproval',
    approvalId: a.id,
    transitionId: a.transitionId,
    stepId: step.stepId,
    mode: step.mode,
    assignees: slotAssignees(step),
  });
  scheduleAll(approvalTimerPlans(w.cf, a, workingAdder(w.ctx)), w.effects);
}

function closeSlot(w: Work, a: PendingApproval): void {
  cancelAll(approvalTimerPlans(w.cf, a, workingAdder(w.ctx)), w.effects);
}

function entry(
  w: Work,
  kind: 'approvalSubmitted' | 'approvalDecision',
  decision: DecisionKind | null,
  by: string,
  comment: string | null,
  a: PendingApproval,
): void {
  w.seq += 1;
  w.history.push(
    historyEntry(
      w.cf,
      w.seq,
      kind,
      w.snap.state,
      w.snap.state,
      by,
      w.ctx.now,
      comment,
      w.ct,
      decision,
      a,
      [...a.decisions],
      w.timerKey,
    ),
  );
}

function stay(w: Work, approval: PendingApproval | null): FlowResult {
  return {
    ok: true,
    snapshot: {
      ...w.snap,
      seq: w.seq,
      approval,
      firedTimers:
        approval === null || approval.slotSeq !== w.snap.approval?.slotSeq
          ? dropApprovalFired(w.snap.firedTimers)
          : w.snap.firedTimers,
    },
    effects: w.effects,
    history: w.history,
  };
}

function notifySubmitter(w: Work, a: PendingApproval, template: string, comment: string | null) {
  w.effects.push({
    type: 'notify',
    key: `${w.cf.keyPrefix}:${w.seq}:notify:${template}`,
    to: resolveRecipients([{ kind: 'submitter' }], w.ctx, a),
    template,
    params: { approvalId: a.id, transitionId: a.transitionId, event: a.event, comment },
  });
}

function decisionRecord(
  a: PendingApproval,
  by: string,
  decision: DecisionKind,
  comment: string | null,
  target: string | null,
  auto: boolean,
  at: string,
): ApprovalDecisionRecord {
  return {
    step: (a.steps[a.current] as ApprovalStepState).stepId,
    by,
    decision,
    at,
    comment,
    target,
    auto,
  };
}

function resolveSteps(
  steps: readonly CompiledStep[],
  ctx: FlowContext,
): ApprovalStepState[] | Refusal {
  const out: ApprovalStepState[] = [];
  for (const s of steps) {
    const assignees = resolveApprovers(
      s.def.approvers,
      ctx,
      { submitter: ctx.user.id, assignee: ctx.user.id },
      s.def.id,
    );
    if (!Array.isArray(assignees)) return assignees;
    out.push({ stepId: s.def.id, mode: s.def.mode, assignees, approvedBy: [] });
  }
  return out;
}

/** Opens an approval for `ct` with the applicable `steps` (non-empty). */
export function submitApproval(
  cf: CompiledFlow,
  snap: FlowSnapshot,
  ct: CompiledTransition,
  steps: readonly CompiledStep[],
  ctx: FlowContext,
  comment: string | null,
): FlowResult {
  const resolved = resolveSteps(steps, ctx);
  if (!Array.isArray(resolved)) return { ok: false, reasons: [resolved] };
  const cs = cf.states.get(snap.state) as CompiledState;
  const w: Work = {
    cf,
    snap,
    cs,
    ct,
    ctx,
    timerKey: null,
    effects: [],
    history: [],
    seq: snap.seq,
  };
  const a: PendingApproval = {
    id: `${cf.id}/${ct.id}#${snap.seq + 1}`,
    transitionId: ct.id,
    event: ct.event,
    from: snap.state,
    to: ct.to.id,
    status: 'pending',
    submittedBy: ctx.user.id,
    submittedAt: ctx.now,
    comment,
    steps: resolved,
    current: 0,
    slotSince: ctx.now,
    slotSeq: 1,
    decisions: [],
  };
  entry(w, 'approvalSubmitted', null, ctx.user.id, comment, a);
  openSlot(w, a);
  return stay(w, a);
}

function stepComplete(step: ApprovalStepState): boolean {
  if (step.mode === 'any') return step.approvedBy.length > 0;
  if (step.mode === 'sequential') return step.approvedBy.length >= step.assignees.length;
  return step.assignees.every((u) => step.approvedBy.includes(u));
}

function withStep(a: PendingApproval, step: ApprovalStepState): ApprovalStepState[] {
  return a.steps.map((s, i) => (i === a.current ? step : s));
}

/** Records an approval by `approver`; completes the step, the approval and the move as due. */
export function approveAs(
  w: Work,
  a: PendingApproval,
  approver: string,
  by: string,
  comment: string | null,
  auto: boolean,
): FlowResult {
  const step = a.steps[a.current] as ApprovalStepState;
  const nextStep = { ...step, approvedBy: [...step.approvedBy, approver] };
  const rec = decisionRecord(a, approver, 'approve', comment, null, auto, w.ctx.now);
  const a1: PendingApproval = {
    ...a,
    steps: withStep(a, nextStep),
    decisions: [...a.decisions, rec],
  };
  entry(w, 'approvalDecision', 'approve', by, comment, a1);
  if (!stepComplete(nextStep)) {
    if (step.mode !== 'sequential') return stay(w, a1);
    closeSlot(w, a);
    const a2 = { ...a1, slotSeq: a.slotSeq + 1, slotSince: w.ctx.now };
    openSlot(w, a2);
    return stay(w, a2);
  }
  closeSlot(w, a);
  if (a.current + 1 < a.steps.length) {
    const a2 = { ...a1, current: a.current + 1, slotSeq: a.slotSeq + 1, slotSince: w.ctx.now };
    openSlot(w, a2);
    return stay(w, a2);
  }
  w.effects.push({ type: 'approvalClosed', approvalId: a.id, outcome: 'approved' });
  // The move is the submitter's, authorised by the decisions it carries.
  return move(
    w.cf,
    { ...w.snap, seq: w.seq },
    w.cs,
    w.ct,
    w.ctx,
    a.submittedBy,
    a.comment,
    a1,
    w.timerKey,
    w.effects,
    w.history,
  );
}

/** Sends the request back to the submitter, who may resubmit or withdraw. */
export function returnAs(
  w: Work,
  a: PendingApproval,
  by: string,
  comment: string | null,
  auto: boolean,
): FlowResult {
  const step = a.steps[a.current] as ApprovalStepState;
  const a1: PendingApproval = {
    ...a,
    status: 'returned',
    steps: withStep(a, { ...step, approvedBy: [] }),
    slotSeq: a.slotSeq + 1,
    decisions: [...a.decisions, decisionRecord(a, by, 'return', comment, null, auto, w.ctx.now)],
  };
  entry(w, 'approvalDecision', 'return', by, comment, a1);
  closeSlot(w, a);
  w.effects.push({ type: 'approvalClosed', approvalId: a.id, outcome: 'returned' });
  notifySubmitter(w, a1, 'flow.approval.returned', comment);
  return stay(w, a1);
}

/** Hands `from`'s place in the current step to `to`. */
export function reassignAs(
  w: Work,
  a: PendingApproval,
  from: string,
  to: string,
  by: string,
  comment: string | null,
  auto: boolean,
): FlowResult {
  const step = a.steps[a.current] as ApprovalStepState;
  const a1: PendingApproval = {
    ...a,
    steps: withStep(a, { ...step, assignees: step.assignees.map((u) => (u === from ? to : u)) }),
    slotSeq: a.slotSeq + 1,
    slotSince: w.ctx.now,
    decisions: [...a.decisions, decisionRecord(a, from, 'reassign', comment, to, auto, w.ctx.now)],
  };
  entry(w, 'approvalDecision', 'reassign', by, comment, a1);
  closeSlot(w, a);
  openSlot(w, a1);
  return stay(w, a1);
}

function closeApproval(
  w: Work,
  a: PendingApproval,
  decision: 'reject' | 'withdraw',
  by: string,
  comment: string | null,
): FlowResult {
  const a1: PendingApproval = {
    ...a,
    decisions: [...a.decisions, decisionRecord(a, by, decision, comment, null, false, w.ctx.now)],
  };
  entry(w, 'approvalDecision', decision, by, comment, a1);
  if (a.status === 'pending') closeSlot(w, a);
  w.effects.push({
    type: 'approvalClosed',
    approvalId: a.id,
    outcome: decision === 'reject' ? 'rejected' : 'withdrawn',
  });
  if (decision === 'reject') notifySubmitter(w, a1, 'flow.approval.rejected', comment);
  return stay(w, null);
}

function resubmit(w: Work, a: PendingApproval, comment: string | null): FlowResult {
  const reasons = checkTransition(w.ct, w.ctx.record, w.ctx.user, false);
  if (reasons !== null) return { ok: false, reasons };
  const steps = applicableSteps(w.ct, w.ctx.record);
  if (!Array.isArray(steps)) return { ok: false, reasons: [steps] };
  const resolved = resolveSteps(steps, w.ctx);
  if (!Array.isArray(resolved)) return { ok: false, reasons: [resolved] };
  const rec = { ...decisionRecord(a, w.ctx.user.id, 'resubmit', comment, null, false, w.ctx.now) };
  if (resolved.length === 0) {
    // The revised record no longer needs approval: the request is done, the move happens.
    const a1: PendingApproval = { ...a, decisions: [...a.decisions, rec] };
    entry(w, 'approvalDecision', 'resubmit', w.ctx.user.id, comment, a1);
    w.effects.push({ type: 'approvalClosed', approvalId: a.id, outcome: 'cancelled' });
    return move(
      w.cf,
      { ...w.snap, seq: w.seq },
      w.cs,
      w.ct,
      w.ctx,
      w.ctx.user.id,
      comment,
      a1,
      null,
      w.effects,
      w.history,
    );
  }
  const a1: PendingApproval = {
    ...a,
    status: 'pending',
    steps: resolved,
    current: 0,
    slotSeq: a.slotSeq + 1,
    slotSince: w.ctx.now,
    decisions: [...a.decisions, rec],
  };
  entry(w, 'approvalDecision', 'resubmit', w.ctx.user.id, comment, a1);
  openSlot(w, a1);
  return stay(w, a1);
}

/** Opens the work for a decision on `snapshot`'s pending approval, or refuses. */
export function approvalWork(
  cf: CompiledFlow,
  snapshot: FlowSnapshot,
  ctx: FlowContext,
  timerKey: string | null,
): { w: Work; a: PendingApproval } | Extract<FlowResult, { ok: false }> {
  const cs = currentState(cf, snapshot);
  if ('ok' in cs) return cs;
  const a = snapshot.approval;
  if (a === null) {
    return {
      ok: false,
      reasons: [{ code: 'NO_PENDING_APPROVAL', message: 'Nothing awaits approval.' }],
    };
  }
  const ct = cf.transitions.get(a.transitionId);
  if (ct === undefined) {
    return {
      ok: false,
      reasons: [
        {
          code: 'NO_SUCH_TRANSITION',
          transitionId: a.transitionId,
          message: `Transition ${a.transitionId} is not in ${cf.keyPrefix}.`,
        },
      ],
    };
  }
  return {
    w: { cf, snap: snapshot, cs, ct, ctx, timerKey, effects: [], history: [], seq: snapshot.seq },
    a,
  };
}

/**
 * Applies an approval decision by ctx.user: approve, reject, return (to the
 * submitter), reassign (to decision.user), addSigner (decision.user), or, by
 * the submitter, withdraw and resubmit (after a return).
 */
export function decide(
  def: FlowDefinition,
  snapshot: FlowSnapshot,
  decision: Decision,
  ctx: FlowContext,
): FlowResult {
  const cf = compiled(def);
  const opened = approvalWork(cf, snapshot, ctx, null);
  if ('ok' in opened) return opened;
  const { w, a } = opened;
  const me = ctx.user.id;
  const comment =
    decision.comment === undefined || decision.comment.trim() === '' ? null : decision.comment;
  if (decision.approvalId !== undefined && decision.approvalId !== a.id) {
    return refuse('APPROVAL_STALE', `Approval ${decision.approvalId} is no longer open.`, {
      approvalId: a.id,
    });
  }
  if (decision.kind === 'withdraw' || decision.kind === 'resubmit') {
    if (me !== a.submittedBy) {
      return refuse('NOT_SUBMITTER', `Only ${a.submittedBy} can ${decision.kind} this request.`, {
        approvalId: a.id,
      });
    }
    if (decision.kind === 'withdraw') return closeApproval(w, a, 'withdraw', me, comment);
    if (a.status !== 'returned') {
      return refuse('INVALID_DECISION', 'Only a returned request can be resubmitted.', {
        approvalId: a.id,
      });
    }
    return resubmit(w, a, comment);
  }
  if (a.status === 'returned') {
    return refuse('APPROVAL_RETURNED', `The request was returned to ${a.submittedBy}.`, {
      approvalId: a.id,
    });
  }
  const step = a.steps[a.current] as ApprovalStepState;
  if (!slotAssignees(step).includes(me)) {
    return refuse('NOT_AN_APPROVER', `${me} is not an approver of step ${step.stepId} right now.`, {
      approvalId: a.id,
      stepId: step.stepId,
    });
  }
  const cstep = w.ct.steps?.find((s) => s.def.id === step.stepId);
  if (
    comment === null &&
    cstep !== undefined &&
    cstep.def.commentRequiredOn.includes(decision.kind)
  ) {
    return refuse('COMMENT_REQUIRED', `A comment is required to ${decision.kind}.`, {
      approvalId: a.id,
      stepId: step.stepId,
    });
  }
  switch (decision.kind) {
    case 'approve':
      return approveAs(w, a, me, me, comment, false);
    case 'reject':
      return closeApproval(w, a, 'reject', me, comment);
    case 'return':
      return returnAs(w, a, me, comment, false);
    case 'reassign':
    case 'addSigner': {
      const target = decision.user;
      if (typeof target !== 'string' || target === '' || step.assignees.includes(target)) {
        return refuse(
          'INVALID_DECISION',
          `${target} cannot be added: choose someone who is not already an approver of this step.`,
          { approvalId: a.id, stepId: step.stepId },
        );
      }
      if (decision.kind === 'reassign') return reassignAs(w, a, me, target, me, comment, false);
      // 加签: sequential → right after the current approver; all/any → one more approver.
      const assignees = [...step.assignees];
      if (step.mode === 'sequential') assignees.splice(step.approvedBy.length + 1, 0, target);
      else assignees.push(target);
      const a1: PendingApproval = {
        ...a,
        steps: withStep(a, { ...step, assignees }),
        decisions: [
          ...a.decisions,
          decisionRecord(a, me, 'addSigner', comment, target, false, ctx.now),
        ],
      };
      entry(w, 'approvalDecision', 'addSigner', me, comment, a1);
      if (step.mode !== 'sequential') {
        w.effects.push({
          type: 'requestApproval',
          approvalId: a.id,
          transitionId: a.transitionId,
          stepId: step.stepId,
          mode: step.mode,
          assignees: slotAssignees(a1.steps[a1.current] as ApprovalStepState),
        });
      }
      return stay(w, a1);
    }
  }
}
