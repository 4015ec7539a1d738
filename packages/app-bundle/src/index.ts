// The public door of @trellis/app-bundle.
export type {
  Bundle,
  BundleDashboard,
  BundleFlow,
  BundleReport,
  BundleRole,
  BundleRule,
  BundleTeam,
  ChartSpec,
  DashboardFilter,
  DashboardItem,
  FieldAccess,
  FormAction,
  FormPermission,
  Issue,
  JsonLogic,
  LocalizedText,
  ReportSpec,
  RowScope,
  SampleDataSettings,
  WorkspaceAction,
} from './types.js';
export {
  BUNDLE_SCHEMA_VERSION,
  bundleJsonSchema,
  DASHBOARD_COLUMNS,
  type JsonSchemaObject,
} from './bundle-json-schema.js';
export { WORKSPACE_ROLE_KEYS } from './form-index.js';
export { validateBundle } from './validate-bundle.js';
export {
  migrateBundle,
  bundleSchemaVersion,
  BUNDLE_MIGRATIONS,
  type BundleMigration,
} from './migrate-bundle.js';
export { normalizeBundle } from './normalize-bundle.js';
export { diffBundles, type BundleDiff, type KeyedChanges } from './diff-bundles.js';
export {
  assembleBundle,
  splitBundle,
  sourceOf,
  MANIFEST_FILE,
  type AssembledBundle,
  type BundleSource,
} from './assemble-bundle.js';
export { findUntranslated } from './untranslated.js';
export {
  generateSampleData,
  planSampleData,
  SampleDataError,
  SAMPLE_FORM_ORDER,
  SAMPLE_GENERATOR,
  type GenerateSampleOptions,
  type SampleData,
  type SampleMember,
  type SamplePlan,
  type SampleRecord,
  type SampleTeam,
} from './sample/generate-sample-data.js';
export {
  computeGoldenFigures,
  FIRST_CONTACT_SLA_MINUTES,
  LEAD_FUNNEL_STEPS,
  OPPORTUNITY_FUNNEL_STEPS,
  type FunnelStep,
  type GoldenFigures,
  type LeaderboardRow,
} from './sample/golden-figures.js';
export {
  DEFAULT_SAMPLE_PARAMS,
  type SampleInputs,
  type SampleParams,
} from './sample/sample-inputs.js';
