// Rules R2 (CRM operators) and R8 (regex_match equals JavaScript on the supported subset).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CHINA_MAINLAND_CALENDAR_2026_2027,
  compile,
  evaluate,
  RuleError,
  type EvaluateOptions,
} from './index.js';

const SHANGHAI: EvaluateOptions = { now: '2026-11-23T10:00:00+08:00', timeZone: 'Asia/Shanghai' };

/** Every case runs through the interpreter and both compilers. */
function check(
  rule: unknown,
  data: unknown,
  expected: unknown,
  options: EvaluateOptions = SHANGHAI,
): void {
  assert.deepStrictEqual(
    evaluate(rule, data, options),
    expected,
    `evaluate ${JSON.stringify(rule)}`,
  );
  assert.deepStrictEqual(
    compile(rule, { ...options, codegen: false })(data),
    expected,
    `closures ${JSON.stringify(rule)}`,
  );
  assert.deepStrictEqual(
    compile(rule, options)(data),
    expected,
    `generated ${JSON.stringify(rule)}`,
  );
}

type Row = [string, unknown, unknown, unknown, EvaluateOptions?];

const dateCases: Row[] = [
  ['now is options.now as UTC ISO', { now: [] }, {}, '2026-11-23T02:00:00.000Z'],
  [
    'date parses an offset time',
    { date: '2026-11-23T09:30:00+08:00' },
    {},
    '2026-11-23T01:30:00.000Z',
  ],
  [
    'date reads a bare date as local midnight',
    { date: '2026-11-23' },
    {},
    '2026-11-22T16:00:00.000Z',
  ],
  [
    'date reads a time without offset as local time',
    { date: '2026-11-23 09:00' },
    {},
    '2026-11-23T01:00:00.000Z',
  ],
  ['date refuses February 30', { date: '2026-02-30' }, {}, null],
  ['date refuses words', { date: 'tomorrow' }, {}, null],
  [
    'date_diff in hours',
    { date_diff: [{ var: 'created_at' }, { now: [] }, 'hours'] },
    { created_at: '2026-11-23T07:30:00+08:00' },
    2.5,
  ],
  [
    'date_diff in minutes',
    { date_diff: ['2026-11-23T09:00:00+08:00', { now: [] }, 'minutes'] },
    {},
    60,
  ],
  [
    'date_diff in days is elapsed time',
    { date_diff: ['2026-10-24T10:00:00+08:00', { now: [] }, 'days'] },
    {},
    30,
  ],
  ['date_diff defaults to days', { date_diff: ['2026-11-22T10:00:00+08:00', { now: [] }] }, {}, 1],
  [
    'date_diff is negative into the future',
    { date_diff: [{ now: [] }, '2026-11-23T08:00:00+08:00', 'hours'] },
    {},
    -2,
  ],
  [
    'date_diff counts local calendar days',
    { date_diff: ['2026-11-22T23:30:00+08:00', '2026-11-23T00:10:00+08:00', 'calendar_days'] },
    {},
    1,
  ],
  [
    'date_diff of an empty field is null',
    { date_diff: [{ var: 'last_follow_up_at' }, { now: [] }, 'days'] },
    { last_follow_up_at: null },
    null,
  ],
  [
    'no follow-up for 30 days',
    { '>=': [{ date_diff: [{ var: 'last_follow_up_at' }, { now: [] }, 'days'] }, 30] },
    { last_follow_up_at: '2026-10-20T15:00:00+08:00' },
    true,
  ],
  [
    'date_add hours',
    { date_add: ['2026-11-23T10:00:00+08:00', 2, 'hours'] },
    {},
    '2026-11-23T04:00:00.000Z',
  ],
  [
    'date_add days keeps the local time',
    { date_add: ['2026-11-23T10:00:00+08:00', 3, 'days'] },
    {},
    '2026-11-26T02:00:00.000Z',
  ],
  [
    'date_add months clamps to the month end',
    { date_add: ['2026-01-31T09:00:00+08:00', 1, 'months'] },
    {},
    '2026-02-28T01:00:00.000Z',
  ],
  [
    'date_add days across a DST change keeps wall time',
    { date_add: ['2026-03-07T09:00:00-05:00', 1, 'days'] },
    {},
    '2026-03-08T13:00:00.000Z',
    { timeZone: 'America/New_York' },
  ],
  [
    'start_of day in Shanghai',
    { start_of: ['2026-11-23T01:00:00Z', 'day'] },
    {},
    '2026-11-22T16:00:00.000Z',
  ],
  [
    'start_of week is Monday',
    { start_of: ['2026-11-26T12:00:00+08:00', 'week'] },
    {},
    '2026-11-22T16:00:00.000Z',
  ],
  [
    'start_of month',
    { start_of: ['2026-11-26T12:00:00+08:00', 'month'] },
    {},
    '2026-10-31T16:00:00.000Z',
  ],
  ['is_before', { is_before: [{ var: 'due_at' }, { now: [] }] }, { due_at: '2026-11-22' }, true],
  [
    'is_after with a missing date is false',
    { is_after: [{ var: 'due_at' }, { now: [] }] },
    {},
    false,
  ],
  [
    'working_time_diff skips the night and the weekend (Fri 17:00 → Mon 10:00)',
    { working_time_diff: ['2026-11-20T17:00:00+08:00', { now: [] }, 'hours'] },
    {},
    2,
    { ...SHANGHAI, calendar: CHINA_MAINLAND_CALENDAR_2026_2027 },
  ],
  [
    'lead not contacted within 2 working hours',
    {
      and: [
        { is_empty: { var: 'contacted_at' } },
        { '>=': [{ working_time_diff: [{ var: 'created_at' }, { now: [] }, 'hours'] }, 2] },
      ],
    },
    { created_at: '2026-11-23T09:00:00+08:00', contacted_at: null },
    false,
    { ...SHANGHAI, calendar: CHINA_MAINLAND_CALENDAR_2026_2027 },
  ],
  [
    'add_working_time over National Day',
    { add_working_time: ['2026-09-30T17:00:00+08:00', 2, 'hours'] },
    {},
    '2026-10-08T02:00:00.000Z',
    { ...SHANGHAI, calendar: CHINA_MAINLAND_CALENDAR_2026_2027 },
  ],
];

