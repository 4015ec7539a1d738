import type { Issue } from '@trellis/rule-engine';

export type { Issue };

/** A JsonLogic rule: plain JSON; `var` paths are dotted field ids. */
export type JsonLogic = unknown;

/** Text shown to people: a plain string, or one string per locale (zh-CN required). */
export type LocalizedText =
  string | { 'zh-CN': string; en?: string; [locale: string]: string | undefined };

/** Every field type a form can hold. */
export type FieldType =
  | 'text'
  | 'textarea'
  | 'rich_text'
  | 'number'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'select'
  | 'multi_select'
  | 'radio'
  | 'boolean'
  | 'rating'
  | 'phone'
  | 'email'
  | 'url'
  | 'user'
  | 'department'
  | 'relation'
  | 'sub_table'
  | 'attachment'
  | 'image'
  | 'address'
  | 'location'
  | 'serial'
  | 'formula'
  | 'lookup'
  | 'rollup';

/** One choice of a select, multi_select or radio field. `value` is stored; `label` is shown. */
export type FieldOption = { value: string; label: LocalizedText; color?: string };

/** A literal default, or `{ $logic }` evaluated when a record is created. */
export type FieldDefault = unknown | { $logic: JsonLogic };

/** What a formula field stores (it decides the column type). */
export type FormulaResultType = 'number' | 'text' | 'boolean' | 'date';

export type RollupAggregate = 'count' | 'sum' | 'min' | 'max' | 'latest';

export type FieldSchema = {
  /** Stable id (`/^[a-z][a-z0-9_]{0,62}$/`); a label can change, an id never does. */
  id: string;
  type: FieldType;
  label: LocalizedText;
  help?: LocalizedText;
  placeholder?: LocalizedText;
  default?: FieldDefault;
  /** `true`, or a JsonLogic condition on the record. */
  required?: boolean | JsonLogic;
  /** JsonLogic condition; the field is hidden (and its value cleared) when it is falsy. */
  visible?: JsonLogic;
  /** JsonLogic condition; the field cannot be written when it is truthy. */
  readOnly?: JsonLogic;
  options?: FieldOption[];
  /** Bounds: numbers for number/percent/rating, decimal strings for currency, `YYYY-MM-DD` for date,
   * ISO instants for datetime, item counts for list-valued fields (multi_select, relation with
   * `multiple`, sub_table, attachment, image). `max` of a rating is its number of stars. */
  min?: number | string;
  max?: number | string;
  /** Length bounds in characters (Unicode code points) for text, textarea, rich_text (visible text). */
  minLength?: number;
  maxLength?: number;
  /** ECMAScript regular expression (unicode mode) a text value must contain a match for. */
  pattern?: string;
  /** The API enforces it with a unique index; see README rule 6 for the types that support it. */
  unique?: boolean;
  /** Currency fields: ISO 4217 code; the value is a decimal string such as "12800.5". Default CNY. */
  currency?: string;
  /** Relation fields: the target form's id; values are record ids (one, or a list with `multiple`). */
  relation?: { formId: string; multiple?: boolean };
  /** Sub-table fields: the columns of each line item. */
  fields?: FieldSchema[];
  /** Formula fields: computed from the record and stored. */
  formula?: JsonLogic;
  /** Formula fields: the stored type (default number). */
  resultType?: FormulaResultType;
  /** Serial fields: the pattern, e.g. `KH-{yyyy}-{0000}`. */
  serial?: { pattern: string };
  /** Lookup fields: a field of the record a relation field of this form points at. */
  lookup?: { relationField: string; field: string };
  /**
   * Rollup fields: an aggregate over related records. `relationField` is a relation field of this
   * form, or `<formId>.<fieldId>` for a relation field of another form that points at this one.
   */
  rollup?: { relationField: string; field?: string; aggregate: RollupAggregate };
};

/** A form-level cross-field check: `rule` must be truthy, otherwise `message` is shown. */
export type FormCheck = { id: string; rule: JsonLogic; message: LocalizedText };

export type FormSchema = {
  /** The form id (`/^[a-z][a-z0-9_]{0,62}$/`); relations name forms by it. */
  id: string;
  name: LocalizedText;
  version?: number;
  fields: FieldSchema[];
  layout?: FormLayout;
  checks?: FormCheck[];
};

/**
 * Where fields sit on screen: what the designer's drag and drop edits. Items reference fields by
 * id; containers have their own ids (stable keys for drag and drop). A field not placed anywhere
 * is shown after the laid-out items, in schema order.
 */
export type FormLayout = { items: LayoutItem[] };

export type LayoutItem = LayoutField | LayoutSection | LayoutColumns | LayoutTabs;

/** A field; `span` is how many grid columns it takes inside a section (default 1). */
export type LayoutField = { type: 'field'; fieldId: string; span?: number };

/** A titled group laid out on a grid of `columns` (1–4, default 1). */
export type LayoutSection = {
  type: 'section';
  id: string;
  title?: LocalizedText;
  columns?: number;
  collapsible?: boolean;
  collapsed?: boolean;
  items: LayoutItem[];
};

