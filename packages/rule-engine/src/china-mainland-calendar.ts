// Mainland China public holidays and 调休 make-up working days, shipped as data.
import type { WorkingCalendar } from './types.js';

export type HolidayScheduleEntry = {
  /** Local date `YYYY-MM-DD` (Asia/Shanghai). */
  date: string;
  kind: 'holiday' | 'working_day';
  name: { 'zh-CN': string; en: string };
  /**
   * True when the date comes from the statutory holiday law (全国年节及纪念日放假办法, 2024) rather
   * than from the State Council's yearly notice, which also moves weekend days (调休).
   */
  provisional: boolean;
};

const NAMES = {
  newYear: { 'zh-CN': '元旦', en: "New Year's Day" },
  spring: { 'zh-CN': '春节', en: 'Spring Festival' },
  qingming: { 'zh-CN': '清明节', en: 'Qingming Festival' },
  labour: { 'zh-CN': '劳动节', en: 'Labour Day' },
  dragonBoat: { 'zh-CN': '端午节', en: 'Dragon Boat Festival' },
  midAutumn: { 'zh-CN': '中秋节', en: 'Mid-Autumn Festival' },
  national: { 'zh-CN': '国庆节', en: 'National Day' },
} as const;

function days(from: string, to: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end; t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

function holidays(
  name: keyof typeof NAMES,
  from: string,
  to: string,
  provisional = false,
): HolidayScheduleEntry[] {
  return days(from, to).map((date) => ({ date, kind: 'holiday', name: NAMES[name], provisional }));
}

function workingDays(name: keyof typeof NAMES, ...dates: string[]): HolidayScheduleEntry[] {
  return dates.map((date) => ({
    date,
    kind: 'working_day',
    name: NAMES[name],
    provisional: false,
  }));
}

/**
 * 2026: 国务院办公厅关于2026年部分节假日安排的通知 (4 November 2025), in full.
 * 2027: the statutory holidays only (provisional: true) — the State Council's 2027 notice with its
 * 调休 make-up days was not available when this data was written; update it when published.
 */
export const CHINA_MAINLAND_HOLIDAY_SCHEDULE_2026_2027: readonly HolidayScheduleEntry[] =
  Object.freeze([
    ...holidays('newYear', '2026-01-01', '2026-01-03'),
    ...workingDays('newYear', '2026-01-04'),
    ...holidays('spring', '2026-02-15', '2026-02-23'),
    ...workingDays('spring', '2026-02-14', '2026-02-28'),
    ...holidays('qingming', '2026-04-04', '2026-04-06'),
    ...holidays('labour', '2026-05-01', '2026-05-05'),
    ...workingDays('labour', '2026-05-09'),
    ...holidays('dragonBoat', '2026-06-19', '2026-06-21'),
    ...holidays('midAutumn', '2026-09-25', '2026-09-27'),
    ...holidays('national', '2026-10-01', '2026-10-07'),
    ...workingDays('national', '2026-09-20', '2026-10-10'),
    ...holidays('newYear', '2027-01-01', '2027-01-01', true),
    ...holidays('spring', '2027-02-05', '2027-02-08', true),
    ...holidays('qingming', '2027-04-05', '2027-04-05', true),
    ...holidays('labour', '2027-05-01', '2027-05-02', true),
    ...holidays('dragonBoat', '2027-06-09', '2027-06-09', true),
    ...holidays('midAutumn', '2027-09-15', '2027-09-15', true),
    ...holidays('national', '2027-10-01', '2027-10-03', true),
  ]);

/**
 * A mainland China office calendar for 2026–2027: Monday–Friday 09:00–12:00 and 13:00–18:00
 * Asia/Shanghai, minus public holidays, plus 调休 make-up working days. Copy it and change
 * `periods` for other office hours.
 */
export const CHINA_MAINLAND_CALENDAR_2026_2027: WorkingCalendar = Object.freeze({
  timeZone: 'Asia/Shanghai',
  periods: Object.freeze([
    Object.freeze({ start: '09:00', end: '12:00' }),
    Object.freeze({ start: '13:00', end: '18:00' }),
  ]),
  weekdays: Object.freeze([1, 2, 3, 4, 5] as const),
  holidays: Object.freeze(
    CHINA_MAINLAND_HOLIDAY_SCHEDULE_2026_2027.filter((e) => e.kind === 'holiday').map(
      (e) => e.date,
    ),
  ),
  workingDays: Object.freeze(
    CHINA_MAINLAND_HOLIDAY_SCHEDULE_2026_2027.filter((e) => e.kind === 'working_day').map(
      (e) => e.date,
    ),
  ),
});
