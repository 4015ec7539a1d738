// Rule R3: working time over the mainland China calendar (hours, weekends, holidays, 调休).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  addWorkingTime,
  CHINA_MAINLAND_CALENDAR_2026_2027,
  CHINA_MAINLAND_HOLIDAY_SCHEDULE_2026_2027,
  isWorkingTime,
  RuleError,
  validateWorkingCalendar,
  workingTimeBetween,
  type WorkingCalendar,
} from './index.js';

const CN = CHINA_MAINLAND_CALENDAR_2026_2027;
const local = (s: string): string => new Date(`${s}+08:00`).toISOString();

describe('R3 the mainland China calendar 2026–2027', () => {
  it('ships the 2026 State Council schedule in full', () => {
    const year2026 = CHINA_MAINLAND_HOLIDAY_SCHEDULE_2026_2027.filter((e) =>
      e.date.startsWith('2026'),
    );
    assert.equal(year2026.filter((e) => e.kind === 'holiday').length, 33);
    assert.deepEqual(
      year2026
        .filter((e) => e.kind === 'working_day')
        .map((e) => e.date)
        .sort(),
      ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
    );
    assert.ok(year2026.every((e) => !e.provisional));
  });
  it('marks 2027 (statutory days only, 调休 not yet published) as provisional', () => {
    const year2027 = CHINA_MAINLAND_HOLIDAY_SCHEDULE_2026_2027.filter((e) =>
      e.date.startsWith('2027'),
    );
    assert.equal(year2027.length, 13);
    assert.ok(year2027.every((e) => e.provisional && e.kind === 'holiday'));
    assert.ok(year2027.some((e) => e.date === '2027-02-06' && e.name['zh-CN'] === '春节'));
  });
  it('is a valid calendar', () => assert.deepEqual(validateWorkingCalendar(CN), []));

  const working: [string, string, boolean][] = [
    ['a Monday morning', '2026-11-23T09:30:00', true],
    ['lunch break', '2026-11-23T12:30:00', false],
    ['after hours', '2026-11-23T18:00:00', false],
    ['a Saturday', '2026-11-21T10:00:00', false],
    ['National Day', '2026-10-02T10:00:00', false],
    ['Spring Festival eve week', '2026-02-17T10:00:00', false],
    ['调休: Saturday 14 February is worked', '2026-02-14T10:00:00', true],
    ['调休: Sunday 20 September is worked', '2026-09-20T15:00:00', true],
    ['Labour Day 2027 (provisional)', '2027-05-01T10:00:00', false],
  ];
  for (const [title, at, expected] of working) {
    it(`isWorkingTime: ${title}`, () => assert.equal(isWorkingTime(`${at}+08:00`, CN), expected));
  }

  const adds: [string, string, { hours?: number; minutes?: number }, string][] = [
    ['2 hours on a Monday morning', '2026-11-23T09:00:00', { hours: 2 }, '2026-11-23T11:00:00'],
    ['across lunch', '2026-11-23T11:00:00', { hours: 2 }, '2026-11-23T14:00:00'],
    [
      'Friday 17:00 + 2 h lands on Monday 10:00',
      '2026-11-20T17:00:00',
      { hours: 2 },
      '2026-11-23T10:00:00',
    ],
    [
      'created at night counts from the next morning',
      '2026-11-23T22:15:00',
      { hours: 2 },
      '2026-11-24T11:00:00',
    ],
    [
      'created on Saturday counts from Monday',
      '2026-11-21T10:00:00',
      { minutes: 30 },
      '2026-11-23T09:30:00',
    ],
    [
      'over National Day to Thursday 8 October',
      '2026-09-30T17:00:00',
      { hours: 2 },
      '2026-10-08T10:00:00',
    ],
    [
      'into the 调休 Saturday 10 October',
      '2026-10-09T17:30:00',
      { hours: 1 },
      '2026-10-10T09:30:00',
    ],
    [
      'Spring Festival: Friday 13 Feb → make-up Saturday 14 Feb',
      '2026-02-13T17:00:00',
      { hours: 2 },
      '2026-02-14T10:00:00',
    ],
    [
      'Spring Festival: Saturday 14 Feb → Tuesday 24 Feb',
      '2026-02-14T17:00:00',
      { hours: 2 },
      '2026-02-24T10:00:00',
    ],
    [
      'zero duration moves to the next working moment',
      '2026-11-21T10:00:00',
      {},
      '2026-11-23T09:00:00',
    ],
  ];
  for (const [title, start, duration, due] of adds) {
    it(`addWorkingTime: ${title}`, () => {
      assert.equal(addWorkingTime(`${start}+08:00`, duration, CN), local(due));
    });
  }

  const betweens: [string, string, string, number][] = [
    ['within a morning', '2026-11-23T09:00:00', '2026-11-23T10:30:00', 90],
    ['a whole working day', '2026-11-23T00:00:00', '2026-11-24T00:00:00', 480],
    ['a normal week', '2026-11-23T00:00:00', '2026-11-30T00:00:00', 2400],
    [
      'the National Day week (only the make-up Saturday 10 Oct is worked)',
      '2026-10-01T00:00:00',
      '2026-10-11T00:00:00',
      3 * 480,
    ],
    ['backwards is negative', '2026-11-23T10:30:00', '2026-11-23T09:00:00', -90],
  ];
  for (const [title, from, to, minutes] of betweens) {
    it(`workingTimeBetween: ${title}`, () => {
      assert.equal(workingTimeBetween(`${from}+08:00`, `${to}+08:00`, CN), minutes);
    });
  }

  it('property: the working time between a start and start + d is d', () => {
    const start = fc.date({
      min: new Date('2026-01-01T00:00:00Z'),
      max: new Date('2027-11-30T00:00:00Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(start, fc.integer({ min: 0, max: 5_000 }), (from, minutes) => {
        const due = addWorkingTime(from, { minutes }, CN);
        assert.equal(workingTimeBetween(from, due, CN), minutes);
        assert.ok(minutes === 0 || isWorkingTime(new Date(Date.parse(due) - 1), CN));
      }),
      { numRuns: 300 },
    );
  });
});

