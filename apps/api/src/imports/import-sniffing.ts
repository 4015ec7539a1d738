import { isUtf8 } from 'node:buffer';
import { trimCell } from './import-cleaning.js';

/**
 * What an uploaded text file is: its encoding, delimiter and header row.
 * Chinese Excel saves "CSV" in GBK (GB18030 is its superset) unless the user
 * picks "CSV UTF-8", which adds a byte-order mark; "Unicode text" is
 * UTF-16LE with tabs.
 */
export type TextEncoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';

export const DELIMITERS = [',', '\t', ';', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

export function byteOrderMark(
  bytes: Uint8Array,
): { encoding: TextEncoding; length: number } | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return { encoding: 'utf-8', length: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

/**
 * Checks that a stream of chunks is valid UTF-8 as a whole, carrying a
 * character split across two chunks over to the next one.
 */
export class Utf8Checker {
  private carry: Buffer = Buffer.alloc(0);
  private ok = true;

  push(chunk: Buffer): void {
    if (!this.ok) return;
    const bytes = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    const cut = completeLength(bytes);
    if (!isUtf8(bytes.subarray(0, cut))) this.ok = false;
    this.carry = Buffer.from(bytes.subarray(cut));
  }

  /** True when everything pushed was UTF-8. */
  end(): boolean {
    return this.ok && this.carry.length === 0;
  }
}

/** The length of `bytes` without a trailing, incomplete UTF-8 sequence. */
function completeLength(bytes: Buffer): number {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = bytes[n - back] as number;
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * Counts records (and physical lines) of CSV text as it streams in, the way
 * the parser will read it: quotes open a quoted cell only at the start of a
 * cell, "" inside quotes is a quote, line breaks inside quotes belong to the
 * cell, blank lines (and lines of empty cells) are not records. Works on bytes for UTF-8 and GB18030
 * (neither puts a quote, delimiter or line break inside a multi-byte
 * character) and on UTF-16 code units.
 */
export class RecordCounter {
  records = 0;
  lines = 0;
  private inQuotes = false;
  private quotePending = false;
  private atFieldStart = true;
  private hasContent = false;
  private lastCR = false;

  constructor(private readonly delimiter: number) {}

  pushBytes(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.step(bytes[i] as number);
  }

  pushText(text: string): void {
    for (let i = 0; i < text.length; i++) this.step(text.charCodeAt(i));
  }

  private step(c: number): void {
    if (this.inQuotes) {
      if (this.quotePending) {
        this.quotePending = false;
        if (c === QUOTE) {
          this.hasContent = true;
          return;
        }
        this.inQuotes = false;
      } else {
        if (c === QUOTE) this.quotePending = true;
        else if (c === LF || c === CR) {
          if (c === LF && this.lastCR) this.lastCR = false;
          else {
            this.lines++;
            this.lastCR = c === CR;
          }
        } else {
          this.lastCR = false;
          if (c !== SPACE && c !== TAB) this.hasContent = true;
        }
        return;
      }
    }
    if (c === LF && this.lastCR) {
      this.lastCR = false;
      return;
    }
    this.lastCR = false;
    if (c === CR || c === LF) {
      this.lastCR = c === CR;
      this.lines++;
      if (this.hasContent) this.records++;
      this.hasContent = false;
      this.atFieldStart = true;
      return;
    }
    if (c === QUOTE && this.atFieldStart) {
      this.inQuotes = true;
      this.atFieldStart = false;
      return;
    }
    this.atFieldStart = c === this.delimiter;
    if (c !== this.delimiter && c !== SPACE && c !== TAB) this.hasContent = true;
  }

  /** Call once at the end: a last record without a line break counts too. */
  end(): { records: number; lines: number } {
    if (this.hasContent) {
      this.records++;
      this.lines++;
    }
    this.hasContent = false;
    return { records: this.records, lines: this.lines };
  }
}

/** A lenient split of sample text into records, for delimiter detection only. */
export function sampleRecords(text: string, delimiter: string, max: number): string[][] {
  const out: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let inQuotes = false;
  let atStart = true;
  for (let i = 0; i < text.length && out.length < max; i++) {
    const c = text[i] as string;
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else inQuotes = false;
      } else cell += c;
      continue;
    }
    if (c === '"' && atStart) {
      inQuotes = true;
      atStart = false;
    } else if (c === delimiter) {
      record.push(cell);
      cell = '';
      atStart = true;
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(cell);
      if (record.some((v) => v !== '')) out.push(record);
      record = [];
      cell = '';
      atStart = true;
    } else {
      cell += c;
      atStart = false;
    }
  }
  return out;
}

/**
 * The delimiter that splits the sample's lines into the same number of
 * cells most consistently (comma wins ties, then tab, semicolon, bar).
 */
export function detectDelimiter(sample: string): Delimiter {
  let best: Delimiter = ',';
  let bestScore = 0;
  for (const delimiter of DELIMITERS) {
    const records = sampleRecords(sample, delimiter, 50);
    if (records.length === 0) continue;
    const widths = new Map<number, number>();
    for (const r of records) widths.set(r.length, (widths.get(r.length) ?? 0) + 1);
    let modeWidth = 1;
    let modeCount = 0;
    for (const [width, count] of widths)
      if (count > modeCount || (count === modeCount && width > modeWidth)) {
        modeWidth = width;
        modeCount = count;
      }
    if (modeWidth < 2) continue;
    // consistent lines count most; more columns break ties between consistent splits
    const score = (modeCount / records.length) * 1000 + Math.min(modeWidth, 100);
    if (score > bestScore) {
      best = delimiter;
      bestScore = score;
    }
  }
  return best;
}

const DATA_LIKE = [
  /^[+-]?[\d,]+(?:\.\d+)?%?$/,
  /^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}/,
  /^\+?[\d\s()-]{7,}$/,
  /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
];

function looksLikeData(cell: string): boolean {
  return DATA_LIKE.some((re) => re.test(cell));
}

/**
 * Which of the first records is the header: the first one that fills most
 * of the columns with distinct, non-numeric labels. Title rows above it
 * ("2026年客户名单") fill one cell and are skipped. Null: the file has no
 * header row (its first record already looks like data).
 */
export function detectHeaderIndex(records: readonly (readonly string[])[]): number | null {
  if (records.length === 0) return null;
  const widths = records.map((r) => r.filter((c) => trimCell(c) !== '').length);
  const width = Math.max(...widths);
  for (let i = 0; i < records.length; i++) {
    const cells = (records[i] ?? []).map(trimCell).filter((c) => c !== '');
    if (cells.length < Math.max(2, Math.ceil(width * 0.6))) continue;
    const dataLike = cells.filter(looksLikeData).length;
    if (dataLike > cells.length * 0.25) return null;
    if (new Set(cells).size < cells.length * 0.8) continue;
    return i;
  }
  return null;
}

/**
 * Column labels from the header cells: blanks become 列 N, repeated labels
 * get (2), (3) so that every column can be told apart.
 */
export function columnLabels(header: readonly string[] | null, width: number): string[] {
  const seen = new Map<string, number>();
  const out: string[] = [];
  for (let i = 0; i < width; i++) {
    const raw = header === null ? '' : trimCell(header[i] ?? '');
    const base = raw === '' ? `列 ${i + 1}` : raw;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    out.push(n === 1 ? base : `${base} (${n})`);
  }
  return out;
}
