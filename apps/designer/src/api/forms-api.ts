import type { FormSchema } from '../forms/form-schema.js';
import type { LocalizedText } from '../i18n/localized-text.js';
import type { FieldAccess } from './people-api.js';
import { api } from './api-client.js';

export type FormDetail = {
  id: string;
  appId: string;
  key: string;
  name: LocalizedText;
  draft?: FormSchema;
  draftRevision?: number;
  publishedVersion: number | null;
  /** The published schema as this viewer may see it (hidden fields removed). */
  schema: FormSchema | null;
  fieldAccess: Record<string, FieldAccess>;
  actions: string[];
  hasFlow: boolean;
};

export type LossyField = {
  fieldId: string;
  fromType: string;
  toType: string;
  converted: number;
  lossy: number;
  samples: Array<{ recordId: string; value: unknown }>;
};

export type PublishResult = {
  preview: boolean;
  version: number;
  diff: unknown;
  lossy: LossyField[];
  statements: string[];
};

export type FormVersion = { version: number; publishedAt: string; publishedBy: string | null };

export const formsApi = {
  list: (appId: string, signal?: AbortSignal) =>
    api.get<FormDetail[]>(`/api/apps/${appId}/forms`, { signal }),
  create: (appId: string, input: { key: string; name: LocalizedText; schema?: FormSchema }) =>
    api.post<FormDetail>(`/api/apps/${appId}/forms`, input),
  get: (formId: string, signal?: AbortSignal) =>
    api.get<FormDetail>(`/api/forms/${formId}`, { signal }),
  saveDraft: (formId: string, schema: FormSchema, revision: number | undefined) =>
    api.put<FormDetail>(`/api/forms/${formId}`, {
      schema,
      ...(revision === undefined ? {} : { revision }),
    }),
  publish: (formId: string, preview: boolean) =>
    api.post<PublishResult>(`/api/forms/${formId}/publish`, undefined, {
      query: preview ? { preview: 'true' } : undefined,
    }),
  versions: (formId: string, signal?: AbortSignal) =>
    api.get<FormVersion[]>(`/api/forms/${formId}/versions`, { signal }),
  remove: (formId: string) => api.delete(`/api/forms/${formId}`),
  /** The precompiled standalone validator of a published version (same origin, CSP-safe). */
  validatorUrl: (formId: string, version: number) =>
    `/api/forms/${formId}/versions/${version}/validator.mjs`,
};
