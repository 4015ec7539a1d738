import type { FieldType } from './types.js';

/** Every field type, in the order the designer lists them. */
export const FIELD_TYPES: readonly FieldType[] = Object.freeze([
  'text',
  'textarea',
  'rich_text',
  'number',
  'currency',
  'percent',
  'date',
  'datetime',
  'select',
  'multi_select',
  'radio',
  'boolean',
  'rating',
  'phone',
  'email',
  'url',
  'user',
  'department',
  'relation',
  'sub_table',
  'attachment',
  'image',
  'address',
  'location',
  'serial',
  'formula',
  'lookup',
  'rollup',
] as const);

const FIELD_TYPE_SET: ReadonlySet<string> = new Set(FIELD_TYPES);

export function isFieldType(value: unknown): value is FieldType {
  return typeof value === 'string' && FIELD_TYPE_SET.has(value);
}

/** System fields present on every record; never user field ids. */
export const SYSTEM_FIELD_IDS: readonly string[] = Object.freeze([
  'id',
  'owner_id',
  'created_by',
  'created_at',
  'updated_at',
  'version',
  'stage',
  'stage_entered_at',
  'deleted_at',
  'is_draft',
  'submitted_at',
  'workspace_id',
]);

export const SYSTEM_FIELD_ID_SET: ReadonlySet<string> = new Set(SYSTEM_FIELD_IDS);

/** Field and form ids. */
export const ID_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

/** Types whose values are computed (by this engine or the host), never typed in. */
export const COMPUTED_TYPES: ReadonlySet<FieldType> = new Set([
  'serial',
  'formula',
  'lookup',
  'rollup',
]);

/** Types with an option list. */
export const OPTION_TYPES: ReadonlySet<FieldType> = new Set(['select', 'multi_select', 'radio']);

/** Types whose `minLength` / `maxLength` bound the text. */
export const LENGTH_TYPES: ReadonlySet<FieldType> = new Set(['text', 'textarea', 'rich_text']);

/** Types with a `pattern`. */
export const PATTERN_TYPES: ReadonlySet<FieldType> = new Set(['text', 'textarea']);

/** Types the API can put a unique index on (README rule 6). */
export const UNIQUE_TYPES: ReadonlySet<FieldType> = new Set([
  'text',
  'number',
  'currency',
  'percent',
  'date',
  'datetime',
  'phone',
  'email',
  'url',
  'user',
  'department',
  'relation',
  'serial',
]);

/** Types a sub-table column may have. */
export const SUB_TABLE_TYPES: ReadonlySet<FieldType> = new Set([
  'text',
  'textarea',
  'number',
  'currency',
  'percent',
  'date',
  'datetime',
  'select',
  'multi_select',
  'radio',
  'boolean',
  'rating',
  'phone',
  'email',
  'url',
  'user',
  'department',
  'relation',
  'attachment',
  'image',
  'address',
  'formula',
]);

/** What `min` / `max` mean for a type (absent: the type has no bounds). */
export type RangeKind = 'number' | 'decimal' | 'date' | 'datetime' | 'count' | 'stars';

export function rangeKindOf(type: FieldType, multiple = false): RangeKind | undefined {
  switch (type) {
    case 'number':
    case 'percent':
      return 'number';
    case 'currency':
      return 'decimal';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'rating':
      return 'stars';
    case 'multi_select':
    case 'sub_table':
    case 'attachment':
    case 'image':
      return 'count';
    case 'relation':
      return multiple ? 'count' : undefined;
    default:
      return undefined;
  }
}

/** Hard caps that keep one request small; the JSON Schema and this engine enforce them. */
export const LIMITS = Object.freeze({
  fields: 500,
  subTableFields: 100,
  options: 500,
  optionValueLength: 200,
  listItems: 1000,
  subTableRows: 500,
  files: 100,
  textLength: 10_000,
  textareaLength: 100_000,
  richTextLength: 200_000,
  patternLength: 500,
  ratingStars: 10,
  layoutDepth: 6,
  checks: 100,
});

/** The default number of stars of a rating field. */
export const DEFAULT_RATING_MAX = 5;
