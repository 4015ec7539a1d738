import { useId } from 'react';
import type {
  InputHTMLAttributes,
  ReactNode,
  SelectHTMLAttributes,
  TextareaHTMLAttributes,
} from 'react';
import { Icon } from './icon.js';

/** What a control needs to be tied to its label, hint and error. */
export type ControlProps = {
  id: string;
  'aria-invalid': boolean | undefined;
  'aria-describedby': string | undefined;
  'aria-required': boolean | undefined;
};

export type FormFieldProps = {
  label: ReactNode;
  required?: boolean;
  hint?: ReactNode;
  /** One or more messages; empty or undefined means valid. */
  error?: string | readonly string[] | undefined;
  className?: string;
  /** Use a visually hidden label (the context names the control). */
  hideLabel?: boolean;
  testId?: string;
  children: (control: ControlProps) => ReactNode;
};

export function errorList(error: string | readonly string[] | undefined): readonly string[] {
  if (error === undefined) return [];
  return typeof error === 'string' ? (error === '' ? [] : [error]) : error;
}

export function FormField({
  label,
  required,
  hint,
  error,
  className,
  hideLabel,
  testId,
  children,
}: FormFieldProps) {
  const id = useId();
  const errors = errorList(error);
  const hintId = hint === undefined ? undefined : `${id}-hint`;
  const errorId = errors.length === 0 ? undefined : `${id}-error`;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={className === undefined ? 'field' : `field ${className}`} data-testid={testId}>
      <label htmlFor={id} className={hideLabel === true ? 'visually-hidden' : 'field__label'}>
        {label}
        {required === true ? (
          <span className="field__required" aria-hidden="true">
            *
          </span>
        ) : null}
      </label>
      {children({
        id,
        'aria-invalid': errors.length > 0 || undefined,
        'aria-describedby': describedBy,
        'aria-required': required === true || undefined,
      })}
      {errorId === undefined ? null : (
        <div id={errorId} className="field__error" role="alert">
          <Icon name="alert" />
          <span>{errors.join(' ')}</span>
        </div>
      )}
      {hintId === undefined ? null : (
        <div id={hintId} className="field__hint">
          {hint}
        </div>
      )}
    </div>
  );
}

type Common = Omit<FormFieldProps, 'children'>;

export function TextField({
  label,
  required,
  hint,
  error,
  className,
  hideLabel,
  testId,
  ...input
}: Common & Omit<InputHTMLAttributes<HTMLInputElement>, 'className'>) {
  return (
    <FormField
      label={label}
      required={required}
      hint={hint}
      error={error}
      className={className}
      hideLabel={hideLabel}
      testId={testId}
    >
      {(control) => <input className="input" {...control} {...input} />}
    </FormField>
  );
}

export function TextAreaField({
  label,
  required,
  hint,
  error,
  className,
  hideLabel,
  testId,
  ...textarea
}: Common & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'className'>) {
  return (
    <FormField
      label={label}
      required={required}
      hint={hint}
      error={error}
      className={className}
      hideLabel={hideLabel}
      testId={testId}
    >
      {(control) => <textarea className="textarea" {...control} {...textarea} />}
    </FormField>
  );
}

export type SelectOption = { value: string; label: string; disabled?: boolean };

export function SelectField({
  label,
  required,
  hint,
  error,
  className,
  hideLabel,
  testId,
  options,
  placeholder,
  ...select
}: Common &
  Omit<SelectHTMLAttributes<HTMLSelectElement>, 'className'> & {
    options: readonly SelectOption[];
    placeholder?: string;
  }) {
  return (
    <FormField
      label={label}
      required={required}
      hint={hint}
      error={error}
      className={className}
      hideLabel={hideLabel}
      testId={testId}
    >
      {(control) => (
        <select className="select" {...control} {...select}>
          {placeholder === undefined ? null : <option value="">{placeholder}</option>}
          {options.map((option) => (
            <option key={option.value} value={option.value} disabled={option.disabled}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </FormField>
  );
}

export function Checkbox({
  label,
  className,
  ...input
}: { label: ReactNode; className?: string } & Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'type' | 'className'
>) {
  return (
    <label className={className === undefined ? 'check' : `check ${className}`}>
      <input type="checkbox" {...input} />
      <span>{label}</span>
    </label>
  );
}

export function Switch({
  label,
  className,
  ...input
}: { label: ReactNode; className?: string } & Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'type' | 'className' | 'role'
>) {
  return (
    <label className={className === undefined ? 'switch' : `switch ${className}`}>
      <input type="checkbox" role="switch" {...input} />
      <span>{label}</span>
    </label>
  );
}
