// ISO 8601 durations (the subset that means the same in every calendar:
// weeks, days, hours, minutes, seconds) and calendar-time arithmetic.
import { addToInstant } from './iso-time.js';
import type { Clock, FlowContext } from './types.js';

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

export type DurationParts = {
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
};

/** The parts of a supported ISO 8601 duration, or null. */
export function durationParts(text: string): DurationParts | null {
  const m = DURATION.exec(text);
  if (m === null || text === 'P' || text.endsWith('T')) return null;
  const n = (v: string | undefined): number => (v === undefined ? 0 : Number(v));
  return { weeks: n(m[1]), days: n(m[2]), hours: n(m[3]), minutes: n(m[4]), seconds: n(m[5]) };
}

/** Milliseconds in a duration (calendar time), or null when it is not a supported ISO 8601 duration. */
export function durationMs(text: string): number | null {
  const p = durationParts(text);
  if (p === null) return null;
  return (((p.weeks * 7 + p.days) * 24 + p.hours) * 60 + p.minutes) * 60_000 + p.seconds * 1000;
}

/** `from + after`: calendar time by arithmetic, working time through `addWorkingTime` (null without it). */
export function dueAt(
  from: string,
  after: string,
  afterMs: number,
  clock: Clock,
  addWorkingTime: FlowContext['addWorkingTime'],
): string | null {
  if (clock === 'working') return addWorkingTime === undefined ? null : addWorkingTime(from, after);
  return addToInstant(from, afterMs);
}
