import { z } from 'zod';
import { LocalizedTextSchema } from '../../common/localized-text.js';

export const FormKey = z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, {
  error: 'must be lowercase letters, digits and _, starting with a letter',
});

/** The form-engine schema as JSON; its contents are checked by form-engine's validateFormSchema. */
export const FormSchemaBody = z
  .looseObject({ fields: z.array(z.looseObject({ id: z.string(), type: z.string() })).max(500) })
  .describe('A form-engine form schema');

export const CreateFormDto = z.strictObject({
  key: FormKey,
  name: LocalizedTextSchema,
  schema: FormSchemaBody.optional(),
});
export type CreateFormDto = z.infer<typeof CreateFormDto>;

export const SaveDraftDto = z.strictObject({
  schema: FormSchemaBody,
  /** The draft revision this edit is based on; a stale one gets 409. */
  revision: z.number().int().positive().optional(),
});
export type SaveDraftDto = z.infer<typeof SaveDraftDto>;

export const PublishQuery = z.strictObject({ preview: z.enum(['true', 'false']).optional() });
export type PublishQuery = z.infer<typeof PublishQuery>;

export const FormResponse = z.object({
  id: z.uuid(),
  appId: z.uuid(),
  key: z.string(),
  name: LocalizedTextSchema,
  draft: z.unknown().optional(),
  draftRevision: z.number().int().optional(),
  publishedVersion: z.number().int().nullable(),
  /** The published schema as this viewer may see it (hidden fields removed). */
  schema: z.unknown().nullable(),
  /** Field access for this viewer: hidden fields are absent from `schema`. */
  fieldAccess: z.record(z.string(), z.enum(['hidden', 'masked', 'read_only'])),
  actions: z.array(z.string()),
  hasFlow: z.boolean(),
});
export type FormResponse = z.infer<typeof FormResponse>;

export const LossyField = z.object({
  fieldId: z.string(),
  fromType: z.string(),
  toType: z.string(),
  converted: z.number().int(),
  lossy: z.number().int(),
  samples: z.array(z.object({ recordId: z.uuid(), value: z.unknown() })),
});

export const PublishResponse = z.object({
  preview: z.boolean(),
  version: z.number().int(),
  diff: z.unknown(),
  lossy: z.array(LossyField),
  statements: z.array(z.string()),
});
export type PublishResponse = z.infer<typeof PublishResponse>;
