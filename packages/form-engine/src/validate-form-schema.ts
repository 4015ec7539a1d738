// Checks a form schema and returns every issue at once, each with a dotted path
// (`fields.2.options.1.value`). README rules 1–2 and 10–12 list what is checked.
import { Decimal } from './decimal.js';
import { referencedVars, SYSTEM_FIELDS, validateRule } from '@trellis/rule-engine';
import { topologicalOrder } from './dependency-graph.js';
import {
  COMPUTED_TYPES,
  DEFAULT_RATING_MAX,
  ID_PATTERN,
  isFieldType,
  LENGTH_TYPES,
  LIMITS,
  OPTION_TYPES,
  PATTERN_TYPES,
  rangeKindOf,
  SUB_TABLE_TYPES,
  SYSTEM_FIELD_ID_SET,
  UNIQUE_TYPES,
} from './field-types.js';
import { parseFieldValue, valueSpec } from './field-values.js';
import { isLocalizedText } from './localized-text.js';
import type { FieldSchema, FormSchema, Issue } from './types.js';
import { canonicalDatetime, isDecimalText, isValidDate } from './value-formats.js';

/** A field of another form, as far as references need it. */
export type KnownField = {
  id: string;
  type: string;
  relation?: { formId: string; multiple?: boolean };
  fields?: readonly KnownField[];
};

/** Another form of the app: its id, and its fields when known (then references into it are checked). */
export type KnownForm = { id: string; fields?: readonly KnownField[] };

export type ValidateFormSchemaOptions = {
  /** The app's other forms. When given, relations to unknown forms are reported. */
  forms?: readonly KnownForm[];
};

const FORM_KEYS = new Set(['id', 'name', 'version', 'fields', 'layout', 'checks']);
const FIELD_KEYS = new Set([
  'id',
  'type',
  'label',
  'help',
  'placeholder',
  'default',
  'required',
  'visible',
  'readOnly',
  'options',
  'min',
  'max',
  'minLength',
  'maxLength',
  'pattern',
  'unique',
  'currency',
  'relation',
  'fields',
  'formula',
  'resultType',
  'serial',
  'lookup',
  'rollup',
]);
const OPTION_KEYS = new Set(['value', 'label', 'color']);
const CHECK_KEYS = new Set(['id', 'rule', 'message']);
const COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const CURRENCY = /^[A-Z]{3}$/;
const SERIAL_TOKEN = /\{([^{}]*)\}/g;
const ADDRESS_PARTS = new Set(['province', 'city', 'district', 'detail', 'adcode']);
const LOCATION_PARTS = new Set(['lat', 'lng', 'address', 'accuracy', 'coordSystem', 'capturedAt']);
const USER_PARTS = new Set(['id', 'departmentId', 'roles']);
/** Variables rules may read besides fields (README rule 11). */
export const CONTEXT_VARS: readonly string[] = ['$now', '$user'];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (path: string, key: string | number): string =>
  path === '' ? String(key) : `${path}.${key}`;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

type Ctx = {
  issues: Issue[];
  form: Record<string, unknown>;
  formId: string | undefined;
  forms: ReadonlyMap<string, KnownForm> | undefined;
};

function add(ctx: Ctx, path: string, code: string, message: string): void {
  ctx.issues.push({ path, code, message });
}

function unknownKeys(
  ctx: Ctx,
  value: Record<string, unknown>,
  allowed: ReadonlySet<string>,
  path: string,
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key))
      add(ctx, join(path, key), 'UNKNOWN_PROPERTY', `unknown property "${key}"`);
  }
}

function localized(ctx: Ctx, value: unknown, path: string, required: boolean): void {
  if (value === undefined) {
    if (required)
      add(
        ctx,
        path,
        'REQUIRED_PROPERTY',
        'a text is required (a string, or one per locale with zh-CN)',
      );
    return;
  }
  if (!isLocalizedText(value)) {
    add(
      ctx,
      path,
      'INVALID_LOCALIZED_TEXT',
      'must be a non-empty string or { "zh-CN": "…", "en": "…" }',
    );
  }
}

function checkId(ctx: Ctx, value: unknown, path: string, what: string): value is string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    add(
      ctx,
      path,
      'INVALID_ID',
      `${what} must match ${ID_PATTERN} (lowercase letters, digits and _)`,
    );
    return false;
  }
  return true;
}

/**
 * Every issue of a form schema at once: structure, ids, types, options, bounds, references,
 * JsonLogic rules (via the rule engine), formula and visibility cycles, defaults, layout.
 */
