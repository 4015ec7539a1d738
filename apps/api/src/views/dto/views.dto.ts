import { z } from 'zod';

/** A report-engine structured condition, as the record list's `filter` parameter takes it. */
const Filter = z
  .record(z.string(), z.unknown())
  .describe("A report-engine condition, checked against the form's published fields");

const ViewFields = {
  name: z.string().trim().min(1).max(60),
  /** Seen by everyone who may read the form; saving or changing one needs `manage` on the form. */
  shared: z.boolean(),
  filter: Filter.nullable(),
  /** One field id, `-` prefixed for descending (as the list's `sort`). */
  sort: z.string().trim().max(100).nullable(),
  search: z.string().max(200).nullable(),
  /** Visible columns in order; null shows the form's default columns. */
  columns: z.array(z.string().max(64)).max(200).nullable(),
  mode: z.enum(['list', 'kanban']),
};

export const CreateViewDto = z.strictObject({
  name: ViewFields.name,
  shared: ViewFields.shared.default(false),
  filter: ViewFields.filter.default(null),
  sort: ViewFields.sort.default(null),
  search: ViewFields.search.default(null),
  columns: ViewFields.columns.default(null),
  mode: ViewFields.mode.default('list'),
});
export type CreateViewDto = z.infer<typeof CreateViewDto>;

export const UpdateViewDto = z.strictObject({
  name: ViewFields.name.optional(),
  shared: ViewFields.shared.optional(),
  filter: ViewFields.filter.optional(),
  sort: ViewFields.sort.optional(),
  search: ViewFields.search.optional(),
  columns: ViewFields.columns.optional(),
  mode: ViewFields.mode.optional(),
});
export type UpdateViewDto = z.infer<typeof UpdateViewDto>;

export const ViewResponse = z.object({
  id: z.uuid(),
  formId: z.uuid(),
  name: z.string(),
  shared: z.boolean(),
  ownerId: z.uuid().nullable(),
  filter: z.record(z.string(), z.unknown()).nullable(),
  sort: z.string().nullable(),
  search: z.string().nullable(),
  columns: z.array(z.string()).nullable(),
  mode: z.enum(['list', 'kanban']),
  /** Whether the viewer may change or delete it (their own view, or a shared one they manage). */
  canEdit: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ViewResponse = z.infer<typeof ViewResponse>;
