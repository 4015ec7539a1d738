import type { ChartSpec, ReportResult, ReportSpec } from '@trellis/report-engine';
import type { LocalizedText } from '../i18n/localized-text.js';
import { api } from './api-client.js';

export type { ChartSpec, ReportResult, ReportSpec };

export type ReportQueryResult = { result: ReportResult; chartOption?: Record<string, unknown> };

export type SavedReport = {
  id: string;
  appId: string;
  key: string | null;
  name: LocalizedText;
  spec: ReportSpec;
  chart: ChartSpec | null;
  updatedAt: string;
};

export type ReportInput = {
  name: LocalizedText;
  spec: ReportSpec;
  chart?: ChartSpec;
  key?: string;
};

/** One tile of a dashboard grid (12 columns; rows of a fixed height). */
export type DashboardItem = {
  id: string;
  reportId: string;
  x: number;
  y: number;
  w: number;
  h: number;
};

/** A filter applied to every report of the dashboard that reads the form. */
export type DashboardFilter = {
  id: string;
  label: LocalizedText;
  form: string;
  field: string;
  op: string;
};

export type DashboardLayout = { items: DashboardItem[]; filters: DashboardFilter[] };

export type Dashboard = {
  id: string;
  appId: string;
  key: string | null;
  name: LocalizedText;
  layout: DashboardLayout;
  updatedAt: string;
};

export type DashboardInput = { name: LocalizedText; layout: DashboardLayout; key?: string };

export const reportsApi = {
  query: (appId: string, spec: ReportSpec, chart?: ChartSpec, signal?: AbortSignal) =>
    api.post<ReportQueryResult>(
      '/api/reports/query',
      { appId, spec, ...(chart === undefined ? {} : { chart }) },
      { signal },
    ),
  list: (appId: string, signal?: AbortSignal) =>
    api.get<SavedReport[]>(`/api/apps/${appId}/reports`, { signal }),
  get: (id: string, signal?: AbortSignal) => api.get<SavedReport>(`/api/reports/${id}`, { signal }),
  create: (appId: string, input: ReportInput) =>
    api.post<SavedReport>(`/api/apps/${appId}/reports`, input),
  update: (id: string, input: Partial<ReportInput>) =>
    api.patch<SavedReport>(`/api/reports/${id}`, input),
  remove: (id: string) => api.delete(`/api/reports/${id}`),
  run: (id: string, signal?: AbortSignal) =>
    api.post<ReportQueryResult>(`/api/reports/${id}/run`, undefined, { signal }),

  dashboards: (appId: string, signal?: AbortSignal) =>
    api.get<Dashboard[]>(`/api/apps/${appId}/dashboards`, { signal }),
  dashboard: (id: string, signal?: AbortSignal) =>
    api.get<Dashboard>(`/api/dashboards/${id}`, { signal }),
  createDashboard: (appId: string, input: DashboardInput) =>
    api.post<Dashboard>(`/api/apps/${appId}/dashboards`, input),
  updateDashboard: (id: string, input: Partial<DashboardInput>) =>
    api.patch<Dashboard>(`/api/dashboards/${id}`, input),
  removeDashboard: (id: string) => api.delete(`/api/dashboards/${id}`),
};
