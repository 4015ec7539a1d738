import { z } from 'zod';
import { LocalizedTextSchema } from '../../common/localized-text.js';

export const CreateAppDto = z.strictObject({
  name: LocalizedTextSchema,
  description: LocalizedTextSchema.optional(),
  icon: z.string().max(40).optional(),
});
export type CreateAppDto = z.infer<typeof CreateAppDto>;

export const UpdateAppDto = z.strictObject({
  name: LocalizedTextSchema.optional(),
  description: LocalizedTextSchema.nullable().optional(),
  icon: z.string().max(40).nullable().optional(),
});
export type UpdateAppDto = z.infer<typeof UpdateAppDto>;

export const AppFormSummary = z.object({
  id: z.uuid(),
  key: z.string(),
  name: LocalizedTextSchema,
  publishedVersion: z.number().int().nullable(),
});

export const AppResponse = z.object({
  id: z.uuid(),
  name: LocalizedTextSchema,
  description: LocalizedTextSchema.nullable(),
  icon: z.string().nullable(),
  templateKey: z.string().nullable(),
  templateVersion: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  forms: z.array(AppFormSummary),
});
export type AppResponse = z.infer<typeof AppResponse>;
