import { api } from './api-client.js';

export type ViewMode = 'list' | 'kanban';

/** A saved view of a form's record list (GET /api/forms/:formId/views). */
export type SavedView = {
  id: string;
  formId: string;
  name: string;
  /** Seen by everyone who may read the form; only form managers change it. */
  shared: boolean;
  ownerId: string | null;
  /** A report-engine condition, as the list's `filter` parameter. */
  filter: Record<string, unknown> | null;
  /** One field id, `-` prefixed for descending. */
  sort: string | null;
  search: string | null;
  /** Visible columns in order; null means the form's default columns. */
  columns: string[] | null;
  mode: ViewMode;
  canEdit: boolean;
  createdAt: string;
  updatedAt: string;
};

/** What a view remembers of the list. */
export type ViewContent = {
  filter: Record<string, unknown> | null;
  sort: string | null;
  search: string | null;
  columns: string[] | null;
  mode: ViewMode;
};

export type NewView = ViewContent & { name: string; shared: boolean };
export type ViewChanges = Partial<NewView>;

export const viewsApi = {
  list: (formId: string, signal?: AbortSignal) =>
    api.get<SavedView[]>(`/api/forms/${formId}/views`, { signal }),
  create: (formId: string, view: NewView) =>
    api.post<SavedView>(`/api/forms/${formId}/views`, view),
  update: (viewId: string, changes: ViewChanges) =>
    api.patch<SavedView>(`/api/views/${viewId}`, changes),
  remove: (viewId: string) => api.delete(`/api/views/${viewId}`),
};
