import type { ReactNode } from 'react';
import { useState } from 'react';
import { ConditionBuilder } from '../conditions/condition-builder.js';
import { FieldInput } from '../forms/field-input.js';
import {
  COMPUTED_TYPES,
  FIELD_ID_PATTERN,
  FIELD_TYPES,
  LENGTH_TYPES,
  OPTION_TYPES,
  PATTERN_TYPES,
  rangeKindOf,
  SUB_TABLE_TYPES,
  SYSTEM_FIELD_IDS,
  UNIQUE_TYPES,
  type FieldSchema,
  type FieldType,
  type JsonLogic,
  type LayoutColumns,
  type LayoutItem,
  type LayoutSection,
  type LayoutTabs,
  type RollupAggregate,
} from '../forms/form-schema.js';
import { bilingual } from '../i18n/bilingual.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';
import { Button } from '../ui/button.js';
import { Checkbox, SelectField, TextField } from '../ui/form-field.js';
import { Icon } from '../ui/icon.js';
import { Notice } from '../ui/problem-notice.js';
import { useDesigner } from './designer-context.js';
import { createField, NEW_FIELD_LABELS } from './field-factory.js';
import { FieldGlyph } from './field-glyph.js';
import { FieldPermissions } from './field-permissions.js';
import { FIELD_TYPE_META } from './field-type-meta.js';
import { FormulaEditor } from './formula-editor.js';
import {
  canPlace,
  findItem,
  listContainers,
  locate,
  newContainerId,
  ROOT,
} from './layout-model.js';
import { LocalizedInput } from './localized-input.js';
import { OptionsEditor } from './options-editor.js';

export type AppFormChoice = { key: string; label: string; fields?: readonly FieldSchema[] };

function PanelSection({
  title,
  children,
  defaultOpen = true,
}: {
  title: string;
  children: ReactNode;
  defaultOpen?: boolean;
}) {
  return (
    <details className="panel-section" open={defaultOpen}>
      <summary className="panel-section__title">{title}</summary>
      <div className="panel-section__body">{children}</div>
    </details>
  );
}

/** Settings of what is selected on the canvas: a field, a container, or the form itself. */
export function PropertiesPanel({ appForms }: { appForms: readonly AppFormChoice[] }) {
  const { t } = useI18n();
  const designer = useDesigner();
  const selected = designer.state.selected;
  const items = designer.state.schema.layout?.items ?? [];
  let body: ReactNode;
  if (selected === null) body = <FormProperties />;
  else if (selected.startsWith('field:')) {
    const field = designer.state.schema.fields.find((entry) => `field:${entry.id}` === selected);
    body =
      field === undefined ? (
        <FormProperties />
      ) : (
        <FieldProperties key={field.id} field={field} appForms={appForms} />
      );
  } else {
    const item = findItem(items, selected);
    body =
      item === undefined || item.type === 'field' ? (
        <FormProperties />
      ) : (
        <ContainerProperties key={item.id} item={item} />
      );
  }
  return (
    <aside className="properties" aria-label={t('designer.properties')}>
      {body}
    </aside>
  );
}

function FormProperties() {
  const { t } = useI18n();
  const designer = useDesigner();
  const schema = designer.state.schema;
  const formIssues = designer.issues.get('') ?? [];
  return (
    <div className="properties__content">
      <h2 className="properties__title">{t('designer.formSettings')}</h2>
      {formIssues.length > 0 ? (
        <Notice tone="error" title={t('designer.formIssues')}>
          <ul>
            {formIssues.map((issue) => (
              <li key={issue}>{issue}</li>
            ))}
          </ul>
        </Notice>
      ) : null}
      <LocalizedInput
        label={t('designer.formName')}
        required
        value={schema.name}
        onChange={(name) => designer.dispatch({ type: 'updateForm', name: name ?? '' })}
      />
      <p className="small muted">{t('designer.fieldCount', { count: schema.fields.length })}</p>
      <div className="properties__help" id="designer-keyboard-help-panel">
        <h3 className="field__label">{t('designer.keyboardTitle')}</h3>
        <ul className="small muted">
          <li>{t('designer.keyboard1')}</li>
          <li>{t('designer.keyboard2')}</li>
          <li>{t('designer.keyboard3')}</li>
          <li>{t('designer.keyboard4')}</li>
        </ul>
      </div>
    </div>
  );
}