export function validateFormSchema(
  schema: unknown,
  options: ValidateFormSchemaOptions = {},
): Issue[] {
  const issues: Issue[] = [];
  if (!isObject(schema))
    return [{ path: '', code: 'INVALID_TYPE', message: 'a form schema must be an object' }];
  const ctx: Ctx = {
    issues,
    form: schema,
    formId: typeof schema['id'] === 'string' ? schema['id'] : undefined,
    forms: options.forms === undefined ? undefined : new Map(options.forms.map((f) => [f.id, f])),
  };
  unknownKeys(ctx, schema, FORM_KEYS, '');
  checkId(ctx, schema['id'], 'id', 'the form id');
  localized(ctx, schema['name'], 'name', true);
  const version = schema['version'];
  if (version !== undefined && !(isInt(version) && version >= 1)) {
    add(ctx, 'version', 'INVALID_VERSION', 'version must be a positive integer');
  }
  const fields = schema['fields'];
  let validFields: FieldSchema[] = [];
  if (!Array.isArray(fields)) {
    add(ctx, 'fields', 'INVALID_TYPE', 'fields must be an array');
  } else {
    if (fields.length > LIMITS.fields)
      add(ctx, 'fields', 'TOO_MANY_FIELDS', `a form has at most ${LIMITS.fields} fields`);
    validFields = checkFields(ctx, fields, 'fields', false);
  }
  checkChecks(ctx, schema['checks'], validFields);
  checkLayout(ctx, schema['layout'], fields);
  return issues;
}

/**
 * The schema when it is valid (a clean copy, only known keys), otherwise its issues.
 */
export function normalizeFormSchema(
  schema: unknown,
  options: ValidateFormSchemaOptions = {},
): FormSchema | Issue[] {
  const issues = validateFormSchema(schema, options);
  if (issues.length > 0) return issues;
  return JSON.parse(JSON.stringify(schema)) as FormSchema;
}

/** Checks a scope's fields; returns the ones sound enough for cross-field checks. */
function checkFields(
  ctx: Ctx,
  fields: readonly unknown[],
  path: string,
  inSubTable: boolean,
): FieldSchema[] {
  const seen = new Map<string, number>();
  const sound: FieldSchema[] = [];
  const indexOf = new Map<FieldSchema, number>();
  fields.forEach((raw, i) => {
    const at = join(path, i);
    if (!isObject(raw)) {
      add(ctx, at, 'INVALID_TYPE', 'a field must be an object');
      return;
    }
    const ok = checkField(ctx, raw, at, inSubTable);
    const id = raw['id'];
    if (typeof id === 'string') {
      const first = seen.get(id);
      if (first !== undefined) {
        add(
          ctx,
          join(at, 'id'),
          'DUPLICATE_ID',
          `field id "${id}" is already used by ${join(path, first)}`,
        );
        return;
      }
      seen.set(id, i);
    }
    if (ok) {
      sound.push(raw as unknown as FieldSchema);
      indexOf.set(raw as unknown as FieldSchema, i);
    }
  });
  checkScopeRules(ctx, sound, (f) => join(path, indexOf.get(f) ?? 0), inSubTable);
  return sound;
}

