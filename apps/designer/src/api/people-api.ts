import type { LocalizedText } from '../i18n/localized-text.js';
import { api } from './api-client.js';

export type Member = {
  id: string;
  userId: string;
  displayName: string;
  email: string;
  status: 'active' | 'removed';
  isOwner: boolean;
  teamId: string | null;
  managerMemberId: string | null;
  roleKeys: string[];
};

export type Invitation = { id: string; email: string; expiresAt: string; token: string };

export type Team = {
  id: string;
  name: string;
  kind: 'department' | 'team';
  parentId: string | null;
  managerMemberId: string | null;
  memberCount: number;
};

export const FORM_ACTIONS = [
  'create',
  'read',
  'update',
  'delete',
  'export',
  'import',
  'manage',
] as const;
export type FormAction = (typeof FORM_ACTIONS)[number];

export const WORKSPACE_ACTIONS = [
  'manage_workspace',
  'manage_members',
  'manage_roles',
  'manage_apps',
] as const;
export type WorkspaceAction = (typeof WORKSPACE_ACTIONS)[number];

export const FIELD_ACCESS = ['hidden', 'masked', 'read_only'] as const;
export type FieldAccess = (typeof FIELD_ACCESS)[number];

export type RowScope = 'all' | 'own' | 'team' | 'department' | { logic: unknown };

export type FormPermission = {
  actions: FormAction[];
  rowScope: RowScope;
  fields?: Record<string, FieldAccess>;
  stages?: Record<string, { fields: Record<string, FieldAccess> }>;
};

export type RolePermissions = {
  workspace?: WorkspaceAction[];
  /** Keyed by form id; '*' applies to forms not listed. */
  forms?: Record<string, FormPermission>;
};

export type Role = {
  id: string;
  key: string;
  name: LocalizedText;
  isSystem: boolean;
  permissions: RolePermissions;
};

export const peopleApi = {
  members: (signal?: AbortSignal) => api.get<Member[]>('/api/members', { signal }),
  invite: (input: { email: string; roleKeys?: string[]; teamId?: string }) =>
    api.post<Invitation>('/api/members/invitations', input),
  updateMember: (
    id: string,
    input: {
      displayName?: string;
      teamId?: string | null;
      managerMemberId?: string | null;
      roleKeys?: string[];
    },
  ) => api.patch<Member>(`/api/members/${id}`, input),
  removeMember: (id: string) => api.delete(`/api/members/${id}`),

  teams: (signal?: AbortSignal) => api.get<Team[]>('/api/teams', { signal }),
  createTeam: (input: {
    name: string;
    kind: Team['kind'];
    parentId?: string | null;
    managerMemberId?: string | null;
  }) => api.post<Team>('/api/teams', input),
  updateTeam: (
    id: string,
    input: {
      name?: string;
      kind?: Team['kind'];
      parentId?: string | null;
      managerMemberId?: string | null;
    },
  ) => api.patch<Team>(`/api/teams/${id}`, input),
  removeTeam: (id: string) => api.delete(`/api/teams/${id}`),

  roles: (signal?: AbortSignal) => api.get<Role[]>('/api/roles', { signal }),
  createRole: (input: { key: string; name: LocalizedText; permissions: RolePermissions }) =>
    api.post<Role>('/api/roles', input),
  updateRole: (id: string, input: { name?: LocalizedText; permissions?: RolePermissions }) =>
    api.patch<Role>(`/api/roles/${id}`, input),
  removeRole: (id: string) => api.delete(`/api/roles/${id}`),
};
