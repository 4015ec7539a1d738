import { ID_PATTERN, show } from './identifiers.js';
import type {
  FieldPolicy,
  FieldRef,
  LocalizedText,
  ReportForm,
  RelationHop,
  ReportFormField,
  ValueKind,
} from './types.js';

/** System fields every record has, addressable in every position. */
export const SYSTEM_FIELDS: Readonly<Record<string, { kind: ValueKind; label: LocalizedText }>> = {
  id: { kind: 'uuid', label: { 'zh-CN': '记录 ID', en: 'Record ID' } },
  owner_id: { kind: 'uuid', label: { 'zh-CN': '负责人', en: 'Owner' } },
  created_by: { kind: 'uuid', label: { 'zh-CN': '创建人', en: 'Created by' } },
  created_at: { kind: 'datetime', label: { 'zh-CN': '创建时间', en: 'Created at' } },
  updated_at: { kind: 'datetime', label: { 'zh-CN': '更新时间', en: 'Updated at' } },
  version: { kind: 'number', label: { 'zh-CN': '版本', en: 'Version' } },
  stage: { kind: 'text', label: { 'zh-CN': '阶段', en: 'Stage' } },
  stage_entered_at: {
    kind: 'datetime',
    label: { 'zh-CN': '进入阶段时间', en: 'Stage entered at' },
  },
  deleted_at: { kind: 'datetime', label: { 'zh-CN': '删除时间', en: 'Deleted at' } },
  is_draft: { kind: 'boolean', label: { 'zh-CN': '草稿', en: 'Draft' } },
  submitted_at: { kind: 'datetime', label: { 'zh-CN': '提交时间', en: 'Submitted at' } },
};

/** Whether `id` names a system field (own keys only: `constructor` is not one). */
export function isSystemField(id: string): boolean {
  return Object.hasOwn(SYSTEM_FIELDS, id);
}

/** PostgreSQL type of each system column (used when the table map does not list them). */
export const SYSTEM_COLUMN_TYPES: Readonly<Record<ValueKind, string>> = {
  text: 'text',
  number: 'numeric',
  date: 'date',
  datetime: 'timestamptz',
  boolean: 'boolean',
  uuid: 'uuid',
  text_array: 'text[]',
  json: 'jsonb',
};

const TEXT_TYPES = new Set([
  'text',
  'textarea',
  'rich_text',
  'phone',
  'email',
  'url',
  'serial',
  'select',
  'radio',
]);
const NUMBER_TYPES = new Set(['number', 'currency', 'percent', 'rating']);
const JSON_TYPES = new Set(['lookup', 'address', 'location', 'attachment', 'image']);

/** The value kind of a form field, or a reason it cannot be queried. */
export function kindOfField(field: ReportFormField): ValueKind | { code: string; message: string } {
  const t = field.type;
  if (TEXT_TYPES.has(t)) return 'text';
  if (NUMBER_TYPES.has(t)) return 'number';
  if (JSON_TYPES.has(t)) return 'json';
  switch (t) {
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'boolean':
      return 'boolean';
    case 'multi_select':
      return 'text_array';
    case 'user':
    case 'department':
      return 'uuid';
    case 'relation':
      if (field.relation?.multiple === true) {
        return {
          code: 'MULTIPLE_RELATION',
          message: `Field "${field.id}" links several records; report on the linked form instead`,
        };
      }
      return 'uuid';
    case 'formula': {
      const r = field.resultType ?? 'number';
      return r === 'text' ? 'text' : r === 'boolean' ? 'boolean' : r === 'date' ? 'date' : 'number';
    }
    case 'rollup':
      return field.rollup?.aggregate === 'latest' ? 'json' : 'number';
    case 'sub_table':
      return {
        code: 'FIELD_NOT_QUERYABLE',
        message: `Field "${field.id}" is a sub-table; its lines are not columns of the form`,
      };
    default:
      return 'json';
  }
}

/** The value kind a PostgreSQL column type stores (for checking the table map against the form). */
export function kindOfColumnType(type: string): ValueKind | null {
  const t = type.trim().toLowerCase();
  switch (t) {
    case 'text':
    case 'varchar':
    case 'character varying':
    case 'citext':
      return 'text';
    case 'numeric':
    case 'decimal':
    case 'integer':
    case 'int':
    case 'int4':
    case 'int8':
    case 'bigint':
    case 'smallint':
    case 'real':
    case 'double precision':
    case 'float8':
      return 'number';
    case 'date':
      return 'date';
    case 'timestamptz':
    case 'timestamp with time zone':
      return 'datetime';
    case 'boolean':
    case 'bool':
      return 'boolean';
    case 'uuid':
      return 'uuid';
    case 'text[]':
    case '_text':
      return 'text_array';
    case 'jsonb':
    case 'json':
      return 'json';
    default: {
      // A form-engine field type instead of a SQL type.
      const kind = kindOfField({ id: 'x', type: t });
      if (typeof kind !== 'string') return null;
      if (kind === 'json' && !JSON_TYPES.has(t) && t !== 'rollup') return null;
      return kind;
    }
  }
}