/** Checks one field on its own; false when its id or type is unusable. */
function checkField(
  ctx: Ctx,
  f: Record<string, unknown>,
  at: string,
  inSubTable: boolean,
): boolean {
  unknownKeys(ctx, f, FIELD_KEYS, at);
  let ok = checkId(ctx, f['id'], join(at, 'id'), 'a field id');
  if (typeof f['id'] === 'string' && SYSTEM_FIELD_ID_SET.has(f['id'])) {
    add(ctx, join(at, 'id'), 'RESERVED_ID', `"${f['id']}" is a system field of every record`);
    ok = false;
  }
  const type = f['type'];
  if (!isFieldType(type)) {
    add(ctx, join(at, 'type'), 'UNKNOWN_FIELD_TYPE', `unknown field type ${JSON.stringify(type)}`);
    return false;
  }
  if (inSubTable && !SUB_TABLE_TYPES.has(type)) {
    add(
      ctx,
      join(at, 'type'),
      'NOT_ALLOWED_IN_SUB_TABLE',
      type === 'sub_table'
        ? 'sub-tables do not nest'
        : `a sub-table column cannot be of type "${type}"`,
    );
    ok = false;
  }
  localized(ctx, f['label'], join(at, 'label'), true);
  localized(ctx, f['help'], join(at, 'help'), false);
  localized(ctx, f['placeholder'], join(at, 'placeholder'), false);

  const notApplicable = (key: string): void => {
    if (f[key] !== undefined)
      add(
        ctx,
        join(at, key),
        'PROPERTY_NOT_APPLICABLE',
        `"${key}" does not apply to a ${type} field`,
      );
  };
  const requiredKey = (key: string): boolean => {
    if (f[key] === undefined) {
      add(ctx, join(at, key), 'REQUIRED_PROPERTY', `a ${type} field needs "${key}"`);
      return false;
    }
    return true;
  };

  // options
  if (OPTION_TYPES.has(type)) {
    if (requiredKey('options')) checkOptions(ctx, f['options'], join(at, 'options'));
  } else notApplicable('options');

  // relation
  const relation = f['relation'];
  let multiple = false;
  if (type === 'relation') {
    if (requiredKey('relation')) {
      if (!isObject(relation))
        add(ctx, join(at, 'relation'), 'INVALID_TYPE', 'relation must be { formId, multiple? }');
      else {
        unknownKeys(ctx, relation, new Set(['formId', 'multiple']), join(at, 'relation'));
        const formId = relation['formId'];
        if (
          checkId(ctx, formId, join(at, 'relation.formId'), 'relation.formId') &&
          ctx.forms !== undefined
        ) {
          if (formId !== ctx.formId && !ctx.forms.has(formId)) {
            add(
              ctx,
              join(at, 'relation.formId'),
              'UNKNOWN_FORM',
              `no form "${formId}" in this app`,
            );
          }
        }
        if (relation['multiple'] !== undefined && typeof relation['multiple'] !== 'boolean') {
          add(
            ctx,
            join(at, 'relation.multiple'),
            'INVALID_TYPE',
            'relation.multiple must be true or false',
          );
        }
        multiple = relation['multiple'] === true;
        if (inSubTable && multiple) {
          add(
            ctx,
            join(at, 'relation.multiple'),
            'NOT_ALLOWED_IN_SUB_TABLE',
            'a sub-table column relates to one record',
          );
        }
      }
    }
  } else notApplicable('relation');

  // bounds
  checkBounds(ctx, f, at, type, multiple);

  // length and pattern
  if (LENGTH_TYPES.has(type)) {
    for (const key of ['minLength', 'maxLength']) {
      const v = f[key];
      if (v !== undefined && !(isInt(v) && v >= 0)) {
        add(ctx, join(at, key), 'INVALID_LENGTH', `${key} must be a non-negative integer`);
      }
    }
    const cap =
      type === 'text'
        ? LIMITS.textLength
        : type === 'textarea'
          ? LIMITS.textareaLength
          : LIMITS.richTextLength;
    if (isInt(f['maxLength']) && f['maxLength'] > cap) {
      add(
        ctx,
        join(at, 'maxLength'),
        'INVALID_LENGTH',
        `maxLength of a ${type} field is at most ${cap}`,
      );
    }
    if (isInt(f['minLength']) && isInt(f['maxLength']) && f['minLength'] > f['maxLength']) {
      add(ctx, join(at, 'minLength'), 'INVALID_RANGE', 'minLength is greater than maxLength');
    }
  } else {
    notApplicable('minLength');
    notApplicable('maxLength');
  }
  if (PATTERN_TYPES.has(type)) {
    const pattern = f['pattern'];
    if (pattern !== undefined) {
      if (typeof pattern !== 'string' || pattern === '' || pattern.length > LIMITS.patternLength) {
        add(
          ctx,
          join(at, 'pattern'),
          'INVALID_PATTERN',
          `pattern must be a regular expression of 1 to ${LIMITS.patternLength} characters`,
        );
      } else {
        const problems = validateRule({ regex_match: ['', pattern, 'u'] });
        if (problems.length > 0) {
          add(
            ctx,
            join(at, 'pattern'),
            'INVALID_PATTERN',
            `not a supported regular expression: ${problems[0]?.message ?? ''}`,
          );
        }
      }
    }
  } else notApplicable('pattern');

  // unique
  const unique = f['unique'];
  if (unique !== undefined) {
    if (typeof unique !== 'boolean')
      add(ctx, join(at, 'unique'), 'INVALID_TYPE', 'unique must be true or false');
    else if (unique && (inSubTable || !UNIQUE_TYPES.has(type) || multiple)) {
      add(
        ctx,
        join(at, 'unique'),
        'UNIQUE_NOT_SUPPORTED',
        `a ${inSubTable ? 'sub-table column' : `${type} field`} cannot be unique`,
      );
    }
  }

  // currency
  if (type === 'currency') {
    const code = f['currency'];
    if (code !== undefined && (typeof code !== 'string' || !CURRENCY.test(code))) {
      add(
        ctx,
        join(at, 'currency'),
        'INVALID_CURRENCY',
        'currency must be an ISO 4217 code such as CNY',
      );
    }
  } else notApplicable('currency');

  // sub-table columns
  if (type === 'sub_table') {
    if (!inSubTable && requiredKey('fields')) {
      const columns = f['fields'];
      if (!Array.isArray(columns) || columns.length === 0) {
        add(ctx, join(at, 'fields'), 'INVALID_TYPE', 'fields must be a non-empty array of columns');
      } else {
        if (columns.length > LIMITS.subTableFields) {
          add(
            ctx,
            join(at, 'fields'),
            'TOO_MANY_FIELDS',
            `a sub-table has at most ${LIMITS.subTableFields} columns`,
          );
        }
        checkFields(ctx, columns, join(at, 'fields'), true);
      }
    }
  } else notApplicable('fields');

  // computed types
  if (type === 'formula') {
    requiredKey('formula');
    const rt = f['resultType'];
    if (rt !== undefined && rt !== 'number' && rt !== 'text' && rt !== 'boolean' && rt !== 'date') {
      add(
        ctx,
        join(at, 'resultType'),
        'INVALID_RESULT_TYPE',
        'resultType must be number, text, boolean or date',
      );
    }
  } else {
    notApplicable('formula');
    notApplicable('resultType');
  }
  if (type === 'serial') {
    if (requiredKey('serial')) checkSerial(ctx, f['serial'], join(at, 'serial'));
  } else notApplicable('serial');
  if (type === 'lookup') {
    if (requiredKey('lookup') && inSubTable)
      add(ctx, join(at, 'lookup'), 'NOT_ALLOWED_IN_SUB_TABLE', 'lookups live on the record');
  } else notApplicable('lookup');
  if (type === 'rollup') requiredKey('rollup');
  else notApplicable('rollup');

  if (COMPUTED_TYPES.has(type)) {
    if (f['default'] !== undefined)
      add(
        ctx,
        join(at, 'default'),
        'PROPERTY_NOT_APPLICABLE',
        `a ${type} field is computed and has no default`,
      );
    if (f['required'] !== undefined && f['required'] !== false) {
      add(
        ctx,
        join(at, 'required'),
        'PROPERTY_NOT_APPLICABLE',
        `a ${type} field is computed and cannot be required`,
      );
    }
  }
  return ok;
}

