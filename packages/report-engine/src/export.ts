// Results as CSV and XLSX. Text cells that a spreadsheet would read as a formula (starting with
// =, +, -, @, a tab or a carriage return) are prefixed with ' so they stay text.
import { strToU8, zipSync } from 'fflate';
import { type Grid, type GridCell, resultGrid } from './result-table.js';
import type { ReportResult } from './types.js';

export type ExportOptions = {
  /** Labels in this locale (default zh-CN). */
  locale?: string;
};

const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell made safe for spreadsheets (formula injection). */
export function escapeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function csvField(cell: GridCell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  const text = escapeFormula(cell);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CSV (RFC 4180, CRLF, with a UTF-8 byte order mark so Excel reads Chinese correctly). */
export function toCsv(
  result: ReportResult,
  options: ExportOptions & { bom?: boolean } = {},
): string {
  const grid = resultGrid(result, options.locale);
  const lines = [...grid.header, ...grid.body].map((row) => row.map(csvField).join(','));
  return `${options.bom === false ? '' : '\uFEFF'}${lines.join('\r\n')}\r\n`;
}

/** Characters XML 1.0 cannot hold (control characters other than tab, line feed, return). */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code !== 0xfffe && code !== 0xffff)
  );
}

function xmlText(text: string): string {
  let clean = '';
  for (const ch of text) if (isXmlChar(ch.codePointAt(0) as number)) clean += ch;
  return clean
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** Spreadsheet column letters: 0 -> A, 25 -> Z, 26 -> AA. */
export function columnName(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

function sheetXml(grid: Grid): string {
  const rows = [
    ...grid.header.map((r) => ({ r, head: true })),
    ...grid.body.map((r) => ({ r, head: false })),
  ];
  const xmlRows = rows.map(({ r, head }, i) => {
    const cells = r
      .map((c, j) => {
        const ref = `${columnName(j)}${i + 1}`;
        const style = head ? ' s="1"' : '';
        if (c === null) return '';
        if (typeof c === 'number')
          return Number.isFinite(c) ? `<c r="${ref}"${style}><v>${c}</v></c>` : '';
        return `<c r="${ref}"${style} t="inlineStr"><is><t xml:space="preserve">${xmlText(escapeFormula(c))}</t></is></c>`;
      })
      .join('');
    return `<row r="${i + 1}">${cells}</row>`;
  });
  const freeze =
    grid.header.length > 0
      ? `<sheetViews><sheetView workbookViewId="0"><pane ySplit="${grid.header.length}" topLeftCell="A${grid.header.length + 1}" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>`
      : '';
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${freeze}<sheetData>${xmlRows.join('')}</sheetData></worksheet>`;
}

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`;

const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`;

const WORKBOOK_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`;

const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs></styleSheet>`;

/** A sheet name Excel accepts: at most 31 characters, none of \\ / ? * [ ] : */
function sheetName(name: string): string {
  const clean = name
    .replace(/[\\/?*[\]:]/g, ' ')
    .trim()
    .slice(0, 31);
  return clean === '' ? 'Report' : clean;
}

/** A minimal valid .xlsx (one sheet, inline strings, bold frozen header) built with fflate. */
export function toXlsx(
  result: ReportResult,
  options: ExportOptions & { sheetName?: string } = {},
): Uint8Array {
  const grid = resultGrid(result, options.locale);
  const name = sheetName(options.sheetName ?? 'Report');
  const workbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${xmlText(name)}" sheetId="1" r:id="rId1"/></sheets></workbook>`;
  return zipSync(
    {
      '[Content_Types].xml': strToU8(CONTENT_TYPES),
      '_rels/.rels': strToU8(ROOT_RELS),
      'xl/workbook.xml': strToU8(workbook),
      'xl/_rels/workbook.xml.rels': strToU8(WORKBOOK_RELS),
      'xl/styles.xml': strToU8(STYLES),
      'xl/worksheets/sheet1.xml': strToU8(sheetXml(grid)),
    },
    { level: 6, mtime: new Date('2026-01-01T00:00:00Z') },
  );
}