/** Side-by-side columns; `width` is a share of a 24-unit row (default: equal shares). */
export type LayoutColumns = {
  type: 'columns';
  id: string;
  columns: Array<{ id: string; width?: number; items: LayoutItem[] }>;
};

/** Tabs: only at the top level (tabs never nest). */
export type LayoutTabs = {
  type: 'tabs';
  id: string;
  tabs: Array<{ id: string; title: LocalizedText; items: LayoutItem[] }>;
};

/** File metadata stored by attachment and image fields. */
export type FileValue = { key: string; name: string; size: number; mime: string; url?: string };

export type AddressValue = {
  province?: string | null;
  city?: string | null;
  district?: string | null;
  detail?: string | null;
  /** Administrative division code of the most specific level chosen (6 digits). */
  adcode?: string | null;
};

export type LocationValue = {
  lat: number;
  lng: number;
  address?: string | null;
  /** Metres. */
  accuracy?: number | null;
  /** Coordinate system of lat/lng (China maps use gcj02). Default wgs84. */
  coordSystem?: 'wgs84' | 'gcj02' | 'bd09';
  /** When it was captured (ISO instant). */
  capturedAt?: string | null;
};

export type Locale = 'zh-CN' | 'en';

/** A value error: `message` is in the requested locale; `messages` has both. */
export type FormError = Issue & {
  messages: { 'zh-CN': string; en: string };
  /** Facts the message was built from (limits, the check id, the offending key …). */
  params?: Record<string, string | number | boolean>;
};

/**
 * `values` holds the canonical values. When the input was already canonical and nothing had to be
 * computed, it is the input object itself (the engine never mutates its input); otherwise a new one.
 */
export type ValidationResult =
  { ok: true; values: Record<string, unknown> } | { ok: false; errors: FormError[] };

/** Field access for the current viewer, as returned by `applyFieldPermissions`. */
export type FieldPermissions = { hidden: readonly string[]; readOnly: readonly string[] };

/** The person filling the form, available to rules as `$user`. */
export type FormUser = { id: string; departmentId?: string | null; roles?: readonly string[] };

export type FormRuntimeContext = {
  /** Locale of `message` (default: the form's default locale, zh-CN). */
  locale?: string;
  /** `submit` (default) checks everything; `draft` checks types and formats only (README rule 9). */
  mode?: 'submit' | 'draft';
  /** The current instant (ISO); `$now` in rules and `options.now` for date operators. */
  now?: string;
  /** IANA time zone for local-date operators; default the compile option, else UTC. */
  timeZone?: string;
  user?: FormUser;
  /** The record's current stage (rules read it as `stage`). */
  stage?: string | null;
  /** System fields of the record (owner_id, created_at …), readable by rules. */
  system?: Readonly<Record<string, unknown>>;
  /** The stored values of the record being updated (absent on create). */
  previous?: Readonly<Record<string, unknown>>;
  /** Field access for this viewer (from `applyFieldPermissions`). */
  permissions?: FieldPermissions;
  /** Related records by relation field id, so that rules can read `customer.level`. */
  related?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
};

export type FieldState = {
  visible: boolean;
  required: boolean;
  readOnly: boolean;
  /** Sub-table fields: the states of each row's fields. */
  rows?: Array<Record<string, FieldState>>;
};

/** An ajv-style validate function (what ajv and its standalone code produce). */
export type JsonSchemaValidateFunction = ((data: unknown) => boolean) & {
  errors?: readonly JsonSchemaError[] | null;
};

/** The part of ajv's error objects the form engine reads. */
export type JsonSchemaError = {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
};

/** A precompiled validator: the function, or the module `standaloneValidatorModule` produced. */
export type PrecompiledValidator =
  JsonSchemaValidateFunction | { default: JsonSchemaValidateFunction; fingerprint?: string };

export type CompileOptions = {
  /** Use this validator instead of compiling with ajv (browsers under a CSP without 'unsafe-eval'). */
  jsonSchemaValidator?: PrecompiledValidator;
  /** Default locale of messages (default zh-CN). */
  locale?: string;
  /** Default IANA time zone for rules (default UTC). */
  timeZone?: string;
  /** false: compile afresh, bypassing the caches (benchmarks). Default true. */
  cache?: boolean;
};

export type CompiledForm = {
  readonly schema: FormSchema;
  /** The fingerprint of the generated JSON Schema (the standalone module exports the same one). */
  readonly fingerprint: string;
  validate(values: unknown, ctx?: FormRuntimeContext): ValidationResult;
  fieldStates(
    values: Readonly<Record<string, unknown>>,
    ctx?: FormRuntimeContext,
  ): Record<string, FieldState>;
  computeFormulas(
    values: Readonly<Record<string, unknown>>,
    ctx?: FormRuntimeContext,
  ): Record<string, unknown>;
  /** The values of a new record: defaults (literal or JsonLogic) and formulas. */
  initialValues(ctx?: FormRuntimeContext): Record<string, unknown>;
};