const stringCases: Row[] = [
  [
    'contains',
    { contains: [{ var: 'company' }, '启明'] },
    { company: '上海启明信息技术有限公司' },
    true,
  ],
  ['contains on null is false', { contains: [{ var: 'company' }, '启明'] }, {}, false],
  [
    'contains on a list',
    { contains: [{ var: 'tags' }, 'vip'] },
    { tags: ['vip', 'renewal'] },
    true,
  ],
  [
    'starts_with a mobile prefix',
    { starts_with: [{ var: 'phone' }, '138'] },
    { phone: '13812345678' },
    true,
  ],
  [
    'ends_with',
    { ends_with: [{ var: 'email' }, '@example.cn'] },
    { email: 'wangfang@example.cn' },
    true,
  ],
  ['lower', { lower: 'ZhangWei@Example.CN' }, {}, 'zhangwei@example.cn'],
  ['upper', { upper: 'abc' }, {}, 'ABC'],
  ['trim', { trim: '  李娜 ' }, {}, '李娜'],
  ['lower of null stays null', { lower: { var: 'x' } }, {}, null],
  ['length counts Chinese characters', { length: '上海启明信息技术有限公司' }, {}, 12],
  ['length of a list', { length: { var: 'tags' } }, { tags: [1, 2, 3] }, 3],
  ['length of null is 0', { length: { var: 'x' } }, {}, 0],
  [
    'regex_match a mainland mobile',
    { regex_match: [{ var: 'phone' }, '^1[3-9]\\d{9}$'] },
    { phone: '13812345678' },
    true,
  ],
  [
    'regex_match refuses a landline',
    { regex_match: [{ var: 'phone' }, '^1[3-9]\\d{9}$'] },
    { phone: '021-12345678' },
    false,
  ],
  [
    'regex_match with flags',
    { regex_match: ['ZHANG@EXAMPLE.CN', '^[a-z]+@example\\.cn$', 'i'] },
    {},
    true,
  ],
  ['regex_match on null is false', { regex_match: [{ var: 'x' }, 'a'] }, {}, false],
  ['is_empty null', { is_empty: { var: 'x' } }, {}, true],
  ['is_empty blank string', { is_empty: '   ' }, {}, true],
  ['is_empty empty list', { is_empty: [[]] }, {}, true],
  ['is_empty zero is not empty', { is_empty: 0 }, {}, false],
  ['is_empty a name', { is_empty: '张伟' }, {}, false],
  [
    'coalesce',
    { coalesce: [{ var: 'mobile' }, { var: 'phone' }, '无'] },
    { mobile: '', phone: '13912345678' },
    '13912345678',
  ],
];

const numberCases: Row[] = [
  ['round half away from zero', { round: [2.5] }, {}, 3],
  ['round negative half away from zero', { round: [-2.5] }, {}, -3],
  ['round to fen exactly (1.005 → 1.01)', { round: [1.005, 2] }, {}, 1.01],
  [
    'round an amount with tax',
    { round: [{ '*': [{ var: 'amount' }, 1.13] }, 2] },
    { amount: 19999.99 },
    22599.99,
  ],
  ['round to thousands', { round: [123456, -3] }, {}, 123000],
  ['floor', { floor: [1.999, 2] }, {}, 1.99],
  ['ceil', { ceil: [1.001, 2] }, {}, 1.01],
  ['round of null is null', { round: [{ var: 'x' }] }, {}, null],
  ['round of a numeric string', { round: ['3.14159', 3] }, {}, 3.142],
  ['abs', { abs: -5 }, {}, 5],
];

