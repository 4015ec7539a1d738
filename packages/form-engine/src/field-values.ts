// One field's value: its lenient JSON Schema (what people may send), what a JSON-Schema error on it
// means (code and params), the coercion that turns a lenient value into the canonical one (and
// runs the checks JSON Schema cannot express), and the extra check a canonical value still needs.
import { compile } from '@trellis/rule-engine';
import { Decimal } from './decimal.js';
import { DEFAULT_RATING_MAX, LIMITS } from './field-types.js';
import { lenientFieldSchema, type JsonSchema } from './json-schema.js';
import type { MessageParams, ValueErrorCode } from './messages.js';
import { htmlToText, sanitizeHtml } from './sanitize-html.js';
import { checkJsonSchema } from './schema-check.js';
import type { FieldSchema, JsonSchemaError } from './types.js';
import {
  canonicalDatetime,
  canonicalDecimal,
  canonicalPhone,
  currencyScale,
  dateDayExists,
  fixedDecimal,
  fractionDigits,
  integerDigits,
  numberToDecimal,
} from './value-formats.js';

/** Returned by a coercion that reported a failure. */
const INVALID: unique symbol = Symbol('invalid');

/** Reports a failure; `subPath` is relative to the value (`0.size` for a file's size). */
export type Fail = (code: ValueErrorCode, params?: MessageParams, subPath?: string) => void;

/** Runs on a non-null value that passed the lenient JSON Schema; returns the canonical value or INVALID. */
export type Coerce = (value: unknown, fail: Fail) => unknown;

export type ValueSpec = {
  readonly field: FieldSchema;
  readonly jsonSchema: JsonSchema;
  /** Absent when the value is stored as given. */
  readonly coerce: Coerce | undefined;
  /**
   * For a value the strict JSON Schema accepted: true when it needs nothing more (the checks JSON
   * Schema cannot express pass, and it is canonical). Absent: the strict schema says it all.
   */
  readonly extra: ((value: unknown) => boolean) | undefined;
  /** Sub-table columns. */
  readonly columns?: readonly ValueSpec[];
};

/** An empty canonical value: what `required` rejects. */
export function isEmptyValue(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === '' ||
    (Array.isArray(value) && value.length === 0)
  );
}

const ADDRESS_TEXT_PARTS = ['province', 'city', 'district', 'detail'] as const;

