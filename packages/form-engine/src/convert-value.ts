// Value conversion between field types, for schema evolution (README rule 10). A conversion is
// lossless when converting the result back gives the original (canonical) value; anything else is
// marked lossy and the original is returned beside the best-effort value, so the API can keep it
// (the old column is archived, never dropped).
import { Decimal } from './decimal.js';
import { DEFAULT_RATING_MAX, isFieldType } from './field-types.js';
import { parseFieldValue, valueSpec } from './field-values.js';
import { textFor } from './localized-text.js';
import { htmlToText, textToHtml } from './sanitize-html.js';
import type { FieldSchema, FieldType } from './types.js';
import {
  canonicalDatetime,
  canonicalDecimal,
  canonicalPhone,
  currencyScale,
  dateInZone,
  fixedDecimal,
  isDecimalText,
  isEmail,
  isPhone,
  isUrl,
  isUuid,
  isValidDate,
  numberToDecimal,
  startOfDateInZone,
} from './value-formats.js';

/** A field type, or a field (its options, currency, relation and columns then count). */
export type ConvertTarget = FieldType | FieldSchema;

export type ConvertOptions = {
  /** Time zone for date ↔ datetime (default UTC). */
  timeZone?: string;
  /** Locale of generated text: option labels, yes/no (default zh-CN). */
  locale?: string;
};

export type ConvertResult =
  | { lossy: false; value: unknown }
  /** `value` is the best effort (null when nothing sensible exists); `original` is the input. */
  | { lossy: true; value: unknown; original: unknown };

const FAIL: unique symbol = Symbol('fail');
type Out = unknown | typeof FAIL;

type Env = { timeZone: string; locale: string };

function asField(target: ConvertTarget): FieldSchema {
  if (typeof target === 'string') {
    if (!isFieldType(target)) throw new TypeError(`unknown field type ${JSON.stringify(target)}`);
    return { id: 'value', type: target, label: 'value' };
  }
  return target;
}

function canonical(field: FieldSchema, value: unknown): Out {
  const parsed = parseFieldValue(valueSpec(field), value);
  return parsed.ok ? parsed.value : FAIL;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a))
    return (
      a.length === (b as unknown[]).length && a.every((v, i) => sameJson(v, (b as unknown[])[i]))
    );
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined && ra[k] !== null);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined && rb[k] !== null);
  return ka.length === kb.length && ka.every((k) => sameJson(ra[k], rb[k]));
}

const YES = new Set(['true', 'yes', 'y', '1', '是', '对', '真', 'on']);
const NO = new Set(['false', 'no', 'n', '0', '否', '错', '假', 'off']);
const LIST_SPLIT = /[,，、;；\n]/;

function optionLabel(field: FieldSchema, value: string, env: Env): string {
  const option = field.options?.find((o) => o.value === value);
  return option === undefined ? value : textFor(option.label, env.locale);
}

function optionFromText(field: FieldSchema, text: string): string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (field.options === undefined) return t;
  const byValue = field.options.find((o) => o.value === t);
  if (byValue !== undefined) return byValue.value;
  const byLabel = field.options.find((o) =>
    typeof o.label === 'string' ? o.label === t : Object.values(o.label).some((l) => l === t),
  );
  return byLabel?.value;
}

