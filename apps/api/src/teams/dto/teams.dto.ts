import { z } from 'zod';

export const CreateTeamDto = z.strictObject({
  name: z.string().trim().min(1).max(100),
  kind: z.enum(['department', 'team']).default('team'),
  parentId: z.uuid().nullable().optional(),
  managerMemberId: z.uuid().nullable().optional(),
});
export type CreateTeamDto = z.infer<typeof CreateTeamDto>;

export const UpdateTeamDto = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  kind: z.enum(['department', 'team']).optional(),
  parentId: z.uuid().nullable().optional(),
  managerMemberId: z.uuid().nullable().optional(),
});
export type UpdateTeamDto = z.infer<typeof UpdateTeamDto>;

export const TeamResponse = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: z.enum(['department', 'team']),
  parentId: z.uuid().nullable(),
  managerMemberId: z.uuid().nullable(),
  memberCount: z.number().int(),
});
export type TeamResponse = z.infer<typeof TeamResponse>;