/** An address is empty when none of province, city, district and detail has text. */
export function isEmptyAddress(value: unknown): boolean {
  if (isEmptyValue(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const a = value as Record<string, unknown>;
  return !ADDRESS_TEXT_PARTS.some(
    (k) => typeof a[k] === 'string' && (a[k] as string).trim() !== '',
  );
}

const isSpace = (c: number): boolean =>
  c === 32 ||
  (c >= 9 && c <= 13) ||
  c === 0xa0 ||
  c === 0x3000 ||
  c === 0xfeff ||
  c === 0x2028 ||
  c === 0x2029;

/** Trimmed text, or null when it is blank; allocates only when there is something to trim. */
function trimmed(s: string): string | null {
  if (s.length === 0) return null;
  if (!isSpace(s.charCodeAt(0)) && !isSpace(s.charCodeAt(s.length - 1))) return s;
  const t = s.trim();
  return t === '' ? null : t;
}

/** Length bounds in UTF-16 code units (as an HTML input's maxlength counts). */
function lengthCheck(field: FieldSchema, cap: number): (s: string, fail: Fail) => boolean {
  const min = field.minLength ?? 0;
  const max = Math.min(field.maxLength ?? cap, cap);
  return (s, fail) => {
    if (s.length > max) {
      fail('TOO_LONG', { limit: max });
      return false;
    }
    if (s.length < min) {
      fail('TOO_SHORT', { limit: min });
      return false;
    }
    return true;
  };
}

function countCheck(field: FieldSchema): ((n: number, fail: Fail) => boolean) | undefined {
  const min = typeof field.min === 'number' ? field.min : undefined;
  const max = typeof field.max === 'number' ? field.max : undefined;
  if (min === undefined && max === undefined) return undefined;
  return (n, fail) => {
    if (n === 0) return true; // empty is `required`'s business
    if (min !== undefined && n < min) {
      fail('TOO_FEW_ITEMS', { limit: min });
      return false;
    }
    if (max !== undefined && n > max) {
      fail('TOO_MANY_ITEMS', { limit: max });
      return false;
    }
    return true;
  };
}

/** A list without repeated items (the strict schema does not check it: README rule 8). */
function hasNoRepeats(value: unknown): boolean {
  const items = value as readonly unknown[];
  for (let i = 1; i < items.length; i++) {
    for (let j = 0; j < i; j++) if (items[j] === items[i]) return false;
  }
  return true;
}

/** Removes repeated items, keeping the first; the same array when there are none. */
function dedupe(items: readonly string[]): string[] {
  for (let i = 1; i < items.length; i++) {
    for (let j = 0; j < i; j++) {
      if (items[j] === items[i]) return [...new Set(items)];
    }
  }
  return items as string[];
}

/**
 * A field's `pattern`, run by the rule engine's linear-time matcher (README rule 6): a pattern
 * typed into the designer can never make the server backtrack for minutes.
 */
function userPattern(pattern: string): (text: string) => boolean {
  const test = compile({ regex_match: [{ var: 'v' }, pattern, 'u'] }, { codegen: false });
  return (text) => {
    try {
      return test({ v: text }) === true;
    } catch {
      return false;
    }
  };
}

/** Text is kept as typed (the designer trims on blur); blank text is no text (null). */
function textCoerce(field: FieldSchema): Coerce {
  const length = lengthCheck(
    field,
    field.type === 'text' ? LIMITS.textLength : LIMITS.textareaLength,
  );
  const pattern = field.pattern === undefined ? undefined : userPattern(field.pattern);
  return (value, fail) => {
    const s = value as string;
    if (trimmed(s) === null) return null;
    if (!length(s, fail)) return INVALID;
    if (pattern !== undefined && !pattern(s)) {
      fail('PATTERN_MISMATCH');
      return INVALID;
    }
    return s;
  };
}

function richTextCoerce(field: FieldSchema): Coerce {
  const length = lengthCheck(field, LIMITS.richTextLength);
  return (value, fail) => {
    const html = sanitizeHtml(value as string);
    const text = htmlToText(html);
    if (text.trim() === '') return null;
    if (!length(text, fail)) return INVALID;
    if (html.length > LIMITS.richTextLength * 2) {
      fail('TOO_LONG', { limit: LIMITS.richTextLength });
      return INVALID;
    }
    return html;
  };
}

function decimalBound(value: number | string | undefined): Decimal | undefined {
  if (value === undefined) return undefined;
  return new Decimal(typeof value === 'number' ? numberToDecimal(value) : canonicalDecimal(value));
}

function decimalRange(field: FieldSchema): ((d: string, fail: Fail) => boolean) | undefined {
  const min = decimalBound(field.min);
  const max = decimalBound(field.max);
  if (min === undefined && max === undefined) return undefined;
  return (d, fail) => {
    const n = new Decimal(d);
    if (min !== undefined && n.lt(min)) {
      fail('TOO_SMALL', { limit: min.toFixed(), kind: 'number' });
      return false;
    }
    if (max !== undefined && n.gt(max)) {
      fail('TOO_LARGE', { limit: max.toFixed(), kind: 'number' });
      return false;
    }
    return true;
  };
}

function currencyCoerce(field: FieldSchema): Coerce {
  const scale = currencyScale(field.currency);
  const range = decimalRange(field);
  return (value, fail) => {
    let d: string;
    if (typeof value === 'number') {
      d = numberToDecimal(value);
      if (integerDigits(d) > 18) {
        fail('INVALID_DECIMAL');
        return INVALID;
      }
    } else {
      const t = trimmed(value as string);
      if (t === null) return null;
      d = canonicalDecimal(t);
    }
    if (fractionDigits(d) > scale) {
      fail('TOO_MANY_DECIMALS', { limit: scale });
      return INVALID;
    }
    if (range !== undefined && !range(d, fail)) return INVALID;
    return fixedDecimal(d, scale);
  };
}

function stringRange(
  field: FieldSchema,
  canonical: (s: string) => string | undefined,
): ((s: string, fail: Fail) => boolean) | undefined {
  const min = typeof field.min === 'string' ? canonical(field.min) : undefined;
  const max = typeof field.max === 'string' ? canonical(field.max) : undefined;
  if (min === undefined && max === undefined) return undefined;
  return (s, fail) => {
    if (min !== undefined && s < min) {
      fail('TOO_SMALL', { limit: field.min as string, kind: 'date' });
      return false;
    }
    if (max !== undefined && s > max) {
      fail('TOO_LARGE', { limit: field.max as string, kind: 'date' });
      return false;
    }
    return true;
  };
}

const asIs = (s: string): string => s;

function dateCoerce(field: FieldSchema): Coerce {
  const range = stringRange(field, asIs);
  return (value, fail) => {
    const s = value as string;
    if (s === '') return null;
    if (!dateDayExists(s)) {
      fail('INVALID_DATE');
      return INVALID;
    }
    if (range !== undefined && !range(s, fail)) return INVALID;
    return s;
  };
}

function datetimeCoerce(field: FieldSchema): Coerce {
  const range = stringRange(field, canonicalDatetime);
  return (value, fail) => {
    const s = value as string;
    if (s === '') return null;
    const c = canonicalDatetime(s);
    if (c === undefined) {
      fail('INVALID_DATETIME');
      return INVALID;
    }
    if (range !== undefined && !range(c, fail)) return INVALID;
    return c;
  };
}

const emptyToNull: Coerce = (value) => (value === '' ? null : value);

const lowerId: Coerce = (value) => {
  const s = value as string;
  return s === '' ? null : hasUpperAscii(s) ? s.toLowerCase() : s;
};

function listCoerce(field: FieldSchema, lower: boolean): Coerce {
  const count = countCheck(field);
  return (value, fail) => {
    const list = value as string[];
    const items = dedupe(
      lower && list.some(hasUpperAscii) ? list.map((s) => s.toLowerCase()) : list,
    );
    if (count !== undefined && !count(items.length, fail)) return INVALID;
    return items;
  };
}

const phoneCoerce: Coerce = (value) => {
  const t = trimmed(value as string);
  return t === null ? null : canonicalPhone(t);
};

const emailCoerce: Coerce = (value, fail) => {
  const t = trimmed(value as string);
  if (t === null) return null;
  if (t.length > 254) {
    fail('INVALID_EMAIL');
    return INVALID;
  }
  return hasUpperAscii(t) ? t.toLowerCase() : t;
};

/** A-Z anywhere in the text. */
function hasUpperAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}

const urlCoerce: Coerce = (value, fail) => {
  const t = trimmed(value as string);
  if (t === null) return null;
  if (t.length > 2048) {
    fail('INVALID_URL');
    return INVALID;
  }
  return t;
};

/** Canonical location: no null parts, the address trimmed, capturedAt as an ISO instant. */
const locationCoerce: Coerce = (value, fail) => {
  const location = value as Record<string, unknown>;
  const out: Record<string, unknown> = { lat: location['lat'], lng: location['lng'] };
  const address = location['address'];
  if (typeof address === 'string') {
    const t = trimmed(address);
    if (t !== null) out['address'] = t;
  }
  if (typeof location['accuracy'] === 'number') out['accuracy'] = location['accuracy'];
  if (typeof location['coordSystem'] === 'string') out['coordSystem'] = location['coordSystem'];
  const at = location['capturedAt'];
  if (typeof at === 'string' && at !== '') {
    const c = canonicalDatetime(at);
    if (c === undefined) {
      fail('INVALID_LOCATION', undefined, 'capturedAt');
      return INVALID;
    }
    out['capturedAt'] = c;
  }
  return out;
};

function filesCoerce(field: FieldSchema): Coerce | undefined {
  const count = countCheck(field);
  if (count === undefined) return undefined;
  return (value, fail) => (count((value as unknown[]).length, fail) ? value : INVALID);
}

/** The extra check of a canonical value: the coercion succeeds and changes nothing. */
function unchangedBy(coerce: Coerce): (value: unknown) => boolean {
  let failed = false;
  const fail: Fail = () => {
    failed = true;
  };
  return (value) => {
    failed = false;
    const out = coerce(value, fail);
    return !failed && out === value;
  };
}

/** The value layer of a field (sub-table columns included). */
export function valueSpec(field: FieldSchema): ValueSpec {
  const jsonSchema = lenientFieldSchema(field);
  const spec = (
    coerce: Coerce | undefined,
    extra?: (value: unknown) => boolean,
    columns?: readonly ValueSpec[],
  ): ValueSpec => ({
    field,
    jsonSchema,
    coerce,
    extra,
    ...(columns === undefined ? {} : { columns }),
  });
  const bounded = field.min !== undefined || field.max !== undefined;
  switch (field.type) {
    case 'text':
    case 'textarea': {
      const coerce = textCoerce(field);
      return spec(coerce, field.pattern !== undefined ? unchangedBy(coerce) : undefined);
    }
    case 'rich_text': {
      const coerce = richTextCoerce(field);
      return spec(coerce, unchangedBy(coerce));
    }
    case 'number':
    case 'percent':
    case 'rating':
    case 'boolean':
      return spec(undefined);
    case 'currency': {
      const coerce = currencyCoerce(field);
      return spec(coerce, bounded ? unchangedBy(coerce) : undefined);
    }
    case 'date': {
      const coerce = dateCoerce(field);
      return spec(coerce, bounded ? unchangedBy(coerce) : undefined);
    }
    case 'datetime': {
      const coerce = datetimeCoerce(field);
      return spec(coerce, bounded ? unchangedBy(coerce) : undefined);
    }
    case 'select':
    case 'radio':
      return spec(emptyToNull);
    case 'multi_select':
      return spec(listCoerce(field, false), hasNoRepeats);
    case 'phone':
      return spec(phoneCoerce);
    case 'email':
      return spec(emailCoerce);
    case 'url':
      return spec(urlCoerce);
    case 'user':
    case 'department':
      return spec(lowerId);
    case 'relation':
      return field.relation?.multiple === true
        ? spec(listCoerce(field, true), hasNoRepeats)
        : spec(lowerId);
    case 'sub_table':
      return spec(undefined, undefined, (field.fields ?? []).map(valueSpec));
    case 'attachment':
    case 'image':
      return spec(filesCoerce(field));
    case 'address':
      return spec(undefined);
    case 'location':
      return spec(locationCoerce);
    case 'serial':
    case 'lookup':
    case 'rollup':
      return spec(undefined);
    case 'formula':
      return spec(
        field.resultType === 'date'
          ? dateCoerce({ ...field, min: undefined, max: undefined })
          : undefined,
      );
  }
}

/** What a JSON-Schema error on a field's value means. `rel` are the path segments below the field. */
export function describeSchemaError(
  field: FieldSchema,
  error: JsonSchemaError,
  rel: readonly string[],
  offending: unknown,
): ValueProblem {
  const keyword = error.keyword;
  let subPath = rel.join('.');
  if (keyword === 'additionalProperties') {
    subPath = [...rel, String(error.params['additionalProperty'])].join('.');
  } else if (keyword === 'required') {
    subPath = [...rel, String(error.params['missingProperty'])].join('.');
  }
  const at = (code: ValueErrorCode, params?: MessageParams): ValueProblem =>
    params === undefined ? { code, subPath } : { code, params, subPath };
  const limit = error.params['limit'];
  if (rel.length === 0 && keyword === 'maxItems')
    return at('TOO_MANY_ITEMS', { limit: limit as number });
  if (rel.length === 0 && keyword === 'minItems')
    return at('TOO_FEW_ITEMS', { limit: limit as number });
  if (rel.length === 0 && keyword === 'maxLength')
    return at('TOO_LONG', { limit: limit as number });
  if (rel.length === 0 && keyword === 'minLength')
    return at('TOO_SHORT', { limit: limit as number });
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'rich_text':
    case 'serial':
      return at('INVALID_TYPE', { expected: 'text' });
    case 'number':
    case 'percent':
      if (keyword === 'minimum') return at('TOO_SMALL', { limit: limit as number, kind: 'number' });
      if (keyword === 'maximum') return at('TOO_LARGE', { limit: limit as number, kind: 'number' });
      return at('INVALID_NUMBER');
    case 'rating':
      return at('INVALID_RATING', {
        max: typeof field.max === 'number' ? field.max : DEFAULT_RATING_MAX,
      });
    case 'currency':
      return at('INVALID_DECIMAL');
    case 'date':
      return at('INVALID_DATE');
    case 'datetime':
      return at('INVALID_DATETIME');
    case 'select':
    case 'radio':
      return at('INVALID_OPTION', { value: shortText(offending) });
    case 'multi_select':
      if (rel.length === 0) return at('INVALID_TYPE', { expected: 'list' });
      return at('INVALID_OPTION', { value: shortText(offending) });
    case 'boolean':
      return at('INVALID_TYPE', { expected: 'boolean' });
    case 'phone':
      return at('INVALID_PHONE');
    case 'email':
      return at('INVALID_EMAIL');
    case 'url':
      return at('INVALID_URL');
    case 'user':
    case 'department':
    case 'relation':
      return at('INVALID_ID');
    case 'sub_table':
      if (rel.length === 1 && keyword === 'additionalProperties') {
        return at('UNKNOWN_FIELD', { key: String(error.params['additionalProperty']) });
      }
      if (rel.length === 2 && rel[1] === 'id') return at('INVALID_ID');
      return at('INVALID_TYPE', { expected: rel.length === 0 ? 'rows' : 'row' });
    case 'attachment':
    case 'image':
      if (field.type === 'image' && keyword === 'pattern' && rel[rel.length - 1] === 'mime')
        return at('INVALID_IMAGE');
      return at('INVALID_FILE');
    case 'address':
      return at('INVALID_ADDRESS');
    case 'location':
      return at('INVALID_LOCATION');
    case 'formula':
    case 'lookup':
    case 'rollup':
      return at('INVALID_TYPE', { expected: 'value' });
  }
}