function checkOptions(ctx: Ctx, options: unknown, at: string): void {
  if (!Array.isArray(options) || options.length === 0) {
    add(ctx, at, 'INVALID_OPTIONS', 'options must be a non-empty array');
    return;
  }
  if (options.length > LIMITS.options)
    add(ctx, at, 'INVALID_OPTIONS', `at most ${LIMITS.options} options`);
  const seen = new Map<string, number>();
  options.forEach((option, i) => {
    const oat = join(at, i);
    if (!isObject(option)) {
      add(ctx, oat, 'INVALID_OPTIONS', 'an option must be { value, label, color? }');
      return;
    }
    unknownKeys(ctx, option, OPTION_KEYS, oat);
    const value = option['value'];
    if (
      typeof value !== 'string' ||
      value.trim() === '' ||
      value !== value.trim() ||
      value.length > LIMITS.optionValueLength
    ) {
      add(
        ctx,
        join(oat, 'value'),
        'INVALID_OPTION_VALUE',
        `an option value is a non-empty string without surrounding spaces, at most ${LIMITS.optionValueLength} characters`,
      );
    } else {
      const first = seen.get(value);
      if (first !== undefined)
        add(
          ctx,
          join(oat, 'value'),
          'DUPLICATE_OPTION',
          `option value "${value}" repeats ${join(at, first)}`,
        );
      else seen.set(value, i);
    }
    localized(ctx, option['label'], join(oat, 'label'), true);
    const color = option['color'];
    if (color !== undefined && (typeof color !== 'string' || !COLOR.test(color))) {
      add(ctx, join(oat, 'color'), 'INVALID_COLOR', 'color must be #rgb or #rrggbb');
    }
  });
}

function checkBounds(
  ctx: Ctx,
  f: Record<string, unknown>,
  at: string,
  type: FieldSchema['type'],
  multiple: boolean,
): void {
  const kind = rangeKindOf(type, multiple);
  const min = f['min'];
  const max = f['max'];
  if (kind === undefined) {
    for (const key of ['min', 'max']) {
      if (f[key] !== undefined)
        add(
          ctx,
          join(at, key),
          'PROPERTY_NOT_APPLICABLE',
          `"${key}" does not apply to a ${type} field`,
        );
    }
    return;
  }
  const valid = (v: unknown): boolean => {
    switch (kind) {
      case 'number':
        return typeof v === 'number' && Number.isFinite(v);
      case 'decimal':
        return (
          (typeof v === 'number' && Number.isFinite(v)) ||
          (typeof v === 'string' && isDecimalText(v))
        );
      case 'date':
        return typeof v === 'string' && isValidDate(v);
      case 'datetime':
        return typeof v === 'string' && canonicalDatetime(v) !== undefined;
      case 'count':
        return isInt(v) && v >= 0;
      case 'stars':
        return isInt(v) && v >= 1 && v <= LIMITS.ratingStars;
    }
  };
  const describe: Record<typeof kind, string> = {
    number: 'a number',
    decimal: 'a decimal such as "12800.50"',
    date: 'a date YYYY-MM-DD',
    datetime: 'an ISO instant with a time zone',
    count: 'a whole number of items',
    stars: `a number of stars from 1 to ${LIMITS.ratingStars} (default ${DEFAULT_RATING_MAX})`,
  };
  if (kind === 'stars' && min !== undefined)
    add(ctx, join(at, 'min'), 'PROPERTY_NOT_APPLICABLE', 'a rating starts at 1 star');
  for (const [key, v] of [
    ['min', min],
    ['max', max],
  ] as const) {
    if (v !== undefined && !(kind === 'stars' && key === 'min') && !valid(v)) {
      add(
        ctx,
        join(at, key),
        'INVALID_BOUND',
        `${key} of a ${type} field must be ${describe[kind]}`,
      );
    }
  }
  if (min !== undefined && max !== undefined && valid(min) && valid(max) && kind !== 'stars') {
    const less =
      kind === 'decimal'
        ? new Decimal(String(min).trim()).gt(new Decimal(String(max).trim()))
        : kind === 'datetime'
          ? (canonicalDatetime(String(min)) ?? '') > (canonicalDatetime(String(max)) ?? '')
          : (min as number | string) > (max as number | string);
    if (less) add(ctx, join(at, 'min'), 'INVALID_RANGE', 'min is greater than max');
  }
}

