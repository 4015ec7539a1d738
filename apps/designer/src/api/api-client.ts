import { ApiProblem, problemFromBody } from './api-problem.js';
import { sessionStore, type SessionStore, type StoredSession } from './session-store.js';

export type QueryValue = string | number | boolean | null | undefined;

export type RequestOptions = {
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** JSON (serialised here), or FormData sent as multipart as it is. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** Send the access token (default true). */
  readonly auth?: boolean;
};

type TokenPair = { accessToken: string; refreshToken: string; expiresIn: number };

/** Refresh this long before the access token expires, so a request never races its expiry. */
const REFRESH_MARGIN_MS = 30_000;

export function toStoredSession(tokens: TokenPair, now = Date.now()): StoredSession {
  return {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresAt: now + tokens.expiresIn * 1000,
  };
}

export function buildUrl(path: string, query?: Readonly<Record<string, QueryValue>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const search = params.toString();
  return search === '' ? path : `${path}?${search}`;
}

/**
 * JSON over HTTP to the Trellis API: adds the access token, refreshes it once (shared by
 * concurrent requests) when it is about to expire or the server says 401, and turns every
 * non-2xx answer into an ApiProblem.
 */
export class ApiClient {
  private refreshing: Promise<boolean> | null = null;

  constructor(
    private readonly store: SessionStore,
    private readonly baseUrl = '',
  ) {}

  get<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('GET', path, options);
  }
  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('POST', path, { ...options, body });
  }
  put<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('PUT', path, { ...options, body });
  }
  patch<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('PATCH', path, { ...options, body });
  }
  delete<T = void>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('DELETE', path, options);
  }

  /**
   * The raw response of an authenticated request (a file download, an event stream): refreshed
   * and retried like `request`, a non-2xx answer still thrown as an ApiProblem.
   */
  async raw(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    await this.refreshIfExpiring();
    let response = await this.send(method, path, options, true);
    if (response.status === 401 && this.store.get() !== null) {
      if (await this.refresh()) response = await this.send(method, path, options, true);
      if (response.status === 401) this.store.set(null);
    }
    if (!response.ok) await this.read(response);
    return response;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const useAuth = options.auth !== false;
    if (useAuth) await this.refreshIfExpiring();
    let response = await this.send(method, path, options, useAuth);
    if (response.status === 401 && useAuth && this.store.get() !== null) {
      if (await this.refresh()) response = await this.send(method, path, options, useAuth);
      if (response.status === 401) this.store.set(null);
    }
    return this.read<T>(response);
  }

  /** Exchanges the refresh token for a new pair; false (and signed out) when it is refused. */
  refresh(): Promise<boolean> {
    if (this.refreshing !== null) return this.refreshing;
    const session = this.store.get();
    if (session === null) return Promise.resolve(false);
    this.refreshing = (async () => {
      try {
        const response = await this.send(
          'POST',
          '/api/auth/refresh',
          { body: { refreshToken: session.refreshToken } },
          false,
        );
        if (!response.ok) {
          // Another tab may have rotated the token meanwhile: keep its session.
          if (this.store.get()?.refreshToken === session.refreshToken) this.store.set(null);
          return this.store.get() !== null;
        }
        const tokens = (await response.json()) as TokenPair;
        this.store.set(toStoredSession(tokens));
        return true;
      } catch {
        return false;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private async refreshIfExpiring(): Promise<void> {
    const session = this.store.get();
    if (session !== null && session.expiresAt - Date.now() < REFRESH_MARGIN_MS) {
      await this.refresh();
    }
  }

  private async send(
    method: string,
    path: string,
    options: RequestOptions,
    useAuth: boolean,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    const multipart = options.body instanceof FormData;
    if (options.body !== undefined && !multipart) headers['content-type'] = 'application/json';
    const token = this.store.get()?.accessToken;
    if (useAuth && token !== undefined) headers['authorization'] = `Bearer ${token}`;
    try {
      return await fetch(this.baseUrl + buildUrl(path, options.query), {
        method,
        headers,
        body:
          options.body === undefined
            ? undefined
            : options.body instanceof FormData
              ? options.body
              : JSON.stringify(options.body),
        signal: options.signal,
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new ApiProblem({ status: 0, code: 'NETWORK', detail: String(error) });
    }
  }

  private async read<T>(response: Response): Promise<T> {
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let body: unknown = undefined;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = { detail: text.slice(0, 500) };
      }
    }
    if (!response.ok) throw problemFromBody(response.status, body);
    return body as T;
  }
}

export const api = new ApiClient(sessionStore);
