// The app bundle format (schema version 2): one JSON document holding a whole app.
import type { FormSchema } from '@trellis/form-engine';
import type { ChartSpec, ReportSpec } from '@trellis/report-engine';
import type { Issue, JsonLogic, RuleDefinition } from '@trellis/rule-engine';

export type { Issue, JsonLogic, ReportSpec, ChartSpec };

/** Text shown to people: a plain string, or one string per locale (zh-CN required). */
export type LocalizedText =
  string | { 'zh-CN': string; en?: string; [locale: string]: string | undefined };

/** The stage machine of one form; `definition` is flow-engine's JSON (validated by `validateFlow`). */
export type BundleFlow = { formId: string; definition: Record<string, unknown> };

/** An automation rule: rule-engine's definition, plus an optional description for implementers. */
export type BundleRule = Omit<RuleDefinition, 'enabled' | 'priority'> & {
  enabled?: boolean;
  priority?: number;
  description?: LocalizedText;
};

/** A report: report-engine's spec (checked by `normalizeReport`) and how it is drawn. */
export type BundleReport = {
  id: string;
  name: LocalizedText;
  description?: LocalizedText;
  spec: ReportSpec;
  chart: ChartSpec;
};

/** A dashboard tile on a 24-column grid: a report, or a KPI card built from a report's measure. */
export type DashboardItem =
  | {
      id: string;
      reportId: string;
      title?: LocalizedText;
      x: number;
      y: number;
      w: number;
      h: number;
    }
  | {
      id: string;
      kpi: { reportId: string; measure: string; target?: number };
      title?: LocalizedText;
      x: number;
      y: number;
      w: number;
      h: number;
    };

/** A dashboard filter; `fields` says which field of each report's source it narrows. */
export type DashboardFilter = {
  id: string;
  label: LocalizedText;
  kind: 'date_range' | 'owner' | 'team' | 'field';
  default?: unknown;
  fields?: Record<string, string>;
};

export type BundleDashboard = {
  id: string;
  name: LocalizedText;
  description?: LocalizedText;
  /** Role keys this dashboard is the home page of. */
  audience?: string[];
  items: DashboardItem[];
  filters?: DashboardFilter[];
};

export type FormAction = 'create' | 'read' | 'update' | 'delete' | 'export' | 'import' | 'manage';
export type WorkspaceAction =
  'manage_workspace' | 'manage_members' | 'manage_roles' | 'manage_apps';
export type RowScope = 'all' | 'own' | 'team' | 'department' | { logic: JsonLogic };
export type FieldAccess = 'hidden' | 'masked' | 'read_only';

export type FormPermission = {
  actions: FormAction[];
  rowScope: RowScope;
  fields?: Record<string, FieldAccess>;
  /** Field access that applies only while the record is in a flow stage. */
  stages?: Record<string, { fields: Record<string, FieldAccess> }>;
};

export type BundleRole = {
  key: string;
  name: LocalizedText;
  description?: LocalizedText;
  permissions: {
    workspace?: WorkspaceAction[];
    /** Keyed by form key; `*` is the default for forms not listed. */
    forms: Record<string, FormPermission>;
  };
};

/** A unit of the sample org chart (rules name teams by key, e.g. a round-robin pool). */
export type BundleTeam = { key: string; name: LocalizedText; parent?: string };

export type SampleDataSettings = {
  generator: 'crm-sample-v1';
  seed: number;
  params?: Record<string, unknown>;
  /** The generator's inputs (name lists, distributions): data from the template's sample-data folder. */
  inputs?: Record<string, unknown>;
};

export type Bundle = {
  $schema?: string;
  schemaVersion: 2;
  key: string;
  /** Semver of the app/template (not of the format). */
  version: string;
  name: LocalizedText;
  description?: LocalizedText;
  icon?: string;
  forms: FormSchema[];
  flows: BundleFlow[];
  rules: BundleRule[];
  reports: BundleReport[];
  dashboards: BundleDashboard[];
  roles: BundleRole[];
  teams?: BundleTeam[];
  /** Extra strings per locale: notification templates and other messages by key. */
  translations?: Record<string, Record<string, string>>;
  sampleData?: SampleDataSettings;
};
