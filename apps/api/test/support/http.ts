export type HttpResponse<T = unknown> = { status: number; body: T; headers: Headers };

export type RequestOptions = {
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
};

/** A tiny fetch-based client for tests: JSON in, JSON (or problem+json) out. */
export class HttpClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | null = null,
  ) {}

  as(token: string | null): HttpClient {
    return new HttpClient(this.baseUrl, token);
  }

  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? this.token : options.token;
    if (token !== null) headers['authorization'] = `Bearer ${token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    if (/json/.test(response.headers.get('content-type') ?? '') && text !== '')
      parsed = JSON.parse(text);
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  get<T = unknown>(path: string, options?: RequestOptions) {
    return this.request<T>('GET', path, options);
  }
  post<T = unknown>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('POST', path, { ...options, body });
  }
  put<T = unknown>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('PUT', path, { ...options, body });
  }
  patch<T = unknown>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('PATCH', path, { ...options, body });
  }
  delete<T = unknown>(path: string, options?: RequestOptions) {
    return this.request<T>('DELETE', path, options);
  }
}

export type Problem = {
  code: string;
  status: number;
  detail: string;
  errors: Array<{ path: string; code: string; message: string }>;
};

export type Session = {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string; name: string };
  workspace: { id: string; name: string };
  member: { id: string; isOwner: boolean };
  isInstanceOwner: boolean;
};
