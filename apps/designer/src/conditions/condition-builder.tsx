import { useEffect, useId, useState } from 'react';
import type { FieldSchema, JsonLogic } from '../forms/form-schema.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';
import { Button } from '../ui/button.js';
import { Notice } from '../ui/problem-notice.js';
import {
  emptyGroup,
  fromJsonLogic,
  needsValue,
  operandKindOf,
  OPERATORS_BY_OPERAND,
  toJsonLogic,
  type ConditionGroup,
  type ConditionNode,
  type ConditionOperator,
  type ConditionRule,
} from './condition-model.js';
import './condition-builder.css';

export const CONDITION_OPERATOR_LABELS: Readonly<Record<ConditionOperator, MessageKey>> = {
  '==': 'condition.op.eq',
  '!=': 'condition.op.neq',
  '>': 'condition.op.gt',
  '>=': 'condition.op.gte',
  '<': 'condition.op.lt',
  '<=': 'condition.op.lte',
  contains: 'condition.op.contains',
  not_contains: 'condition.op.notContains',
  in: 'condition.op.in',
  empty: 'condition.op.empty',
  not_empty: 'condition.op.notEmpty',
};

/**
 * Field, operator, value, in AND/OR groups, written as JsonLogic; the advanced view edits the
 * JSON directly. `onChange(undefined)` means "no condition".
 */
export function ConditionBuilder({
  fields,
  value,
  onChange,
  label,
  testId,
}: {
  fields: readonly FieldSchema[];
  value: JsonLogic | undefined;
  onChange(logic: JsonLogic | undefined): void;
  label: string;
  testId?: string;
}) {
  const { t } = useI18n();
  const usable = fields.filter((field) => operandKindOf(field) !== undefined);
  const parsed = fromJsonLogic(value);
  const [group, setGroup] = useState<ConditionGroup>(parsed ?? emptyGroup());
  const [advanced, setAdvanced] = useState(parsed === null);
  const [json, setJson] = useState(() =>
    value === undefined ? '' : JSON.stringify(value, null, 2),
  );
  const [jsonError, setJsonError] = useState<string | null>(null);
  const valueKey = JSON.stringify(value ?? null);

  // Follow outside changes (another field selected, undo) without clobbering an edit in progress.
  useEffect(() => {
    const next = fromJsonLogic(value);
    setGroup((current) =>
      JSON.stringify(toJsonLogic(current) ?? null) === valueKey ? current : (next ?? emptyGroup()),
    );
    if (next === null) setAdvanced(true);
    setJson(value === undefined ? '' : JSON.stringify(value, null, 2));
  }, [valueKey]);

  function update(next: ConditionGroup) {
    setGroup(next);
    onChange(toJsonLogic(next));
  }

  function applyJson() {
    if (json.trim() === '') {
      setJsonError(null);
      onChange(undefined);
      return;
    }
    try {
      const logic: unknown = JSON.parse(json);
      setJsonError(null);
      onChange(logic);
    } catch {
      setJsonError(t('condition.invalidJson'));
    }
  }

  const visualPossible = fromJsonLogic(value) !== null;
  return (
    <div className="condition-builder" role="group" aria-label={label} data-testid={testId}>
      <div className="condition-builder__mode">
        <div className="segmented" role="group" aria-label={t('condition.mode')}>
          <button
            type="button"
            aria-pressed={!advanced}
            disabled={!visualPossible}
            onClick={() => setAdvanced(false)}
          >
            {t('condition.visual')}
          </button>
          <button type="button" aria-pressed={advanced} onClick={() => setAdvanced(true)}>
            {t('condition.json')}
          </button>
        </div>
      </div>
      {advanced ? (
        <div className="condition-builder__json">
          {!visualPossible ? <Notice tone="info">{t('condition.jsonOnly')}</Notice> : null}
          <label className="visually-hidden" htmlFor={`${testId ?? 'condition'}-json`}>
            {t('condition.jsonLabel')}
          </label>
          <textarea
            id={`${testId ?? 'condition'}-json`}
            className="textarea mono"
            rows={6}
            spellCheck={false}
            value={json}
            aria-invalid={jsonError !== null || undefined}
            onChange={(event) => setJson(event.target.value)}
            onBlur={applyJson}
          />
          {jsonError === null ? null : <p className="field__error">{jsonError}</p>}
          <div>
            <Button size="small" onClick={applyJson}>
              {t('condition.applyJson')}
            </Button>
          </div>
        </div>
      ) : (
        <GroupEditor group={group} fields={usable} onChange={update} depth={0} />
      )}
    </div>
  );
}

