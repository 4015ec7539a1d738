import { useState } from 'react';
import type { FieldSchema } from '../forms/form-schema.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';
import { Button } from '../ui/button.js';
import {
  filterKindOf,
  OPERATORS_BY_KIND,
  operatorNeedsValue,
  type FilterCondition,
  type FilterOperator,
} from './list-filter.js';

export const OPERATOR_LABELS: Readonly<Record<FilterOperator, MessageKey>> = {
  eq: 'filter.op.eq',
  neq: 'filter.op.neq',
  contains: 'filter.op.contains',
  gt: 'filter.op.gt',
  gte: 'filter.op.gte',
  lt: 'filter.op.lt',
  lte: 'filter.op.lte',
  empty: 'filter.op.empty',
  not_empty: 'filter.op.notEmpty',
};

/** Conditions that must all hold: field, operator and value per line. */
export function FilterPanel({
  id,
  fields,
  value,
  onApply,
  onClose,
}: {
  id: string;
  fields: readonly FieldSchema[];
  value: readonly FilterCondition[];
  onApply(conditions: FilterCondition[]): void;
  onClose(): void;
}) {
  const { t, text } = useI18n();
  const filterable = fields.filter((field) => filterKindOf(field) !== undefined);
  const [rows, setRows] = useState<FilterCondition[]>(value.length > 0 ? [...value] : []);

  const update = (index: number, patch: Partial<FilterCondition>) =>
    setRows((current) => current.map((row, i) => (i === index ? { ...row, ...patch } : row)));

  function addRow() {
    const first = filterable[0];
    if (first === undefined) return;
    const kind = filterKindOf(first) ?? 'text';
    setRows((current) => [...current, { field: first.id, op: OPERATORS_BY_KIND[kind][0] ?? 'eq' }]);
  }

  return (
    <section id={id} className="filter-panel card" aria-label={t('records.filter')}>
      <div className="filter-panel__rows">
        {rows.length === 0 ? <p className="muted small">{t('filter.none')}</p> : null}
        {rows.map((row, index) => {
          const field = filterable.find((f) => f.id === row.field);
          const kind = field === undefined ? 'text' : (filterKindOf(field) ?? 'text');
          const operators = OPERATORS_BY_KIND[kind];
          return (
            <div key={index} className="filter-row" data-testid="filter-row">
              <select
                className="select"
                aria-label={t('filter.field')}
                value={row.field}
                onChange={(event) => {
                  const next = filterable.find((f) => f.id === event.target.value);
                  const nextKind = next === undefined ? 'text' : (filterKindOf(next) ?? 'text');
                  update(index, {
                    field: event.target.value,
                    op: OPERATORS_BY_KIND[nextKind][0] ?? 'eq',
                    value: undefined,
                  });
                }}
              >
                {filterable.map((f) => (
                  <option key={f.id} value={f.id}>
                    {text(f.label)}
                  </option>
                ))}
              </select>
              <select
                className="select"
                aria-label={t('filter.operator')}
                value={row.op}
                onChange={(event) => update(index, { op: event.target.value as FilterOperator })}
              >
                {operators.map((op) => (
                  <option key={op} value={op}>
                    {t(OPERATOR_LABELS[op])}
                  </option>
                ))}
              </select>
              {operatorNeedsValue(row.op) && field !== undefined ? (
                <FilterValueInput
                  field={field}
                  value={row.value}
                  onChange={(next) => update(index, { value: next })}
                />
              ) : (
                <span />
              )}
              <Button
                size="small"
                variant="ghost"
                icon="trash"
                iconLabel={t('filter.remove')}
                onClick={() => setRows((current) => current.filter((_, i) => i !== index))}
              />
            </div>
          );
        })}
      </div>
      <div className="filter-panel__actions">
        <Button size="small" icon="plus" onClick={addRow} disabled={filterable.length === 0}>
          {t('filter.add')}
        </Button>
        <div className="grow" />
        <Button
          size="small"
          variant="ghost"
          onClick={() => {
            setRows([]);
            onApply([]);
          }}
        >
          {t('filter.clear')}
        </Button>
        <Button size="small" variant="ghost" onClick={onClose}>
          {t('common.close')}
        </Button>
        <Button size="small" variant="primary" onClick={() => onApply(rows)}>
          {t('filter.apply')}
        </Button>
      </div>
    </section>
  );
}

function FilterValueInput({
  field,
  value,
  onChange,
}: {
  field: FieldSchema;
  value: unknown;
  onChange(value: unknown): void;
}) {
  const { t, text } = useI18n();
  const kind = filterKindOf(field);
  const label = t('filter.value');
  if (kind === 'choice' || kind === 'multi') {
    return (
      <select
        className="select"
        aria-label={label}
        value={typeof value === 'string' ? value : ''}
        onChange={(e) => onChange(e.target.value)}
      >
        <option value="">{t('fieldInput.choose')}</option>
        {(field.options ?? []).map((option) => (
          <option key={option.value} value={option.value}>
            {text(option.label)}
          </option>
        ))}
      </select>
    );
  }
  if (kind === 'boolean') {
    return (
      <select
        className="select"
        aria-label={label}
        value={value === true ? 'true' : value === false ? 'false' : ''}
        onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value === 'true')}
      >
        <option value="">{t('fieldInput.choose')}</option>
        <option value="true">{t('common.yes')}</option>
        <option value="false">{t('common.no')}</option>
      </select>
    );
  }
  if (kind === 'number') {
    return (
      <input
        className="input"
        aria-label={label}
        inputMode="decimal"
        value={typeof value === 'number' ? String(value) : typeof value === 'string' ? value : ''}
        onChange={(e) => {
          const n = Number(e.target.value);
          onChange(
            e.target.value.trim() === ''
              ? undefined
              : Number.isFinite(n)
                ? field.type === 'currency'
                  ? e.target.value.trim()
                  : n
                : e.target.value,
          );
        }}
      />
    );
  }
  if (kind === 'date') {
    return (
      <input
        className="input"
        aria-label={label}
        type="date"
        value={typeof value === 'string' ? value : ''}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return (
    <input
      className="input"
      aria-label={label}
      value={typeof value === 'string' ? value : ''}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}