describe('R3 calendars are validated, with every issue at once', () => {
  it('reports each problem with its path', () => {
    const bad = {
      timeZone: 'Asia/Nowhere',
      periods: [
        { start: '09:00', end: '08:00' },
        { start: '9am', end: '12:00' },
      ],
      weekdays: [1, 8],
      holidays: ['2026-13-01'],
    };
    assert.deepEqual(
      validateWorkingCalendar(bad).map((i) => [i.path, i.code]),
      [
        ['timeZone', 'invalid_time_zone'],
        ['periods.0.end', 'invalid_period'],
        ['periods.1.start', 'invalid_time'],
        ['weekdays.1', 'invalid_weekday'],
        ['holidays.0', 'invalid_date'],
      ],
    );
  });
  it('refuses to compute with an invalid calendar', () => {
    const broken = { timeZone: 'UTC', periods: [] } as unknown as WorkingCalendar;
    assert.throws(
      () => addWorkingTime('2026-11-23T09:00:00Z', { hours: 1 }, broken),
      (e: unknown) => e instanceof RuleError && e.code === 'invalid_calendar',
    );
  });
  it('works in any time zone (a Berlin office across the DST change)', () => {
    const berlin: WorkingCalendar = {
      timeZone: 'Europe/Berlin',
      periods: [{ start: '09:00', end: '17:00' }],
    };
    // Friday 27 March 2026 16:00 CET + 2 h → Monday 30 March 10:00 CEST (08:00 UTC).
    assert.equal(
      addWorkingTime('2026-03-27T16:00:00+01:00', { hours: 2 }, berlin),
      '2026-03-30T08:00:00.000Z',
    );
  });
});
