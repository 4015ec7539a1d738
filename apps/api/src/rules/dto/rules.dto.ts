import { z } from 'zod';

/** A rule-engine rule definition (id, name, form, trigger, condition, actions); normalized and checked on save. */
const RuleDefinitionInput = z
  .looseObject({})
  .describe(
    'A rule-engine RuleDefinition: { id, name, form, enabled?, priority?, trigger, condition?, actions }',
  );

export const SaveRuleDto = z.strictObject({
  definition: RuleDefinitionInput,
  /** The version you edited (updates only); a stale one gets 409. */
  version: z.number().int().positive().optional(),
});
export type SaveRuleDto = z.infer<typeof SaveRuleDto>;

export const RuleResponse = z.object({
  id: z.uuid(),
  appId: z.uuid(),
  formId: z.uuid(),
  key: z.string(),
  name: z.unknown(),
  enabled: z.boolean(),
  triggerType: z.string(),
  definition: z.record(z.string(), z.unknown()),
  /** Actions run with this member's permissions (the last one who saved the rule). */
  authorMemberId: z.uuid().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RuleResponse = z.infer<typeof RuleResponse>;

export const TestRuleDto = z.strictObject({
  /** The sample record: field values plus any system fields the rule reads (owner_id, stage, created_at, ...). */
  record: z.record(z.string().max(64), z.unknown()),
  /** The record before the change, for update and stage triggers. */
  before: z.record(z.string().max(64), z.unknown()).optional(),
  /** Which event to simulate (default: what the trigger listens to). */
  event: z
    .enum(['record_created', 'record_updated', 'record_deleted', 'schedule', 'timer'])
    .optional(),
  /** The instant to evaluate at (default now). */
  now: z.iso.datetime({ offset: true }).optional(),
});
export type TestRuleDto = z.infer<typeof TestRuleDto>;

export const TestRuleResponse = z.object({
  event: z.string(),
  /** Does the trigger fire on this event at all? */
  triggered: z.boolean(),
  /** Would the rule run (trigger + condition + due time + cascade)? */
  matched: z.boolean(),
  conditionHolds: z.boolean().nullable(),
  /** The condition's evaluation tree (rule-engine explain). */
  explanation: z.unknown().nullable(),
  /** The actions it would perform, with their values evaluated; nothing is performed. */
  actions: z.array(z.record(z.string(), z.unknown())),
  /** Timers a relative-time rule would schedule. */
  timers: z.array(z.object({ key: z.string(), dueAt: z.string() })),
  errors: z.array(z.object({ code: z.string(), message: z.string(), path: z.string() })),
});
export type TestRuleResponse = z.infer<typeof TestRuleResponse>;

export const ActionLogEntry = z.object({
  index: z.number().int(),
  type: z.string(),
  status: z.enum(['applied', 'already_applied', 'skipped', 'failed']),
  result: z.unknown().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  startedAt: z.string(),
  durationMs: z.number(),
});
export type ActionLogEntry = z.infer<typeof ActionLogEntry>;

export const RuleRunResponse = z.object({
  id: z.uuid(),
  ruleId: z.uuid(),
  appId: z.uuid(),
  status: z.enum(['running', 'succeeded', 'failed', 'dead', 'skipped']),
  /** What started it: an event (with its type and record), a timer or a schedule tick. */
  trigger: z.record(z.string(), z.unknown()),
  recordId: z.uuid().nullable(),
  explanation: z.unknown().nullable(),
  /** The resolved actions the run performs (replays perform the same ones). */
  plan: z.array(z.record(z.string(), z.unknown())).nullable(),
  actions: z.array(ActionLogEntry),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  attempts: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type RuleRunResponse = z.infer<typeof RuleRunResponse>;

export const RunListQuery = z.strictObject({
  status: z.enum(['running', 'succeeded', 'failed', 'dead', 'skipped']).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
export type RunListQuery = z.infer<typeof RunListQuery>;

export const ReplayManyDto = z
  .strictObject({
    runIds: z.array(z.uuid()).min(1).max(100).optional(),
    /** Or every failed/dead run of one rule (up to 100). */
    ruleId: z.uuid().optional(),
  })
  .refine((d) => (d.runIds === undefined) !== (d.ruleId === undefined), {
    message: 'Give either runIds or ruleId',
    path: ['runIds'],
  });
export type ReplayManyDto = z.infer<typeof ReplayManyDto>;
