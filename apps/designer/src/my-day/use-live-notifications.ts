import { useCallback, useEffect, useRef, useState } from 'react';
import { meApi, type NotificationItem } from '../api/me-api.js';
import { EventStreamParser } from './event-stream.js';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

export type LiveNotifications = {
  items: readonly NotificationItem[];
  unread: number;
  status: LiveStatus;
  error: unknown;
  markRead(id: string): void;
  markAllRead(): void;
};

function isNotification(value: unknown): value is NotificationItem {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { id?: unknown }).id === 'string'
  );
}

/**
 * My notifications: the latest page, then new ones pushed by the server over SSE. The stream is
 * read with fetch (the access token goes in the Authorization header, never in the URL) and
 * reconnects with Last-Event-ID so nothing is missed.
 */
export function useLiveNotifications(): LiveNotifications {
  const [items, setItems] = useState<NotificationItem[]>([]);
  const [unread, setUnread] = useState(0);
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const [error, setError] = useState<unknown>(undefined);
  const lastId = useRef<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    let delay = 1000;

    async function connect(): Promise<void> {
      while (!signal.aborted) {
        try {
          const response = await meApi.notificationStream(signal, lastId.current);
          const reader = response.body?.getReader();
          if (reader === undefined) throw new Error('no stream body');
          setStatus('live');
          setError(undefined);
          delay = 1000;
          const decoder = new TextDecoder();
          const parser = new EventStreamParser();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            for (const event of parser.push(decoder.decode(value, { stream: true }))) {
              if (event.id !== null) lastId.current = event.id;
              let data: unknown = null;
              try {
                data = JSON.parse(event.data);
              } catch {
                continue;
              }
              if (
                event.event === 'ready' &&
                typeof (data as { unreadCount?: unknown }).unreadCount === 'number'
              )
                setUnread((data as { unreadCount: number }).unreadCount);
              if (event.event === 'notification' && isNotification(data)) {
                const incoming = data;
                setItems((list) =>
                  list.some((n) => n.id === incoming.id) ? list : [incoming, ...list],
                );
                if (incoming.readAt === null) setUnread((n) => n + 1);
              }
            }
            if (parser.retry !== null) delay = parser.retry;
          }
        } catch (caught) {
          if (signal.aborted) return;
          setError(caught);
        }
        if (signal.aborted) return;
        setStatus('reconnecting');
        await new Promise((resolve) => window.setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 30_000);
      }
    }

    meApi.notifications(signal).then(
      (page) => {
        setItems((list) => [
          ...list,
          ...page.items.filter((n) => !list.some((m) => m.id === n.id)),
        ]);
        setUnread(page.unreadCount);
        lastId.current = page.items[0]?.id ?? null;
        void connect();
      },
      (caught: unknown) => {
        if (signal.aborted) return;
        setError(caught);
        setStatus('reconnecting');
        void connect();
      },
    );
    return () => controller.abort();
  }, []);

  const markRead = useCallback((id: string) => {
    setItems((list) =>
      list.map((n) =>
        n.id === id && n.readAt === null ? { ...n, readAt: new Date().toISOString() } : n,
      ),
    );
    setUnread((n) => Math.max(0, n - 1));
    void meApi.markRead(id).catch(() => undefined);
  }, []);
  const markAllRead = useCallback(() => {
    setItems((list) =>
      list.map((n) => (n.readAt === null ? { ...n, readAt: new Date().toISOString() } : n)),
    );
    setUnread(0);
    void meApi.markAllRead().catch(() => undefined);
  }, []);
  return { items, unread, status, error, markRead, markAllRead };
}
