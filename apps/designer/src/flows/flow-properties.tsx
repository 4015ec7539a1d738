import type { FlowDefinition, StateDef, StateKind, TransitionDef } from '@trellis/flow-engine';
import type { ProblemError } from '../api/api-problem.js';
import type { Member, Role } from '../api/people-api.js';
import { ConditionBuilder } from '../conditions/condition-builder.js';
import { LocalizedInput } from '../designer/localized-input.js';
import type { FieldSchema } from '../forms/form-schema.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button } from '../ui/button.js';
import { Checkbox, SelectField, TextField } from '../ui/form-field.js';
import { ApprovalStepsEditor } from './approval-steps-editor.js';
import { FieldPicker } from './field-picker.js';
import { STATE_KIND_LABELS } from './flow-labels.js';
import { issuesAt } from './flow-issues.js';
import { TimersEditor } from './timers-editor.js';

type LocatedIssue = ProblemError & { rest: string };

const ID_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

export function StateProperties({
  def,
  state,
  fields,
  issues,
  onChange,
  onMakeInitial,
  onRemove,
}: {
  def: FlowDefinition;
  state: StateDef;
  fields: readonly FieldSchema[];
  issues: readonly LocatedIssue[];
  onChange(next: StateDef): void;
  onMakeInitial(): void;
  onRemove(): void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const at = (prefix: string) => issuesAt(issues, prefix, i18n);
  const whole = issues.filter((issue) => issue.rest === '');
  const events = def.transitions
    .filter((tr) =>
      tr.from === '*' ? state.kind === 'normal' && tr.to !== state.id : tr.from.includes(state.id),
    )
    .map((tr) => tr.event);
  return (
    <div className="flow-props" data-testid="state-properties">
      <h2 className="flow-props__title">{t('flow.stageProperties')}</h2>
      {whole.length > 0 ? (
        <ul className="flow-props__issues" role="alert">
          {whole.map((issue, index) => (
            <li key={index}>{issuesAt([issue], '', i18n)}</li>
          ))}
        </ul>
      ) : null}
      <LocalizedInput
        label={t('flow.stageName')}
        required
        value={state.label}
        onChange={(label) => onChange({ ...state, label: label ?? '' })}
        error={at('label')}
        testId="state-label"
      />
      <TextField
        label={t('flow.stageId')}
        hint={t('flow.idHint')}
        value={state.id}
        className="mono-field"
        error={[...at('id'), ...(ID_PATTERN.test(state.id) ? [] : [t('flow.idInvalid')])]}
        onChange={(event) => onChange({ ...state, id: event.target.value.trim() })}
      />
      <div className="form-row">
        <SelectField
          label={t('flow.stageKind')}
          value={state.kind}
          options={(['normal', 'won', 'lost', 'final'] as const).map((kind) => ({
            value: kind,
            label: t(STATE_KIND_LABELS[kind]),
          }))}
          onChange={(event) => onChange({ ...state, kind: event.target.value as StateKind })}
          error={at('kind')}
          testId="state-kind"
        />
        <TextField
          label={t('flow.stageOrder')}
          type="number"
          value={state.order}
          onChange={(event) => onChange({ ...state, order: Number(event.target.value) })}
          error={at('order')}
        />
      </div>
      <TextField
        label={t('flow.probability')}
        hint={t('flow.probabilityHint')}
        type="number"
        min={0}
        max={100}
        value={state.probability ?? ''}
        onChange={(event) =>
          onChange({
            ...state,
            probability:
              event.target.value === ''
                ? null
                : Math.min(100, Math.max(0, Number(event.target.value))),
          })
        }
        error={at('probability')}
        testId="state-probability"
      />
      <Checkbox
        label={t('flow.initial')}
        checked={def.initial === state.id}
        disabled={def.initial === state.id}
        onChange={onMakeInitial}
      />
      <FieldPicker
        legend={t('flow.stageRequired')}
        fields={fields}
        value={state.requiredFields}
        onChange={(requiredFields) => onChange({ ...state, requiredFields })}
        error={at('requiredFields')}
      />
      <div className="field">
        <span className="field__label">{t('flow.stageTimers')}</span>
        <TimersEditor
          scope="state"
          timers={state.timers}
          events={events}
          onChange={(timers) => onChange({ ...state, timers })}
          issues={(index) => at(`timers.${index}`)}
          testId="state-timers"
        />
      </div>
      {state.onEnter.length + state.onExit.length > 0 ? (
        <p className="small muted">
          {t('flow.effectsKept', { count: state.onEnter.length + state.onExit.length })}
        </p>
      ) : null}
      <div className="flow-props__footer">
        <Button variant="danger" icon="trash" onClick={onRemove}>
          {t('flow.removeStage')}
        </Button>
      </div>
    </div>
  );
}

export function TransitionProperties({
  def,
  transition,
  fields,
  members,
  roles,
  issues,
  onChange,
  onRemove,
}: {
  def: FlowDefinition;
  transition: TransitionDef;
  fields: readonly FieldSchema[];
  members: readonly Member[];
  roles: readonly Role[];
  issues: readonly LocatedIssue[];
  onChange(next: TransitionDef): void;
  onRemove(): void;
}) {
  const i18n = useI18n();
  const { t, text } = i18n;
  const at = (prefix: string) => issuesAt(issues, prefix, i18n);
  const stateName = (id: string) => {
    const state = def.states.find((s) => s.id === id);
    return state === undefined ? id : text(state.label) || id;
  };
  const userFields = fields.filter((field) => field.type === 'user');
  const allowed = transition.allowed;
  return (
    <div className="flow-props" data-testid="transition-properties">
      <h2 className="flow-props__title">
        {t('flow.transitionProperties')}
        <span className="small muted">
          {' '}
          {transition.from === '*'
            ? t('flow.anyStage')
            : transition.from.map(stateName).join('、')}{' '}
          → {stateName(transition.to)}
        </span>
      </h2>
      <LocalizedInput
        label={t('flow.transitionName')}
        value={transition.label ?? undefined}
        onChange={(label) => onChange({ ...transition, label: label ?? null })}
        error={at('label')}
        testId="transition-label"
      />
      <TextField
        label={t('flow.event')}
        hint={t('flow.eventHint')}
        value={transition.event}
        error={[...at('event'), ...at('id')]}
        onChange={(event) => {
          const value = event.target.value.trim();
          onChange({
            ...transition,
            event: value,
            id: transition.id === transition.event ? value : transition.id,
          });
        }}
      />
      <fieldset className="fieldset">
        <legend className="field__label">{t('flow.from')}</legend>
        <label className="check">
          <input
            type="checkbox"
            checked={transition.from === '*'}
            onChange={(event) => onChange({ ...transition, from: event.target.checked ? '*' : [] })}
          />
          <span>{t('flow.anyStage')}</span>
        </label>
        {transition.from === '*'
          ? null
          : def.states
              .filter((s) => s.id !== transition.to)
              .map((s) => {
                const from = transition.from === '*' ? [] : transition.from;
                return (
                  <label key={s.id} className="check">
                    <input
                      type="checkbox"
                      checked={from.includes(s.id)}
                      onChange={(event) =>
                        onChange({
                          ...transition,
                          from: event.target.checked
                            ? [...from, s.id]
                            : from.filter((f) => f !== s.id),
                        })
                      }
                    />
                    <span>{text(s.label) || s.id}</span>
                  </label>
                );
              })}
        {at('from').length > 0 ? (
          <p className="field__error" role="alert">
            {at('from').join(' ')}
          </p>
        ) : null}
      </fieldset>
      <SelectField
        label={t('flow.to')}
        value={transition.to}
        options={def.states.map((s) => ({ value: s.id, label: text(s.label) || s.id }))}
        onChange={(event) => onChange({ ...transition, to: event.target.value })}
        error={at('to')}
      />
      <div className="field" data-testid="guard-field">
        <span className="field__label">{t('flow.guard')}</span>
        <ConditionBuilder
          fields={fields}
          value={transition.guard ?? undefined}
          onChange={(logic) => onChange({ ...transition, guard: logic ?? null })}
          label={t('flow.guard')}
          testId="transition-guard"
        />
        {at('guard').length > 0 ? (
          <p className="field__error" role="alert" data-testid="guard-error">
            {at('guard').join(' ')}
          </p>
        ) : (
          <p className="field__hint">{t('flow.guardHint')}</p>
        )}
      </div>
      <LocalizedInput
        label={t('flow.guardMessage')}
        value={transition.guardMessage ?? undefined}
        onChange={(guardMessage) => onChange({ ...transition, guardMessage: guardMessage ?? null })}
        error={at('guardMessage')}
        testId="guard-message"
      />
      <FieldPicker
        legend={t('flow.transitionRequired')}
        fields={fields}
        value={transition.requiredFields}
        onChange={(requiredFields) => onChange({ ...transition, requiredFields })}
        error={at('requiredFields')}
        testId="transition-required"
      />
      <fieldset className="fieldset" data-testid="allowed-field">
        <legend className="field__label">{t('flow.allowed')}</legend>
        <label className="check">
          <input
            type="radio"
            name="allowed"
            checked={allowed === null}
            onChange={() => onChange({ ...transition, allowed: null })}
          />
          <span>{t('flow.allowedAnyone')}</span>
        </label>
        <label className="check">
          <input
            type="radio"
            name="allowed"
            checked={allowed !== null}
            onChange={() =>
              onChange({ ...transition, allowed: { roles: [], owner: true, userField: null } })
            }
          />
          <span>{t('flow.allowedSome')}</span>
        </label>
        {allowed === null ? null : (
          <div className="flow-props__nested">
            <Checkbox
              label={t('flow.allowedOwner')}
              checked={allowed.owner}
              onChange={(event) =>
                onChange({ ...transition, allowed: { ...allowed, owner: event.target.checked } })
              }
            />
            {roles.map((role) => (
              <Checkbox
                key={role.id}
                label={text(role.name)}
                checked={allowed.roles.includes(role.key)}
                onChange={(event) =>
                  onChange({
                    ...transition,
                    allowed: {
                      ...allowed,
                      roles: event.target.checked
                        ? [...allowed.roles, role.key]
                        : allowed.roles.filter((key) => key !== role.key),
                    },
                  })
                }
              />
            ))}
            <SelectField
              label={t('flow.allowedUserField')}
              value={allowed.userField ?? ''}
              placeholder={t('flow.none')}
              options={userFields.map((field) => ({
                value: field.id,
                label: text(field.label) || field.id,
              }))}
              onChange={(event) =>
                onChange({
                  ...transition,
                  allowed: {
                    ...allowed,
                    userField: event.target.value === '' ? null : event.target.value,
                  },
                })
              }
            />
          </div>
        )}
        {at('allowed').length > 0 ? (
          <p className="field__error" role="alert">
            {at('allowed').join(' ')}
          </p>
        ) : null}
      </fieldset>
      <div className="field" data-testid="approval-field">
        <span className="field__label">{t('flow.approval')}</span>
        <Checkbox
          label={t('flow.approvalNeeded')}
          checked={transition.approval !== null}
          onChange={(event) =>
            onChange({
              ...transition,
              approval: event.target.checked ? { steps: [] } : null,
            })
          }
        />
        {transition.approval === null ? null : (
          <ApprovalStepsEditor
            steps={transition.approval.steps}
            fields={fields}
            members={members}
            roles={roles}
            onChange={(steps) => onChange({ ...transition, approval: { steps } })}
            issues={(path) => at(`approval.steps.${path}`)}
          />
        )}
        {at('approval.steps').length > 0 && transition.approval?.steps.length === 0 ? (
          <p className="field__error" role="alert">
            {at('approval.steps').join(' ')}
          </p>
        ) : null}
      </div>
      {transition.effects.length > 0 ? (
        <p className="small muted">{t('flow.effectsKept', { count: transition.effects.length })}</p>
      ) : null}
      <div className="flow-props__footer">
        <Button variant="danger" icon="trash" onClick={onRemove}>
          {t('flow.removeTransition')}
        </Button>
      </div>
    </div>
  );
}
