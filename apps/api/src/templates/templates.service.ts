import { Injectable } from '@nestjs/common';
import {
  type Bundle,
  type BundleDiff,
  diffBundles,
  type Issue,
  migrateBundle,
  validateBundle,
} from '@trellis/app-bundle';
import { AppsService } from '../apps/apps.service.js';
import type { AuthContext } from '../auth/auth-context.js';
import { SharedCache } from '../common/cache/shared-cache.service.js';
import { ApiError, type ErrorDetail } from '../common/errors/api-error.js';
import type { LocalizedText } from '../common/localized-text.js';
import { DatabaseService, type Sql } from '../database/database.service.js';
import { FlowsService, flowHeadKey } from '../flows/flows.service.js';
import { directoryKey } from '../flows/workspace-directory.js';
import { FormPublisherService } from '../forms/form-publisher.service.js';
import { FormsService } from '../forms/forms.service.js';
import type { RolePermissions } from '../policy/permissions.js';
import { ReportDefinitionsService } from '../reports/report-definitions.service.js';
import type { SaveDashboardDto } from '../reports/dto/reports.dto.js';
import { RulesService } from '../rules/rules.service.js';
import { AppExportService, mapTeams } from './app-export.service.js';
import { formPermissionsOf } from './bundle-roles.js';
import type { ImportTemplateResponse } from './dto/import-template.dto.js';
import { SampleDataLoader } from './sample-data-loader.js';

type Obj = Record<string, unknown>;

/** The steps of an import, in order (the CLI draws them as a progress bar). */
export const IMPORT_STEPS = [
  'validate',
  'forms',
  'flows',
  'rules',
  'reports',
  'sample data',
] as const;
export type ImportStep = (typeof IMPORT_STEPS)[number];
export type ImportProgress = (step: ImportStep, done: number, total: number) => void;

export type ImportOptions = {
  withSampleData?: boolean;
  upgrade?: { appId: string };
  /** The instant sample data is generated for (default now). */
  now?: string;
  /** Multiplies the sample record counts (tests use a fraction). Default 1. */
  sampleScale?: number;
  progress?: ImportProgress;
};

type Created = ImportTemplateResponse['created'];
const NONE: Created = {
  forms: 0,
  flows: 0,
  rules: 0,
  reports: 0,
  dashboards: 0,
  roles: 0,
  teams: 0,
};

/** What the import has put in place so far: bundle-local keys → this workspace's ids. */
type Ids = {
  appId: string;
  forms: Map<string, string>;
  reports: Map<string, string>;
  teams: Map<string, string>;
};

/**
 * Imports an app bundle as an app, the way the designer would build it: forms created and
 * published as tables, flows, rules, reports, dashboards, roles and teams through their own
 * services, in one transaction. The bundle is data: validated first, never executed.
 */
@Injectable()
export class TemplatesService {
  constructor(
    private readonly db: DatabaseService,
    private readonly cache: SharedCache,
    private readonly apps: AppsService,
    private readonly forms: FormsService,
    private readonly publisher: FormPublisherService,
    private readonly flows: FlowsService,
    private readonly rules: RulesService,
    private readonly reports: ReportDefinitionsService,
    private readonly exporter: AppExportService,
    private readonly sample: SampleDataLoader,
  ) {}

  /** Migrates and validates a raw bundle; every problem at once, each with its path. */
  parse(raw: unknown): { bundle: Bundle; migrations: string[] } {
    const migrated = migrateBundle(raw);
    if (Array.isArray(migrated)) throw invalid(migrated);
    const issues = validateBundle(migrated.bundle);
    if (issues.length > 0) throw invalid(issues);
    return { bundle: migrated.bundle, migrations: migrated.applied };
  }

