// The published JSON Schema (2020-12) of the bundle format: the structure of a bundle. What the
// structure cannot say (references between parts, JsonLogic, reachability of flow states …) is
// checked by `validateBundle` through the engines. docs/app-bundle.schema.json is this object.
import { FIELD_TYPES } from '@trellis/form-engine';
import { CHART_TYPES, REPORT_KINDS } from '@trellis/report-engine';

export type JsonSchemaObject = { [key: string]: unknown };

/** The current schema version of the format (`schemaVersion` of every bundle written today). */
export const BUNDLE_SCHEMA_VERSION = 2;

/** Form, field, report, dashboard, role and team keys. */
export const KEY_PATTERN = '^[a-z][a-z0-9_]{0,62}$';
/** The bundle's own key (a template name such as `customer-follow-up`). */
export const BUNDLE_KEY_PATTERN = '^[a-z][a-z0-9_-]{0,62}$';
/** Rule ids (as rule-engine accepts them). */
export const RULE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$';
export const SEMVER_PATTERN =
  '^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$';
export const LOCALE_PATTERN = '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$';

export const FORM_ACTIONS = [
  'create',
  'read',
  'update',
  'delete',
  'export',
  'import',
  'manage',
] as const;
export const WORKSPACE_ACTIONS = [
  'manage_workspace',
  'manage_members',
  'manage_roles',
  'manage_apps',
] as const;
export const RULE_TRIGGER_TYPES = [
  'record_created',
  'record_updated',
  'record_deleted',
  'stage_entered',
  'stage_left',
  'schedule',
  'relative_time',
] as const;
export const RULE_ACTION_TYPES = [
  'set_field',
  'assign_owner',
  'create_record',
  'notify',
  'webhook',
  'transition_stage',
  'return_to_pool',
  'escalate',
] as const;
/** The dashboard grid is 24 columns wide. */
export const DASHBOARD_COLUMNS = 24;

const ref = (name: string): JsonSchemaObject => ({ $ref: `#/$defs/${name}` });
const str = (pattern?: string): JsonSchemaObject =>
  pattern === undefined ? { type: 'string', minLength: 1 } : { type: 'string', pattern };
const arrayOf = (items: JsonSchemaObject, extra: JsonSchemaObject = {}): JsonSchemaObject => ({
  type: 'array',
  items,
  ...extra,
});
const closed = (
  required: readonly string[],
  properties: Record<string, JsonSchemaObject>,
  extra: JsonSchemaObject = {},
): JsonSchemaObject => ({
  type: 'object',
  required: [...required],
  additionalProperties: false,
  properties,
  ...extra,
});
const logic = (description: string): JsonSchemaObject => ({ description });

const FIELD_ACCESS = { enum: ['hidden', 'masked', 'read_only'] };

