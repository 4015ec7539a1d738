import type { Issue } from '@trellis/rule-engine';

export type { Issue };

/** Text shown to people: a plain string, or one string per locale (zh-CN required). */
export type LocalizedText =
  string | { 'zh-CN': string; en?: string; [locale: string]: string | undefined };

// ---------------------------------------------------------------------------
// Forms and physical tables (structural: the engine never imports form-engine)
// ---------------------------------------------------------------------------

/** One field of a form, as much of form-engine's FieldSchema as reports need. */
export type ReportFormField = {
  id: string;
  type: string;
  label?: LocalizedText;
  options?: ReadonlyArray<{ value: string; label: LocalizedText }>;
  relation?: { formId: string; multiple?: boolean };
  /** Formula fields: what they store (default number). */
  resultType?: string;
  /** Rollup fields: `latest` is stored as JSON, the others as numbers. */
  rollup?: { aggregate: string };
};

export type ReportForm = {
  id: string;
  name?: LocalizedText;
  fields: ReadonlyArray<ReportFormField>;
};

/** Per form, the fields the viewer may not read (hidden by the role's field permissions). */
export type FieldPolicy = Readonly<Record<string, { hidden: readonly string[] }>>;

/** Where one field lives: a column name and its PostgreSQL type (`numeric`, `timestamptz`, ...). */
export type ColumnInfo = { column: string; type: string };

/** A relation stored in a join table (relation fields with `multiple`). */
export type JoinTableInfo = {
  schema?: string;
  table: string;
  sourceColumn: string;
  targetColumn: string;
};

export type RelationInfo = {
  formId: string;
  /** The uuid foreign-key column of a single relation. */
  column: string;
  multiple?: boolean;
  joinTable?: JoinTableInfo;
};

/** One published form's table: every identifier of the generated SQL comes from here. */
export type TableInfo = {
  schema: string;
  table: string;
  columns: Readonly<Record<string, ColumnInfo>>;
  relations?: Readonly<Record<string, RelationInfo>>;
};

/** Form id -> its table, built by the API from the published forms. */
export type TableMap = Readonly<Record<string, TableInfo>>;

// ---------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------

/** How a value is compared and bound: decided by the field type, never by the user. */
export type ValueKind =
  'text' | 'number' | 'date' | 'datetime' | 'boolean' | 'uuid' | 'text_array' | 'json';

/** Operators of a normalized condition leaf. */
export type ConditionOp =
  | 'eq'
  | 'ne'
  | 'lt'
  | 'lte'
  | 'gt'
  | 'gte'
  | 'in'
  | 'not_in'
  | 'contains'
  | 'not_contains'
  | 'starts_with'
  | 'is_empty'
  | 'is_not_empty'
  | 'between'
  | 'in_range';

/** Relative date operators accepted in raw conditions; normalization resolves them to `in_range`. */
export type RelativeDateOp =
  | 'today'
  | 'yesterday'
  | 'tomorrow'
  | 'this_week'
  | 'last_week'
  | 'next_week'
  | 'this_month'
  | 'last_month'
  | 'next_month'
  | 'this_quarter'
  | 'last_quarter'
  | 'this_year'
  | 'last_year'
  | 'last_n_days'
  | 'next_n_days'
  | 'custom';

export type ScalarValue = string | number | boolean;

/** A half-open range `[from, to)`: ISO instants (`...Z`) for datetimes, `YYYY-MM-DD` for dates. */
export type RangeValue = { from?: string; to?: string };

export type ConditionLeaf = {
  /** A field id of the form, a system field, or a dotted path along single relations (`customer.level`). */
  field: string;
  op: ConditionOp;
  /** Set by normalization from the field's type. */
  kind: ValueKind;
  value?: ScalarValue | readonly ScalarValue[] | RangeValue;
};

/** A normalized condition tree: the only filter shape the SQL compiler and the matcher accept. */
export type Condition =
  ConditionLeaf | { and: readonly Condition[] } | { or: readonly Condition[] } | { not: Condition };

/** Collects bind parameters: `add(value)` returns `$n` (the API's SqlParams fits). */
export type ParamCollector = { add(value: unknown): string };

/** The table a condition is compiled against. `tables` resolves relation paths. */
export type TableRef = {
  alias: string;
  formId: string;
  tables: TableMap;
  /** Row scopes of related forms: a related record the viewer cannot read contributes NULL. */
  rowScopes?: Readonly<Record<string, Condition>>;
};

// ---------------------------------------------------------------------------
// Report spec (raw input) and the normalized report
// ---------------------------------------------------------------------------

export type ReportKind = 'table' | 'pivot' | 'funnel' | 'leaderboard' | 'kpi' | 'time_series';
export type DateBucket = 'day' | 'week' | 'month' | 'quarter' | 'year';
export type MeasureFn =
  | 'count'
  | 'count_distinct'
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'weighted_sum'
  | 'conversion'
  | 'ratio'
  | 'share';