  async import(
    auth: AuthContext,
    raw: unknown,
    options: ImportOptions = {},
  ): Promise<ImportTemplateResponse> {
    const progress = options.progress ?? (() => undefined);
    progress('validate', 0, 1);
    const { bundle, migrations } = this.parse(raw);
    progress('validate', 1, 1);
    if (options.upgrade !== undefined)
      return this.upgrade(auth, bundle, migrations, options.upgrade.appId, progress);

    const [installed] = await this.db.query<{ id: string; template_version: string | null }>(
      `SELECT id, template_version FROM app WHERE workspace_id = $1 AND template_key = $2 ORDER BY created_at LIMIT 1`,
      [auth.workspaceId, bundle.key],
    );
    if (installed !== undefined) {
      const diff = diffBundles(
        await this.exporter.exportApp(auth.workspaceId, installed.id),
        bundle,
      );
      throw new ApiError(
        'CONFLICT',
        `The template "${bundle.key}" is already installed in this workspace; upgrade it instead`,
        [
          {
            path: 'bundle.key',
            code: 'TEMPLATE_INSTALLED',
            message: `App ${installed.id} has "${bundle.key}" ${installed.template_version ?? '?'}; this bundle is ${bundle.version}`,
          },
        ],
        {
          upgrade: {
            appId: installed.id,
            installedVersion: installed.template_version,
            offeredVersion: bundle.version,
            diff: summarize(diff),
            request: { upgrade: { appId: installed.id } },
          },
        },
      );
    }

    return this.db.transaction(async (tx) => {
      const created = { ...NONE };
      const app = await this.apps.create(
        auth,
        {
          name: text(bundle.name),
          ...(bundle.description === undefined ? {} : { description: text(bundle.description) }),
          ...(bundle.icon === undefined ? {} : { icon: bundle.icon }),
        },
        tx,
        { key: bundle.key, version: bundle.version },
      );
      await tx.query(`UPDATE app SET translations = $2 WHERE id = $1`, [
        app.id,
        JSON.stringify(bundle.translations ?? {}),
      ]);
      const ids: Ids = { appId: app.id, forms: new Map(), reports: new Map(), teams: new Map() };
      created.teams = await this.putTeams(tx, auth, bundle, ids);
      created.forms = await this.addForms(tx, auth, bundle, ids, bundle.forms, progress);
      created.flows = await this.putFlows(tx, auth, bundle, ids, bundle.flows, progress);
      created.roles = await this.putRoles(tx, auth, bundle, ids);
      await this.grantAdmin(tx, auth, bundle);
      created.rules = await this.addRules(tx, auth, bundle, ids, bundle.rules, progress);
      created.reports = await this.addReports(tx, auth, bundle, ids, bundle.reports, progress);
      created.dashboards = await this.addDashboards(tx, auth, bundle, ids, bundle.dashboards);
      // the sample's own sales organisation (members without a usable password) owns its records
      const sample = options.withSampleData
        ? await this.sample.load(tx, auth, bundle, ids.forms, ids.teams, {
            now: options.now ?? new Date().toISOString(),
            scale: options.sampleScale ?? 1,
            progress: (done, total) => progress('sample data', done, total),
          })
        : { records: {}, people: [] };
      progress('sample data', 1, 1);
      await audit(tx, auth, 'template.import', {
        appId: app.id,
        key: bundle.key,
        version: bundle.version,
        created,
        ...(sample.people.length > 0
          ? { sampleMembers: sample.people.map((p) => p.memberId) }
          : {}),
      });
      return {
        appId: app.id,
        key: bundle.key,
        version: bundle.version,
        outcome: 'installed' as const,
        migrations,
        created,
        sampleRecords: sample.records,
        sampleMembers: sample.people,
        warnings: [],
      };
    });
  }

  /** The installed app as a bundle (404 for another workspace's app). */
  export(auth: AuthContext, appId: string): Promise<Bundle> {
    return this.exporter.exportApp(auth.workspaceId, appId);
  }

