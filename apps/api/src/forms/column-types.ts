/**
 * How a form field is stored in its form's table. Records are real typed
 * columns: reports aggregate numerics and dates, and PostgreSQL enforces
 * types, uniqueness and foreign keys.
 */
export type StorageKind =
  | { readonly kind: 'column'; readonly sqlType: string }
  /** relation with multiple: a join table <table>__<field>(record_id, target_id) */
  | { readonly kind: 'join'; readonly targetFormKey: string }
  /** sub_table: a child table <table>__<field>(id, parent_id, position, ...) */
  | { readonly kind: 'child' }
  /** not stored (layout-only fields, if any) */
  | { readonly kind: 'none' };

export type FieldLike = {
  readonly id: string;
  readonly type: string;
  readonly relation?: { readonly formId: string; readonly multiple?: boolean };
  readonly formula?: unknown;
  readonly resultType?: string;
  readonly rollup?: { readonly aggregate: string };
  readonly fields?: readonly FieldLike[];
};

export function storageOf(field: FieldLike): StorageKind {
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'rich_text':
    case 'phone':
    case 'email':
    case 'url':
    case 'serial':
    case 'select':
    case 'radio':
      return { kind: 'column', sqlType: 'text' };
    case 'number':
    case 'percent':
    case 'rating':
    case 'currency':
      return { kind: 'column', sqlType: 'numeric' };
    case 'date':
      return { kind: 'column', sqlType: 'date' };
    case 'datetime':
      return { kind: 'column', sqlType: 'timestamptz' };
    case 'multi_select':
      return { kind: 'column', sqlType: 'text[]' };
    case 'boolean':
      return { kind: 'column', sqlType: 'boolean' };
    case 'user':
    case 'department':
      return { kind: 'column', sqlType: 'uuid' };
    case 'relation':
      return field.relation?.multiple === true
        ? { kind: 'join', targetFormKey: field.relation.formId }
        : { kind: 'column', sqlType: 'uuid' };
    case 'sub_table':
      return { kind: 'child' };
    case 'formula':
      return {
        kind: 'column',
        sqlType:
          field.resultType === 'number' || field.resultType === undefined
            ? 'numeric'
            : field.resultType === 'boolean'
              ? 'boolean'
              : field.resultType === 'date'
                ? 'date'
                : 'text',
      };
    case 'rollup':
      return {
        kind: 'column',
        sqlType: field.rollup?.aggregate === 'latest' ? 'jsonb' : 'numeric',
      };
    case 'lookup':
    case 'attachment':
    case 'image':
    case 'address':
    case 'location':
      return { kind: 'column', sqlType: 'jsonb' };
    default:
      return { kind: 'column', sqlType: 'jsonb' };
  }
}

/** Field types whose values feed the substring search index. */
export const SEARCHABLE_TYPES: ReadonlySet<string> = new Set([
  'text',
  'textarea',
  'phone',
  'email',
  'url',
  'serial',
  'select',
  'radio',
  'multi_select',
]);

/** Field types that get a b-tree index for filters, sorts and keyset pagination. */
export const INDEXED_TYPES: ReadonlySet<string> = new Set([
  'select',
  'radio',
  'number',
  'currency',
  'percent',
  'rating',
  'date',
  'datetime',
  'user',
  'department',
  'relation',
  'boolean',
  'serial',
]);