export type FormIndex = ReadonlyMap<string, ReportForm>;

export function indexForms(forms: readonly ReportForm[] | ReportForm): FormIndex {
  const list = Array.isArray(forms) ? forms : [forms as ReportForm];
  const map = new Map<string, ReportForm>();
  for (const f of list) if (f !== null && typeof f === 'object') map.set(f.id, f);
  return map;
}

export type Readability = {
  policy?: FieldPolicy;
  /** Readable field ids of the source form (system fields are always readable). */
  readable?: ReadonlySet<string>;
  sourceFormId: string;
};

export function isReadable(formId: string, fieldId: string, r: Readability): boolean {
  const policy =
    r.policy !== undefined && Object.hasOwn(r.policy, formId) ? r.policy[formId] : undefined;
  if (policy !== undefined && Array.isArray(policy.hidden) && policy.hidden.includes(fieldId))
    return false;
  if (r.readable !== undefined && formId === r.sourceFormId && !isSystemField(fieldId)) {
    return r.readable.has(fieldId);
  }
  return true;
}

export type FieldProblem = { code: string; message: string };

/** The largest number of relation hops a path may walk (`a.b.c.field`). */
export const MAX_PATH_HOPS = 3;

function textOf(label: LocalizedText | undefined, fallback: string): LocalizedText {
  return label ?? fallback;
}

function joinLabel(a: LocalizedText, b: LocalizedText): LocalizedText {
  const zh = (t: LocalizedText): string => (typeof t === 'string' ? t : t['zh-CN']);
  const en = (t: LocalizedText): string => (typeof t === 'string' ? t : (t.en ?? t['zh-CN']));
  return { 'zh-CN': `${zh(a)} · ${zh(b)}`, en: `${en(a)} · ${en(b)}` };
}

/**
 * Resolves a field path from the source form: a field id, a system field, or relation fields
 * walked to a field of the linked form (`customer.level`). Every step must exist and be readable.
 */
export function resolveField(
  path: unknown,
  sourceFormId: string,
  forms: FormIndex,
  readability: Readability,
): FieldRef | FieldProblem {
  if (typeof path !== 'string' || path.length === 0) {
    return { code: 'INVALID_FIELD', message: `A field id is required, got ${show(path)}` };
  }
  const segments = path.split('.');
  if (segments.length > MAX_PATH_HOPS + 1 || path.length > 255) {
    return {
      code: 'PATH_TOO_LONG',
      message: `Field path ${show(path)} walks more than ${MAX_PATH_HOPS} relations`,
    };
  }
  for (const s of segments) {
    if (!ID_PATTERN.test(s)) {
      return {
        code: 'INVALID_IDENTIFIER',
        message: `${show(path)} is not a field id (lower-case letters, digits and _ only)`,
      };
    }
  }
  let formId = sourceFormId;
  let label: LocalizedText | null = null;
  const via: RelationHop[] = [];
  for (let i = 0; i < segments.length; i++) {
    const id = segments[i] as string;
    const form = forms.get(formId);
    if (form === undefined) {
      return { code: 'UNKNOWN_FORM', message: `Form "${formId}" is not available to this report` };
    }
    const last = i === segments.length - 1;
    const system = isSystemField(id) ? SYSTEM_FIELDS[id] : undefined;
    const field = system === undefined ? form.fields.find((f) => f.id === id) : undefined;
    if (system === undefined && field === undefined) {
      return { code: 'UNKNOWN_FIELD', message: `Form "${formId}" has no field "${id}"` };
    }
    if (!isReadable(formId, id, readability)) {
      return { code: 'FIELD_NOT_READABLE', message: `Field "${id}" is not readable for your role` };
    }
    if (!last) {
      if (field === undefined || field.type !== 'relation' || field.relation === undefined) {
        return {
          code: 'NOT_A_RELATION',
          message: `"${id}" is not a relation field, so ${show(path)} cannot walk through it`,
        };
      }
      if (field.relation.multiple === true) {
        return {
          code: 'MULTIPLE_RELATION',
          message: `"${id}" links several records; only single relations can be walked`,
        };
      }
      const step = textOf(field.label, id);
      label = label === null ? step : joinLabel(label, step);
      via.push({ field: id, formId, target: field.relation.formId });
      formId = field.relation.formId;
      continue;
    }
    if (system !== undefined) {
      return {
        path,
        formId,
        fieldId: id,
        via,
        kind: system.kind,
        type: 'system',
        label: label === null ? system.label : joinLabel(label, system.label),
      };
    }
    const f = field as ReportFormField;
    const kind = kindOfField(f);
    if (typeof kind !== 'string') return kind;
    const own = textOf(f.label, id);
    return {
      path,
      formId,
      fieldId: id,
      via,
      kind,
      type: f.type,
      label: label === null ? own : joinLabel(label, own),
      ...(f.options !== undefined ? { options: f.options } : {}),
    };
  }
  return { code: 'UNKNOWN_FIELD', message: `Unknown field ${show(path)}` };
}

export function isProblem(v: FieldRef | FieldProblem): v is FieldProblem {
  return 'code' in v;
}
