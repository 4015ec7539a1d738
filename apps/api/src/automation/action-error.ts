import { RuleError } from '@trellis/rule-engine';
import { ApiError, formatDetail } from '../common/errors/api-error.js';
import { OutboundRefusedError } from '../webhooks/outbound-guard.js';

/** A rule action that cannot be performed; `permanent` ones are not retried (they need a fix, then a replay). */
export class ActionError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly permanent = true,
  ) {
    super(message);
    this.name = 'ActionError';
  }
}

export type ClassifiedError = { code: string; message: string; permanent: boolean };

const TRANSIENT_API = new Set(['VERSION_CONFLICT', 'UNAVAILABLE', 'INTERNAL', 'RATE_LIMITED']);
const TRANSIENT_PG = /^(08|40|53|57)/; // connection, serialization/deadlock, resources, operator intervention

/** What went wrong, in words an admin can act on, and whether a retry may help. */
export function classifyError(error: unknown): ClassifiedError {
  if (error instanceof ActionError)
    return { code: error.code, message: error.message, permanent: error.permanent };
  if (error instanceof ApiError) {
    const details = error.errors.map(formatDetail).join('; ');
    return {
      code: error.code,
      message: details === '' ? error.message : `${error.message}: ${details}`,
      permanent: !TRANSIENT_API.has(error.code),
    };
  }
  if (error instanceof RuleError)
    return { code: error.code.toUpperCase(), message: error.message, permanent: true };
  if (error instanceof OutboundRefusedError)
    return { code: error.code, message: error.message, permanent: true };
  const pg = error as { code?: unknown; message?: unknown };
  if (typeof pg.code === 'string' && /^[0-9A-Z]{5}$/.test(pg.code))
    return {
      code: `PG_${pg.code}`,
      message: String(pg.message ?? 'database error'),
      permanent: !TRANSIENT_PG.test(pg.code),
    };
  return {
    code: 'ERROR',
    message: error instanceof Error ? error.message : String(error),
    permanent: false,
  };
}
