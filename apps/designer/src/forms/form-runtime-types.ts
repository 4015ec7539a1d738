import type { FormSchema } from './form-schema.js';

/** visible / required / readOnly of one field for the values on screen. */
export type FieldState = {
  visible: boolean;
  required: boolean;
  readOnly: boolean;
  rows?: Array<Record<string, FieldState>>;
};

/** A value error with its message in both languages (form-engine's FormError shape). */
export type FormValueError = {
  path: string;
  code: string;
  message: string;
  messages?: { 'zh-CN': string; en: string };
  params?: Record<string, string | number | boolean>;
};

export type FormValidation =
  { ok: true; values: Record<string, unknown> } | { ok: false; errors: FormValueError[] };

export type FormUser = { id: string; departmentId?: string | null; roles?: readonly string[] };

export type FormContext = {
  locale?: string;
  mode?: 'submit' | 'draft';
  now?: string;
  timeZone?: string;
  user?: FormUser;
  stage?: string | null;
  previous?: Readonly<Record<string, unknown>>;
  permissions?: { hidden: readonly string[]; readOnly: readonly string[] };
};

/** What the form renderer needs from a compiled form (form-engine's CompiledForm). */
export type CompiledFormLike = {
  readonly schema: FormSchema;
  validate(values: unknown, ctx?: FormContext): FormValidation;
  fieldStates(
    values: Readonly<Record<string, unknown>>,
    ctx?: FormContext,
  ): Record<string, FieldState>;
  computeFormulas(
    values: Readonly<Record<string, unknown>>,
    ctx?: FormContext,
  ): Record<string, unknown>;
  initialValues(ctx?: FormContext): Record<string, unknown>;
};
