/**
 * The form schema the designer edits and the runtime renders: @trellis/form-engine's types
 * (type-only, so the engine's code stays out of the initial bundle), plus the constants the
 * palette and the properties panel need.
 */
import type { LayoutColumns, LayoutTabs } from '@trellis/form-engine';

export type {
  AddressValue,
  FieldOption,
  FieldSchema,
  FieldType,
  FileValue,
  FormCheck,
  FormLayout,
  FormSchema,
  FormulaResultType,
  JsonLogic,
  LayoutColumns,
  LayoutField,
  LayoutItem,
  LayoutSection,
  LayoutTabs,
  LocationValue,
  RollupAggregate,
} from '@trellis/form-engine';
import type { FieldType, FormSchema, FieldSchema } from '@trellis/form-engine';

export type LayoutColumn = LayoutColumns['columns'][number];
export type LayoutTab = LayoutTabs['tabs'][number];

/** Every field type, in palette order. */
export const FIELD_TYPES: readonly FieldType[] = [
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
];

export const FIELD_ID_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

export const SYSTEM_FIELD_IDS: ReadonlySet<string> = new Set([
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

export const COMPUTED_TYPES: ReadonlySet<FieldType> = new Set([
  'serial',
  'formula',
  'lookup',
  'rollup',
]);
export const OPTION_TYPES: ReadonlySet<FieldType> = new Set(['select', 'multi_select', 'radio']);
export const LENGTH_TYPES: ReadonlySet<FieldType> = new Set(['text', 'textarea', 'rich_text']);
export const PATTERN_TYPES: ReadonlySet<FieldType> = new Set(['text', 'textarea']);
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

export const DEFAULT_RATING_MAX = 5;

/** The palette groups of the designer. */
export type FieldGroupKey =
  'basic' | 'choice' | 'time' | 'contact' | 'relations' | 'files' | 'computed';

export const FIELD_GROUPS: ReadonlyArray<{ key: FieldGroupKey; types: readonly FieldType[] }> = [
  { key: 'basic', types: ['text', 'textarea', 'rich_text', 'number', 'currency', 'percent'] },
  { key: 'choice', types: ['select', 'multi_select', 'radio', 'boolean', 'rating'] },
  { key: 'time', types: ['date', 'datetime'] },
  { key: 'contact', types: ['phone', 'email', 'url', 'address', 'location'] },
  { key: 'relations', types: ['user', 'department', 'relation', 'sub_table'] },
  { key: 'files', types: ['attachment', 'image'] },
  { key: 'computed', types: ['serial', 'formula', 'lookup', 'rollup'] },
];

export function isFieldType(value: unknown): value is FieldType {
  return typeof value === 'string' && (FIELD_TYPES as readonly string[]).includes(value);
}

/** Every field of a schema by id (sub-table columns are not included). */
export function fieldMap(schema: FormSchema): Map<string, FieldSchema> {
  return new Map(schema.fields.map((field) => [field.id, field]));
}
