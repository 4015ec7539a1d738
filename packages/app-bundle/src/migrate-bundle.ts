// Forward migrations of the bundle format: ordered, pure (input never mutated), one per schema
// version step. Each is tested against a frozen fixture of the version it reads.
import type { Issue } from '@trellis/rule-engine';
import { BUNDLE_SCHEMA_VERSION } from './bundle-json-schema.js';
import { isObject, type Obj } from './form-index.js';
import type { Bundle } from './types.js';

export type BundleMigration = {
  /** Stable id, listed in `applied`: `1-to-2` */
  id: string;
  from: number;
  to: number;
  description: string;
  migrate(bundle: Readonly<Obj>): Obj;
};

const rename = (o: Readonly<Obj>, map: Readonly<Record<string, string>>): Obj => {
  const out: Obj = {};
  for (const [key, value] of Object.entries(o)) out[map[key] ?? key] = value;
  return out;
};

/** v1 field → v2 field (form-engine's FieldSchema). Unknown keys are kept for validation to report. */
function fieldV1(raw: unknown): unknown {
  if (!isObject(raw)) return raw;
  const {
    required_if: requiredIf,
    visible_if: visibleIf,
    read_only_if: readOnlyIf,
    help_text: help,
    default_value: defaultValue,
    min_length: minLength,
    max_length: maxLength,
    relation_form: relationForm,
    multiple,
    sub_fields: subFields,
    result_type: resultType,
    serial_pattern: serialPattern,
    lookup,
    rollup,
    options,
    ...rest
  } = raw;
  const out: Obj = { ...rest };
  if (help !== undefined) out['help'] = help;
  if (defaultValue !== undefined) out['default'] = defaultValue;
  // `required: true` wins over a condition; otherwise the condition becomes `required`.
  if (requiredIf !== undefined && out['required'] !== true) out['required'] = requiredIf;
  if (visibleIf !== undefined) out['visible'] = visibleIf;
  if (readOnlyIf !== undefined) out['readOnly'] = readOnlyIf;
  if (options !== undefined) {
    out['options'] = Array.isArray(options)
      ? options.map((o) => (typeof o === 'string' ? { value: o, label: o } : o))
      : options;
  }
  if (minLength !== undefined) out['minLength'] = minLength;
  if (maxLength !== undefined) out['maxLength'] = maxLength;
  if (relationForm !== undefined) {
    out['relation'] = { formId: relationForm, ...(multiple === true ? { multiple: true } : {}) };
  } else if (multiple !== undefined) out['multiple'] = multiple;
  if (subFields !== undefined)
    out['fields'] = Array.isArray(subFields) ? subFields.map(fieldV1) : subFields;
  if (resultType !== undefined) out['resultType'] = resultType;
  if (serialPattern !== undefined) out['serial'] = { pattern: serialPattern };
  if (lookup !== undefined) {
    out['lookup'] = isObject(lookup) ? rename(lookup, { relation_field: 'relationField' }) : lookup;
  }
  if (rollup !== undefined) {
    out['rollup'] = isObject(rollup) ? rename(rollup, { relation_field: 'relationField' }) : rollup;
  }
  return out;
}

function formPermissionV1(raw: unknown): unknown {
  if (!isObject(raw)) return raw;
  const {
    row_scope: rowScope,
    hidden_fields: hidden,
    masked_fields: masked,
    read_only_fields: readOnly,
    ...rest
  } = raw;
  const out: Obj = { ...rest };
  if (rowScope !== undefined) out['rowScope'] = rowScope;
  const fields: Record<string, string> = {};
  for (const [list, access] of [
    [readOnly, 'read_only'],
    [masked, 'masked'],
    [hidden, 'hidden'],
  ] as const) {
    if (Array.isArray(list)) for (const f of list) if (typeof f === 'string') fields[f] = access;
  }
  if (Object.keys(fields).length > 0) out['fields'] = fields;
  return out;
}

const mapList = (value: unknown, fn: (item: Obj) => unknown): unknown =>
  Array.isArray(value) ? value.map((item) => (isObject(item) ? fn(item) : item)) : value;

