import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Numeric,
  nAdd,
  nDiv,
  nMul,
  nToNumber,
  nToString,
  numericOfInteger,
  toNumeric,
} from './exact.js';

const n = (text: string): Numeric => toNumeric(text) as Numeric;

describe("numeric division as PostgreSQL's numeric_div prints it (rule 4)", () => {
  // Each expected text was printed by PostgreSQL 15 for the same division.
  const cases: Array<[string, Numeric, Numeric, string]> = [
    [
      'avg(1000.50, 2500, 0.10)',
      nAdd(nAdd(n('1000.50'), n('2500')), n('0.10')),
      numericOfInteger(3),
      '1166.8666666666666667',
    ],
    ['2 / 3', n('2'), n('3'), '0.66666666666666666667'],
    ['10 / 3', n('10'), n('3'), '3.3333333333333333'],
    ['1 / 7', n('1'), n('7'), '0.14285714285714285714'],
    ['123456789 / 7', n('123456789'), n('7'), '17636684.142857142857'],
    ['0.001 / 7', n('0.001'), n('7'), '0.00014285714285714286'],
    ['5.5 / 100', n('5.5'), n('100'), '0.05500000000000000000'],
    ['99999.99 / 0.3', n('99999.99'), n('0.3'), '333333.300000000000'],
    ['-7 / 3', n('-7'), n('3'), '-2.3333333333333333'],
    ['1 / 20000', n('1'), n('20000'), '0.000050000000000000000000'],
    [
      'sum(12800.50 x 25, 1000 x 90) / 100',
      nAdd(nMul(n('12800.50'), n('25')), nMul(n('1000'), n('90'))),
      n('100'),
      '4100.1250000000000000',
    ],
  ];
  for (const [title, a, b, expected] of cases) {
    it(`${title} = ${expected}`, () => {
      const q = nDiv(a, b);
      assert.ok(q !== null);
      assert.equal(nToString(q), expected);
      assert.equal(nToNumber(q), Number(expected));
    });
  }

  it('keeps the written scale of stored values and sums exactly', () => {
    const sum = nAdd(n('0.10'), n('0.20'));
    assert.equal(nToString(sum), '0.30');
    assert.equal(nToNumber(sum), 0.3);
    assert.equal(nDiv(n('1'), n('0')), null, 'NULLIF(x, 0)');
  });
});
