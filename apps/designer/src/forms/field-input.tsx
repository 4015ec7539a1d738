import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/i18n-context.js';
import { Button } from '../ui/button.js';
import { Icon } from '../ui/icon.js';
import {
  useChoices,
  useFieldDataSource,
  type Choice,
  type FieldDataSource,
} from './field-data-source.js';
import { FieldValue } from './field-value.js';
import type { FieldState } from './form-runtime-types.js';
import {
  DEFAULT_RATING_MAX,
  type AddressValue,
  type FieldSchema,
  type FieldType,
  type LocationValue,
} from './form-schema.js';
import { RichTextEditor } from './rich-text-editor.js';

/** Types whose control is a group (fieldset + legend) rather than one labelled input. */
export const GROUP_TYPES: ReadonlySet<FieldType> = new Set([
  'radio',
  'multi_select',
  'rating',
  'address',
  'location',
  'sub_table',
  'attachment',
  'image',
]);

export type InputIds = {
  inputId: string;
  labelId: string;
  describedBy: string | undefined;
  invalid: boolean;
};

export type FieldInputProps = {
  field: FieldSchema;
  value: unknown;
  onChange(value: unknown): void;
  onBlur(): void;
  state: FieldState;
  ids: InputIds;
};

const CURRENCY_SYMBOLS: Readonly<Record<string, string>> = {
  CNY: '¥',
  USD: '$',
  EUR: '€',
  HKD: 'HK$',
  JPY: '¥',
  GBP: '£',
};

export function currencySymbol(code: string | undefined): string {
  const currency = code ?? 'CNY';
  return CURRENCY_SYMBOLS[currency] ?? currency;
}

