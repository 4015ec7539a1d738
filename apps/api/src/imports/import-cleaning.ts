/**
 * Cleaning of spreadsheet cells before form-engine sees them: what people
 * type into Chinese spreadsheets (full-width digits, 2026年1月5日, 12.5万,
 * +86 138-1234-5678, 是/否) becomes what the field expects. Whatever cannot
 * be understood is passed on unchanged, so form-engine rejects it with its
 * own localized message.
 */

const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;
const EDGE_SPACE = /^[\s\u3000\u00A0]+|[\s\u3000\u00A0]+$/g;

/** Zero-width characters removed, ordinary, non-breaking and ideographic spaces trimmed. */
export function trimCell(cell: string): string {
  return cell.replace(INVISIBLE, '').replace(EDGE_SPACE, '');
}

/** Full-width ASCII (！ to ～) and the ideographic space become their half-width forms. */
export function toHalfWidth(text: string): string {
  let out = '';
  let changed = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xff01 && c <= 0xff5e) {
      out += String.fromCharCode(c - 0xfee0);
      changed = true;
    } else if (c === 0x3000) {
      out += ' ';
      changed = true;
    } else out += text[i];
  }
  return changed ? out : text;
}

/**
 * Only full-width letters and digits (and the ideographic space) become
 * half-width: text keeps its Chinese punctuation (，。：) as written.
 */
export function halfWidthAlphanumerics(text: string): string {
  let out = '';
  let changed = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (
      (c >= 0xff10 && c <= 0xff19) ||
      (c >= 0xff21 && c <= 0xff3a) ||
      (c >= 0xff41 && c <= 0xff5a)
    ) {
      out += String.fromCharCode(c - 0xfee0);
      changed = true;
    } else if (c === 0x3000) {
      out += ' ';
      changed = true;
    } else out += text[i];
  }
  return changed ? out : text;
}

export function cleanText(cell: string): string {
  return halfWidthAlphanumerics(trimCell(cell));
}

/** Excel's display of a long number it has already rounded ("1.38123E+10"): the digits are lost. */
export const EXCEL_SCIENTIFIC = /^[+-]?\d(?:\.\d+)?E\+\d+$/i;

/** "+86 138-1234-5678", "（021）6432 1234", "138.1234.5678" → digits with their + and brackets. */
export function cleanPhone(cell: string): string {
  const text = toHalfWidth(trimCell(cell)).replace(/^tel:/i, '');
  return text.replace(/[\s.\u2014\u2013]+/g, '').replace(/-+/g, '-');
}

export function cleanEmail(cell: string): string {
  return toHalfWidth(trimCell(cell))
    .replace(/^mailto:/i, '')
    .replace(/\s+/g, '')
    .toLowerCase();
}

