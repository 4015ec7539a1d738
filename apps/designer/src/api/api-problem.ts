/** One located problem of a problem+json document: `{ path: 'values.phone', code, message }`. */
export type ProblemError = {
  readonly path: string;
  readonly code: string;
  readonly message: string;
  /** Form-engine messages come in both languages. */
  readonly messages?: { readonly 'zh-CN'?: string; readonly en?: string };
  readonly [extension: string]: unknown;
};

/** An `application/problem+json` answer (or a network failure) as an Error. */
export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly errors: readonly ProblemError[];
  readonly body: Readonly<Record<string, unknown>>;

  constructor(init: {
    status: number;
    code: string;
    detail: string;
    errors?: readonly ProblemError[];
    body?: Readonly<Record<string, unknown>>;
  }) {
    super(init.detail);
    this.name = 'ApiProblem';
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    this.errors = init.errors ?? [];
    this.body = init.body ?? {};
  }

  /** The record version the server holds, on a 409 version conflict. */
  get currentVersion(): number | undefined {
    const direct = this.body['currentVersion'];
    if (typeof direct === 'number') return direct;
    for (const error of this.errors) {
      if (typeof error['currentVersion'] === 'number') return error['currentVersion'];
    }
    return undefined;
  }
}

export function isApiProblem(value: unknown): value is ApiProblem {
  return value instanceof ApiProblem;
}

function asString(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function parseErrors(value: unknown): ProblemError[] {
  if (!Array.isArray(value)) return [];
  const errors: ProblemError[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) continue;
    const record = item as Record<string, unknown>;
    errors.push({
      ...record,
      path: asString(record['path'], ''),
      code: asString(record['code'], 'INVALID'),
      message: asString(record['message'], ''),
    });
  }
  return errors;
}

/** Reads a problem document (or any error body) into an ApiProblem. */
export function problemFromBody(status: number, body: unknown): ApiProblem {
  const record =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : {};
  return new ApiProblem({
    status,
    code: asString(record['code'], status >= 500 ? 'INTERNAL' : 'HTTP_' + String(status)),
    detail: asString(record['detail'], asString(record['title'], `HTTP ${status}`)),
    errors: parseErrors(record['errors']),
    body: record,
  });
}

/**
 * Groups located errors by field: `prefix` is stripped (`values.` for records, `schema.` for
 * drafts) and only the first segment after it is kept (`values.items.2.qty` -> `items`), unless
 * `keepFullPath` is set.
 */
export function errorsByField(
  errors: readonly ProblemError[],
  prefix = '',
  keepFullPath = false,
): Map<string, ProblemError[]> {
  const byField = new Map<string, ProblemError[]>();
  for (const error of errors) {
    if (prefix !== '' && !error.path.startsWith(prefix)) continue;
    const rest = error.path.slice(prefix.length);
    const key = keepFullPath ? rest : (rest.split('.')[0] ?? '');
    if (key === '') continue;
    const list = byField.get(key) ?? [];
    list.push(error);
    byField.set(key, list);
  }
  return byField;
}

/** Errors no field of the screen can show (the path is empty or names nothing shown). */
export function unplacedErrors(
  errors: readonly ProblemError[],
  prefix: string,
  shownFields: ReadonlySet<string>,
): ProblemError[] {
  return errors.filter((error) => {
    if (prefix !== '' && !error.path.startsWith(prefix)) return true;
    const key = error.path.slice(prefix.length).split('.')[0] ?? '';
    return key === '' || !shownFields.has(key);
  });
}
