// Relative date ranges (today, this week, last 30 days, this quarter, custom...) resolved in the
// viewer's time zone at a given `now`, with the previous period used for comparisons.
import {
  addDays,
  addMonths,
  dateKey,
  isoInstant,
  localDate,
  parseDate,
  parseInstant,
  startOfDay,
  wallClock,
  fromWallClock,
  weekdayOf,
} from './time-zone.js';
import type { CompareMode, RangeValue, RelativeDateOp } from './types.js';

export const RELATIVE_DATE_OPS: readonly RelativeDateOp[] = [
  'today',
  'yesterday',
  'tomorrow',
  'this_week',
  'last_week',
  'next_week',
  'this_month',
  'last_month',
  'next_month',
  'this_quarter',
  'last_quarter',
  'this_year',
  'last_year',
  'last_n_days',
  'next_n_days',
  'custom',
];

const RELATIVE_SET: ReadonlySet<string> = new Set(RELATIVE_DATE_OPS);

export function isRelativeDateOp(op: unknown): op is RelativeDateOp {
  return typeof op === 'string' && RELATIVE_SET.has(op);
}

/** One end of a range: a local date (midnight in the zone) or an exact instant. */
export type Bound = { date: string } | { ms: number };
export type Bounds = { from?: Bound; to?: Bound };

export const MAX_N_DAYS = 3660;

type Problem = { code: string; message: string };

function monthStart(date: string): string {
  return `${date.slice(0, 8)}01`;
}

function quarterStart(date: string): string {
  const p = parseDate(date) as { year: number; month: number };
  return dateKey(p.year, Math.floor((p.month - 1) / 3) * 3 + 1, 1);
}

function weekStart(date: string): string {
  return addDays(date, 1 - weekdayOf(date));
}

function dates(from: string, to: string): Bounds {
  return { from: { date: from }, to: { date: to } };
}

/** The range of a relative operator (without the previous period). */
export function resolveRelative(
  op: RelativeDateOp,
  value: unknown,
  now: number,
  timeZone: string,
): Bounds | Problem {
  const today = localDate(now, timeZone);
  switch (op) {
    case 'today':
      return dates(today, addDays(today, 1));
    case 'yesterday':
      return dates(addDays(today, -1), today);
    case 'tomorrow':
      return dates(addDays(today, 1), addDays(today, 2));
    case 'this_week':
      return dates(weekStart(today), addDays(weekStart(today), 7));
    case 'last_week':
      return dates(addDays(weekStart(today), -7), weekStart(today));
    case 'next_week':
      return dates(addDays(weekStart(today), 7), addDays(weekStart(today), 14));
    case 'this_month':
      return dates(monthStart(today), addMonths(monthStart(today), 1));
    case 'last_month':
      return dates(addMonths(monthStart(today), -1), monthStart(today));
    case 'next_month':
      return dates(addMonths(monthStart(today), 1), addMonths(monthStart(today), 2));
    case 'this_quarter':
      return dates(quarterStart(today), addMonths(quarterStart(today), 3));
    case 'last_quarter':
      return dates(addMonths(quarterStart(today), -3), quarterStart(today));
    case 'this_year':
      return dates(`${today.slice(0, 4)}-01-01`, addMonths(`${today.slice(0, 4)}-01-01`, 12));
    case 'last_year':
      return dates(addMonths(`${today.slice(0, 4)}-01-01`, -12), `${today.slice(0, 4)}-01-01`);
    case 'last_n_days':
    case 'next_n_days': {
      const n = value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_N_DAYS) {
        return {
          code: 'INVALID_VALUE',
          message: `${op} needs a whole number of days from 1 to ${MAX_N_DAYS}`,
        };
      }
      return op === 'last_n_days'
        ? dates(addDays(today, 1 - n), addDays(today, 1))
        : dates(today, addDays(today, n));
    }
    case 'custom':
      return customBounds(value, timeZone);
    default:
      return { code: 'UNKNOWN_OPERATOR', message: `Unknown date range ${String(op)}` };
  }
}

function customBound(raw: unknown, end: boolean, timeZone: string): Bound | Problem | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string') {
    return { code: 'INVALID_VALUE', message: 'A custom range bound is a date or an ISO instant' };
  }
  if (parseDate(raw) !== null) return { date: end ? addDays(raw, 1) : raw };
  const ms = parseInstant(raw, timeZone);
  if (ms === null) {
    return { code: 'INVALID_VALUE', message: `${JSON.stringify(raw)} is not a date or an instant` };
  }
  return { ms };
}

