/**
 * CSV written back to users (the rejected rows). A cell that starts with
 * = + - @ (or a tab or carriage return) would run as a formula when the file
 * is opened in Excel or WPS, so it gets a leading apostrophe (OWASP's advice):
 * the text shows as written and nothing is evaluated.
 */
const FORMULA_START = /^[=+\-@\t\r＝＋－＠]/;

export function escapeFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

export function csvCell(value: string): string {
  const cell = escapeFormula(value);
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** One CSV line with CRLF, as Excel writes it. */
export function csvRow(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** UTF-8 byte-order mark: Excel on Chinese Windows reads the file as UTF-8 only with it. */
export const UTF8_BOM = '\uFEFF';
