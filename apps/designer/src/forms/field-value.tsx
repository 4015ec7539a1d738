import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/i18n-context.js';
import { Icon } from '../ui/icon.js';
import { htmlToText, SafeHtml } from '../ui/safe-html.js';
import { useChoices, useFieldDataSource, type FieldDataSource } from './field-data-source.js';
import {
  DEFAULT_RATING_MAX,
  type AddressValue,
  type FieldSchema,
  type FileValue,
  type LocationValue,
} from './form-schema.js';

const loadMembers = (source: FieldDataSource) => source.members();
const loadTeams = (source: FieldDataSource) => source.teams();

/** A `YYYY-MM-DD` date in the reader's language, without time-zone shifts. */
export function formatPlainDate(value: string, locale: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match === null) return value;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(date);
}

export function formatMoney(value: unknown, currency: string | undefined, locale: string): string {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n)) return typeof value === 'string' ? value : '';
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency: currency ?? 'CNY' }).format(
      n,
    );
  } catch {
    return `${currency ?? 'CNY'} ${n}`;
  }
}

function isFileList(value: unknown): value is FileValue[] {
  return (
    Array.isArray(value) &&
    value.every((item) => typeof item === 'object' && item !== null && 'name' in item)
  );
}

function ChoiceName({ id, kind }: { id: string; kind: 'user' | 'department' }) {
  const choices = useChoices(kind === 'user' ? loadMembers : loadTeams);
  return <>{choices.find((choice) => choice.id === id)?.label ?? id.slice(0, 8)}</>;
}

function RelationName({ formKey, id }: { formKey: string; id: string }) {
  const source = useFieldDataSource();
  const [label, setLabel] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void source.recordLabel(formKey, id).then((found) => live && setLabel(found));
    return () => {
      live = false;
    };
  }, [source, formKey, id]);
  return <>{label ?? '…'}</>;
}

/**
 * A stored value shown to a reader. `compact` is for list cells (one line, no HTML); masked
 * values (138****8000) arrive as text and are shown as they are.
 */
