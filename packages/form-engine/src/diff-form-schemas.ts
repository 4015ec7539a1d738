// What changed between two versions of a form, field by field (ids are stable, so a field is the
// same field across versions whatever its label). Sub-table columns appear as `<sub_table>.<column>`.
import { losslessTypeChange } from './type-changes.js';
import type { FieldOption, FieldSchema, FieldType, FormSchema, LocalizedText } from './types.js';

export type OptionChanges = {
  id: string;
  added: string[];
  removed: string[];
  /** Values whose label changed. */
  relabeled: string[];
  /** Values whose colour changed. */
  recolored: string[];
  /** True when the order of the remaining options changed. */
  reordered: boolean;
};

export type FormSchemaDiff = {
  added: Array<{ id: string; type: FieldType }>;
  removed: Array<{ id: string; type: FieldType }>;
  /** Label changes (the id, and so the column, stays). */
  renamed: Array<{ id: string; from: LocalizedText; to: LocalizedText }>;
  /** `lossless`: every value of the old type converts to the new one without loss. */
  retyped: Array<{ id: string; fromType: FieldType; toType: FieldType; lossless: boolean }>;
  options: OptionChanges[];
  /** Other properties that changed (`required`, `relation.multiple`, `formula`, `max` …). */
  changed: Array<{ id: string; properties: string[] }>;
  /** Order of the fields changed. */
  reordered: boolean;
  /** True when stored values may need attention: removed or retyped fields, removed options, relation changes. */
  breaking: boolean;
};

const json = (v: unknown): string => JSON.stringify(v ?? null);

const COMPARED: ReadonlyArray<keyof FieldSchema> = [
  'help',
  'placeholder',
  'default',
  'required',
  'visible',
  'readOnly',
  'min',
  'max',
  'minLength',
  'maxLength',
  'pattern',
  'unique',
  'currency',
  'formula',
  'resultType',
  'serial',
  'lookup',
  'rollup',
];

function optionChanges(
  id: string,
  before: readonly FieldOption[],
  after: readonly FieldOption[],
): OptionChanges | undefined {
  const old = new Map(before.map((o) => [o.value, o]));
  const next = new Map(after.map((o) => [o.value, o]));
  const added = after.filter((o) => !old.has(o.value)).map((o) => o.value);
  const removed = before.filter((o) => !next.has(o.value)).map((o) => o.value);
  const relabeled = after
    .filter((o) => old.has(o.value) && json(old.get(o.value)?.label) !== json(o.label))
    .map((o) => o.value);
  const recolored = after
    .filter((o) => old.has(o.value) && (old.get(o.value)?.color ?? null) !== (o.color ?? null))
    .map((o) => o.value);
  const kept = (list: readonly FieldOption[], other: ReadonlyMap<string, FieldOption>) =>
    list.filter((o) => other.has(o.value)).map((o) => o.value);
  const reordered = json(kept(before, next)) !== json(kept(after, old));
  if (added.length + removed.length + relabeled.length + recolored.length === 0 && !reordered)
    return undefined;
  return { id, added, removed, relabeled, recolored, reordered };
}

function diffFields(
  before: readonly FieldSchema[],
  after: readonly FieldSchema[],
  prefix: string,
  out: FormSchemaDiff,
): void {
  const old = new Map(before.map((f) => [f.id, f]));
  const next = new Map(after.map((f) => [f.id, f]));
  for (const f of after) if (!old.has(f.id)) out.added.push({ id: prefix + f.id, type: f.type });
  for (const f of before)
    if (!next.has(f.id)) out.removed.push({ id: prefix + f.id, type: f.type });
  for (const f of after) {
    const o = old.get(f.id);
    if (o === undefined) continue;
    const id = prefix + f.id;
    if (json(o.label) !== json(f.label)) out.renamed.push({ id, from: o.label, to: f.label });
    if (o.type !== f.type) {
      out.retyped.push({
        id,
        fromType: o.type,
        toType: f.type,
        lossless: losslessTypeChange(o.type, f.type),
      });
      continue;
    }
    const properties = COMPARED.filter((key) => json(o[key]) !== json(f[key])) as string[];
    if ((o.relation?.formId ?? null) !== (f.relation?.formId ?? null))
      properties.push('relation.formId');
    if ((o.relation?.multiple ?? false) !== (f.relation?.multiple ?? false))
      properties.push('relation.multiple');
    if (properties.length > 0) out.changed.push({ id, properties });
    if (o.options !== undefined || f.options !== undefined) {
      const changes = optionChanges(id, o.options ?? [], f.options ?? []);
      if (changes !== undefined) out.options.push(changes);
    }
    if (f.type === 'sub_table') diffFields(o.fields ?? [], f.fields ?? [], `${id}.`, out);
  }
  const keptOld = before.filter((f) => next.has(f.id)).map((f) => f.id);
  const keptNew = after.filter((f) => old.has(f.id)).map((f) => f.id);
  if (prefix === '' && json(keptOld) !== json(keptNew)) out.reordered = true;
}

/** Added, removed, renamed (label) and retyped fields, option changes and other property changes. */
export function diffFormSchemas(previous: FormSchema, next: FormSchema): FormSchemaDiff {
  const out: FormSchemaDiff = {
    added: [],
    removed: [],
    renamed: [],
    retyped: [],
    options: [],
    changed: [],
    reordered: false,
    breaking: false,
  };
  diffFields(previous.fields, next.fields, '', out);
  out.breaking =
    out.removed.length > 0 ||
    out.retyped.some((r) => !r.lossless) ||
    out.options.some((o) => o.removed.length > 0) ||
    out.changed.some((c) => c.properties.some((p) => p.startsWith('relation.')));
  return out;
}