function MoveTo({ itemKeyValue, label }: { itemKeyValue: string; label: string }) {
  const { t, text } = useI18n();
  const designer = useDesigner();
  const items = designer.state.schema.layout?.items ?? [];
  const item = findItem(items, itemKeyValue);
  const at = locate(items, itemKeyValue);
  if (item === undefined || at === null) return null;
  const names = new Map<string, string>();
  const walk = (list: readonly LayoutItem[]) => {
    for (const entry of list) {
      if (entry.type === 'section') {
        names.set(entry.id, text(entry.title) || t('designer.section'));
        walk(entry.items);
      } else if (entry.type === 'columns') {
        entry.columns.forEach((column, index) => {
          names.set(column.id, t('designer.columnN', { n: index + 1 }));
          walk(column.items);
        });
      } else if (entry.type === 'tabs') {
        entry.tabs.forEach((tab, index) => {
          names.set(
            tab.id,
            `${t('designer.tabs')} · ${text(tab.title) || t('designer.tabN', { n: index + 1 })}`,
          );
          walk(tab.items);
        });
      }
    }
  };
  walk(items);
  const options = listContainers(items)
    .filter((container) => container.id !== at.containerId && canPlace(items, item, container.id))
    .map((container) => ({
      value: container.id,
      label: `${'· '.repeat(container.depth)}${container.id === ROOT ? t('designer.topLevel') : (names.get(container.id) ?? container.id)}`,
    }));
  if (options.length === 0) return null;
  return (
    <SelectField
      label={t('designer.moveTo')}
      value=""
      placeholder={t('designer.moveToPlaceholder')}
      options={options}
      onChange={(event) => {
        const target = event.target.value;
        if (target === '') return;
        const length = target === ROOT ? items.length : Number.MAX_SAFE_INTEGER;
        designer.move(itemKeyValue, target, length);
        designer.announce(
          t('designer.movedTo', {
            name: label,
            target: options.find((o) => o.value === target)?.label.replace(/^(· )+/, '') ?? target,
          }),
        );
      }}
    />
  );
}

type RuleMode = 'never' | 'always' | 'when';

function ruleMode(value: boolean | JsonLogic | undefined): RuleMode {
  if (value === undefined || value === false) return 'never';
  if (value === true) return 'always';
  return 'when';
}

function RuleEditor({
  label,
  modes,
  value,
  fields,
  onChange,
  testId,
}: {
  label: string;
  modes: ReadonlyArray<{ mode: RuleMode; label: string }>;
  value: boolean | JsonLogic | undefined;
  fields: readonly FieldSchema[];
  onChange(value: boolean | JsonLogic | undefined): void;
  testId: string;
}) {
  const { t } = useI18n();
  const mode = ruleMode(value);
  return (
    <fieldset className="fieldset rule-editor" data-testid={testId}>
      <legend>{label}</legend>
      <div className="segmented rule-editor__modes" role="radiogroup" aria-label={label}>
        {modes.map((entry) => (
          <button
            key={entry.mode}
            type="button"
            role="radio"
            aria-checked={mode === entry.mode}
            aria-pressed={mode === entry.mode}
            onClick={() =>
              onChange(
                entry.mode === 'never'
                  ? undefined
                  : entry.mode === 'always'
                    ? true
                    : mode === 'when'
                      ? value
                      : { '!!': { var: fields[0]?.id ?? '' } },
              )
            }
            data-testid={`${testId}-${entry.mode}`}
          >
            {entry.label}
          </button>
        ))}
      </div>
      {mode === 'when' ? (
        <ConditionBuilder
          label={t('designer.conditionFor', { rule: label })}
          fields={fields}
          value={value}
          onChange={(logic) => onChange(logic ?? { '!!': { var: fields[0]?.id ?? '' } })}
          testId={`${testId}-condition`}
        />
      ) : null}
    </fieldset>
  );
}

