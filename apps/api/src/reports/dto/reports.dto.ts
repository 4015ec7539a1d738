import { z } from 'zod';
import { LocalizedTextSchema } from '../../common/localized-text.js';

/** A report-engine ReportSpec; its content is checked by normalizeReport with every issue located. */
const Spec = z
  .looseObject({ kind: z.string(), form: z.string() })
  .describe('A report-engine report spec');
/** A report-engine ChartSpec ({ type, ... }). */
const Chart = z.looseObject({ type: z.string() }).describe('A report-engine chart spec');

export const QueryReportDto = z.strictObject({
  appId: z.uuid(),
  spec: Spec,
  chart: Chart.optional(),
});
export type QueryReportDto = z.infer<typeof QueryReportDto>;

export const ExportReportDto = z.strictObject({
  appId: z.uuid(),
  spec: Spec,
  format: z.enum(['csv', 'xlsx']),
  locale: z.enum(['zh-CN', 'en']).optional(),
});
export type ExportReportDto = z.infer<typeof ExportReportDto>;

export const ReportResultResponse = z.object({
  result: z.record(z.string(), z.unknown()).describe('A report-engine ReportResult'),
  chartOption: z.record(z.string(), z.unknown()).optional().describe('An ECharts option object'),
});
export type ReportResultResponse = z.infer<typeof ReportResultResponse>;

export const SaveReportDto = z.strictObject({
  key: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,62}$/)
    .optional(),
  name: LocalizedTextSchema,
  spec: Spec,
  chart: Chart.optional(),
});
export type SaveReportDto = z.infer<typeof SaveReportDto>;

export const UpdateReportDto = SaveReportDto.partial().strict();
export type UpdateReportDto = z.infer<typeof UpdateReportDto>;

export const ReportResponse = z.object({
  id: z.uuid(),
  appId: z.uuid(),
  key: z.string().nullable(),
  name: LocalizedTextSchema,
  spec: z.record(z.string(), z.unknown()),
  chart: z.record(z.string(), z.unknown()).nullable(),
  updatedAt: z.string(),
});
export type ReportResponse = z.infer<typeof ReportResponse>;

const DashboardItem = z.strictObject({
  id: z.string().min(1).max(64),
  reportId: z.uuid(),
  x: z.number().int().min(0).max(48),
  y: z.number().int().min(0).max(1000),
  w: z.number().int().min(1).max(48),
  h: z.number().int().min(1).max(100),
});
const DashboardLayout = z.strictObject({
  items: z.array(DashboardItem).max(60),
  /** Global filters applied to every report of the dashboard (report-engine conditions per form key). */
  filters: z
    .array(
      z.strictObject({
        id: z.string().min(1).max(64),
        label: LocalizedTextSchema,
        form: z.string(),
        field: z.string(),
        op: z.string(),
      }),
    )
    .max(20)
    .default([]),
});

export const SaveDashboardDto = z.strictObject({
  key: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,62}$/)
    .optional(),
  name: LocalizedTextSchema,
  layout: DashboardLayout,
});
export type SaveDashboardDto = z.infer<typeof SaveDashboardDto>;
export const UpdateDashboardDto = SaveDashboardDto.partial().strict();
export type UpdateDashboardDto = z.infer<typeof UpdateDashboardDto>;

export const DashboardResponse = z.object({
  id: z.uuid(),
  appId: z.uuid(),
  key: z.string().nullable(),
  name: LocalizedTextSchema,
  layout: z.record(z.string(), z.unknown()),
  updatedAt: z.string(),
});
export type DashboardResponse = z.infer<typeof DashboardResponse>;