function checkSerial(ctx: Ctx, serial: unknown, at: string): void {
  if (!isObject(serial) || typeof serial['pattern'] !== 'string') {
    add(ctx, at, 'INVALID_SERIAL_PATTERN', 'serial must be { pattern: "KH-{yyyy}-{0000}" }');
    return;
  }
  unknownKeys(ctx, serial, new Set(['pattern']), at);
  const pattern = serial['pattern'];
  let counters = 0;
  let bad: string | undefined;
  for (const m of pattern.matchAll(SERIAL_TOKEN)) {
    const token = m[1] as string;
    if (/^0{1,12}$/.test(token)) counters++;
    else if (!['yyyy', 'yy', 'MM', 'dd'].includes(token)) bad ??= token;
  }
  const outside = pattern.replace(SERIAL_TOKEN, '');
  if (bad !== undefined) {
    add(
      ctx,
      join(at, 'pattern'),
      'INVALID_SERIAL_PATTERN',
      `unknown token {${bad}}: use {yyyy} {yy} {MM} {dd} and one counter such as {0000}`,
    );
  } else if (counters !== 1) {
    add(
      ctx,
      join(at, 'pattern'),
      'INVALID_SERIAL_PATTERN',
      'a serial pattern has exactly one counter such as {0000}',
    );
  } else if (/[{}\s]/.test(outside) || pattern.length > 64) {
    add(
      ctx,
      join(at, 'pattern'),
      'INVALID_SERIAL_PATTERN',
      'a serial pattern has no spaces or stray braces and at most 64 characters',
    );
  }
}

/** The var names a rule of this scope may read (besides the rule engine's system fields). */
function scopeVars(fields: readonly FieldSchema[]): string[] {
  return [...fields.map((f) => f.id), ...CONTEXT_VARS];
}

/** Checks a rule and its references; returns the scope fields it reads. */
function checkRule(ctx: Ctx, logic: unknown, at: string, fields: readonly FieldSchema[]): string[] {
  for (const issue of validateRule(logic, { fields: scopeVars(fields) })) {
    ctx.issues.push({ ...issue, path: issue.path === '' ? at : join(at, issue.path) });
  }
  const byId = new Map(fields.map((f) => [f.id, f]));
  const reads: string[] = [];
  for (const ref of referencedVars(logic)) {
    const segments = ref.split('.');
    const head = segments[0] as string;
    const field = byId.get(head);
    if (field !== undefined) reads.push(head);
    const second = segments[1];
    if (second === undefined) continue;
    if (head === '$user' && !USER_PARTS.has(second)) {
      add(ctx, at, 'UNKNOWN_FIELD_REFERENCE', `"${ref}": $user has id, departmentId and roles`);
    } else if (field?.type === 'address' && !ADDRESS_PARTS.has(second)) {
      add(
        ctx,
        at,
        'UNKNOWN_FIELD_REFERENCE',
        `"${ref}": an address has ${[...ADDRESS_PARTS].join(', ')}`,
      );
    } else if (field?.type === 'location' && !LOCATION_PARTS.has(second)) {
      add(
        ctx,
        at,
        'UNKNOWN_FIELD_REFERENCE',
        `"${ref}": a location has ${[...LOCATION_PARTS].join(', ')}`,
      );
    } else if (field?.type === 'relation' && field.relation !== undefined) {
      const target = targetFields(ctx, field.relation.formId);
      if (
        target !== undefined &&
        !target.some((t) => t.id === second) &&
        !SYSTEM_FIELDS.includes(second)
      ) {
        add(
          ctx,
          at,
          'UNKNOWN_FIELD_REFERENCE',
          `"${ref}": form "${field.relation.formId}" has no field "${second}"`,
        );
      }
    }
  }
  return reads;
}

/** The fields of a form when known (this form's own fields for self relations). */
function targetFields(ctx: Ctx, formId: string): readonly KnownField[] | undefined {
  if (formId === ctx.formId) {
    const fields = ctx.form['fields'];
    return Array.isArray(fields) ? (fields.filter(isObject) as unknown as KnownField[]) : undefined;
  }
  return ctx.forms?.get(formId)?.fields;
}

function isLogicDefault(value: unknown): value is { $logic: unknown } {
  return isObject(value) && Object.keys(value).length === 1 && '$logic' in value;
}

