import type { Issue } from './types.js';

/** Codes of errors the form engine throws (README rule 13). */
export type FormEngineErrorCode = 'INVALID_FORM_SCHEMA' | 'VALIDATOR_MISMATCH' | 'INVALID_CONTEXT';

/** Thrown for programming errors of the host (an invalid schema, a validator of another schema …). */
export class FormEngineError extends Error {
  readonly code: FormEngineErrorCode;
  readonly issues: readonly Issue[];
  constructor(code: FormEngineErrorCode, message: string, issues: readonly Issue[] = []) {
    super(message);
    this.name = 'FormEngineError';
    this.code = code;
    this.issues = issues;
  }
}
