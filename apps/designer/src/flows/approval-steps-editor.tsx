import type { ApprovalMode, ApprovalStepDef, ApproverSpec } from '@trellis/flow-engine';
import type { Member, Role } from '../api/people-api.js';
import { ConditionBuilder } from '../conditions/condition-builder.js';
import type { FieldSchema } from '../forms/form-schema.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';
import { LocalizedInput } from '../designer/localized-input.js';
import { Button } from '../ui/button.js';
import { newApprovalStep } from './flow-model.js';
import { TimersEditor } from './timers-editor.js';

export const APPROVAL_MODE_LABELS: Readonly<Record<ApprovalMode, MessageKey>> = {
  any: 'flow.mode.any',
  all: 'flow.mode.all',
  sequential: 'flow.mode.sequential',
};

const APPROVER_KINDS: ReadonlyArray<{ kind: ApproverSpec['kind']; label: MessageKey }> = [
  { kind: 'managerChain', label: 'flow.approver.managerChain' },
  { kind: 'users', label: 'flow.approver.users' },
  { kind: 'roles', label: 'flow.approver.roles' },
  { kind: 'userField', label: 'flow.approver.userField' },
];

function defaultApprover(kind: ApproverSpec['kind']): ApproverSpec {
  switch (kind) {
    case 'users':
      return { kind, users: [] };
    case 'roles':
      return { kind, roles: [] };
    case 'userField':
      return { kind, field: '' };
    case 'managerChain':
      return { kind, levels: 1, of: 'submitter' };
  }
}

function toggle(list: readonly string[], id: string, on: boolean): string[] {
  return on ? [...list.filter((x) => x !== id), id] : list.filter((x) => x !== id);
}

function ApproverEditor({
  spec,
  members,
  roles,
  userFields,
  onChange,
  onRemove,
}: {
  spec: ApproverSpec;
  members: readonly Member[];
  roles: readonly Role[];
  userFields: readonly FieldSchema[];
  onChange(spec: ApproverSpec): void;
  onRemove(): void;
}) {
  const { t, text } = useI18n();
  return (
    <div className="approver-row" data-testid="approver-row">
      <div className="approver-row__head">
        <select
          className="select"
          aria-label={t('flow.approver.kind')}
          value={spec.kind}
          onChange={(event) =>
            onChange(defaultApprover(event.target.value as ApproverSpec['kind']))
          }
        >
          {APPROVER_KINDS.map((entry) => (
            <option key={entry.kind} value={entry.kind}>
              {t(entry.label)}
            </option>
          ))}
        </select>
        {spec.kind === 'managerChain' ? (
          <label className="timer-row__inline">
            <span className="small">{t('flow.approver.levels')}</span>
            <input
              className="input timer-row__amount"
              type="number"
              min={1}
              max={5}
              value={spec.levels}
              onChange={(event) =>
                onChange({ ...spec, levels: Math.max(1, Number(event.target.value)) })
              }
            />
          </label>
        ) : null}
        {spec.kind === 'userField' ? (
          <select
            className="select"
            aria-label={t('flow.approver.userField')}
            value={spec.field}
            onChange={(event) => onChange({ kind: 'userField', field: event.target.value })}
          >
            <option value="">{t('flow.pickField')}</option>
            {userFields.map((field) => (
              <option key={field.id} value={field.id}>
                {text(field.label) || field.id}
              </option>
            ))}
          </select>
        ) : null}
        <Button
          size="small"
          variant="ghost"
          icon="trash"
          iconLabel={t('flow.approver.remove')}
          onClick={onRemove}
        />
      </div>
      {spec.kind === 'users' ? (
        <div className="field-picker__options" role="group" aria-label={t('flow.approver.users')}>
          {members.map((member) => (
            <label key={member.id} className="check">
              <input
                type="checkbox"
                checked={spec.users.includes(member.id)}
                onChange={(event) =>
                  onChange({
                    kind: 'users',
                    users: toggle(spec.users, member.id, event.target.checked),
                  })
                }
              />
              <span>{member.displayName}</span>
            </label>
          ))}
        </div>
      ) : null}
      {spec.kind === 'roles' ? (
        <div className="field-picker__options" role="group" aria-label={t('flow.approver.roles')}>
          {roles.map((role) => (
            <label key={role.id} className="check">
              <input
                type="checkbox"
                checked={spec.roles.includes(role.key)}
                onChange={(event) =>
                  onChange({
                    kind: 'roles',
                    roles: toggle(spec.roles, role.key, event.target.checked),
                  })
                }
              />
              <span>{text(role.name)}</span>
            </label>
          ))}
        </div>
      ) : null}
    </div>
  );
}

