import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { Injectable } from '@nestjs/common';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { AuthContext } from '../auth/auth-context.js';
import { ApiError, type ErrorDetail } from '../common/errors/api-error.js';
import { pickText } from '../common/localized-text.js';
import { DatabaseService } from '../database/database.service.js';
import { FormCatalogService, type PublishedForm } from '../forms/form-catalog.service.js';
import { fieldAccessAt, type FormAccess } from '../policy/policy-merge.js';
import { PolicyService } from '../policy/policy.service.js';
import type { CommitImportDto } from './dto/commit-import.dto.js';
import type { ImportMappingDto } from './dto/import-mapping.dto.js';
import type { ImportResponse, RejectionListResponse } from './dto/import-response.dto.js';
import type { ListRejectionsQuery } from './dto/list-rejections.query.js';
import { csvRow, UTF8_BOM } from './import-csv-output.js';
import {
  ChunkWriter,
  materializeWorkbook,
  readChunks,
  removeWorkbook,
  workbookPath,
} from './import-file-store.js';
import {
  headerIndex,
  type ImportColumn,
  type JobRow,
  leaseIsDead,
  presentedStatus,
  type PreviewRecord,
} from './import-job.js';
import { IMPORT_LIMITS } from './import-limits.js';
import {
  defaultMatchMethod,
  IMPORTABLE_TYPES,
  type ImportSettings,
  type RowIssue,
} from './import-plan.js';
import { csvRows, type SourceRow, xlsxRows } from './import-row-source.js';
import { ImportRunnerService } from './import-runner.service.js';
import {
  byteOrderMark,
  columnLabels,
  detectDelimiter,
  detectHeaderIndex,
  RecordCounter,
  type TextEncoding,
  Utf8Checker,
} from './import-sniffing.js';
import { savedLabelKey, suggestColumns, type Suggestion } from './import-suggestions.js';
import { stagingTable, keysTable } from './import-staging.js';
import { hasControlCharacter } from './file-names.js';
import { checkXlsx } from './xlsx-guard.js';

/** Records kept from the top of the file: enough to choose a header below a few title rows, and a sample. */
const PREVIEW_RECORDS = 40;
const PREVIEW_CELL_CHARS = 200;

/** Characters Windows and Unix refuse in a file name (control characters are checked apart). */
const SAFE_NAME = /^[^/\\:*?"<>|]+$/;

function badFile(code: string, message: string, extra: Record<string, unknown> = {}): ApiError {
  return new ApiError('BAD_REQUEST', message, [{ path: 'file', code, message, ...extra }]);
}

/** Refuses names that try to climb out of a folder or carry control characters; keeps the rest (Chinese included). */
export function checkFileName(name: string): string {
  const trimmed = name.trim();
  if (
    trimmed === '' ||
    trimmed.length > IMPORT_LIMITS.maxFileNameChars ||
    !SAFE_NAME.test(trimmed) ||
    hasControlCharacter(trimmed) ||
    trimmed === '.' ||
    trimmed.includes('..') ||
    trimmed.startsWith('.')
  )
    throw new ApiError('BAD_REQUEST', 'The file name is not allowed', [
      {
        path: 'file.filename',
        code: 'UNSAFE_FILE_NAME',
        message: `The file name ${JSON.stringify(name.slice(0, 100))} contains a path or characters that are not allowed; rename the file (for example 客户名单.csv)`,
      },
    ]);
  return trimmed;
}

type Format = 'csv' | 'xlsx';

function formatOf(head: Buffer): Format {
  if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) return 'xlsx';
  if (
    head.length >= 8 &&
    head.readUInt32BE(0) === 0xd0cf11e0 &&
    head.readUInt32BE(4) === 0xa1b11ae1
  )
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Old Excel workbooks (.xls) cannot be imported', [
      {
        path: 'file',
        code: 'XLS_UNSUPPORTED',
        message:
          'This is an old .xls workbook; in Excel or WPS choose 另存为 → .xlsx or CSV UTF-8, then upload again',
      },
    ]);
  if (head.length >= 4 && head.toString('latin1', 0, 4) === '%PDF')
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Only CSV and XLSX files can be imported', [
      {
        path: 'file',
        code: 'UNSUPPORTED_FILE',
        message: 'Only CSV and XLSX files can be imported',
      },
    ]);
  return 'csv';
}

