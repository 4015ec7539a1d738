import { z } from 'zod';

const Values = z.record(z.string().max(64), z.unknown()).describe('Field values keyed by field id');

export const CreateRecordDto = z.strictObject({
  values: Values,
  /** Save as a draft: checked for types only, visible to its author only, no events until submitted. */
  draft: z.boolean().optional(),
});
export type CreateRecordDto = z.infer<typeof CreateRecordDto>;

export const UpdateRecordDto = z.strictObject({
  values: Values.default({}),
  /** The version this change is based on (or send If-Match). */
  version: z.number().int().positive().optional(),
  /** Hand the record to another member. */
  ownerId: z.uuid().optional(),
});
export type UpdateRecordDto = z.infer<typeof UpdateRecordDto>;

export const BulkCreateDto = z.strictObject({
  records: z
    .array(z.strictObject({ values: Values }))
    .min(1)
    .max(500),
});
export type BulkCreateDto = z.infer<typeof BulkCreateDto>;

export const BulkUpdateDto = z.strictObject({
  records: z
    .array(z.strictObject({ id: z.uuid(), version: z.number().int().positive(), values: Values }))
    .min(1)
    .max(500),
});
export type BulkUpdateDto = z.infer<typeof BulkUpdateDto>;

export const ListRecordsQuery = z.strictObject({
  /** A structured condition as JSON (report-engine's Condition). */
  filter: z.string().max(20_000).optional(),
  /** Comma-separated field ids; prefix with - for descending. */
  sort: z.string().max(500).optional(),
  /** Substring search over the searchable fields (works for Chinese). */
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(2000).optional(),
  count: z.enum(['true', 'false']).optional(),
  /** Include soft-deleted records (needs delete permission). */
  deleted: z.enum(['true', 'false']).optional(),
});
export type ListRecordsQuery = z.infer<typeof ListRecordsQuery>;
