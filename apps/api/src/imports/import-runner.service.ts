import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { FormError } from '@trellis/form-engine';
import type { Logger } from 'pino';
import { ApiError } from '../common/errors/api-error.js';
import { APP_LOGGER } from '../common/tokens.js';
import { DatabaseService, type Sql } from '../database/database.service.js';
import { SqlParams } from '../database/sql-params.js';
import { FormCatalogService, type PublishedForm } from '../forms/form-catalog.service.js';
import { FormRuntimeService } from '../forms/form-runtime.service.js';
import { q } from '../forms/table-layout.js';
import { fieldAccessAt, type FormAccess } from '../policy/policy-merge.js';
import { PolicyService, type RowScopeFilter } from '../policy/policy.service.js';
import type { StoredRecord } from '../records/record-access.js';
import { fromDbValue } from '../records/record-codec.js';
import { RecordHooks } from '../records/record-hooks.js';
import { RecordStore } from '../records/record-store.js';
import {
  type Actor,
  RecordsService,
  sameValue,
  type WriteContext,
} from '../records/records.service.js';
import { RowScopeSql } from '../records/row-scope-sql.js';
import { serialParts } from '../records/serial-number.js';
import { copyEscape } from './copy-text.js';
import { ImportDatabase } from './import-database.js';
import { materializeWorkbook, readChunks, removeWorkbook } from './import-file-store.js';
import {
  type ImportPhase,
  type JobRow,
  leaseIsDead,
  leaseOwnerId,
  type RunKind,
  type StoredError,
} from './import-job.js';
import { IMPORT_BATCH_ROWS, IMPORT_LEASE_SECONDS, IMPORT_LIMITS } from './import-limits.js';
import {
  buildPlan,
  type ImportMode,
  type ImportPlan,
  type ImportSettings,
  issuesOf,
  matchKey,
  prepareRow,
  type RowIssue,
} from './import-plan.js';
import { actionSql, countActions, type ImportCounts, resolveRows } from './import-resolution.js';
import { csvRows, type SourceRow, xlsxRows } from './import-row-source.js';
import type { TextEncoding } from './import-sniffing.js';
import {
  copyColumns,
  createStagingSql,
  keysTable,
  stagingTable,
  StagingWriter,
} from './import-staging.js';

/** Rows merged between two merges of the search index's pending list. */
const CLEAN_EVERY_ROWS = 100_000;

/** Rows per staging transaction (each one a resume point). */
const STAGE_COMMIT_ROWS = 50_000;

const PHASES: Record<RunKind, Partial<Record<ImportPhase, readonly [number, number]>>> = {
  dry_run: { staging: [0, 85], resolving: [85, 95], verifying: [95, 99], finishing: [99, 100] },
  commit: { staging: [0, 45], resolving: [45, 50], merging: [50, 99], finishing: [99, 100] },
};

class LeaseLost extends Error {
  constructor() {
    super('the import was taken over by another process');
  }
}

class Stopped extends Error {
  constructor() {
    super('the process is shutting down');
  }
}

/** All-or-nothing found a row it cannot write: the transaction rolls back with these reasons. */
class StrictRejection extends Error {
  constructor(readonly rejections: ReadonlyMap<number, readonly RowIssue[]>) {
    super('a row was rejected during an all-or-nothing import');
  }
}

type Run = {
  readonly job: JobRow;
  readonly kind: RunKind;
  readonly mode: ImportMode;
  readonly actor: Actor;
  stop: boolean;
  lost: boolean;
  phase: ImportPhase;
  processed: number;
  total: number;
  phaseStartedAt: number;
  startedProcessed: number;
};

type Opened = {
  readonly form: PublishedForm;
  readonly plan: ImportPlan;
  readonly access: FormAccess;
  readonly scope: RowScopeFilter;
  readonly settings: ImportSettings;
  readonly staging: string;
  readonly keys: string;
  readonly signature: string;
  readonly timeZone: string;
  readonly hasFlow: boolean;
};

/**
 * Runs dry runs and commits in the API process that started them, under a
 * lease in import_job (renewed every second with the progress). A process
 * that dies leaves the import "interrupted"; POST /resume in any process
 * continues it from the last committed batch. See docs/adr and the module README.
 */
@Injectable()
export class ImportRunnerService implements OnModuleDestroy {
  private readonly owner = leaseOwnerId(randomUUID().slice(0, 8));
  private readonly runs = new Map<string, { run: Run; done: Promise<void> }>();

