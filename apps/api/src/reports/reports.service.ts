import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import {
  type ChartSpec,
  type Condition,
  type FieldPolicy,
  type NormalizedReport,
  normalizeReport,
  type ReportResult,
  toChartOption,
  toCsv,
  toResult,
  toSql,
  toXlsx,
} from '@trellis/report-engine';
import pg from 'pg';
import type { AuthContext } from '../auth/auth-context.js';
import { ApiError } from '../common/errors/api-error.js';
import { APP_CONFIG } from '../common/tokens.js';
import type { AppConfig } from '../config/app-config.js';
import { DatabaseService, type Sql, statementTrace } from '../database/database.service.js';
import { FormCatalogService, type PublishedForm } from '../forms/form-catalog.service.js';
import type { FormAction } from '../policy/permissions.js';
import { fieldAccessAt, type FormAccess } from '../policy/policy-merge.js';
import { PolicyService } from '../policy/policy.service.js';
import { conditionError, ReportBridge } from './report-bridge.js';
import { reportFormOf, tableMapOf } from './report-tables.js';

const MAX_GROUPS = 10_000;

export type RunOutcome = { report: NormalizedReport; result: ReportResult };

/**
 * Runs report specs for a viewer: report-engine normalises the spec against
 * the app's published forms with the viewer's field policy (a hidden or
 * masked field used anywhere is refused with 403), compiles one statement with
 * the viewer's row scope of every form it touches ANDed in, and the API runs
 * it under a statement timeout — on a read replica when one is configured.
 */
@Injectable()
export class ReportsService implements OnModuleDestroy {
  private readonly replica: pg.Pool | null;

  constructor(
    private readonly db: DatabaseService,
    private readonly catalog: FormCatalogService,
    private readonly policy: PolicyService,
    private readonly bridge: ReportBridge,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.replica =
      config.reportsDatabaseUrl === null
        ? null
        : new pg.Pool({
            connectionString: config.reportsDatabaseUrl,
            max: 10,
            application_name: 'trellis-reports',
          });
  }

  async onModuleDestroy(): Promise<void> {
    await this.replica?.end();
  }

  async run(
    auth: AuthContext,
    appId: string,
    spec: unknown,
    action: FormAction = 'read',
  ): Promise<RunOutcome> {
    const forms = await this.catalog.publishedInApp(auth.workspaceId, appId);
    if (forms.size === 0) {
      const app = await this.db.query(`SELECT 1 FROM app WHERE workspace_id = $1 AND id = $2`, [
        auth.workspaceId,
        appId,
      ]);
      if (app.length === 0) throw ApiError.notFound('App');
    }
    const accesses = new Map<string, FormAccess>();
    for (const form of forms.values())
      accesses.set(form.key, await this.policy.formAccess(auth, form.id));
    const fieldPolicy: Record<string, { hidden: string[] }> = {};
    for (const [key, access] of accesses) fieldPolicy[key] = { hidden: reportUnreadable(access) };
    const timeZone = await this.timeZone(auth.workspaceId);
    const report = normalizeReport(spec, [...forms.values()].map(reportFormOf), {
      fieldPolicy: fieldPolicy as FieldPolicy,
      now: new Date().toISOString(),
      timeZone,
    });
    if (Array.isArray(report)) throw conditionError(report, 'spec');

    const touched = touchedForms(report);
    const rowScopes: Record<string, Condition> = {};
    for (const key of touched) {
      const form = forms.get(key);
      const access = accesses.get(key);
      if (form === undefined || access === undefined)
        throw ApiError.validation([
          {
            path: 'spec.form',
            code: 'UNKNOWN_FORM',
            message: `The app has no published form "${key}"`,
          },
        ]);
      this.policy.requireForm(access, key === report.formId ? action : 'read', `the form "${key}"`);
      const scope = this.bridge.scopeCondition(await this.policy.rowScope(auth, access), form);
      if (scope !== undefined) rowScopes[key] = scope;
    }
    const { text, values } = toSql(report, tableMapOf(forms.values()), {
      ...(rowScopes[report.formId] !== undefined ? { rowScope: rowScopes[report.formId] } : {}),
      rowScopes,
      timeZone,
      maxGroups: MAX_GROUPS,
      excludeDrafts: true,
    });
    const rows = await this.execute(text, values);
    return { report, result: toResult(report, rows, { maxGroups: MAX_GROUPS }) };
  }