/** The approval of a transition: ordered steps, each with its approvers, mode, condition and SLA. */
export function ApprovalStepsEditor({
  steps,
  fields,
  members,
  roles,
  onChange,
  issues,
}: {
  steps: readonly ApprovalStepDef[];
  fields: readonly FieldSchema[];
  members: readonly Member[];
  roles: readonly Role[];
  onChange(next: ApprovalStepDef[]): void;
  issues(path: string): string[];
}) {
  const { t } = useI18n();
  const userFields = fields.filter((field) => field.type === 'user');
  const set = (index: number, step: ApprovalStepDef) =>
    onChange(steps.map((item, i) => (i === index ? step : item)));
  return (
    <div className="approval-steps">
      <ol className="list-plain approval-steps__list">
        {steps.map((step, index) => (
          <li key={index} className="approval-step card" data-testid="approval-step">
            <div className="approval-step__head">
              <strong>{t('flow.step', { n: index + 1 })}</strong>
              <Button
                size="small"
                variant="ghost"
                icon="trash"
                iconLabel={t('flow.stepRemove')}
                onClick={() => onChange(steps.filter((_, i) => i !== index))}
              />
            </div>
            <LocalizedInput
              label={t('flow.stepLabel')}
              value={step.label ?? undefined}
              onChange={(label) => set(index, { ...step, label: label ?? null })}
            />
            <div className="field">
              <label className="field__label" htmlFor={`mode-${index}`}>
                {t('flow.mode')}
              </label>
              <select
                id={`mode-${index}`}
                className="select"
                value={step.mode}
                data-testid="approval-mode"
                onChange={(event) =>
                  set(index, { ...step, mode: event.target.value as ApprovalMode })
                }
              >
                {(['any', 'all', 'sequential'] as const).map((mode) => (
                  <option key={mode} value={mode}>
                    {t(APPROVAL_MODE_LABELS[mode])}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <span className="field__label">{t('flow.approvers')}</span>
              {step.approvers.map((spec, j) => (
                <ApproverEditor
                  key={j}
                  spec={spec}
                  members={members}
                  roles={roles}
                  userFields={userFields}
                  onChange={(next) =>
                    set(index, {
                      ...step,
                      approvers: step.approvers.map((item, k) => (k === j ? next : item)),
                    })
                  }
                  onRemove={() =>
                    set(index, { ...step, approvers: step.approvers.filter((_, k) => k !== j) })
                  }
                />
              ))}
              <div>
                <Button
                  size="small"
                  icon="plus"
                  onClick={() =>
                    set(index, {
                      ...step,
                      approvers: [...step.approvers, defaultApprover('users')],
                    })
                  }
                >
                  {t('flow.approver.add')}
                </Button>
              </div>
              {issues(`${index}.approvers`).length > 0 ? (
                <p className="field__error" role="alert">
                  {issues(`${index}.approvers`).join(' ')}
                </p>
              ) : null}
            </div>
            <div className="field">
              <span className="field__label">{t('flow.stepWhen')}</span>
              <ConditionBuilder
                fields={fields}
                value={step.when ?? undefined}
                onChange={(logic) => set(index, { ...step, when: logic ?? null })}
                label={t('flow.stepWhen')}
                testId={`step-when-${index}`}
              />
              <p className="field__hint">{t('flow.stepWhenHint')}</p>
            </div>
            <fieldset className="fieldset">
              <legend className="field__label">{t('flow.commentRequired')}</legend>
              {(['reject', 'return', 'approve'] as const).map((kind) => (
                <label key={kind} className="check">
                  <input
                    type="checkbox"
                    checked={step.commentRequiredOn.includes(kind)}
                    onChange={(event) =>
                      set(index, {
                        ...step,
                        commentRequiredOn: event.target.checked
                          ? [...step.commentRequiredOn, kind]
                          : step.commentRequiredOn.filter((k) => k !== kind),
                      })
                    }
                  />
                  <span>{t(`approvals.decision.${kind}`)}</span>
                </label>
              ))}
            </fieldset>
            <div className="field">
              <span className="field__label">{t('flow.stepSla')}</span>
              <TimersEditor
                scope="approval"
                timers={step.timers}
                events={[]}
                onChange={(timers) => set(index, { ...step, timers })}
                issues={(j) => issues(`${index}.timers.${j}`)}
              />
            </div>
          </li>
        ))}
      </ol>
      <Button
        size="small"
        icon="plus"
        onClick={() => onChange([...steps, newApprovalStep(steps)])}
        data-testid="add-approval-step"
      >
        {t('flow.stepAdd')}
      </Button>
    </div>
  );
}
