import { StandardSchemaValidationPipe } from '@nestjs/common';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { ApiError, type ErrorDetail } from '../errors/api-error.js';

/** Zod (via Standard Schema) issue -> our located, coded error detail. */
export function issueToDetail(issue: StandardSchemaV1.Issue): ErrorDetail {
  const path = (issue.path ?? [])
    .map((segment) => (typeof segment === 'object' && segment !== null ? segment.key : segment))
    .map(String)
    .join('.');
  const raw = issue as StandardSchemaV1.Issue & {
    code?: string;
    keys?: string[];
    expected?: string;
    input?: unknown;
  };
  switch (raw.code) {
    case 'unrecognized_keys':
      return {
        path,
        code: 'UNKNOWN_KEY',
        message: `Unknown key(s): ${(raw.keys ?? []).join(', ')}`,
        keys: raw.keys ?? [],
      };
    case 'invalid_type':
      return raw.input === undefined
        ? { path, code: 'REQUIRED', message: 'Required' }
        : { path, code: 'INVALID_TYPE', message: issue.message };
    case 'too_small':
      return { path, code: 'TOO_SMALL', message: issue.message };
    case 'too_big':
      return { path, code: 'TOO_BIG', message: issue.message };
    case 'invalid_format':
      return { path, code: 'INVALID_FORMAT', message: issue.message };
    case 'invalid_value':
      return { path, code: 'INVALID_VALUE', message: issue.message };
    default:
      return { path, code: 'INVALID', message: issue.message };
  }
}

export function createValidationPipe(): StandardSchemaValidationPipe {
  return new StandardSchemaValidationPipe({
    transform: true,
    exceptionFactory: (issues) => ApiError.validation(issues.map(issueToDetail)),
  });
}
