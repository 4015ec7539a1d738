import type { FieldSchema, FieldType } from '../forms/form-schema.js';

/** Types a list can sort by (stored in one ordinary column). */
const SORTABLE: ReadonlySet<FieldType> = new Set([
  'text',
  'number',
  'currency',
  'percent',
  'date',
  'datetime',
  'select',
  'radio',
  'boolean',
  'rating',
  'phone',
  'email',
  'url',
  'user',
  'department',
  'serial',
  'formula',
]);

const NOT_IN_LIST: ReadonlySet<FieldType> = new Set(['rich_text', 'sub_table', 'textarea']);

export function isSortable(field: FieldSchema): boolean {
  return (
    SORTABLE.has(field.type) && !(field.type === 'relation' && field.relation?.multiple === true)
  );
}

const WIDTHS: Partial<Record<FieldType, number>> = {
  number: 120,
  currency: 140,
  percent: 110,
  rating: 130,
  boolean: 90,
  date: 140,
  datetime: 180,
  phone: 150,
  serial: 150,
  select: 140,
  radio: 140,
  user: 130,
  department: 150,
};

export function columnWidth(field: FieldSchema): number {
  return WIDTHS[field.type] ?? 200;
}

/** The columns shown before the reader chooses: the first fields that read well in one line. */
export function defaultColumns(fields: readonly FieldSchema[]): string[] {
  return fields
    .filter((field) => !NOT_IN_LIST.has(field.type))
    .slice(0, 6)
    .map((field) => field.id);
}

export function loadColumnChoice(formId: string): string[] | null {
  try {
    const raw = window.localStorage.getItem(`trellis.columns.${formId}`);
    if (raw === null) return null;
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) && parsed.every((id) => typeof id === 'string') ? parsed : null;
  } catch {
    return null;
  }
}

export function saveColumnChoice(formId: string, columns: readonly string[]): void {
  try {
    window.localStorage.setItem(`trellis.columns.${formId}`, JSON.stringify(columns));
  } catch {
    // The choice lasts for this visit only.
  }
}
