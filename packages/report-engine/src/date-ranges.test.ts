import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bucketKey, bucketKeys, bucketStart, keyStart, nextBucketStart } from './buckets.js';
import { previousBounds, resolveRelative, toRangeValue } from './date-ranges.js';
import { fromWallClock, localDate, parseInstant, wallClock } from './time-zone.js';
import type { RelativeDateOp } from './types.js';

/** Wednesday 15:30 in Shanghai (07:30 UTC). */
const NOW = Date.parse('2026-03-18T07:30:00Z');

describe('relative date ranges in the viewer time zone (rule 5)', () => {
  const cases: Array<[RelativeDateOp, unknown, string, string, string, string]> = [
    ['today', undefined, '2026-03-18', '2026-03-19', '2026-03-17', '2026-03-18'],
    ['yesterday', undefined, '2026-03-17', '2026-03-18', '2026-03-16', '2026-03-17'],
    ['this_week', undefined, '2026-03-16', '2026-03-23', '2026-03-09', '2026-03-16'],
    ['last_week', undefined, '2026-03-09', '2026-03-16', '2026-03-02', '2026-03-09'],
    ['this_month', undefined, '2026-03-01', '2026-04-01', '2026-02-01', '2026-03-01'],
    ['last_month', undefined, '2026-02-01', '2026-03-01', '2026-01-01', '2026-02-01'],
    ['this_quarter', undefined, '2026-01-01', '2026-04-01', '2025-10-01', '2026-01-01'],
    ['last_quarter', undefined, '2025-10-01', '2026-01-01', '2025-07-01', '2025-10-01'],
    ['this_year', undefined, '2026-01-01', '2027-01-01', '2025-01-01', '2026-01-01'],
    ['last_n_days', 30, '2026-02-17', '2026-03-19', '2026-01-18', '2026-02-17'],
    ['next_n_days', 7, '2026-03-18', '2026-03-25', '2026-03-11', '2026-03-18'],
    [
      'custom',
      { from: '2026-01-01', to: '2026-01-10' },
      '2026-01-01',
      '2026-01-11',
      '2025-12-22',
      '2026-01-01',
    ],
  ];
  for (const [op, value, from, to, prevFrom, prevTo] of cases) {
    it(`${op}${value === undefined ? '' : ` ${JSON.stringify(value)}`} is [${from}, ${to}) after [${prevFrom}, ${prevTo})`, () => {
      const current = resolveRelative(op, value, NOW, 'Asia/Shanghai');
      assert.ok(!('code' in current));
      assert.deepEqual(toRangeValue(current, 'date', 'Asia/Shanghai'), { from, to });
      const prev = previousBounds(op, current, 'previous_period', 'Asia/Shanghai');
      assert.ok(!('code' in prev));
      assert.deepEqual(toRangeValue(prev, 'date', 'Asia/Shanghai'), { from: prevFrom, to: prevTo });
    });
  }

  it('"today" late in the evening in New York is already tomorrow in Shanghai', () => {
    const lateEvening = Date.parse('2026-03-18T23:30:00-04:00');
    const ny = resolveRelative('today', undefined, lateEvening, 'America/New_York');
    const sh = resolveRelative('today', undefined, lateEvening, 'Asia/Shanghai');
    assert.ok(!('code' in ny) && !('code' in sh));
    assert.deepEqual(toRangeValue(ny, 'date', 'America/New_York'), {
      from: '2026-03-18',
      to: '2026-03-19',
    });
    assert.deepEqual(toRangeValue(sh, 'date', 'Asia/Shanghai'), {
      from: '2026-03-19',
      to: '2026-03-20',
    });
  });

  it('a month in New York across the spring DST change starts and ends at local midnight', () => {
    const march = resolveRelative('this_month', undefined, NOW, 'America/New_York');
    assert.ok(!('code' in march));
    assert.deepEqual(toRangeValue(march, 'datetime', 'America/New_York'), {
      from: '2026-03-01T05:00:00.000Z',
      to: '2026-04-01T04:00:00.000Z',
    });
  });

  it('compares with the same period a year back, calendar-aligned', () => {
    const q = resolveRelative('this_quarter', undefined, NOW, 'Asia/Shanghai');
    assert.ok(!('code' in q));
    const prev = previousBounds('this_quarter', q, 'previous_year', 'Asia/Shanghai');
    assert.ok(!('code' in prev));
    assert.deepEqual(toRangeValue(prev, 'datetime', 'Asia/Shanghai'), {
      from: '2024-12-31T16:00:00.000Z',
      to: '2025-03-31T16:00:00.000Z',
    });
  });

  it('refuses an open-ended custom range for comparisons', () => {
    const open = resolveRelative('custom', { from: '2026-01-01' }, NOW, 'Asia/Shanghai');
    assert.ok(!('code' in open));
    const prev = previousBounds('custom', open, 'previous_period', 'Asia/Shanghai');
    assert.ok('code' in prev && prev.code === 'OPEN_RANGE');
  });
});

describe('time zones and buckets', () => {
  it('round-trips local wall clocks through instants in any zone', () => {
    fc.assert(
      fc.property(
        fc.integer({
          min: Date.parse('2000-01-01T00:00:00Z'),
          max: Date.parse('2040-01-01T00:00:00Z'),
        }),
        fc.constantFrom(
          'Asia/Shanghai',
          'America/New_York',
          'Europe/London',
          'Australia/Lord_Howe',
          'UTC',
        ),
        (ms, tz) => {
          const w = wallClock(ms, tz);
          const back = fromWallClock(
            tz,
            w.year,
            w.month,
            w.day,
            w.hour,
            w.minute,
            w.second,
            w.millisecond,
          );
          // The only ambiguity is a repeated hour when clocks go back: both instants read the same.
          const again = wallClock(back, tz);
          assert.deepEqual(again, w);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('puts every day in exactly one bucket, and keys round-trip', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20000 }),
        fc.constantFrom('day', 'week', 'month', 'quarter', 'year' as const),
        (offset, bucket) => {
          const date = localDate(Date.parse('2000-01-01T12:00:00Z') + offset * 86_400_000, 'UTC');
          const start = bucketStart(date, bucket);
          assert.ok(start <= date && date < nextBucketStart(start, bucket));
          assert.equal(keyStart(bucketKey(start, bucket), bucket), start);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('starts weeks on Monday (ISO) and names quarters 2026-Q1', () => {
    assert.equal(bucketStart('2026-03-22', 'week'), '2026-03-16');
    assert.equal(bucketKey(bucketStart('2026-03-22', 'quarter'), 'quarter'), '2026-Q1');
    assert.deepEqual(bucketKeys('2026-01-15', '2026-04-01', 'month'), [
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
    ]);
  });

  it('reads instants with offsets, in UTC and as local times', () => {
    assert.equal(
      parseInstant('2026-03-01T08:00:00+08:00', 'UTC'),
      Date.parse('2026-03-01T00:00:00Z'),
    );
    assert.equal(
      parseInstant('2026-03-01 08:00', 'Asia/Shanghai'),
      Date.parse('2026-03-01T00:00:00Z'),
    );
    assert.equal(parseInstant('2026-02-30', 'UTC'), null);
  });
});