describe('R2 CRM operators', () => {
  for (const [title, rule, data, expected, options] of [
    ...dateCases,
    ...stringCases,
    ...numberCases,
  ]) {
    it(title, () => check(rule, data, expected, options ?? SHANGHAI));
  }

  describe('changed, old and new on update events', () => {
    const before = { stage: 'new', owner_id: 'user_1', amount: 10000, customer: { level: 2 } };
    const after = {
      stage: 'negotiation',
      owner_id: 'user_1',
      amount: 10000,
      customer: { level: 1 },
    };
    const rows: [string, unknown, unknown][] = [
      ['changed is true for a changed field', { changed: 'stage' }, true],
      ['changed is false for an unchanged field', { changed: 'owner_id' }, false],
      ['changed follows dotted paths', { changed: 'customer.level' }, true],
      ['old reads the value before', { old: 'stage' }, 'new'],
      ['new reads the value after', { new: 'stage' }, 'negotiation'],
      [
        'stage moved from new to negotiation',
        { and: [{ '==': [{ old: 'stage' }, 'new'] }, { '==': [{ new: 'stage' }, 'negotiation'] }] },
        true,
      ],
      ['new reads the record even inside map', { map: [[1], { new: 'stage' }] }, ['negotiation']],
    ];
    for (const [title, rule, expected] of rows)
      it(title, () => check(rule, after, expected, { ...SHANGHAI, before }));
    it('without a previous record nothing has changed and old is null', () => {
      check({ changed: 'stage' }, after, false);
      check({ old: 'stage' }, after, null);
    });
  });

  describe('coded errors', () => {
    const errors: [string, unknown, string, EvaluateOptions][] = [
      ['now without options.now', { now: [] }, 'now_required', {}],
      [
        'an unknown unit',
        { date_diff: ['2026-01-01', '2026-01-02', 'fortnights'] },
        'invalid_unit',
        SHANGHAI,
      ],
      [
        'working time without a calendar',
        { working_time_diff: ['2026-01-01', '2026-01-02'] },
        'calendar_required',
        SHANGHAI,
      ],
      ['an invalid pattern', { regex_match: ['a', '('] }, 'regex_invalid', SHANGHAI],
      [
        'an unknown time zone',
        { start_of: ['2026-01-01T00:00:00Z', 'day'] },
        'invalid_time_zone',
        { timeZone: 'Mars/Olympus' },
      ],
    ];
    for (const [title, rule, code, options] of errors) {
      it(title, () => {
        for (const run of [
          () => evaluate(rule, {}, options),
          () => compile(rule, options)({}),
          () => compile(rule, { ...options, codegen: false })({}),
        ]) {
          assert.throws(run, (e: unknown) => e instanceof RuleError && e.code === code);
        }
      });
    }
  });
});

describe('R8 regex_match equals JavaScript RegExp#test on the supported syntax', () => {
  const atom = fc.oneof(
    fc.constantFrom(
      'a',
      'b',
      'c',
      'A',
      '1',
      '.',
      '\\d',
      '\\w',
      '\\s',
      '\\D',
      '\\W',
      '[a-c]',
      '[^ab]',
      '[0-9_]',
      '\\.',
      '-',
      '张',
      '[\\d\\s]',
      '[\\W]',
    ),
  );
  const quantifier = fc.constantFrom('', '', '*', '+', '?', '{2}', '{1,3}', '{0,}', '*?', '+?');
  const { pattern } = fc.letrec((tie) => ({
    pattern: fc.oneof(
      { depthSize: 'small' },
      fc
        .array(
          fc.tuple(atom, quantifier).map(([a, q]) => a + q),
          { minLength: 1, maxLength: 5 },
        )
        .map((p) => p.join('')),
      fc.tuple(tie('pattern'), tie('pattern')).map(([a, b]) => `${a}|${b}`),
      fc.tuple(tie('pattern'), quantifier).map(([a, q]) => `(${a})${q}`),
      fc.tuple(tie('pattern'), quantifier).map(([a, q]) => `(?:${a})${q}`),
      tie('pattern').map((a) => `^${a}`),
      tie('pattern').map((a) => `${a}$`),
      tie('pattern').map((a) => `\\b${a}`),
    ),
  }));
  const subject = fc
    .array(
      fc.constantFrom('a', 'b', 'c', 'A', 'B', '1', '2', ' ', '\n', '_', '.', '-', '张', '伟'),
      { maxLength: 12 },
    )
    .map((s) => s.join(''));
  const flags = fc.constantFrom('', 'i', 'm', 's', 'im', 'u', 'iu');
  it('matches exactly what RegExp#test matches', () => {
    fc.assert(
      fc.property(pattern, subject, flags, (p, s, f) => {
        const expected = new RegExp(p, f).test(s);
        assert.equal(
          evaluate({ regex_match: [s, p, f] }, {}),
          expected,
          `/${p}/${f} on ${JSON.stringify(s)}`,
        );
      }),
      { numRuns: 3000 },
    );
  });
});