export type SortDirection = 'asc' | 'desc';
export type CompareMode = 'previous_period' | 'previous_year';

export type DimensionSpec = {
  /** Key of the dimension in results and sorts (default: the field path with `.` as `__`). */
  id?: string;
  field: string;
  /** Dates and datetimes: bucket in the report's time zone (datetimes default to day). */
  bucket?: DateBucket;
  /** Numbers: fixed-width bins, key = lower bound. */
  bin?: { width: number; origin?: number };
  label?: LocalizedText;
};

export type MeasureSpec = {
  id: string;
  fn: MeasureFn;
  /** count (non-empty values), count_distinct, sum, avg, min, max, weighted_sum. */
  field?: string;
  /** weighted_sum: the weight field (a percent field counts as value / 100). */
  weight?: string;
  /** ratio: ids of two other measures. */
  numerator?: string;
  denominator?: string;
  /** share: id of a count, sum or weighted_sum measure. */
  of?: string;
  /** conversion: the stage field, its ordered stages, and the two stages compared. */
  stages?: readonly string[];
  from?: string;
  to?: string;
  /** Only rows matching this condition are aggregated (for example "late follow-ups"). */
  filter?: unknown;
  label?: LocalizedText;
  /** Computed (for a ratio or a sort) but not shown. */
  hidden?: boolean;
};

export type SortSpec = { by: string; direction?: SortDirection };

export type TopSpec = {
  n: number;
  /** The measure ranked by (default: the first measure). */
  by?: string;
  /** The dimension whose values are ranked (default: the first non-date row dimension). */
  dimension?: string;
  /** Fold the rest into one "Other" row (default true). */
  other?: boolean;
};

export type FunnelSpec = {
  /** A text, select or radio field, usually `stage`. */
  field: string;
  stages: readonly string[];
  /** reached (default): a record counts at every stage up to its current one; current: only there. */
  mode?: 'reached' | 'current';
};

export type LeaderboardSpec = {
  /** The measure ranked by. */
  by: string;
  /** Keep ranks up to this (ties at the edge are kept; default 10). */
  limit?: number;
  /** competition: 1, 1, 3 (default); dense: 1, 1, 2. */
  ties?: 'competition' | 'dense';
  /** Target vs actual: targets are summed per entity from another form. */
  target?: {
    form: string;
    /** The field of the targets form holding the entity (same kind as the ranked dimension). */
    entityField: string;
    valueField: string;
    /** A date field of the targets form; only targets inside the report period count. */
    periodField?: string;
  };
};

/** A report as people build it (stored as JSON). Normalize before anything else. */
export type ReportSpec = {
  kind: ReportKind;
  /** The source form id. */
  form: string;
  title?: LocalizedText;
  /** Row dimensions (the x axis of a time series, the ranked entity of a leaderboard). */
  dimensions?: readonly DimensionSpec[];
  /** Pivot column dimensions. */
  columns?: readonly DimensionSpec[];
  measures?: readonly MeasureSpec[];
  /** Table kind only: a detail list of these fields instead of groups. */
  fields?: readonly string[];
  filter?: unknown;
  /** The report period: a date field and a relative range (`{ field, op: 'this_month' }`). */
  period?: { field: string; op: RelativeDateOp; value?: unknown };
  compare?: CompareMode;
  sort?: readonly SortSpec[];
  limit?: number;
  top?: TopSpec;
  /** A grand total row (pivot: row and column totals too). Default false for tables, true for pivots. */
  totals?: boolean;
  /** Subtotals for every prefix of the row dimensions (ROLLUP); pivots also for column dimensions. */
  subtotals?: boolean;
  funnel?: FunnelSpec;
  leaderboard?: LeaderboardSpec;
};

/** One relation field walked: `field` of form `formId`, pointing at form `target`. */
export type RelationHop = { field: string; formId: string; target: string };

/** A resolved field reference. */
export type FieldRef = {
  /** The dotted path as written (`amount`, `customer.level`). */
  path: string;
  /** The form that holds the field and the field id there. */
  formId: string;
  fieldId: string;
  /** The relation fields walked from the source form, in order (`formId` holds `field`). */
  via: readonly RelationHop[];
  kind: ValueKind;
  /** The form-engine type (or `system`). */
  type: string;
  label: LocalizedText;
  options?: ReadonlyArray<{ value: string; label: LocalizedText }>;
};

export type NormalizedDimension = {
  id: string;
  field: FieldRef;
  axis: 'row' | 'column';
  bucket?: DateBucket;
  bin?: { width: number; origin: number };
  label: LocalizedText;
};

export type MeasureFormat = 'integer' | 'number' | 'currency' | 'percent' | 'date' | 'datetime';

