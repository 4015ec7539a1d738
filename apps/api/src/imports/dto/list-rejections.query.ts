import { z } from 'zod';

/** GET /imports/:id/rejections. */
export const ListRejectionsQuery = z.strictObject({
  outcome: z.enum(['rejected', 'skipped']).default('rejected'),
  /** Rows after this line (from nextAfter of the previous page). */
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type ListRejectionsQuery = z.infer<typeof ListRejectionsQuery>;
