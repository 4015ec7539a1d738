// Working time over a calendar of working periods, weekdays, holidays and make-up working days
// (China 调休), in the calendar's time zone. Pure functions: ISO strings in, ISO strings out.
import {
  dateKey,
  DAY,
  fromWallClock,
  isValidTimeZone,
  MINUTE,
  parseInstant,
  toIso,
  wallClock,
} from './date-time.js';
import { RuleError } from './rule-error.js';
import type { Issue, WorkingCalendar } from './types.js';

/** How far working-time calculations may search, in days (about 55 years). */
export const MAX_CALENDAR_DAYS = 20_000;

export type WorkingDuration = { hours?: number; minutes?: number };

type Prepared = {
  timeZone: string;
  periods: { start: number; end: number }[]; // minutes from local midnight
  weekdays: ReadonlySet<number>;
  holidays: ReadonlySet<string>;
  workingDays: ReadonlySet<string>;
  minutesPerDay: number;
};

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function minutesOf(hhmm: string): number {
  if (hhmm === '24:00') return 24 * 60;
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** Every problem with a calendar (bad zone, malformed or overlapping periods, bad dates). */
export function validateWorkingCalendar(calendar: unknown): Issue[] {
  const issues: Issue[] = [];
  if (typeof calendar !== 'object' || calendar === null) {
    return [{ path: '', code: 'invalid_calendar', message: 'a working calendar is an object' }];
  }
  const c = calendar as Record<string, unknown>;
  if (!isValidTimeZone(c.timeZone)) {
    issues.push({
      path: 'timeZone',
      code: 'invalid_time_zone',
      message: 'timeZone must be an IANA time zone',
    });
  }
  if (!Array.isArray(c.periods) || c.periods.length === 0) {
    issues.push({
      path: 'periods',
      code: 'required',
      message: 'at least one working period is needed',
    });
  } else {
    let previousEnd = -1;
    c.periods.forEach((p: unknown, i) => {
      const period = p as Record<string, unknown> | null;
      const start = period?.start;
      const end = period?.end;
      if (typeof start !== 'string' || !HHMM.test(start) || start === '24:00') {
        issues.push({
          path: `periods.${i}.start`,
          code: 'invalid_time',
          message: 'start must be HH:mm',
        });
        return;
      }
      if (typeof end !== 'string' || !HHMM.test(end)) {
        issues.push({
          path: `periods.${i}.end`,
          code: 'invalid_time',
          message: 'end must be HH:mm (24:00 allowed)',
        });
        return;
      }
      if (minutesOf(end) <= minutesOf(start)) {
        issues.push({
          path: `periods.${i}.end`,
          code: 'invalid_period',
          message: 'end must be after start',
        });
      } else if (minutesOf(start) < previousEnd) {
        issues.push({
          path: `periods.${i}.start`,
          code: 'overlapping_periods',
          message: 'periods must be in order and must not overlap',
        });
      }
      previousEnd = Math.max(previousEnd, minutesOf(end));
    });
  }
  if (c.weekdays !== undefined) {
    if (!Array.isArray(c.weekdays)) {
      issues.push({
        path: 'weekdays',
        code: 'invalid_weekdays',
        message: 'weekdays is a list of 1 (Monday) … 7 (Sunday)',
      });
    } else {
      c.weekdays.forEach((w: unknown, i) => {
        if (!Number.isInteger(w) || (w as number) < 1 || (w as number) > 7) {
          issues.push({
            path: `weekdays.${i}`,
            code: 'invalid_weekday',
            message: 'a weekday is 1 (Monday) … 7 (Sunday)',
          });
        }
      });
    }
  }
  for (const key of ['holidays', 'workingDays'] as const) {
    const list = c[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      issues.push({
        path: key,
        code: 'invalid_dates',
        message: `${key} is a list of YYYY-MM-DD dates`,
      });
      continue;
    }
    list.forEach((d: unknown, i) => {
      if (typeof d !== 'string' || !DATE.test(d) || parseInstant(d, 'UTC') === null) {
        issues.push({ path: `${key}.${i}`, code: 'invalid_date', message: 'dates are YYYY-MM-DD' });
      }
    });
  }
  return issues;
}

const prepared = new WeakMap<WorkingCalendar, Prepared>();

function prepare(calendar: WorkingCalendar | undefined): Prepared {
  if (calendar === undefined || calendar === null) {
    throw new RuleError('calendar_required', 'a working calendar is required (options.calendar)');
  }
  const cached = prepared.get(calendar);
  if (cached !== undefined) return cached;
  const issues = validateWorkingCalendar(calendar);
  if (issues.length > 0) {
    const first = issues[0] as Issue;
    throw new RuleError(
      'invalid_calendar',
      `invalid working calendar: ${first.path} ${first.message}`,
      first.path,
    );
  }
  const periods = calendar.periods.map((p) => ({
    start: minutesOf(p.start),
    end: minutesOf(p.end),
  }));
  const result: Prepared = {
    timeZone: calendar.timeZone,
    periods,
    weekdays: new Set(calendar.weekdays ?? [1, 2, 3, 4, 5]),
    holidays: new Set(calendar.holidays ?? []),
    workingDays: new Set(calendar.workingDays ?? []),
    minutesPerDay: periods.reduce((sum, p) => sum + p.end - p.start, 0),
  };
  prepared.set(calendar, result);
  return result;
}

function instant(value: unknown, what: string, timeZone: string): number {
  const ms = parseInstant(value, timeZone);
  if (ms === null) throw new RuleError('invalid_date', `${what} is not a valid date or time`);
  return ms;
}

type LocalDay = { year: number; month: number; day: number; weekday: number };

function nextDay(d: LocalDay, step: number): LocalDay {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + step));
  const dow = t.getUTCDay();
  return {
    year: t.getUTCFullYear(),
    month: t.getUTCMonth() + 1,
    day: t.getUTCDate(),
    weekday: dow === 0 ? 7 : dow,
  };
}

