import { hostname } from 'node:os';
import type { ImportCounts } from './import-resolution.js';
import type { ImportMode, ImportSettings } from './import-plan.js';

export type ImportStatus =
  | 'uploading'
  | 'uploaded'
  | 'mapped'
  | 'running'
  | 'validated'
  | 'completed'
  | 'failed'
  | 'cancelled';

export type RunKind = 'dry_run' | 'commit';

export type ImportPhase = 'staging' | 'resolving' | 'verifying' | 'merging' | 'finishing';

export type StoredProgress = {
  readonly phase?: ImportPhase;
  readonly processedRows?: number;
  readonly totalRows?: number;
  readonly percent?: number;
  readonly rowsPerSecond?: number;
  readonly phaseStartedAt?: string;
  readonly updatedAt?: string;
};

export type ImportColumn = { readonly index: number; readonly header: string };
export type PreviewRecord = { readonly line: number; readonly cells: string[] };

export type StoredError = {
  readonly code: string;
  readonly message: string;
  readonly errors?: Array<{ path: string; code: string; message: string }>;
  /** An unexpected failure (a lost connection, a crash): POST /resume tries again. */
  readonly retryable?: boolean;
};

/** A row of import_job. */
export type JobRow = {
  id: string;
  workspace_id: string;
  app_id: string;
  form_id: string;
  created_by: string | null;
  status: ImportStatus;
  run_kind: RunKind | null;
  mode: ImportMode | null;
  file_name: string;
  file_size: string;
  format: 'csv' | 'xlsx';
  encoding: string | null;
  delimiter: string | null;
  header_line: number | null;
  total_rows: number | null;
  columns: ImportColumn[];
  preview: PreviewRecord[];
  mapping: ImportSettings | null;
  form_version: number | null;
  stage_signature: string | null;
  staged_through: number;
  staged_complete: boolean;
  resolved: boolean;
  merged_through: number;
  counts: ImportCounts | null;
  progress: StoredProgress;
  error: StoredError | null;
  lease_owner: string | null;
  lease_until: Date | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
};

/** Who holds a running import: host, process id and a random tag of this process. */
export function leaseOwnerId(tag: string): string {
  return `${hostname()}:${process.pid}:${tag}`;
}

/**
 * Whether the process holding a lease is certainly gone: its lease expired,
 * or it ran on this host and its process id no longer exists (a restart
 * after kill -9 need not wait for the lease to run out).
 */
export function leaseIsDead(
  job: Pick<JobRow, 'lease_owner' | 'lease_until'>,
  now = Date.now(),
): boolean {
  if (job.lease_owner === null || job.lease_until === null) return true;
  if (job.lease_until.getTime() < now) return true;
  const [host, pid] = job.lease_owner.split(':');
  if (host !== hostname() || pid === undefined) return false;
  if (Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as { code?: string }).code === 'ESRCH';
  }
}

/** The interrupted state is not stored: it is a running import whose holder is gone. */
export function presentedStatus(
  job: Pick<JobRow, 'status' | 'lease_owner' | 'lease_until'>,
): ImportStatus | 'interrupted' {
  return job.status === 'running' && leaseIsDead(job) ? 'interrupted' : job.status;
}

/** Where a header line leaves the data: records after it, and how many columns it names. */
export function headerIndex(preview: readonly PreviewRecord[], headerLine: number | null): number {
  if (headerLine === null) return -1;
  return preview.findIndex((r) => r.line === headerLine);
}
