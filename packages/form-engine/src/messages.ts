// Value error messages in zh-CN and en. Every code a validator can return has both texts; the
// tests compare them with the expectations stored in the fixtures.
import type { FormError, Locale } from './types.js';

export type MessageParams = Record<string, string | number | boolean>;

/** Codes of value errors returned by `validate` (README rule 3). */
export const VALUE_ERROR_CODES = [
  'NOT_AN_OBJECT',
  'UNKNOWN_FIELD',
  'SYSTEM_FIELD',
  'REQUIRED',
  'INVALID_TYPE',
  'INVALID_NUMBER',
  'INVALID_RATING',
  'INVALID_DECIMAL',
  'TOO_MANY_DECIMALS',
  'TOO_SMALL',
  'TOO_LARGE',
  'TOO_SHORT',
  'TOO_LONG',
  'PATTERN_MISMATCH',
  'TOO_FEW_ITEMS',
  'TOO_MANY_ITEMS',
  'INVALID_OPTION',
  'INVALID_DATE',
  'INVALID_DATETIME',
  'INVALID_PHONE',
  'INVALID_EMAIL',
  'INVALID_URL',
  'INVALID_ID',
  'INVALID_FILE',
  'INVALID_IMAGE',
  'INVALID_ADDRESS',
  'INVALID_LOCATION',
  'FIELD_READ_ONLY',
  'FIELD_HIDDEN',
  'CHECK_FAILED',
  'RULE_FAILED',
] as const;

export type ValueErrorCode = (typeof VALUE_ERROR_CODES)[number];

type Template = (label: string, p: MessageParams) => string;

const NOUNS: Record<string, { 'zh-CN': string; en: string }> = {
  text: { 'zh-CN': '文本', en: 'text' },
  number: { 'zh-CN': '数字', en: 'a number' },
  boolean: { 'zh-CN': '“是”或“否”', en: 'true or false' },
  list: { 'zh-CN': '选项列表', en: 'a list of options' },
  rows: { 'zh-CN': '明细行列表', en: 'a list of rows' },
  row: { 'zh-CN': '一行明细', en: 'a row' },
  value: { 'zh-CN': '有效的值', en: 'a valid value' },
};

const noun = (key: unknown, locale: Locale): string =>
  (NOUNS[String(key)] ?? NOUNS['value']!)[locale];

/** Bounds print as given (`12800.5`, `2024-05-01`). */
const lim = (p: MessageParams): string => String(p['limit']);

