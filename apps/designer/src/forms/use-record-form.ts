import { useCallback, useMemo, useState } from 'react';
import type { ApiProblem, ProblemError } from '../api/api-problem.js';
import { useI18n } from '../i18n/i18n-context.js';
import { errorMessage } from '../ui/problem-notice.js';
import type { CompiledFormLike, FieldState, FormContext } from './form-runtime-types.js';
import { COMPUTED_TYPES } from './form-schema.js';

export type RecordFormController = {
  readonly values: Readonly<Record<string, unknown>>;
  readonly states: Readonly<Record<string, FieldState>>;
  /** Messages to show next to fields: as-you-type errors of touched fields, and the server's. */
  readonly errors: ReadonlyMap<string, readonly string[]>;
  /** Errors of the whole form (cross-field checks, and server errors naming no shown field). */
  readonly formErrors: readonly string[];
  readonly valid: boolean;
  readonly dirty: boolean;
  setValue(fieldId: string, value: unknown): void;
  touch(fieldId: string): void;
  /** Shows every error (a submit attempt); returns whether the values are valid. */
  attemptSubmit(): boolean;
  /** The values to send: visible, writable fields only (plus what changed, on update). */
  payload(onlyChanged?: boolean): Record<string, unknown>;
  /** Puts a server problem's located errors next to their fields. */
  showServerProblem(problem: ApiProblem): void;
  reset(values: Readonly<Record<string, unknown>>): void;
};

function firstSegment(path: string): string {
  return path.split('.')[0] ?? '';
}

/**
 * State of a record being filled: values, live field states from the compiled form, validation
 * as you type (shown once a field was touched) and the server's errors at the right fields.
 */
export function useRecordForm(
  compiled: CompiledFormLike,
  initial: Readonly<Record<string, unknown>>,
  context: Omit<FormContext, 'locale' | 'mode'> = {},
): RecordFormController {
  const i18n = useI18n();
  const [values, setValues] = useState<Readonly<Record<string, unknown>>>(initial);
  const [baseline, setBaseline] = useState<Readonly<Record<string, unknown>>>(initial);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<ReadonlyMap<string, readonly ProblemError[]>>(
    new Map(),
  );
  const [serverFormErrors, setServerFormErrors] = useState<readonly ProblemError[]>([]);

  const contextKey = JSON.stringify(context);
  const ctx = useMemo<FormContext>(
    () => ({ ...(JSON.parse(contextKey) as FormContext), locale: i18n.locale }),
    [contextKey, i18n.locale],
  );
  const withFormulas = useMemo(
    () => ({ ...values, ...compiled.computeFormulas(values, ctx) }),
    [compiled, values, ctx],
  );
  const states = useMemo(() => compiled.fieldStates(values, ctx), [compiled, values, ctx]);
  const validation = useMemo(
    () => compiled.validate(values, { ...ctx, mode: 'submit' }),
    [compiled, values, ctx],
  );

  const { errors, formErrors } = useMemo(() => {
    const byField = new Map<string, string[]>();
    const form: string[] = [];
    const fieldIds = new Set(compiled.schema.fields.map((field) => field.id));
    if (!validation.ok) {
      for (const error of validation.errors) {
        const field = firstSegment(error.path);
        const message = errorMessage(error, i18n);
        if (field === '' || !fieldIds.has(field)) {
          if (submitted) form.push(message);
        } else if (submitted || touched.has(field)) {
          byField.set(field, [...(byField.get(field) ?? []), message]);
        }
      }
    }
    for (const [field, list] of serverErrors) {
      const existing = byField.get(field) ?? [];
      for (const error of list) {
        const message = errorMessage(error, i18n);
        if (!existing.includes(message)) existing.push(message);
      }
      byField.set(field, existing);
    }
    for (const error of serverFormErrors) form.push(errorMessage(error, i18n));
    return { errors: byField as ReadonlyMap<string, readonly string[]>, formErrors: form };
  }, [validation, submitted, touched, serverErrors, serverFormErrors, compiled, i18n]);

  const setValue = useCallback((fieldId: string, value: unknown) => {
    setValues((current) => ({ ...current, [fieldId]: value }));
    setServerErrors((current) => {
      if (!current.has(fieldId)) return current;
      const next = new Map(current);
      next.delete(fieldId);
      return next;
    });
  }, []);

  const touch = useCallback((fieldId: string) => {
    setTouched((current) => (current.has(fieldId) ? current : new Set([...current, fieldId])));
  }, []);

  const payload = useCallback(
    (onlyChanged = false) => {
      const out: Record<string, unknown> = {};
      for (const field of compiled.schema.fields) {
        const state = states[field.id];
        if (COMPUTED_TYPES.has(field.type) || state?.readOnly === true || state?.visible === false)
          continue;
        const value = values[field.id];
        if (value === undefined) continue;
        if (onlyChanged && JSON.stringify(value) === JSON.stringify(baseline[field.id])) continue;
        out[field.id] = value;
      }
      return out;
    },
    [compiled, states, values, baseline],
  );

  const showServerProblem = useCallback(
    (problem: ApiProblem) => {
      const fieldIds = new Set(compiled.schema.fields.map((field) => field.id));
      const byField = new Map<string, ProblemError[]>();
      const form: ProblemError[] = [];
      for (const error of problem.errors) {
        const path = error.path.startsWith('values.')
          ? error.path.slice('values.'.length)
          : error.path;
        const field = firstSegment(path);
        if (fieldIds.has(field)) byField.set(field, [...(byField.get(field) ?? []), error]);
        else form.push(error);
      }
      setServerErrors(byField);
      setServerFormErrors(form);
      setSubmitted(true);
    },
    [compiled],
  );

  const reset = useCallback((next: Readonly<Record<string, unknown>>) => {
    setValues(next);
    setBaseline(next);
    setTouched(new Set());
    setSubmitted(false);
    setServerErrors(new Map());
    setServerFormErrors([]);
  }, []);

  return {
    values: withFormulas,
    states,
    errors,
    formErrors,
    valid: validation.ok,
    dirty: JSON.stringify(values) !== JSON.stringify(baseline),
    setValue,
    touch,
    attemptSubmit: () => {
      setSubmitted(true);
      setServerFormErrors([]);
      return validation.ok;
    },
    payload,
    showServerProblem,
    reset,
  };
}
