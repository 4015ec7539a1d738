import { z } from 'zod';

const FieldId = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a field id');

/** PUT /imports/:id/mapping: which column fills which field, and what to do with duplicates. */
export const ImportMappingDto = z.strictObject({
  /** Line number of the header row in the file (see the preview); null: the file has no header row. */
  headerLine: z.number().int().min(1).nullable().optional(),
  columns: z
    .array(
      z.strictObject({
        /** 0-based index of the column in the file. */
        column: z.number().int().min(0).max(199),
        /** The field the column fills, or null to ignore the column. */
        field: FieldId.nullable(),
        /** For select fields: cell text → option value, beyond the option labels matched automatically. */
        options: z.record(z.string().min(1).max(200), z.string().min(1).max(200)).optional(),
      }),
    )
    .max(200),
  /** How 05/01/2026 reads: month first (mdy) or day first (dmy). Unambiguous dates ignore it. */
  dateOrder: z.enum(['mdy', 'dmy']).default('mdy'),
  /** Fields that identify a customer, tried in order (phone, e-mail, normalised company name …). */
  matchKeys: z
    .array(
      z.strictObject({
        field: FieldId,
        /** phone: canonical number; email: lower case; company: 某某有限公司 = 某某公司; exact: case and width folded. */
        method: z.enum(['phone', 'email', 'company', 'exact']).optional(),
      }),
    )
    .max(3)
    .default([]),
  /** A row that matches an existing record: skip it, update the record, or create a new one anyway. */
  onMatch: z.enum(['skip', 'update', 'create']).default('skip'),
  /** A row that matches an earlier row of the same file. */
  onDuplicateInFile: z.enum(['skip', 'update', 'create', 'reject']).default('skip'),
  /** Remember this mapping for the next file with these headers (default true). */
  save: z.boolean().default(true),
});
export type ImportMappingDto = z.infer<typeof ImportMappingDto>;