export function FieldValue({
  field,
  value,
  compact = false,
}: {
  field: FieldSchema;
  value: unknown;
  compact?: boolean;
}) {
  const { t, text, locale, formatDateTime, formatNumber } = useI18n();
  if (
    value === null ||
    value === undefined ||
    value === '' ||
    (Array.isArray(value) && value.length === 0)
  ) {
    return <span className="muted">—</span>;
  }
  switch (field.type) {
    case 'select':
    case 'radio':
    case 'multi_select': {
      const values = Array.isArray(value) ? value : [value];
      return (
        <span className="chip-row">
          {values.map((item) => {
            const option = (field.options ?? []).find((o) => o.value === item);
            return (
              <span key={String(item)} className="option-chip">
                {option?.color === undefined ? null : (
                  <span className="color-dot" style={{ background: option.color }} />
                )}
                {option === undefined ? String(item) : text(option.label)}
              </span>
            );
          })}
        </span>
      );
    }
    case 'boolean':
      return <>{value === true ? t('common.yes') : t('common.no')}</>;
    case 'rating': {
      const max = typeof field.max === 'number' ? field.max : DEFAULT_RATING_MAX;
      const stars = typeof value === 'number' ? value : 0;
      return (
        <span
          className="rating-display"
          role="img"
          aria-label={t('fieldInput.stars', { count: stars })}
        >
          {'★'.repeat(stars)}
          <span className="rating-display__off">{'★'.repeat(Math.max(0, max - stars))}</span>
        </span>
      );
    }
    case 'currency':
      return <span className="numeric">{formatMoney(value, field.currency, locale)}</span>;
    case 'percent':
      return (
        <span className="numeric">
          {typeof value === 'number' ? `${formatNumber(value)}%` : String(value)}
        </span>
      );
    case 'number':
      return (
        <span className="numeric">
          {typeof value === 'number' ? formatNumber(value) : String(value)}
        </span>
      );
    case 'date':
      return <>{typeof value === 'string' ? formatPlainDate(value, locale) : String(value)}</>;
    case 'datetime':
      return <>{typeof value === 'string' ? formatDateTime(value) : String(value)}</>;
    case 'rich_text':
      if (typeof value !== 'string') return null;
      return compact ? (
        <>{htmlToText(value)}</>
      ) : (
        <SafeHtml html={value} className="rich-text__display" />
      );
    case 'url':
      return !compact && typeof value === 'string' && /^https?:\/\//i.test(value) ? (
        <a href={value} target="_blank" rel="noopener noreferrer">
          {value}
        </a>
      ) : (
        <>{String(value)}</>
      );
    case 'email':
      return !compact && typeof value === 'string' && !value.includes('*') ? (
        <a href={`mailto:${value}`}>{value}</a>
      ) : (
        <>{String(value)}</>
      );
    case 'phone':
      return !compact && typeof value === 'string' && !value.includes('*') ? (
        <a href={`tel:${value.replace(/[^\d+]/g, '')}`}>{value}</a>
      ) : (
        <>{String(value)}</>
      );
    case 'user':
    case 'department':
      return typeof value === 'string' ? <ChoiceName id={value} kind={field.type} /> : null;
    case 'relation': {
      const ids = Array.isArray(value)
        ? value.filter((v): v is string => typeof v === 'string')
        : typeof value === 'string'
          ? [value]
          : [];
      return (
        <span className="chip-row">
          {ids.map((id) => (
            <span key={id} className="option-chip">
              <RelationName formKey={field.relation?.formId ?? ''} id={id} />
            </span>
          ))}
        </span>
      );
    }
    case 'sub_table': {
      const rows = Array.isArray(value) ? (value as Array<Record<string, unknown>>) : [];
      if (compact) return <>{t('fieldValue.rows', { count: rows.length })}</>;
      const columns = field.fields ?? [];
      return (
        <div className="sub-table__scroll">
          <table className="table sub-table__table">
            <thead>
              <tr>
                {columns.map((column) => (
                  <th key={column.id} scope="col">
                    {text(column.label)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row, index) => (
                <tr key={index}>
                  {columns.map((column) => (
                    <td key={column.id}>
                      <FieldValue field={column} value={row[column.id]} compact />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    }
    case 'attachment':
    case 'image': {
      if (!isFileList(value)) return <>{String(value)}</>;
      if (compact) return <>{t('fieldValue.files', { count: value.length })}</>;
      return (
        <ul className="file-list list-plain">
          {value.map((file) => (
            <li key={file.key}>
              <Icon name="form" />
              {file.url === undefined ? (
                file.name
              ) : (
                <a href={file.url} target="_blank" rel="noopener noreferrer">
                  {file.name}
                </a>
              )}
            </li>
          ))}
        </ul>
      );
    }
    case 'address': {
      const address = value as AddressValue;
      return (
        <>
          {[address.province, address.city, address.district, address.detail]
            .filter(Boolean)
            .join(' ')}
        </>
      );
    }
    case 'location': {
      const location = value as LocationValue;
      return (
        <>
          {typeof location.lat === 'number' && typeof location.lng === 'number'
            ? `${location.lat.toFixed(5)}, ${location.lng.toFixed(5)}`
            : ''}
          {location.address ? ` · ${location.address}` : ''}
        </>
      );
    }
    case 'formula':
      switch (field.resultType ?? 'number') {
        case 'number':
          return (
            <span className="numeric">
              {typeof value === 'number' ? formatNumber(value) : String(value)}
            </span>
          );
        case 'boolean':
          return <>{value === true ? t('common.yes') : t('common.no')}</>;
        case 'date':
          return (
            <>
              {typeof value === 'string'
                ? formatPlainDate(value.slice(0, 10), locale)
                : String(value)}
            </>
          );
        case 'text':
          return <>{String(value)}</>;
      }
      return null;
    default:
      return <>{typeof value === 'object' ? JSON.stringify(value) : String(value)}</>;
  }
}
