import type { FieldStorage } from '../forms/table-layout.js';

type ColumnStorage = Extract<FieldStorage, { storage: 'column' }>;

/** API value -> bind parameter for the field's column type. */
export function toDbParam(storage: ColumnStorage, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (storage.sqlType) {
    case 'numeric':
      return typeof value === 'number' ? String(value) : String(value);
    case 'jsonb':
      return JSON.stringify(value);
    case 'text[]':
      return Array.isArray(value) ? value.map(String) : [String(value)];
    case 'boolean':
      return value === true;
    default:
      return value;
  }
}

/**
 * Column value -> API value: currency stays the exact decimal string it was
 * stored as (its currency's decimal places, form-engine's canonical form),
 * dates stay dates, timestamps become ISO strings.
 */
export function fromDbValue(storage: ColumnStorage, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  switch (storage.sqlType) {
    case 'numeric':
      return storage.type === 'currency' ? String(raw) : Number(raw);
    case 'timestamptz':
      return raw instanceof Date ? raw.toISOString() : String(raw);
    default:
      return raw;
  }
}

/** "12800.5000" -> "12800.5"; keeps exactness (no float). */
export function normaliseDecimal(text: string): string {
  if (!text.includes('.')) return text;
  const trimmed = text.replace(/0+$/, '');
  return trimmed.endsWith('.') ? trimmed.slice(0, -1) : trimmed;
}

/** Cast used when a value arrives as text in bulk updates (UPDATE ... FROM unnest($n::text[])). */
export function castFromText(sqlType: string): string {
  return sqlType === 'text' ? '' : `::${sqlType}`;
}