function issueText(issue: RowIssue, locale: string): string {
  return locale.startsWith('en') ? issue.messages.en : issue.messages['zh-CN'];
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/**
 * The import wizard: upload (with detection of encoding, delimiter and
 * header), mapping (suggested, saved per form), dry run and commit (run by
 * ImportRunnerService), progress, and the rejected rows.
 */
@Injectable()
export class ImportsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly catalog: FormCatalogService,
    private readonly policy: PolicyService,
    private readonly runner: ImportRunnerService,
  ) {}

  private async openForm(
    auth: AuthContext,
    formId: string,
  ): Promise<{ form: PublishedForm; access: FormAccess }> {
    const form = await this.catalog.published(auth.workspaceId, formId);
    const access = await this.policy.formAccess(auth, form.id);
    this.policy.requireForm(access, 'import', 'records of this form');
    return { form, access };
  }

  /** An import of the caller's workspace on a form they may import into; 404 otherwise. */
  private async job(
    auth: AuthContext,
    id: string,
  ): Promise<{ job: JobRow; form: PublishedForm; access: FormAccess }> {
    const [job] = await this.db.query<JobRow>(
      `SELECT * FROM import_job WHERE id = $1 AND workspace_id = $2`,
      [id, auth.workspaceId],
    );
    if (job === undefined || job.status === 'uploading') throw ApiError.notFound('Import');
    const { form, access } = await this.openForm(auth, job.form_id);
    return { job, form, access };
  }

  // ------------------------------------------------------------------ upload

  async upload(
    auth: AuthContext,
    formId: string,
    request: FastifyRequest,
  ): Promise<ImportResponse> {
    const { form } = await this.openForm(auth, formId);
    if (!request.isMultipart())
      throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Upload the file as multipart/form-data', [
        {
          path: 'file',
          code: 'MULTIPART_REQUIRED',
          message: 'Send the file in a multipart/form-data field named "file"',
        },
      ]);
    let part: MultipartFile | undefined;
    try {
      part = await request.file({
        // see the name as sent, so that a name with a path is refused rather than quietly cut
        preservePath: true,
        limits: {
          fileSize: IMPORT_LIMITS.maxFileBytes,
          files: 1,
          fields: 10,
          parts: 12,
          fieldSize: 1024,
        },
      });
    } catch (error) {
      throw translateMultipartError(error);
    }
    if (part === undefined)
      throw badFile('FILE_REQUIRED', 'Attach the file in a field named "file"');
    const fileName = checkFileName(part.filename);
    const id = randomUUID();
    await this.db.query(
      `INSERT INTO import_job (id, workspace_id, app_id, form_id, created_by, status, file_name, format)
       VALUES ($1, $2, $3, $4, $5, 'uploading', $6, 'csv')`,
      [id, auth.workspaceId, form.appId, form.id, auth.memberId, fileName],
    );
    try {
      const facts = await this.receive(id, part);
      const job = await this.detect(id, facts);
      return await this.present(auth, job, form);
    } catch (error) {
      part.file.resume();
      await this.db.query(`DELETE FROM import_job WHERE id = $1`, [id]).catch(() => undefined);
      await removeWorkbook(id);
      throw translateMultipartError(error);
    }
  }

  /**
   * Streams the upload into import_file_chunk while checking it: the format
   * from its first bytes, UTF-8 validity, and (for CSV) the number of
   * records, refusing the file as soon as it has too many.
   */
  private async receive(id: string, part: MultipartFile): Promise<UploadFacts> {
    const chunks = new ChunkWriter(this.db, id);
    const hash = createHash('sha256');
    const utf8 = new Utf8Checker();
    const state: {
      format: Format | null;
      head: Buffer[];
      headBytes: number;
      bom: ReturnType<typeof byteOrderMark>;
      counter: RecordCounter | null;
      utf16: TextDecoder | null;
      workbook: WriteStream | null;
      delimiter: string;
    } = {
      format: null,
      head: [],
      headBytes: 0,
      bom: null,
      counter: null,
      utf16: null,
      workbook: null,
      delimiter: ',',
    };
    const feed = (chunk: Buffer) => {
      const counter = state.counter;
      if (counter === null) return;
      if (state.utf16 !== null) counter.pushText(state.utf16.decode(chunk, { stream: true }));
      else counter.pushBytes(chunk);
      if (counter.records > IMPORT_LIMITS.maxRows + IMPORT_LIMITS.headerSearchRows)
        throw new ApiError(
          'PAYLOAD_TOO_LARGE',
          `The file has more than ${IMPORT_LIMITS.maxRows} rows`,
          [
            {
              path: 'file',
              code: 'TOO_MANY_ROWS',
              message: `The file has more than ${IMPORT_LIMITS.maxRows} rows (refused at line ${counter.lines}); split it into smaller files`,
              line: counter.lines,
            },
          ],
        );
    };
    /** Once the first 64 KB are in: the format, and for text the byte-order mark, delimiter and record counter. */
    const decide = async () => {
      const all = Buffer.concat(state.head);
      state.format = formatOf(all);
      if (state.format === 'xlsx') {
        await mkdir(dirname(workbookPath(id)), { recursive: true });
        state.workbook = createWriteStream(workbookPath(id));
        for (const c of state.head) state.workbook.write(c);
      } else {
        state.bom = byteOrderMark(all);
        const wide =
          state.bom !== null && state.bom.encoding !== 'utf-8' ? state.bom.encoding : null;
        if (wide !== null) state.utf16 = new TextDecoder(wide);
        const sample =
          wide !== null
            ? new TextDecoder(wide).decode(all.subarray(0, 65_536))
            : all.subarray(0, 65_536).toString('latin1');
        state.delimiter = detectDelimiter(sample);
        state.counter = new RecordCounter(state.delimiter.charCodeAt(0));
        for (const c of state.head) {
          utf8.push(c);
          feed(c);
        }
      }
      state.head = [];
    };
    try {
      for await (const data of part.file) {
        const chunk = data as Buffer;
        hash.update(chunk);
        await chunks.write(chunk);
        if (state.format === null) {
          state.head.push(chunk);
          state.headBytes += chunk.length;
          if (state.headBytes >= 65_536) await decide();
        } else if (state.workbook !== null) {
          if (!state.workbook.write(chunk)) await once(state.workbook, 'drain');
        } else {
          utf8.push(chunk);
          feed(chunk);
        }
      }
      if (state.format === null) await decide();
      if (part.file.truncated)
        throw new ApiError('PAYLOAD_TOO_LARGE', 'The file is too large', [
          {
            path: 'file',
            code: 'FILE_TOO_LARGE',
            message: `The file is larger than ${IMPORT_LIMITS.maxFileBytes / 1024 / 1024} MB; split it into smaller files`,
          },
        ]);
      await chunks.end();
    } finally {
      const workbook = state.workbook;
      if (workbook !== null) {
        workbook.end();
        await once(workbook, 'finish').catch(() => undefined);
      }
    }
    if (chunks.bytes === 0) throw badFile('EMPTY_FILE', 'The file is empty');
    const format: Format = state.format ?? 'csv';
    return {
      format,
      size: chunks.bytes,
      sha256: hash.digest('hex'),
      encoding:
        format === 'xlsx' ? null : (state.bom?.encoding ?? (utf8.end() ? 'utf-8' : 'gb18030')),
      delimiter: format === 'xlsx' ? null : state.delimiter,
      records: state.counter === null ? null : state.counter.end().records,
    };
  }

  /** Header row, columns, preview and row count of the stored file. */
  private async detect(id: string, facts: UploadFacts): Promise<JobRow> {
    const preview: PreviewRecord[] = [];
    let records = facts.records ?? 0;
    const delimiter = facts.delimiter;
    if (facts.format === 'xlsx') {
      await checkXlsx(workbookPath(id));
      records = 0;
      for await (const row of xlsxRows(workbookPath(id))) {
        records++;
        if (records > IMPORT_LIMITS.maxRows + IMPORT_LIMITS.headerSearchRows)
          throw new ApiError(
            'PAYLOAD_TOO_LARGE',
            `The workbook has more than ${IMPORT_LIMITS.maxRows} rows`,
            [
              {
                path: 'file',
                code: 'TOO_MANY_ROWS',
                message: `Row ${row.line} is beyond the limit of ${IMPORT_LIMITS.maxRows} rows; split the workbook`,
                line: row.line,
              },
            ],
          );
        if (preview.length < PREVIEW_RECORDS) preview.push(cut(row));
      }
    } else {
      const encoding = facts.encoding as TextEncoding;
      const rows = csvRows(readChunks(this.db, id), { encoding, delimiter: delimiter ?? ',' });
      for await (const row of rows) {
        preview.push(cut(row));
        if (preview.length >= PREVIEW_RECORDS) break;
      }
    }
    if (preview.length === 0) throw badFile('NO_ROWS', 'The file has no rows');
    const headerAt = detectHeaderIndex(
      preview.slice(0, IMPORT_LIMITS.headerSearchRows).map((r) => r.cells),
    );
    const headerLine = headerAt === null ? null : (preview[headerAt]?.line ?? null);
    const columns = columnsFor(preview, headerLine);
    if (columns.length > IMPORT_LIMITS.maxColumns)
      throw badFile(
        'TOO_MANY_COLUMNS',
        `The file has ${columns.length} columns; at most ${IMPORT_LIMITS.maxColumns} are allowed`,
      );
    const dataRows = Math.max(0, records - (headerAt === null ? 0 : headerAt + 1));
    const [job] = await this.db.query<JobRow>(
      `UPDATE import_job SET status = 'uploaded', format = $2, file_size = $3, file_sha256 = $4, encoding = $5,
              delimiter = $6, header_line = $7, total_rows = $8, columns = $9, preview = $10, updated_at = now()
        WHERE id = $1 RETURNING *`,
      [
        id,
        facts.format,
        facts.size,
        facts.sha256,
        facts.encoding,
        delimiter,
        headerLine,
        dataRows,
        JSON.stringify(columns),
        JSON.stringify(preview),
      ],
    );
    if (job === undefined) throw ApiError.notFound('Import');
    return job;
  }

  // ----------------------------------------------------------------- reading

  async get(auth: AuthContext, id: string): Promise<ImportResponse> {
    const { job, form } = await this.job(auth, id);
    return this.present(auth, job, form);
  }

  async list(auth: AuthContext, formId: string) {
    const { form } = await this.openForm(auth, formId);
    const rows = await this.db.query<JobRow>(
      `SELECT * FROM import_job WHERE form_id = $1 AND workspace_id = $2 AND status <> 'uploading' ORDER BY created_at DESC LIMIT 100`,
      [form.id, auth.workspaceId],
    );
    return {
      items: rows.map((j) => ({
        id: j.id,
        status: presentedStatus(j),
        fileName: j.file_name,
        rows: j.total_rows,
        counts: j.counts,
        createdAt: j.created_at.toISOString(),
        finishedAt: iso(j.finished_at),
      })),
    };
  }

  private async savedColumns(form: PublishedForm): Promise<{
    byLabel: Map<string, string>;
    rows: Array<{ signature: string; settings: Partial<ImportSettings> }>;
  }> {
    const rows = await this.db.query<{
      signature: string;
      columns: Record<string, string>;
      settings: Partial<ImportSettings>;
    }>(
      `SELECT signature, columns, settings FROM import_mapping WHERE form_id = $1 ORDER BY updated_at ASC LIMIT 50`,
      [form.id],
    );
    const byLabel = new Map<string, string>();
    for (const row of rows)
      for (const [label, field] of Object.entries(row.columns)) byLabel.set(label, field);
    return { byLabel, rows };
  }

  async present(auth: AuthContext, job: JobRow, form: PublishedForm): Promise<ImportResponse> {
    const access = await this.policy.formAccess(auth, form.id);
    const policy = fieldAccessAt(access, null);
    const fieldInfo = form.schema.fields.map((f) => ({
      id: f.id,
      type: f.type,
      label: pickText(f.label ?? f.id, auth.locale),
      required: f['required'] === true,
      importable: IMPORTABLE_TYPES.has(f.type),
      writable: policy[f.id] !== 'hidden' && policy[f.id] !== 'read_only',
    }));
    const targets = form.schema.fields
      .filter(
        (f) =>
          IMPORTABLE_TYPES.has(f.type) && policy[f.id] !== 'hidden' && policy[f.id] !== 'read_only',
      )
      .map((f) => ({
        id: f.id,
        type: f.type,
        labels:
          f.label === undefined
            ? []
            : typeof f.label === 'string'
              ? [f.label]
              : Object.values(f.label).filter((t): t is string => typeof t === 'string'),
      }));
    const saved = await this.savedColumns(form);
    const headers = job.columns.map((c) => c.header);
    const suggestions: Array<Suggestion | null> = suggestColumns(headers, targets, saved.byLabel);
    const at = headerIndex(job.preview, job.header_line);
    const data = job.preview.slice(at + 1);
    const signature = headerSignature(headers);
    const savedSettings = saved.rows.find((r) => r.signature === signature)?.settings ?? {};
    const suggestedColumns = job.columns.map((c, i) => ({
      column: c.index,
      field: suggestions[i]?.fieldId ?? null,
    }));
    const mappedFields = new Set(
      suggestedColumns.map((c) => c.field).filter((f): f is string => f !== null),
    );
    const defaultKeys = form.schema.fields
      .filter((f) => mappedFields.has(f.id) && (f.type === 'phone' || f.type === 'email'))
      .map((f) => ({ field: f.id, method: defaultMatchMethod(f.type) }));
    const suggestedMapping = {
      headerLine: job.header_line,
      columns: suggestedColumns,
      dateOrder: savedSettings.dateOrder ?? 'mdy',
      matchKeys: (savedSettings.matchKeys ?? defaultKeys).filter((k) => mappedFields.has(k.field)),
      onMatch: savedSettings.onMatch ?? 'skip',
      onDuplicateInFile: savedSettings.onDuplicateInFile ?? 'skip',
    } as const;
    const mapped = new Set((job.mapping ?? suggestedMapping).columns.map((c) => c.field));
    const warnings = form.schema.fields
      .filter(
        (f) =>
          f['required'] === true &&
          f['default'] === undefined &&
          f['visible'] === undefined &&
          !mapped.has(f.id),
      )
      .map((f) => ({
        code: 'REQUIRED_FIELD_UNMAPPED',
        field: f.id,
        message: `${pickText(f.label ?? f.id, auth.locale)}: ${auth.locale.startsWith('en') ? 'required, but no column fills it; new records will be rejected' : '必填，但没有列对应到它，新记录会被拒绝'}`,
      }));
    const status = presentedStatus(job);
    const progress =
      job.progress.phase === undefined ? null : (job.progress as ImportResponse['progress']);
    return {
      id: job.id,
      formId: job.form_id,
      status: status === 'uploading' ? 'uploaded' : status,
      runKind: job.run_kind,
      mode: job.mode,
      resumable:
        (status === 'interrupted' && !this.runner.isRunningHere(job.id)) ||
        (job.status === 'failed' && job.error?.retryable === true),
      file: {
        name: job.file_name,
        size: Number(job.file_size),
        format: job.format,
        encoding: job.encoding,
        delimiter: job.delimiter,
        headerLine: job.header_line,
        rows: job.total_rows,
      },
      columns: job.columns.map((c, i) => ({
        index: c.index,
        header: c.header,
        samples: data.slice(0, 5).map((r) => r.cells[c.index] ?? ''),
        suggestion: suggestions[i] ?? null,
      })),
      leadingRecords: job.preview.slice(0, at + 1),
      sample: data.slice(0, IMPORT_LIMITS.sampleRows),
      fields: fieldInfo,
      mapping: job.mapping === null ? null : settingsResponse(job.mapping),
      suggestedMapping: { ...suggestedMapping, matchKeys: [...suggestedMapping.matchKeys] },
      warnings,
      progress,
      counts: job.counts,
      error: job.error,
      createdAt: job.created_at.toISOString(),
      updatedAt: job.updated_at.toISOString(),
      startedAt: iso(job.started_at),
      finishedAt: iso(job.finished_at),
      links: {
        self: `/api/imports/${job.id}`,
        rejections: `/api/imports/${job.id}/rejections`,
        rejectedCsv: `/api/imports/${job.id}/rejected.csv`,
      },
    };
  }

  // ----------------------------------------------------------------- mapping

  async saveMapping(auth: AuthContext, id: string, dto: ImportMappingDto): Promise<ImportResponse> {
    const { job, form, access } = await this.job(auth, id);
    if (
      !['uploaded', 'mapped', 'validated', 'failed'].includes(job.status) ||
      job.merged_through > 0
    )
      throw new ApiError('CONFLICT', 'The mapping cannot change now', [
        {
          path: 'status',
          code: 'MAPPING_LOCKED',
          message: `The import is ${presentedStatus(job)}`,
        },
      ]);
    const headerLine = dto.headerLine === undefined ? job.header_line : dto.headerLine;
    if (headerLine !== null && headerIndex(job.preview, headerLine) < 0)
      throw ApiError.validation([
        {
          path: 'headerLine',
          code: 'HEADER_LINE_NOT_IN_PREVIEW',
          message: `Line ${headerLine} is not one of the first records of the file (${job.preview
            .map((r) => r.line)
            .slice(0, 10)
            .join(', ')} …)`,
        },
      ]);
    const columns =
      headerLine === job.header_line ? job.columns : columnsFor(job.preview, headerLine);
    const settings = this.checkMapping(dto, form, access, columns, headerLine);
    await this.db.transaction(async (tx) => {
      const dataRows =
        headerLine === job.header_line
          ? job.total_rows
          : Math.max(
              0,
              (job.total_rows ?? 0) +
                headerIndex(job.preview, job.header_line) -
                headerIndex(job.preview, headerLine),
            );
      await tx.query(
        `UPDATE import_job SET status = 'mapped', mapping = $2, header_line = $3, columns = $4, total_rows = $5,
                form_version = $6, counts = NULL, error = NULL, progress = '{}', updated_at = now()
          WHERE id = $1`,
        [id, JSON.stringify(settings), headerLine, JSON.stringify(columns), dataRows, form.version],
      );
      if (dto.save) {
        const headers = columns.map((c) => c.header);
        const byLabel: Record<string, string> = {};
        for (const c of settings.columns)
          if (c.field !== null) byLabel[savedLabelKey(headers[c.column] ?? '')] = c.field;
        await tx.query(
          `INSERT INTO import_mapping (workspace_id, form_id, signature, headers, columns, settings, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (form_id, signature) DO UPDATE SET headers = EXCLUDED.headers, columns = EXCLUDED.columns,
             settings = EXCLUDED.settings, updated_at = now()`,
          [
            auth.workspaceId,
            form.id,
            headerSignature(headers),
            JSON.stringify(headers),
            JSON.stringify(byLabel),
            JSON.stringify({
              dateOrder: settings.dateOrder,
              matchKeys: settings.matchKeys,
              onMatch: settings.onMatch,
              onDuplicateInFile: settings.onDuplicateInFile,
              options: Object.fromEntries(
                settings.columns
                  .filter((c) => c.options !== undefined && c.field !== null)
                  .map((c) => [c.field, c.options]),
              ),
            }),
            auth.memberId,
          ],
        );
      }
    });
    return this.get(auth, id);
  }

  /** Every problem of a mapping at once, located; permission problems answer 403. */
  private checkMapping(
    dto: ImportMappingDto,
    form: PublishedForm,
    access: FormAccess,
    columns: readonly ImportColumn[],
    headerLine: number | null,
  ): ImportSettings {
    const errors: ErrorDetail[] = [];
    const forbidden: ErrorDetail[] = [];
    const fields = new Map(form.schema.fields.map((f) => [f.id, f]));
    const policy = fieldAccessAt(access, null);
    const seenColumns = new Set<number>();
    const seenFields = new Map<string, number>();
    dto.columns.forEach((c, i) => {
      const path = `columns.${i}`;
      if (c.column >= columns.length)
        errors.push({
          path: `${path}.column`,
          code: 'UNKNOWN_COLUMN',
          message: `The file has ${columns.length} columns (0 to ${columns.length - 1})`,
        });
      if (seenColumns.has(c.column))
        errors.push({
          path: `${path}.column`,
          code: 'DUPLICATE_COLUMN',
          message: `Column ${c.column} is mapped twice`,
        });
      seenColumns.add(c.column);
      if (c.field === null) return;
      const field = fields.get(c.field);
      if (field === undefined) {
        errors.push({
          path: `${path}.field`,
          code: 'UNKNOWN_FIELD',
          message: `${c.field} is not a field of this form`,
        });
        return;
      }
      if (!IMPORTABLE_TYPES.has(field.type))
        errors.push({
          path: `${path}.field`,
          code: 'FIELD_NOT_IMPORTABLE',
          message: `${c.field} is a ${field.type} field; imports fill text, number, money, date, option, phone, e-mail, URL and yes/no fields`,
        });
      const earlier = seenFields.get(c.field);
      if (earlier !== undefined)
        errors.push({
          path: `${path}.field`,
          code: 'DUPLICATE_FIELD',
          message: `${c.field} is already filled by column ${earlier}`,
        });
      seenFields.set(c.field, c.column);
      if (policy[c.field] === 'hidden' || policy[c.field] === 'read_only')
        forbidden.push({
          path: `${path}.field`,
          code: 'FIELD_NOT_WRITABLE',
          message: `Your role cannot write ${c.field} (${policy[c.field] === 'hidden' ? 'hidden' : 'read-only'}), so it cannot be imported`,
        });
      if (c.options !== undefined) {
        const values = new Set((field.options ?? []).map((o) => o.value));
        for (const [text, value] of Object.entries(c.options))
          if (!values.has(value))
            errors.push({
              path: `${path}.options.${text}`,
              code: 'UNKNOWN_OPTION',
              message: `${value} is not an option of ${c.field}`,
            });
      }
    });
    const keys = dto.matchKeys.map((k, i) => {
      const field = fields.get(k.field);
      if (field === undefined || !seenFields.has(k.field))
        errors.push({
          path: `matchKeys.${i}.field`,
          code: 'KEY_NOT_MAPPED',
          message: `${k.field} is not filled by any column, so it cannot identify duplicates`,
        });
      return { field: k.field, method: k.method ?? defaultMatchMethod(field?.type ?? 'text') };
    });
    if (new Set(keys.map((k) => k.field)).size !== keys.length)
      errors.push({
        path: 'matchKeys',
        code: 'DUPLICATE_KEY',
        message: 'A field is listed twice as a match key',
      });
    const updates = dto.onMatch === 'update' || dto.onDuplicateInFile === 'update';
    if (updates && !access.actions.has('update') && !access.actions.has('manage'))
      forbidden.push({
        path: 'onMatch',
        code: 'UPDATE_NOT_ALLOWED',
        message: 'Your role cannot update records, so matches cannot update them',
      });
    if (errors.length > 0) throw ApiError.validation(errors, 'The mapping has problems');
    if (forbidden.length > 0)
      throw ApiError.forbidden('Your role cannot import into some of these fields', forbidden);
    return {
      headerLine,
      columns: dto.columns.map((c) => ({
        column: c.column,
        field: c.field,
        ...(c.options !== undefined ? { options: c.options } : {}),
      })),
      dateOrder: dto.dateOrder,
      matchKeys: keys,
      onMatch: dto.onMatch,
      onDuplicateInFile: dto.onDuplicateInFile,
    };
  }

  async savedMappings(auth: AuthContext, formId: string) {
    const { form } = await this.openForm(auth, formId);
    const rows = await this.db.query<{
      id: string;
      headers: string[];
      columns: Record<string, string>;
      settings: Record<string, unknown>;
      updated_at: Date;
    }>(
      `SELECT id, headers, columns, settings, updated_at FROM import_mapping WHERE form_id = $1 ORDER BY updated_at DESC`,
      [form.id],
    );
    return {
      items: rows.map((r) => ({
        id: r.id,
        headers: r.headers,
        columns: r.columns,
        settings: r.settings,
        updatedAt: r.updated_at.toISOString(),
      })),
    };
  }

  // -------------------------------------------------------------------- runs

  async dryRun(auth: AuthContext, id: string): Promise<ImportResponse> {
    const { job, form } = await this.job(auth, id);
    const started = await this.runner.start(job, 'dry_run', 'skip_bad_rows');
    return this.present(auth, started, form);
  }

  async commit(auth: AuthContext, id: string, dto: CommitImportDto): Promise<ImportResponse> {
    const { job, form, access } = await this.job(auth, id);
    if (
      job.mapping !== null &&
      (job.mapping.onMatch === 'update' || job.mapping.onDuplicateInFile === 'update')
    )
      this.policy.requireForm(access, 'update', 'records of this form');
    const started = await this.runner.start(job, 'commit', dto.mode);
    return this.present(auth, started, form);
  }

  async resume(auth: AuthContext, id: string): Promise<ImportResponse> {
    const { job, form } = await this.job(auth, id);
    const resumed = await this.runner.resume(job);
    return this.present(auth, resumed, form);
  }

  /** Discards an import that is not running: its file, staged rows and row outcomes. */
  async remove(auth: AuthContext, id: string): Promise<void> {
    const { job } = await this.job(auth, id);
    if (job.status === 'running' && !leaseIsDead(job))
      throw new ApiError('CONFLICT', 'The import is running', [
        {
          path: 'status',
          code: 'IMPORT_RUNNING',
          message: 'Wait for the import to finish before deleting it',
        },
      ]);
    await this.db.query(`DROP TABLE IF EXISTS ${stagingTable(id)}`);
    await this.db.query(`DROP TABLE IF EXISTS ${keysTable(id)}`);
    await this.db.query(`DELETE FROM import_job WHERE id = $1`, [id]);
    await removeWorkbook(id);
  }

  // -------------------------------------------------------------- rejections

  async rejections(
    auth: AuthContext,
    id: string,
    query: ListRejectionsQuery,
  ): Promise<RejectionListResponse> {
    await this.job(auth, id);
    const rows = await this.db.query<{
      line: number;
      outcome: 'rejected' | 'skipped';
      record_id: string | null;
      reasons: RowIssue[];
    }>(
      `SELECT line, outcome, record_id, reasons FROM import_row_issue
        WHERE import_id = $1 AND outcome = $2 AND line > $3 ORDER BY line LIMIT $4`,
      [id, query.outcome, query.after, query.limit + 1],
    );
    const page = rows.slice(0, query.limit);
    return {
      items: page.map((r) => ({
        line: r.line,
        outcome: r.outcome,
        recordId: r.record_id,
        reasons: r.reasons.map((issue) => ({
          field: issue.field,
          column: issue.column,
          code: issue.code,
          message: issueText(issue, auth.locale),
          messages: { 'zh-CN': issue.messages['zh-CN'], en: issue.messages.en },
        })),
      })),
      nextAfter: rows.length > query.limit ? (page[page.length - 1]?.line ?? null) : null,
    };
  }

  /**
   * The rejected rows as CSV (UTF-8 with BOM for Excel): line, reason, then
   * the row's original cells, read again from the stored file. Cells that
   * would run as formulas are escaped.
   */
  async rejectedCsv(
    auth: AuthContext,
    id: string,
  ): Promise<{ stream: Readable; fileName: string }> {
    const { job } = await this.job(auth, id);
    const db = this.db;
    const locale = auth.locale;
    const source = (): AsyncIterable<SourceRow> =>
      job.format === 'xlsx'
        ? (async function* () {
            yield* xlsxRows(await materializeWorkbook(db, job.id, Number(job.file_size)));
          })()
        : csvRows(readChunks(db, job.id), {
            encoding: (job.encoding ?? 'utf-8') as TextEncoding,
            delimiter: job.delimiter ?? ',',
          });
    const headers = job.columns.map((c) => c.header);
    const en = locale.startsWith('en');
    const fetchPage = (after: number) =>
      db.query<{ line: number; reasons: RowIssue[] }>(
        `SELECT line, reasons FROM import_row_issue WHERE import_id = $1 AND outcome = 'rejected' AND line > $2 ORDER BY line LIMIT 1000`,
        [id, after],
      );
    async function* lines(): AsyncGenerator<string> {
      yield UTF8_BOM + csvRow([en ? 'Line' : '行号', en ? 'Reason' : '拒绝原因', ...headers]);
      let page = await fetchPage(0);
      let i = 0;
      if (page.length === 0) return;
      for await (const row of source()) {
        for (;;) {
          if (i >= page.length) {
            page = await fetchPage((page[page.length - 1] as { line: number }).line);
            i = 0;
            if (page.length === 0) return;
          }
          if ((page[i] as { line: number }).line < row.line) i++;
          else break;
        }
        const rejected = page[i] as { line: number; reasons: RowIssue[] };
        if (rejected.line !== row.line) continue;
        yield csvRow([
          String(row.line),
          rejected.reasons.map((r) => issueText(r, locale)).join('; '),
          ...row.cells,
        ]);
        i++;
      }
    }
    const base = job.file_name.replace(/\.[^.]+$/, '');
    return { stream: Readable.from(lines()), fileName: `${base}-rejected.csv` };
  }
}

