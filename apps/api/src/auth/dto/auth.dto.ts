import { z } from 'zod';

const Email = z.email({ error: 'must be an e-mail address' }).max(254);
const Password = z.string().min(8, { error: 'must be at least 8 characters' }).max(200);

export const SignupDto = z.strictObject({
  email: Email,
  password: Password,
  name: z.string().trim().min(1).max(100),
  workspaceName: z.string().trim().min(1).max(100).optional(),
  invitationToken: z.string().min(10).max(200).optional(),
  locale: z.enum(['zh-CN', 'en']).optional(),
});
export type SignupDto = z.infer<typeof SignupDto>;

export const LoginDto = z.strictObject({
  email: Email,
  password: z.string().min(1).max(200),
  workspaceId: z.uuid().optional(),
});
export type LoginDto = z.infer<typeof LoginDto>;

export const RefreshDto = z.strictObject({ refreshToken: z.string().min(10).max(200) });
export type RefreshDto = z.infer<typeof RefreshDto>;

export const SwitchWorkspaceDto = z.strictObject({ workspaceId: z.uuid() });
export type SwitchWorkspaceDto = z.infer<typeof SwitchWorkspaceDto>;

export const ChangePasswordDto = z.strictObject({
  currentPassword: z.string().min(1).max(200),
  newPassword: Password,
});
export type ChangePasswordDto = z.infer<typeof ChangePasswordDto>;

export const SessionResponse = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int(),
  user: z.object({ id: z.uuid(), email: z.string(), name: z.string(), locale: z.string() }),
  workspace: z.object({ id: z.uuid(), name: z.string() }),
  member: z.object({ id: z.uuid(), isOwner: z.boolean() }),
  isInstanceOwner: z.boolean(),
});
export type SessionResponse = z.infer<typeof SessionResponse>;

export const MeResponse = z.object({
  user: z.object({ id: z.uuid(), email: z.string(), name: z.string(), locale: z.string() }),
  workspace: z.object({ id: z.uuid(), name: z.string() }),
  member: z.object({
    id: z.uuid(),
    displayName: z.string(),
    isOwner: z.boolean(),
    teamId: z.uuid().nullable(),
  }),
  roles: z.array(z.object({ id: z.uuid(), key: z.string(), name: z.unknown() })),
  workspaces: z.array(z.object({ id: z.uuid(), name: z.string() })),
});
export type MeResponse = z.infer<typeof MeResponse>;
