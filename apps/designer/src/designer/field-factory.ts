import {
  FIELD_ID_PATTERN,
  SYSTEM_FIELD_IDS,
  type FieldOption,
  type FieldSchema,
  type FieldType,
} from '../forms/form-schema.js';
import { bilingual } from '../i18n/bilingual.js';
import type { LocalizedText } from '../i18n/localized-text.js';
import { FIELD_TYPE_META } from './field-type-meta.js';

/** Option colours offered by the options editor (readable with dark text on a light chip). */
export const OPTION_COLORS: readonly string[] = [
  '#2563eb',
  '#0f766e',
  '#16a34a',
  '#ca8a04',
  '#ea580c',
  '#dc2626',
  '#db2777',
  '#7c3aed',
  '#475569',
];

/** The first free `<type>_<n>` id (ids are stable once published; labels can change). */
export function nextFieldId(type: FieldType, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let n = 1; ; n += 1) {
    const id = `${type}_${n}`;
    if (!used.has(id) && !SYSTEM_FIELD_IDS.has(id) && FIELD_ID_PATTERN.test(id)) return id;
  }
}

export function nextOptionValue(options: readonly FieldOption[]): string {
  const used = new Set(options.map((option) => option.value));
  for (let n = options.length + 1; ; n += 1) if (!used.has(`option_${n}`)) return `option_${n}`;
}

export type FieldLabels = {
  type: LocalizedText;
  option: (n: number) => LocalizedText;
  subTableColumn: LocalizedText;
};

/** A new field of a type, with the settings it needs to be valid right away. */
export function createField(
  type: FieldType,
  taken: Iterable<string>,
  labels: FieldLabels,
): FieldSchema {
  const field: FieldSchema = { id: nextFieldId(type, taken), type, label: labels.type };
  switch (type) {
    case 'select':
    case 'multi_select':
    case 'radio':
      field.options = [1, 2, 3].map((n) => ({
        value: `option_${n}`,
        label: labels.option(n),
        color: OPTION_COLORS[n - 1],
      }));
      break;
    case 'rating':
      field.max = 5;
      break;
    case 'currency':
      field.currency = 'CNY';
      break;
    case 'relation':
      field.relation = { formId: '' };
      break;
    case 'sub_table':
      field.fields = [{ id: 'item', type: 'text', label: labels.subTableColumn }];
      break;
    case 'serial':
      field.serial = { pattern: 'NO-{yyyy}-{0000}' };
      break;
    case 'formula':
      field.formula = 0;
      field.resultType = 'number';
      break;
    case 'lookup':
      field.lookup = { relationField: '', field: '' };
      break;
    case 'rollup':
      field.rollup = { relationField: '', aggregate: 'count' };
      break;
    default:
      break;
  }
  return field;
}

/** Labels of a new field in both languages: its type's name, numbered options. */
export function NEW_FIELD_LABELS(type: FieldType): FieldLabels {
  return {
    type: bilingual(FIELD_TYPE_META[type].label),
    option: (n) => bilingual('designer.optionN', { n }),
    subTableColumn: bilingual('designer.subTableDefaultColumn'),
  };
}
