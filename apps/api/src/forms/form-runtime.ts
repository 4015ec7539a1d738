import type { ErrorDetail } from '../common/errors/api-error.js';

/** Server-side validation of record values, backed by form-engine (see form-runtime.service.ts). */
export type ValidationMode = 'submit' | 'draft';

export type ValidateInput = {
  /** The full set of values after the change (the stored values merged with a patch). */
  readonly values: Readonly<Record<string, unknown>>;
  /** The stored values when the record exists (update, submit): unchanged fields are not writes. */
  readonly previous?: Readonly<Record<string, unknown>>;
  readonly stage?: string | null;
  readonly mode: ValidationMode;
  readonly locale: string;
  readonly hidden: ReadonlySet<string>;
  readonly readOnly: ReadonlySet<string>;
  readonly now: string;
  readonly timeZone: string;
  readonly user: { readonly id: string };
  /** System fields formulas and rules may read (created_at, owner_id …); on create, as they will be stored. */
  readonly system?: Readonly<Record<string, unknown>>;
};

export type ValidateOutcome =
  | { readonly ok: true; readonly values: Record<string, unknown> }
  | { readonly ok: false; readonly errors: readonly ErrorDetail[]; readonly forbidden: boolean };

export type FormRuntime = {
  validate(input: ValidateInput): ValidateOutcome;
};