  /**
   * Upgrades an installed app to a newer bundle of the same template, keeping its records: changed
   * forms are re-published through the normal publish path (columns evolve, values convert),
   * added forms, flows, rules, reports and dashboards are created; nothing is removed.
   */
  private async upgrade(
    auth: AuthContext,
    bundle: Bundle,
    migrations: string[],
    appId: string,
    progress: ImportProgress,
  ): Promise<ImportTemplateResponse> {
    return this.db.transaction(async (tx) => {
      const app = await this.apps.get(auth, appId, tx);
      await tx.query(`SELECT 1 FROM app WHERE id = $1 FOR UPDATE`, [appId]);
      if (app.templateKey !== bundle.key)
        throw ApiError.validation([
          {
            path: 'bundle.key',
            code: 'TEMPLATE_MISMATCH',
            message: `App ${appId} was installed from "${app.templateKey ?? 'no template'}", not "${bundle.key}"`,
          },
        ]);
      const installed = await this.exporter.exportApp(auth.workspaceId, appId, tx);
      const diff = diffBundles(installed, bundle);
      const formRows = await tx.query<{ id: string; key: string }>(
        `SELECT id, key FROM form WHERE workspace_id = $1 AND app_id = $2`,
        [auth.workspaceId, appId],
      );
      const reportRows = await tx.query<{ id: string; key: string | null }>(
        `SELECT id, key FROM report WHERE workspace_id = $1 AND app_id = $2`,
        [auth.workspaceId, appId],
      );
      const ids: Ids = {
        appId,
        forms: new Map(formRows.map((f) => [f.key, f.id])),
        reports: new Map(reportRows.flatMap((r) => (r.key === null ? [] : [[r.key, r.id]]))),
        teams: new Map(),
      };
      const created = { ...NONE };
      created.teams = await this.putTeams(tx, auth, bundle, ids);
      const added = new Set(diff.forms.added);
      created.forms = await this.addForms(
        tx,
        auth,
        bundle,
        ids,
        bundle.forms.filter((f) => added.has(f.id)),
        progress,
      );
      const changed = new Set(diff.forms.changed.map((c) => c.id));
      for (const form of bundle.forms.filter((f) => changed.has(f.id))) {
        const formId = ids.forms.get(form.id) as string;
        await tx.query(
          `UPDATE form SET draft = $2, name = $3, draft_revision = draft_revision + 1, updated_at = now() WHERE id = $1`,
          [formId, JSON.stringify(form), JSON.stringify(form.name ?? form.id)],
        );
        await located(`forms.${bundle.forms.indexOf(form)}`, 'schema', () =>
          this.publisher.publish(auth, formId, { preview: false }, tx),
        );
        created.forms += 1;
      }
      const flowForms = new Set([...diff.flows.added, ...diff.flows.changed.map((c) => c.formId)]);
      created.flows = await this.putFlows(
        tx,
        auth,
        bundle,
        ids,
        bundle.flows.filter((f) => flowForms.has(f.formId)),
        progress,
      );
      created.roles = await this.putRoles(tx, auth, bundle, ids);
      const newRules = new Set(diff.rules.added);
      created.rules = await this.addRules(
        tx,
        auth,
        bundle,
        ids,
        bundle.rules.filter((r) => newRules.has(r.id)),
        progress,
      );
      const newReports = new Set(diff.reports.added);
      created.reports = await this.addReports(
        tx,
        auth,
        bundle,
        ids,
        bundle.reports.filter((r) => newReports.has(r.id)),
        progress,
      );
      const newDashboards = new Set(diff.dashboards.added);
      created.dashboards = await this.addDashboards(
        tx,
        auth,
        bundle,
        ids,
        bundle.dashboards.filter((d) => newDashboards.has(d.id)),
      );
      progress('sample data', 1, 1);
      await tx.query(
        `UPDATE app SET template_version = $2, translations = $3, updated_at = now() WHERE id = $1`,
        [appId, bundle.version, JSON.stringify(bundle.translations ?? {})],
      );
      await audit(tx, auth, 'template.upgrade', {
        appId,
        key: bundle.key,
        from: diff.version.from,
        to: bundle.version,
      });
      const kept = [
        ...diff.rules.changed.map((id) => `rule "${id}" differs from the template and was kept`),
        ...diff.reports.changed.map((id) => `report "${id}" differs and was kept`),
        ...diff.forms.removed.map((id) => `form "${id}" is no longer in the template; kept`),
      ];
      return {
        appId,
        key: bundle.key,
        version: bundle.version,
        outcome: 'upgraded' as const,
        migrations,
        created,
        sampleRecords: {},
        sampleMembers: [],
        warnings: [...diff.warnings, ...kept],
      };
    });
  }

