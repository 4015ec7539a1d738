import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { q } from '../forms/table-layout.js';
import type { ImportPlan } from './import-plan.js';
import { STAGE_SYSTEM_COLUMNS } from './import-plan.js';

/**
 * Per-import tables in the trellis_import schema. UNLOGGED: they are
 * scratch space that survives an API crash (which is what resuming needs)
 * but not a PostgreSQL crash; after one, the import restages from the file.
 */
export function stagingTable(importId: string): string {
  return `trellis_import.${q(`s_${importId.replace(/-/g, '')}`)}`;
}

export function keysTable(importId: string): string {
  return `trellis_import.${q(`k_${importId.replace(/-/g, '')}`)}`;
}

export function createStagingSql(importId: string, plan: ImportPlan): string {
  const fields = plan.stageFields.map(([, f]) => `${q(f.column)} ${f.sqlType}`);
  return `CREATE UNLOGGED TABLE ${stagingTable(importId)} (
    _line integer PRIMARY KEY,
    _id uuid NOT NULL,
    _ok boolean NOT NULL,
    _errors jsonb,
    _patch jsonb,
    _k0 text,
    _k1 text,
    _k2 text,
    _search_text text,
    _search_grams text[],
    _action text,
    _reason jsonb,
    _target uuid,
    _match_count integer NOT NULL DEFAULT 0,
    _dup_of integer${fields.map((f) => `,\n    ${f}`).join('')}
  )`;
}

export function copyColumns(plan: ImportPlan): string {
  return [...STAGE_SYSTEM_COLUMNS, ...plan.stageFields.map(([, f]) => q(f.column))].join(', ');
}

/**
 * Streams COPY text into the staging table inside a transaction of its own
 * client; the caller records how far the file was staged in the same
 * transaction, so a crash leaves a clean point to resume from.
 */
export class StagingWriter {
  private stream: NodeJS.WritableStream | null = null;
  private done: Promise<unknown> | null = null;
  /** Lines are gathered into ~64 KB writes: fewer, larger socket writes. */
  private pending = '';
  rows = 0;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly table: string,
    private readonly columns: string,
  ) {}

  async begin(): Promise<void> {
    await this.client.query('BEGIN');
    const stream = this.client.query(copyFrom(`COPY ${this.table} (${this.columns}) FROM STDIN`));
    this.stream = stream;
    this.done = new Promise((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
    });
    // an error before finish must not go unhandled while we are still writing
    this.done.catch(() => undefined);
    this.rows = 0;
  }

  get open(): boolean {
    return this.stream !== null;
  }

  async write(text: string): Promise<void> {
    if (this.stream === null) throw new Error('staging COPY is not open');
    this.rows++;
    this.pending += text;
    if (this.pending.length >= 65_536) await this.flush();
  }

  private async flush(): Promise<void> {
    const stream = this.stream;
    if (stream === null || this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    if (!stream.write(text)) {
      await Promise.race([once(stream, 'drain'), this.done]);
    }
  }

  /** Ends the COPY, runs `finish` (the progress update) and commits. */
  async commit(finish: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const stream = this.stream;
    if (stream === null) return;
    await this.flush();
    stream.end();
    await this.done;
    this.stream = null;
    await finish(this.client);
    await this.client.query('COMMIT');
  }

  async abort(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    this.pending = '';
    if (stream !== null) {
      (stream as unknown as { destroy(error?: Error): void }).destroy(new Error('aborted'));
      await this.done?.catch(() => undefined);
    }
    await this.client.query('ROLLBACK').catch(() => undefined);
  }
}
