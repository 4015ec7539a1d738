import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AuthContext } from '../auth/auth-context.js';
import { CurrentAuth } from '../common/auth/current-auth.decorator.js';
import { IdParam } from '../common/http/params.js';
import { PolicyService } from '../policy/policy.service.js';
import {
  DashboardResponse,
  ExportReportDto,
  QueryReportDto,
  ReportResponse,
  ReportResultResponse,
  SaveDashboardDto,
  SaveReportDto,
  UpdateDashboardDto,
  UpdateReportDto,
} from './dto/reports.dto.js';
import { ReportDefinitionsService } from './report-definitions.service.js';
import { ReportsService } from './reports.service.js';

@ApiTags('reports')
@ApiBearerAuth()
@Controller()
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly definitions: ReportDefinitionsService,
    private readonly policy: PolicyService,
  ) {}

  @Post('reports/query')
  @HttpCode(200)
  @ApiOkResponse({
    standardSchema: ReportResultResponse,
    description:
      "Runs a spec with the viewer's row scope and field policy; 403 when it uses a field the viewer cannot read",
  })
  async query(
    @CurrentAuth() auth: AuthContext,
    @Body({ schema: QueryReportDto }) dto: QueryReportDto,
  ): Promise<ReportResultResponse> {
    const { result, chartOption } = await this.reports.query(auth, dto.appId, dto.spec, dto.chart);
    return {
      result: result as unknown as Record<string, unknown>,
      ...(chartOption !== undefined ? { chartOption } : {}),
    };
  }

  @Post('reports/export')
  @HttpCode(200)
  @ApiProduces('text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOkResponse({
    description:
      'The result as CSV or XLSX (cells starting with = + - @ escaped); needs the export action',
    content: {
      'text/csv': { schema: { type: 'string' } },
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
        schema: { type: 'string', format: 'binary' },
      },
    },
  })
  async export(
    @CurrentAuth() auth: AuthContext,
    @Body({ schema: ExportReportDto }) dto: ExportReportDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const file = await this.reports.export(
      auth,
      dto.appId,
      dto.spec,
      dto.format,
      dto.locale ?? auth.locale,
    );
    void reply
      .type(file.contentType)
      .header('content-disposition', `attachment; filename="${file.filename}"`);
    return Buffer.from(typeof file.body === 'string' ? file.body : file.body);
  }

  @Get('apps/:appId/reports')
  @ApiOkResponse({ standardSchema: z.array(ReportResponse) })
  listReports(
    @CurrentAuth() auth: AuthContext,
    @Param('appId', { schema: IdParam }) appId: string,
  ) {
    return this.definitions.listReports(auth, appId);
  }

  @Post('apps/:appId/reports')
  @ApiCreatedResponse({ standardSchema: ReportResponse })
  async createReport(
    @CurrentAuth() auth: AuthContext,
    @Param('appId', { schema: IdParam }) appId: string,
    @Body({ schema: SaveReportDto }) dto: SaveReportDto,
  ) {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.definitions.createReport(auth, appId, dto);
  }

  @Get('reports/:id')
  @ApiOkResponse({ standardSchema: ReportResponse })
  getReport(@CurrentAuth() auth: AuthContext, @Param('id', { schema: IdParam }) id: string) {
    return this.definitions.getReport(auth, id);
  }

  @Patch('reports/:id')
  @ApiOkResponse({ standardSchema: ReportResponse })
  async updateReport(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
    @Body({ schema: UpdateReportDto }) dto: UpdateReportDto,
  ) {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.definitions.updateReport(auth, id, dto);
  }

  @Delete('reports/:id')
  @HttpCode(204)
  @ApiNoContentResponse()
  async removeReport(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
  ): Promise<void> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    await this.definitions.removeReport(auth, id);
  }

  @Post('reports/:id/run')
  @HttpCode(200)
  @ApiOkResponse({
    standardSchema: ReportResultResponse,
    description: 'A saved report, run for this viewer',
  })
  async runReport(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
  ): Promise<ReportResultResponse> {
    const report = await this.definitions.getReport(auth, id);
    const { result, chartOption } = await this.reports.query(
      auth,
      report.appId,
      report.spec,
      report.chart ?? undefined,
    );
    return {
      result: result as unknown as Record<string, unknown>,
      ...(chartOption !== undefined ? { chartOption } : {}),
    };
  }

  @Get('apps/:appId/dashboards')
  @ApiOkResponse({ standardSchema: z.array(DashboardResponse) })
  listDashboards(
    @CurrentAuth() auth: AuthContext,
    @Param('appId', { schema: IdParam }) appId: string,
  ) {
    return this.definitions.listDashboards(auth, appId);
  }

  @Post('apps/:appId/dashboards')
  @ApiCreatedResponse({ standardSchema: DashboardResponse })
  async createDashboard(
    @CurrentAuth() auth: AuthContext,
    @Param('appId', { schema: IdParam }) appId: string,
    @Body({ schema: SaveDashboardDto }) dto: SaveDashboardDto,
  ) {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.definitions.createDashboard(auth, appId, dto);
  }

  @Get('dashboards/:id')
  @ApiOkResponse({ standardSchema: DashboardResponse })
  getDashboard(@CurrentAuth() auth: AuthContext, @Param('id', { schema: IdParam }) id: string) {
    return this.definitions.getDashboard(auth, id);
  }

  @Patch('dashboards/:id')
  @ApiOkResponse({ standardSchema: DashboardResponse })
  async updateDashboard(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
    @Body({ schema: UpdateDashboardDto }) dto: UpdateDashboardDto,
  ) {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    return this.definitions.updateDashboard(auth, id, dto);
  }

  @Delete('dashboards/:id')
  @HttpCode(204)
  @ApiNoContentResponse()
  async removeDashboard(
    @CurrentAuth() auth: AuthContext,
    @Param('id', { schema: IdParam }) id: string,
  ): Promise<void> {
    await this.policy.requireWorkspace(auth, 'manage_apps');
    await this.definitions.removeDashboard(auth, id);
  }
}
