// Value formats shared by the JSON Schema (as pattern strings, unicode mode) and by the engine's own
// layer (canonical forms). Every pattern accepts the empty string: a cleared value, stored as null.
// Patterns are linear: alternatives start with disjoint characters and repeats are bounded or
// separated by characters they cannot contain.
import { Decimal } from './decimal.js';

const SEP = '[ -]?';
const CN_PREFIX = String.raw`(?:\+86|0086|\(\+86\))`;
const CN_MOBILE = String.raw`1[3-9]\d${SEP}\d{4}${SEP}\d{4}`;
/** Area codes: 10 (Beijing), 2X, and three digits from 3XX to 9XX. */
const CN_AREA = String.raw`(?:10|2\d|[3-9]\d{2})`;
const CN_LOCAL = String.raw`\d{3,4}${SEP}\d{4}`;

/**
 * Phone numbers: a mainland China mobile (with or without +86 / 0086), a mainland landline
 * (0 + area code, or +86 + area code), or an international number (+ or 00, country code, 7–15
 * digits in all). Spaces, hyphens and brackets are allowed where people write them.
 */
export const PHONE_PATTERN =
  String.raw`^\s*(?:|(?:${CN_PREFIX}${SEP})?${CN_MOBILE}` +
  String.raw`|(?:\(0${CN_AREA}\)|0${CN_AREA})${SEP}${CN_LOCAL}` +
  String.raw`|${CN_PREFIX}${SEP}(?:\(${CN_AREA}\)|${CN_AREA})${SEP}${CN_LOCAL}` +
  String.raw`|(?:\+|00)(?!86)[1-9](?:[ ()-]{0,2}\d){6,14})\s*$`;

const EMAIL_LOCAL = "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}";
const EMAIL_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const EMAIL_TLD = '(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})';
/** E-mail addresses (surrounding spaces allowed; they are trimmed). */
export const EMAIL_PATTERN = String.raw`^\s*(?:|${EMAIL_LOCAL}@(?:${EMAIL_LABEL}\.)+${EMAIL_TLD})\s*$`;

/** http and https addresses only. */
export const URL_PATTERN = String.raw`^\s*(?:|[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+(?:[/?#]\S*)?)\s*$`;

const DATE_BODY = String.raw`\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])`;
/** `YYYY-MM-DD` (the calendar check — no 30 February — is done by `isValidDate`). */
export const DATE_PATTERN = `^(?:|${DATE_BODY})$`;
/** ISO 8601 instant with an offset: `2024-05-01T09:30:00+08:00`, `2024-05-01T01:30:00.000Z`. */
export const DATETIME_PATTERN = String.raw`^(?:|${DATE_BODY}T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d))$`;

/** A record, user or department id: a UUID (canonical in lowercase, as PostgreSQL writes it). */
const UUID_BODY = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
export const UUID_PATTERN = `^(?:|${UUID_BODY})$`;
export const UUID_STRICT_PATTERN = `^${UUID_BODY}$`;

/** A decimal amount as text: optional sign, up to 18 integer and 10 fraction digits. */
export const DECIMAL_PATTERN = String.raw`^\s*(?:|[+-]?\d{1,18}(?:\.\d{1,10})?)\s*$`;

export const MIME_PATTERN = String.raw`^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$`;
export const IMAGE_MIME_PATTERN = String.raw`^[Ii][Mm][Aa][Gg][Ee]/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$`;
/** A stored file's address: http(s) or a path on the host's own origin. */
export const FILE_URL_PATTERN = String.raw`^(?:[Hh][Tt][Tt][Pp][Ss]?://|/)\S{0,2047}$`;
/** Non-empty text of at most `n` code points that does not start with a space. */
export const boundedText = (n: number): string => String.raw`^\S[\s\S]{0,${n - 1}}$`;
export const ADCODE_PATTERN = String.raw`^(?:|\d{6})$`;

// ---------------------------------------------------------------------------------------------
// Canonical (stored) forms: what the form's JSON Schema accepts. Lengths count UTF-16 code units,
// as an HTML input's maxlength does (a Chinese character counts 1, an emoji 2).

/** A calendar day, leap years included (no 2023-02-29, no 2024-04-31, no year 0000). */
const CALENDAR_DATE =
  String.raw`(?!0000)(?:\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8]))` +
  String.raw`|(?:\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)`;
