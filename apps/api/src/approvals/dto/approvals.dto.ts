import { z } from 'zod';

export const DecisionDto = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.enum(['approve', 'reject', 'return', 'withdraw', 'resubmit']),
    comment: z.string().max(2000).optional(),
  }),
  z.strictObject({
    kind: z.enum(['reassign', 'addSigner']),
    user: z.uuid(),
    comment: z.string().max(2000).optional(),
  }),
]);
export type DecisionDto = z.infer<typeof DecisionDto>;

export const ApprovalResponse = z.object({
  id: z.uuid(),
  formId: z.uuid(),
  recordId: z.uuid(),
  transitionId: z.string(),
  stepId: z.string().nullable(),
  status: z.string(),
  submittedBy: z.uuid().nullable(),
  assignees: z.array(z.uuid()),
  createdAt: z.string(),
  detail: z.unknown(),
});
export type ApprovalResponse = z.infer<typeof ApprovalResponse>;