/** Rules, defaults, lookups, rollups and cycles of one scope. */
function checkScopeRules(
  ctx: Ctx,
  fields: readonly FieldSchema[],
  pathOf: (f: FieldSchema) => string,
  inSubTable: boolean,
): void {
  const valueDeps = new Map<string, string[]>();
  const formulaDeps = new Map<string, string[]>();
  const defaultDeps = new Map<string, string[]>();
  const byId = new Map(fields.map((f) => [f.id, f]));
  for (const f of fields) {
    const at = pathOf(f);
    const deps: string[] = [];
    if (f.visible !== undefined)
      deps.push(...checkRule(ctx, f.visible, join(at, 'visible'), fields));
    if (f.readOnly !== undefined) checkRule(ctx, f.readOnly, join(at, 'readOnly'), fields);
    if (f.required !== undefined && typeof f.required !== 'boolean')
      checkRule(ctx, f.required, join(at, 'required'), fields);
    if (f.type === 'formula' && f.formula !== undefined) {
      const reads = checkRule(ctx, f.formula, join(at, 'formula'), fields);
      formulaDeps.set(f.id, reads);
      deps.push(...reads);
    }
    valueDeps.set(f.id, deps);
    if (f.default !== undefined && !COMPUTED_TYPES.has(f.type)) {
      if (isLogicDefault(f.default)) {
        defaultDeps.set(f.id, checkRule(ctx, f.default.$logic, join(at, 'default.$logic'), fields));
      } else {
        const parsed = parseFieldValue(valueSpec(f), f.default);
        if (!parsed.ok) {
          const first = parsed.problems[0];
          add(
            ctx,
            join(at, 'default'),
            'INVALID_DEFAULT',
            `the default is not a valid ${f.type} value (${first?.code ?? 'invalid'})`,
          );
        }
      }
    }
    if (f.type === 'lookup' && f.lookup !== undefined && !inSubTable) checkLookup(ctx, f, at, byId);
    if (f.type === 'rollup' && f.rollup !== undefined) checkRollup(ctx, f, at, byId);
  }
  const ids = fields.map((f) => f.id);
  const reported = new Set<string>();
  for (const cycle of topologicalOrder(ids, formulaDeps).cycles) {
    const first = byId.get(cycle[0] as string) as FieldSchema;
    reported.add([...cycle].sort().join(','));
    add(
      ctx,
      join(pathOf(first), 'formula'),
      'FORMULA_CYCLE',
      `formulas depend on each other: ${cycle.join(' → ')}`,
    );
  }
  for (const cycle of topologicalOrder(ids, valueDeps).cycles) {
    if (reported.has([...cycle].sort().join(','))) continue;
    const first = byId.get(cycle[0] as string) as FieldSchema;
    add(
      ctx,
      join(pathOf(first), first.visible !== undefined ? 'visible' : 'formula'),
      'DEPENDENCY_CYCLE',
      `visibility conditions and formulas depend on each other: ${cycle.join(' → ')}`,
    );
  }
  const withDefaults = [...defaultDeps.keys()];
  for (const cycle of topologicalOrder(withDefaults, defaultDeps).cycles) {
    const first = byId.get(cycle[0] as string) as FieldSchema;
    add(
      ctx,
      join(pathOf(first), 'default'),
      'DEFAULT_CYCLE',
      `defaults depend on each other: ${cycle.join(' → ')}`,
    );
  }
}

function checkLookup(
  ctx: Ctx,
  f: FieldSchema,
  at: string,
  byId: ReadonlyMap<string, FieldSchema>,
): void {
  const lookup = f.lookup as unknown;
  if (
    !isObject(lookup) ||
    typeof lookup['relationField'] !== 'string' ||
    typeof lookup['field'] !== 'string'
  ) {
    add(ctx, join(at, 'lookup'), 'INVALID_LOOKUP', 'lookup must be { relationField, field }');
    return;
  }
  unknownKeys(ctx, lookup, new Set(['relationField', 'field']), join(at, 'lookup'));
  const relation = byId.get(lookup['relationField']);
  if (
    relation === undefined ||
    relation.type !== 'relation' ||
    relation.relation?.multiple === true
  ) {
    add(
      ctx,
      join(at, 'lookup.relationField'),
      'INVALID_REFERENCE',
      `"${lookup['relationField']}" is not a single relation field of this form`,
    );
    return;
  }
  const target = targetFields(ctx, relation.relation?.formId ?? '');
  if (
    target !== undefined &&
    !target.some((t) => t.id === lookup['field']) &&
    !SYSTEM_FIELDS.includes(lookup['field'])
  ) {
    add(
      ctx,
      join(at, 'lookup.field'),
      'UNKNOWN_FIELD_REFERENCE',
      `form "${relation.relation?.formId}" has no field "${lookup['field']}"`,
    );
  }
}

const NUMERIC_TYPES = new Set(['number', 'currency', 'percent', 'rating', 'formula', 'rollup']);
const ORDERED_TYPES = new Set([...NUMERIC_TYPES, 'date', 'datetime']);

