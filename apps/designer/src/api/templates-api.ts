import type { LocalizedText } from '../i18n/localized-text.js';
import { api } from './api-client.js';

/** A template that ships with Trellis (GET /api/templates). */
export type ShippedTemplate = {
  key: string;
  version: string;
  name: LocalizedText;
  description: LocalizedText | null;
  /** This workspace's app made from it, if installed (installing again offers an upgrade). */
  installedAppId: string | null;
  installedVersion: string | null;
};

export type TemplateImportResult = {
  appId: string;
  key: string;
  version: string;
  outcome: 'installed' | 'upgraded';
  sampleRecords: Record<string, number>;
  warnings: string[];
};

export const templatesApi = {
  list: (signal?: AbortSignal) => api.get<ShippedTemplate[]>('/api/templates', { signal }),
  install: (template: string, withSampleData: boolean) =>
    api.post<TemplateImportResult>('/api/templates/import', { template, withSampleData }),
  exportApp: async (appId: string): Promise<Blob> =>
    (
      await api.raw('GET', `/api/apps/${appId}/export`, {
        headers: { accept: 'application/json' },
      })
    ).blob(),
};
