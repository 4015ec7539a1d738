import type { ProblemError } from '../api/api-problem.js';
import type { I18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';

/** Flow-engine issue codes in the product's words (the English message is the engine's own). */
const FLOW_ISSUE_KEYS: Readonly<Record<string, MessageKey>> = {
  required: 'flow.issue.required',
  invalid_type: 'flow.issue.invalidValue',
  invalid_value: 'flow.issue.invalidValue',
  invalid_format: 'flow.issue.invalidValue',
  unknown_field: 'flow.issue.unknownField',
  reserved_field: 'flow.issue.reservedField',
  unknown_state: 'flow.issue.unknownState',
  unreachable_state: 'flow.issue.unreachable',
  dead_end: 'flow.issue.deadEnd',
  no_way_out: 'flow.issue.noWayOut',
  no_states: 'flow.issue.noStates',
  duplicate_state: 'flow.issue.duplicate',
  duplicate_transition: 'flow.issue.duplicate',
  duplicate_step: 'flow.issue.duplicate',
  duplicate_timer: 'flow.issue.duplicate',
  duplicate_event: 'flow.issue.duplicateEvent',
  nobody_allowed: 'flow.issue.nobodyAllowed',
  no_steps: 'flow.issue.noSteps',
  no_approvers: 'flow.issue.noApprovers',
  invalid_timer_action: 'flow.issue.timerAction',
  unknown_event: 'flow.issue.unknownEvent',
};

/** One flow issue in the current language. */
export function flowIssueText(issue: ProblemError, i18n: Pick<I18n, 't' | 'locale'>): string {
  if (i18n.locale === 'en' && issue.message !== '') return issue.message;
  const key = FLOW_ISSUE_KEYS[issue.code.toLowerCase()];
  return key === undefined ? issue.message : i18n.t(key);
}

/** Issues of one element whose remaining path starts with `prefix` (`guard`, `timers.0`). */
export function issuesAt(
  issues: ReadonlyArray<ProblemError & { rest: string }>,
  prefix: string,
  i18n: Pick<I18n, 't' | 'locale'>,
): string[] {
  return issues
    .filter((issue) => issue.rest === prefix || issue.rest.startsWith(`${prefix}.`))
    .map((issue) => flowIssueText(issue, i18n));
}