function checkRollup(
  ctx: Ctx,
  f: FieldSchema,
  at: string,
  byId: ReadonlyMap<string, FieldSchema>,
): void {
  const rollup = f.rollup as unknown;
  const rat = join(at, 'rollup');
  if (!isObject(rollup) || typeof rollup['relationField'] !== 'string') {
    add(ctx, rat, 'INVALID_ROLLUP', 'rollup must be { relationField, field?, aggregate }');
    return;
  }
  unknownKeys(ctx, rollup, new Set(['relationField', 'field', 'aggregate']), rat);
  const aggregate = rollup['aggregate'];
  if (!['count', 'sum', 'min', 'max', 'latest'].includes(aggregate as string)) {
    add(
      ctx,
      join(rat, 'aggregate'),
      'INVALID_ROLLUP',
      'aggregate must be count, sum, min, max or latest',
    );
  }
  const field = rollup['field'];
  if (aggregate !== 'count' && typeof field !== 'string') {
    add(
      ctx,
      join(rat, 'field'),
      'REQUIRED_PROPERTY',
      `a ${String(aggregate)} rollup needs "field"`,
    );
  }
  const relationField = rollup['relationField'];
  let targetForm: string | undefined;
  if (relationField.includes('.')) {
    // <formId>.<fieldId>: a relation of another form that points at this one
    const [formId, relId] = relationField.split('.') as [string, string];
    if (!ID_PATTERN.test(formId) || !ID_PATTERN.test(relId ?? '')) {
      add(
        ctx,
        join(rat, 'relationField'),
        'INVALID_REFERENCE',
        'relationField is a field id or <formId>.<fieldId>',
      );
      return;
    }
    targetForm = formId;
    const fields = targetFields(ctx, formId);
    if (ctx.forms !== undefined && formId !== ctx.formId && !ctx.forms.has(formId)) {
      add(ctx, join(rat, 'relationField'), 'UNKNOWN_FORM', `no form "${formId}" in this app`);
      return;
    }
    if (fields !== undefined) {
      const rel = fields.find((t) => t.id === relId);
      if (rel === undefined || rel.type !== 'relation' || rel.relation?.formId !== ctx.formId) {
        add(
          ctx,
          join(rat, 'relationField'),
          'INVALID_REFERENCE',
          `"${relationField}" is not a relation to this form`,
        );
        return;
      }
    }
  } else {
    const relation = byId.get(relationField);
    if (relation === undefined || relation.type !== 'relation') {
      add(
        ctx,
        join(rat, 'relationField'),
        'INVALID_REFERENCE',
        `"${relationField}" is not a relation field of this form`,
      );
      return;
    }
    targetForm = relation.relation?.formId;
  }
  const target = targetForm === undefined ? undefined : targetFields(ctx, targetForm);
  if (target !== undefined && typeof field === 'string') {
    const t = target.find((x) => x.id === field);
    if (t === undefined && !SYSTEM_FIELDS.includes(field)) {
      add(
        ctx,
        join(rat, 'field'),
        'UNKNOWN_FIELD_REFERENCE',
        `form "${targetForm}" has no field "${field}"`,
      );
    } else if (t !== undefined && aggregate === 'sum' && !NUMERIC_TYPES.has(t.type)) {
      add(ctx, join(rat, 'field'), 'INVALID_ROLLUP', `cannot sum a ${t.type} field`);
    } else if (
      t !== undefined &&
      (aggregate === 'min' || aggregate === 'max') &&
      !ORDERED_TYPES.has(t.type)
    ) {
      add(
        ctx,
        join(rat, 'field'),
        'INVALID_ROLLUP',
        `cannot take the ${aggregate} of a ${t.type} field`,
      );
    }
  }
}

function checkChecks(ctx: Ctx, checks: unknown, fields: readonly FieldSchema[]): void {
  if (checks === undefined) return;
  if (!Array.isArray(checks)) {
    add(ctx, 'checks', 'INVALID_TYPE', 'checks must be an array');
    return;
  }
  if (checks.length > LIMITS.checks)
    add(ctx, 'checks', 'TOO_MANY_CHECKS', `at most ${LIMITS.checks} checks`);
  const seen = new Set<string>();
  checks.forEach((check, i) => {
    const at = join('checks', i);
    if (!isObject(check)) {
      add(ctx, at, 'INVALID_TYPE', 'a check must be { id, rule, message }');
      return;
    }
    unknownKeys(ctx, check, CHECK_KEYS, at);
    if (checkId(ctx, check['id'], join(at, 'id'), 'a check id')) {
      if (seen.has(check['id']))
        add(ctx, join(at, 'id'), 'DUPLICATE_ID', `check id "${check['id']}" is already used`);
      seen.add(check['id']);
    }
    if (check['rule'] === undefined)
      add(ctx, join(at, 'rule'), 'REQUIRED_PROPERTY', 'a check needs a rule');
    else checkRule(ctx, check['rule'], join(at, 'rule'), fields);
    localized(ctx, check['message'], join(at, 'message'), true);
  });
}