function isWorkingDay(p: Prepared, d: LocalDay): boolean {
  const key = dateKey(d.year, d.month, d.day);
  if (p.holidays.has(key)) return false;
  if (p.workingDays.has(key)) return true;
  return p.weekdays.has(d.weekday);
}

/** Working periods of a local day as instants. */
function periodsOf(p: Prepared, d: LocalDay): [number, number][] {
  if (!isWorkingDay(p, d)) return [];
  return p.periods.map((period) => [
    fromWallClock(p.timeZone, d.year, d.month, d.day, 0, period.start),
    fromWallClock(p.timeZone, d.year, d.month, d.day, 0, period.end),
  ]);
}

function localDay(ms: number, timeZone: string): LocalDay {
  const w = wallClock(ms, timeZone);
  return { year: w.year, month: w.month, day: w.day, weekday: w.weekday };
}

/** Is `at` inside a working period of `calendar`? */
export function isWorkingTime(at: string | Date, calendar: WorkingCalendar): boolean {
  const p = prepare(calendar);
  const ms = instant(at, 'at', p.timeZone);
  return periodsOf(p, localDay(ms, p.timeZone)).some(([s, e]) => ms >= s && ms < e);
}

/**
 * Working minutes between two instants (negative when `to` is before `from`); fractions of a
 * minute are kept. Only time inside working periods of working days counts.
 */
export function workingTimeBetween(
  from: string | Date,
  to: string | Date,
  calendar: WorkingCalendar,
): number {
  const p = prepare(calendar);
  const a = instant(from, 'from', p.timeZone);
  const b = instant(to, 'to', p.timeZone);
  if (b < a) return -workingMs(p, b, a) / MINUTE;
  return workingMs(p, a, b) / MINUTE;
}

function workingMs(p: Prepared, a: number, b: number): number {
  if (b - a > MAX_CALENDAR_DAYS * DAY) {
    throw new RuleError(
      'range_too_large',
      `working time is computed over at most ${MAX_CALENDAR_DAYS} days`,
    );
  }
  let total = 0;
  let day = localDay(a, p.timeZone);
  const lastKey = localDay(b, p.timeZone);
  const last = dateKey(lastKey.year, lastKey.month, lastKey.day);
  for (let i = 0; i <= MAX_CALENDAR_DAYS + 2; i++) {
    for (const [s, e] of periodsOf(p, day)) {
      const lo = Math.max(s, a);
      const hi = Math.min(e, b);
      if (hi > lo) total += hi - lo;
    }
    if (dateKey(day.year, day.month, day.day) >= last) break;
    day = nextDay(day, 1);
  }
  return total;
}

/**
 * The instant `duration` of working time after `start` (e.g. 2 working hours after a lead was
 * created: a lead created on Friday 17:00 with 09:00–18:00 hours is due Monday 10:00). A start
 * outside working time counts from the next working period. Returns an ISO string (UTC).
 */
export function addWorkingTime(
  start: string | Date,
  duration: WorkingDuration,
  calendar: WorkingCalendar,
): string {
  const p = prepare(calendar);
  const from = instant(start, 'start', p.timeZone);
  const minutes = (duration?.hours ?? 0) * 60 + (duration?.minutes ?? 0);
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new RuleError(
      'invalid_duration',
      'a working duration is a non-negative number of hours/minutes',
    );
  }
  return toIso(addWorkingMs(p, from, minutes * MINUTE));
}

export function addWorkingMs(p: Prepared, from: number, amount: number): number {
  if (p.minutesPerDay === 0 || (p.weekdays.size === 0 && p.workingDays.size === 0)) {
    throw new RuleError('calendar_has_no_working_time', 'the calendar has no working time');
  }
  let remaining = amount;
  let day = localDay(from, p.timeZone);
  for (let i = 0; i <= MAX_CALENDAR_DAYS; i++) {
    for (const [s, e] of periodsOf(p, day)) {
      const lo = Math.max(s, from);
      if (e <= lo) continue;
      if (remaining <= e - lo) {
        // Zero remaining lands on the start of the next working moment.
        return lo + remaining;
      }
      remaining -= e - lo;
    }
    day = nextDay(day, 1);
  }
  throw new RuleError('range_too_large', `no working time found within ${MAX_CALENDAR_DAYS} days`);
}

/** Internal: the prepared calendar for operators. */
export function prepareCalendar(calendar: WorkingCalendar | undefined): Prepared {
  return prepare(calendar);
}

export function workingMsBetween(p: Prepared, a: number, b: number): number {
  return b < a ? -workingMs(p, b, a) : workingMs(p, a, b);
}
