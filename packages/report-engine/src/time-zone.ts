// Instants, local dates and time zones with Intl.DateTimeFormat only (no date library, no clock).

export const DAY_MS = 86_400_000;

export type WallClock = {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** ISO weekday: 1 = Monday ... 7 = Sunday. */
  weekday: number;
};

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat | null {
  const cached = formatters.get(timeZone);
  if (cached !== undefined) return cached;
  try {
    const f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timeZone, f);
    return f;
  } catch {
    return null;
  }
}

export function isValidTimeZone(timeZone: unknown): timeZone is string {
  return (
    typeof timeZone === 'string' &&
    timeZone.length > 0 &&
    timeZone.length < 64 &&
    /^[A-Za-z0-9_+\-/]+$/.test(timeZone) &&
    formatter(timeZone) !== null
  );
}

const offsetCache = new Map<string, Map<number, number>>();

/** Offset of `timeZone` from UTC at instant `ms`, in milliseconds (Asia/Shanghai: +8 h). */
export function zoneOffset(ms: number, timeZone: string): number {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return 0;
  let byZone = offsetCache.get(timeZone);
  if (byZone === undefined) {
    byZone = new Map();
    offsetCache.set(timeZone, byZone);
  }
  const bucket = Math.floor(ms / 900_000);
  const cached = byZone.get(bucket);
  if (cached !== undefined) return cached;
  const f = formatter(timeZone);
  if (f === null) throw new RangeError(`unknown time zone ${timeZone}`);
  const at = bucket * 900_000;
  const parts = f.formatToParts(new Date(at));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const era = parts.find((p) => p.type === 'era')?.value;
  const year = era === 'BC' || era === 'B' ? 1 - get('year') : get('year');
  const asUtc = Date.UTC(
    2000,
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  const fixed = new Date(asUtc);
  fixed.setUTCFullYear(year);
  const offset = fixed.getTime() - at;
  if (byZone.size > 100_000) byZone.clear();
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

/**
 * The instant of a local wall-clock time. A time that happens twice (clocks going back) gives the
 * earlier instant; a time skipped by clocks going forward moves forward by the gap.
 */
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
  const asUtc = utc(year, month, day, hour, minute, second, millisecond);
  const before = zoneOffset(asUtc - DAY_MS, timeZone);
  const after = zoneOffset(asUtc + DAY_MS, timeZone);
  const a = asUtc - before;
  const b = asUtc - after;
  const valid = (t: number): boolean => zoneOffset(t, timeZone) === asUtc - t;
  const va = valid(a);
  const vb = valid(b);
  if (va && vb) return Math.min(a, b);
  if (va) return a;
  if (vb) return b;
  // In a gap: the wall clock read with the offset in force before it.
  return a;
}

function utc(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  millisecond = 0,
): number {
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millisecond));
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime();
}

export function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

export function dateKey(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** A `YYYY-MM-DD` string as { year, month, day }, or null when it is not a real date. */
export function parseDate(value: string): { year: number; month: number; day: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** `YYYY-MM-DD` plus `days` (calendar arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
  const p = parseDate(date);
  if (p === null) throw new RangeError(`not a date: ${date}`);
  const d = new Date(utc(p.year, p.month, p.day) + days * DAY_MS);
  return dateKey(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** `YYYY-MM-DD` plus `months` (the day is clamped to the month's length). */
export function addMonths(date: string, months: number): string {
  const p = parseDate(date);
  if (p === null) throw new RangeError(`not a date: ${date}`);
  const index = p.year * 12 + (p.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  return dateKey(year, month, Math.min(p.day, daysInMonth(year, month)));
}

/** ISO weekday of a `YYYY-MM-DD` date (1 = Monday). */
export function weekdayOf(date: string): number {
  const p = parseDate(date);
  if (p === null) throw new RangeError(`not a date: ${date}`);
  const dow = new Date(utc(p.year, p.month, p.day)).getUTCDay();
  return dow === 0 ? 7 : dow;
}

/** The local date at instant `ms` in `timeZone`. */
export function localDate(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  return dateKey(w.year, w.month, w.day);
}

/** The instant of local midnight of `date` in `timeZone`. */
export function startOfDay(date: string, timeZone: string): number {
  const p = parseDate(date);
  if (p === null) throw new RangeError(`not a date: ${date}`);
  return fromWallClock(timeZone, p.year, p.month, p.day);
}

/** `...Z` ISO text with milliseconds. */
export function isoInstant(ms: number): string {
  return new Date(ms).toISOString();
}

function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** `YYYY-MM-DDTHH:mm:ss.sssZ` / `...ssZ` (what toISOString and the API write), without a regex. */
function parseCanonicalUtc(s: string): number | null {
  const n = s.length;
  if ((n !== 24 && n !== 20) || s.charCodeAt(n - 1) !== 90 || s.charCodeAt(10) !== 84) return null;
  if (
    s[4] !== '-' ||
    s[7] !== '-' ||
    s[13] !== ':' ||
    s[16] !== ':' ||
    (n === 24 && s[19] !== '.')
  ) {
    return null;
  }
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 7);
  const day = digits(s, 8, 10);
  const hour = digits(s, 11, 13);
  const minute = digits(s, 14, 16);
  const second = digits(s, 17, 19);
  const ms = n === 24 ? digits(s, 20, 23) : 0;
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) {
    return null;
  }
  return utc(year, month, day, hour, minute, second, ms);
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * An instant from an ISO 8601 string (with Z or an offset it is exact; without one it is a local
 * time in `timeZone`; a bare date is local midnight), a Date, or epoch milliseconds.
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
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millisecond = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000 + 1e-6);
  if (hour > 23 || minute > 59 || second > 59) return null;
  const zone = m[8];
  if (zone === undefined) {
    return fromWallClock(timeZone, year, month, day, hour, minute, second, millisecond);
  }
  const base = utc(year, month, day, hour, minute, second, millisecond);
  if (zone === 'Z') return base;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offset = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')) * 60_000;
  return base - sign * offset;
}

/** The local date of a value of a `date` field: `YYYY-MM-DD` text, or a Date taken at UTC. */
export function dateValue(value: unknown): string | null {
  if (typeof value === 'string') {
    const head = value.length >= 10 ? value.slice(0, 10) : value;
    return parseDate(head) === null ? null : head;
  }
  if (value instanceof Date && Number.isFinite(value.getTime())) {
    return value.toISOString().slice(0, 10);
  }
  return null;
}
