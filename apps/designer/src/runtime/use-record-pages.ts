import { useCallback, useEffect, useRef, useState } from 'react';
import { recordsApi, type ListQuery, type TrellisRecord } from '../api/records-api.js';

export type RecordPages = {
  readonly items: readonly TrellisRecord[];
  readonly total: number | undefined;
  readonly hasMore: boolean;
  readonly loading: boolean;
  readonly error: unknown;
  loadMore(): void;
  reload(): void;
};

const PAGE_SIZE = 200;

/** Keyset pages of a record list, appended as the reader scrolls; a new query starts over. */
export function useRecordPages(
  formId: string,
  query: Omit<ListQuery, 'cursor' | 'limit' | 'count'>,
  enabled: boolean,
): RecordPages {
  const [items, setItems] = useState<TrellisRecord[]>([]);
  const [total, setTotal] = useState<number | undefined>(undefined);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [nonce, setNonce] = useState(0);
  const generation = useRef(0);
  const busy = useRef(false);
  const key = JSON.stringify(query);

  useEffect(() => {
    if (!enabled) return undefined;
    const current = ++generation.current;
    const controller = new AbortController();
    busy.current = true;
    setLoading(true);
    setError(undefined);
    recordsApi
      .list(
        formId,
        { ...(JSON.parse(key) as ListQuery), limit: PAGE_SIZE, count: true },
        controller.signal,
      )
      .then(
        (page) => {
          if (current !== generation.current) return;
          setItems(page.items);
          setTotal(page.total);
          setCursor(page.nextCursor);
          setHasMore(page.nextCursor !== null);
        },
        (reason: unknown) => {
          if (current !== generation.current || controller.signal.aborted) return;
          setItems([]);
          setTotal(undefined);
          setHasMore(false);
          setError(reason);
        },
      )
      .finally(() => {
        if (current !== generation.current) return;
        busy.current = false;
        setLoading(false);
      });
    return () => controller.abort();
  }, [formId, key, enabled, nonce]);

  const loadMore = useCallback(() => {
    if (busy.current || cursor === null) return;
    const current = generation.current;
    busy.current = true;
    setLoading(true);
    recordsApi
      .list(formId, { ...(JSON.parse(key) as ListQuery), limit: PAGE_SIZE, cursor })
      .then(
        (page) => {
          if (current !== generation.current) return;
          setItems((list) => [...list, ...page.items]);
          setCursor(page.nextCursor);
          setHasMore(page.nextCursor !== null);
        },
        (reason: unknown) => {
          if (current === generation.current) setError(reason);
        },
      )
      .finally(() => {
        if (current !== generation.current) return;
        busy.current = false;
        setLoading(false);
      });
  }, [formId, key, cursor]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { items, total, hasMore, loading, error, loadMore, reload };
}