const defs: Record<string, JsonSchemaObject> = {
  key: str(KEY_PATTERN),
  localizedText: {
    description: 'A string, or one string per locale with zh-CN required.',
    anyOf: [
      { type: 'string', minLength: 1 },
      {
        type: 'object',
        required: ['zh-CN'],
        properties: { 'zh-CN': { type: 'string', minLength: 1 } },
        propertyNames: { pattern: LOCALE_PATTERN },
        additionalProperties: { type: 'string' },
      },
    ],
  },
  // ---- forms (form-engine's FormSchema; validateFormSchema checks the rest)
  form: closed(['id', 'name', 'fields'], {
    id: ref('key'),
    name: ref('localizedText'),
    version: { type: 'integer', minimum: 1 },
    fields: arrayOf(ref('field'), { maxItems: 500 }),
    layout: {
      type: 'object',
      required: ['items'],
      properties: { items: arrayOf({ type: 'object' }) },
    },
    checks: arrayOf(
      closed(['id', 'rule', 'message'], {
        id: ref('key'),
        rule: logic('JsonLogic that must be truthy'),
        message: ref('localizedText'),
      }),
    ),
  }),
  field: closed(['id', 'type', 'label'], {
    id: ref('key'),
    type: { enum: [...FIELD_TYPES] },
    label: ref('localizedText'),
    help: ref('localizedText'),
    placeholder: ref('localizedText'),
    default: logic('A literal, or { "$logic": JsonLogic }'),
    required: logic('true, or a JsonLogic condition'),
    visible: logic('JsonLogic condition'),
    readOnly: logic('JsonLogic condition'),
    options: arrayOf(
      closed(['value', 'label'], {
        value: { type: 'string', minLength: 1, maxLength: 200 },
        label: ref('localizedText'),
        color: str('^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$'),
      }),
      { minItems: 1 },
    ),
    min: { type: ['number', 'string'] },
    max: { type: ['number', 'string'] },
    minLength: { type: 'integer', minimum: 0 },
    maxLength: { type: 'integer', minimum: 0 },
    pattern: { type: 'string', minLength: 1 },
    unique: { type: 'boolean' },
    currency: str('^[A-Z]{3}$'),
    relation: closed(['formId'], { formId: ref('key'), multiple: { type: 'boolean' } }),
    fields: arrayOf(ref('field'), { minItems: 1 }),
    formula: logic('JsonLogic computing the value'),
    resultType: { enum: ['number', 'text', 'boolean', 'date'] },
    serial: closed(['pattern'], { pattern: { type: 'string', minLength: 1 } }),
    lookup: closed(['relationField', 'field'], {
      relationField: ref('key'),
      field: { type: 'string', minLength: 1 },
    }),
    rollup: closed(['relationField', 'aggregate'], {
      relationField: { type: 'string', minLength: 1 },
      field: { type: 'string', minLength: 1 },
      aggregate: { enum: ['count', 'sum', 'min', 'max', 'latest'] },
    }),
  }),
  // ---- flows (flow-engine's definition; validateFlow checks the rest)
  flow: closed(['formId', 'definition'], {
    formId: ref('key'),
    definition: {
      type: 'object',
      required: ['id', 'version', 'initial', 'states', 'transitions'],
      properties: {
        id: { type: 'string', minLength: 1 },
        version: { type: 'integer', minimum: 1 },
        label: ref('localizedText'),
        initial: { type: 'string', minLength: 1 },
        states: arrayOf({ type: 'object' }, { minItems: 1 }),
        transitions: arrayOf({ type: 'object' }),
      },
    },
  }),
  // ---- rules (rule-engine's RuleDefinition; normalizeRuleDefinition checks the rest)
  rule: closed(['id', 'name', 'form', 'trigger', 'actions'], {
    id: str(RULE_ID_PATTERN),
    name: ref('localizedText'),
    description: ref('localizedText'),
    form: ref('key'),
    enabled: { type: 'boolean' },
    priority: { type: 'integer' },
    trigger: {
      type: 'object',
      required: ['type'],
      properties: { type: { enum: [...RULE_TRIGGER_TYPES] } },
    },
    condition: logic('JsonLogic over the record; null = always'),
    actions: arrayOf(
      {
        type: 'object',
        required: ['type'],
        properties: { type: { enum: [...RULE_ACTION_TYPES] } },
      },
      { minItems: 1 },
    ),
  }),
  // ---- reports
  fieldPath: str('^[a-z][a-z0-9_]{0,62}(\\.[a-z][a-z0-9_]{0,62}){0,3}$'),
  // report-engine's ReportSpec and ChartSpec; normalizeReport checks the spec in full
  reportSpec: {
    type: 'object',
    required: ['kind', 'form'],
    properties: {
      kind: { enum: [...REPORT_KINDS] },
      form: ref('key'),
      title: ref('localizedText'),
      dimensions: arrayOf({ type: 'object' }),
      columns: arrayOf({ type: 'object' }),
      measures: arrayOf({ type: 'object' }),
      fields: arrayOf({ type: 'string' }),
      filter: logic('A condition: { field, op, value? } | { and | or: [...] } | { not: ... }'),
      period: { type: 'object', required: ['field', 'op'] },
    },
  },
  chart: closed(['type'], {
    type: { enum: CHART_TYPES.map((c) => c.id) },
    title: ref('localizedText'),
    locale: { type: 'string', pattern: LOCALE_PATTERN },
    measures: arrayOf(ref('key')),
    dimension: { type: 'string', minLength: 1 },
    series: { type: 'string', minLength: 1 },
    lineMeasures: arrayOf(ref('key')),
    max: { type: 'number' },
    provinceNames: { enum: ['short', 'full'] },
    showPrevious: { type: 'boolean' },
    colors: arrayOf(str('^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$')),
  }),
  report: closed(['id', 'name', 'spec', 'chart'], {
    id: ref('key'),
    name: ref('localizedText'),
    description: ref('localizedText'),
    spec: ref('reportSpec'),
    chart: ref('chart'),
  }),
  // ---- dashboards
  dashboardItem: {
    type: 'object',
    required: ['id', 'x', 'y', 'w', 'h'],
    additionalProperties: false,
    properties: {
      id: ref('key'),
      reportId: ref('key'),
      kpi: closed(['reportId', 'measure'], {
        reportId: ref('key'),
        measure: ref('key'),
        target: { type: 'number' },
      }),
      title: ref('localizedText'),
      x: { type: 'integer', minimum: 0, maximum: DASHBOARD_COLUMNS - 1 },
      y: { type: 'integer', minimum: 0 },
      w: { type: 'integer', minimum: 1, maximum: DASHBOARD_COLUMNS },
      h: { type: 'integer', minimum: 1, maximum: 48 },
    },
    oneOf: [{ required: ['reportId'] }, { required: ['kpi'] }],
  },
  dashboardFilter: closed(['id', 'label', 'kind'], {
    id: ref('key'),
    label: ref('localizedText'),
    kind: { enum: ['date_range', 'owner', 'team', 'field'] },
    default: logic('The initial value'),
    fields: {
      type: 'object',
      propertyNames: { pattern: KEY_PATTERN },
      additionalProperties: ref('fieldPath'),
    },
  }),
  dashboard: closed(['id', 'name', 'items'], {
    id: ref('key'),
    name: ref('localizedText'),
    description: ref('localizedText'),
    audience: arrayOf(ref('key')),
    items: arrayOf(ref('dashboardItem'), { minItems: 1 }),
    filters: arrayOf(ref('dashboardFilter')),
  }),
  // ---- roles
  fieldAccessMap: {
    type: 'object',
    propertyNames: { pattern: KEY_PATTERN },
    additionalProperties: FIELD_ACCESS,
  },
  formPermission: closed(['actions', 'rowScope'], {
    actions: arrayOf({ enum: [...FORM_ACTIONS] }, { uniqueItems: true }),
    rowScope: {
      anyOf: [
        { enum: ['all', 'own', 'team', 'department'] },
        closed(['logic'], { logic: logic('JsonLogic over the record and $user') }),
      ],
    },
    fields: ref('fieldAccessMap'),
    stages: {
      type: 'object',
      additionalProperties: closed(['fields'], { fields: ref('fieldAccessMap') }),
    },
  }),
  role: closed(['key', 'name', 'permissions'], {
    key: ref('key'),
    name: ref('localizedText'),
    description: ref('localizedText'),
    permissions: closed(['forms'], {
      workspace: arrayOf({ enum: [...WORKSPACE_ACTIONS] }, { uniqueItems: true }),
      forms: {
        type: 'object',
        propertyNames: { pattern: '^(\\*|[a-z][a-z0-9_]{0,62})$' },
        additionalProperties: ref('formPermission'),
      },
    }),
  }),
  team: closed(['key', 'name'], {
    key: ref('key'),
    name: ref('localizedText'),
    parent: ref('key'),
  }),
};