/** The text of a canonical value (what a person would read). */
function toText(value: unknown, from: FieldSchema, env: Env): Out {
  switch (from.type) {
    case 'text':
    case 'textarea':
    case 'phone':
    case 'email':
    case 'url':
    case 'serial':
    case 'currency':
    case 'date':
    case 'datetime':
    case 'user':
    case 'department':
      return value as string;
    case 'rich_text':
      return htmlToText(value as string);
    case 'number':
    case 'percent':
    case 'rating':
      return String(value);
    case 'boolean':
      return value === true
        ? env.locale === 'en'
          ? 'Yes'
          : '是'
        : env.locale === 'en'
          ? 'No'
          : '否';
    case 'select':
    case 'radio':
      return optionLabel(from, value as string, env);
    case 'multi_select':
      return (value as string[]).map((v) => optionLabel(from, v, env)).join(', ');
    case 'relation':
      return Array.isArray(value) ? value.join(', ') : (value as string);
    case 'address': {
      const a = value as Record<string, unknown>;
      return ['province', 'city', 'district', 'detail']
        .map((k) => a[k])
        .filter((p): p is string => typeof p === 'string' && p !== '')
        .join('');
    }
    case 'location': {
      const l = value as Record<string, unknown>;
      return typeof l['address'] === 'string' && l['address'] !== ''
        ? l['address']
        : `${l['lat']},${l['lng']}`;
    }
    case 'attachment':
    case 'image':
      return (value as Array<Record<string, unknown>>).map((f) => String(f['name'])).join(', ');
    case 'formula':
    case 'lookup':
    case 'rollup':
      if (typeof value === 'string') return value;
      if (typeof value === 'number') return String(value);
      if (typeof value === 'boolean') return toText(value, { ...from, type: 'boolean' }, env);
      return FAIL;
    case 'sub_table':
      return FAIL;
  }
}

/** A number from a canonical value. */
function toNumber(value: unknown, from: FieldSchema, env: Env): Out {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (from.type === 'currency') return Number(value);
  const text = toText(value, from, env);
  if (typeof text !== 'string') return FAIL;
  const t = text.trim().replace(/[,，](?=\d{3}(?:\D|$))/g, '');
  const percent = t.endsWith('%') ? t.slice(0, -1).trim() : t;
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(percent)) return FAIL;
  const n = Number(percent);
  return Number.isFinite(n) ? n : FAIL;
}

function toDecimal(value: unknown, from: FieldSchema, to: FieldSchema, env: Env): Out {
  let d: string | undefined;
  if (from.type === 'currency') d = value as string;
  else if (typeof value === 'number') d = numberToDecimal(value);
  else if (typeof value === 'boolean') return FAIL;
  else {
    const text = toText(value, from, env);
    if (typeof text !== 'string') return FAIL;
    const t = text.replace(/[¥￥$€£,，\s]|元|CNY|RMB/g, '');
    if (!isDecimalText(t)) return FAIL;
    d = canonicalDecimal(t);
  }
  const scale = currencyScale(to.currency);
  return fixedDecimal(
    canonicalDecimal(new Decimal(d).toDecimalPlaces(scale, Decimal.ROUND_HALF_UP).toFixed()),
    scale,
  );
}

function parseDateText(text: string): string | undefined {
  const t = text.trim();
  if (isValidDate(t)) return t;
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(t);
  if (m === null) return undefined;
  const iso = `${m[1]}-${(m[2] as string).padStart(2, '0')}-${(m[3] as string).padStart(2, '0')}`;
  return isValidDate(iso) ? iso : undefined;
}

function toIds(value: unknown, from: FieldSchema, env: Env): Out {
  if (Array.isArray(value)) return value as string[];
  const text = toText(value, from, env);
  if (typeof text !== 'string') return FAIL;
  const ids = text
    .split(LIST_SPLIT)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return ids.every(isUuid) ? ids.map((s) => s.toLowerCase()) : FAIL;
}

