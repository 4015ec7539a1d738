import { z } from 'zod';

export const EndpointKindSchema = z.enum(['webhook', 'wecom', 'dingtalk', 'feishu']);

export const CreateWebhookDto = z.strictObject({
  name: z.string().min(1).max(100),
  /** webhook: a signed JSON POST; wecom / dingtalk / feishu: a group robot in its own format. */
  kind: EndpointKindSchema,
  url: z.string().min(1).max(2000),
  /** HMAC secret (generated for webhooks when absent; the 加签 secret of a DingTalk or Feishu robot). */
  secret: z.string().min(8).max(200).optional(),
});
export type CreateWebhookDto = z.infer<typeof CreateWebhookDto>;

export const UpdateWebhookDto = z.strictObject({
  name: z.string().min(1).max(100).optional(),
  url: z.string().min(1).max(2000).optional(),
  /** Re-enabling also clears the failure count. */
  enabled: z.boolean().optional(),
  secret: z.string().min(8).max(200).optional(),
  rotateSecret: z.literal(true).optional(),
});
export type UpdateWebhookDto = z.infer<typeof UpdateWebhookDto>;

export const WebhookResponse = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: EndpointKindSchema,
  url: z.string(),
  ownerMemberId: z.uuid().nullable(),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  consecutiveFailures: z.number().int(),
  hasSecret: z.boolean(),
  /** Only in the answer that created or rotated it. */
  secret: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type WebhookResponse = z.infer<typeof WebhookResponse>;

export const DeliveryResponse = z.object({
  id: z.uuid(),
  eventType: z.string(),
  status: z.enum(['pending', 'delivered', 'failed', 'dead', 'cancelled']),
  attempts: z.number().int(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  ruleId: z.uuid().nullable(),
  runId: z.uuid().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
});
export type DeliveryResponse = z.infer<typeof DeliveryResponse>;
