// An index of a (possibly malformed) bundle's forms and flows, for reference checks: which forms
// exist, their fields, and what a dotted path such as `customer.owner_id.team` points at.
import { normalizeFlow, type FlowDefinition } from '@trellis/flow-engine';

export type Obj = Record<string, unknown>;

export const isObject = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const join = (path: string, key: string | number): string =>
  path === '' ? String(key) : `${path}.${key}`;

export const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** What a reference check needs to know about a field. */
export type FieldInfo = {
  id: string;
  type: string;
  relation?: { formId: string; multiple: boolean };
  options?: readonly string[];
  required?: unknown;
  hasDefault?: boolean;
  /** The field has a visibility condition (a hidden field is never required). */
  conditional?: boolean;
  resultType?: string;
};

/** Types of the system fields every record has. */
export const SYSTEM_FIELD_TYPES: Readonly<Record<string, string>> = Object.freeze({
  id: 'uuid',
  owner_id: 'user',
  created_by: 'user',
  created_at: 'datetime',
  updated_at: 'datetime',
  version: 'number',
  stage: 'stage',
  stage_entered_at: 'datetime',
  deleted_at: 'datetime',
  is_draft: 'boolean',
  submitted_at: 'datetime',
  workspace_id: 'uuid',
});

/** What a user value (a user field, owner_id, created_by) exposes to reports and rules. */
export const USER_ATTRIBUTES: readonly string[] = ['name', 'team', 'department', 'manager'];
const ADDRESS_PARTS: readonly string[] = ['province', 'city', 'district', 'detail', 'adcode'];
const LOCATION_PARTS: readonly string[] = ['lat', 'lng', 'address', 'accuracy'];

export const NUMERIC_TYPES: ReadonlySet<string> = new Set([
  'number',
  'currency',
  'percent',
  'rating',
]);
export const DATE_TYPES: ReadonlySet<string> = new Set(['date', 'datetime']);
export const COMPUTED_TYPES: ReadonlySet<string> = new Set([
  'serial',
  'formula',
  'lookup',
  'rollup',
]);

export type FormInfo = {
  id: string;
  index: number;
  fields: ReadonlyMap<string, FieldInfo>;
  /** User field ids, in order (for engines that take a field list). */
  fieldIds: readonly string[];
  flow?: { index: number; definition: FlowDefinition; states: readonly string[] };
};

export type BundleIndex = {
  forms: ReadonlyMap<string, FormInfo>;
  roles: ReadonlySet<string>;
  teams: ReadonlySet<string>;
};

function fieldInfo(raw: Obj): FieldInfo | undefined {
  const id = raw['id'];
  const type = raw['type'];
  if (typeof id !== 'string' || typeof type !== 'string') return undefined;
  const info: FieldInfo = { id, type };
  const relation = raw['relation'];
  if (type === 'relation' && isObject(relation) && typeof relation['formId'] === 'string') {
    info.relation = { formId: relation['formId'], multiple: relation['multiple'] === true };
  }
  const options = raw['options'];
  if (Array.isArray(options)) {
    info.options = options
      .filter(isObject)
      .map((o) => o['value'])
      .filter((v): v is string => typeof v === 'string');
  }
  info.required = raw['required'];
  info.hasDefault = raw['default'] !== undefined;
  info.conditional = raw['visible'] !== undefined;
  if (typeof raw['resultType'] === 'string') info.resultType = raw['resultType'];
  return info;
}

