// CRM operators: dates and working time, strings, a linear-time regex match, emptiness,
// field changes on update events, rounding. All eager and pure: `now`, the time zone and the
// working calendar come from the evaluation options.
import {
  addCalendar,
  calendarDaysBetween,
  DAY,
  HOUR,
  MINUTE,
  parseInstant,
  startOf,
  toIso,
} from './date-time.js';
import { readPath, type EagerOperator } from './json-logic-core.js';
import { RuleError } from './rule-error.js';
import type { Runtime } from './runtime.js';
import { compileSafeRegex, safeRegexTest } from './safe-regex.js';
import { addWorkingMs, prepareCalendar, workingMsBetween } from './working-calendar.js';

export type CrmOperator = {
  fn: EagerOperator;
  minArgs: number;
  maxArgs: number;
  description: string;
};

/** Units of `date_diff` (elapsed time, fractional) plus `calendar_days` (local dates, whole). */
export const DIFF_UNITS: Readonly<Record<string, number>> = Object.freeze({
  seconds: 1000,
  minutes: MINUTE,
  hours: HOUR,
  days: DAY,
  weeks: 7 * DAY,
});
export const ADD_UNITS: readonly string[] = Object.freeze([
  'seconds',
  'minutes',
  'hours',
  'days',
  'weeks',
  'months',
  'years',
]);
export const START_UNITS: readonly string[] = Object.freeze(['day', 'week', 'month', 'year']);
export const WORKING_UNITS: Readonly<Record<string, number>> = Object.freeze({
  minutes: MINUTE,
  hours: HOUR,
});

function instant(value: unknown, rt: Runtime): number | null {
  if (value === rt.nowIso && value !== undefined) return rt.nowMs as number;
  return parseInstant(value, rt.timeZone);
}

/** date_diff for the code generator: `(to − from) / unitMs`, null when a date is invalid. */
export function dateDiffFast(
  from: unknown,
  to: unknown,
  unitMs: number,
  rt: Runtime,
): number | null {
  const a = instant(from, rt);
  if (a === null) return null;
  const b = instant(to, rt);
  return b === null ? null : (b - a) / unitMs;
}

/** `now` for the code generator. */
export function nowIso(rt: Runtime): string {
  nowMs(rt);
  return rt.nowIso as string;
}

function nowMs(rt: Runtime): number {
  if (rt.nowMs === undefined) {
    throw new RuleError('now_required', 'this rule reads the current time: pass options.now');
  }
  return rt.nowMs;
}

function unit<T>(table: Readonly<Record<string, T>>, value: unknown, op: string): T {
  if (typeof value === 'string' && Object.hasOwn(table, value)) return table[value] as T;
  throw new RuleError('invalid_unit', `${op}: unknown unit ${JSON.stringify(value)}`, op);
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

function sameValue(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (depth > 32) return false;
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (a instanceof Date || b instanceof Date) {
    const ta = parseInstant(a, 'UTC');
    const tb = parseInstant(b, 'UTC');
    return ta !== null && ta === tb;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) =>
      Object.hasOwn(b, k) &&
      sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1),
  );
}

function fieldPath(value: unknown, op: string): string[] {
  if (typeof value !== 'string' || value === '') {
    throw new RuleError('invalid_arguments', `${op} needs a field id`, op);
  }
  return value.split('.');
}

/** Rounds half away from zero at `digits` decimals, exactly for decimal inputs (1.005 → 1.01). */
export function roundHalfAway(
  value: number,
  digits: number,
  mode: 'round' | 'floor' | 'ceil',
): number {
  if (!Number.isFinite(value)) return value;
  const shift = (n: number, d: number): number => {
    const [mantissa, exponent = '0'] = String(n).split('e');
    return Number(`${mantissa}e${Number(exponent) + d}`);
  };
  const scaled = shift(value, digits);
  let r: number;
  if (mode === 'floor') r = Math.floor(scaled);
  else if (mode === 'ceil') r = Math.ceil(scaled);
  else r = Math.sign(scaled) * Math.round(Math.abs(scaled));
  const out = shift(r, -digits);
  return out === 0 ? 0 : out;
}

function rounding(mode: 'round' | 'floor' | 'ceil'): EagerOperator {
  return (a) => {
    if (a[0] === null || a[0] === undefined || a[0] === '') return null;
    const value = Number(a[0]);
    if (Number.isNaN(value)) return null;
    const digits = a[1] === undefined ? 0 : Number(a[1]);
    if (!Number.isInteger(digits) || digits < -15 || digits > 15) {
      throw new RuleError(
        'invalid_arguments',
        `${mode}: digits must be an integer from -15 to 15`,
        mode,
      );
    }
    return roundHalfAway(value, digits, mode);
  };
}

