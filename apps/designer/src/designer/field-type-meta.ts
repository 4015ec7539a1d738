import type { FieldGroupKey, FieldType } from '../forms/form-schema.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';
import type { IconName } from '../ui/icon.js';

/** How the palette and the canvas show a field type: its name and a short glyph (or an icon). */
export const FIELD_TYPE_META: Readonly<
  Record<FieldType, { label: MessageKey; glyph: string; icon?: IconName }>
> = {
  text: { label: 'fieldType.text', glyph: 'Aa' },
  textarea: { label: 'fieldType.textarea', glyph: '¶' },
  rich_text: { label: 'fieldType.rich_text', glyph: 'B' },
  number: { label: 'fieldType.number', glyph: '#' },
  currency: { label: 'fieldType.currency', glyph: '¥' },
  percent: { label: 'fieldType.percent', glyph: '%' },
  date: { label: 'fieldType.date', glyph: '31' },
  datetime: { label: 'fieldType.datetime', glyph: '31:' },
  select: { label: 'fieldType.select', glyph: '▾' },
  multi_select: { label: 'fieldType.multi_select', glyph: '☰' },
  radio: { label: 'fieldType.radio', glyph: '◉' },
  boolean: { label: 'fieldType.boolean', glyph: '✓' },
  rating: { label: 'fieldType.rating', glyph: '★' },
  phone: { label: 'fieldType.phone', glyph: '☎' },
  email: { label: 'fieldType.email', glyph: '@' },
  url: { label: 'fieldType.url', glyph: '⌘' },
  user: { label: 'fieldType.user', glyph: '☺' },
  department: { label: 'fieldType.department', glyph: '⚑' },
  relation: { label: 'fieldType.relation', glyph: '⇄' },
  sub_table: { label: 'fieldType.sub_table', glyph: '⊞' },
  attachment: { label: 'fieldType.attachment', glyph: '', icon: 'clip' },
  image: { label: 'fieldType.image', glyph: '▣' },
  address: { label: 'fieldType.address', glyph: '⌂' },
  location: { label: 'fieldType.location', glyph: '◎' },
  serial: { label: 'fieldType.serial', glyph: '№' },
  formula: { label: 'fieldType.formula', glyph: 'ƒx' },
  lookup: { label: 'fieldType.lookup', glyph: '↗' },
  rollup: { label: 'fieldType.rollup', glyph: 'Σ' },
};

export const FIELD_GROUP_LABELS: Readonly<Record<FieldGroupKey, MessageKey>> = {
  basic: 'fieldGroup.basic',
  choice: 'fieldGroup.choice',
  time: 'fieldGroup.time',
  contact: 'fieldGroup.contact',
  relations: 'fieldGroup.relations',
  files: 'fieldGroup.files',
  computed: 'fieldGroup.computed',
};
