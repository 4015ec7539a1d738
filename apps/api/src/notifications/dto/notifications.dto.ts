import { z } from 'zod';

export const NotificationResponse = z.object({
  id: z.uuid(),
  kind: z.string(),
  title: z.string(),
  body: z.string().nullable(),
  /** Where it points: { appId, formId, recordId } for record notifications. */
  link: z.record(z.string(), z.unknown()).nullable(),
  readAt: z.string().nullable(),
  createdAt: z.string(),
});
export type NotificationResponse = z.infer<typeof NotificationResponse>;

export const NotificationListResponse = z.object({
  items: z.array(NotificationResponse),
  unreadCount: z.number().int(),
  /** Pass as `before` for the next (older) page; null at the end. */
  nextCursor: z.string().nullable(),
});
export type NotificationListResponse = z.infer<typeof NotificationListResponse>;

export const NotificationListQuery = z.strictObject({
  unread: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  before: z.string().max(200).optional(),
});
export type NotificationListQuery = z.infer<typeof NotificationListQuery>;

export const ReadAllResponse = z.object({ updated: z.number().int() });