type UploadFacts = {
  readonly format: Format;
  readonly size: number;
  readonly sha256: string;
  readonly encoding: TextEncoding | null;
  readonly delimiter: string | null;
  readonly records: number | null;
};

function cut(row: SourceRow): PreviewRecord {
  return {
    line: row.line,
    cells: row.cells.map((c) =>
      c.length > PREVIEW_CELL_CHARS ? `${c.slice(0, PREVIEW_CELL_CHARS)}…` : c,
    ),
  };
}

/**
 * Columns named by the header line (blank trailing header cells dropped), or
 * 列 1, 列 2 … as wide as the widest of the first records when there is none.
 */
function columnsFor(preview: readonly PreviewRecord[], headerLine: number | null): ImportColumn[] {
  const at = headerIndex(preview, headerLine);
  const header = at < 0 ? null : (preview[at]?.cells ?? null);
  const filled = (cells: readonly string[]) => {
    let n = cells.length;
    while (n > 0 && (cells[n - 1] ?? '').trim() === '') n--;
    return n;
  };
  const width =
    header !== null ? filled(header) : Math.max(0, ...preview.map((r) => filled(r.cells)));
  return columnLabels(header, width).map((label, index) => ({ index, header: label }));
}

function settingsResponse(settings: ImportSettings): NonNullable<ImportResponse['mapping']> {
  return {
    headerLine: settings.headerLine,
    columns: settings.columns.map((c) => ({
      column: c.column,
      field: c.field,
      ...(c.options !== undefined ? { options: { ...c.options } } : {}),
    })),
    dateOrder: settings.dateOrder,
    matchKeys: settings.matchKeys.map((k) => ({ ...k })),
    onMatch: settings.onMatch,
    onDuplicateInFile: settings.onDuplicateInFile,
  };
}

function headerSignature(headers: readonly string[]): string {
  return headers.map(savedLabelKey).join('|');
}

/** Multipart errors (too large, too many parts) and our own, as problem+json. */
function translateMultipartError(error: unknown): unknown {
  if (error instanceof ApiError) return error;
  const e = error as { code?: string; statusCode?: number; message?: string };
  if (e.code === 'FST_REQ_FILE_TOO_LARGE')
    return new ApiError('PAYLOAD_TOO_LARGE', 'The file is too large', [
      {
        path: 'file',
        code: 'FILE_TOO_LARGE',
        message: `The file is larger than ${IMPORT_LIMITS.maxFileBytes / 1024 / 1024} MB; split it into smaller files`,
      },
    ]);
  if (e.code === 'FST_FILES_LIMIT' || e.code === 'FST_PARTS_LIMIT' || e.code === 'FST_FIELDS_LIMIT')
    return badFile('TOO_MANY_PARTS', 'Send exactly one file');
  if (e.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE')
    return new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Upload the file as multipart/form-data');
  return error;
}
