/**
 * PostgreSQL COPY text format: one line per row, tab between columns, \N
 * for NULL, backslash escapes for backslash, tab, newline and carriage return.
 */
export const COPY_NULL = '\\N';

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};

export function copyEscape(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c] ?? c) : text;
}

/** A text[] literal: {"a","b \"c\""}. */
export function arrayLiteral(items: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as string;
    if (i > 0) out += ',';
    out += `"${item.indexOf('"') < 0 && item.indexOf('\\') < 0 ? item : item.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  }
  return `${out}}`;
}

/** A canonical value (as form-engine returns it) as COPY text for a column of `sqlType`. */
export function copyValue(sqlType: string, value: unknown): string {
  if (value === null || value === undefined) return COPY_NULL;
  switch (sqlType) {
    case 'boolean':
      return value === true ? 't' : 'f';
    case 'text[]':
      return copyEscape(arrayLiteral(Array.isArray(value) ? value.map(String) : [String(value)]));
    case 'jsonb':
      return copyEscape(JSON.stringify(value));
    default:
      return copyEscape(typeof value === 'string' ? value : String(value));
  }
}