function checkLayout(ctx: Ctx, layout: unknown, fields: unknown): void {
  if (layout === undefined) return;
  if (!isObject(layout) || !Array.isArray(layout['items'])) {
    add(ctx, 'layout', 'INVALID_LAYOUT', 'layout must be { items: [...] }');
    return;
  }
  unknownKeys(ctx, layout, new Set(['items']), 'layout');
  const fieldIds = new Set(
    (Array.isArray(fields) ? fields : [])
      .filter(isObject)
      .map((f) => f['id'])
      .filter((id): id is string => typeof id === 'string'),
  );
  const placed = new Set<string>();
  const containerIds = new Set<string>();
  const container = (item: Record<string, unknown>, at: string): void => {
    if (checkId(ctx, item['id'], join(at, 'id'), 'a layout id')) {
      if (containerIds.has(item['id']))
        add(ctx, join(at, 'id'), 'DUPLICATE_ID', `layout id "${item['id']}" is already used`);
      containerIds.add(item['id']);
    }
  };
  const items = (
    list: unknown,
    at: string,
    depth: number,
    columns: number,
    topLevel: boolean,
  ): void => {
    if (!Array.isArray(list)) {
      add(ctx, at, 'INVALID_LAYOUT', 'items must be an array');
      return;
    }
    if (depth > LIMITS.layoutDepth) {
      add(ctx, at, 'INVALID_LAYOUT', `layout nests at most ${LIMITS.layoutDepth} levels`);
      return;
    }
    list.forEach((item, i) => {
      const iat = join(at, i);
      if (!isObject(item)) {
        add(ctx, iat, 'INVALID_LAYOUT', 'a layout item must be an object');
        return;
      }
      switch (item['type']) {
        case 'field': {
          unknownKeys(ctx, item, new Set(['type', 'fieldId', 'span']), iat);
          const id = item['fieldId'];
          if (typeof id !== 'string' || !fieldIds.has(id)) {
            add(
              ctx,
              join(iat, 'fieldId'),
              'UNKNOWN_FIELD_REFERENCE',
              `no field ${JSON.stringify(id)} in this form`,
            );
          } else if (placed.has(id)) {
            add(ctx, join(iat, 'fieldId'), 'DUPLICATE_PLACEMENT', `field "${id}" is placed twice`);
          } else placed.add(id);
          const span = item['span'];
          if (span !== undefined && !(isInt(span) && span >= 1 && span <= columns)) {
            add(
              ctx,
              join(iat, 'span'),
              'INVALID_LAYOUT',
              `span must be a whole number from 1 to ${columns}`,
            );
          }
          break;
        }
        case 'section': {
          unknownKeys(
            ctx,
            item,
            new Set(['type', 'id', 'title', 'columns', 'collapsible', 'collapsed', 'items']),
            iat,
          );
          container(item, iat);
          localized(ctx, item['title'], join(iat, 'title'), false);
          const cols = item['columns'];
          if (cols !== undefined && !(isInt(cols) && cols >= 1 && cols <= 4)) {
            add(ctx, join(iat, 'columns'), 'INVALID_LAYOUT', 'columns must be 1 to 4');
          }
          for (const flag of ['collapsible', 'collapsed']) {
            if (item[flag] !== undefined && typeof item[flag] !== 'boolean')
              add(ctx, join(iat, flag), 'INVALID_TYPE', `${flag} must be true or false`);
          }
          items(
            item['items'],
            join(iat, 'items'),
            depth + 1,
            isInt(cols) && cols >= 1 && cols <= 4 ? cols : 1,
            false,
          );
          break;
        }
        case 'columns': {
          unknownKeys(ctx, item, new Set(['type', 'id', 'columns']), iat);
          container(item, iat);
          const cols = item['columns'];
          if (!Array.isArray(cols) || cols.length < 1 || cols.length > 4) {
            add(ctx, join(iat, 'columns'), 'INVALID_LAYOUT', 'columns holds 1 to 4 columns');
            break;
          }
          let total = 0;
          cols.forEach((col, c) => {
            const cat = join(join(iat, 'columns'), c);
            if (!isObject(col)) {
              add(ctx, cat, 'INVALID_LAYOUT', 'a column must be { id, width?, items }');
              return;
            }
            unknownKeys(ctx, col, new Set(['id', 'width', 'items']), cat);
            container(col, cat);
            const width = col['width'];
            if (width !== undefined && !(isInt(width) && width >= 1 && width <= 24)) {
              add(ctx, join(cat, 'width'), 'INVALID_LAYOUT', 'width must be 1 to 24');
            } else total += isInt(width) ? width : 0;
            items(col['items'], join(cat, 'items'), depth + 1, 1, false);
          });
          if (total > 24)
            add(
              ctx,
              join(iat, 'columns'),
              'INVALID_LAYOUT',
              'column widths add up to more than 24',
            );
          break;
        }
        case 'tabs': {
          unknownKeys(ctx, item, new Set(['type', 'id', 'tabs']), iat);
          if (!topLevel) add(ctx, iat, 'INVALID_LAYOUT', 'tabs only sit at the top level');
          container(item, iat);
          const tabs = item['tabs'];
          if (!Array.isArray(tabs) || tabs.length === 0) {
            add(ctx, join(iat, 'tabs'), 'INVALID_LAYOUT', 'tabs needs at least one tab');
            break;
          }
          tabs.forEach((tab, t) => {
            const tat = join(join(iat, 'tabs'), t);
            if (!isObject(tab)) {
              add(ctx, tat, 'INVALID_LAYOUT', 'a tab must be { id, title, items }');
              return;
            }
            unknownKeys(ctx, tab, new Set(['id', 'title', 'items']), tat);
            container(tab, tat);
            localized(ctx, tab['title'], join(tat, 'title'), true);
            items(tab['items'], join(tat, 'items'), depth + 1, 1, false);
          });
          break;
        }
        default:
          add(
            ctx,
            join(iat, 'type'),
            'INVALID_LAYOUT',
            'a layout item is a field, section, columns or tabs',
          );
      }
    });
  };
  items(layout['items'], 'layout.items', 1, 1, true);
}
