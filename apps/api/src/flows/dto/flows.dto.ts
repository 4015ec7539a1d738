import { z } from 'zod';

export const SaveFlowDto = z.strictObject({
  /** A flow-engine definition (states, transitions, approvals, timers). */
  definition: z.looseObject({}).describe('A flow-engine flow definition'),
});
export type SaveFlowDto = z.infer<typeof SaveFlowDto>;

export const FlowResponse = z.object({
  formId: z.uuid(),
  draft: z.unknown().nullable(),
  publishedVersion: z.number().int().nullable(),
  definition: z.unknown().nullable(),
});
export type FlowResponse = z.infer<typeof FlowResponse>;

export const TransitionDto = z
  .strictObject({
    /** Fire a transition by its event name ... */
    event: z.string().min(1).max(100).optional(),
    /** ... or by its target stage (a kanban drop). */
    to: z.string().min(1).max(100).optional(),
    /** Values to save with the move (for example loss_reason when moving to Lost). */
    values: z.record(z.string().max(64), z.unknown()).optional(),
    comment: z.string().max(2000).optional(),
    version: z.number().int().positive().optional(),
  })
  .refine((d) => (d.event === undefined) !== (d.to === undefined), {
    message: 'Give either event or to',
    path: ['event'],
  });
export type TransitionDto = z.infer<typeof TransitionDto>;

export const AvailableTransitionResponse = z.object({
  transitionId: z.string(),
  event: z.string(),
  to: z.string(),
  label: z.unknown(),
  toLabel: z.unknown(),
  enabled: z.boolean(),
  needsApproval: z.boolean(),
  requiredFields: z.array(z.string()),
  reasons: z.array(z.object({ code: z.string(), message: z.string() }).loose()),
});

export const MigrateFlowDto = z.strictObject({
  fromVersion: z.number().int().positive(),
  /** Old stage id -> new stage id, for every stage that has records. */
  stateMapping: z.record(z.string(), z.string()),
});
export type MigrateFlowDto = z.infer<typeof MigrateFlowDto>;