/** ISO instant -> the value of a datetime-local input (local wall-clock time). */
export function toLocalInput(iso: unknown): string {
  if (typeof iso !== 'string' || iso === '') return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function fromLocalInput(local: string): string | null {
  if (local === '') return null;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

const loadMembers = (source: FieldDataSource) => source.members();
const loadTeams = (source: FieldDataSource) => source.teams();

export function FieldInput({ field, value, onChange, onBlur, state, ids }: FieldInputProps) {
  const { t, text } = useI18n();
  const disabled = state.readOnly;
  const common = {
    id: ids.inputId,
    'aria-describedby': ids.describedBy,
    'aria-invalid': ids.invalid || undefined,
    'aria-required': state.required || undefined,
    onBlur,
    disabled,
    placeholder: text(field.placeholder) || undefined,
  };

  switch (field.type) {
    case 'text':
    case 'phone':
    case 'email':
    case 'url':
      return (
        <input
          {...common}
          className="input"
          type={field.type === 'text' ? 'text' : field.type === 'phone' ? 'tel' : field.type}
          inputMode={
            field.type === 'phone'
              ? 'tel'
              : field.type === 'email'
                ? 'email'
                : field.type === 'url'
                  ? 'url'
                  : undefined
          }
          autoComplete={field.type === 'phone' ? 'tel' : field.type === 'email' ? 'email' : 'off'}
          value={textOf(value)}
          onChange={(event) => onChange(event.target.value === '' ? null : event.target.value)}
        />
      );
    case 'textarea':
      return (
        <textarea
          {...common}
          className="textarea"
          rows={4}
          value={textOf(value)}
          onChange={(event) => onChange(event.target.value === '' ? null : event.target.value)}
        />
      );
    case 'rich_text':
      return (
        <RichTextEditor
          id={ids.inputId}
          labelledBy={ids.labelId}
          value={textOf(value)}
          onChange={(html) => onChange(html === '' ? null : html)}
          onBlur={onBlur}
          readOnly={disabled}
          describedBy={ids.describedBy}
          invalid={ids.invalid}
        />
      );
    case 'number':
    case 'percent':
      return (
        <div className="input-group">
          <NumberInput common={common} value={value} onChange={onChange} />
          {field.type === 'percent' ? <span className="input-group__addon">%</span> : null}
        </div>
      );
    case 'currency':
      return (
        <div className="input-group">
          <span className="input-group__addon" aria-hidden="true">
            {currencySymbol(field.currency)}
          </span>
          <input
            {...common}
            className="input"
            inputMode="decimal"
            value={textOf(value)}
            onChange={(event) =>
              onChange(event.target.value.trim() === '' ? null : event.target.value.trim())
            }
          />
        </div>
      );
    case 'date':
      return (
        <input
          {...common}
          className="input"
          type="date"
          value={textOf(value)}
          min={typeof field.min === 'string' ? field.min : undefined}
          max={typeof field.max === 'string' ? field.max : undefined}
          onChange={(event) => onChange(event.target.value === '' ? null : event.target.value)}
        />
      );
    case 'datetime':
      return (
        <input
          {...common}
          className="input"
          type="datetime-local"
          value={toLocalInput(value)}
          onChange={(event) => onChange(fromLocalInput(event.target.value))}
        />
      );
    case 'select':
      return (
        <select
          {...common}
          className="select"
          value={textOf(value)}
          onChange={(event) => onChange(event.target.value === '' ? null : event.target.value)}
        >
          <option value="">{t('fieldInput.choose')}</option>
          {(field.options ?? []).map((option) => (
            <option key={option.value} value={option.value}>
              {text(option.label)}
            </option>
          ))}
        </select>
      );
    case 'radio':
      return (
        <div
          className="choice-group"
          role="radiogroup"
          aria-labelledby={ids.labelId}
          aria-describedby={ids.describedBy}
          aria-required={state.required || undefined}
        >
          {(field.options ?? []).map((option) => (
            <label key={option.value} className="choice">
              <input
                type="radio"
                name={ids.inputId}
                value={option.value}
                checked={value === option.value}
                disabled={disabled}
                onChange={() => onChange(option.value)}
                onBlur={onBlur}
              />
              {option.color === undefined ? null : (
                <span className="color-dot" style={{ background: option.color }} />
              )}
              <span>{text(option.label)}</span>
            </label>
          ))}
        </div>
      );
    case 'multi_select': {
      const selected = Array.isArray(value) ? (value as unknown[]) : [];
      return (
        <div
          className="choice-group"
          role="group"
          aria-labelledby={ids.labelId}
          aria-describedby={ids.describedBy}
        >
          {(field.options ?? []).map((option) => (
            <label key={option.value} className="choice">
              <input
                type="checkbox"
                value={option.value}
                checked={selected.includes(option.value)}
                disabled={disabled}
                onBlur={onBlur}
                onChange={(event) => {
                  const next = event.target.checked
                    ? [...selected, option.value]
                    : selected.filter((item) => item !== option.value);
                  onChange(next.length === 0 ? null : next);
                }}
              />
              {option.color === undefined ? null : (
                <span className="color-dot" style={{ background: option.color }} />
              )}
              <span>{text(option.label)}</span>
            </label>
          ))}
        </div>
      );
    }
    case 'boolean':
      return (
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            id={ids.inputId}
            aria-describedby={ids.describedBy}
            aria-labelledby={ids.labelId}
            checked={value === true}
            disabled={disabled}
            onChange={(event) => onChange(event.target.checked)}
            onBlur={onBlur}
          />
          <span aria-hidden="true">{value === true ? t('common.yes') : t('common.no')}</span>
        </label>
      );
    case 'rating': {
      const max = typeof field.max === 'number' ? field.max : DEFAULT_RATING_MAX;
      const current = typeof value === 'number' ? value : 0;
      return (
        <div
          className="rating"
          role="radiogroup"
          aria-labelledby={ids.labelId}
          aria-describedby={ids.describedBy}
        >
          {Array.from({ length: max }, (_, index) => index + 1).map((stars) => (
            <label
              key={stars}
              className={stars <= current ? 'rating__star rating__star--on' : 'rating__star'}
            >
              <input
                type="radio"
                className="visually-hidden"
                name={ids.inputId}
                value={stars}
                checked={current === stars}
                disabled={disabled}
                onChange={() => onChange(stars)}
                onBlur={onBlur}
              />
              <Icon name="star" label={t('fieldInput.stars', { count: stars })} />
            </label>
          ))}
          {current > 0 && !disabled ? (
            <Button size="small" variant="ghost" onClick={() => onChange(null)}>
              {t('fieldInput.clear')}
            </Button>
          ) : null}
        </div>
      );
    }
    case 'user':
      return <ChoiceSelect common={common} load={loadMembers} value={value} onChange={onChange} />;
    case 'department':
      return <ChoiceSelect common={common} load={loadTeams} value={value} onChange={onChange} />;
    case 'relation':
      return <RelationPicker field={field} common={common} value={value} onChange={onChange} />;
    case 'sub_table':
      return (
        <SubTableInput
          field={field}
          value={value}
          onChange={onChange}
          disabled={disabled}
          labelId={ids.labelId}
        />
      );
    case 'address':
      return (
        <AddressInput
          value={value}
          onChange={onChange}
          onBlur={onBlur}
          disabled={disabled}
          labelId={ids.labelId}
        />
      );
    case 'location':
      return <LocationInput value={value} onChange={onChange} disabled={disabled} />;
    case 'attachment':
    case 'image':
      return (
        <div className="file-input">
          <FieldValue field={field} value={value} />
          <p className="field__hint">{t('fieldInput.uploadSoon')}</p>
        </div>
      );
    case 'serial':
    case 'formula':
    case 'lookup':
    case 'rollup':
      return (
        <div className="computed-value" id={ids.inputId} aria-describedby={ids.describedBy}>
          {value === null || value === undefined || value === '' ? (
            <span className="muted">
              {field.type === 'serial' ? t('fieldInput.autoNumber') : t('fieldInput.computed')}
            </span>
          ) : (
            <FieldValue field={field} value={value} />
          )}
        </div>
      );
  }
}

type CommonProps = {
  id: string;
  'aria-describedby': string | undefined;
  'aria-invalid': boolean | undefined;
  'aria-required': boolean | undefined;
  onBlur(): void;
  disabled: boolean;
  placeholder: string | undefined;
};

function NumberInput({
  common,
  value,
  onChange,
}: {
  common: CommonProps;
  value: unknown;
  onChange(value: unknown): void;
}) {
  // Keep what the person typed ("12." or "-") while it is not a number yet.
  const [draft, setDraft] = useState(typeof value === 'number' ? String(value) : '');
  useEffect(() => {
    setDraft((current) =>
      Number(current) === value && current !== ''
        ? current
        : typeof value === 'number'
          ? String(value)
          : '',
    );
  }, [value]);
  return (
    <input
      {...common}
      className="input"
      inputMode="decimal"
      value={draft}
      onChange={(event) => {
        const next = event.target.value.trim();
        setDraft(event.target.value);
        if (next === '') onChange(null);
        else {
          const n = Number(next);
          onChange(
            Number.isFinite(n) && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(next) ? n : next,
          );
        }
      }}
    />
  );
}

function ChoiceSelect({
  common,
  load,
  value,
  onChange,
}: {
  common: CommonProps;
  load: (source: FieldDataSource) => Promise<Choice[]>;
  value: unknown;
  onChange(value: unknown): void;
}) {
  const { t } = useI18n();
  const choices = useChoices(load);
  return (
    <select
      {...common}
      className="select"
      value={textOf(value)}
      onChange={(event) => onChange(event.target.value === '' ? null : event.target.value)}
    >
      <option value="">{t('fieldInput.choose')}</option>
      {choices.map((choice) => (
        <option key={choice.id} value={choice.id}>
          {choice.label}
        </option>
      ))}
      {textOf(value) !== '' && !choices.some((c) => c.id === value) ? (
        <option value={textOf(value)}>{textOf(value).slice(0, 8)}</option>
      ) : null}
    </select>
  );
}

function RelationPicker({
  field,
  common,
  value,
  onChange,
}: {
  field: FieldSchema;
  common: CommonProps;
  value: unknown;
  onChange(value: unknown): void;
}) {
  const { t } = useI18n();
  const source = useFieldDataSource();
  const formKey = field.relation?.formId ?? '';
  const multiple = field.relation?.multiple === true;
  const [query, setQuery] = useState('');
  const [options, setOptions] = useState<Choice[]>([]);
  const [labels, setLabels] = useState<Record<string, string>>({});
  const selected = multiple
    ? Array.isArray(value)
      ? (value as string[])
      : []
    : typeof value === 'string'
      ? [value]
      : [];

  useEffect(() => {
    let live = true;
    const timer = window.setTimeout(() => {
      source.searchRecords(formKey, query).then(
        (found) => {
          if (!live) return;
          setOptions(found);
          setLabels((current) => ({
            ...current,
            ...Object.fromEntries(found.map((c) => [c.id, c.label])),
          }));
        },
        () => live && setOptions([]),
      );
    }, 200);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [source, formKey, query]);

  const missingKey = selected.filter((id) => labels[id] === undefined).join(',');
  useEffect(() => {
    if (missingKey === '') return;
    for (const id of missingKey.split(',')) {
      void source
        .recordLabel(formKey, id)
        .then((label) => setLabels((current) => ({ ...current, [id]: label })));
    }
  }, [missingKey, source, formKey]);

  return (
    <div className="relation-picker">
      {multiple && selected.length > 0 ? (
        <ul className="chip-list list-plain">
          {selected.map((id) => (
            <li key={id} className="chip">
              <span>{labels[id] ?? id.slice(0, 8)}</span>
              {common.disabled ? null : (
                <button
                  type="button"
                  className="chip__remove"
                  aria-label={t('fieldInput.removeItem', { name: labels[id] ?? id })}
                  onClick={() => onChange(selected.filter((s) => s !== id))}
                >
                  <Icon name="close" />
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {common.disabled ? (
        multiple ? null : (
          <div className="computed-value">
            {selected[0] === undefined ? '—' : (labels[selected[0]] ?? selected[0])}
          </div>
        )
      ) : (
        <div className="relation-picker__controls">
          <input
            className="input"
            type="search"
            aria-label={t('fieldInput.searchRecords')}
            placeholder={t('fieldInput.searchRecords')}
            value={query}
            onChange={(event) => setQuery(event.target.value)}
          />
          <select
            {...common}
            className="select"
            value={multiple ? '' : (selected[0] ?? '')}
            onChange={(event) => {
              const id = event.target.value;
              if (multiple) {
                if (id !== '' && !selected.includes(id)) onChange([...selected, id]);
              } else onChange(id === '' ? null : id);
            }}
          >
            <option value="">
              {multiple ? t('fieldInput.addRecord') : t('fieldInput.choose')}
            </option>
            {options.map((option) => (
              <option key={option.id} value={option.id}>
                {option.label}
              </option>
            ))}
            {!multiple &&
            selected[0] !== undefined &&
            !options.some((o) => o.id === selected[0]) ? (
              <option value={selected[0]}>{labels[selected[0]] ?? selected[0].slice(0, 8)}</option>
            ) : null}
          </select>
        </div>
      )}
    </div>
  );
}

function SubTableInput({
  field,
  value,
  onChange,
  disabled,
  labelId,
}: {
  field: FieldSchema;
  value: unknown;
  onChange(value: unknown): void;
  disabled: boolean;
  labelId: string;
}) {
  const { t, text } = useI18n();
  const columns = field.fields ?? [];
  const rows = Array.isArray(value) ? (value as Array<Record<string, unknown>>) : [];
  const setRow = (index: number, row: Record<string, unknown>) =>
    onChange(rows.map((r, i) => (i === index ? row : r)));
  const state: FieldState = { visible: true, required: false, readOnly: disabled };
  return (
    <div className="sub-table">
      <div className="sub-table__scroll">
        <table className="table sub-table__table" aria-labelledby={labelId}>
          <thead>
            <tr>
              <th scope="col" className="sub-table__index">
                #
              </th>
              {columns.map((column) => (
                <th key={column.id} scope="col">
                  {text(column.label)}
                </th>
              ))}
              {disabled ? null : (
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={columns.length + 2} className="muted">
                  {t('fieldInput.noRows')}
                </td>
              </tr>
            ) : null}
            {rows.map((row, index) => (
              <tr key={index}>
                <td className="sub-table__index">{index + 1}</td>
                {columns.map((column) => {
                  const cellId = `${labelId}-r${index}-${column.id}`;
                  return (
                    <td key={column.id}>
                      <label htmlFor={cellId} id={`${cellId}-label`} className="visually-hidden">
                        {t('fieldInput.cellLabel', { row: index + 1, column: text(column.label) })}
                      </label>
                      <FieldInput
                        field={column}
                        value={row[column.id]}
                        state={state}
                        onBlur={() => undefined}
                        onChange={(next) => setRow(index, { ...row, [column.id]: next })}
                        ids={{
                          inputId: cellId,
                          labelId: `${cellId}-label`,
                          describedBy: undefined,
                          invalid: false,
                        }}
                      />
                    </td>
                  );
                })}
                {disabled ? null : (
                  <td>
                    <Button
                      size="small"
                      variant="ghost"
                      icon="trash"
                      iconLabel={t('fieldInput.removeRow', { row: index + 1 })}
                      onClick={() => onChange(rows.filter((_, i) => i !== index))}
                    />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {disabled ? null : (
        <Button size="small" icon="plus" onClick={() => onChange([...rows, {}])}>
          {t('fieldInput.addRow')}
        </Button>
      )}
    </div>
  );
}

function AddressInput({
  value,
  onChange,
  onBlur,
  disabled,
  labelId,
}: {
  value: unknown;
  onChange(value: unknown): void;
  onBlur(): void;
  disabled: boolean;
  labelId: string;
}) {
  const { t } = useI18n();
  const address = (typeof value === 'object' && value !== null ? value : {}) as AddressValue;
  const parts = ['province', 'city', 'district'] as const;
  const set = (key: keyof AddressValue, next: string) => {
    const updated: AddressValue = { ...address, [key]: next === '' ? null : next };
    const empty = Object.values(updated).every(
      (part) => part === null || part === undefined || part === '',
    );
    onChange(empty ? null : updated);
  };
  return (
    <div className="address-input" role="group" aria-labelledby={labelId}>
      <div className="address-input__regions">
        {parts.map((part) => (
          <input
            key={part}
            className="input"
            aria-label={t(`fieldInput.${part}`)}
            placeholder={t(`fieldInput.${part}`)}
            value={address[part] ?? ''}
            disabled={disabled}
            onBlur={onBlur}
            onChange={(event) => set(part, event.target.value)}
          />
        ))}
      </div>
      <input
        className="input"
        aria-label={t('fieldInput.detail')}
        placeholder={t('fieldInput.detail')}
        value={address.detail ?? ''}
        disabled={disabled}
        onBlur={onBlur}
        onChange={(event) => set('detail', event.target.value)}
      />
    </div>
  );
}

function LocationInput({
  value,
  onChange,
  disabled,
}: {
  value: unknown;
  onChange(value: unknown): void;
  disabled: boolean;
}) {
  const { t } = useI18n();
  const [status, setStatus] = useState<'idle' | 'locating' | 'failed'>('idle');
  const location = typeof value === 'object' && value !== null ? (value as LocationValue) : null;
  function locate() {
    if (!('geolocation' in navigator)) {
      setStatus('failed');
      return;
    }
    setStatus('locating');
    navigator.geolocation.getCurrentPosition(
      (position) => {
        setStatus('idle');
        onChange({
          lat: position.coords.latitude,
          lng: position.coords.longitude,
          accuracy: position.coords.accuracy,
          coordSystem: 'wgs84',
          capturedAt: new Date(position.timestamp).toISOString(),
        } satisfies LocationValue);
      },
      () => setStatus('failed'),
      { enableHighAccuracy: true, timeout: 15_000 },
    );
  }
  return (
    <div className="location-input">
      <div className="computed-value">
        {location === null ? (
          <span className="muted">{t('fieldInput.noLocation')}</span>
        ) : (
          <span>
            {location.lat.toFixed(5)}, {location.lng.toFixed(5)}
            {location.accuracy === null || location.accuracy === undefined
              ? ''
              : ` ±${Math.round(location.accuracy)}m`}
          </span>
        )}
      </div>
      {disabled ? null : (
        <div className="row">
          <Button size="small" icon="location" busy={status === 'locating'} onClick={locate}>
            {t('fieldInput.useMyLocation')}
          </Button>
          {location === null ? null : (
            <Button size="small" variant="ghost" onClick={() => onChange(null)}>
              {t('fieldInput.clear')}
            </Button>
          )}
        </div>
      )}
      {status === 'failed' ? (
        <p className="field__error">{t('fieldInput.locationFailed')}</p>
      ) : null}
    </div>
  );
}
