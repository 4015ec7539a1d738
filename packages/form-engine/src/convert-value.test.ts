// Rule 10 (README): convertValue is defined for every pair of field types; a conversion is
// lossless exactly when converting back gives the original, and the result is always a canonical
// value of the target type.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseFieldValue, valueSpec } from './field-values.js';
import {
  convertValue,
  FIELD_TYPES,
  losslessTypeChange,
  type FieldSchema,
  type FieldType,
} from './index.js';

const L = (zh: string, en: string) => ({ 'zh-CN': zh, en });
const levelOptions = [
  { value: 'normal', label: L('普通', 'Normal') },
  { value: 'important', label: L('重要', 'Important') },
  { value: 'vip', label: L('VIP', 'VIP') },
];

/** A representative field of each type (options, currency and columns matter to conversions). */
const FIELDS: Record<FieldType, FieldSchema> = {
  text: { id: 'f', type: 'text', label: '文本' },
  textarea: { id: 'f', type: 'textarea', label: '多行文本' },
  rich_text: { id: 'f', type: 'rich_text', label: '富文本' },
  number: { id: 'f', type: 'number', label: '数字' },
  currency: { id: 'f', type: 'currency', label: '金额', currency: 'CNY' },
  percent: { id: 'f', type: 'percent', label: '百分比' },
  date: { id: 'f', type: 'date', label: '日期' },
  datetime: { id: 'f', type: 'datetime', label: '时间' },
  select: { id: 'f', type: 'select', label: '等级', options: levelOptions },
  multi_select: { id: 'f', type: 'multi_select', label: '等级', options: levelOptions },
  radio: { id: 'f', type: 'radio', label: '等级', options: levelOptions },
  boolean: { id: 'f', type: 'boolean', label: '是否' },
  rating: { id: 'f', type: 'rating', label: '评分', max: 5 },
  phone: { id: 'f', type: 'phone', label: '电话' },
  email: { id: 'f', type: 'email', label: '邮箱' },
  url: { id: 'f', type: 'url', label: '网址' },
  user: { id: 'f', type: 'user', label: '用户' },
  department: { id: 'f', type: 'department', label: '部门' },
  relation: { id: 'f', type: 'relation', label: '客户', relation: { formId: 'customer' } },
  sub_table: {
    id: 'f',
    type: 'sub_table',
    label: '明细',
    fields: [
      { id: 'product', type: 'text', label: '产品' },
      { id: 'quantity', type: 'number', label: '数量' },
    ],
  },
  attachment: { id: 'f', type: 'attachment', label: '附件' },
  image: { id: 'f', type: 'image', label: '图片' },
  address: { id: 'f', type: 'address', label: '地址' },
  location: { id: 'f', type: 'location', label: '定位' },
  serial: { id: 'f', type: 'serial', label: '编号', serial: { pattern: 'KH-{yyyy}-{0000}' } },
  formula: { id: 'f', type: 'formula', label: '公式', formula: 1 },
  lookup: {
    id: 'f',
    type: 'lookup',
    label: '引用',
    lookup: { relationField: 'customer', field: 'level' },
  },
  rollup: {
    id: 'f',
    type: 'rollup',
    label: '汇总',
    rollup: { relationField: 'follow_up.customer', aggregate: 'count' },
  },
};

const hex = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const uuid = fc
  .tuple(hex(8), hex(4), hex(3), hex(3), hex(12))
  .map(([a, b, c, d, e]) => `${a}-${b}-4${c}-8${d}-${e}`);
const instant = fc
  .integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2090, 0, 1) })
  .map((ms) => new Date(ms).toISOString());
const words = fc.constantFrom(
  '上海启明',
  '张伟',
  '王芳',
  'VIP',
  '12.50',
  '是',
  'true',
  '2024-05-01',
  '13812345678',
  'normal',
  '普通',
  'a\nb',
  'x < y & z',
);
const file = (mime: fc.Arbitrary<string>) =>
  fc.record({
    key: fc.constantFrom('ws1/a', 'ws1/b'),
    name: fc.constantFrom('合同.pdf', '门店.jpg'),
    size: fc.nat(1_000_000),
    mime,
  });

