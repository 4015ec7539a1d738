// Five-field cron expressions (minute hour day-of-month month day-of-week) in a time zone.
import { dateKey, fromWallClock, parseInstant, toIso, wallClock } from './date-time.js';
import { RuleError } from './rule-error.js';

export type CronSchedule = {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  weekdays: ReadonlySet<number>; // 0 = Sunday … 6 = Saturday
  dayRestricted: boolean;
  weekdayRestricted: boolean;
};

const FIELDS: [string, number, number][] = [
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['day of month', 1, 31],
  ['month', 1, 12],
  ['day of week', 0, 7],
];

function parseField(text: string, name: string, min: number, max: number): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (m === null) throw new RuleError('invalid_cron', `cron ${name}: cannot read "${part}"`);
    const lo = m[1] === '*' ? min : Number(m[2]);
    const hi =
      m[1] === '*' ? max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? max : lo;
    const step = m[4] === undefined ? 1 : Number(m[4]);
    if (lo < min || hi > max || lo > hi || step < 1) {
      throw new RuleError('invalid_cron', `cron ${name}: "${part}" is outside ${min}-${max}`);
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** Parses `m h dom mon dow` (numbers, `*`, ranges, lists, steps); throws `invalid_cron`. */
export function parseCron(expression: string): CronSchedule {
  const parts = typeof expression === 'string' ? expression.trim().split(/\s+/) : [];
  if (parts.length !== 5) {
    throw new RuleError(
      'invalid_cron',
      'a cron expression has five fields: minute hour day month weekday',
    );
  }
  const sets = parts.map((p, i) => {
    const [name, min, max] = FIELDS[i] as [string, number, number];
    return parseField(p, name, min, max);
  });
  const weekdays = sets[4] as Set<number>;
  if (weekdays.has(7)) {
    weekdays.delete(7);
    weekdays.add(0);
  }
  return {
    minutes: sets[0] as Set<number>,
    hours: sets[1] as Set<number>,
    days: sets[2] as Set<number>,
    months: sets[3] as Set<number>,
    weekdays,
    dayRestricted: parts[2] !== '*',
    weekdayRestricted: parts[4] !== '*',
  };
}

/** The first instant strictly after `after` matching `expression` in `timeZone` (ISO), within 5 years. */
export function nextCronOccurrence(
  expression: string,
  after: string | Date,
  timeZone: string,
): string {
  const schedule = parseCron(expression);
  const start = parseInstant(after, timeZone);
  if (start === null) throw new RuleError('invalid_date', 'after is not a valid date or time');
  const w = wallClock(start, timeZone);
  const hours = [...schedule.hours].sort((a, b) => a - b);
  const minutes = [...schedule.minutes].sort((a, b) => a - b);
  for (let i = 0; i < 366 * 5; i++) {
    const d = new Date(Date.UTC(w.year, w.month - 1, w.day + i));
    const month = d.getUTCMonth() + 1;
    const day = d.getUTCDate();
    const dow = d.getUTCDay();
    if (!schedule.months.has(month)) continue;
    const domOk = schedule.days.has(day);
    const dowOk = schedule.weekdays.has(dow);
    const dayOk =
      schedule.dayRestricted && schedule.weekdayRestricted
        ? domOk || dowOk
        : schedule.dayRestricted
          ? domOk
          : schedule.weekdayRestricted
            ? dowOk
            : true;
    if (!dayOk) continue;
    for (const h of hours) {
      for (const m of minutes) {
        const t = fromWallClock(timeZone, d.getUTCFullYear(), month, day, h, m);
        // A wall time skipped by DST maps elsewhere; only accept exact local matches.
        const back = wallClock(t, timeZone);
        if (
          back.hour !== h ||
          back.minute !== m ||
          dateKey(back.year, back.month, back.day) !== dateKey(d.getUTCFullYear(), month, day)
        )
          continue;
        if (t > start) return toIso(t);
      }
    }
  }
  throw new RuleError('invalid_cron', 'the cron expression never fires within five years');
}
