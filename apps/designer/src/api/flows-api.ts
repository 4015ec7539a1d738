import type { AvailableTransition, Refusal } from '@trellis/flow-engine';
import { api } from './api-client.js';
import type { RecordValues, TrellisRecord } from './records-api.js';

/** GET/PUT /api/forms/:formId/flow: the draft as saved (raw JSON) and the published definition. */
export type FlowDocument = {
  formId: string;
  draft: unknown;
  publishedVersion: number | null;
  definition: unknown;
};

export type { AvailableTransition, Refusal };

/** A move on the kanban or a transition button: by target stage or by event name. */
export type TransitionRequest = ({ to: string } | { event: string }) & {
  values?: RecordValues;
  comment?: string;
  version?: number;
};

export const flowsApi = {
  get: (formId: string, signal?: AbortSignal) =>
    api.get<FlowDocument>(`/api/forms/${formId}/flow`, { signal }),
  save: (formId: string, definition: unknown) =>
    api.put<FlowDocument>(`/api/forms/${formId}/flow`, { definition }),
  publish: (formId: string) => api.post<FlowDocument>(`/api/forms/${formId}/flow/publish`),
  available: (formId: string, recordId: string, signal?: AbortSignal) =>
    api.get<AvailableTransition[]>(`/api/forms/${formId}/records/${recordId}/transitions`, {
      signal,
    }),
  fire: (formId: string, recordId: string, request: TransitionRequest) =>
    api.post<TrellisRecord>(`/api/forms/${formId}/records/${recordId}/transitions`, request),
};