/** Raw values of each type; they are canonicalised before use. */
const RAW: Record<FieldType, fc.Arbitrary<unknown>> = {
  text: fc.oneof(words, fc.string({ maxLength: 20 })),
  textarea: fc.oneof(words, fc.string({ maxLength: 20 })),
  rich_text: fc.oneof(
    words,
    fc.constantFrom('<p>客户<strong>满意</strong></p>', '<p>a</p><p>b</p>'),
  ),
  // JSON has no negative zero
  number: fc
    .oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.double({ min: -1e9, max: 1e9, noNaN: true }))
    .map((n) => (n === 0 ? 0 : n)),
  currency: fc
    .bigInt({ min: -(10n ** 12n), max: 10n ** 12n })
    .map(
      (n) =>
        `${n < 0n ? '-' : ''}${(n < 0n ? -n : n) / 100n}.${String((n < 0n ? -n : n) % 100n).padStart(2, '0')}`,
    ),
  percent: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double({ min: 1, max: 200, noNaN: true })),
  date: instant.map((s) => s.slice(0, 10)),
  datetime: instant,
  select: fc.constantFrom('normal', 'important', 'vip'),
  multi_select: fc.subarray(['normal', 'important', 'vip']),
  radio: fc.constantFrom('normal', 'important', 'vip'),
  boolean: fc.boolean(),
  rating: fc.integer({ min: 1, max: 5 }),
  phone: fc.oneof(
    fc
      .tuple(
        fc.constantFrom('13', '15', '18', '19'),
        fc.integer({ min: 100_000_000, max: 999_999_999 }),
      )
      .map(([a, b]) => `${a}${b}`),
    fc.constantFrom('02112345678', '+14155552671', '+85221234567'),
  ),
  email: fc
    .tuple(
      fc.constantFrom('zhangwei', 'wang.fang', 'li+na'),
      fc.constantFrom('qiming.cn', 'example.com.cn'),
    )
    .map(([a, b]) => `${a}@${b}`),
  url: fc.constantFrom('https://www.qiming.example.cn', 'http://example.com/a?b=1'),
  user: uuid,
  department: uuid,
  relation: uuid,
  sub_table: fc.array(
    fc.record({
      product: fc.constantFrom('企业版', '实施服务'),
      quantity: fc.integer({ min: 1, max: 9 }),
    }),
    { maxLength: 3 },
  ),
  attachment: fc.array(file(fc.constantFrom('application/pdf', 'image/jpeg')), { maxLength: 2 }),
  image: fc.array(file(fc.constantFrom('image/jpeg', 'image/png')), { maxLength: 2 }),
  address: fc.record(
    {
      province: fc.constantFrom('上海市', '浙江省'),
      detail: fc.constantFrom('博云路2号', '文三路90号'),
    },
    { requiredKeys: ['province'] },
  ),
  location: fc.record(
    {
      lat: fc.integer({ min: -90, max: 90 }),
      lng: fc.double({ min: 1, max: 180, noNaN: true }),
      address: fc.constantFrom('上海市黄浦区'),
    },
    { requiredKeys: ['lat', 'lng'] },
  ),
  serial: fc.constantFrom('KH-2024-0001', 'KH-2025-0420'),
  formula: fc.integer({ min: -1000, max: 1000 }),
  lookup: fc.oneof(fc.constantFrom('vip', 3, true), fc.constant(['a'])),
  rollup: fc.integer({ min: 0, max: 500 }),
};

function canonical(type: FieldType, value: unknown): unknown {
  const parsed = parseFieldValue(valueSpec(FIELDS[type]), value);
  return parsed.ok ? parsed.value : undefined;
}

