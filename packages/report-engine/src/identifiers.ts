import { ReportError } from './report-error.js';

/** Field, form, measure and dimension ids. */
export const ID_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

/** Schema, table and column names accepted from the table map. */
const SQL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/**
 * An id usable as a key of result objects: an id that is not also a property every object
 * inherits (`constructor`, `toString`, ...), so `row.values[id]` can never read the prototype.
 */
export function isKeyId(value: unknown): value is string {
  return isId(value) && !(value in Object.prototype);
}

/** A double-quoted identifier; anything but a plain lower-case name is refused (defence in depth). */
export function quoteIdent(name: string): string {
  if (!SQL_NAME.test(name)) {
    throw new ReportError('UNSAFE_IDENTIFIER', `unsafe SQL identifier ${JSON.stringify(name)}`);
  }
  return `"${name}"`;
}

/** A short readable rendering of a user value inside an issue message. */
export function show(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value));
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