export const STRICT_DATE_PATTERN = `^${CALENDAR_DATE}$`;
/** `toISOString()` output: UTC with milliseconds. */
export const STRICT_DATETIME_PATTERN = String.raw`^${CALENDAR_DATE}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$`;
/** Mainland mobile or landline as dialled at home, or E.164 outside mainland China. */
export const STRICT_PHONE_PATTERN = String.raw`^(?:1[3-9]\d{9}|0(?:10|2\d|[3-9]\d{2})\d{7,8}|\+(?!86)[1-9]\d{6,14})$`;
export const STRICT_EMAIL_PATTERN =
  "^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$";
export const STRICT_URL_PATTERN = String.raw`^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+(?:[/?#]\S*)?$`;
export const STRICT_UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
/** Text without surrounding spaces, not blank. */
export const TRIMMED_PATTERN = String.raw`^\S(?:[\s\S]*\S)?$`;
/** Text with something besides spaces. */
export const NON_BLANK_PATTERN = String.raw`\S`;

/** A decimal written with exactly `scale` fraction digits, no plus, no leading zeros, no -0. */
export function strictDecimalPattern(scale: number): string {
  return scale === 0
    ? String.raw`^(?!-0$)-?(?:0|[1-9]\d{0,17})$`
    : String.raw`^(?!-0\.0+$)-?(?:0|[1-9]\d{0,17})\.\d{${scale}}$`;
}

const PHONE_RE = new RegExp(PHONE_PATTERN, 'u');
const EMAIL_RE = new RegExp(EMAIL_PATTERN, 'u');
const URL_RE = new RegExp(URL_PATTERN, 'u');
const DATE_RE = new RegExp(DATE_PATTERN, 'u');
const DATETIME_RE = new RegExp(DATETIME_PATTERN, 'u');
const UUID_RE = new RegExp(UUID_STRICT_PATTERN, 'u');
const DECIMAL_RE = new RegExp(DECIMAL_PATTERN, 'u');

const isBlank = (s: string): boolean => s.trim() === '';

/** True when the text is a phone number this engine accepts (blank is not). */
export function isPhone(s: string): boolean {
  return !isBlank(s) && PHONE_RE.test(s);
}
export function isEmail(s: string): boolean {
  return !isBlank(s) && s.trim().length <= 254 && EMAIL_RE.test(s);
}
export function isUrl(s: string): boolean {
  return !isBlank(s) && s.trim().length <= 2048 && URL_RE.test(s);
}
export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}
export function isDecimalText(s: string): boolean {
  return !isBlank(s) && DECIMAL_RE.test(s);
}

/**
 * The canonical form of a phone number that matched PHONE_PATTERN: digits only for mainland China
 * numbers, as dialled at home (mobile `13812345678`, landline `02112345678`), and E.164 for the
 * rest of the world (`+14155552671`). `+86 138-1234-5678`, `138 1234 5678` and `0086 13812345678`
 * all become `13812345678`; `+86 21 1234 5678` and `(021) 1234-5678` become `02112345678`.
 */
export function canonicalPhone(input: string): string {
  const s = input.trim();
  if (s.length === 11 && s.charCodeAt(0) === 49 /* 1 */ && isAllDigits(s)) return s;
  const digits = s.replace(/\D/g, '');
  const international = s.includes('+') || digits.startsWith('00');
  if (!international) return digits;
  const e164 = digits.startsWith('00') && !s.includes('+') ? digits.slice(2) : digits;
  if (!e164.startsWith('86')) return `+${e164}`;
  const national = e164.slice(2);
  return national.startsWith('1') ? national : `0${national}`;
}

function isAllDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A `YYYY-MM-DD` text that names a real calendar day (2024-02-29 yes, 2023-02-29 no). */
export function isValidDate(s: string): boolean {
  if (s.length !== 10 || !DATE_RE.test(s)) return false;
  return dayExists(s, 0);
}

function digitsAt(s: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) n = n * 10 + (s.charCodeAt(i) - 48);
  return n;
}

