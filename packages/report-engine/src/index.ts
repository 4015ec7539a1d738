// @trellis/report-engine — report specs compiled to one safe PostgreSQL statement, an in-memory
// twin, ECharts options and exports. Pure: no I/O, no clock, no echarts.
export {
  normalizeReport,
  type NormalizeReportOptions,
  REPORT_LIMITS,
  MEASURE_FUNCTIONS,
  REPORT_KINDS,
  DATE_BUCKETS,
} from './normalize-report.js';
export {
  normalizeCondition,
  type NormalizeConditionOptions,
  DEFAULT_TIME_ZONE,
  OPS_BY_KIND,
} from './normalize-condition.js';
export { conditionToSql } from './condition-sql.js';
export { conditionFromJsonLogic, type JsonLogicConditionOptions } from './json-logic-condition.js';
export { matchesCondition, type MatchContext } from './match-condition.js';
export { RELATIVE_DATE_OPS } from './date-ranges.js';
export { SYSTEM_FIELDS } from './fields.js';
export { toSql, type ToSqlOptions } from './to-sql.js';
export { toResult, type RawRow, type ToResultOptions } from './to-result.js';
export { runInMemory, type RunInMemoryOptions } from './run-in-memory.js';
export { DEFAULT_MAX_GROUPS } from './plan.js';
export { ReportError } from './report-error.js';
export type {
  CellValue,
  ColumnInfo,
  CompareMode,
  Condition,
  ConditionLeaf,
  ConditionOp,
  DateBucket,
  DimensionSpec,
  FieldPolicy,
  FieldRef,
  FunnelSpec,
  FunnelStep,
  Issue,
  JoinTableInfo,
  LeaderboardSpec,
  LocalizedText,
  MeasureFn,
  MeasureFormat,
  MeasureSpec,
  NormalizedDimension,
  NormalizedMeasure,
  NormalizedPeriod,
  NormalizedReport,
  NormalizedSort,
  ParamCollector,
  RangeValue,
  RelationHop,
  RelationInfo,
  RelativeDateOp,
  ReportForm,
  ReportFormField,
  ReportKind,
  ReportResult,
  ReportSpec,
  ResultDimension,
  ResultLevel,
  ResultMeasure,
  ResultRow,
  ScalarValue,
  SortDirection,
  SortSpec,
  SqlStatement,
  TableInfo,
  TableMap,
  TableRef,
  TopSpec,
  ValueKind,
} from './types.js';
export {
  toChartOption,
  provinceName,
  CHINA_PROVINCES,
  DEFAULT_COLORS,
  type ChartOption,
  type ChartSpec,
} from './to-chart-option.js';
export { CHART_TYPES, type ChartType, type ChartTypeInfo } from './chart-types.js';
export { toCsv, toXlsx, escapeFormula, type ExportOptions } from './export.js';
export { resultGrid, localize, type Grid, type GridCell } from './result-table.js';
