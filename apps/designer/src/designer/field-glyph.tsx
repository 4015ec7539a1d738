import type { FieldType } from '../forms/form-schema.js';
import { Icon } from '../ui/icon.js';
import { FIELD_TYPE_META } from './field-type-meta.js';

/** The small mark of a field type in the palette, on the canvas and in pickers. */
export function FieldGlyph({ type }: { type: FieldType }) {
  const meta = FIELD_TYPE_META[type];
  return meta.icon === undefined ? <>{meta.glyph}</> : <Icon name={meta.icon} />;
}
