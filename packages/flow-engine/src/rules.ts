// The one place the flow engine talks to @trellis/rule-engine (its public door).
import {
  addWorkingTime,
  compile,
  explain,
  referencedVars,
  SYSTEM_FIELDS,
  truthy,
  validateRule,
  type ExplainNode,
  type Issue,
  type WorkingCalendar,
} from '@trellis/rule-engine';
import { durationParts } from './duration.js';
import type { FlowContext } from './types.js';

export type CompiledRule = (data: Readonly<Record<string, unknown>>) => unknown;

export { truthy, SYSTEM_FIELDS };

export function compileRule(logic: unknown): CompiledRule {
  return compile(logic);
}

export function explainRule(logic: unknown, data: Readonly<Record<string, unknown>>): ExplainNode {
  return explain(logic, data);
}

export function ruleVars(logic: unknown): string[] {
  return referencedVars(logic);
}

/** The rule's issues; with `fields`, reads of unknown fields too (system fields are always known). */
export function ruleIssues(logic: unknown, fields: readonly string[] | undefined): Issue[] {
  return validateRule(logic, fields === undefined ? {} : { fields });
}

function clockMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

const adders = new WeakMap<WorkingCalendar, (startIso: string, duration: string) => string>();

/**
 * Adds an ISO duration in working time on `calendar`: hours and minutes are
 * working hours and minutes; a day is one working day's worth of minutes (the
 * sum of the calendar's periods); a week is as many working days as the
 * calendar has weekdays.
 */
export function calendarAdder(
  calendar: WorkingCalendar,
): (startIso: string, duration: string) => string {
  let adder = adders.get(calendar);
  if (adder === undefined) {
    const perDay = calendar.periods.reduce(
      (t, p) => t + clockMinutes(p.end) - clockMinutes(p.start),
      0,
    );
    const perWeek = perDay * (calendar.weekdays?.length ?? 5);
    adder = (startIso, duration) => {
      const p = durationParts(duration);
      if (p === null)
        throw Object.assign(new Error(`Not a duration: ${duration}`), { code: 'invalid_duration' });
      const minutes =
        p.weeks * perWeek + p.days * perDay + p.hours * 60 + p.minutes + p.seconds / 60;
      return addWorkingTime(startIso, { minutes }, calendar);
    };
    adders.set(calendar, adder);
  }
  return adder;
}

/** ctx.addWorkingTime, else one over ctx.calendar (the rule engine's working calendar), else undefined. */
export function workingAdder(ctx: {
  addWorkingTime?: FlowContext['addWorkingTime'];
  calendar?: FlowContext['calendar'];
}): FlowContext['addWorkingTime'] {
  if (ctx.addWorkingTime !== undefined) return ctx.addWorkingTime;
  return ctx.calendar === undefined ? undefined : calendarAdder(ctx.calendar);
}
