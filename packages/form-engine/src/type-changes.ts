import type { FieldType } from './types.js';

/**
 * Type changes where every valid value converts without loss (convertValue never reports lossy for
 * them; a property test holds it to that). Other changes may be lossless for a given value.
 */
const LOSSLESS: ReadonlySet<string> = new Set([
  'text>textarea',
  'text>serial',
  'serial>text',
  'serial>textarea',
  'number>text',
  'number>textarea',
  'number>percent',
  'percent>number',
  'percent>text',
  'percent>textarea',
  'rating>number',
  'rating>percent',
  'rating>text',
  'rating>textarea',
  'currency>text',
  'currency>textarea',
  'date>text',
  'date>textarea',
  'date>datetime',
  'datetime>text',
  'datetime>textarea',
  'phone>text',
  'phone>textarea',
  'email>text',
  'email>textarea',
  'url>text',
  'url>textarea',
  'boolean>text',
  'boolean>textarea',
  'select>radio',
  'radio>select',
  'select>multi_select',
  'radio>multi_select',
  'user>text',
  'user>textarea',
  'department>text',
  'department>textarea',
  'image>attachment',
]);

export function losslessTypeChange(from: FieldType, to: FieldType): boolean {
  return from === to || LOSSLESS.has(`${from}>${to}`);
}