  /** Teams the bundle names: an existing team of the same name is reused. Parents come first. */
  private async putTeams(tx: Sql, auth: AuthContext, bundle: Bundle, ids: Ids): Promise<number> {
    let created = 0;
    const pending = [...(bundle.teams ?? [])];
    while (pending.length > 0) {
      const index = pending.findIndex((t) => t.parent === undefined || ids.teams.has(t.parent));
      const [team] = pending.splice(index < 0 ? 0 : index, 1);
      if (team === undefined) break;
      const name = textOf(team.name);
      const [existing] = await tx.query<{ id: string }>(
        `SELECT id FROM team WHERE workspace_id = $1 AND name = $2 ORDER BY created_at LIMIT 1`,
        [auth.workspaceId, name],
      );
      if (existing !== undefined) {
        ids.teams.set(team.key, existing.id);
        continue;
      }
      const parentId = team.parent === undefined ? null : (ids.teams.get(team.parent) ?? null);
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO team (workspace_id, name, kind, parent_id) VALUES ($1, $2, $3, $4) RETURNING id`,
        [auth.workspaceId, name, parentId === null ? 'department' : 'team', parentId],
      );
      if (row === undefined) throw new Error('team insert returned nothing');
      ids.teams.set(team.key, row.id);
      created += 1;
    }
    if (created > 0) await this.cache.invalidate(tx, [directoryKey(auth.workspaceId)]);
    return created;
  }

  /**
   * Creates the forms (all first, so relations may point either way), saves their drafts, then
   * publishes each as its table; relation foreign keys are added as their targets appear.
   */
  private async addForms(
    tx: Sql,
    auth: AuthContext,
    bundle: Bundle,
    ids: Ids,
    forms: Bundle['forms'],
    progress: ImportProgress,
  ): Promise<number> {
    for (const form of forms) {
      const at = `forms.${bundle.forms.indexOf(form)}`;
      const created = await located(at, '', () =>
        this.forms.create(auth, ids.appId, { key: form.id, name: text(form.name ?? form.id) }, tx),
      );
      ids.forms.set(form.id, created.id);
    }
    await keepOrder(
      tx,
      'form',
      forms.map((f) => ids.forms.get(f.id) as string),
    );
    for (const form of forms)
      await tx.query(`UPDATE form SET draft = $2 WHERE id = $1`, [
        ids.forms.get(form.id),
        JSON.stringify(form),
      ]);
    let done = 0;
    progress('forms', done, forms.length);
    for (const form of forms) {
      await located(`forms.${bundle.forms.indexOf(form)}`, 'schema', () =>
        this.publisher.publish(auth, ids.forms.get(form.id) as string, { preview: false }, tx),
      );
      progress('forms', (done += 1), forms.length);
    }
    return forms.length;
  }

  /** Saves each flow as the form's draft and publishes it as the next flow version. */
  private async putFlows(
    tx: Sql,
    auth: AuthContext,
    bundle: Bundle,
    ids: Ids,
    flows: Bundle['flows'],
    progress: ImportProgress,
  ): Promise<number> {
    let done = 0;
    progress('flows', done, flows.length);
    for (const flow of flows) {
      const formId = ids.forms.get(flow.formId);
      const at = `flows.${bundle.flows.indexOf(flow)}`;
      if (formId === undefined)
        throw ApiError.validation([
          { path: `${at}.formId`, code: 'UNKNOWN_FORM', message: `No form "${flow.formId}"` },
        ]);
      await tx.query(
        `INSERT INTO flow (workspace_id, form_id, draft) VALUES ($1, $2, $3)
         ON CONFLICT (form_id) DO UPDATE SET draft = EXCLUDED.draft, updated_at = now()`,
        [auth.workspaceId, formId, JSON.stringify(flow.definition)],
      );
      await this.cache.invalidate(tx, [flowHeadKey(formId)]);
      await located(at, 'definition', () => this.flows.publish(auth, formId, tx));
      progress('flows', (done += 1), flows.length);
    }
    return flows.length;
  }

  /**
   * Roles are workspace-wide: a missing one is created with the bundle's workspace actions; an
   * existing one (admin, …) keeps its own and gains the bundle's permissions on this app's forms.
   */
  private async putRoles(tx: Sql, auth: AuthContext, bundle: Bundle, ids: Ids): Promise<number> {
    let created = 0;
    const inserted: string[] = [];
    for (const role of bundle.roles) {
      const forms = formPermissionsOf(role, ids.forms);
      const [existing] = await tx.query<{ id: string; permissions: RolePermissions }>(
        `SELECT id, permissions FROM role WHERE workspace_id = $1 AND key = $2 FOR UPDATE`,
        [auth.workspaceId, role.key],
      );
      if (existing === undefined) {
        const permissions: RolePermissions = {
          ...(role.permissions.workspace === undefined
            ? {}
            : { workspace: role.permissions.workspace }),
          forms,
        };
        const [row] = await tx.query<{ id: string }>(
          `INSERT INTO role (workspace_id, key, name, permissions) VALUES ($1, $2, $3, $4) RETURNING id`,
          [auth.workspaceId, role.key, JSON.stringify(role.name), JSON.stringify(permissions)],
        );
        if (row !== undefined) inserted.push(row.id);
        created += 1;
      } else {
        const permissions: RolePermissions = {
          ...existing.permissions,
          forms: { ...existing.permissions.forms, ...forms },
        };
        await tx.query(`UPDATE role SET permissions = $2, updated_at = now() WHERE id = $1`, [
          existing.id,
          JSON.stringify(permissions),
        ]);
      }
    }
    await keepOrder(tx, 'role', inserted);
    await this.cache.invalidate(tx, ['roles:*']);
    return created;
  }

  /**
   * The member who installs a template administers it: they get the bundle's `admin` role when it
   * has one. Their rules run as them, and the template's flows let automations move records with
   * that role (for example the lead's fast qualification by score).
   */
  private async grantAdmin(tx: Sql, auth: AuthContext, bundle: Bundle): Promise<void> {
    if (!bundle.roles.some((r) => r.key === 'admin')) return;
    const granted = await tx.query(
      `INSERT INTO member_role (member_id, role_id)
       SELECT $2, id FROM role WHERE workspace_id = $1 AND key = 'admin'
       ON CONFLICT DO NOTHING RETURNING role_id`,
      [auth.workspaceId, auth.memberId],
    );
    if (granted.length > 0) await this.cache.invalidate(tx, [directoryKey(auth.workspaceId)]);
  }

  /** Rules are saved as data (checked against the app, never run); pools name teams by id. */
  private async addRules(
    tx: Sql,
    auth: AuthContext,
    bundle: Bundle,
    ids: Ids,
    rules: Bundle['rules'],
    progress: ImportProgress,
  ): Promise<number> {
    let done = 0;
    progress('rules', done, rules.length);
    const created: string[] = [];
    for (const rule of rules) {
      const { description: _description, ...definition } = rule;
      const saved = await located(`rules.${bundle.rules.indexOf(rule)}`, 'definition', () =>
        this.rules.create(auth, ids.appId, { definition: mapTeams(definition, ids.teams) }, tx),
      );
      created.push(saved.id);
      progress('rules', (done += 1), rules.length);
    }
    await keepOrder(tx, 'rule', created);
    return rules.length;
  }

  private async addReports(
    tx: Sql,
    auth: AuthContext,
    bundle: Bundle,
    ids: Ids,
    reports: Bundle['reports'],
    progress: ImportProgress,
  ): Promise<number> {
    let done = 0;
    progress('reports', done, reports.length);
    for (const report of reports) {
      const saved = await located(`reports.${bundle.reports.indexOf(report)}`, '', () =>
        this.reports.createReport(
          auth,
          ids.appId,
          {
            key: report.id,
            name: text(report.name),
            spec: report.spec as unknown as Obj & { kind: string; form: string },
            chart: report.chart as unknown as Obj & { type: string },
          },
          tx,
        ),
      );
      ids.reports.set(report.id, saved.id);
      progress('reports', (done += 1), reports.length);
    }
    await keepOrder(
      tx,
      'report',
      reports.map((r) => ids.reports.get(r.id) as string),
    );
    return reports.length;
  }

  /** Dashboards keep the bundle's layout (KPI tiles, filters, audience) with report ids remapped. */
  private async addDashboards(
    tx: Sql,
    auth: AuthContext,
    bundle: Bundle,
    ids: Ids,
    dashboards: Bundle['dashboards'],
  ): Promise<number> {
    const created: string[] = [];
    for (const dashboard of dashboards) {
      const reportId = (key: string) => ids.reports.get(key) as string;
      const layout = {
        items: dashboard.items.map((item) =>
          'kpi' in item
            ? {
                ...item,
                reportId: reportId(item.kpi.reportId),
                kpi: { ...item.kpi, reportId: reportId(item.kpi.reportId) },
              }
            : { ...item, reportId: reportId(item.reportId) },
        ),
        filters: dashboard.filters ?? [],
        ...(dashboard.audience === undefined ? {} : { audience: dashboard.audience }),
        ...(dashboard.description === undefined ? {} : { description: dashboard.description }),
      } as unknown as SaveDashboardDto['layout'];
      const saved = await located(`dashboards.${bundle.dashboards.indexOf(dashboard)}`, '', () =>
        this.reports.createDashboard(
          auth,
          ids.appId,
          { key: dashboard.id, name: text(dashboard.name), layout },
          tx,
        ),
      );
      created.push(saved.id);
    }
    await keepOrder(tx, 'dashboard', created);
    return dashboards.length;
  }
}

function invalid(issues: readonly Issue[]): ApiError {
  return ApiError.validation(
    issues.map((i) => ({ path: i.path, code: i.code, message: i.message })),
    `The bundle has ${issues.length} problem${issues.length === 1 ? '' : 's'}`,
  );
}

/** Runs one step; its located errors are moved under the bundle path of the part (`forms.2`). */
async function located<T>(at: string, base: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const move = (path: string): string => {
      const rest =
        base !== '' && (path === base || path.startsWith(`${base}.`))
          ? path.slice(base.length + 1)
          : path;
      return rest === '' ? at : `${at}.${rest}`;
    };
    const errors: ErrorDetail[] =
      error.errors.length === 0
        ? [{ path: at, code: error.code, message: error.message }]
        : error.errors.map((e) => ({ ...e, path: move(e.path) }));
    throw new ApiError(error.code, error.message, errors, error.extensions as Obj);
  }
}

/** Bundle text as the API stores it (the same shape; the API's type has no undefined locales). */
function text(value: unknown): LocalizedText {
  return value as LocalizedText;
}

function textOf(text: unknown): string {
  if (typeof text === 'string') return text;
  const t = text as Record<string, string>;
  return t['zh-CN'] ?? Object.values(t)[0] ?? '';
}

async function audit(tx: Sql, auth: AuthContext, action: string, target: Obj): Promise<void> {
  await tx.query(
    `INSERT INTO audit_log (workspace_id, actor_member_id, action, target) VALUES ($1, $2, $3, $4)`,
    [auth.workspaceId, auth.memberId, action, JSON.stringify(target)],
  );
}

/**
 * Rows created in one transaction share `now()`; listings order by (created_at, id), so the
 * bundle's order is kept by spacing the new rows a microsecond apart in that order.
 */
async function keepOrder(
  tx: Sql,
  table: 'form' | 'rule' | 'report' | 'dashboard' | 'role',
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return;
  await tx.query(
    `UPDATE ${table} t SET created_at = t.created_at + make_interval(secs => o.n / 1000000.0)
       FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n) WHERE t.id = o.id`,
    [ids],
  );
}

/** The diff without form-engine's per-field detail: what an upgrade offer shows. */
export function summarize(diff: BundleDiff): Obj {
  return {
    ...diff,
    forms: { ...diff.forms, changed: diff.forms.changed.map((c) => c.id) },
  };
}
