import { api } from './api-client.js';

export type TaskItem = {
  id: string;
  title: string;
  description: string | null;
  status: 'open' | 'done' | 'cancelled';
  dueAt: string | null;
  assigneeMemberId: string | null;
  related: { appId: string | null; formId: string | null; recordId: string | null } | null;
  source: string;
  createdAt: string;
  doneAt: string | null;
};

export type NotificationItem = {
  id: string;
  kind: string;
  title: string;
  body: string | null;
  link: Record<string, unknown> | null;
  readAt: string | null;
  createdAt: string;
};

export type NotificationPage = {
  items: NotificationItem[];
  unreadCount: number;
  nextCursor: string | null;
};

export const meApi = {
  tasks: (status: 'open' | 'done' | 'all', signal?: AbortSignal) =>
    api.get<TaskItem[]>('/api/me/tasks', { query: { status }, signal }),
  completeTask: (id: string) => api.post<TaskItem>(`/api/me/tasks/${id}/done`),
  notifications: (signal?: AbortSignal) =>
    api.get<NotificationPage>('/api/me/notifications', { query: { limit: 30 }, signal }),
  markRead: (id: string) => api.post<NotificationItem>(`/api/me/notifications/${id}/read`),
  markAllRead: () => api.post<{ updated: number }>('/api/me/notifications/read-all'),
  /** The live stream (text/event-stream), authenticated with the Authorization header. */
  notificationStream: (signal: AbortSignal, lastEventId: string | null) =>
    api.raw('GET', '/api/me/notifications/stream', {
      signal,
      headers: {
        accept: 'text/event-stream',
        ...(lastEventId === null ? {} : { 'last-event-id': lastEventId }),
      },
    }),
};