export type NormalizedMeasure = {
  id: string;
  fn: MeasureFn;
  field?: FieldRef;
  weight?: FieldRef;
  /** weighted_sum: 100 when the weight is a percent field, else 1. */
  weightDivisor?: number;
  numerator?: string;
  denominator?: string;
  of?: string;
  conversion?: { field: FieldRef; reachedFrom: readonly string[]; reachedTo: readonly string[] };
  filter?: Condition;
  label: LocalizedText;
  hidden: boolean;
  format: MeasureFormat;
};

export type NormalizedPeriod = {
  field: FieldRef;
  current: RangeValue;
  previous?: RangeValue;
};

export type NormalizedSort = {
  key: string;
  target: 'dimension' | 'measure';
  direction: SortDirection;
};

export type NormalizedReport = {
  kind: ReportKind;
  formId: string;
  title?: LocalizedText;
  timeZone: string;
  dimensions: readonly NormalizedDimension[];
  measures: readonly NormalizedMeasure[];
  fields: readonly FieldRef[];
  filter: Condition | null;
  period: NormalizedPeriod | null;
  compare: CompareMode | null;
  sort: readonly NormalizedSort[];
  limit: number | null;
  top: { n: number; by: string; dimension: string; other: boolean } | null;
  totals: boolean;
  subtotals: boolean;
  funnel: { field: FieldRef; stages: readonly string[]; mode: 'reached' | 'current' } | null;
  /** Every field path used anywhere in the report, resolved (joins are planned from these). */
  refs: Readonly<Record<string, FieldRef>>;
  leaderboard: {
    by: string;
    limit: number;
    ties: 'competition' | 'dense';
    target: {
      formId: string;
      entity: FieldRef;
      value: FieldRef;
      period?: FieldRef;
      /** The report period as a range of the target period field's kind. */
      range?: RangeValue;
    } | null;
  } | null;
};

// ---------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------

export type CellValue = string | number | boolean | null;

export type ResultDimension = {
  id: string;
  field: string;
  label: LocalizedText;
  kind: ValueKind;
  axis: 'row' | 'column';
  bucket?: DateBucket;
  bin?: { width: number; origin: number };
};

export type ResultMeasure = {
  id: string;
  fn: MeasureFn;
  label: LocalizedText;
  format: MeasureFormat;
  hidden: boolean;
};

export type ResultLevel = 'detail' | 'subtotal' | 'total';

export type FunnelStep = {
  stage: string;
  index: number;
  /** This step over the previous one (null for the first step or an empty previous step). */
  stepConversion: number | null;
  /** This step over the first one. */
  overallConversion: number | null;
};

export type ResultRow = {
  /** Dimension id -> key (bucket keys: `2026-03-09`, `2026-03`, `2026-Q1`, `2026`; bins: lower bound). */
  keys: Record<string, CellValue>;
  /** Dimension id -> display text (option labels, `(空)` for no value, `其他` for Other). */
  labels: Record<string, LocalizedText>;
  /** Measure id -> value (numbers; dates and datetimes of min/max as ISO text). */
  values: Record<string, CellValue>;
  level: ResultLevel;
  /** Dimensions aggregated away in a subtotal or total row. */
  rolledUp: string[];
  /** The row folding every value outside the top N (of dimension `otherDimension`). */
  other?: boolean;
  otherDimension?: string;
  /** Compare: the previous period's values, the difference and the relative difference. */
  previous?: Record<string, CellValue>;
  delta?: Record<string, number | null>;
  deltaPct?: Record<string, number | null>;
  /** Time series compare: the aligned bucket of the previous period. */
  previousKey?: CellValue;
  /** Leaderboard. */
  rank?: number;
  target?: number | null;
  attainment?: number | null;
  /** Funnel. */
  step?: FunnelStep;
  /** Detail tables: the record id. */
  recordId?: string;
  /** The condition that reproduces this cell's records (report filter, period and keys). */
  drill: Condition;
};

export type ReportResult = {
  kind: ReportKind;
  title?: LocalizedText;
  formId: string;
  timeZone: string;
  dimensions: ResultDimension[];
  measures: ResultMeasure[];
  /** Detail tables: the projected fields. */
  fields: ResultDimension[];
  rows: ResultRow[];
  /** The grand total row, when asked for (also for KPI cards: the one row). */
  total: ResultRow | null;
  period: { current: RangeValue; previous?: RangeValue } | null;
  pivot?: {
    rowDimensions: string[];
    columnDimensions: string[];
    rowKeys: CellValue[][];
    columnKeys: CellValue[][];
  };
  funnel?: { stages: string[]; mode: 'reached' | 'current' };
  /** More groups than maxGroups: the extra rows were dropped. */
  truncated: boolean;
};

/** What `toSql` returns: one statement. */
export type SqlStatement = { text: string; values: unknown[] };
