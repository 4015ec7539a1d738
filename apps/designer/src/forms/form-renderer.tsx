import { useId, useState } from 'react';
import { useI18n } from '../i18n/i18n-context.js';
import { Icon } from '../ui/icon.js';
import { FieldInput, GROUP_TYPES } from './field-input.js';
import type { FieldState } from './form-runtime-types.js';
import { resolvedLayout, placedFieldIds } from './form-layout.js';
import type { FieldSchema, FormSchema, LayoutItem, LayoutTabs } from './form-schema.js';
import './form-renderer.css';

export type FormRendererProps = {
  schema: FormSchema;
  values: Readonly<Record<string, unknown>>;
  states: Readonly<Record<string, FieldState>>;
  /** Messages to show, by field id. */
  errors: ReadonlyMap<string, readonly string[]>;
  onChange(fieldId: string, value: unknown): void;
  onBlur(fieldId: string): void;
};

const ALWAYS: FieldState = { visible: true, required: false, readOnly: false };

/** A generated form: the schema's layout (sections, columns, tabs) with one input per field. */
export function FormRenderer(props: FormRendererProps) {
  const items = resolvedLayout(props.schema);
  const byId = new Map(props.schema.fields.map((field) => [field.id, field]));
  return (
    <div className="record-form">
      <LayoutItems items={items} byId={byId} {...props} />
    </div>
  );
}

type Shared = FormRendererProps & { byId: ReadonlyMap<string, FieldSchema> };

function LayoutItems({ items, ...shared }: Shared & { items: readonly LayoutItem[] }) {
  return (
    <>
      {items.map((item) => (
        <LayoutNode
          key={item.type === 'field' ? `f:${item.fieldId}` : item.id}
          item={item}
          {...shared}
        />
      ))}
    </>
  );
}

function visibleIn(
  items: readonly LayoutItem[],
  states: Readonly<Record<string, FieldState>>,
): boolean {
  for (const id of placedFieldIds(items)) if (states[id]?.visible !== false) return true;
  return false;
}

function LayoutNode({ item, ...shared }: Shared & { item: LayoutItem }) {
  const { text } = useI18n();
  switch (item.type) {
    case 'field': {
      const field = shared.byId.get(item.fieldId);
      if (field === undefined) return null;
      const state = shared.states[field.id] ?? ALWAYS;
      if (!state.visible) return null;
      return (
        <RecordField
          field={field}
          value={shared.values[field.id]}
          state={state}
          errors={shared.errors.get(field.id) ?? []}
          onChange={(value) => shared.onChange(field.id, value)}
          onBlur={() => shared.onBlur(field.id)}
          span={item.span}
        />
      );
    }
    case 'section': {
      if (!visibleIn(item.items, shared.states)) return null;
      const columns = Math.min(4, Math.max(1, item.columns ?? 1));
      return (
        <section className="record-form__section" aria-label={text(item.title) || undefined}>
          {item.title === undefined ? null : (
            <h3 className="record-form__section-title">{text(item.title)}</h3>
          )}
          <div className={`record-form__grid record-form__grid--${columns}`}>
            <LayoutItems items={item.items} {...shared} />
          </div>
        </section>
      );
    }
    case 'columns':
      return (
        <div className="record-form__columns">
          {item.columns.map((column) => (
            <div
              key={column.id}
              className="record-form__column"
              style={{ flexGrow: column.width ?? 1 }}
            >
              <LayoutItems items={column.items} {...shared} />
            </div>
          ))}
        </div>
      );
    case 'tabs':
      return <RecordTabs item={item} {...shared} />;
  }
}

function RecordTabs({ item, ...shared }: Shared & { item: LayoutTabs }) {
  const { t, text } = useI18n();
  const baseId = useId();
  const [active, setActive] = useState(0);
  const tabs = item.tabs;
  const errorCount = (items: readonly LayoutItem[]) =>
    [...placedFieldIds(items)].reduce(
      (n, id) => n + ((shared.errors.get(id)?.length ?? 0) > 0 ? 1 : 0),
      0,
    );
  const current = Math.min(active, tabs.length - 1);
  return (
    <div className="record-form__tabs">
      <div
        className="tabs"
        role="tablist"
        onKeyDown={(event) => {
          if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
          const next = (current + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length;
          setActive(next);
          document.getElementById(`${baseId}-tab-${next}`)?.focus();
        }}
      >
        {tabs.map((tab, index) => {
          const errors = errorCount(tab.items);
          return (
            <button
              key={tab.id}
              id={`${baseId}-tab-${index}`}
              type="button"
              role="tab"
              aria-selected={index === current}
              aria-controls={`${baseId}-panel-${index}`}
              tabIndex={index === current ? 0 : -1}
              onClick={() => setActive(index)}
            >
              {text(tab.title)}
              {errors > 0 ? (
                <span
                  className="badge badge--danger"
                  aria-label={t('form.tabErrors', { count: errors })}
                >
                  {errors}
                </span>
              ) : null}
            </button>
          );
        })}
      </div>
      {tabs.map((tab, index) => (
        <div
          key={tab.id}
          id={`${baseId}-panel-${index}`}
          role="tabpanel"
          aria-labelledby={`${baseId}-tab-${index}`}
          hidden={index !== current}
          className="record-form__tab-panel"
        >
          <LayoutItems items={tab.items} {...shared} />
        </div>
      ))}
    </div>
  );
}

export function RecordField({
  field,
  value,
  state,
  errors,
  onChange,
  onBlur,
  span,
}: {
  field: FieldSchema;
  value: unknown;
  state: FieldState;
  errors: readonly string[];
  onChange(value: unknown): void;
  onBlur(): void;
  span?: number;
}) {
  const { text } = useI18n();
  const baseId = useId();
  const inputId = `${baseId}-input`;
  const labelId = `${baseId}-label`;
  const errorId = errors.length > 0 ? `${baseId}-error` : undefined;
  const help = text(field.help);
  const helpId = help === '' ? undefined : `${baseId}-help`;
  const describedBy = [errorId, helpId].filter(Boolean).join(' ') || undefined;
  const labelledOnly =
    GROUP_TYPES.has(field.type) || field.type === 'rich_text' || field.type === 'boolean';
  const labelContent = (
    <>
      {text(field.label)}
      {state.required ? (
        <span className="field__required" aria-hidden="true">
          *
        </span>
      ) : null}
    </>
  );
  return (
    <div
      className={`field record-form__field${field.type === 'sub_table' || field.type === 'rich_text' || field.type === 'textarea' ? ' record-form__field--wide' : ''}`}
      data-testid={`field-${field.id}`}
      data-span={span}
    >
      {labelledOnly ? (
        <div id={labelId} className="field__label">
          {labelContent}
        </div>
      ) : (
        <label id={labelId} htmlFor={inputId} className="field__label">
          {labelContent}
        </label>
      )}
      <FieldInput
        field={field}
        value={value}
        state={state}
        onChange={onChange}
        onBlur={onBlur}
        ids={{ inputId, labelId, describedBy, invalid: errors.length > 0 }}
      />
      {errorId === undefined ? null : (
        <div id={errorId} className="field__error" data-testid={`error-${field.id}`}>
          <Icon name="alert" />
          <span>{errors.join(' ')}</span>
        </div>
      )}
      {helpId === undefined ? null : (
        <div id={helpId} className="field__hint">
          {help}
        </div>
      )}
    </div>
  );
}