/** A value as it may appear in a message (at most 40 characters). */
function shortText(value: unknown): string {
  const s = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}

export type ValueProblem = { code: ValueErrorCode; params?: MessageParams; subPath: string };

/** Reads the value at JSON-pointer segments below `value`. */
export function valueAt(value: unknown, segments: readonly string[]): unknown {
  let current = value;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The canonical value of a field, checked completely (lenient JSON Schema, then coercion), without
 * ajv. Sub-table rows are checked cell by cell (row rules and formulas are not run here).
 */
export function parseFieldValue(
  spec: ValueSpec,
  value: unknown,
): { ok: true; value: unknown } | { ok: false; problems: ValueProblem[] } {
  if (value === undefined || value === null) return { ok: true, value: null };
  const errors = checkJsonSchema(spec.jsonSchema, value);
  if (errors.length === 0) {
    if (spec.columns !== undefined) return parseRows(spec, value as Record<string, unknown>[]);
    if (spec.coerce === undefined) return { ok: true, value };
    let failures: ValueProblem[] | undefined;
    const out = spec.coerce(value, (code, params, subPath = '') => {
      (failures ??= []).push(params === undefined ? { code, subPath } : { code, params, subPath });
    });
    if (out === INVALID || failures !== undefined) return { ok: false, problems: failures ?? [] };
    return { ok: true, value: out };
  }
  const problems: ValueProblem[] = [];
  for (const error of errors) {
    const rel = pointerSegments(error.instancePath);
    if (spec.columns !== undefined && rel.length >= 2 && rel[1] !== 'id') {
      const column = spec.columns.find((c) => c.field.id === rel[1]);
      if (column !== undefined) {
        const inner = describeSchemaError(column.field, error, rel.slice(2), valueAt(value, rel));
        problems.push({
          ...inner,
          subPath: [rel[0], rel[1], inner.subPath].filter((s) => s !== '').join('.'),
        });
        continue;
      }
    }
    problems.push(describeSchemaError(spec.field, error, rel, valueAt(value, rel)));
  }
  return { ok: false, problems };
}

function parseRows(
  spec: ValueSpec,
  rows: Record<string, unknown>[],
): { ok: true; value: unknown } | { ok: false; problems: ValueProblem[] } {
  const problems: ValueProblem[] = [];
  const count = countCheck(spec.field);
  if (count !== undefined)
    count(rows.length, (code, params) =>
      problems.push({ code, params: params ?? {}, subPath: '' }),
    );
  const out = rows.map((row, i) => {
    const next: Record<string, unknown> = {};
    if (typeof row['id'] === 'string') next['id'] = row['id'];
    for (const column of spec.columns ?? []) {
      const cell = row[column.field.id];
      if (cell === undefined) continue;
      const parsed = parseFieldValue(column, cell);
      if (parsed.ok) next[column.field.id] = parsed.value;
      else
        for (const p of parsed.problems) {
          problems.push({
            ...p,
            subPath: [String(i), column.field.id, p.subPath].filter((s) => s !== '').join('.'),
          });
        }
    }
    return next;
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: out };
}