export function cleanUrl(cell: string): string {
  const text = toHalfWidth(trimCell(cell));
  if (text === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text;
  return /^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:[/?#]\S*)?$/i.test(text)
    ? `https://${text}`
    : text;
}

const MULTIPLIERS: Readonly<Record<string, number>> = { 万: 4, 亿: 8, w: 4, W: 4 };

/** Moves the decimal point of a plain decimal string `shift` places right, exactly. */
function shiftDecimal(decimal: string, shift: number): string {
  const negative = decimal.startsWith('-');
  const digits = negative ? decimal.slice(1) : decimal;
  const [int = '0', frac = ''] = digits.split('.');
  const padded = frac.padEnd(shift, '0');
  const whole = `${int}${padded.slice(0, shift)}`.replace(/^0+(?=\d)/, '');
  const rest = padded.slice(shift).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${rest === '' ? '' : `.${rest}`}`;
}

/**
 * "¥1,280,000.50" → "1280000.50"; "12.5万" → "125000"; "(1,200.00)" → "-1200.00";
 * "85%" → "85". Returns null when the cell is not a number at all.
 */
export function parseDecimal(cell: string): string | null {
  let text = toHalfWidth(trimCell(cell))
    .replace(/[\s,_]/g, '')
    .replace(/^(?:RMB|CNY|人民币)/i, '')
    .replace(/[¥￥$]/g, '')
    .replace(/(?:元|块|RMB|CNY)$/i, '')
    .replace(/%$/, '');
  if (text === '') return null;
  let negative = false;
  const accounting = /^\((.*)\)$/.exec(text);
  if (accounting?.[1] !== undefined) {
    negative = true;
    text = accounting[1];
  }
  let shift = 0;
  const last = text.slice(-1);
  if (MULTIPLIERS[last] !== undefined) {
    shift = MULTIPLIERS[last] ?? 0;
    text = text.slice(0, -1);
  }
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(text)) return null;
  if (text.startsWith('+')) text = text.slice(1);
  if (text.startsWith('-')) {
    negative = !negative;
    text = text.slice(1);
  }
  if (text.startsWith('.')) text = `0${text}`;
  if (text.endsWith('.')) text = text.slice(0, -1);
  const value = shift > 0 ? shiftDecimal(text, shift) : text;
  return negative && !/^0(?:\.0*)?$/.test(value) ? `-${value}` : value;
}

const TRUE_WORDS = new Set(['是', '有', '对', '真', 'y', 'yes', 'true', '1', '√', '✓', '✔', 't']);
const FALSE_WORDS = new Set([
  '否',
  '无',
  '没有',
  '错',
  '假',
  'n',
  'no',
  'false',
  '0',
  '×',
  '✗',
  'f',
]);

export function parseBoolean(cell: string): boolean | null {
  const text = toHalfWidth(trimCell(cell)).toLowerCase();
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  return null;
}

/** Ambiguous day/month order of "05/01/2026". */
export type DateOrder = 'mdy' | 'dmy';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Days since 1899-12-30: Excel's serial date (its 1900 leap-year bug included). */
export function excelSerialToDate(serial: number): string | null {
  if (!Number.isFinite(serial) || serial < 1 || serial >= 2_958_466) return null;
  const ms = Date.UTC(1899, 11, 30) + Math.floor(serial) * 86_400_000;
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** The wall-clock time of an Excel serial's fraction, as HH:MM:SS. */
function serialTime(serial: number): string {
  const seconds = Math.round((serial - Math.floor(serial)) * 86_400) % 86_400;
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
}

type DateParts = { y: number; m: number; d: number; time: string | null };

const TIME = String.raw`(?:[ T]+(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2}))?)?`;
const YMD = new RegExp(String.raw`^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})${TIME}$`);
const YMD_CN = new RegExp(String.raw`^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?${TIME}$`);
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const XXY = new RegExp(String.raw`^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})${TIME}$`);

function timeOf(h: string | undefined, mi: string | undefined, s: string | undefined) {
  if (h === undefined || mi === undefined) return null;
  return `${pad(Number(h))}:${pad(Number(mi))}:${pad(Number(s ?? 0))}`;
}

function dateParts(cell: string, order: DateOrder): DateParts | null {
  const text = toHalfWidth(trimCell(cell));
  let m = YMD.exec(text) ?? YMD_CN.exec(text);
  if (m !== null)
    return { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]), time: timeOf(m[4], m[5], m[6]) };
  m = COMPACT.exec(text);
  if (m !== null) {
    const parts = { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]), time: null };
    if (parts.y >= 1900 && parts.m >= 1 && parts.m <= 12) return parts;
  }
  m = XXY.exec(text);
  if (m !== null) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    const dmy = a > 12 || (b <= 12 && order === 'dmy');
    return {
      y: Number(m[3]),
      m: dmy ? b : a,
      d: dmy ? a : b,
      time: timeOf(m[4], m[5], m[6]),
    };
  }
  if (/^\d{1,6}(?:\.\d+)?$/.test(text)) {
    const serial = Number(text);
    if (serial >= 1 && serial < 2_958_466) {
      const date = excelSerialToDate(serial);
      if (date === null) return null;
      const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
      return { y, m: mo, d, time: text.includes('.') ? serialTime(serial) : null };
    }
  }
  return null;
}

/**
 * 2026/1/5, 2026-01-05, 2026.1.5, 2026年1月5日, 20260105, 1/5/2026 and
 * Excel serial numbers (46027) → "2026-01-05". A day that does not exist
 * (2026/2/30) still comes out as "2026-02-30" so that form-engine names the problem.
 */
export function parseDate(cell: string, order: DateOrder = 'mdy'): string | null {
  const p = dateParts(cell, order);
  if (p === null || p.m < 1 || p.m > 12 || p.d < 1 || p.d > 31) return null;
  return `${pad(p.y, 4)}-${pad(p.m)}-${pad(p.d)}`;
}

/** The offset of `timeZone` from UTC at the given UTC instant, in minutes. */
function zoneOffsetMinutes(utcMs: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(utcMs))
      .filter((p) => p.type !== 'literal')
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  const asUtc = Date.UTC(
    parts['year'] ?? 1970,
    (parts['month'] ?? 1) - 1,
    parts['day'] ?? 1,
    parts['hour'] ?? 0,
    parts['minute'] ?? 0,
    parts['second'] ?? 0,
  );
  return Math.round((asUtc - utcMs) / 60_000);
}

/**
 * A local date and time as the spreadsheet shows it, in the workspace's
 * time zone, → an ISO instant. A date alone means midnight. ISO instants
 * with an offset pass through untouched.
 */
export function parseDateTime(
  cell: string,
  timeZone: string,
  order: DateOrder = 'mdy',
): string | null {
  const text = trimCell(cell);
  if (/^\d{4}-\d{2}-\d{2}T.*(?:Z|[+-]\d{2}:?\d{2})$/.test(text)) return text;
  const p = dateParts(text, order);
  if (p === null || p.m < 1 || p.m > 12 || p.d < 1 || p.d > 31) return null;
  const [h, mi, s] = (p.time ?? '00:00:00').split(':').map(Number) as [number, number, number];
  if (h > 23 || mi > 59 || s > 59) return null;
  const wall = Date.UTC(p.y, p.m - 1, p.d, h, mi, s);
  let utc = wall - zoneOffsetMinutes(wall, timeZone) * 60_000;
  utc = wall - zoneOffsetMinutes(utc, timeZone) * 60_000;
  const date = new Date(utc);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Separators between the items of a multi-select cell. */
export function splitList(cell: string): string[] {
  return trimCell(cell)
    .split(/[,，、;；|/\n]+/)
    .map(trimCell)
    .filter((s) => s !== '');
}

/** How labels are compared: NFKC, lower case, no spaces. */
export function labelKey(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\u3000]+/g, '');
}

/** Chinese legal-form endings that do not change which company is meant (longest first). */
const COMPANY_SUFFIXES = [
  '股份有限公司',
  '有限责任公司',
  '集团有限公司',
  '有限公司',
  '责任公司',
  '股份公司',
  '集团公司',
  '公司',
];
/** English legal-form words at the end, as whole words ("Costco" keeps its "co"). */
const ENGLISH_SUFFIX =
  /(?:[\s,.]+(?:co\.?,?\s*ltd|co|corp|corporation|company|inc|incorporated|limited|ltd|llc)\.?)+$/;

/**
 * The identity of a company name for duplicate matching: 上海启明信息技术有限公司,
 * 上海启明信息技术公司 and "上海启明信息技术 有限公司" all give 上海启明信息技术.
 * Brackets keep their content (启明（上海）→ 启明上海); branches (分公司) stay distinct.
 */
export function normalizeCompanyName(name: string): string {
  let text = name
    .normalize('NFKC')
    .toLowerCase()
    .trim()
    .replace(ENGLISH_SUFFIX, '')
    .replace(/[\s\p{P}\p{S}]+/gu, '');
  for (let changed = true; changed;) {
    changed = false;
    for (const suffix of COMPANY_SUFFIXES) {
      if (text.length > suffix.length && text.endsWith(suffix)) {
        text = text.slice(0, -suffix.length);
        changed = true;
        break;
      }
    }
  }
  return text;
}

/** A generic match key: NFKC, lower case, inner spaces collapsed. */
export function normalizeExact(value: string): string {
  return value.normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ');
}