/** Schema version 1 (Trellis 0.x): snake_case keys, forms and flows as maps keyed by form id. */
const v1ToV2: BundleMigration = {
  id: '1-to-2',
  from: 1,
  to: 2,
  description:
    'camelCase keys; forms and flows become arrays (the map key becomes the form id / formId); ' +
    'fields: required_if/visible_if/read_only_if → required/visible/readOnly, relation_form → relation, ' +
    'sub_fields → fields, string options → { value, label }; automations → rules (form_id → form); ' +
    'chart_type → chart; dashboard widgets → items; role field lists → a field access map',
  migrate(b) {
    const out: Obj = {};
    const {
      schema_version: _version,
      app_key: key,
      app_version: version,
      title,
      summary,
      forms,
      flows,
      automations,
      reports,
      dashboards,
      roles,
      teams,
      sample_data: sampleData,
      ...rest
    } = b;
    out['schemaVersion'] = 2;
    if (key !== undefined) out['key'] = key;
    if (version !== undefined) out['version'] = version;
    if (title !== undefined) out['name'] = title;
    if (summary !== undefined) out['description'] = summary;
    Object.assign(out, rest);
    out['forms'] = isObject(forms)
      ? Object.entries(forms).map(([id, form]) =>
          isObject(form)
            ? {
                id,
                ...form,
                fields: Array.isArray(form['fields'])
                  ? form['fields'].map(fieldV1)
                  : form['fields'],
              }
            : form,
        )
      : (forms ?? []);
    out['flows'] = isObject(flows)
      ? Object.entries(flows).map(([formId, definition]) => ({ formId, definition }))
      : (flows ?? []);
    out['rules'] = mapList(automations ?? [], (r) => rename(r, { form_id: 'form' }));
    out['reports'] = mapList(reports ?? [], (r) => {
      const { chart_type: type, chart_options: options, ...report } = r;
      return { ...report, chart: { ...(isObject(options) ? options : {}), type } };
    });
    out['dashboards'] = mapList(dashboards ?? [], (d) => {
      const { widgets, ...dashboard } = d;
      return {
        ...dashboard,
        items: mapList(widgets, (w) => {
          const { report_id: reportId, kpi_measure: measure, ...item } = w;
          return measure === undefined
            ? { ...item, reportId }
            : { ...item, kpi: { reportId, measure } };
        }),
      };
    });
    out['roles'] = mapList(roles ?? [], (r) => {
      const permissions = r['permissions'];
      if (!isObject(permissions) || !isObject(permissions['forms'])) return r;
      const formsOut: Obj = {};
      for (const [formKey, p] of Object.entries(permissions['forms']))
        formsOut[formKey] = formPermissionV1(p);
      return { ...r, permissions: { ...permissions, forms: formsOut } };
    });
    if (teams !== undefined)
      out['teams'] = mapList(teams, (t) => rename(t, { parent_key: 'parent' }));
    if (sampleData !== undefined) out['sampleData'] = sampleData;
    return out;
  },
};

/** Every migration, in order. */
export const BUNDLE_MIGRATIONS: readonly BundleMigration[] = [v1ToV2];

/** The schema version a raw bundle says it has (v1 spelled it `schema_version`). */
export function bundleSchemaVersion(raw: unknown): number | undefined {
  if (!isObject(raw)) return undefined;
  const v = raw['schemaVersion'] ?? raw['schema_version'];
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

/**
 * Brings a bundle of any known schema version to the current one through the ordered
 * migrations (pure: the input is not changed). Returns the migrated bundle (still to be
 * validated) with the ids of the migrations applied, or issues when it cannot be migrated (not a
 * bundle, no schema version, a version from the future).
 */
export function migrateBundle(raw: unknown): { bundle: Bundle; applied: string[] } | Issue[] {
  if (!isObject(raw))
    return [{ path: '', code: 'invalid_type', message: 'a bundle is a JSON object' }];
  const version = bundleSchemaVersion(raw);
  if (version === undefined) {
    return [
      {
        path: 'schemaVersion',
        code: 'required',
        message: 'schemaVersion (or, in version 1, schema_version) is required',
      },
    ];
  }
  if (version > BUNDLE_SCHEMA_VERSION) {
    return [
      {
        path: 'schemaVersion',
        code: 'unsupported_schema_version',
        message: `schema version ${version} is newer than this Trellis understands (${BUNDLE_SCHEMA_VERSION})`,
      },
    ];
  }
  if (version < 1) {
    return [
      { path: 'schemaVersion', code: 'invalid_value', message: 'schema versions start at 1' },
    ];
  }
  let current: Obj = structuredClone(raw);
  const applied: string[] = [];
  for (let v = version; v < BUNDLE_SCHEMA_VERSION;) {
    const step = BUNDLE_MIGRATIONS.find((m) => m.from === v);
    if (step === undefined) {
      return [
        {
          path: 'schemaVersion',
          code: 'no_migration',
          message: `no migration from schema version ${v}`,
        },
      ];
    }
    current = step.migrate(current);
    applied.push(step.id);
    v = step.to;
  }
  return { bundle: current as unknown as Bundle, applied };
}
