import { z } from 'zod';
import { LocalizedTextSchema } from '../../common/localized-text.js';
import { type RolePermissions, RolePermissionsSchema } from '../../policy/permissions.js';

export const CreateRoleDto = z.strictObject({
  key: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,40}$/, { error: 'must be lowercase letters, digits and _' }),
  name: LocalizedTextSchema,
  permissions: RolePermissionsSchema,
});
export type CreateRoleDto = z.infer<typeof CreateRoleDto>;

export const UpdateRoleDto = z.strictObject({
  name: LocalizedTextSchema.optional(),
  permissions: RolePermissionsSchema.optional(),
});
export type UpdateRoleDto = z.infer<typeof UpdateRoleDto>;

export const RoleResponse = z.object({
  id: z.uuid(),
  key: z.string(),
  name: LocalizedTextSchema,
  isSystem: z.boolean(),
  permissions: RolePermissionsSchema,
});
export type RoleResponse = Omit<z.infer<typeof RoleResponse>, 'permissions'> & {
  permissions: RolePermissions;
};
