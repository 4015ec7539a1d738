import { z } from 'zod';

const Localized = z.object({ 'zh-CN': z.string(), en: z.string() });

export const ImportIssue = z.object({
  field: z.string().nullable(),
  column: z.string().nullable(),
  code: z.string(),
  /** In the caller's language. */
  message: z.string(),
  messages: Localized,
});

export const ImportCountsResponse = z.object({
  total: z.number().int(),
  new: z.number().int(),
  updated: z.number().int(),
  skipped: z.number().int(),
  rejected: z.number().int(),
});

export const ImportProgressResponse = z.object({
  phase: z.enum(['staging', 'resolving', 'verifying', 'merging', 'finishing']),
  processedRows: z.number().int(),
  totalRows: z.number().int(),
  percent: z.number(),
  rowsPerSecond: z.number(),
  phaseStartedAt: z.string(),
  updatedAt: z.string(),
});

const Suggestion = z.object({
  fieldId: z.string(),
  score: z.number(),
  source: z.enum(['saved', 'label', 'alias', 'similar']),
});

const Settings = z.object({
  headerLine: z.number().int().nullable(),
  columns: z.array(
    z.object({
      column: z.number().int(),
      field: z.string().nullable(),
      options: z.record(z.string(), z.string()).optional(),
    }),
  ),
  dateOrder: z.enum(['mdy', 'dmy']),
  matchKeys: z.array(
    z.object({ field: z.string(), method: z.enum(['phone', 'email', 'company', 'exact']) }),
  ),
  onMatch: z.enum(['skip', 'update', 'create']),
  onDuplicateInFile: z.enum(['skip', 'update', 'create', 'reject']),
});

export const ImportResponse = z.object({
  id: z.uuid(),
  formId: z.uuid(),
  /** interrupted: the process running it stopped; POST /resume continues it. */
  status: z.enum([
    'uploaded',
    'mapped',
    'running',
    'interrupted',
    'validated',
    'completed',
    'failed',
    'cancelled',
  ]),
  runKind: z.enum(['dry_run', 'commit']).nullable(),
  mode: z.enum(['skip_bad_rows', 'all_or_nothing']).nullable(),
  resumable: z.boolean(),
  file: z.object({
    name: z.string(),
    size: z.number().int(),
    format: z.enum(['csv', 'xlsx']),
    encoding: z.string().nullable(),
    delimiter: z.string().nullable(),
    headerLine: z.number().int().nullable(),
    rows: z.number().int().nullable(),
  }),
  columns: z.array(
    z.object({
      index: z.number().int(),
      header: z.string(),
      samples: z.array(z.string()),
      suggestion: Suggestion.nullable(),
    }),
  ),
  /** Records up to the header line, to choose another header line. */
  leadingRecords: z.array(z.object({ line: z.number().int(), cells: z.array(z.string()) })),
  /** The first data rows (cells cut to 200 characters). */
  sample: z.array(z.object({ line: z.number().int(), cells: z.array(z.string()) })),
  fields: z.array(
    z.object({
      id: z.string(),
      type: z.string(),
      label: z.string(),
      required: z.boolean(),
      importable: z.boolean(),
      writable: z.boolean(),
    }),
  ),
  mapping: Settings.nullable(),
  /** A complete mapping built from the suggestions (and the form's saved mappings), ready to PUT. */
  suggestedMapping: Settings,
  warnings: z.array(z.object({ code: z.string(), field: z.string(), message: z.string() })),
  progress: ImportProgressResponse.nullable(),
  counts: ImportCountsResponse.nullable(),
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      errors: z
        .array(z.object({ path: z.string(), code: z.string(), message: z.string() }))
        .optional(),
      retryable: z.boolean().optional(),
    })
    .nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  links: z.object({ self: z.string(), rejections: z.string(), rejectedCsv: z.string() }),
});
export type ImportResponse = z.infer<typeof ImportResponse>;

export const ImportListResponse = z.object({
  items: z.array(
    z.object({
      id: z.uuid(),
      status: z.string(),
      fileName: z.string(),
      rows: z.number().int().nullable(),
      counts: ImportCountsResponse.nullable(),
      createdAt: z.string(),
      finishedAt: z.string().nullable(),
    }),
  ),
});

export const RejectionListResponse = z.object({
  items: z.array(
    z.object({
      line: z.number().int(),
      outcome: z.enum(['rejected', 'skipped']),
      recordId: z.uuid().nullable(),
      reasons: z.array(ImportIssue),
    }),
  ),
  /** Pass as `after` for the next page; null on the last page. */
  nextAfter: z.number().int().nullable(),
});
export type RejectionListResponse = z.infer<typeof RejectionListResponse>;

export const SavedMappingListResponse = z.object({
  items: z.array(
    z.object({
      id: z.uuid(),
      headers: z.array(z.string()),
      columns: z.record(z.string(), z.string()),
      settings: z.record(z.string(), z.unknown()),
      updatedAt: z.string(),
    }),
  ),
});
