// The checks a transition must pass: who may fire it, the fields required to
// enter the target, and the guard. All failing checks are reported together.
import type { CompiledRuleSlot, CompiledTransition } from './compile-flow.js';
import { explainRule, ruleVars, truthy } from './rules.js';
import type { AllowedSpec, FlowUser, Refusal } from './types.js';

type RecordData = Readonly<Record<string, unknown>>;

export function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

export function isAllowed(allowed: AllowedSpec, record: RecordData, user: FlowUser): boolean {
  const roles = allowed.roles;
  for (let i = 0; i < roles.length; i++) if (user.roles.includes(roles[i] as string)) return true;
  if (allowed.owner && record.owner_id === user.id) return true;
  if (allowed.userField !== null) {
    const v = record[allowed.userField];
    if (v === user.id || (Array.isArray(v) && v.includes(user.id))) return true;
  }
  return false;
}

function describeAllowed(a: AllowedSpec): string {
  const parts: string[] = [];
  if (a.roles.length > 0) parts.push(`roles ${a.roles.join(', ')}`);
  if (a.owner) parts.push('the owner');
  if (a.userField !== null) parts.push(`the user in ${a.userField}`);
  return parts.length === 0 ? 'nobody' : parts.join(' or ');
}

/** Runs a compiled rule; `{ value }` or `{ error }` (the rule engine threw, or the rule did not compile). */
export function runRule(
  slot: CompiledRuleSlot,
  record: RecordData,
): { value: unknown; error: null } | { value: undefined; error: string } {
  if (slot.rule === null) return { value: undefined, error: slot.error ?? 'rule did not compile' };
  try {
    return { value: slot.rule(record), error: null };
  } catch (error) {
    return { value: undefined, error: error instanceof Error ? error.message : String(error) };
  }
}

function hasRequired(required: readonly string[], record: RecordData): boolean {
  for (let i = 0; i < required.length; i++)
    if (isEmpty(record[required[i] as string])) return false;
  return true;
}

/** Returns the refusals for firing `ct` (null when it may fire). Small, so it inlines; failures take the long road. */
export function checkTransition(
  ct: CompiledTransition,
  record: RecordData,
  user: FlowUser,
  skipAllowed: boolean,
): Refusal[] | null {
  const t = ct.def;
  if (
    (skipAllowed || t.allowed === null || isAllowed(t.allowed, record, user)) &&
    hasRequired(ct.required, record)
  ) {
    const guard = ct.guard;
    if (guard === null) return null;
    if (guard.rule !== null) {
      try {
        if (truthy(guard.rule(record))) return null;
      } catch {
        // Reported as GUARD_ERROR below.
      }
    }
  }
  return refusals(ct, record, user, skipAllowed);
}

/** Every reason `ct` may not fire, for the refusal and the UI's why-not. */
function refusals(
  ct: CompiledTransition,
  record: RecordData,
  user: FlowUser,
  skipAllowed: boolean,
): Refusal[] | null {
  let reasons: Refusal[] | null = null;
  const t = ct.def;
  if (!skipAllowed && t.allowed !== null && !isAllowed(t.allowed, record, user)) {
    (reasons ??= []).push({
      code: 'NOT_ALLOWED',
      path: `transitions.${ct.index}.allowed`,
      transitionId: t.id,
      message: `Only ${describeAllowed(t.allowed)} may ${t.event}.`,
    });
  }
  let missing: string[] | null = null;
  for (const f of ct.required) if (isEmpty(record[f])) (missing ??= []).push(f);
  if (missing !== null) {
    (reasons ??= []).push({
      code: 'MISSING_REQUIRED_FIELDS',
      path: `transitions.${ct.index}.requiredFields`,
      transitionId: t.id,
      fields: missing,
      message: `Fill in ${missing.join(', ')} first.`,
    });
  }
  if (ct.guard !== null) {
    const r = runRule(ct.guard, record);
    if (r.error !== null) {
      (reasons ??= []).push({
        code: 'GUARD_ERROR',
        path: `transitions.${ct.index}.guard`,
        transitionId: t.id,
        message: `The condition could not be evaluated: ${r.error}`,
      });
    } else if (!truthy(r.value)) {
      const reason: Refusal = {
        code: 'GUARD_FALSE',
        path: `transitions.${ct.index}.guard`,
        transitionId: t.id,
        fields: ruleVars(t.guard),
        explanation: explainRule(t.guard, record),
        message: 'The condition for this step is not met.',
      };
      if (t.guardMessage !== null) reason.guardMessage = t.guardMessage;
      (reasons ??= []).push(reason);
    }
  }
  return reasons;
}
