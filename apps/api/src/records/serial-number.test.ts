import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serialParts } from './serial-number.js';

describe('serial numbers', () => {
  it('formats KH-{yyyy}-{0000} in the workspace time zone and restarts per year', () => {
    // 2026-12-31 17:30 UTC is already 2027-01-01 in Shanghai
    const parts = serialParts(
      'KH-{yyyy}-{0000}',
      new Date('2026-12-31T17:30:00Z'),
      'Asia/Shanghai',
    );
    assert.equal(parts.period, '2027');
    assert.equal(parts.format(7), 'KH-2027-0007');
    assert.equal(parts.format(12345), 'KH-2027-12345');
  });

  it('supports monthly and daily periods and counters without a period', () => {
    assert.equal(
      serialParts('HT{yyyy}{MM}-{000}', new Date('2026-03-05T02:00:00Z'), 'Asia/Shanghai').format(
        9,
      ),
      'HT202603-009',
    );
    assert.equal(
      serialParts('GD-{yy}{MM}{dd}-{00}', new Date('2026-03-05T02:00:00Z'), 'Asia/Shanghai').period,
      '260305',
    );
    assert.deepEqual(serialParts('NO.{00000}', new Date(), 'UTC').period, 'all');
  });
});