function newRule(fields: readonly FieldSchema[]): ConditionRule {
  const first = fields[0];
  const kind = first === undefined ? 'text' : (operandKindOf(first) ?? 'text');
  return { kind: 'rule', field: first?.id ?? '', operator: OPERATORS_BY_OPERAND[kind][0] ?? '==' };
}

function GroupEditor({
  group,
  fields,
  onChange,
  onRemove,
  depth,
}: {
  group: ConditionGroup;
  fields: readonly FieldSchema[];
  onChange(group: ConditionGroup): void;
  onRemove?(): void;
  depth: number;
}) {
  const { t } = useI18n();
  const setChild = (index: number, child: ConditionNode) =>
    onChange({ ...group, children: group.children.map((c, i) => (i === index ? child : c)) });
  const removeChild = (index: number) =>
    onChange({ ...group, children: group.children.filter((_, i) => i !== index) });

  return (
    <div className={depth === 0 ? 'condition-group' : 'condition-group condition-group--nested'}>
      <div className="condition-group__head">
        <span className="small muted">{t('condition.when')}</span>
        <select
          className="select condition-group__combinator"
          aria-label={t('condition.combinator')}
          value={group.combinator}
          onChange={(event) =>
            onChange({ ...group, combinator: event.target.value === 'or' ? 'or' : 'and' })
          }
        >
          <option value="and">{t('condition.all')}</option>
          <option value="or">{t('condition.any')}</option>
        </select>
        <span className="small muted">{t('condition.ofThese')}</span>
        {onRemove === undefined ? null : (
          <Button
            size="small"
            variant="ghost"
            icon="trash"
            iconLabel={t('condition.removeGroup')}
            onClick={onRemove}
          />
        )}
      </div>
      {group.children.length === 0 ? <p className="small muted">{t('condition.noRules')}</p> : null}
      <ul className="list-plain condition-group__children">
        {group.children.map((child, index) => (
          <li key={index}>
            {child.kind === 'group' ? (
              <GroupEditor
                group={child}
                fields={fields}
                depth={depth + 1}
                onChange={(next) => setChild(index, next)}
                onRemove={() => removeChild(index)}
              />
            ) : (
              <RuleEditor
                rule={child}
                fields={fields}
                onChange={(next) => setChild(index, next)}
                onRemove={() => removeChild(index)}
              />
            )}
          </li>
        ))}
      </ul>
      <div className="condition-group__actions">
        <Button
          size="small"
          icon="plus"
          disabled={fields.length === 0}
          onClick={() => onChange({ ...group, children: [...group.children, newRule(fields)] })}
        >
          {t('condition.addRule')}
        </Button>
        {depth === 0 ? (
          <Button
            size="small"
            variant="ghost"
            icon="plus"
            disabled={fields.length === 0}
            onClick={() =>
              onChange({
                ...group,
                children: [
                  ...group.children,
                  {
                    kind: 'group',
                    combinator: group.combinator === 'and' ? 'or' : 'and',
                    children: [newRule(fields)],
                  },
                ],
              })
            }
          >
            {t('condition.addGroup')}
          </Button>
        ) : null}
      </div>
    </div>
  );
}

