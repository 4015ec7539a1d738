/**
 * What an upload may be. Checked while the file streams in, so an absurd
 * file is refused after reading only as much of it as proves the point.
 */
export const IMPORT_LIMITS = {
  /** Bytes of one uploaded file (a 1,000,000-row, 15-column CSV is about 210 MB). */
  maxFileBytes: 512 * 1024 * 1024,
  /** Data rows of one file (Excel's own sheet limit is 1,048,576 rows). */
  maxRows: 2_000_000,
  maxColumns: 200,
  /** Characters of one CSV record (all of its cells): a 10,000-character note fits many times. */
  maxRecordChars: 1_000_000,
  /** Characters of one file name. */
  maxFileNameChars: 255,
  /** XLSX: total bytes once decompressed, and the largest compression ratio of one part. */
  maxUnzippedBytes: 2 * 1024 * 1024 * 1024,
  maxCompressionRatio: 200,
  maxZipEntries: 10_000,
  /** Rows kept for the wizard's preview. */
  sampleRows: 20,
  /** Records read before the header row is decided (title rows above it are common). */
  headerSearchRows: 10,
} as const;

/** Rows written per batch while staging and while merging. */
export const IMPORT_BATCH_ROWS = 10_000;

/** How long a running import's lease lasts without a heartbeat. */
export const IMPORT_LEASE_SECONDS = 20;
