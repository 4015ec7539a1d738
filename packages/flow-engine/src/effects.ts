// Turning definition effect specs into effects for the host, resolving
// recipients, and planning timers (keys, due times).
import type { CompiledFlow, CompiledState, CompiledTimer } from './compile-flow.js';
import { dueAt, durationMs } from './duration.js';
import type {
  ApprovalStepState,
  Effect,
  EffectSpec,
  FlowContext,
  PendingApproval,
  Recipient,
  RecipientRef,
  TimerPlan,
} from './types.js';
import { workingAdder } from './rules.js';

/** The pending approvers of a step: sequential → the one whose turn it is; all → those who have not approved; any → all. */
export function slotAssignees(step: ApprovalStepState): string[] {
  if (step.mode === 'sequential') {
    const next = step.assignees[step.approvedBy.length];
    return next === undefined ? [] : [next];
  }
  if (step.mode === 'all') return step.assignees.filter((a) => !step.approvedBy.includes(a));
  return [...step.assignees];
}

export function userIdsOf(value: unknown): string[] {
  if (typeof value === 'string' && value !== '') return [value];
  if (typeof value === 'number') return [String(value)];
  if (Array.isArray(value)) return value.flatMap((v) => userIdsOf(v));
  return [];
}

/** A user's managers, nearest first, from ctx.user.managerChain or ctx.directory; null when unknown. */
export function managerChainOf(userId: string, ctx: FlowContext): readonly string[] | null {
  if (userId === ctx.user.id && ctx.user.managerChain !== undefined) return ctx.user.managerChain;
  const lookup = ctx.directory?.managerChainOf;
  return lookup === undefined ? null : lookup(userId);
}

function pushUser(out: RecipientRef[], id: string): void {
  if (!out.some((r) => r.kind === 'user' && r.id === id)) out.push({ kind: 'user', id });
}

function usersFor(
  who: 'owner' | 'actor' | 'submitter' | 'assignees',
  ctx: FlowContext,
  approval: PendingApproval | null,
): string[] {
  switch (who) {
    case 'owner':
      return userIdsOf(ctx.record.owner_id);
    case 'actor':
      return [ctx.user.id];
    case 'submitter':
      return approval === null ? [ctx.user.id] : [approval.submittedBy];
    case 'assignees': {
      const step = approval === null ? undefined : approval.steps[approval.current];
      return step === undefined ? [] : slotAssignees(step);
    }
  }
}

export function resolveRecipients(
  list: readonly Recipient[],
  ctx: FlowContext,
  approval: PendingApproval | null,
): RecipientRef[] {
  const out: RecipientRef[] = [];
  for (const r of list) {
    switch (r.kind) {
      case 'users':
        for (const u of r.users) pushUser(out, u);
        break;
      case 'roles':
        for (const role of r.roles) out.push({ kind: 'role', role });
        break;
      case 'userField':
        for (const u of userIdsOf(ctx.record[r.field])) pushUser(out, u);
        break;
      case 'managerOf':
        for (const u of usersFor(r.of, ctx, approval)) {
          const chain = managerChainOf(u, ctx);
          const manager = chain === null ? undefined : chain[r.levels - 1];
          if (manager !== undefined) pushUser(out, manager);
          else out.push({ kind: 'managerOf', user: u, levels: r.levels });
        }
        break;
      default:
        for (const u of usersFor(r.kind, ctx, approval)) pushUser(out, u);
    }
  }
  return out;
}

/** Appends the effects for `specs`; keys are `<flow>@<version>:<seq>:<tag>:<index>`. */
export function specEffects(
  specs: readonly EffectSpec[],
  out: Effect[],
  ctx: FlowContext,
  approval: PendingApproval | null,
  keyBase: string,
): void {
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i] as EffectSpec;
    switch (spec.type) {
      case 'setField':
        out.push({
          type: 'setField',
          field: spec.field,
          value:
            spec.valueFrom === 'now'
              ? ctx.now
              : spec.valueFrom === 'actor'
                ? ctx.user.id
                : spec.value,
        });
        break;
      case 'createTask': {
        const due =
          spec.due === null
            ? null
            : { from: ctx.now, after: spec.due.after, clock: spec.due.clock };
        out.push({
          type: 'createTask',
          key: `${keyBase}:task:${i}`,
          title: spec.title,
          description: spec.description,
          assignees: resolveRecipients([spec.assignee], ctx, approval),
          dueAt:
            due === null
              ? null
              : dueAt(
                  due.from,
                  due.after,
                  durationMsCached(due.after),
                  due.clock,
                  workingAdder(ctx),
                ),
          due,
        });
        break;
      }
      case 'notify':
        out.push({
          type: 'notify',
          key: `${keyBase}:notify:${i}`,
          to: resolveRecipients(spec.to, ctx, approval),
          template: spec.template,
          params: spec.params,
        });
        break;
    }
  }
}

const msCache = new Map<string, number>();
function durationMsCached(after: string): number {
  let ms = msCache.get(after);
  if (ms === undefined) {
    ms = durationMs(after) ?? 0;
    msCache.set(after, ms);
  }
  return ms;
}

export function approvalTimerKey(
  cf: CompiledFlow,
  approval: PendingApproval,
  stepId: string,
  timerId: string,
): string {
  return `${cf.keyPrefix}:approval:${approval.id}:${stepId}:${approval.slotSeq}:${timerId}`;
}

export function stateTimerPlans(
  cs: CompiledState,
  entrySeq: number,
  enteredAt: string,
  addWorkingTime: FlowContext['addWorkingTime'],
): TimerPlan[] {
  const out: TimerPlan[] = [];
  for (const t of cs.timers) {
    out.push(plan(t, t.keyHead + entrySeq + t.keyTail, 'state', enteredAt, addWorkingTime));
  }
  return out;
}

export function approvalTimerPlans(
  cf: CompiledFlow,
  approval: PendingApproval,
  addWorkingTime: FlowContext['addWorkingTime'],
): TimerPlan[] {
  if (approval.status !== 'pending') return [];
  const step = approval.steps[approval.current];
  const ct = cf.transitions.get(approval.transitionId);
  const cstep = ct?.steps?.find((s) => s.def.id === step?.stepId);
  if (step === undefined || cstep === undefined) return [];
  return cstep.timers.map((t) => {
    const p = plan(
      t,
      approvalTimerKey(cf, approval, step.stepId, t.def.id),
      'approval',
      approval.slotSince,
      addWorkingTime,
    );
    p.approvalId = approval.id;
    p.stepId = step.stepId;
    return p;
  });
}

function plan(
  t: CompiledTimer,
  key: string,
  scope: 'state' | 'approval',
  from: string,
  addWorkingTime: FlowContext['addWorkingTime'],
): TimerPlan {
  return {
    key,
    scope,
    timerId: t.def.id,
    label: t.def.label,
    action: t.def.action,
    from,
    after: t.def.after,
    clock: t.def.clock,
    dueAt: dueAt(from, t.def.after, t.ms, t.def.clock, addWorkingTime),
    cancelWhen: scope === 'state' ? 'stateExit' : 'approvalSlot',
    approvalId: null,
    stepId: null,
  };
}

export function scheduleAll(plans: readonly TimerPlan[], out: Effect[]): void {
  for (const p of plans) out.push({ type: 'scheduleTimer', key: p.key, timer: p });
}

export function cancelAll(plans: readonly TimerPlan[], out: Effect[]): void {
  for (const p of plans) out.push({ type: 'cancelTimer', key: p.key });
}