/** Builds the index; the first form (flow, role, team) with a given key wins. */
export function indexBundle(bundle: Obj): BundleIndex {
  const forms = new Map<string, FormInfo>();
  asArray(bundle['forms']).forEach((form, index) => {
    if (!isObject(form) || typeof form['id'] !== 'string' || forms.has(form['id'])) return;
    const fields = new Map<string, FieldInfo>();
    for (const raw of asArray(form['fields'])) {
      if (!isObject(raw)) continue;
      const info = fieldInfo(raw);
      if (info !== undefined && !fields.has(info.id)) fields.set(info.id, info);
    }
    forms.set(form['id'], { id: form['id'], index, fields, fieldIds: [...fields.keys()] });
  });
  asArray(bundle['flows']).forEach((flow, index) => {
    if (!isObject(flow) || typeof flow['formId'] !== 'string') return;
    const form = forms.get(flow['formId']);
    if (form === undefined || form.flow !== undefined) return;
    const definition = normalizeFlow(flow['definition']);
    if (Array.isArray(definition)) return;
    form.flow = { index, definition, states: definition.states.map((s) => s.id) };
  });
  const keys = (list: unknown, key: string): Set<string> =>
    new Set(
      asArray(list)
        .filter(isObject)
        .map((x) => x[key])
        .filter((k): k is string => typeof k === 'string'),
    );
  return {
    forms,
    roles: new Set([...WORKSPACE_ROLE_KEYS, ...keys(bundle['roles'], 'key')]),
    teams: keys(bundle['teams'], 'key'),
  };
}

/**
 * Roles every workspace has (the API creates them), so bundles may name them without defining
 * them. A bundle role with one of these keys is merged into the workspace's role on import.
 */
export const WORKSPACE_ROLE_KEYS: readonly string[] = [
  'owner',
  'admin',
  'manager',
  'member',
  'viewer',
];

export function fieldOf(form: FormInfo, id: string): FieldInfo | undefined {
  const own = form.fields.get(id);
  if (own !== undefined) return own;
  const system = SYSTEM_FIELD_TYPES[id];
  return system === undefined ? undefined : { id, type: system };
}

export type Resolved =
  | { ok: true; field: FieldInfo; form: FormInfo; viaMultiple: boolean; attribute?: string }
  | { ok: false; message: string };

/**
 * What a dotted path points at, starting from a form: `amount`, `customer.level` (through a
 * relation), `customer.owner_id.team` (a user's attribute), `region.province` (an address part).
 */
export function resolvePath(index: BundleIndex, formId: string, path: string): Resolved {
  let form = index.forms.get(formId);
  if (form === undefined) return { ok: false, message: `no form "${formId}"` };
  const segments = path.split('.');
  let viaMultiple = false;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    const field: FieldInfo | undefined = fieldOf(form, segment);
    if (field === undefined) {
      return { ok: false, message: `form "${form.id}" has no field "${segment}"` };
    }
    const rest = segments.slice(i + 1);
    if (rest.length === 0) return { ok: true, field, form, viaMultiple };
    if (field.type === 'relation' && field.relation !== undefined) {
      const target = index.forms.get(field.relation.formId);
      if (target === undefined) return { ok: false, message: `no form "${field.relation.formId}"` };
      viaMultiple ||= field.relation.multiple;
      form = target;
      continue;
    }
    const part = rest.join('.');
    const parts =
      field.type === 'user'
        ? USER_ATTRIBUTES
        : field.type === 'address'
          ? ADDRESS_PARTS
          : field.type === 'location'
            ? LOCATION_PARTS
            : [];
    if (parts.includes(part)) return { ok: true, field, form, viaMultiple, attribute: part };
    return {
      ok: false,
      message:
        parts.length === 0
          ? `"${segment}" (${field.type}) has no parts: "${path}" cannot go further`
          : `"${segment}" (${field.type}) has ${parts.join(', ')}, not "${part}"`,
    };
  }
  return { ok: false, message: `empty path` };
}

/** The stored type of a resolved path: an attribute of a user/address is text; a formula its result. */
export function valueType(resolved: Extract<Resolved, { ok: true }>): string {
  if (resolved.attribute !== undefined) {
    return resolved.field.type === 'location' &&
      ['lat', 'lng', 'accuracy'].includes(resolved.attribute)
      ? 'number'
      : 'text';
  }
  const f = resolved.field;
  if (f.type === 'formula') {
    const rt = f.resultType ?? 'number';
    return rt === 'date' ? 'date' : rt;
  }
  if (f.type === 'rollup') return 'rollup';
  return f.type;
}

/** Rollups and lookups take the type of what they aggregate or copy: accepted where either fits. */
export function isNumericType(type: string): boolean {
  return NUMERIC_TYPES.has(type) || type === 'rollup' || type === 'lookup';
}

export function isDateType(type: string): boolean {
  return DATE_TYPES.has(type) || type === 'rollup' || type === 'lookup';
}