/** The JSON Schema of the current bundle format (also published as docs/app-bundle.schema.json). */
export const bundleJsonSchema: JsonSchemaObject = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://trellis.dev/schemas/app-bundle/v2.json',
  title: 'Trellis app bundle',
  description:
    'A whole Trellis app as JSON: forms, flows, rules, reports, dashboards, roles, translations and sample-data settings. Nothing in a bundle is executed; JsonLogic is evaluated by the sandboxed rule engine.',
  type: 'object',
  required: [
    'schemaVersion',
    'key',
    'version',
    'name',
    'forms',
    'flows',
    'rules',
    'reports',
    'dashboards',
    'roles',
  ],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    schemaVersion: { const: BUNDLE_SCHEMA_VERSION },
    key: str(BUNDLE_KEY_PATTERN),
    version: str(SEMVER_PATTERN),
    name: ref('localizedText'),
    description: ref('localizedText'),
    icon: { type: 'string', minLength: 1, maxLength: 200 },
    forms: arrayOf(ref('form'), { minItems: 1, maxItems: 200 }),
    flows: arrayOf(ref('flow')),
    rules: arrayOf(ref('rule')),
    reports: arrayOf(ref('report')),
    dashboards: arrayOf(ref('dashboard')),
    roles: arrayOf(ref('role')),
    teams: arrayOf(ref('team')),
    translations: {
      type: 'object',
      propertyNames: { pattern: LOCALE_PATTERN },
      additionalProperties: {
        type: 'object',
        propertyNames: { pattern: '^[A-Za-z0-9_.-]{1,128}$' },
        additionalProperties: { type: 'string' },
      },
    },
    sampleData: closed(['generator', 'seed'], {
      generator: { enum: ['crm-sample-v1'] },
      seed: { type: 'integer', minimum: 0, maximum: 4294967295 },
      params: { type: 'object' },
      inputs: { type: 'object' },
    }),
  },
  $defs: defs,
};
