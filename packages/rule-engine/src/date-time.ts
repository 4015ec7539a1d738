// Instants, wall clocks and time zones with Intl.DateTimeFormat only (no date library).
// All instants are epoch milliseconds internally; inputs and outputs are ISO 8601 strings.
import { RuleError } from './rule-error.js';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export type WallClock = {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
};

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, Map<number, number>>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RuleError('invalid_time_zone', `unknown time zone "${timeZone}"`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: unknown): boolean {
  if (typeof timeZone !== 'string' || timeZone === '') return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Offset of `timeZone` from UTC at instant `ms`, in milliseconds (Asia/Shanghai: +8 h). */
export function zoneOffset(ms: number, timeZone: string): number {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return 0;
  let byZone = offsetCache.get(timeZone);
  if (byZone === undefined) {
    byZone = new Map();
    offsetCache.set(timeZone, byZone);
  }
  // Offsets change on whole quarter hours at the earliest; cache per 15 minutes.
  const bucket = Math.floor(ms / (15 * MINUTE));
  const cached = byZone.get(bucket);
  if (cached !== undefined) return cached;
  const parts = formatter(timeZone).formatToParts(new Date(bucket * 15 * MINUTE));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  const offset = asUtc - bucket * 15 * MINUTE;
  if (byZone.size > 50_000) byZone.clear();
  byZone.set(bucket, offset);
  return offset;
}

/** The local wall clock in `timeZone` at instant `ms`. */
export function wallClock(ms: number, timeZone: string): WallClock {
  const local = new Date(ms + zoneOffset(ms, timeZone));
  const dow = local.getUTCDay();
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    millisecond: local.getUTCMilliseconds(),
    weekday: dow === 0 ? 7 : dow,
  };
}

/** The instant of a local wall-clock time in `timeZone` (a time skipped by DST moves forward). */
export function fromWallClock(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  millisecond = 0,
): number {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  const first = asUtc - zoneOffset(asUtc, timeZone);
  const second2 = asUtc - zoneOffset(first, timeZone);
  if (first === second2) return first;
  // In a DST gap both guesses disagree: take the later instant.
  return Math.max(first, second2);
}

/** `YYYY-MM-DD` of the local date at `ms`. */
export function localDate(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  return dateKey(w.year, w.month, w.day);
}

export function dateKey(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Two ASCII digits at `i` as a number, or a negative number when either is not a digit. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >>> 0 > 9 || b >>> 0 > 9 ? -1 : a * 10 + b;
}

/**
 * Fast path for `YYYY-MM-DDTHH:mm:ssZ` and `YYYY-MM-DDTHH:mm:ss.sssZ` (what toISOString writes,
 * and what the API stores): parsed from character codes, no regular expression, no Date.parse.
 */
function parseCanonicalUtc(s: string): number | null {
  const n = s.length;
  if (n !== 24 && n !== 20) return null;
  if (s.charCodeAt(n - 1) !== 90 /* Z */ || s.charCodeAt(10) !== 84 /* T */) return null;
  if (
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58
  ) {
    return null;
  }
  const hi = two(s, 0);
  const lo = two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  let millisecond = 0;
  if (n === 24) {
    const a = two(s, 20);
    const c = s.charCodeAt(22) - 48;
    if (s.charCodeAt(19) !== 46 /* . */ || a < 0 || c >>> 0 > 9) return null;
    millisecond = a * 10 + c;
  }
  if ((hi | lo | day | hour | minute | second) < 0 || month < 1 || month > 12 || day < 1)
    return null;
  const year = hi * 100 + lo;
  if (day > 28 && day > daysInMonth(year, month)) return null;
  if (minute > 59 || second > 59 || hour > 24) return null;
  if (hour === 24 && (minute !== 0 || second !== 0 || millisecond !== 0)) return null;
  return (
    daysFromCivil(year, month, day) * DAY +
    hour * HOUR +
    minute * MINUTE +
    second * 1000 +
    millisecond
  );
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parses an instant: an ISO 8601 string (with `Z` or an offset it is exact; without one it is a
 * local time in `timeZone`; a bare date is local midnight), a Date, or epoch milliseconds.
 * Returns null for anything else (including impossible dates such as 2026-02-30).
 */
export function parseInstant(value: unknown, timeZone: string): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value instanceof Date) {
    const t = value.getTime();
    return Number.isFinite(t) ? t : null;
  }
  if (typeof value !== 'string') return null;
  const fast = parseCanonicalUtc(value);
  if (fast !== null) return fast;
  const m = ISO.exec(value.trim());
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millisecond = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  if (month < 1 || month > 12 || day < 1 || hour > 24 || minute > 59 || second > 59) return null;
  if (hour === 24 && (minute !== 0 || second !== 0 || millisecond !== 0)) return null;
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCDate() !== day || probe.getUTCMonth() !== month - 1) return null;
  const zone = m[8];
  if (zone === undefined) {
    return fromWallClock(timeZone, year, month, day, hour, minute, second, millisecond);
  }
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  if (zone === 'Z' || zone === 'z') return asUtc;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offset = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0')) * MINUTE;
  return asUtc - sign * offset;
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Adds calendar units on the local wall clock (month ends clamp: Jan 31 + 1 month = Feb 28/29). */
export function addCalendar(
  ms: number,
  amount: number,
  unit: 'days' | 'weeks' | 'months' | 'years',
  timeZone: string,
): number {
  const w = wallClock(ms, timeZone);
  let { year, month, day } = w;
  if (unit === 'days' || unit === 'weeks') {
    const d = new Date(Date.UTC(year, month - 1, day + amount * (unit === 'weeks' ? 7 : 1)));
    year = d.getUTCFullYear();
    month = d.getUTCMonth() + 1;
    day = d.getUTCDate();
  } else {
    const total = year * 12 + (month - 1) + amount * (unit === 'years' ? 12 : 1);
    year = Math.floor(total / 12);
    month = (total % 12) + 1;
    const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    day = Math.min(day, last);
  }
  return fromWallClock(timeZone, year, month, day, w.hour, w.minute, w.second, w.millisecond);
}

/** Local start of the day / ISO week (Monday) / month / year containing `ms`. */
export function startOf(
  ms: number,
  unit: 'day' | 'week' | 'month' | 'year',
  timeZone: string,
): number {
  const w = wallClock(ms, timeZone);
  if (unit === 'day') return fromWallClock(timeZone, w.year, w.month, w.day);
  if (unit === 'week') {
    const d = new Date(Date.UTC(w.year, w.month - 1, w.day - (w.weekday - 1)));
    return fromWallClock(timeZone, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
  }
  if (unit === 'month') return fromWallClock(timeZone, w.year, w.month, 1);
  return fromWallClock(timeZone, w.year, 1, 1);
}

/** Whole local calendar days from `a` to `b` (negative when b is earlier). */
export function calendarDaysBetween(a: number, b: number, timeZone: string): number {
  const wa = wallClock(a, timeZone);
  const wb = wallClock(b, timeZone);
  return Math.round(
    (Date.UTC(wb.year, wb.month - 1, wb.day) - Date.UTC(wa.year, wa.month - 1, wa.day)) / DAY,
  );
}
