import { z } from 'zod';

export const TaskResponse = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string().nullable(),
  status: z.enum(['open', 'done', 'cancelled']),
  dueAt: z.string().nullable(),
  assigneeMemberId: z.uuid().nullable(),
  /** The record the task is about, when there is one. */
  related: z
    .object({
      appId: z.uuid().nullable(),
      formId: z.uuid().nullable(),
      recordId: z.uuid().nullable(),
    })
    .nullable(),
  source: z.string(),
  createdAt: z.string(),
  doneAt: z.string().nullable(),
});
export type TaskResponse = z.infer<typeof TaskResponse>;

export const TaskListQuery = z.strictObject({
  status: z.enum(['open', 'done', 'all']).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
export type TaskListQuery = z.infer<typeof TaskListQuery>;
