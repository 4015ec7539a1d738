import { api } from './api-client.js';

export type RecordValues = Record<string, unknown>;

export type TrellisRecord = {
  id: string;
  formId: string;
  version: number;
  ownerId: string | null;
  createdBy?: string | null;
  createdAt: string;
  updatedAt?: string;
  stage: string | null;
  stageEnteredAt?: string | null;
  isDraft?: boolean;
  submittedAt?: string | null;
  deletedAt?: string | null;
  values: RecordValues;
  /** Fields whose values are masked for this viewer. */
  masked: string[];
};

export type RecordPage = { items: TrellisRecord[]; nextCursor: string | null; total?: number };

export type HistoryEntry = {
  id: string;
  version: number;
  kind: string;
  actorMemberId: string | null;
  at: string;
  changes: Array<{ field: string; from: unknown; to: unknown }>;
  detail?: unknown;
};

export type ListQuery = {
  filter?: unknown;
  /** A field id, `-` prefixed for descending. */
  sort?: string;
  q?: string;
  limit?: number;
  cursor?: string | null;
  count?: boolean;
  deleted?: boolean;
};

const base = (formId: string) => `/api/forms/${formId}/records`;

export const recordsApi = {
  list: (formId: string, query: ListQuery, signal?: AbortSignal) =>
    api.get<RecordPage>(base(formId), {
      signal,
      query: {
        filter: query.filter === undefined ? undefined : JSON.stringify(query.filter),
        sort: query.sort,
        q: query.q,
        limit: query.limit,
        cursor: query.cursor,
        count: query.count === true ? 'true' : undefined,
        deleted: query.deleted === true ? 'true' : undefined,
      },
    }),
  create: (formId: string, values: RecordValues, draft = false) =>
    api.post<TrellisRecord>(base(formId), { values, ...(draft ? { draft: true } : {}) }),
  get: (formId: string, recordId: string, signal?: AbortSignal) =>
    api.get<TrellisRecord>(`${base(formId)}/${recordId}`, { signal }),
  update: (formId: string, recordId: string, values: RecordValues, version: number) =>
    api.patch<TrellisRecord>(
      `${base(formId)}/${recordId}`,
      { values },
      { headers: { 'if-match': `"${version}"` } },
    ),
  remove: (formId: string, recordId: string) => api.delete(`${base(formId)}/${recordId}`),
  restore: (formId: string, recordId: string) =>
    api.post<TrellisRecord>(`${base(formId)}/${recordId}/restore`),
  submit: (formId: string, recordId: string) =>
    api.post<TrellisRecord>(`${base(formId)}/${recordId}/submit`),
  history: (formId: string, recordId: string, signal?: AbortSignal) =>
    api.get<HistoryEntry[]>(`${base(formId)}/${recordId}/history`, { signal }),
};