function regexMatch(a: readonly unknown[], rt: Runtime): boolean {
  const subject = text(a[0]);
  if (typeof a[1] !== 'string')
    throw new RuleError('invalid_arguments', 'regex_match needs a pattern string', 'regex_match');
  const flags = a[2] === undefined || a[2] === null ? '' : a[2];
  if (typeof flags !== 'string')
    throw new RuleError('invalid_arguments', 'regex_match flags must be a string', 'regex_match');
  const re = compileSafeRegex(a[1], flags);
  if (subject === null) return false;
  if (subject.length > rt.limits.maxStringLength) {
    throw new RuleError(
      'string_too_long',
      `regex_match input is over ${rt.limits.maxStringLength} characters`,
      'regex_match',
    );
  }
  return safeRegexTest(re, subject);
}

const op = (
  fn: EagerOperator,
  minArgs: number,
  maxArgs: number,
  description: string,
): CrmOperator => ({
  fn,
  minArgs,
  maxArgs,
  description,
});

export const CRM_OPERATORS: Readonly<Record<string, CrmOperator>> = Object.freeze({
  now: op(
    (_a, _d, rt) => {
      nowMs(rt);
      return rt.nowIso;
    },
    0,
    0,
    'the current instant (options.now) as an ISO string',
  ),
  date: op(
    (a, _d, rt) => {
      const t = instant(a[0], rt);
      return t === null ? null : toIso(t);
    },
    1,
    1,
    'parses an ISO date/time (local to options.timeZone when it has no offset); null if invalid',
  ),
  date_diff: op(
    (a, _d, rt) => {
      const from = instant(a[0], rt);
      const to = instant(a[1], rt);
      if (a[2] === 'calendar_days') {
        return from === null || to === null ? null : calendarDaysBetween(from, to, rt.timeZone);
      }
      const size = unit(DIFF_UNITS, a[2] ?? 'days', 'date_diff');
      return from === null || to === null ? null : (to - from) / size;
    },
    2,
    3,
    'to − from in seconds/minutes/hours/days/weeks (fractional) or calendar_days; null if a date is invalid',
  ),
  date_add: op(
    (a, _d, rt) => {
      const t = instant(a[0], rt);
      const amount = Number(a[1]);
      const u = a[2] ?? 'days';
      if (typeof u !== 'string' || !ADD_UNITS.includes(u)) {
        throw new RuleError(
          'invalid_unit',
          `date_add: unknown unit ${JSON.stringify(u)}`,
          'date_add',
        );
      }
      if (t === null || a[1] === null || !Number.isFinite(amount)) return null;
      if (u === 'seconds' || u === 'minutes' || u === 'hours') {
        return toIso(t + amount * (DIFF_UNITS[u] as number));
      }
      if (!Number.isInteger(amount)) {
        throw new RuleError(
          'invalid_arguments',
          `date_add: ${u} must be a whole number`,
          'date_add',
        );
      }
      return toIso(addCalendar(t, amount, u as 'days' | 'weeks' | 'months' | 'years', rt.timeZone));
    },
    2,
    3,
    'adds seconds/minutes/hours (elapsed) or days/weeks/months/years (local calendar) to a date',
  ),
  start_of: op(
    (a, _d, rt) => {
      const t = instant(a[0], rt);
      const u = a[1] ?? 'day';
      if (typeof u !== 'string' || !START_UNITS.includes(u)) {
        throw new RuleError(
          'invalid_unit',
          `start_of: unknown unit ${JSON.stringify(u)}`,
          'start_of',
        );
      }
      return t === null
        ? null
        : toIso(startOf(t, u as 'day' | 'week' | 'month' | 'year', rt.timeZone));
    },
    1,
    2,
    'local start of the day / week (Monday) / month / year in options.timeZone',
  ),
  is_before: op(
    (a, _d, rt) => {
      const x = instant(a[0], rt);
      const y = instant(a[1], rt);
      return x !== null && y !== null && x < y;
    },
    2,
    2,
    'true when both are dates and the first is earlier',
  ),
  is_after: op(
    (a, _d, rt) => {
      const x = instant(a[0], rt);
      const y = instant(a[1], rt);
      return x !== null && y !== null && x > y;
    },
    2,
    2,
    'true when both are dates and the first is later',
  ),
  working_time_diff: op(
    (a, _d, rt) => {
      const size = unit(WORKING_UNITS, a[2] ?? 'minutes', 'working_time_diff');
      const calendar = prepareCalendar(rt.calendar);
      const from = instant(a[0], rt);
      const to = instant(a[1], rt);
      return from === null || to === null ? null : workingMsBetween(calendar, from, to) / size;
    },
    2,
    3,
    'working minutes/hours from → to over options.calendar (holidays, 调休, hours, time zone)',
  ),
  add_working_time: op(
    (a, _d, rt) => {
      const size = unit(WORKING_UNITS, a[2] ?? 'minutes', 'add_working_time');
      const calendar = prepareCalendar(rt.calendar);
      const from = instant(a[0], rt);
      const amount = Number(a[1]);
      if (from === null || a[1] === null || !Number.isFinite(amount)) return null;
      if (amount < 0)
        throw new RuleError(
          'invalid_duration',
          'add_working_time needs a non-negative amount',
          'add_working_time',
        );
      return toIso(addWorkingMs(calendar, from, amount * size));
    },
    2,
    3,
    'the instant N working minutes/hours after a date over options.calendar',
  ),
  contains: op(
    (a) => {
      if (Array.isArray(a[0])) return a[0].some((x) => sameValue(x, a[1]));
      const h = text(a[0]);
      const n = text(a[1]);
      return h !== null && n !== null && h.includes(n);
    },
    2,
    2,
    'substring test (case-sensitive), or list membership for an array',
  ),
  starts_with: op(
    (a) => {
      const h = text(a[0]);
      const n = text(a[1]);
      return h !== null && n !== null && h.startsWith(n);
    },
    2,
    2,
    'prefix test',
  ),
  ends_with: op(
    (a) => {
      const h = text(a[0]);
      const n = text(a[1]);
      return h !== null && n !== null && h.endsWith(n);
    },
    2,
    2,
    'suffix test',
  ),
  lower: op((a) => text(a[0])?.toLowerCase() ?? null, 1, 1, 'lower case (null stays null)'),
  upper: op((a) => text(a[0])?.toUpperCase() ?? null, 1, 1, 'upper case (null stays null)'),
  trim: op((a) => text(a[0])?.trim() ?? null, 1, 1, 'strips surrounding white space'),
  length: op(
    (a) => {
      if (Array.isArray(a[0])) return a[0].length;
      const t = text(a[0]);
      return t === null ? 0 : [...t].length;
    },
    1,
    1,
    'characters in a string (a Chinese character counts 1) or items in an array; 0 for null',
  ),
  regex_match: op(
    (a, _d, rt) => regexMatch(a, rt),
    2,
    3,
    'regular-expression test in linear time (no backreferences or lookaround)',
  ),
  is_empty: op(
    (a) => {
      const v = a[0];
      if (v === null || v === undefined) return true;
      if (typeof v === 'string') return v.trim() === '';
      if (Array.isArray(v)) return v.length === 0;
      if (typeof v === 'object' && !(v instanceof Date)) return Object.keys(v).length === 0;
      return false;
    },
    1,
    1,
    'null, blank string, empty list or empty object',
  ),
  changed: op(
    (a, _d, rt) => {
      const path = fieldPath(a[0], 'changed');
      if (!rt.hasBefore) return false;
      return !sameValue(readPath(rt.before, path, null), readPath(rt.root, path, null));
    },
    1,
    1,
    'on an update event: the field differs from its value before the update',
  ),
  old: op(
    (a, _d, rt) => readPath(rt.before, fieldPath(a[0], 'old'), a[1] === undefined ? null : a[1]),
    1,
    2,
    'on an update event: the field value before the update (null otherwise)',
  ),
  new: op(
    (a, _d, rt) => readPath(rt.root, fieldPath(a[0], 'new'), a[1] === undefined ? null : a[1]),
    1,
    2,
    'the field value of the record being evaluated (after the update)',
  ),
  round: op(rounding('round'), 1, 2, 'rounds half away from zero to N decimals (default 0)'),
  floor: op(rounding('floor'), 1, 2, 'rounds down to N decimals'),
  ceil: op(rounding('ceil'), 1, 2, 'rounds up to N decimals'),
  abs: op(
    (a) => (a[0] === null || a[0] === undefined ? null : Math.abs(Number(a[0]))),
    1,
    1,
    'absolute value',
  ),
  coalesce: op(
    (a) => {
      for (const v of a) if (v !== null && v !== undefined && v !== '') return v;
      return null;
    },
    1,
    Infinity,
    'the first argument that is not null or empty',
  ),
});

