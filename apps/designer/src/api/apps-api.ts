import type { LocalizedText } from '../i18n/localized-text.js';
import { api } from './api-client.js';

export type AppFormSummary = {
  id: string;
  key: string;
  name: LocalizedText;
  publishedVersion: number | null;
};

export type TrellisApp = {
  id: string;
  name: LocalizedText;
  description: LocalizedText | null;
  icon: string | null;
  templateKey: string | null;
  templateVersion: string | null;
  createdAt: string;
  updatedAt: string;
  forms: AppFormSummary[];
};

export type AppInput = {
  name: LocalizedText;
  description?: LocalizedText | null;
  icon?: string | null;
};

export const appsApi = {
  list: (signal?: AbortSignal) => api.get<TrellisApp[]>('/api/apps', { signal }),
  get: (appId: string, signal?: AbortSignal) =>
    api.get<TrellisApp>(`/api/apps/${appId}`, { signal }),
  create: (input: AppInput) => api.post<TrellisApp>('/api/apps', input),
  update: (appId: string, input: Partial<AppInput>) =>
    api.patch<TrellisApp>(`/api/apps/${appId}`, input),
  remove: (appId: string) => api.delete(`/api/apps/${appId}`),
};
