import { z } from 'zod';

/** A record as the API returns it: system fields beside the form's values. */
export const RecordResponse = z.object({
  id: z.uuid(),
  formId: z.uuid(),
  version: z.number().int(),
  ownerId: z.uuid().nullable(),
  createdBy: z.uuid().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  stage: z.string().nullable(),
  stageEnteredAt: z.string().nullable(),
  isDraft: z.boolean(),
  submittedAt: z.string().nullable(),
  deletedAt: z.string().nullable(),
  values: z.record(z.string(), z.unknown()),
  /** Fields whose values are masked for this viewer. */
  masked: z.array(z.string()),
});
export type RecordResponse = z.infer<typeof RecordResponse>;

export const RecordListResponse = z.object({
  items: z.array(RecordResponse),
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: z.string().nullable(),
  total: z.number().int().optional(),
});
export type RecordListResponse = z.infer<typeof RecordListResponse>;

export const HistoryEntry = z.object({
  id: z.string(),
  version: z.number().int(),
  kind: z.string(),
  actorMemberId: z.uuid().nullable(),
  at: z.string(),
  changes: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })),
  detail: z.unknown().optional(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/** Keys a request body can never write. */
export const SYSTEM_FIELD_IDS: ReadonlySet<string> = new Set([
  'id',
  'owner_id',
  'created_by',
  'created_at',
  'updated_at',
  'version',
  'stage',
  'stage_entered_at',
  'deleted_at',
  'is_draft',
  'submitted_at',
  'workspace_id',
  'ownerId',
  'workspaceId',
  'createdBy',
  'createdAt',
  'updatedAt',
  'flow_snapshot',
]);
