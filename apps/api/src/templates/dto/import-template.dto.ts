import { z } from 'zod';

/** A template import: the bundle (any known schema version), and what to do with it. */
export const ImportTemplateDto = z
  .strictObject({
    /** An app bundle (@trellis/app-bundle); migrated when older, validated before anything is written. */
    bundle: z
      .looseObject({})
      .describe('An app bundle: { schemaVersion, key, version, name, forms, ... }')
      .optional(),
    /** Or the key of a template that ships with Trellis (GET /api/templates), e.g. customer-follow-up. */
    template: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,63}$/, { error: 'must be a template key' })
      .optional(),
    /** Insert the bundle's generated sample records too (default false). */
    withSampleData: z.boolean().default(false),
    /** Upgrade this installed app of the same template to the bundle, keeping its records. */
    upgrade: z.strictObject({ appId: z.uuid() }).optional(),
  })
  .refine((body) => (body.bundle === undefined) !== (body.template === undefined), {
    error: 'give either a bundle or the key of a shipped template',
    path: ['bundle'],
  });
export type ImportTemplateDto = z.infer<typeof ImportTemplateDto>;

const Counts = z.object({
  forms: z.number().int(),
  flows: z.number().int(),
  rules: z.number().int(),
  reports: z.number().int(),
  dashboards: z.number().int(),
  roles: z.number().int(),
  teams: z.number().int(),
});

export const ImportTemplateResponse = z.object({
  appId: z.uuid(),
  key: z.string(),
  version: z.string(),
  /** `installed` for a new app, `upgraded` when an installed app was upgraded. */
  outcome: z.enum(['installed', 'upgraded']),
  /** Migrations applied to the bundle before it was imported (`1-to-2`). */
  migrations: z.array(z.string()),
  /** What was created (for an upgrade: what was added or changed). */
  created: Counts,
  /** Sample records inserted, by form key (empty without sample data). */
  sampleRecords: z.record(z.string(), z.number().int()),
  /**
   * The sample's sales organisation, created as members of the workspace with the sample data
   * (empty without): people on the reserved domain sample.trellis.invalid who cannot sign in.
   */
  sampleMembers: z.array(
    z.object({
      memberId: z.uuid(),
      name: z.string(),
      email: z.string(),
      roleKeys: z.array(z.string()),
      teamId: z.uuid().nullable(),
      title: z.string(),
    }),
  ),
  warnings: z.array(z.string()),
});
export type ImportTemplateResponse = z.infer<typeof ImportTemplateResponse>;

/** An exported app: a bundle of the current schema version. */
export const AppBundleResponse = z
  .looseObject({ schemaVersion: z.number().int(), key: z.string(), version: z.string() })
  .describe('An app bundle of the current schema version');

/** Text in several locales ({ "zh-CN": "客户跟进", en: "Customer follow-up" }) or one plain string. */
const LocalizedText = z.union([z.string(), z.record(z.string(), z.string().optional())]);

export const ShippedTemplateResponse = z.object({
  key: z.string(),
  version: z.string(),
  name: LocalizedText,
  description: LocalizedText.nullable(),
  /** The app of this workspace that has it installed, if any (importing again offers an upgrade). */
  installedAppId: z.uuid().nullable(),
  installedVersion: z.string().nullable(),
});
export const ShippedTemplateListResponse = z.array(ShippedTemplateResponse);
export type ShippedTemplateListResponse = z.infer<typeof ShippedTemplateListResponse>;