/** Converts a canonical value of `from` to a value of `to` (not yet checked against `to`). */
function forward(value: unknown, from: FieldSchema, to: FieldSchema, env: Env): Out {
  if (value === null) return null;
  if (
    from.type === to.type &&
    from.type !== 'sub_table' &&
    from.type !== 'select' &&
    from.type !== 'radio' &&
    from.type !== 'multi_select' &&
    from.type !== 'relation' &&
    from.type !== 'currency' &&
    from.type !== 'formula'
  ) {
    return value;
  }
  switch (to.type) {
    case 'text':
    case 'textarea':
    case 'serial': {
      const text = toText(value, from, env);
      return text === '' ? null : text;
    }
    case 'rich_text': {
      if (from.type === 'rich_text') return value;
      const text = toText(value, from, env);
      return typeof text === 'string' ? textToHtml(text) : FAIL;
    }
    case 'number':
    case 'percent':
      return toNumber(value, from, env);
    case 'rating': {
      const n = toNumber(value, from, env);
      if (typeof n !== 'number') return FAIL;
      const max = typeof to.max === 'number' ? to.max : DEFAULT_RATING_MAX;
      const r = Math.round(n);
      return r >= 1 && r <= max ? r : FAIL;
    }
    case 'currency':
      return toDecimal(value, from, to, env);
    case 'date': {
      if (from.type === 'datetime') return dateInZone(value as string, env.timeZone);
      const text = toText(value, from, env);
      if (typeof text !== 'string') return FAIL;
      const asDate = parseDateText(text);
      if (asDate !== undefined) return asDate;
      const instant = canonicalDatetime(text.trim());
      return instant === undefined ? FAIL : dateInZone(instant, env.timeZone);
    }
    case 'datetime': {
      if (from.type === 'date') return startOfDateInZone(value as string, env.timeZone);
      const text = toText(value, from, env);
      if (typeof text !== 'string') return FAIL;
      const instant = canonicalDatetime(text.trim());
      if (instant !== undefined) return instant;
      const asDate = parseDateText(text);
      return asDate === undefined ? FAIL : startOfDateInZone(asDate, env.timeZone);
    }
    case 'select':
    case 'radio': {
      if (from.type === 'multi_select') {
        const first = (value as string[])[0];
        return first === undefined
          ? null
          : (optionFromText(to, optionLabel(from, first, env)) ??
              optionFromText(to, first) ??
              FAIL);
      }
      const text = toText(value, from, env);
      if (typeof text !== 'string') return FAIL;
      return (
        optionFromText(to, text) ??
        (typeof value === 'string' ? optionFromText(to, value) : undefined) ??
        FAIL
      );
    }
    case 'multi_select': {
      const items =
        from.type === 'multi_select'
          ? (value as string[]).map(
              (v) => optionFromText(to, v) ?? optionFromText(to, optionLabel(from, v, env)),
            )
          : from.type === 'select' || from.type === 'radio'
            ? [
                optionFromText(to, value as string) ??
                  optionFromText(to, optionLabel(from, value as string, env)),
              ]
            : (() => {
                const text = toText(value, from, env);
                return typeof text === 'string'
                  ? text.split(LIST_SPLIT).map((s) => optionFromText(to, s))
                  : [undefined];
              })();
      const known = items.filter((v): v is string => v !== undefined);
      return known.length === 0 ? FAIL : [...new Set(known)];
    }
    case 'boolean': {
      if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : FAIL;
      const text = toText(value, from, env);
      if (typeof text !== 'string') return FAIL;
      const t = text.trim().toLowerCase();
      return YES.has(t) ? true : NO.has(t) ? false : FAIL;
    }
    case 'phone': {
      const text = toText(
        typeof value === 'number' ? String(value) : value,
        typeof value === 'number' ? { ...from, type: 'text' } : from,
        env,
      );
      return typeof text === 'string' && isPhone(text) ? canonicalPhone(text) : FAIL;
    }
    case 'email': {
      const text = toText(value, from, env);
      return typeof text === 'string' && isEmail(text) ? text.trim().toLowerCase() : FAIL;
    }
    case 'url': {
      const text = toText(value, from, env);
      return typeof text === 'string' && isUrl(text) ? text.trim() : FAIL;
    }
    case 'user':
    case 'department': {
      const ids = toIds(value, from, env);
      return Array.isArray(ids) && ids.length >= 1 ? ids[0] : FAIL;
    }
    case 'relation': {
      const ids = toIds(value, from, env);
      if (!Array.isArray(ids)) return FAIL;
      if (to.relation?.multiple === true) return [...new Set(ids)];
      return ids.length >= 1 ? ids[0] : FAIL;
    }
    case 'sub_table': {
      if (from.type !== 'sub_table') return FAIL;
      return convertRows(value as Array<Record<string, unknown>>, from, to, env);
    }
    case 'attachment':
    case 'image': {
      if (from.type !== 'attachment' && from.type !== 'image') return FAIL;
      const files = value as Array<Record<string, unknown>>;
      return to.type === 'image' ? files.filter((f) => /^image\//i.test(String(f['mime']))) : files;
    }
    case 'address': {
      if (from.type === 'location') {
        const a = (value as Record<string, unknown>)['address'];
        return typeof a === 'string' && a !== '' ? { detail: a } : FAIL;
      }
      const text = toText(value, from, env);
      return typeof text === 'string' && text.trim() !== '' ? { detail: text.trim() } : FAIL;
    }
    case 'location':
      return FAIL;
    case 'formula':
      switch (to.resultType ?? 'number') {
        case 'number':
          return toNumber(value, from, env);
        case 'boolean':
          return forward(value, from, { ...to, type: 'boolean' }, env);
        case 'date':
          return forward(value, from, { ...to, type: 'date' }, env);
        default:
          return forward(value, from, { ...to, type: 'text' }, env);
      }
    case 'lookup':
      return value;
    case 'rollup':
      if (to.rollup?.aggregate === 'latest') return value;
      if (from.type === 'currency') return value;
      return toNumber(value, from, env);
  }
}

function convertRows(
  rows: Array<Record<string, unknown>>,
  from: FieldSchema,
  to: FieldSchema,
  env: Env,
): Out {
  if (to.fields === undefined || from.fields === undefined) return rows;
  const out: Array<Record<string, unknown>> = [];
  for (const row of rows) {
    const next: Record<string, unknown> = {};
    if (typeof row['id'] === 'string') next['id'] = row['id'];
    for (const column of to.fields) {
      const source = from.fields.find((c) => c.id === column.id);
      const cell = row[column.id];
      if (source === undefined || cell === undefined || cell === null) continue;
      const converted = convertCanonical(cell, source, column, env);
      if (converted === FAIL) return FAIL;
      next[column.id] = converted;
    }
    out.push(next);
  }
  return out;
}

/** forward, then checked and canonicalized as a value of `to`. */
function convertCanonical(value: unknown, from: FieldSchema, to: FieldSchema, env: Env): Out {
  const forwarded = forward(value, from, to, env);
  if (forwarded === FAIL) return FAIL;
  return canonical(to, forwarded);
}

/**
 * Converts a stored value of one field type to another (every pair is defined). Lossless when
 * converting back gives the original; otherwise `{ lossy: true, value, original }` (README rule 10).
 * Pass fields instead of bare types to convert through option labels, currencies and columns.
 */
export function convertValue(
  value: unknown,
  from: ConvertTarget,
  to: ConvertTarget,
  options: ConvertOptions = {},
): ConvertResult {
  const fromField = asField(from);
  const toField = asField(to);
  const env: Env = {
    timeZone: options.timeZone ?? 'UTC',
    locale: options.locale === 'en' || options.locale?.startsWith('en-') ? 'en' : 'zh-CN',
  };
  if (value === null || value === undefined) return { lossy: false, value: null };
  const source = canonical(fromField, value);
  if (source === FAIL) {
    // Not a valid value of its own type: convert what can be converted, keep the original.
    const attempt =
      isRecord(value) || Array.isArray(value)
        ? FAIL
        : convertCanonical(
            typeof value === 'string' ? value : JSON.stringify(value),
            { id: 'value', type: 'text', label: 'value' },
            toField,
            env,
          );
    return { lossy: true, value: attempt === FAIL ? null : attempt, original: value };
  }
  // An empty list is no value, like null (README rule 10).
  if (source === null || (Array.isArray(source) && source.length === 0))
    return { lossy: false, value: null };
  const converted = convertCanonical(source, fromField, toField, env);
  if (converted === FAIL || converted === null)
    return { lossy: true, value: null, original: value };
  const back = convertCanonical(converted, toField, fromField, env);
  if (back !== FAIL && sameJson(back, source)) return { lossy: false, value: converted };
  return { lossy: true, value: converted, original: value };
}
