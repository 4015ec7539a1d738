import { z } from 'zod';

export const RoleKey = z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, { error: 'must be a role key' });

export const InviteMemberDto = z.strictObject({
  email: z.email().max(254),
  roleKeys: z.array(RoleKey).max(10).optional(),
  teamId: z.uuid().optional(),
});
export type InviteMemberDto = z.infer<typeof InviteMemberDto>;

export const UpdateMemberDto = z.strictObject({
  displayName: z.string().trim().min(1).max(100).optional(),
  teamId: z.uuid().nullable().optional(),
  managerMemberId: z.uuid().nullable().optional(),
  roleKeys: z.array(RoleKey).min(1).max(10).optional(),
});
export type UpdateMemberDto = z.infer<typeof UpdateMemberDto>;

export const MemberResponse = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  displayName: z.string(),
  email: z.string(),
  status: z.enum(['active', 'removed']),
  isOwner: z.boolean(),
  teamId: z.uuid().nullable(),
  managerMemberId: z.uuid().nullable(),
  roleKeys: z.array(z.string()),
});
export type MemberResponse = z.infer<typeof MemberResponse>;

export const InvitationResponse = z.object({
  id: z.uuid(),
  email: z.string(),
  expiresAt: z.string(),
  /** Shown once; the invitee signs up with it. */
  token: z.string(),
});
export type InvitationResponse = z.infer<typeof InvitationResponse>;
