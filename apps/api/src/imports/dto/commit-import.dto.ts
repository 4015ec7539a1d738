import { z } from 'zod';

/** POST /imports/:id/commit. */
export const CommitImportDto = z.strictObject({
  /** skip_bad_rows: write every good row, list the others; all_or_nothing: write nothing if any row is rejected. */
  mode: z.enum(['skip_bad_rows', 'all_or_nothing']).default('skip_bad_rows'),
});
export type CommitImportDto = z.infer<typeof CommitImportDto>;
