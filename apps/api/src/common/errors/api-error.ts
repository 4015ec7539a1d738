/**
 * Every error the API answers with has a code from this list. The HTTP status
 * comes from one exhaustive switch, so adding a code without deciding its
 * status does not compile.
 */
export type ApiErrorCode =
  | 'VALIDATION_FAILED'
  | 'BAD_REQUEST'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT'
  | 'VERSION_CONFLICT'
  | 'UNIQUE_VIOLATION'
  | 'TRANSITION_REFUSED'
  | 'PRECONDITION_REQUIRED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

/** One located problem: `{ path: 'fields.2.options', code: 'DUPLICATE_VALUE', message }`. */
export type ErrorDetail = {
  readonly path: string;
  readonly code: string;
  readonly message: string;
  readonly [extra: string]: unknown;
};

export function httpStatusOf(code: ApiErrorCode): number {
  switch (code) {
    case 'VALIDATION_FAILED':
    case 'BAD_REQUEST':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'METHOD_NOT_ALLOWED':
      return 405;
    case 'CONFLICT':
    case 'VERSION_CONFLICT':
    case 'UNIQUE_VIOLATION':
    case 'TRANSITION_REFUSED':
      return 409;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 415;
    case 'PRECONDITION_REQUIRED':
      return 428;
    case 'RATE_LIMITED':
      return 429;
    case 'UNAVAILABLE':
      return 503;
    case 'INTERNAL':
      return 500;
    default:
      return assertNever(code);
  }
}

export function titleOf(code: ApiErrorCode): string {
  switch (code) {
    case 'VALIDATION_FAILED':
      return 'The request has invalid values';
    case 'BAD_REQUEST':
      return 'The request is malformed';
    case 'UNAUTHENTICATED':
      return 'Sign-in required';
    case 'FORBIDDEN':
      return 'Not allowed';
    case 'NOT_FOUND':
      return 'Not found';
    case 'METHOD_NOT_ALLOWED':
      return 'Method not allowed';
    case 'CONFLICT':
      return 'Conflict';
    case 'VERSION_CONFLICT':
      return 'The record was changed by someone else';
    case 'UNIQUE_VIOLATION':
      return 'A value must be unique';
    case 'TRANSITION_REFUSED':
      return 'The stage change is not possible';
    case 'PRECONDITION_REQUIRED':
      return 'A version precondition is required';
    case 'PAYLOAD_TOO_LARGE':
      return 'The request is too large';
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 'Unsupported media type';
    case 'RATE_LIMITED':
      return 'Too many requests';
    case 'UNAVAILABLE':
      return 'Service unavailable';
    case 'INTERNAL':
      return 'Internal error';
    default:
      return assertNever(code);
  }
}

export function assertNever(value: never): never {
  throw new Error(`Unhandled case: ${String(value)}`);
}

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly errors: readonly ErrorDetail[];
  /** Extra members of the problem document (for example `currentVersion`). */
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(
    code: ApiErrorCode,
    message: string,
    errors: readonly ErrorDetail[] = [],
    extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.errors = errors;
    this.extensions = extensions;
  }

  get status(): number {
    return httpStatusOf(this.code);
  }

  static validation(
    errors: readonly ErrorDetail[],
    message = 'The request has invalid values',
  ): ApiError {
    return new ApiError('VALIDATION_FAILED', message, errors);
  }

  static notFound(what: string): ApiError {
    return new ApiError('NOT_FOUND', `${what} not found`);
  }

  static forbidden(message: string, errors: readonly ErrorDetail[] = []): ApiError {
    return new ApiError('FORBIDDEN', message, errors);
  }
}

/** "At fields.2.options: duplicate value". */
export function formatDetail(detail: ErrorDetail): string {
  return detail.path === '' ? detail.message : `At ${detail.path}: ${detail.message}`;
}