function customBounds(value: unknown, timeZone: string): Bounds | Problem {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { code: 'INVALID_VALUE', message: 'custom needs { from, to } (dates or ISO instants)' };
  }
  const v = value as { from?: unknown; to?: unknown };
  const from = customBound(v.from, false, timeZone);
  const to = customBound(v.to, true, timeZone);
  if (from !== undefined && 'code' in from) return from;
  if (to !== undefined && 'code' in to) return to;
  if (from === undefined && to === undefined) {
    return { code: 'INVALID_VALUE', message: 'custom needs at least one of from and to' };
  }
  const out: Bounds = {};
  if (from !== undefined) out.from = from;
  if (to !== undefined) out.to = to;
  if (from !== undefined && to !== undefined && msOf(from, timeZone) >= msOf(to, timeZone)) {
    return { code: 'EMPTY_RANGE', message: 'custom range: from must come before to' };
  }
  return out;
}

function msOf(b: Bound, timeZone: string): number {
  return 'ms' in b ? b.ms : startOfDay(b.date, timeZone);
}

function shiftBoundYear(b: Bound, timeZone: string): Bound {
  if ('date' in b) return { date: addMonths(b.date, -12) };
  const w = wallClock(b.ms, timeZone);
  const date = addMonths(dateKey(w.year, w.month, w.day), -12);
  const p = parseDate(date) as { year: number; month: number; day: number };
  return {
    ms: fromWallClock(timeZone, p.year, p.month, p.day, w.hour, w.minute, w.second, w.millisecond),
  };
}

/** The period compared with: the one just before (same calendar unit or length), or a year back. */
export function previousBounds(
  op: RelativeDateOp,
  current: Bounds,
  mode: CompareMode,
  timeZone: string,
): Bounds | Problem {
  if (current.from === undefined || current.to === undefined) {
    return { code: 'OPEN_RANGE', message: 'An open-ended range has no previous period' };
  }
  if (mode === 'previous_year') {
    return {
      from: shiftBoundYear(current.from, timeZone),
      to: shiftBoundYear(current.to, timeZone),
    };
  }
  const from = current.from;
  const to = current.to;
  switch (op) {
    case 'this_month':
    case 'last_month':
    case 'next_month':
    case 'this_quarter':
    case 'last_quarter':
    case 'this_year':
    case 'last_year': {
      const months = op.endsWith('month') ? 1 : op.endsWith('quarter') ? 3 : 12;
      const f = (from as { date: string }).date;
      return dates(addMonths(f, -months), f);
    }
    default:
      break;
  }
  if ('date' in from && 'date' in to) {
    const days = Math.round(
      (startOfDay(to.date, 'UTC') - startOfDay(from.date, 'UTC')) / 86_400_000,
    );
    return dates(addDays(from.date, -days), from.date);
  }
  const a = msOf(from, timeZone);
  const b = msOf(to, timeZone);
  return { from: { ms: a - (b - a) }, to: { ms: a } };
}

/** Bounds as the range a condition carries: dates for date fields, `...Z` instants for datetimes. */
export function toRangeValue(
  bounds: Bounds,
  kind: 'date' | 'datetime',
  timeZone: string,
): RangeValue {
  const out: RangeValue = {};
  const conv = (b: Bound, end: boolean): string => {
    if (kind === 'datetime') return isoInstant(msOf(b, timeZone));
    if ('date' in b) return b.date;
    // An instant on a date field: the from side takes its local date; the to side the day after
    // the last local date it covers.
    return end ? addDays(localDate(b.ms - 1, timeZone), 1) : localDate(b.ms, timeZone);
  };
  if (bounds.from !== undefined) out.from = conv(bounds.from, false);
  if (bounds.to !== undefined) out.to = conv(bounds.to, true);
  return out;
}

/** A range of one kind as the other (a target's month field vs a report period on created_at). */
export function convertRange(
  range: RangeValue,
  from: 'date' | 'datetime',
  to: 'date' | 'datetime',
  timeZone: string,
): RangeValue {
  if (from === to) return range;
  const bounds: Bounds = {};
  if (range.from !== undefined) {
    bounds.from = from === 'date' ? { date: range.from } : { ms: Date.parse(range.from) };
  }
  if (range.to !== undefined) {
    bounds.to = from === 'date' ? { date: range.to } : { ms: Date.parse(range.to) };
  }
  return toRangeValue(bounds, to, timeZone);
}
