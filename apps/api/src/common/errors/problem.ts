import { HttpException } from '@nestjs/common';
import {
  ApiError,
  type ApiErrorCode,
  type ErrorDetail,
  httpStatusOf,
  titleOf,
} from './api-error.js';

/** RFC 9457 problem document, with our `code` and located `errors`. */
export type ProblemDocument = {
  type: string;
  title: string;
  status: number;
  code: ApiErrorCode;
  detail: string;
  errors: ErrorDetail[];
  requestId?: string;
  [extension: string]: unknown;
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

const STATUS_CODES: Record<number, ApiErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  428: 'PRECONDITION_REQUIRED',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

type PgLikeError = { code?: unknown; constraint?: unknown; detail?: unknown };

/**
 * Turns anything thrown into a problem document. Unknown errors become a 500
 * whose detail never leaks internals (they are logged by the caller).
 */
export function toProblem(
  error: unknown,
  requestId?: string,
): { problem: ProblemDocument; internal: boolean } {
  const base = (
    code: ApiErrorCode,
    detail: string,
    errors: readonly ErrorDetail[] = [],
    ext: Record<string, unknown> = {},
  ) => {
    const status = httpStatusOf(code);
    const problem: ProblemDocument = {
      ...ext,
      type: `https://trellis.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
      title: titleOf(code),
      status,
      code,
      detail,
      errors: [...errors],
    };
    if (requestId !== undefined) problem.requestId = requestId;
    return problem;
  };

  if (error instanceof ApiError) {
    return {
      problem: base(error.code, error.message, error.errors, { ...error.extensions }),
      internal: false,
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = STATUS_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
    const response = error.getResponse();
    const message =
      typeof response === 'object' &&
      response !== null &&
      'message' in response &&
      typeof response.message === 'string'
        ? response.message
        : error.message;
    return {
      problem: base(code, status >= 500 ? 'Internal error' : message),
      internal: status >= 500,
    };
  }
  const pg = error as PgLikeError;
  if (typeof pg?.code === 'string' && /^[0-9A-Z]{5}$/.test(pg.code)) {
    switch (pg.code) {
      case '23505':
        return {
          problem: base('UNIQUE_VIOLATION', 'A value that must be unique is already used'),
          internal: false,
        };
      case '40001':
      case '40P01':
        return {
          problem: base('CONFLICT', 'A concurrent change conflicted with this one; try again'),
          internal: false,
        };
      case '22P05': // \u0000 in JSON text
      case '22021': // a byte sequence PostgreSQL cannot store as text
        return {
          problem: base('BAD_REQUEST', 'Text may not contain NUL or invalid characters'),
          internal: false,
        };
      case '57014':
        return {
          problem: base('UNAVAILABLE', 'The query took too long and was cancelled'),
          internal: false,
        };
      default:
        break;
    }
  }
  if (
    typeof pg?.code === 'string' &&
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(pg.code)
  ) {
    return {
      problem: base('UNAVAILABLE', 'The database is unavailable; try again shortly'),
      internal: true,
    };
  }
  if (
    error instanceof Error &&
    /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(
      error.message,
    )
  ) {
    return {
      problem: base('UNAVAILABLE', 'The database is unavailable; try again shortly'),
      internal: true,
    };
  }
  const fastify = error as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (
    typeof fastify?.statusCode === 'number' &&
    fastify.statusCode >= 400 &&
    fastify.statusCode < 500
  ) {
    const code = STATUS_CODES[fastify.statusCode] ?? 'BAD_REQUEST';
    const message = typeof fastify.message === 'string' ? fastify.message : 'Bad request';
    return { problem: base(code, message), internal: false };
  }
  return { problem: base('INTERNAL', 'An unexpected error occurred'), internal: true };
}