/** Static checks of literal arguments (regex patterns, date units) for validateRule. */
export function ruleChecks(
  operator: string,
  args: readonly unknown[],
): { path: string; code: string; message: string }[] {
  const issues: { path: string; code: string; message: string }[] = [];
  const unitCheck = (index: number, allowed: readonly string[]): void => {
    const u = args[index];
    if (typeof u === 'string' && !allowed.includes(u)) {
      issues.push({
        path: String(index),
        code: 'invalid_unit',
        message: `unit must be one of ${allowed.join(', ')}`,
      });
    }
  };
  switch (operator) {
    case 'date_diff':
      unitCheck(2, [...Object.keys(DIFF_UNITS), 'calendar_days']);
      break;
    case 'date_add':
      unitCheck(2, ADD_UNITS);
      break;
    case 'start_of':
      unitCheck(1, START_UNITS);
      break;
    case 'working_time_diff':
    case 'add_working_time':
      unitCheck(2, Object.keys(WORKING_UNITS));
      break;
    case 'regex_match':
      if (typeof args[1] === 'string') {
        try {
          compileSafeRegex(args[1], typeof args[2] === 'string' ? args[2] : '');
        } catch (error) {
          if (!(error instanceof RuleError)) throw error;
          issues.push({ path: '1', code: error.code, message: error.message });
        }
      }
      break;
  }
  return issues;
}
