import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { addToInstant, formatInstant, parseInstant } from './iso-time.js';

// Instants from 1900 to 2200, in milliseconds.
const instant = fc.integer({ min: -2_208_988_800_000, max: 7_258_118_400_000 });
const offsetMinutes = fc.integer({ min: -12 * 60, max: 14 * 60 });

function withOffset(ms: number, minutes: number): string {
  const local = new Date(ms + minutes * 60_000).toISOString().slice(0, 23);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

describe('fast ISO instants (due times are computed on every timer transition)', () => {
  it('formats exactly like Date#toISOString', () => {
    fc.assert(fc.property(instant, (ms) => formatInstant(ms) === new Date(ms).toISOString()));
  });

  it('parses UTC and offset instants exactly like Date.parse', () => {
    fc.assert(
      fc.property(instant, offsetMinutes, (ms, minutes) => {
        const text = withOffset(ms, minutes);
        return (
          parseInstant(text) === Date.parse(text) && parseInstant(new Date(ms).toISOString()) === ms
        );
      }),
    );
  });

  it('adds durations to the same instant Date arithmetic gives, written in the caller’s offset', () => {
    const duration = fc.integer({ min: 0, max: 60 * 86_400_000 });
    fc.assert(
      fc.property(instant, offsetMinutes, duration, (ms, minutes, add) => {
        const from = withOffset(ms, minutes);
        const due = addToInstant(from, add);
        return due !== null && Date.parse(due) === ms + add && due.endsWith(from.slice(-6));
      }),
    );
    assert.equal(
      addToInstant('2025-03-03T09:00:00+08:00', 2 * 86_400_000),
      '2025-03-05T09:00:00+08:00',
    );
    assert.equal(
      addToInstant('2025-03-03T23:30:00+08:00', 3_600_000),
      '2025-03-04T00:30:00.000+08:00',
    );
  });

  it('rejects what is not an instant', () => {
    for (const bad of ['', '下周一', '2025-13-01T00:00:00Z', '2025-03-03T25:00:00Z']) {
      assert.equal(addToInstant(bad, 86_400_000), null, bad);
    }
  });
});
