import type { FieldSchema } from '../forms/form-schema.js';
import { useI18n } from '../i18n/i18n-context.js';

/** Checkboxes for a set of field ids (required fields of a stage or a transition). */
export function FieldPicker({
  legend,
  fields,
  value,
  onChange,
  error,
  testId,
}: {
  legend: string;
  fields: readonly FieldSchema[];
  value: readonly string[];
  onChange(next: string[]): void;
  error?: readonly string[];
  testId?: string;
}) {
  const { t, text } = useI18n();
  const unknown = value.filter((id) => !fields.some((field) => field.id === id));
  return (
    <fieldset className="fieldset field-picker" data-testid={testId}>
      <legend className="field__label">{legend}</legend>
      {fields.length === 0 ? <p className="small muted">{t('flow.noFields')}</p> : null}
      <div className="field-picker__options">
        {[
          ...fields.map((field) => ({ id: field.id, label: text(field.label) || field.id })),
          ...unknown.map((id) => ({ id, label: id })),
        ].map((option) => (
          <label key={option.id} className="check">
            <input
              type="checkbox"
              checked={value.includes(option.id)}
              onChange={(event) =>
                onChange(
                  event.target.checked
                    ? [...value, option.id]
                    : value.filter((id) => id !== option.id),
                )
              }
            />
            <span>{option.label}</span>
          </label>
        ))}
      </div>
      {error !== undefined && error.length > 0 ? (
        <p className="field__error" role="alert">
          {error.join(' ')}
        </p>
      ) : null}
    </fieldset>
  );
}
