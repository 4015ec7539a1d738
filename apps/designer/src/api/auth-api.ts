import type { Locale } from '../i18n/localized-text.js';
import type { LocalizedText } from '../i18n/localized-text.js';
import { api } from './api-client.js';

export type SessionUser = { id: string; email: string; name: string; locale: string };

export type SessionResponse = {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: SessionUser;
  workspace: { id: string; name: string };
  member: { id: string; isOwner: boolean };
  isInstanceOwner: boolean;
};

export type Me = {
  user: SessionUser;
  workspace: { id: string; name: string };
  member: { id: string; displayName: string; isOwner: boolean; teamId: string | null };
  roles: Array<{ id: string; key: string; name: LocalizedText }>;
  workspaces: Array<{ id: string; name: string }>;
};

export type SignUpInput = {
  email: string;
  password: string;
  name: string;
  workspaceName?: string;
  invitationToken?: string;
  locale?: Locale;
};

export const authApi = {
  signUp: (input: SignUpInput) =>
    api.post<SessionResponse>('/api/auth/signup', input, { auth: false }),
  signIn: (input: { email: string; password: string }) =>
    api.post<SessionResponse>('/api/auth/login', input, { auth: false }),
  signOut: (refreshToken: string) =>
    api.post<void>('/api/auth/logout', { refreshToken }, { auth: false }),
  me: (signal?: AbortSignal) => api.get<Me>('/api/me', { signal }),
  changePassword: (input: { currentPassword: string; newPassword: string }) =>
    api.patch<void>('/api/me/password', input),
};