function RuleEditor({
  rule,
  fields,
  onChange,
  onRemove,
}: {
  rule: ConditionRule;
  fields: readonly FieldSchema[];
  onChange(rule: ConditionRule): void;
  onRemove(): void;
}) {
  const { t, text } = useI18n();
  const field = fields.find((f) => f.id === rule.field);
  const kind = field === undefined ? 'text' : (operandKindOf(field) ?? 'text');
  const operators = OPERATORS_BY_OPERAND[kind];
  return (
    <div className="condition-rule" data-testid="condition-rule">
      <select
        className="select"
        aria-label={t('condition.field')}
        value={rule.field}
        onChange={(event) => {
          const next = fields.find((f) => f.id === event.target.value);
          const nextKind = next === undefined ? 'text' : (operandKindOf(next) ?? 'text');
          onChange({
            kind: 'rule',
            field: event.target.value,
            operator: OPERATORS_BY_OPERAND[nextKind][0] ?? '==',
          });
        }}
      >
        {field === undefined ? (
          <option value={rule.field}>{rule.field || t('condition.pickField')}</option>
        ) : null}
        {fields.map((f) => (
          <option key={f.id} value={f.id}>
            {text(f.label)}
          </option>
        ))}
      </select>
      <select
        className="select"
        aria-label={t('condition.operator')}
        value={rule.operator}
        onChange={(event) =>
          onChange({
            ...rule,
            operator: event.target.value as ConditionOperator,
            value: event.target.value === 'in' ? [] : rule.value,
          })
        }
      >
        {operators.map((op) => (
          <option key={op} value={op}>
            {t(CONDITION_OPERATOR_LABELS[op])}
          </option>
        ))}
      </select>
      {needsValue(rule.operator) && field !== undefined ? (
        <RuleValue field={field} rule={rule} onChange={(value) => onChange({ ...rule, value })} />
      ) : (
        <span />
      )}
      <Button
        size="small"
        variant="ghost"
        icon="trash"
        iconLabel={t('condition.removeRule')}
        onClick={onRemove}
      />
    </div>
  );
}

function RuleValue({
  field,
  rule,
  onChange,
}: {
  field: FieldSchema;
  rule: ConditionRule;
  onChange(value: unknown): void;
}) {
  const { t, text } = useI18n();
  const id = useId();
  const label = t('condition.value');
  const kind = operandKindOf(field) ?? 'text';
  if (rule.operator === 'in') {
    const selected = Array.isArray(rule.value) ? (rule.value as unknown[]) : [];
    return (
      <fieldset className="condition-rule__choices" aria-label={label}>
        {(field.options ?? []).map((option) => (
          <label key={option.value} className="check">
            <input
              type="checkbox"
              checked={selected.includes(option.value)}
              onChange={(event) =>
                onChange(
                  event.target.checked
                    ? [...selected, option.value]
                    : selected.filter((v) => v !== option.value),
                )
              }
            />
            <span>{text(option.label)}</span>
          </label>
        ))}
      </fieldset>
    );
  }
  if (kind === 'choice' || kind === 'multi') {
    return (
      <select
        className="select"
        aria-label={label}
        value={typeof rule.value === 'string' ? rule.value : ''}
        onChange={(event) => onChange(event.target.value === '' ? undefined : event.target.value)}
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
        value={rule.value === true ? 'true' : rule.value === false ? 'false' : ''}
        onChange={(event) =>
          onChange(event.target.value === '' ? undefined : event.target.value === 'true')
        }
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
        id={id}
        className="input"
        aria-label={label}
        inputMode="decimal"
        value={
          typeof rule.value === 'number'
            ? String(rule.value)
            : typeof rule.value === 'string'
              ? rule.value
              : ''
        }
        onChange={(event) => {
          const raw = event.target.value.trim();
          const n = Number(raw);
          onChange(raw === '' ? undefined : Number.isFinite(n) ? n : raw);
        }}
      />
    );
  }
  if (kind === 'date') {
    return (
      <input
        className="input"
        type="date"
        aria-label={label}
        value={typeof rule.value === 'string' ? rule.value : ''}
        onChange={(event) => onChange(event.target.value === '' ? undefined : event.target.value)}
      />
    );
  }
  return (
    <input
      className="input"
      aria-label={label}
      value={typeof rule.value === 'string' ? rule.value : ''}
      onChange={(event) => onChange(event.target.value === '' ? undefined : event.target.value)}
    />
  );
}