const CATALOG: Record<ValueErrorCode, { 'zh-CN': Template; en: Template }> = {
  NOT_AN_OBJECT: {
    'zh-CN': () => '表单数据必须是一个对象',
    en: () => 'The form values must be an object',
  },
  UNKNOWN_FIELD: {
    'zh-CN': (_l, p) => `表单中没有字段“${p['key']}”`,
    en: (_l, p) => `"${p['key']}" is not a field of this form`,
  },
  SYSTEM_FIELD: {
    'zh-CN': (_l, p) => `“${p['key']}”由系统维护，不能填写`,
    en: (_l, p) => `"${p['key']}" is maintained by the system and cannot be written`,
  },
  REQUIRED: {
    'zh-CN': (l) => `请填写“${l}”`,
    en: (l) => `${l} is required`,
  },
  INVALID_TYPE: {
    'zh-CN': (l, p) => `“${l}”应为${noun(p['expected'], 'zh-CN')}`,
    en: (l, p) => `${l} must be ${noun(p['expected'], 'en')}`,
  },
  INVALID_NUMBER: {
    'zh-CN': (l) => `“${l}”应为数字`,
    en: (l) => `${l} must be a number`,
  },
  INVALID_RATING: {
    'zh-CN': (l, p) => `“${l}”应为 1 到 ${p['max']} 之间的整数`,
    en: (l, p) => `${l} must be a whole number from 1 to ${p['max']}`,
  },
  INVALID_DECIMAL: {
    'zh-CN': (l) => `“${l}”不是有效的金额（例如 12800.50）`,
    en: (l) => `${l} is not a valid amount (for example 12800.50)`,
  },
  TOO_MANY_DECIMALS: {
    'zh-CN': (l, p) => (p['limit'] === 0 ? `“${l}”不能有小数` : `“${l}”最多保留 ${lim(p)} 位小数`),
    en: (l, p) =>
      p['limit'] === 0
        ? `${l} allows no decimal places`
        : `${l} allows at most ${lim(p)} decimal places`,
  },
  TOO_SMALL: {
    'zh-CN': (l, p) =>
      p['kind'] === 'date' ? `“${l}”不能早于 ${lim(p)}` : `“${l}”不能小于 ${lim(p)}`,
    en: (l, p) =>
      p['kind'] === 'date'
        ? `${l} must not be before ${lim(p)}`
        : `${l} must be at least ${lim(p)}`,
  },
  TOO_LARGE: {
    'zh-CN': (l, p) =>
      p['kind'] === 'date' ? `“${l}”不能晚于 ${lim(p)}` : `“${l}”不能大于 ${lim(p)}`,
    en: (l, p) =>
      p['kind'] === 'date' ? `${l} must not be after ${lim(p)}` : `${l} must be at most ${lim(p)}`,
  },
  TOO_SHORT: {
    'zh-CN': (l, p) => `“${l}”至少需要 ${lim(p)} 个字`,
    en: (l, p) => `${l} must be at least ${lim(p)} characters long`,
  },
  TOO_LONG: {
    'zh-CN': (l, p) => `“${l}”最多 ${lim(p)} 个字`,
    en: (l, p) => `${l} must be at most ${lim(p)} characters long`,
  },
  PATTERN_MISMATCH: {
    'zh-CN': (l) => `“${l}”的格式不正确`,
    en: (l) => `${l} is not in the expected format`,
  },
  TOO_FEW_ITEMS: {
    'zh-CN': (l, p) => `“${l}”至少需要 ${lim(p)} 项`,
    en: (l, p) => `${l} needs at least ${lim(p)} item(s)`,
  },
  TOO_MANY_ITEMS: {
    'zh-CN': (l, p) => `“${l}”最多 ${lim(p)} 项`,
    en: (l, p) => `${l} allows at most ${lim(p)} item(s)`,
  },
  INVALID_OPTION: {
    'zh-CN': (l, p) => `“${p['value']}”不是“${l}”的可选项`,
    en: (l, p) => `"${p['value']}" is not an option of ${l}`,
  },
  INVALID_DATE: {
    'zh-CN': (l) => `“${l}”不是有效的日期（格式为 YYYY-MM-DD）`,
    en: (l) => `${l} is not a valid date (YYYY-MM-DD)`,
  },
  INVALID_DATETIME: {
    'zh-CN': (l) => `“${l}”不是有效的日期时间（需带时区，例如 2024-05-01T09:30:00+08:00）`,
    en: (l) =>
      `${l} is not a valid date and time (with a time zone, e.g. 2024-05-01T09:30:00+08:00)`,
  },
  INVALID_PHONE: {
    'zh-CN': (l) => `“${l}”不是有效的电话号码（手机号如 13812345678，国际号码以 + 开头）`,
    en: (l) =>
      `${l} is not a valid phone number (a mainland mobile such as 13812345678, or + and the country code)`,
  },
  INVALID_EMAIL: {
    'zh-CN': (l) => `“${l}”不是有效的邮箱地址`,
    en: (l) => `${l} is not a valid e-mail address`,
  },
  INVALID_URL: {
    'zh-CN': (l) => `“${l}”不是有效的网址（需以 http:// 或 https:// 开头）`,
    en: (l) => `${l} is not a valid web address (starting with http:// or https://)`,
  },
  INVALID_ID: {
    'zh-CN': (l) => `“${l}”的取值不是有效的编号`,
    en: (l) => `${l} does not hold a valid id`,
  },
  INVALID_FILE: {
    'zh-CN': (l) => `“${l}”中的文件信息无效（需要 key、name、size、mime）`,
    en: (l) => `${l} holds an invalid file entry (key, name, size and mime are needed)`,
  },
  INVALID_IMAGE: {
    'zh-CN': (l) => `“${l}”只能上传图片`,
    en: (l) => `${l} accepts images only`,
  },
  INVALID_ADDRESS: {
    'zh-CN': (l) => `“${l}”不是有效的地址（省、市、区、详细地址）`,
    en: (l) => `${l} is not a valid address (province, city, district, detail)`,
  },
  INVALID_LOCATION: {
    'zh-CN': (l) => `“${l}”不是有效的位置（纬度 -90 到 90，经度 -180 到 180）`,
    en: (l) => `${l} is not a valid location (latitude -90 to 90, longitude -180 to 180)`,
  },
  FIELD_READ_ONLY: {
    'zh-CN': (l) => `“${l}”是只读字段，不能修改`,
    en: (l) => `${l} is read-only and cannot be changed`,
  },
  FIELD_HIDDEN: {
    'zh-CN': (_l, p) => `你无权修改字段“${p['key']}”`,
    en: (_l, p) => `You may not change the field "${p['key']}"`,
  },
  CHECK_FAILED: {
    'zh-CN': (_l, p) => String(p['text.zh-CN'] ?? ''),
    en: (_l, p) => String(p['text.en'] ?? ''),
  },
  RULE_FAILED: {
    'zh-CN': (l) => `“${l}”的规则无法计算，请联系表单管理员`,
    en: (l) => `The rule of ${l} could not be evaluated; please contact the form's administrator`,
  },
};

/** A labelled thing in both locales (a field, a sub-table cell, a check). */
export type Labels = { 'zh-CN': string; en: string };

/** Builds a value error with its message in `locale` and in both locales. */
export function makeError(
  path: string,
  code: ValueErrorCode,
  labels: Labels,
  locale: Locale,
  params?: MessageParams,
): FormError {
  const p = params ?? {};
  const entry = CATALOG[code];
  const zh = entry['zh-CN'](labels['zh-CN'], p);
  const en = entry.en(labels.en, p);
  const out: FormError = {
    path,
    code,
    message: locale === 'en' ? en : zh,
    messages: { 'zh-CN': zh, en },
  };
  if (params !== undefined) {
    const visible: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(params)) if (!k.startsWith('text.')) visible[k] = v;
    out.params = visible;
  }
  return out;
}