function numberOrUndefined(raw: string): number | undefined {
  if (raw.trim() === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

function FieldProperties({
  field,
  appForms,
}: {
  field: FieldSchema;
  appForms: readonly AppFormChoice[];
}) {
  const { t, text } = useI18n();
  const designer = useDesigner();
  const schema = designer.state.schema;
  const publishedField = designer.publishedFields.get(field.id);
  const published = publishedField !== undefined;
  const [idDraft, setIdDraft] = useState(field.id);
  const [idError, setIdError] = useState<string | undefined>(undefined);
  const label = text(field.label) || field.id;
  const others = schema.fields.filter((entry) => entry.id !== field.id);
  const update = (patch: Partial<FieldSchema>) =>
    designer.dispatch({
      type: 'updateField',
      id: field.id,
      update: (current) => {
        const next: FieldSchema = { ...current, ...patch };
        for (const [key, value] of Object.entries(patch))
          if (value === undefined) delete (next as Record<string, unknown>)[key];
        return next;
      },
    });
  const issues = designer.issues.get(field.id) ?? [];
  const range = rangeKindOf(field.type, field.relation?.multiple === true);
  const relationFields = others.filter((entry) => entry.type === 'relation');

  function commitId() {
    const next = idDraft.trim();
    if (next === field.id) return setIdError(undefined);
    if (!FIELD_ID_PATTERN.test(next)) return setIdError(t('designer.idRule'));
    if (SYSTEM_FIELD_IDS.has(next)) return setIdError(t('designer.idReserved'));
    if (schema.fields.some((entry) => entry.id === next)) return setIdError(t('designer.idTaken'));
    setIdError(undefined);
    designer.dispatch({ type: 'renameField', from: field.id, to: next });
  }

  function changeType(type: FieldType) {
    const template = createField(type, [], { ...NEW_FIELD_LABELS(type), type: field.label });
    const kept: FieldSchema = {
      id: field.id,
      type,
      label: field.label,
      ...(field.help === undefined ? {} : { help: field.help }),
      ...(field.required === undefined ? {} : { required: field.required }),
      ...(field.visible === undefined ? {} : { visible: field.visible }),
      ...(field.readOnly === undefined ? {} : { readOnly: field.readOnly }),
    };
    designer.dispatch({
      type: 'updateField',
      id: field.id,
      update: () => ({
        ...template,
        ...kept,
        ...(OPTION_TYPES.has(type) && field.options !== undefined
          ? { options: field.options }
          : {}),
      }),
    });
  }

  return (
    <div className="properties__content" data-testid="field-properties">
      <div className="properties__heading">
        <span className="canvas-field__glyph" aria-hidden="true">
          <FieldGlyph type={field.type} />
        </span>
        <h2 className="properties__title">{label}</h2>
      </div>
      {issues.length > 0 ? (
        <Notice tone="error" title={t('designer.fieldIssues')}>
          <ul>
            {issues.map((issue) => (
              <li key={issue}>{issue}</li>
            ))}
          </ul>
        </Notice>
      ) : null}
      <PanelSection title={t('designer.basics')}>
        <LocalizedInput
          label={t('designer.label')}
          required
          value={field.label}
          onChange={(value) => update({ label: value ?? '' })}
          testId="field-label"
        />
        <SelectField
          label={t('designer.type')}
          value={field.type}
          hint={published ? t('designer.typeChangeHint') : undefined}
          onChange={(event) => changeType(event.target.value as FieldType)}
          options={FIELD_TYPES.map((type) => ({
            value: type,
            label: t(FIELD_TYPE_META[type].label),
          }))}
        />
        <LocalizedInput
          label={t('designer.help')}
          value={field.help}
          onChange={(value) => update({ help: value })}
        />
        {COMPUTED_TYPES.has(field.type) ? null : (
          <LocalizedInput
            label={t('designer.placeholder')}
            value={field.placeholder}
            onChange={(value) => update({ placeholder: value })}
          />
        )}
        <TextField
          label={t('designer.fieldId')}
          value={idDraft}
          disabled={published}
          hint={published ? t('designer.idLocked') : t('designer.idHint')}
          error={idError}
          onChange={(event) => setIdDraft(event.target.value)}
          onBlur={commitId}
          onKeyDown={(event) => {
            if (event.key === 'Enter') commitId();
          }}
          className="mono-input"
        />
        <MoveTo itemKeyValue={`field:${field.id}`} label={label} />
      </PanelSection>

      {OPTION_TYPES.has(field.type) ? (
        <PanelSection title={t('designer.options')}>
          <OptionsEditor
            options={field.options ?? []}
            onChange={(options) => update({ options })}
            lockedValues={new Set((publishedField?.options ?? []).map((option) => option.value))}
          />
        </PanelSection>
      ) : null}

      <PanelSection title={t('designer.rules')}>
        <RuleEditor
          label={t('designer.visibility')}
          modes={[
            { mode: 'never', label: t('designer.alwaysShown') },
            { mode: 'when', label: t('designer.shownWhen') },
          ]}
          value={field.visible}
          fields={others}
          onChange={(value) => update({ visible: value === true ? undefined : value })}
          testId="rule-visible"
        />
        {COMPUTED_TYPES.has(field.type) ? null : (
          <>
            <RuleEditor
              label={t('designer.required')}
              modes={[
                { mode: 'never', label: t('designer.optional') },
                { mode: 'always', label: t('designer.requiredAlways') },
                { mode: 'when', label: t('designer.requiredWhen') },
              ]}
              value={field.required}
              fields={others}
              onChange={(value) => update({ required: value })}
              testId="rule-required"
            />
            <RuleEditor
              label={t('designer.readOnly')}
              modes={[
                { mode: 'never', label: t('designer.editable') },
                { mode: 'always', label: t('designer.readOnlyAlways') },
                { mode: 'when', label: t('designer.readOnlyWhen') },
              ]}
              value={field.readOnly}
              fields={others}
              onChange={(value) => update({ readOnly: value })}
              testId="rule-readonly"
            />
          </>
        )}
      </PanelSection>

      {COMPUTED_TYPES.has(field.type) ? null : (
        <PanelSection title={t('designer.validation')} defaultOpen={false}>
          {range === undefined ? null : (
            <div className="form-row">
              {range === 'date' ? (
                <>
                  <TextField
                    label={t('designer.minDate')}
                    type="date"
                    value={typeof field.min === 'string' ? field.min : ''}
                    onChange={(e) =>
                      update({ min: e.target.value === '' ? undefined : e.target.value })
                    }
                  />
                  <TextField
                    label={t('designer.maxDate')}
                    type="date"
                    value={typeof field.max === 'string' ? field.max : ''}
                    onChange={(e) =>
                      update({ max: e.target.value === '' ? undefined : e.target.value })
                    }
                  />
                </>
              ) : range === 'datetime' ? null : (
                <>
                  <TextField
                    label={
                      range === 'count'
                        ? t('designer.minCount')
                        : range === 'stars'
                          ? t('designer.minStars')
                          : t('designer.min')
                    }
                    inputMode="decimal"
                    value={field.min === undefined ? '' : String(field.min)}
                    onChange={(e) =>
                      update({
                        min:
                          range === 'decimal'
                            ? e.target.value.trim() === ''
                              ? undefined
                              : e.target.value.trim()
                            : numberOrUndefined(e.target.value),
                      })
                    }
                  />
                  <TextField
                    label={
                      range === 'count'
                        ? t('designer.maxCount')
                        : range === 'stars'
                          ? t('designer.stars')
                          : t('designer.max')
                    }
                    inputMode="decimal"
                    value={field.max === undefined ? '' : String(field.max)}
                    onChange={(e) =>
                      update({
                        max:
                          range === 'decimal'
                            ? e.target.value.trim() === ''
                              ? undefined
                              : e.target.value.trim()
                            : numberOrUndefined(e.target.value),
                      })
                    }
                  />
                </>
              )}
            </div>
          )}
          {LENGTH_TYPES.has(field.type) ? (
            <div className="form-row">
              <TextField
                label={t('designer.minLength')}
                inputMode="numeric"
                value={field.minLength === undefined ? '' : String(field.minLength)}
                onChange={(e) => update({ minLength: numberOrUndefined(e.target.value) })}
              />
              <TextField
                label={t('designer.maxLength')}
                inputMode="numeric"
                value={field.maxLength === undefined ? '' : String(field.maxLength)}
                onChange={(e) => update({ maxLength: numberOrUndefined(e.target.value) })}
              />
            </div>
          ) : null}
          {PATTERN_TYPES.has(field.type) ? (
            <TextField
              label={t('designer.pattern')}
              hint={t('designer.patternHint')}
              className="mono-input"
              value={field.pattern ?? ''}
              onChange={(e) =>
                update({ pattern: e.target.value === '' ? undefined : e.target.value })
              }
            />
          ) : null}
          {UNIQUE_TYPES.has(field.type) ? (
            <Checkbox
              label={t('designer.unique')}
              checked={field.unique === true}
              onChange={(e) => update({ unique: e.target.checked ? true : undefined })}
            />
          ) : null}
          {!UNIQUE_TYPES.has(field.type) && !LENGTH_TYPES.has(field.type) && range === undefined ? (
            <p className="small muted">{t('designer.noValidation')}</p>
          ) : null}
        </PanelSection>
      )}

      <TypeSettings
        field={field}
        others={others}
        relationFields={relationFields}
        appForms={appForms}
        update={update}
      />

      {COMPUTED_TYPES.has(field.type) ||
      field.type === 'sub_table' ||
      field.type === 'attachment' ||
      field.type === 'image' ||
      field.type === 'location' ? null : (
        <PanelSection title={t('designer.defaultValue')} defaultOpen={false}>
          <DefaultValue field={field} onChange={(value) => update({ default: value })} />
        </PanelSection>
      )}

      {published ? (
        <PanelSection title={t('designer.permissions')} defaultOpen={false}>
          <FieldPermissions formId={designer.formId} fieldId={field.id} />
        </PanelSection>
      ) : null}

      <div className="properties__danger">
        <Button
          variant="danger"
          icon="trash"
          onClick={() => {
            designer.dispatch({ type: 'remove', key: `field:${field.id}` });
            designer.announce(t('designer.removed', { name: label }));
          }}
        >
          {t('designer.deleteField')}
        </Button>
      </div>
    </div>
  );
}

function DefaultValue({ field, onChange }: { field: FieldSchema; onChange(value: unknown): void }) {
  const { t } = useI18n();
  const isLogic =
    typeof field.default === 'object' && field.default !== null && '$logic' in field.default;
  if (isLogic) return <p className="small muted">{t('designer.defaultIsRule')}</p>;
  return (
    <div className="field">
      <span className="field__label" id={`default-${field.id}-label`}>
        {t('designer.defaultValue')}
      </span>
      <FieldInput
        field={{ ...field, required: false }}
        value={field.default}
        state={{ visible: true, required: false, readOnly: false }}
        onChange={(value) => onChange(value === null || value === '' ? undefined : value)}
        onBlur={() => undefined}
        ids={{
          inputId: `default-${field.id}`,
          labelId: `default-${field.id}-label`,
          describedBy: undefined,
          invalid: false,
        }}
      />
    </div>
  );
}

const CURRENCIES = ['CNY', 'USD', 'EUR', 'HKD', 'JPY', 'GBP'];
const AGGREGATES: Readonly<Record<RollupAggregate, MessageKey>> = {
  count: 'designer.aggregate.count',
  sum: 'designer.aggregate.sum',
  min: 'designer.aggregate.min',
  max: 'designer.aggregate.max',
  latest: 'designer.aggregate.latest',
};

function TypeSettings({
  field,
  others,
  relationFields,
  appForms,
  update,
}: {
  field: FieldSchema;
  others: readonly FieldSchema[];
  relationFields: readonly FieldSchema[];
  appForms: readonly AppFormChoice[];
  update(patch: Partial<FieldSchema>): void;
}) {
  const { t, text } = useI18n();
  switch (field.type) {
    case 'currency':
      return (
        <PanelSection title={t('designer.typeSettings')}>
          <SelectField
            label={t('designer.currency')}
            value={field.currency ?? 'CNY'}
            onChange={(e) => update({ currency: e.target.value })}
            options={CURRENCIES.map((code) => ({ value: code, label: code }))}
          />
        </PanelSection>
      );
    case 'relation':
      return (
        <PanelSection title={t('designer.typeSettings')}>
          <SelectField
            label={t('designer.relationTarget')}
            value={field.relation?.formId ?? ''}
            placeholder={t('designer.pickForm')}
            onChange={(e) => update({ relation: { ...field.relation, formId: e.target.value } })}
            options={appForms.map((form) => ({ value: form.key, label: form.label }))}
            error={field.relation?.formId === '' ? t('designer.relationNeeded') : undefined}
          />
          <Checkbox
            label={t('designer.relationMultiple')}
            checked={field.relation?.multiple === true}
            onChange={(e) =>
              update({
                relation: {
                  formId: field.relation?.formId ?? '',
                  ...(e.target.checked ? { multiple: true } : {}),
                },
              })
            }
          />
        </PanelSection>
      );
    case 'serial':
      return (
        <PanelSection title={t('designer.typeSettings')}>
          <TextField
            label={t('designer.serialPattern')}
            hint={t('designer.serialHint')}
            className="mono-input"
            value={field.serial?.pattern ?? ''}
            onChange={(e) => update({ serial: { pattern: e.target.value } })}
          />
        </PanelSection>
      );
    case 'formula':
      return (
        <PanelSection title={t('designer.formula')}>
          <FormulaEditor field={field} fields={others} onChange={(patch) => update(patch)} />
        </PanelSection>
      );
    case 'lookup': {
      const relation = relationFields.find((entry) => entry.id === field.lookup?.relationField);
      const target = appForms.find((form) => form.key === relation?.relation?.formId);
      return (
        <PanelSection title={t('designer.typeSettings')}>
          <SelectField
            label={t('designer.lookupRelation')}
            value={field.lookup?.relationField ?? ''}
            placeholder={t('designer.pickRelation')}
            onChange={(e) => update({ lookup: { relationField: e.target.value, field: '' } })}
            options={relationFields.map((entry) => ({ value: entry.id, label: text(entry.label) }))}
          />
          {target?.fields === undefined ? (
            <TextField
              label={t('designer.lookupField')}
              className="mono-input"
              value={field.lookup?.field ?? ''}
              onChange={(e) =>
                update({
                  lookup: {
                    relationField: field.lookup?.relationField ?? '',
                    field: e.target.value.trim(),
                  },
                })
              }
            />
          ) : (
            <SelectField
              label={t('designer.lookupField')}
              value={field.lookup?.field ?? ''}
              placeholder={t('designer.pickField')}
              onChange={(e) =>
                update({
                  lookup: {
                    relationField: field.lookup?.relationField ?? '',
                    field: e.target.value,
                  },
                })
              }
              options={target.fields.map((entry) => ({
                value: entry.id,
                label: text(entry.label),
              }))}
            />
          )}
        </PanelSection>
      );
    }
    case 'rollup':
      return (
        <PanelSection title={t('designer.typeSettings')}>
          <SelectField
            label={t('designer.rollupRelation')}
            value={field.rollup?.relationField ?? ''}
            placeholder={t('designer.pickRelation')}
            onChange={(e) =>
              update({
                rollup: {
                  aggregate: field.rollup?.aggregate ?? 'count',
                  relationField: e.target.value,
                },
              })
            }
            options={relationFields.map((entry) => ({ value: entry.id, label: text(entry.label) }))}
          />
          <SelectField
            label={t('designer.rollupAggregate')}
            value={field.rollup?.aggregate ?? 'count'}
            onChange={(e) =>
              update({
                rollup: {
                  relationField: field.rollup?.relationField ?? '',
                  ...(field.rollup?.field === undefined ? {} : { field: field.rollup.field }),
                  aggregate: e.target.value as RollupAggregate,
                },
              })
            }
            options={(Object.keys(AGGREGATES) as RollupAggregate[]).map((aggregate) => ({
              value: aggregate,
              label: t(AGGREGATES[aggregate]),
            }))}
          />
          {field.rollup?.aggregate === 'count' ? null : (
            <TextField
              label={t('designer.rollupField')}
              className="mono-input"
              value={field.rollup?.field ?? ''}
              onChange={(e) =>
                update({
                  rollup: {
                    relationField: field.rollup?.relationField ?? '',
                    aggregate: field.rollup?.aggregate ?? 'sum',
                    field: e.target.value.trim(),
                  },
                })
              }
            />
          )}
        </PanelSection>
      );
    case 'sub_table':
      return (
        <PanelSection title={t('designer.subTableColumns')}>
          <SubTableColumns field={field} update={update} />
        </PanelSection>
      );
    default:
      return null;
  }
}

function SubTableColumns({
  field,
  update,
}: {
  field: FieldSchema;
  update(patch: Partial<FieldSchema>): void;
}) {
  const { t, text } = useI18n();
  const columns = field.fields ?? [];
  const types = FIELD_TYPES.filter((type) => SUB_TABLE_TYPES.has(type));
  const set = (index: number, column: FieldSchema) =>
    update({ fields: columns.map((c, i) => (i === index ? column : c)) });
  return (
    <div className="form-stack">
      <ol className="list-plain sub-columns">
        {columns.map((column, index) => (
          <li key={index} className="sub-columns__row">
            <input
              className="input"
              aria-label={t('designer.columnLabel', { n: index + 1 })}
              value={text(column.label)}
              onChange={(e) => set(index, { ...column, label: e.target.value })}
            />
            <select
              className="select"
              aria-label={t('designer.columnType', { n: index + 1 })}
              value={column.type}
              onChange={(e) => {
                const type = e.target.value as FieldType;
                const template = createField(type, [], {
                  ...NEW_FIELD_LABELS(type),
                  type: column.label,
                });
                set(index, { ...template, id: column.id, label: column.label });
              }}
            >
              {types.map((type) => (
                <option key={type} value={type}>
                  {t(FIELD_TYPE_META[type].label)}
                </option>
              ))}
            </select>
            <Button
              size="small"
              variant="ghost"
              icon="trash"
              iconLabel={t('designer.removeColumn', { n: index + 1 })}
              onClick={() => update({ fields: columns.filter((_, i) => i !== index) })}
            />
          </li>
        ))}
      </ol>
      <Button
        size="small"
        icon="plus"
        onClick={() => {
          const taken = new Set(columns.map((c) => c.id));
          let n = columns.length + 1;
          while (taken.has(`col_${n}`)) n += 1;
          update({
            fields: [
              ...columns,
              { id: `col_${n}`, type: 'text', label: bilingual('designer.columnN', { n }) },
            ],
          });
        }}
      >
        {t('designer.addColumn')}
      </Button>
    </div>
  );
}

function ContainerProperties({ item }: { item: LayoutSection | LayoutColumns | LayoutTabs }) {
  const { t, text } = useI18n();
  const designer = useDesigner();
  const items = designer.state.schema.layout?.items ?? [];
  const save = (next: LayoutItem) =>
    designer.dispatch({ type: 'updateItem', key: item.id, item: next });
  const remove = () => {
    designer.dispatch({ type: 'remove', key: item.id });
    designer.announce(t('designer.containerRemoved'));
  };
  let body: ReactNode;
  let title: string;
  if (item.type === 'section') {
    title = text(item.title) || t('designer.section');
    body = (
      <>
        <LocalizedInput
          label={t('designer.sectionTitle')}
          value={item.title}
          onChange={(value) =>
            save({ ...item, ...(value === undefined ? { title: undefined } : { title: value }) })
          }
        />
        <SelectField
          label={t('designer.sectionColumns')}
          value={String(item.columns ?? 1)}
          onChange={(e) => save({ ...item, columns: Number(e.target.value) })}
          options={[1, 2, 3, 4].map((n) => ({
            value: String(n),
            label: t('designer.columnCount', { count: n }),
          }))}
        />
        <Checkbox
          label={t('designer.collapsible')}
          checked={item.collapsible === true}
          onChange={(e) => save({ ...item, collapsible: e.target.checked })}
        />
      </>
    );
  } else if (item.type === 'columns') {
    title = t('designer.columns');
    body = (
      <>
        <ol className="list-plain sub-columns">
          {item.columns.map((column, index) => (
            <li key={column.id} className="sub-columns__row">
              <span>{t('designer.columnN', { n: index + 1 })}</span>
              <TextField
                label={t('designer.columnWidth')}
                hideLabel
                inputMode="numeric"
                value={column.width === undefined ? '' : String(column.width)}
                placeholder={t('designer.autoWidth')}
                onChange={(e) =>
                  save({
                    ...item,
                    columns: item.columns.map((c) =>
                      c.id === column.id
                        ? {
                            ...c,
                            ...(numberOrUndefined(e.target.value) === undefined
                              ? { width: undefined }
                              : { width: numberOrUndefined(e.target.value) }),
                          }
                        : c,
                    ),
                  })
                }
              />
              <Button
                size="small"
                variant="ghost"
                icon="trash"
                disabled={item.columns.length <= 1}
                iconLabel={t('designer.removeColumn', { n: index + 1 })}
                onClick={() => {
                  const rest = item.columns.filter((c) => c.id !== column.id);
                  const receiver = rest[Math.max(0, index - 1)];
                  save({
                    ...item,
                    columns: rest.map((c) =>
                      c.id === receiver?.id ? { ...c, items: [...c.items, ...column.items] } : c,
                    ),
                  });
                }}
              />
            </li>
          ))}
        </ol>
        <Button
          size="small"
          icon="plus"
          disabled={item.columns.length >= 4}
          onClick={() =>
            save({
              ...item,
              columns: [...item.columns, { id: newContainerId(items, 'col'), items: [] }],
            })
          }
        >
          {t('designer.addColumn')}
        </Button>
        <p className="small muted">{t('designer.columnWidthHint')}</p>
      </>
    );
  } else {
    title = t('designer.tabs');
    body = (
      <>
        <ol className="list-plain form-stack">
          {item.tabs.map((tab, index) => (
            <li key={tab.id} className="tab-editor">
              <LocalizedInput
                label={t('designer.tabN', { n: index + 1 })}
                required
                value={tab.title}
                onChange={(value) =>
                  save({
                    ...item,
                    tabs: item.tabs.map((entry) =>
                      entry.id === tab.id ? { ...entry, title: value ?? '' } : entry,
                    ),
                  })
                }
              />
              <Button
                size="small"
                variant="ghost"
                icon="trash"
                disabled={item.tabs.length <= 1}
                onClick={() => {
                  const rest = item.tabs.filter((entry) => entry.id !== tab.id);
                  const receiver = rest[Math.max(0, index - 1)];
                  save({
                    ...item,
                    tabs: rest.map((entry) =>
                      entry.id === receiver?.id
                        ? { ...entry, items: [...entry.items, ...tab.items] }
                        : entry,
                    ),
                  });
                }}
              >
                {t('designer.removeTab')}
              </Button>
            </li>
          ))}
        </ol>
        <Button
          size="small"
          icon="plus"
          onClick={() =>
            save({
              ...item,
              tabs: [
                ...item.tabs,
                {
                  id: newContainerId(items, 'tab'),
                  title: bilingual('designer.tabN', { n: item.tabs.length + 1 }),
                  items: [],
                },
              ],
            })
          }
        >
          {t('designer.addTab')}
        </Button>
      </>
    );
  }
  return (
    <div className="properties__content">
      <div className="properties__heading">
        <Icon
          name={item.type === 'section' ? 'section' : item.type === 'columns' ? 'columns' : 'tabs'}
        />
        <h2 className="properties__title">{title}</h2>
      </div>
      {body}
      <MoveTo itemKeyValue={item.id} label={title} />
      <div className="properties__danger">
        <p className="small muted">{t('designer.removeContainerHint')}</p>
        <Button variant="danger" icon="trash" onClick={remove}>
          {t('designer.removeContainer')}
        </Button>
      </div>
    </div>
  );
}
