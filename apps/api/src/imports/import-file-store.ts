import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sql } from '../database/database.service.js';

/** Bytes per stored chunk of an uploaded file. */
export const CHUNK_BYTES = 1024 * 1024;

/**
 * The uploaded file lives in PostgreSQL (import_file_chunk), in order, so
 * that whichever API process runs or resumes the import can read it; a local
 * disk is not shared between processes or containers.
 */
export class ChunkWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private seq = 0;
  bytes = 0;

  constructor(
    private readonly sql: Sql,
    private readonly importId: string,
  ) {}

  async write(chunk: Buffer): Promise<void> {
    this.bytes += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= CHUNK_BYTES) await this.flush();
  }

  async end(): Promise<void> {
    if (this.pendingBytes > 0) await this.flush();
  }

  private async flush(): Promise<void> {
    const data = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    await this.sql.query(
      `INSERT INTO import_file_chunk (import_id, seq, data) VALUES ($1, $2, $3)`,
      [this.importId, this.seq++, data],
    );
  }
}

/** The stored file, chunk by chunk (one 1 MB chunk in memory at a time). */
export async function* readChunks(sql: Sql, importId: string): AsyncGenerator<Buffer> {
  let next = 0;
  for (;;) {
    const rows = await sql.query<{ seq: number; data: Buffer }>(
      `SELECT seq, data FROM import_file_chunk WHERE import_id = $1 AND seq >= $2 ORDER BY seq LIMIT 1`,
      [importId, next],
    );
    if (rows.length === 0) return;
    for (const row of rows) {
      yield row.data;
      next = row.seq + 1;
    }
  }
}

/** Where a workbook is unpacked for reading: XLSX needs random access to its ZIP directory. */
export function workbookPath(importId: string): string {
  return join(tmpdir(), 'trellis-imports', `${importId}.xlsx`);
}

/** Writes the stored workbook to a local temporary file (once per process) and returns its path. */
export async function materializeWorkbook(
  sql: Sql,
  importId: string,
  size: number,
): Promise<string> {
  const path = workbookPath(importId);
  const existing = await stat(path).catch(() => null);
  if (existing !== null && existing.size === size) return path;
  await mkdir(join(tmpdir(), 'trellis-imports'), { recursive: true });
  const partial = `${path}.${process.pid}.part`;
  const out = createWriteStream(partial);
  for await (const chunk of readChunks(sql, importId)) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const { rename } = await import('node:fs/promises');
  await rename(partial, path);
  return path;
}

export async function removeWorkbook(importId: string): Promise<void> {
  await rm(workbookPath(importId), { force: true });
}