function dayExists(s: string, offset: number): boolean {
  const year = digitsAt(s, offset, 4);
  const month = digitsAt(s, offset + 5, 2);
  const day = digitsAt(s, offset + 8, 2);
  if (year < 1) return false;
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The canonical form of an ISO instant: UTC with milliseconds (`toISOString`), or undefined. */
export function canonicalDatetime(s: string): string | undefined {
  if (s.length < 17 || !DATETIME_RE.test(s) || !dayExists(s, 0)) return undefined;
  const ms = Date.parse(s);
  if (!Number.isFinite(ms)) return undefined;
  const iso = new Date(ms).toISOString();
  return iso.length === 24 ? iso : undefined;
}

/**
 * The canonical text of a decimal: no sign for zero or plus, no leading zeros, no trailing
 * fraction zeros (`"012800.50"` → `"12800.5"`, `"-0.0"` → `"0"`). The input matched DECIMAL_PATTERN.
 */
export function canonicalDecimal(input: string): string {
  let s = input.trim();
  let negative = false;
  if (s.charCodeAt(0) === 45 /* - */) {
    negative = true;
    s = s.slice(1);
  } else if (s.charCodeAt(0) === 43 /* + */) s = s.slice(1);
  const dot = s.indexOf('.');
  let int = dot < 0 ? s : s.slice(0, dot);
  let frac = dot < 0 ? '' : s.slice(dot + 1);
  let i = 0;
  while (i < int.length - 1 && int.charCodeAt(i) === 48) i++;
  if (i > 0) int = int.slice(i);
  let j = frac.length;
  while (j > 0 && frac.charCodeAt(j - 1) === 48) j--;
  if (j < frac.length) frac = frac.slice(0, j);
  const body = frac === '' ? int : `${int}.${frac}`;
  return negative && body !== '0' ? `-${body}` : body;
}

/** A finite JavaScript number as a canonical decimal text (`12800.5` → `"12800.5"`, `1e21` → `"1000000000000000000000"`). */
export function numberToDecimal(n: number): string {
  if (n === 0) return '0';
  const s = String(n);
  // String() is the shortest exact form; only exponent forms need decimal.js to be written out.
  return s.includes('e') ? canonicalDecimal(new Decimal(n).toFixed()) : s;
}

/** A minimal decimal (see canonicalDecimal) written with exactly `scale` fraction digits. */
export function fixedDecimal(minimal: string, scale: number): string {
  const digits = fractionDigits(minimal);
  if (scale === 0 || digits === scale) return minimal;
  return digits === 0 ? `${minimal}.${'0'.repeat(scale)}` : minimal + '0'.repeat(scale - digits);
}

/** A `YYYY-MM-DD` text that matched DATE_PATTERN names a day that exists. */
export function dateDayExists(s: string): boolean {
  return dayExists(s, 0);
}

/** Digits after the decimal point of a canonical decimal. */
export function fractionDigits(canonical: string): number {
  const dot = canonical.indexOf('.');
  return dot < 0 ? 0 : canonical.length - dot - 1;
}

/** Digits before the decimal point of a canonical decimal. */
export function integerDigits(canonical: string): number {
  const start = canonical.charCodeAt(0) === 45 ? 1 : 0;
  const dot = canonical.indexOf('.');
  return (dot < 0 ? canonical.length : dot) - start;
}

/** Minor units of currencies that do not use 2 decimals; every other code allows 2. */
const MINOR_UNITS: Readonly<Record<string, number>> = {
  JPY: 0,
  KRW: 0,
  VND: 0,
  CLP: 0,
  ISK: 0,
  UGX: 0,
  XAF: 0,
  XOF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

export function currencyScale(code: string | undefined): number {
  return MINOR_UNITS[code ?? 'CNY'] ?? 2;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(kind: 'date' | 'full', timeZone: string): Intl.DateTimeFormat {
  const key = `${kind}|${timeZone}`;
  let f = formatters.get(key);
  if (f === undefined) {
    f =
      kind === 'date'
        ? new Intl.DateTimeFormat('en-CA', {
            timeZone,
            year: 'numeric',
            month: '2-digit',
            day: '2-digit',
          })
        : new Intl.DateTimeFormat('en-US', {
            timeZone,
            hourCycle: 'h23',
            year: 'numeric',
            month: '2-digit',
            day: '2-digit',
            hour: '2-digit',
            minute: '2-digit',
            second: '2-digit',
          });
    formatters.set(key, f);
  }
  return f;
}

/** The date part of an instant in a time zone (`Intl`, no clock read). */
export function dateInZone(iso: string, timeZone: string): string {
  const parts = formatter('date', timeZone).formatToParts(new Date(iso));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year').padStart(4, '0')}-${get('month')}-${get('day')}`;
}

/** Midnight of a local date in a time zone, as a canonical instant. */
export function startOfDateInZone(date: string, timeZone: string): string {
  const utc = Date.parse(`${date}T00:00:00Z`);
  // The zone's offset at that moment, found with Intl (two passes cover DST changes).
  let guess = utc;
  for (let pass = 0; pass < 2; pass++) guess = utc - offsetMs(guess, timeZone);
  return new Date(guess).toISOString();
}

function offsetMs(ms: number, timeZone: string): number {
  const parts = formatter('full', timeZone).formatToParts(new Date(ms));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? '0');
  const local =
    new Date(0).setUTCFullYear(get('year'), get('month') - 1, get('day')) +
    ((get('hour') * 60 + get('minute')) * 60 + get('second')) * 1000;
  return local - Math.floor(ms / 1000) * 1000;
}
