import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { ApiError } from '../common/errors/api-error.js';
import { IMPORT_LIMITS } from './import-limits.js';
import type { TextEncoding } from './import-sniffing.js';

/** One record of the file: its first physical line (1-based) and its cells as text. */
export type SourceRow = { readonly line: number; readonly cells: string[] };

export type CsvFacts = { readonly encoding: TextEncoding; readonly delimiter: string };

/** Any line break inside a cell moves the next record's first line down. */
function breaksIn(cells: readonly string[]): number {
  let n = 0;
  for (const cell of cells) {
    if (cell.indexOf('\n') < 0 && cell.indexOf('\r') < 0) continue;
    const matches = cell.match(/\r\n|\r|\n/g);
    n += matches === null ? 0 : matches.length;
  }
  return n;
}

const blank = (cells: readonly string[]) => cells.every((c) => c.trim() === '');

/**
 * Records of a CSV byte stream, decoded (UTF-8 with or without BOM,
 * GB18030/GBK, UTF-16), with quoted line breaks, "" escapes, stray quotes in
 * unquoted cells and ragged rows accepted. Blank records are skipped; line
 * numbers are those of a text editor (the record's first line).
 */
export async function* csvRows(
  chunks: AsyncIterable<Buffer>,
  facts: CsvFacts,
): AsyncGenerator<SourceRow> {
  const bytes = Readable.from(chunks, { objectMode: false });
  const text =
    facts.encoding === 'utf-8'
      ? bytes
      : bytes.pipe(iconv.decodeStream(facts.encoding, { stripBOM: true }));
  const parser = text.pipe(
    parse({
      delimiter: facts.delimiter,
      bom: true,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: false,
      max_record_size: IMPORT_LIMITS.maxRecordChars,
    }),
  );
  let line = 1;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const at = line;
      line += 1 + breaksIn(record);
      if (record.length === 1 && record[0] === '') continue;
      if (blank(record)) continue;
      yield { line: at, cells: record };
    }
  } catch (error) {
    bytes.destroy();
    if (error instanceof ApiError) throw error;
    const code = (error as { code?: string }).code;
    throw new ApiError('BAD_REQUEST', `The file cannot be read near line ${line}`, [
      {
        path: 'file',
        code: code === 'CSV_MAX_RECORD_SIZE' ? 'RECORD_TOO_LARGE' : 'UNREADABLE_CSV',
        message:
          code === 'CSV_MAX_RECORD_SIZE'
            ? `The record at line ${line} is longer than ${IMPORT_LIMITS.maxRecordChars} characters`
            : `The file cannot be read near line ${line}: ${(error as Error).message}`,
        line,
      },
    ]);
  }
}

type CellValue = ExcelJS.CellValue;

const pad = (n: number) => String(n).padStart(2, '0');

/** What a spreadsheet cell shows, as text: dates as 2026-01-05 (with a time when it has one). */
export function cellText(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return '';
    // exceljs reads Excel's wall-clock date-times as if they were UTC
    const date = `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
    const h = value.getUTCHours();
    const m = value.getUTCMinutes();
    const s = value.getUTCSeconds();
    return h === 0 && m === 0 && s === 0 ? date : `${date} ${pad(h)}:${pad(m)}:${pad(s)}`;
  }
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') {
    if ('richText' in value && Array.isArray(value.richText))
      return value.richText.map((r) => r.text).join('');
    if ('result' in value) return cellText(value.result as CellValue);
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('error' in value) return '';
    if ('sharedFormula' in value || 'formula' in value) return '';
  }
  return '';
}

/** Rows of the first worksheet of a workbook (already checked by xlsx-guard), streamed. */
export async function* xlsxRows(path: string): AsyncGenerator<SourceRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  for await (const sheet of reader) {
    for await (const row of sheet) {
      const values = row.values as CellValue[];
      if (!Array.isArray(values)) continue;
      const cells: string[] = [];
      for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
      if (blank(cells)) continue;
      yield { line: row.number, cells };
    }
    return;
  }
}