  async query(
    auth: AuthContext,
    appId: string,
    spec: unknown,
    chart?: Record<string, unknown>,
  ): Promise<{ result: ReportResult; chartOption?: Record<string, unknown> }> {
    const { result } = await this.run(auth, appId, spec);
    if (chart === undefined) return { result };
    try {
      return {
        result,
        chartOption: toChartOption(result, chart as unknown as ChartSpec) as unknown as Record<
          string,
          unknown
        >,
      };
    } catch (error) {
      throw ApiError.validation([
        {
          path: 'chart',
          code: 'INVALID_CHART',
          message: error instanceof Error ? error.message : 'The chart does not fit this result',
        },
      ]);
    }
  }

  /** CSV or XLSX of a result; needs the export action on the source form. Cells starting with = + - @ are escaped. */
  async export(
    auth: AuthContext,
    appId: string,
    spec: unknown,
    format: 'csv' | 'xlsx',
    locale: string,
  ): Promise<{ body: string | Uint8Array; contentType: string; filename: string }> {
    const { result } = await this.run(auth, appId, spec, 'export');
    if (format === 'csv')
      return {
        body: toCsv(result, { locale, bom: true }),
        contentType: 'text/csv; charset=utf-8',
        filename: 'report.csv',
      };
    return {
      body: toXlsx(result, { locale }),
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      filename: 'report.xlsx',
    };
  }

  /** Validates a spec the way a viewer with full access would see it (saving reports). */
  async check(auth: AuthContext, appId: string, spec: unknown, sql?: Sql): Promise<void> {
    const forms = await this.catalog.publishedInApp(auth.workspaceId, appId, sql);
    // Relative periods (this month, last 30 days) are resolved again at every run;
    // checking needs some "now" to resolve them against.
    const report = normalizeReport(spec, [...forms.values()].map(reportFormOf), {
      now: new Date().toISOString(),
      timeZone: await this.timeZone(auth.workspaceId, sql),
    });
    if (Array.isArray(report)) throw conditionError(report, 'spec');
  }

  private async execute(text: string, values: unknown[]): Promise<Array<Record<string, unknown>>> {
    if (statementTrace.enabled) statementTrace.texts.push(text);
    const timeout = `SET LOCAL statement_timeout = ${Math.floor(this.config.reportStatementTimeoutMs)}`;
    if (this.replica !== null) {
      const client = await this.replica.connect();
      try {
        await client.query('BEGIN READ ONLY');
        await client.query(timeout);
        const result = await client.query(text, values);
        await client.query('COMMIT');
        return result.rows as Array<Record<string, unknown>>;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    }
    return this.db.transaction(async (tx) => {
      await tx.query(timeout);
      return tx.query(text, values);
    });
  }

  /**
   * The workspace's time zone. Inside a transaction, ask through it: the embedded PGlite
   * serves one connection's transaction at a time, so a query on another pooled connection
   * would wait for the very transaction that waits for it.
   */
  private async timeZone(workspaceId: string, sql: Sql = this.db): Promise<string> {
    const [row] = await sql.query<{ tz: string | null }>(
      `SELECT settings->>'timeZone' AS tz FROM workspace WHERE id = $1`,
      [workspaceId],
    );
    return row?.tz ?? 'Asia/Shanghai';
  }
}

/**
 * Fields a viewer may not use in a report: hidden ones, and masked ones too —
 * grouping or filtering by a masked phone would reveal it.
 */
export function reportUnreadable(access: FormAccess): string[] {
  const out = new Set<string>();
  const collect = (fields: Readonly<Record<string, string>>) => {
    for (const [id, rule] of Object.entries(fields))
      if (rule === 'hidden' || rule === 'masked') out.add(id);
  };
  collect(fieldAccessAt(access, null));
  for (const stage of Object.values(access.stages)) collect(stage);
  return [...out];
}

/** Every form a normalized report reads: the source, forms reached through relations, the targets form. */
export function touchedForms(report: NormalizedReport): Set<string> {
  const forms = new Set<string>([report.formId]);
  for (const ref of Object.values(report.refs)) {
    forms.add(ref.formId);
    for (const hop of ref.via) {
      forms.add(hop.formId);
      forms.add(hop.target);
    }
  }
  if (report.leaderboard?.target !== null && report.leaderboard?.target !== undefined)
    forms.add(report.leaderboard.target.formId);
  return forms;
}

export type { PublishedForm };