describe('convertValue', () => {
  it('every pair: the result is a canonical value of the target, and a lossless one converts back (property)', () => {
    for (const from of FIELD_TYPES) {
      const values = RAW[from]
        .map((raw) => canonical(from, raw))
        .filter((v) => v !== undefined && v !== null);
      for (const to of FIELD_TYPES) {
        fc.assert(
          fc.property(values, (value) => {
            const result = convertValue(value, FIELDS[from], FIELDS[to]);
            const where = `${from} → ${to}: ${JSON.stringify(value)} gave ${JSON.stringify(result)}`;
            if (result.value !== null)
              assert.deepEqual(canonical(to, result.value), result.value, where);
            if (result.lossy) {
              assert.equal(result.original, value, where);
              return;
            }
            const back = convertValue(result.value, FIELDS[to], FIELDS[from]);
            // an empty list is no value, like null
            assert.deepEqual(
              back,
              { lossy: false, value: Array.isArray(value) && value.length === 0 ? null : value },
              where,
            );
          }),
          { numRuns: 25 },
        );
      }
    }
  });

  it('changes listed as lossless never lose a value (property)', () => {
    for (const from of FIELD_TYPES) {
      for (const to of FIELD_TYPES) {
        if (!losslessTypeChange(from, to)) continue;
        const values = RAW[from]
          .map((raw) => canonical(from, raw))
          .filter((v) => v !== undefined && v !== null);
        fc.assert(
          fc.property(values, (value) => {
            const result = convertValue(value, FIELDS[from], FIELDS[to]);
            assert.equal(
              result.lossy,
              false,
              `${from} → ${to}: ${JSON.stringify(value)} gave ${JSON.stringify(result)}`,
            );
          }),
          { numRuns: 40 },
        );
      }
    }
  });

  it('null stays null, whatever the types', () => {
    for (const from of FIELD_TYPES)
      for (const to of FIELD_TYPES)
        assert.deepEqual(convertValue(null, from, to), { lossy: false, value: null });
  });

  const select = FIELDS.select;
  const multi = FIELDS.multi_select;
  const cases: Array<
    [string, unknown, FieldType | FieldSchema, FieldType | FieldSchema, unknown, boolean]
  > = [
    ['a number to text', 12.5, 'number', 'text', '12.5', false],
    ['numeric text to a number', '12.5', 'text', 'number', 12.5, false],
    ['"12.50" loses its trailing zero', '12.50', 'text', 'number', 12.5, true],
    ['text that is no number', '一万', 'text', 'number', null, true],
    ['an amount to a number', '12800.50', 'currency', 'number', 12800.5, false],
    ['a number to an amount', 12800.5, 'number', 'currency', '12800.50', false],
    ['an amount rounded to cents', 0.125, 'number', 'currency', '0.13', true],
    [
      'an amount with a yuan sign and separators',
      '¥12,800.50',
      'text',
      'currency',
      '12800.50',
      true,
    ],
    ['a date to midnight UTC', '2024-05-01', 'date', 'datetime', '2024-05-01T00:00:00.000Z', false],
    [
      'an instant to its date loses the time',
      '2024-05-01T01:30:00.000Z',
      'datetime',
      'date',
      '2024-05-01',
      true,
    ],
    ['an option to its label', 'vip', select, 'text', 'VIP', false],
    ['a label back to its option', '普通', 'text', select, 'normal', false],
    ['one option to a list of one', 'normal', select, multi, ['normal'], false],
    ['several options to one keeps the first', ['normal', 'vip'], multi, select, 'normal', true],
    ['options to text and back', ['normal', 'vip'], multi, 'text', '普通, VIP', false],
    ['yes/no in Chinese', true, 'boolean', 'text', '是', false],
    ['"是" to true', '是', 'text', 'boolean', true, false],
    [
      'a typed phone becomes canonical (the spelling is lost)',
      '+86 138-1234-5678',
      'text',
      'phone',
      '13812345678',
      true,
    ],
    ['a phone stored as a number', 13812345678, 'number', 'phone', '13812345678', false],
    [
      'an address to text loses its parts',
      { province: '上海市', detail: '博云路2号' },
      'address',
      'text',
      '上海市博云路2号',
      true,
    ],
    [
      'text to an address goes to detail',
      '上海市浦东新区博云路2号',
      'text',
      'address',
      { detail: '上海市浦东新区博云路2号' },
      false,
    ],
    [
      'non-image files are dropped from an image field',
      [{ key: 'k', name: 'a.pdf', size: 1, mime: 'application/pdf' }],
      'attachment',
      'image',
      [],
      true,
    ],
    ['3.6 stars rounds to 4', 3.6, 'number', 'rating', 4, true],
    ['lines to paragraphs', 'a\nb', 'textarea', 'rich_text', '<p>a</p><p>b</p>', false],
    ['paragraphs to lines', '<p>a</p><p>b</p>', 'rich_text', 'textarea', 'a\nb', false],
    [
      'a location to an address keeps the address text',
      { lat: 31.2, lng: 121.5, address: '上海市' },
      'location',
      'address',
      { detail: '上海市' },
      true,
    ],
    ['text cannot become a location', '上海市', 'text', 'location', null, true],
    ['a number cannot become rows', 5, 'number', 'sub_table', null, true],
    ['an invalid stored amount is kept as the original', 'abc', 'currency', 'text', 'abc', true],
  ];
  for (const [title, value, from, to, expected, lossy] of cases) {
    it(title, () => {
      const result = convertValue(value, from, to);
      assert.deepEqual(result.value, expected);
      assert.equal(result.lossy, lossy);
      if (result.lossy) assert.deepEqual(result.original, value);
    });
  }

  it('date and time conversions use the time zone given', () => {
    assert.deepEqual(
      convertValue('2024-05-01T20:30:00.000Z', 'datetime', 'date', { timeZone: 'Asia/Shanghai' }),
      {
        lossy: true,
        value: '2024-05-02',
        original: '2024-05-01T20:30:00.000Z',
      },
    );
    assert.deepEqual(
      convertValue('2024-05-02', 'date', 'datetime', { timeZone: 'Asia/Shanghai' }),
      {
        lossy: false,
        value: '2024-05-01T16:00:00.000Z',
      },
    );
  });

  it('labels follow the locale asked for', () => {
    assert.deepEqual(convertValue('important', select, 'text', { locale: 'en' }), {
      lossy: false,
      value: 'Important',
    });
    assert.deepEqual(convertValue(false, 'boolean', 'text', { locale: 'en' }), {
      lossy: false,
      value: 'No',
    });
  });
});