  constructor(
    private readonly db: DatabaseService,
    private readonly pg: ImportDatabase,
    private readonly catalog: FormCatalogService,
    private readonly runtimes: FormRuntimeService,
    private readonly policy: PolicyService,
    private readonly records: RecordsService,
    private readonly rowScopes: RowScopeSql,
    private readonly hooks: RecordHooks,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  /** Stops running imports at their next batch and releases their leases, so another process can resume at once. */
  async onModuleDestroy(): Promise<void> {
    for (const { run } of this.runs.values()) run.stop = true;
    await Promise.all([...this.runs.values()].map((r) => r.done));
  }

  isRunningHere(importId: string): boolean {
    return this.runs.has(importId);
  }

  /** Starts a dry run or a commit; the import must be mapped (or validated, or failed). */
  async start(job: JobRow, kind: RunKind, mode: ImportMode): Promise<JobRow> {
    const [row] = await this.db.query<JobRow>(
      `UPDATE import_job SET status = 'running', run_kind = $2, mode = $3, lease_owner = $4,
              lease_until = now() + make_interval(secs => $5), error = NULL, counts = NULL,
              resolved = CASE WHEN merged_through = 0 THEN false ELSE resolved END,
              progress = '{}', started_at = now(), finished_at = NULL, updated_at = now()
        WHERE id = $1 AND status IN ('mapped', 'validated', 'failed') AND merged_through = 0
        RETURNING *`,
      [job.id, kind, mode, this.owner, IMPORT_LEASE_SECONDS],
    );
    if (row === undefined)
      throw new ApiError('CONFLICT', `The import cannot start a ${kind.replace('_', ' ')} now`, [
        {
          path: 'status',
          code: 'IMPORT_NOT_READY',
          message:
            job.status === 'running'
              ? 'The import is already running'
              : job.merged_through > 0
                ? 'A commit of this import already wrote rows; resume it instead'
                : `The import is ${job.status}; save a mapping first`,
        },
      ]);
    await this.launch(row);
    return row;
  }

  /** Takes over an interrupted import (or retries a failed one) and continues where it stopped. */
  async resume(job: JobRow): Promise<JobRow> {
    const interrupted = job.status === 'running' && leaseIsDead(job) && !this.runs.has(job.id);
    const retry = job.status === 'failed' && job.error?.retryable === true && job.run_kind !== null;
    if (!interrupted && !retry)
      throw new ApiError('CONFLICT', 'Only an interrupted import can be resumed', [
        {
          path: 'status',
          code: 'NOT_RESUMABLE',
          message:
            job.status === 'running'
              ? 'The import is still running in another process'
              : `The import is ${job.status}`,
        },
      ]);
    const [row] = await this.db.query<JobRow>(
      `UPDATE import_job SET status = 'running', lease_owner = $2, lease_until = now() + make_interval(secs => $3),
              error = NULL, finished_at = NULL, updated_at = now()
        WHERE id = $1 AND status = $4 AND lease_owner IS NOT DISTINCT FROM $5
        RETURNING *`,
      [job.id, this.owner, IMPORT_LEASE_SECONDS, job.status, job.lease_owner],
    );
    if (row === undefined)
      throw new ApiError('CONFLICT', 'Another process resumed the import first', [
        {
          path: 'status',
          code: 'ALREADY_RESUMED',
          message: 'Another process resumed the import first',
        },
      ]);
    await this.launch(row);
    return row;
  }

  private async launch(job: JobRow): Promise<void> {
    const actor = await this.actorOf(job);
    const kind = job.run_kind ?? 'dry_run';
    const run: Run = {
      job,
      kind,
      mode: job.mode ?? 'skip_bad_rows',
      actor,
      stop: false,
      lost: false,
      phase: 'staging',
      processed: 0,
      total: job.total_rows ?? 0,
      phaseStartedAt: Date.now(),
      startedProcessed: 0,
    };
    const done = this.execute(run)
      .catch((error: unknown) => this.failed(run, error))
      .finally(() => {
        this.runs.delete(job.id);
      });
    this.runs.set(job.id, { run, done });
  }

  private async actorOf(job: JobRow): Promise<Actor> {
    const [member] = await this.db.query<{
      id: string;
      workspace_id: string;
      is_owner: boolean;
      team_id: string | null;
      locale: string;
    }>(
      `SELECT m.id, m.workspace_id, m.is_owner, m.team_id, u.locale FROM member m JOIN app_user u ON u.id = m.user_id
        WHERE m.id = $1 AND m.status = 'active'`,
      [job.created_by],
    );
    if (member === undefined)
      throw ApiError.forbidden('The member who started this import is no longer active');
    return {
      memberId: member.id,
      workspaceId: member.workspace_id,
      isOwner: member.is_owner,
      teamId: member.team_id,
      locale: member.locale,
    };
  }

  // ---------------------------------------------------------------- the run

  private async execute(run: Run): Promise<void> {
    const heartbeat = setInterval(() => void this.beat(run), 1000);
    try {
      const opened = await this.open(run);
      await this.ensureStaging(run, opened);
      if (!run.job.staged_complete) await this.stage(run, opened);
      await this.checkStaging(run, opened);
      if (!run.job.resolved) await this.resolve(run, opened);
      if (run.kind === 'dry_run') {
        await this.verifyUpdates(run, opened);
        await this.finish(run, opened, 'validated');
      } else {
        const counts = await countActions(this.db, opened.staging);
        if (run.mode === 'all_or_nothing' && counts.rejected > 0) {
          await this.finish(run, opened, 'failed', {
            code: 'ROWS_REJECTED',
            message: `${counts.rejected} row(s) would be rejected; nothing was written (all or nothing)`,
          });
          return;
        }
        const rejected = await this.merge(run, opened);
        if (rejected !== null) {
          await this.finish(run, opened, 'failed', {
            code: 'ROWS_REJECTED',
            message: `${rejected} row(s) were rejected while writing; nothing was written (all or nothing)`,
          });
          return;
        }
        await this.finish(run, opened, 'completed');
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async failed(run: Run, error: unknown): Promise<void> {
    if (error instanceof LeaseLost || run.lost) return;
    if (error instanceof Stopped) {
      // shutting down: leave it running with an expired lease, resumable at once elsewhere
      await this.db
        .query(
          `UPDATE import_job SET lease_until = now() - interval '1 second' WHERE id = $1 AND lease_owner = $2`,
          [run.job.id, this.owner],
        )
        .catch(() => undefined);
      return;
    }
    const stored: StoredError =
      error instanceof ApiError
        ? {
            code: error.errors[0]?.code ?? error.code,
            message: error.message,
            errors: error.errors.map((e) => ({ path: e.path, code: e.code, message: e.message })),
          }
        : {
            code: 'INTERNAL',
            message: 'The import stopped unexpectedly; resume it to continue',
            retryable: true,
          };
    if (!(error instanceof ApiError))
      this.logger.error({ err: error, importId: run.job.id }, 'import failed');
    await this.db
      .query(
        `UPDATE import_job SET status = 'failed', error = $3, lease_owner = NULL, lease_until = NULL,
                finished_at = now(), updated_at = now()
          WHERE id = $1 AND lease_owner = $2`,
        [run.job.id, this.owner, JSON.stringify(stored)],
      )
      .catch((e: unknown) => this.logger.error({ err: e }, 'could not record an import failure'));
  }

  /** Renews the lease and publishes progress; a lease that is gone stops the run. */
  private async beat(run: Run): Promise<void> {
    if (run.lost) return;
    try {
      const rows = await this.db.query(
        `UPDATE import_job SET progress = $3, lease_until = now() + make_interval(secs => $4), updated_at = now()
          WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING id`,
        [run.job.id, this.owner, JSON.stringify(this.progressOf(run)), IMPORT_LEASE_SECONDS],
      );
      if (rows.length === 0) run.lost = true;
    } catch {
      // a missed heartbeat is retried in a second; the lease lasts longer than that
    }
  }

  private progressOf(run: Run) {
    const [from, to] = PHASES[run.kind][run.phase] ?? [0, 100];
    const share = run.total > 0 ? Math.min(1, run.processed / run.total) : 0;
    const seconds = (Date.now() - run.phaseStartedAt) / 1000;
    return {
      phase: run.phase,
      processedRows: run.processed,
      totalRows: run.total,
      percent: Math.round((from + (to - from) * share) * 10) / 10,
      rowsPerSecond: seconds > 0 ? Math.round((run.processed - run.startedProcessed) / seconds) : 0,
      phaseStartedAt: new Date(run.phaseStartedAt).toISOString(),
      updatedAt: new Date().toISOString(),
    };
  }

  private enter(run: Run, phase: ImportPhase, total: number, processed = 0): void {
    run.phase = phase;
    run.total = total;
    run.processed = processed;
    run.startedProcessed = processed;
    run.phaseStartedAt = Date.now();
    void this.beat(run);
  }

  private check(run: Run): void {
    if (run.lost) throw new LeaseLost();
    if (run.stop) throw new Stopped();
  }

  /** Everything the run needs from the form: the published version it was mapped against, access, the plan. */
  private async open(run: Run): Promise<Opened> {
    const { job, actor } = run;
    const settings = job.mapping;
    if (settings === null) throw new ApiError('CONFLICT', 'The import has no mapping yet');
    const form = await this.catalog.published(actor.workspaceId, job.form_id);
    if (form.version !== job.form_version)
      throw new ApiError('CONFLICT', 'The form was published again after the mapping was saved', [
        {
          path: 'mapping',
          code: 'FORM_CHANGED',
          message:
            'The form changed since the mapping was saved; check the mapping and save it again',
        },
      ]);
    const access = await this.policy.formAccess(actor, form.id);
    this.policy.requireForm(access, 'import', 'records of this form');
    if (settings.onMatch === 'update' || settings.onDuplicateInFile === 'update')
      this.policy.requireForm(access, 'update', 'records of this form');
    const scope = await this.policy.rowScope(actor, access);
    const policy = fieldAccessAt(access, null);
    const hidden = Object.keys(policy)
      .filter((id) => policy[id] === 'hidden')
      .sort();
    const readOnly = Object.keys(policy)
      .filter((id) => policy[id] === 'read_only')
      .sort();
    const timeZone = await this.records.timeZone(this.db, actor.workspaceId);
    const headers = job.columns.map((c) => c.header);
    const plan = buildPlan({
      form,
      store: new RecordStore(form),
      compiled: this.runtimes.compile(form),
      settings,
      headers,
      hidden,
      readOnly,
      locale: actor.locale,
      timeZone,
      memberId: actor.memberId,
      now: new Date().toISOString(),
    });
    const signature = createHash('sha256')
      .update(
        JSON.stringify({ settings, headers, version: form.version, hidden, readOnly, timeZone }),
      )
      .digest('hex');
    const [flow] = await this.db.query(
      `SELECT 1 FROM flow WHERE form_id = $1 AND published_version IS NOT NULL`,
      [form.id],
    );
    return {
      form,
      plan,
      access,
      scope,
      settings,
      staging: stagingTable(job.id),
      keys: keysTable(job.id),
      signature,
      timeZone,
      hasFlow: flow !== undefined,
    };
  }

  private async tableExists(name: string): Promise<boolean> {
    const [row] = await this.db.query<{ ok: string | null }>(`SELECT to_regclass($1)::text AS ok`, [
      name,
    ]);
    return row?.ok !== null && row?.ok !== undefined;
  }

  /** A staging table built from this mapping, form version and permissions, or a fresh one. */
  private async ensureStaging(run: Run, opened: Opened): Promise<void> {
    const { job } = run;
    if (job.stage_signature === opened.signature && (await this.tableExists(opened.staging)))
      return;
    if (job.merged_through > 0)
      throw new ApiError(
        'CONFLICT',
        'The staged rows of this import are gone; it cannot be resumed',
        [
          {
            path: 'status',
            code: 'STAGING_LOST',
            message: 'Start a new import with the same file',
          },
        ],
      );
    await this.db.query(`DROP TABLE IF EXISTS ${opened.staging}`);
    await this.db.query(`DROP TABLE IF EXISTS ${opened.keys}`);
    await this.db.query(createStagingSql(job.id, opened.plan));
    await this.leased(
      run,
      `UPDATE import_job SET stage_signature = $3, staged_through = 0, staged_complete = false, resolved = false WHERE id = $1 AND lease_owner = $2 RETURNING id`,
      [opened.signature],
    );
    Object.assign(job, {
      stage_signature: opened.signature,
      staged_through: 0,
      staged_complete: false,
      resolved: false,
    });
  }

  /** After a PostgreSQL crash an UNLOGGED staging table is empty: restage rather than import half a file. */
  private async checkStaging(run: Run, opened: Opened): Promise<void> {
    const [row] = await this.db.query<{ last: number | null }>(
      `SELECT max(_line) AS last FROM ${opened.staging}`,
    );
    if ((row?.last ?? 0) === run.job.staged_through) return;
    if (run.job.merged_through > 0)
      throw new ApiError(
        'CONFLICT',
        'The staged rows of this import are gone; it cannot be resumed',
        [
          {
            path: 'status',
            code: 'STAGING_LOST',
            message: 'Start a new import with the same file',
          },
        ],
      );
    await this.db.query(`TRUNCATE ${opened.staging}`);
    run.job.staged_through = 0;
    run.job.staged_complete = false;
    run.job.resolved = false;
    await this.stage(run, opened);
  }

  private async leased(
    run: Run,
    text: string,
    extra: readonly unknown[],
    sql: Sql = this.db,
  ): Promise<void> {
    const rows = await sql.query(text, [run.job.id, this.owner, ...extra]);
    if (rows.length === 0) {
      run.lost = true;
      throw new LeaseLost();
    }
  }

  /** The file's records after the header line. */
  private async *sourceRows(job: JobRow): AsyncGenerator<SourceRow> {
    const rows =
      job.format === 'xlsx'
        ? xlsxRows(await materializeWorkbook(this.db, job.id, Number(job.file_size)))
        : csvRows(readChunks(this.db, job.id), {
            encoding: (job.encoding ?? 'utf-8') as TextEncoding,
            delimiter: job.delimiter ?? ',',
          });
    for await (const row of rows) {
      if (job.header_line !== null && row.line <= job.header_line) continue;
      yield row;
    }
  }

  // ------------------------------------------------------------ 1. staging

  /** Parses, cleans and validates every row into the staging table with COPY, committing every 50,000 rows. */
  private async stage(run: Run, opened: Opened): Promise<void> {
    const { job } = run;
    this.enter(run, 'staging', job.total_rows ?? 0);
    const client = await this.pg.pool.connect();
    const writer = new StagingWriter(client, opened.staging, copyColumns(opened.plan));
    let count = 0;
    let last = job.staged_through;
    const mark = (complete: boolean) => async (c: typeof client) => {
      const result = await c.query(
        `UPDATE import_job SET staged_through = $3, staged_complete = $4 WHERE id = $1 AND lease_owner = $2 RETURNING id`,
        [job.id, this.owner, last, complete],
      );
      if (result.rowCount !== 1) {
        run.lost = true;
        throw new LeaseLost();
      }
    };
    try {
      await writer.begin();
      for await (const row of this.sourceRows(job)) {
        count++;
        if (count > IMPORT_LIMITS.maxRows)
          throw new ApiError(
            'PAYLOAD_TOO_LARGE',
            `The file has more than ${IMPORT_LIMITS.maxRows} rows`,
            [
              {
                path: 'file',
                code: 'TOO_MANY_ROWS',
                message: `Line ${row.line} is beyond the limit of ${IMPORT_LIMITS.maxRows} rows; split the file`,
              },
            ],
          );
        run.processed = count;
        if (row.line <= job.staged_through) continue;
        await writer.write(prepareRow(opened.plan, row.line, row.cells).copyLine);
        last = row.line;
        if (writer.rows >= STAGE_COMMIT_ROWS) {
          this.check(run);
          await writer.commit(mark(false));
          job.staged_through = last;
          await writer.begin();
        }
      }
      this.check(run);
      await writer.commit(mark(true));
      job.staged_through = last;
      job.staged_complete = true;
      run.total = count;
    } catch (error) {
      await writer.abort();
      throw error;
    } finally {
      client.release();
    }
  }

  // ---------------------------------------------------------- 2. resolving

  /** Keys of the records already in the form (computed with the same normalisers as the file's rows). */
  private async buildKeys(run: Run, opened: Opened): Promise<void> {
    const { plan, form } = opened;
    await this.db.query(`DROP TABLE IF EXISTS ${opened.keys}`);
    await this.db.query(
      `CREATE UNLOGGED TABLE ${opened.keys} (kind smallint NOT NULL, value text NOT NULL, record_id uuid NOT NULL)`,
    );
    if (plan.keys.length === 0) return;
    const columns = plan.keys.map((k) => {
      const storage = form.layout.fields[k.field];
      if (storage?.storage !== 'column')
        throw new ApiError('CONFLICT', `Match key ${k.field} is not a stored field`);
      return q(storage.column);
    });
    const client = await this.pg.pool.connect();
    const writer = new StagingWriter(client, opened.keys, 'kind, value, record_id');
    try {
      await writer.begin();
      let after = '00000000-0000-0000-0000-000000000000';
      for (;;) {
        this.check(run);
        const rows = await this.db.query<Record<string, unknown> & { id: string }>(
          `SELECT id, ${columns.map((c, i) => `${c} AS k${i}`).join(', ')} FROM ${plan.store.table}
            WHERE id > $1 AND deleted_at IS NULL AND NOT is_draft ORDER BY id LIMIT 20000`,
          [after],
        );
        if (rows.length === 0) break;
        let text = '';
        for (const row of rows) {
          plan.keys.forEach((k, i) => {
            const key = matchKey(k.method, row[`k${i}`]);
            if (key !== null) text += `${i}\t${copyEscape(key)}\t${row.id}\n`;
          });
        }
        if (text !== '') await writer.write(text);
        after = (rows[rows.length - 1] as { id: string }).id;
      }
      await writer.commit(async () => undefined);
    } catch (error) {
      await writer.abort();
      throw error;
    } finally {
      client.release();
    }
    await this.db.query(`CREATE INDEX ON ${opened.keys} (kind, value)`);
    await this.db.query(`ANALYZE ${opened.keys}`);
  }

  private async resolve(run: Run, opened: Opened): Promise<void> {
    this.enter(run, 'resolving', 1);
    await this.buildKeys(run, opened);
    await this.db.query(`ANALYZE ${opened.staging} (_line, _ok, _action, _k0, _k1, _k2, _target)`);
    this.check(run);
    await this.db.transaction(async (tx) => {
      await resolveRows(
        tx,
        opened.staging,
        opened.keys,
        opened.plan,
        opened.settings,
        opened.plan.store.table,
      );
      await this.leased(
        run,
        `UPDATE import_job SET resolved = true WHERE id = $1 AND lease_owner = $2 RETURNING id`,
        [],
        tx,
      );
    });
    run.job.resolved = true;
    run.processed = 1;
  }

  // ---------------------------------------------------------- 3. updates

  /** A dry run checks every update against the record as it is now (without writing). */
  private async verifyUpdates(run: Run, opened: Opened): Promise<void> {
    const [row] = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${opened.staging} WHERE _action = 'update'`,
    );
    this.enter(run, 'verifying', row?.n ?? 0);
    let after = 0;
    for (;;) {
      this.check(run);
      const hi = await this.rangeEnd(opened.staging, after, `_action = 'update'`);
      if (hi === null) break;
      await this.db.transaction(async (tx) => {
        const ctx = this.context(tx, opened);
        const rejections = await this.applyUpdates(ctx, run, opened, after, hi, { write: false });
        await this.markRejected(tx, opened.staging, rejections);
      });
      after = hi;
    }
  }

  private context(tx: Sql, opened: Opened): WriteContext {
    return {
      tx,
      form: opened.form,
      store: opened.plan.store,
      access: opened.access,
      scope: opened.scope,
    };
  }

  /** The last line of the next batch after `after` (rows matching `where`), or null when none is left. */
  private async rangeEnd(staging: string, after: number, where = 'TRUE'): Promise<number | null> {
    const [row] = await this.db.query<{ last: number | null }>(
      `SELECT max(_line) AS last FROM (SELECT _line FROM ${staging} WHERE _line > $1 AND ${where} ORDER BY _line LIMIT $2) b`,
      [after, IMPORT_BATCH_ROWS],
    );
    return row?.last ?? null;
  }

  /**
   * Applies the update rows of a line range, record by record and in file
   * order: each patch is merged into the record as it stands and validated
   * by form-engine with the record's stage and the importer's field policy
   * for that stage; the record is written once (compare-and-set on its
   * version) with one history entry. Returns the rows that could not apply.
   */
  private async applyUpdates(
    ctx: WriteContext,
    run: Run,
    opened: Opened,
    after: number,
    hi: number,
    options: { write: boolean },
  ): Promise<Map<number, RowIssue[]>> {
    const { tx, store, form } = ctx;
    const rejections = new Map<number, RowIssue[]>();
    const rows = await tx.query<{
      _line: number;
      _target: string;
      _patch: Record<string, unknown>;
    }>(
      `SELECT _line, _target, _patch FROM ${opened.staging} WHERE _line > $1 AND _line <= $2 AND _action = 'update' ORDER BY _line`,
      [after, hi],
    );
    if (rows.length === 0) return rejections;
    const byTarget = new Map<string, Array<{ line: number; patch: Record<string, unknown> }>>();
    for (const row of rows) {
      const list = byTarget.get(row._target) ?? [];
      list.push({ line: row._line, patch: row._patch });
      byTarget.set(row._target, list);
    }
    const current = await this.loadTargets(ctx, opened, [...byTarget.keys()], options.write);
    const compiled = this.runtimes.compile(form);
    const now = new Date().toISOString();
    for (const [target, patches] of byTarget) {
      const record = current.get(target);
      if (record === undefined) {
        for (const p of patches)
          rejections.set(p.line, [
            {
              field: null,
              column: null,
              code: 'TARGET_UNAVAILABLE',
              messages: {
                'zh-CN': '要更新的记录不存在、已删除，或不在你可以编辑的范围内',
                en: 'The record to update does not exist, was deleted, or is outside the records you may edit',
              },
            },
          ]);
        continue;
      }
      const policy = fieldAccessAt(ctx.access, record.stage);
      const permissions = {
        hidden: Object.keys(policy).filter((id) => policy[id] === 'hidden'),
        readOnly: Object.keys(policy).filter((id) => policy[id] === 'read_only'),
      };
      let values: Record<string, unknown> = { ...record.values };
      const applied: number[] = [];
      for (const { line, patch } of patches) {
        const outcome = compiled.validate(
          { ...values, ...patch },
          {
            locale: run.actor.locale,
            mode: 'submit',
            now,
            timeZone: opened.timeZone,
            user: { id: run.actor.memberId },
            stage: record.stage,
            previous: values,
            permissions,
          },
        );
        if (outcome.ok) {
          values = outcome.values;
          applied.push(line);
        } else rejections.set(line, issuesOf(outcome.errors as FormError[], opened.plan.headerOf));
        run.processed++;
      }
      if (!options.write || applied.length === 0) continue;
      const changed = Object.keys(values).filter((id) => !sameValue(record.values[id], values[id]));
      if (changed.length === 0) continue;
      const params = new SqlParams();
      const search = store.searchColumns(values);
      const sets = [
        ...store.assignments(values, changed, params),
        `search_text = ${params.add(search.text)}`,
        `search_grams = ${params.add(search.grams)}::text[]`,
        'version = version + 1',
        'updated_at = now()',
      ];
      await tx.query('SAVEPOINT import_update');
      try {
        const result = await tx.execute(
          `UPDATE ${store.table} SET ${sets.join(', ')} WHERE id = ${params.add(target)}::uuid AND version = ${params.add(record.version)}`,
          params.values,
        );
        if (result.affected !== 1) throw new Error('the record changed under its row lock');
        await store.writeRelated(tx, target, values, new Set(changed));
        await tx.query(
          `INSERT INTO record_history (workspace_id, form_id, record_id, version, kind, actor_member_id, changes, detail)
           VALUES ($1, $2, $3, $4, 'import', $5, $6, $7)`,
          [
            form.workspaceId,
            form.id,
            target,
            record.version + 1,
            run.actor.memberId,
            JSON.stringify(
              changed.map((field) => ({
                field,
                from: record.values[field] ?? null,
                to: values[field] ?? null,
              })),
            ),
            JSON.stringify({ importId: run.job.id, lines: applied, action: 'updated' }),
          ],
        );
        await tx.query('RELEASE SAVEPOINT import_update');
      } catch (error) {
        await tx.query('ROLLBACK TO SAVEPOINT import_update');
        const pg = error as { code?: string; constraint?: string };
        if (pg.code !== '23505') throw error;
        const field = store.fieldOfConstraint(pg.constraint);
        for (const line of applied)
          rejections.set(line, [
            {
              field,
              column: field === null ? null : (opened.plan.headerOf.get(field) ?? null),
              code: 'UNIQUE',
              messages: {
                'zh-CN': '更新后的值已被另一条记录使用',
                en: 'Another record already has the value this row would set',
              },
            },
          ]);
      }
    }
    return rejections;
  }

  /** The records updates apply to: existing ones in the importer's row scope (locked when writing), and in a dry run new ones still in staging. */
  private async loadTargets(
    ctx: WriteContext,
    opened: Opened,
    ids: readonly string[],
    lock: boolean,
  ): Promise<Map<string, StoredRecord>> {
    const { tx, store } = ctx;
    const params = new SqlParams();
    const where = [
      `t.id = ANY(${params.add(ids)}::uuid[])`,
      't.deleted_at IS NULL',
      'NOT t.is_draft',
      this.rowScopes.where(ctx.scope, ctx.form, params, 't'),
    ];
    const rows = await tx.query(
      `SELECT ${store.selectList('t')} FROM ${store.table} t WHERE ${where.join(' AND ')}${lock ? ' ORDER BY t.id FOR UPDATE OF t' : ''}`,
      params.values,
    );
    const records = await store.loadChildren(
      tx,
      rows.map((r) => store.toRecord(r)),
    );
    const out = new Map(records.map((r) => [r.id, r]));
    if (!lock) {
      const missing = ids.filter((id) => !out.has(id));
      if (missing.length > 0) {
        const staged = await tx.query<Record<string, unknown>>(
          `SELECT _id, ${opened.plan.stageFields.map(([id, f]) => `${q(f.column)} AS ${q(`f_${id}`)}`).join(', ')}
             FROM ${opened.staging} WHERE _id = ANY($1::uuid[]) AND ${actionSql()} = 'create'`,
          [missing],
        );
        for (const row of staged) {
          const values: Record<string, unknown> = {};
          for (const [id, f] of opened.plan.stageFields)
            values[id] = fromDbValue(f, row[`f_${id}`]);
          const id = String(row['_id']);
          out.set(id, {
            id,
            version: 1,
            ownerId: null,
            createdBy: null,
            createdAt: '',
            updatedAt: '',
            stage: null,
            stageEnteredAt: null,
            isDraft: false,
            submittedAt: null,
            deletedAt: null,
            flowSnapshot: null,
            values,
          });
        }
      }
    }
    return out;
  }

  private async markRejected(
    tx: Sql,
    staging: string,
    rejections: ReadonlyMap<number, readonly RowIssue[]>,
  ): Promise<void> {
    if (rejections.size === 0) return;
    await tx.query(
      `UPDATE ${staging} s SET _action = 'reject', _reason = r.reason
         FROM jsonb_to_recordset($1::jsonb) AS r(line integer, reason jsonb) WHERE s._line = r.line`,
      [JSON.stringify([...rejections].map(([line, reason]) => ({ line, reason })))],
    );
  }

  // ------------------------------------------------------------ 4. merging

  /**
   * Writes the resolved rows into the form's table batch by batch. Skip-bad-rows:
   * one transaction per batch, recording how far it got in the same
   * transaction (a crash resumes after the last committed batch, never
   * writing a row twice). All-or-nothing: one transaction for everything.
   * Returns the number of rows rejected in an all-or-nothing run that rolled back, else null.
   */
  private async merge(run: Run, opened: Opened): Promise<number | null> {
    const [row] = await this.db.query<{ n: number; done: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE _line <= $1)::int AS done FROM ${opened.staging}`,
      [run.job.merged_through],
    );
    this.enter(run, 'merging', row?.n ?? 0, row?.done ?? 0);
    if (run.mode === 'all_or_nothing') {
      try {
        await this.db.transaction(async (tx) => {
          let after = 0;
          let sinceClean = 0;
          for (;;) {
            this.check(run);
            const hi = await this.rangeEnd(opened.staging, after);
            if (hi === null) break;
            await this.mergeRange(tx, run, opened, after, hi, true);
            after = hi;
            sinceClean += IMPORT_BATCH_ROWS;
            if (sinceClean >= CLEAN_EVERY_ROWS) {
              await this.cleanSearchIndex(tx, opened);
              sinceClean = 0;
            }
          }
          await this.cleanSearchIndex(tx, opened);
        });
        return null;
      } catch (error) {
        if (!(error instanceof StrictRejection)) throw error;
        await this.markRejected(this.db, opened.staging, error.rejections);
        return error.rejections.size;
      }
    }
    let after = run.job.merged_through;
    let sinceClean = 0;
    for (;;) {
      this.check(run);
      const hi = await this.rangeEnd(opened.staging, after);
      if (hi === null) break;
      await this.db.transaction(async (tx) => {
        await this.mergeRange(tx, run, opened, after, hi, false);
        await this.leased(
          run,
          `UPDATE import_job SET merged_through = $3 WHERE id = $1 AND lease_owner = $2 RETURNING id`,
          [hi],
          tx,
        );
      });
      run.job.merged_through = hi;
      after = hi;
      sinceClean += IMPORT_BATCH_ROWS;
      if (sinceClean >= CLEAN_EVERY_ROWS) {
        await this.db.transaction((tx) => this.cleanSearchIndex(tx, opened));
        sinceClean = 0;
      }
    }
    await this.db.transaction((tx) => this.cleanSearchIndex(tx, opened));
    return null;
  }

  /**
   * The search index is GIN over 100+ grams per record: inserting a batch
   * appends its entries to the index's pending list (a large list for this
   * session only), and every 100,000 rows, and at the end, the list is
   * merged into the index in one sorted pass with ample work_mem. Same
   * index afterwards, about half the work of entry-by-entry inserts.
   */
  private async cleanSearchIndex(tx: Sql, opened: Opened): Promise<void> {
    await tx.query(`SET LOCAL work_mem = '256MB'`);
    const indexes = await tx.query<{ index: string }>(
      `SELECT i.indexrelid::regclass::text AS index FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         JOIN pg_am am ON am.oid = c.relam WHERE i.indrelid = $1::regclass AND am.amname = 'gin'`,
      [opened.plan.store.table],
    );
    for (const { index } of indexes)
      await tx.query(`SELECT gin_clean_pending_list($1::regclass)`, [index]);
  }

  private async mergeRange(
    tx: Sql,
    run: Run,
    opened: Opened,
    after: number,
    hi: number,
    strict: boolean,
  ): Promise<void> {
    await tx.query(`SET LOCAL gin_pending_list_limit = '1GB'`);
    await tx.query(`SET LOCAL work_mem = '256MB'`);
    const ctx = await this.records.context(tx, run.actor, opened.form.id, 'import');
    if (ctx.form.version !== opened.form.version)
      throw new ApiError('CONFLICT', 'The form was published again during the import', [
        {
          path: 'mapping',
          code: 'FORM_CHANGED',
          message: 'The form changed during the import; the rows written so far stay',
        },
      ]);
    await this.insertCreates(tx, run, opened, ctx, after, hi, strict);
    const rejections = await this.applyUpdates(ctx, run, opened, after, hi, { write: true });
    if (strict && rejections.size > 0) throw new StrictRejection(rejections);
    await this.markRejected(tx, opened.staging, rejections);
    const [counted] = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${opened.staging} WHERE _line > $1 AND _line <= $2 AND ${actionSql()} <> 'update'`,
      [after, hi],
    );
    run.processed += counted?.n ?? 0;
  }

  /**
   * INSERT ... SELECT of the batch's new records from staging, with their
   * history entries in the same statement. Serial numbers are reserved for
   * exactly the rows inserted (a unique clash from a concurrent writer rolls
   * the batch back to a savepoint, marks those rows rejected and retries, so
   * serials stay gap-free).
   */
  private async insertCreates(
    tx: Sql,
    run: Run,
    opened: Opened,
    ctx: WriteContext,
    after: number,
    hi: number,
    strict: boolean,
  ): Promise<void> {
    const { form, plan, staging } = opened;
    const serialFields = form.schema.fields.filter(
      (f) => f.type === 'serial' && form.layout.fields[f.id]?.storage === 'column',
    );
    for (let attempt = 0; attempt < 5; attempt++) {
      await tx.query('SAVEPOINT import_insert');
      const params = new SqlParams();
      const owner = params.add(run.actor.memberId);
      const serialJoin: string[] = [];
      const serialColumns: string[] = [];
      const serialValues: string[] = [];
      if (serialFields.length > 0) {
        const lines = (
          await tx.query<{ _line: number }>(
            `SELECT _line FROM ${staging} WHERE _line > $1 AND _line <= $2 AND ${actionSql()} = 'create' ORDER BY _line`,
            [after, hi],
          )
        ).map((r) => r._line);
        if (lines.length > 0) {
          const arrays: string[] = [];
          for (const field of serialFields) {
            const pattern =
              typeof field['serial'] === 'object' && field['serial'] !== null
                ? String((field['serial'] as { pattern?: unknown }).pattern ?? '{0000}')
                : '{0000}';
            const parts = serialParts(pattern, new Date(), opened.timeZone);
            const [counter] = await tx.query<{ last_value: string }>(
              `INSERT INTO serial_counter (form_id, field_id, period, last_value) VALUES ($1, $2, $3, $4)
               ON CONFLICT (form_id, field_id, period) DO UPDATE SET last_value = serial_counter.last_value + $4
               RETURNING last_value`,
              [form.id, field.id, parts.period, lines.length],
            );
            const first = Number(counter?.last_value ?? lines.length) - lines.length + 1;
            arrays.push(`${params.add(lines.map((_, i) => parts.format(first + i)))}::text[]`);
            const storage = form.layout.fields[field.id];
            if (storage?.storage === 'column') {
              serialColumns.push(q(storage.column));
              serialValues.push(`ser.${q(`s_${field.id}`)}`);
            }
          }
          serialJoin.push(
            `LEFT JOIN unnest(${params.add(lines)}::int[], ${arrays.join(', ')}) AS ser(line, ${serialFields.map((f) => q(`s_${f.id}`)).join(', ')}) ON ser.line = s._line`,
          );
        }
      }
      const columns = plan.stageFields.map(([, f]) => q(f.column));
      try {
        await tx.query(
          `WITH src AS (
             SELECT s.*${serialValues.map((v, i) => `, ${v} AS ${q(`_serial${i}`)}`).join('')}
               FROM ${staging} s ${serialJoin.join(' ')}
              WHERE s._line > ${params.add(after)} AND s._line <= ${params.add(hi)} AND ${actionSql('s')} = 'create'
           ), ins AS (
             INSERT INTO ${plan.store.table} (id, owner_id, created_by, is_draft, submitted_at, search_text, search_grams${columns.map((c) => `, ${c}`).join('')}${serialColumns.map((c) => `, ${c}`).join('')})
             SELECT _id, ${owner}::uuid, ${owner}::uuid, false, now(), _search_text, _search_grams${columns.map((c) => `, ${c}`).join('')}${serialColumns.map((_, i) => `, ${q(`_serial${i}`)}`).join('')}
               FROM src ORDER BY _line
             RETURNING 1
           )
           INSERT INTO record_history (workspace_id, form_id, record_id, version, kind, actor_member_id, changes, detail)
           SELECT ${params.add(form.workspaceId)}::uuid, ${params.add(form.id)}::uuid, src._id, 1, 'import', ${owner}::uuid, '[]'::jsonb,
                  jsonb_build_object('importId', ${params.add(run.job.id)}::text, 'line', src._line, 'action', 'created')
             FROM src ORDER BY src._line`,
          params.values,
        );
        await tx.query('RELEASE SAVEPOINT import_insert');
        break;
      } catch (error) {
        await tx.query('ROLLBACK TO SAVEPOINT import_insert');
        if ((error as { code?: string }).code !== '23505' || attempt === 4) throw error;
      }
      // a concurrent writer took a unique value after resolution: find those rows, reject them, try again
      const rejections = await this.uniqueClashes(tx, opened, after, hi);
      if (rejections.size === 0) throw new Error('a unique violation without a clashing row');
      if (strict) throw new StrictRejection(rejections);
      await this.markRejected(tx, staging, rejections);
    }
    if (opened.hasFlow) {
      const created = await tx.query<{ _id: string }>(
        `SELECT _id FROM ${staging} WHERE _line > $1 AND _line <= $2 AND ${actionSql()} = 'create' ORDER BY _line`,
        [after, hi],
      );
      for (const { _id } of created) {
        const record = await this.records.load(tx, ctx.store, _id);
        await this.hooks.created(ctx, record, run.actor);
      }
    }
  }

  /** New rows of a range whose unique values another record holds now. */
  private async uniqueClashes(
    tx: Sql,
    opened: Opened,
    after: number,
    hi: number,
  ): Promise<Map<number, RowIssue[]>> {
    const out = new Map<number, RowIssue[]>();
    for (const [fieldId, storage] of opened.plan.stageFields) {
      if (storage.unique === undefined) continue;
      const column = q(storage.column);
      const rows = await tx.query<{ _line: number }>(
        `SELECT s._line FROM ${opened.staging} s JOIN ${opened.plan.store.table} t ON t.${column} = s.${column}
          WHERE s._line > $1 AND s._line <= $2 AND ${actionSql('s')} = 'create' AND t.deleted_at IS NULL AND NOT t.is_draft`,
        [after, hi],
      );
      for (const { _line } of rows)
        out.set(_line, [
          {
            field: fieldId,
            column: opened.plan.headerOf.get(fieldId) ?? null,
            code: 'UNIQUE',
            messages: {
              'zh-CN': '导入期间另一条记录刚使用了这个值',
              en: 'Another record took this value while the import ran',
            },
          },
        ]);
    }
    return out;
  }

  // ------------------------------------------------------------ 5. finishing

  /**
   * Records the outcome in one transaction: counts, the rejected and skipped
   * rows with their reasons, the import.completed event; then drops the
   * scratch tables (a dry run keeps its staging for the commit).
   */
  private async finish(
    run: Run,
    opened: Opened,
    status: 'validated' | 'completed' | 'failed',
    error?: StoredError,
  ): Promise<void> {
    this.enter(run, 'finishing', 1);
    let counts: ImportCounts = { total: 0, new: 0, updated: 0, skipped: 0, rejected: 0 };
    await this.db.transaction(async (tx) => {
      counts = await countActions(tx, opened.staging);
      if (status === 'failed' && run.kind === 'commit') counts = { ...counts, new: 0, updated: 0 };
      await tx.query(`DELETE FROM import_row_issue WHERE import_id = $1`, [run.job.id]);
      await tx.query(
        `INSERT INTO import_row_issue (import_id, line, run_kind, outcome, record_id, reasons)
         SELECT $1, s._line, $2, CASE WHEN ${actionSql('s')} = 'reject' THEN 'rejected' ELSE 'skipped' END,
                CASE WHEN s._action = 'skip' AND s._target IS DISTINCT FROM d._id THEN s._target END,
                coalesce(s._reason, s._errors, '[]'::jsonb)
           FROM ${opened.staging} s LEFT JOIN ${opened.staging} d ON d._line = s._dup_of
          WHERE ${actionSql('s')} IN ('reject', 'skip')`,
        [run.job.id, run.kind],
      );
      if (status === 'completed')
        await tx.query(
          `INSERT INTO outbox_event (workspace_id, app_id, form_id, record_id, type, payload, depth)
           VALUES ($1, $2, $3, NULL, 'import.completed', $4, 0)`,
          [
            opened.form.workspaceId,
            opened.form.appId,
            opened.form.id,
            JSON.stringify({
              importId: run.job.id,
              formKey: opened.form.key,
              actorMemberId: run.actor.memberId,
              fileName: run.job.file_name,
              counts,
              at: new Date().toISOString(),
            }),
          ],
        );
      await this.leased(
        run,
        `UPDATE import_job SET status = $3, counts = $4, error = $5, progress = $6, lease_owner = NULL, lease_until = NULL,
                finished_at = now(), updated_at = now()
          WHERE id = $1 AND lease_owner = $2 RETURNING id`,
        [
          status,
          JSON.stringify(counts),
          error === undefined ? null : JSON.stringify(error),
          JSON.stringify({ ...this.progressOf(run), phase: 'finishing', percent: 100 }),
        ],
        tx,
      );
      if (status === 'completed') await tx.query(`SELECT pg_notify('trellis_outbox', '')`);
    });
    await this.db.query(`DROP TABLE IF EXISTS ${opened.keys}`);
    if (status === 'completed') {
      await this.db.query(`DROP TABLE IF EXISTS ${opened.staging}`);
      await removeWorkbook(run.job.id);
    }
  }
}
