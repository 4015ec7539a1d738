import { api } from './api-client.js';

export type ImportStatus =
  | 'uploaded'
  | 'mapped'
  | 'running'
  | 'interrupted'
  | 'validated'
  | 'completed'
  | 'failed'
  | 'cancelled';

export type MatchMethod = 'phone' | 'email' | 'company' | 'exact';
export type OnMatch = 'skip' | 'update' | 'create';
export type OnDuplicateInFile = 'skip' | 'update' | 'create' | 'reject';

export type ImportSettings = {
  headerLine: number | null;
  columns: Array<{ column: number; field: string | null; options?: Record<string, string> }>;
  dateOrder: 'mdy' | 'dmy';
  matchKeys: Array<{ field: string; method: MatchMethod }>;
  onMatch: OnMatch;
  onDuplicateInFile: OnDuplicateInFile;
};

export type ImportCounts = {
  total: number;
  new: number;
  updated: number;
  skipped: number;
  rejected: number;
};

export type ImportJob = {
  id: string;
  formId: string;
  status: ImportStatus;
  runKind: 'dry_run' | 'commit' | null;
  mode: 'skip_bad_rows' | 'all_or_nothing' | null;
  resumable: boolean;
  file: {
    name: string;
    size: number;
    format: 'csv' | 'xlsx';
    encoding: string | null;
    delimiter: string | null;
    headerLine: number | null;
    rows: number | null;
  };
  columns: Array<{
    index: number;
    header: string;
    samples: string[];
    suggestion: { fieldId: string; score: number; source: string } | null;
  }>;
  leadingRecords: Array<{ line: number; cells: string[] }>;
  sample: Array<{ line: number; cells: string[] }>;
  fields: Array<{
    id: string;
    type: string;
    label: string;
    required: boolean;
    importable: boolean;
    writable: boolean;
  }>;
  mapping: ImportSettings | null;
  suggestedMapping: ImportSettings;
  warnings: Array<{ code: string; field: string; message: string }>;
  progress: {
    phase: string;
    processedRows: number;
    totalRows: number;
    percent: number;
    rowsPerSecond: number;
  } | null;
  counts: ImportCounts | null;
  error: {
    code: string;
    message: string;
    errors?: Array<{ path: string; code: string; message: string }>;
  } | null;
  createdAt: string;
  finishedAt: string | null;
};

export type ImportRejection = {
  line: number;
  outcome: 'rejected' | 'skipped';
  recordId: string | null;
  reasons: Array<{
    field: string | null;
    column: string | null;
    code: string;
    message: string;
    messages: { 'zh-CN': string; en: string };
  }>;
};

export type MappingInput = ImportSettings & { save?: boolean };

export const importsApi = {
  upload: (formId: string, file: File) => {
    const body = new FormData();
    body.append('file', file, file.name);
    return api.post<ImportJob>(`/api/forms/${formId}/imports`, body);
  },
  get: (id: string, signal?: AbortSignal) => api.get<ImportJob>(`/api/imports/${id}`, { signal }),
  saveMapping: (id: string, mapping: MappingInput) =>
    api.put<ImportJob>(`/api/imports/${id}/mapping`, mapping),
  dryRun: (id: string) => api.post<ImportJob>(`/api/imports/${id}/dry-run`),
  commit: (id: string, mode: 'skip_bad_rows' | 'all_or_nothing') =>
    api.post<ImportJob>(`/api/imports/${id}/commit`, { mode }),
  resume: (id: string) => api.post<ImportJob>(`/api/imports/${id}/resume`),
  rejections: (id: string, outcome: 'rejected' | 'skipped' = 'rejected') =>
    api.get<{ items: ImportRejection[]; nextAfter: number | null }>(
      `/api/imports/${id}/rejections`,
      { query: { outcome, limit: 200 } },
    ),
  rejectedCsv: async (id: string): Promise<Blob> =>
    (
      await api.raw('GET', `/api/imports/${id}/rejected.csv`, { headers: { accept: 'text/csv' } })
    ).blob(),
  remove: (id: string) => api.delete(`/api/imports/${id}`),
};
