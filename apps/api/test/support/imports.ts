import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import type { HttpClient, HttpResponse } from './http.js';
import { REPO_ROOT } from './spawn-server.js';

export const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'imports');

export function fixture(name: string): Promise<Buffer> {
  return readFile(join(FIXTURES, name));
}

export type ImportIssueBody = {
  field: string | null;
  column: string | null;
  code: string;
  message: string;
  messages: { 'zh-CN': string; en: string };
};

export type ImportBody = {
  id: string;
  status: string;
  runKind: string | null;
  mode: string | null;
  resumable: boolean;
  file: {
    name: string;
    size: number;
    format: string;
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
  mapping: MappingBody | null;
  suggestedMapping: MappingBody;
  warnings: Array<{ code: string; field: string; message: string }>;
  progress: {
    phase: string;
    processedRows: number;
    totalRows: number;
    percent: number;
    rowsPerSecond: number;
  } | null;
  counts: { total: number; new: number; updated: number; skipped: number; rejected: number } | null;
  error: { code: string; message: string; retryable?: boolean } | null;
};

export type MappingBody = {
  headerLine?: number | null;
  columns: Array<{ column: number; field: string | null; options?: Record<string, string> }>;
  dateOrder?: 'mdy' | 'dmy';
  matchKeys?: Array<{ field: string; method?: string }>;
  onMatch?: 'skip' | 'update' | 'create';
  onDuplicateInFile?: 'skip' | 'update' | 'create' | 'reject';
  save?: boolean;
};

export type RejectionBody = {
  items: Array<{
    line: number;
    outcome: string;
    recordId: string | null;
    reasons: ImportIssueBody[];
  }>;
  nextAfter: number | null;
};

/** POST /api/forms/:formId/imports with the file as multipart/form-data. */
export async function uploadFile(
  baseUrl: string,
  token: string,
  formId: string,
  fileName: string,
  content: Buffer | Blob,
  contentType = 'application/octet-stream',
): Promise<HttpResponse<ImportBody>> {
  const form = new FormData();
  const blob = content instanceof Blob ? content : new Blob([content], { type: contentType });
  form.append('file', blob, fileName);
  const response = await fetch(`${baseUrl}/api/forms/${formId}/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await response.text();
  const body = (
    /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text
  ) as ImportBody;
  return { status: response.status, body, headers: response.headers };
}

/** Polls GET /api/imports/:id until it leaves "running" (or `until` holds). */
export async function waitForImport(
  as: HttpClient,
  id: string,
  until: (body: ImportBody) => boolean = (b) => b.status !== 'running',
  timeoutMs = 120_000,
): Promise<ImportBody> {
  const started = Date.now();
  for (;;) {
    const response = await as.get<ImportBody>(`/api/imports/${id}`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    if (until(response.body)) return response.body;
    if (Date.now() - started > timeoutMs)
      throw new Error(
        `import ${id} still ${response.body.status} after ${timeoutMs} ms: ${JSON.stringify(response.body.progress)}`,
      );
    await sleep(100);
  }
}

/** Uploads, maps with the given mapping (or the suggestion), and runs a dry run or commit to the end. */
export async function importFile(
  as: HttpClient,
  baseUrl: string,
  token: string,
  formId: string,
  fileName: string,
  content: Buffer,
  options: {
    mapping?: (suggested: MappingBody, upload: ImportBody) => MappingBody;
    run?: 'dry-run' | 'commit';
    mode?: 'skip_bad_rows' | 'all_or_nothing';
  } = {},
): Promise<{ upload: ImportBody; result: ImportBody }> {
  const uploaded = await uploadFile(baseUrl, token, formId, fileName, content);
  assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
  const mapping =
    options.mapping?.(uploaded.body.suggestedMapping, uploaded.body) ??
    uploaded.body.suggestedMapping;
  const mapped = await as.put<ImportBody>(`/api/imports/${uploaded.body.id}/mapping`, mapping);
  assert.equal(mapped.status, 200, JSON.stringify(mapped.body));
  const run = options.run ?? 'commit';
  const started = await as.post<ImportBody>(
    `/api/imports/${uploaded.body.id}/${run}`,
    run === 'commit' ? { mode: options.mode ?? 'skip_bad_rows' } : undefined,
  );
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const result = await waitForImport(as, uploaded.body.id);
  return { upload: uploaded.body, result };
}

export async function allRejections(
  as: HttpClient,
  id: string,
  outcome: 'rejected' | 'skipped' = 'rejected',
) {
  const items: RejectionBody['items'] = [];
  let after = 0;
  for (;;) {
    const page = await as.get<RejectionBody>(
      `/api/imports/${id}/rejections?outcome=${outcome}&after=${after}&limit=1000`,
    );
    assert.equal(page.status, 200, JSON.stringify(page.body));
    items.push(...page.body.items);
    if (page.body.nextAfter === null) return items;
    after = page.body.nextAfter;
  }
}

/** The bench's deterministic Chinese customer data (bench/import/generate.mjs) and its 15-field form. */
export type BenchCustomerData = {
  HEADERS: string[];
  random(seed: number): () => number;
  customerRow(i: number, rnd: () => number): string[];
  csvLine(cells: readonly string[]): string;
  BENCH_FORM: { fields: Array<Record<string, unknown> & { id: string }> };
};

export async function benchCustomerData(): Promise<BenchCustomerData> {
  const bench = join(REPO_ROOT, 'bench', 'import');
  const [generate, form] = (await Promise.all([
    import(pathToFileURL(join(bench, 'generate.mjs')).href),
    import(pathToFileURL(join(bench, 'form.mjs')).href),
  ])) as [Omit<BenchCustomerData, 'BENCH_FORM'>, Pick<BenchCustomerData, 'BENCH_FORM'>];
  return { ...generate, BENCH_FORM: form.BENCH_FORM };
}
