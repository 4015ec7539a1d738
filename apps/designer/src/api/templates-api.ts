import type { TrellisApp } from './apps-api.js';
import { api } from './api-client.js';

/** The templates the product ships (the customer follow-up CRM first). */
export const TEMPLATE_KEYS = ['customer-follow-up'] as const;
export type TemplateKey = (typeof TEMPLATE_KEYS)[number];

export type TemplateImportResult = {
  app?: Partial<TrellisApp> & { id: string };
  appId?: string;
  [key: string]: unknown;
};

/** The installed app's id, whichever shape the import answers with. */
export function importedAppId(result: TemplateImportResult): string | null {
  return result.app?.id ?? result.appId ?? null;
}

export const templatesApi = {
  install: (template: TemplateKey) =>
    api.post<TemplateImportResult>('/api/templates/import', { template }),
  exportApp: async (appId: string): Promise<Blob> =>
    (
      await api.raw('GET', `/api/apps/${appId}/export`, {
        headers: { accept: 'application/json' },
      })
    ).blob(),
};
