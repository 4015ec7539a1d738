import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context.js';
import { ApiError } from '../common/errors/api-error.js';
import type { LocalizedText } from '../common/localized-text.js';
import { DatabaseService, type Sql } from '../database/database.service.js';
import type {
  DashboardResponse,
  ReportResponse,
  SaveDashboardDto,
  SaveReportDto,
  UpdateDashboardDto,
  UpdateReportDto,
} from './dto/reports.dto.js';
import { ReportsService } from './reports.service.js';

type ReportRow = {
  id: string;
  app_id: string;
  key: string | null;
  name: LocalizedText;
  spec: Record<string, unknown>;
  chart: Record<string, unknown> | null;
  updated_at: Date;
};
type DashboardRow = {
  id: string;
  app_id: string;
  key: string | null;
  name: LocalizedText;
  layout: Record<string, unknown>;
  updated_at: Date;
};

/** Saved reports and dashboards of an app (their specs are checked when saved and enforced when run). */
@Injectable()
export class ReportDefinitionsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly reports: ReportsService,
  ) {}

  async listReports(auth: AuthContext, appId: string): Promise<ReportResponse[]> {
    await this.assertApp(auth, appId);
    const rows = await this.db.query<ReportRow>(
      `SELECT id, app_id, key, name, spec, chart, updated_at FROM report WHERE workspace_id = $1 AND app_id = $2 ORDER BY created_at, id`,
      [auth.workspaceId, appId],
    );
    return rows.map(reportOf);
  }

  async getReport(auth: AuthContext, id: string): Promise<ReportResponse> {
    const [row] = await this.db.query<ReportRow>(
      `SELECT id, app_id, key, name, spec, chart, updated_at FROM report WHERE workspace_id = $1 AND id = $2`,
      [auth.workspaceId, id],
    );
    if (row === undefined) throw ApiError.notFound('Report');
    return reportOf(row);
  }

  async createReport(
    auth: AuthContext,
    appId: string,
    dto: SaveReportDto,
    sql: Sql = this.db,
  ): Promise<ReportResponse> {
    await this.assertApp(auth, appId, sql);
    await this.reports.check(auth, appId, dto.spec, sql);
    const [row] = await sql.query<ReportRow>(
      `INSERT INTO report (workspace_id, app_id, key, name, spec, chart) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, app_id, key, name, spec, chart, updated_at`,
      [
        auth.workspaceId,
        appId,
        dto.key ?? null,
        JSON.stringify(dto.name),
        JSON.stringify(dto.spec),
        dto.chart === undefined ? null : JSON.stringify(dto.chart),
      ],
    );
    if (row === undefined) throw new Error('report insert returned nothing');
    return reportOf(row);
  }

  async updateReport(auth: AuthContext, id: string, dto: UpdateReportDto): Promise<ReportResponse> {
    const current = await this.getReport(auth, id);
    if (dto.spec !== undefined) await this.reports.check(auth, current.appId, dto.spec);
    const [row] = await this.db.query<ReportRow>(
      `UPDATE report SET name = coalesce($3, name), spec = coalesce($4, spec), chart = coalesce($5, chart), key = coalesce($6, key), updated_at = now()
        WHERE workspace_id = $1 AND id = $2 RETURNING id, app_id, key, name, spec, chart, updated_at`,
      [
        auth.workspaceId,
        id,
        dto.name === undefined ? null : JSON.stringify(dto.name),
        dto.spec === undefined ? null : JSON.stringify(dto.spec),
        dto.chart === undefined ? null : JSON.stringify(dto.chart),
        dto.key ?? null,
      ],
    );
    if (row === undefined) throw ApiError.notFound('Report');
    return reportOf(row);
  }

  async removeReport(auth: AuthContext, id: string): Promise<void> {
    const result = await this.db.execute(`DELETE FROM report WHERE workspace_id = $1 AND id = $2`, [
      auth.workspaceId,
      id,
    ]);
    if (result.affected === 0) throw ApiError.notFound('Report');
  }

  async listDashboards(auth: AuthContext, appId: string): Promise<DashboardResponse[]> {
    await this.assertApp(auth, appId);
    const rows = await this.db.query<DashboardRow>(
      `SELECT id, app_id, key, name, layout, updated_at FROM dashboard WHERE workspace_id = $1 AND app_id = $2 ORDER BY created_at, id`,
      [auth.workspaceId, appId],
    );
    return rows.map(dashboardOf);
  }

  async getDashboard(auth: AuthContext, id: string): Promise<DashboardResponse> {
    const [row] = await this.db.query<DashboardRow>(
      `SELECT id, app_id, key, name, layout, updated_at FROM dashboard WHERE workspace_id = $1 AND id = $2`,
      [auth.workspaceId, id],
    );
    if (row === undefined) throw ApiError.notFound('Dashboard');
    return dashboardOf(row);
  }

  async createDashboard(
    auth: AuthContext,
    appId: string,
    dto: SaveDashboardDto,
    sql: Sql = this.db,
  ): Promise<DashboardResponse> {
    await this.assertApp(auth, appId, sql);
    await this.assertReports(
      auth,
      appId,
      dto.layout.items.map((i) => i.reportId),
      sql,
    );
    const [row] = await sql.query<DashboardRow>(
      `INSERT INTO dashboard (workspace_id, app_id, key, name, layout) VALUES ($1, $2, $3, $4, $5) RETURNING id, app_id, key, name, layout, updated_at`,
      [
        auth.workspaceId,
        appId,
        dto.key ?? null,
        JSON.stringify(dto.name),
        JSON.stringify(dto.layout),
      ],
    );
    if (row === undefined) throw new Error('dashboard insert returned nothing');
    return dashboardOf(row);
  }

  async updateDashboard(
    auth: AuthContext,
    id: string,
    dto: UpdateDashboardDto,
  ): Promise<DashboardResponse> {
    const current = await this.getDashboard(auth, id);
    if (dto.layout !== undefined)
      await this.assertReports(
        auth,
        current.appId,
        dto.layout.items.map((i) => i.reportId),
      );
    const [row] = await this.db.query<DashboardRow>(
      `UPDATE dashboard SET name = coalesce($3, name), layout = coalesce($4, layout), key = coalesce($5, key), updated_at = now()
        WHERE workspace_id = $1 AND id = $2 RETURNING id, app_id, key, name, layout, updated_at`,
      [
        auth.workspaceId,
        id,
        dto.name === undefined ? null : JSON.stringify(dto.name),
        dto.layout === undefined ? null : JSON.stringify(dto.layout),
        dto.key ?? null,
      ],
    );
    if (row === undefined) throw ApiError.notFound('Dashboard');
    return dashboardOf(row);
  }

  async removeDashboard(auth: AuthContext, id: string): Promise<void> {
    const result = await this.db.execute(
      `DELETE FROM dashboard WHERE workspace_id = $1 AND id = $2`,
      [auth.workspaceId, id],
    );
    if (result.affected === 0) throw ApiError.notFound('Dashboard');
  }

  private async assertApp(auth: AuthContext, appId: string, sql: Sql = this.db): Promise<void> {
    const rows = await sql.query(`SELECT 1 FROM app WHERE workspace_id = $1 AND id = $2`, [
      auth.workspaceId,
      appId,
    ]);
    if (rows.length === 0) throw ApiError.notFound('App');
  }

  private async assertReports(
    auth: AuthContext,
    appId: string,
    ids: readonly string[],
    sql: Sql = this.db,
  ): Promise<void> {
    const rows = await sql.query<{ id: string }>(
      `SELECT id FROM report WHERE workspace_id = $1 AND app_id = $2 AND id = ANY($3::uuid[])`,
      [auth.workspaceId, appId, [...ids]],
    );
    const known = new Set(rows.map((r) => r.id));
    const errors = ids.flatMap((id, i) =>
      known.has(id)
        ? []
        : [
            {
              path: `layout.items.${i}.reportId`,
              code: 'UNKNOWN_REPORT',
              message: 'No such report in this app',
            },
          ],
    );
    if (errors.length > 0) throw ApiError.validation(errors);
  }
}

function reportOf(row: ReportRow): ReportResponse {
  return {
    id: row.id,
    appId: row.app_id,
    key: row.key,
    name: row.name,
    spec: row.spec,
    chart: row.chart,
    updatedAt: row.updated_at.toISOString(),
  };
}

function dashboardOf(row: DashboardRow): DashboardResponse {
  return {
    id: row.id,
    appId: row.app_id,
    key: row.key,
    name: row.name,
    layout: row.layout,
    updatedAt: row.updated_at.toISOString(),
  };
}
