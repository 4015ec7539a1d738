import { useMemo, useState } from 'react';
import type { NotifyTarget, RuleAction, RuleDefinition, RuleTrigger } from '@trellis/rule-engine';
import { isApiProblem, type ProblemError } from '../api/api-problem.js';
import { flowsApi } from '../api/flows-api.js';
import { formsApi } from '../api/forms-api.js';
import { peopleApi, type Member, type Role, type Team } from '../api/people-api.js';
import { recordsApi } from '../api/records-api.js';
import { rulesApi, type RuleRun, type RuleTestResult, type StoredRule } from '../api/rules-api.js';
import { useResource } from '../api/use-resource.js';
import { ConditionBuilder } from '../conditions/condition-builder.js';
import { LocalizedInput } from '../designer/localized-input.js';
import { recordTitle } from '../forms/field-data-source.js';
import type { FieldSchema } from '../forms/form-schema.js';
import type { LocalizedText } from '../i18n/localized-text.js';
import { bilingual } from '../i18n/bilingual.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';
import { Button } from '../ui/button.js';
import { Switch } from '../ui/form-field.js';
import { errorMessage, Notice, ProblemNotice } from '../ui/problem-notice.js';
import { EmptyState, Loading, PageHeader } from '../ui/states.js';
import { useToast } from '../ui/toast.js';
import { useCurrentApp } from '../runtime/app-context.js';
import { parseFlowDefinition } from '../workflow/flow-definition.js';
import { ExplainTree } from '../workflow/explain-tree.js';
import { ruleSentence, type SentenceNames } from './rule-sentence.js';
import './rules.css';

const TRIGGERS: readonly RuleTrigger['type'][] = [
  'record_created',
  'record_updated',
  'stage_entered',
  'stage_left',
  'relative_time',
  'schedule',
  'record_deleted',
];
const ACTIONS: readonly RuleAction['type'][] = [
  'assign_owner',
  'notify',
  'set_field',
  'transition_stage',
  'create_record',
  'escalate',
  'return_to_pool',
  'webhook',
];

function newRule(form: string): RuleDefinition {
  return {
    id: `rule_${Date.now().toString(36)}`,
    name: bilingual('rules.untitled'),
    form,
    enabled: true,
    trigger: { type: 'record_created' },
    condition: null,
    actions: [
      {
        type: 'notify',
        channel: 'in_app',
        to: [{ type: 'owner' }],
        title: bilingual('rules.defaultTitle'),
      },
    ],
    priority: 100,
  };
}

function defaultTrigger(type: RuleTrigger['type'], stage: string, dateField: string): RuleTrigger {
  switch (type) {
    case 'record_created':
    case 'record_deleted':
    case 'record_updated':
      return { type };
    case 'stage_entered':
    case 'stage_left':
      return { type, stage };
    case 'schedule':
      return { type, cron: '0 9 * * 1-5', timeZone: 'Asia/Shanghai' };
    case 'relative_time':
      return { type, field: dateField, amount: 2, unit: 'hours', working: true };
  }
}

function defaultAction(
  type: RuleAction['type'],
  ctx: { field: string; stage: string; team: string; form: string },
): RuleAction {
  switch (type) {
    case 'set_field':
      return { type, field: ctx.field, value: '' };
    case 'assign_owner':
      return {
        type,
        strategy: 'round_robin',
        pool: ctx.team === '' ? { role: 'member' } : { team: ctx.team },
      };
    case 'create_record':
      return { type, form: ctx.form, values: {} };
    case 'notify':
      return {
        type,
        channel: 'in_app',
        to: [{ type: 'owner' }],
        title: bilingual('rules.defaultTitle'),
      };
    case 'webhook':
      return { type, url: 'https://' };
    case 'transition_stage':
      return { type, stage: ctx.stage };
    case 'return_to_pool':
      return { type };
    case 'escalate':
      return { type, to: { type: 'owner_manager' } };
  }
}

/** Automation rules of the app, in words; test one against a record; its run log with replays. */
export function RulesPage() {
  const { app } = useCurrentApp();
  const { t, text } = useI18n();
  const rules = useResource((signal) => rulesApi.list(app.id, signal), [app.id]);
  const [selected, setSelected] = useState<string | 'new' | null>(null);
  const published = app.forms.filter((f) => f.publishedVersion !== null);
  const current = rules.data?.find((r) => r.id === selected) ?? null;
  return (
    <div className="page page--wide rules-page">
      <PageHeader
        title={t('rules.title')}
        subtitle={t('rules.subtitle')}
        actions={
          published.length === 0 ? undefined : (
            <Button
              variant="primary"
              icon="plus"
              onClick={() => setSelected('new')}
              data-testid="new-rule"
            >
              {t('rules.new')}
            </Button>
          )
        }
      />
      {rules.error !== undefined ? (
        <ProblemNotice error={rules.error} />
      ) : rules.data === undefined ? (
        <Loading />
      ) : (
        <div className="rules-layout">
          <nav className="rules-list card" aria-label={t('rules.list')}>
            {rules.data.length === 0 ? (
              <EmptyState icon="bolt" title={t('rules.none')}>
                {t('rules.noneBody')}
              </EmptyState>
            ) : (
              <ul className="list-plain">
                {rules.data.map((rule) => (
                  <li key={rule.id}>
                    <button
                      type="button"
                      className="rules-list__item"
                      aria-pressed={selected === rule.id}
                      onClick={() => setSelected(rule.id)}
                    >
                      <span className={rule.enabled ? 'badge badge--success' : 'badge'}>
                        {rule.enabled ? t('rules.on') : t('rules.off')}
                      </span>
                      <span className="grow">{text(rule.name)}</span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </nav>
          <div className="rules-editor">
            {selected === null ? (
              <p className="muted">{t('rules.pick')}</p>
            ) : (
              <RuleEditor
                key={selected}
                stored={selected === 'new' ? null : current}
                initial={
                  selected === 'new' || current === null
                    ? newRule(published[0]?.key ?? '')
                    : (current.definition as RuleDefinition)
                }
                onSaved={(rule) => {
                  rules.reload();
                  setSelected(rule.id);
                }}
              />
            )}
          </div>
        </div>
      )}
    </div>
  );
}

function RuleEditor({
  stored,
  initial,
  onSaved,
}: {
  stored: StoredRule | null;
  initial: RuleDefinition;
  onSaved(rule: StoredRule): void;
}) {
  const { app } = useCurrentApp();
  const i18n = useI18n();
  const { t, text } = i18n;
  const toast = useToast();
  const [rule, setRule] = useState<RuleDefinition>(initial);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const formSummary = app.forms.find((f) => f.key === rule.form);
  const form = useResource(
    (signal) =>
      formSummary === undefined ? Promise.resolve(null) : formsApi.get(formSummary.id, signal),
    [formSummary?.id],
  );
  const flow = useResource(
    (signal) =>
      form.data?.hasFlow === true && formSummary !== undefined
        ? flowsApi.get(formSummary.id, signal).then((d) => parseFlowDefinition(d.definition))
        : Promise.resolve(null),
    [formSummary?.id, form.data?.hasFlow],
  );
  const teams = useResource((signal) => peopleApi.teams(signal).catch(() => [] as Team[]), []);
  const roles = useResource((signal) => peopleApi.roles(signal).catch(() => [] as Role[]), []);
  const members = useResource(
    (signal) => peopleApi.members(signal).catch(() => [] as Member[]),
    [],
  );
  const fields = form.data?.schema?.fields ?? [];
  const stages = flow.data?.states ?? [];
  const names: SentenceNames = useMemo(
    () => ({
      form: (key) => text(app.forms.find((f) => f.key === key)?.name) || key,
      field: (id) =>
        text(fields.find((f) => f.id === id)?.label) ||
        (
          {
            created_at: t('reports.field.createdAt'),
            owner_id: t('reports.field.owner'),
            stage: t('reports.field.stage'),
          } as Record<string, string>
        )[id] ||
        id,
      option: (fieldId, value) => {
        const option = fields
          .find((f) => f.id === fieldId)
          ?.options?.find((o) => o.value === value);
        return option === undefined ? String(value ?? '') : text(option.label);
      },
      stage: (id) => text(stages.find((s) => s.id === id)?.label) || id,
      team: (id) => teams.data?.find((x) => x.id === id)?.name ?? id,
      role: (key) => text(roles.data?.find((r) => r.key === key)?.name) || key,
      member: (id) => members.data?.find((m) => m.id === id)?.displayName ?? id,
    }),
    [app.forms, fields, stages, teams.data, roles.data, members.data, t, text],
  );
  const errors: readonly ProblemError[] = isApiProblem(problem) ? problem.errors : [];
  const at = (prefix: string) =>
    errors
      .filter((e) => e.path.replace(/^definition\./, '').startsWith(prefix))
      .map((e) => errorMessage(e, i18n));
  const ctx = {
    field: fields[0]?.id ?? '',
    stage: stages[0]?.id ?? '',
    team: teams.data?.[0]?.id ?? '',
    form: rule.form,
  };

  async function save() {
    setBusy(true);
    setProblem(null);
    try {
      const saved =
        stored === null
          ? await rulesApi.create(app.id, rule)
          : await rulesApi.update(app.id, stored.id, rule, stored.version);
      toast.show(t('rules.saved'));
      onSaved(saved);
    } catch (caught) {
      setProblem(caught);
    } finally {
      setBusy(false);
    }
  }

  const setAction = (index: number, next: RuleAction) =>
    setRule({ ...rule, actions: rule.actions.map((a, i) => (i === index ? next : a)) });
  const trig = rule.trigger;
  return (
    <div className="rule-editor form-stack">
      <p className="rule-sentence" data-testid="rule-sentence">
        {ruleSentence(i18n, names, rule)}
      </p>
      {problem === null ? null : (
        <ProblemNotice
          error={problem}
          errors={errors.map((e) => ({ ...e, message: `${e.path}: ${errorMessage(e, i18n)}` }))}
        />
      )}
      <LocalizedInput
        label={t('rules.name')}
        required
        value={rule.name}
        onChange={(name) => setRule({ ...rule, name: name ?? '' })}
        error={at('name')}
      />
      <div className="form-row">
        <label className="field">
          <span className="field__label">{t('rules.form')}</span>
          <select
            className="select"
            value={rule.form}
            onChange={(event) => setRule({ ...rule, form: event.target.value, condition: null })}
          >
            {app.forms.map((f) => (
              <option key={f.id} value={f.key}>
                {text(f.name)}
              </option>
            ))}
          </select>
        </label>
        <Switch
          label={t('rules.enabled')}
          checked={rule.enabled}
          onChange={(event) => setRule({ ...rule, enabled: event.target.checked })}
        />
      </div>
      <fieldset className="fieldset rule-block">
        <legend className="rule-block__title">{t('rules.when')}</legend>
        <select
          className="select"
          aria-label={t('rules.triggerType')}
          value={trig.type}
          onChange={(event) =>
            setRule({
              ...rule,
              trigger: defaultTrigger(
                event.target.value as RuleTrigger['type'],
                ctx.stage,
                fields.find((f) => f.type === 'date' || f.type === 'datetime')?.id ?? 'created_at',
              ),
            })
          }
          data-testid="rule-trigger"
        >
          {TRIGGERS.map((type) => (
            <option key={type} value={type}>
              {t(`rules.trigger.${type}`)}
            </option>
          ))}
        </select>
        {trig.type === 'stage_entered' || trig.type === 'stage_left' ? (
          <select
            className="select"
            aria-label={t('reports.field.stage')}
            value={trig.stage}
            onChange={(event) =>
              setRule({ ...rule, trigger: { type: trig.type, stage: event.target.value } })
            }
          >
            {stages.map((s) => (
              <option key={s.id} value={s.id}>
                {text(s.label)}
              </option>
            ))}
          </select>
        ) : null}
        {trig.type === 'relative_time' ? (
          <div className="row">
            <input
              className="input rule-number"
              type="number"
              min={0}
              aria-label={t('rules.amount')}
              value={trig.amount}
              onChange={(event) =>
                setRule({ ...rule, trigger: { ...trig, amount: Number(event.target.value) } })
              }
            />
            <select
              className="select"
              aria-label={t('rules.unit')}
              value={trig.unit}
              onChange={(event) =>
                setRule({
                  ...rule,
                  trigger: { ...trig, unit: event.target.value as 'minutes' | 'hours' | 'days' },
                })
              }
            >
              {(['minutes', 'hours', 'days'] as const).map((u) => (
                <option key={u} value={u}>
                  {t(`rules.unit.${u}`)}
                </option>
              ))}
            </select>
            <label className="check">
              <input
                type="checkbox"
                checked={trig.working}
                onChange={(event) =>
                  setRule({ ...rule, trigger: { ...trig, working: event.target.checked } })
                }
              />
              <span>{t('rules.working')}</span>
            </label>
            <span>{t('rules.after')}</span>
            <select
              className="select"
              aria-label={t('rules.dateField')}
              value={trig.field}
              onChange={(event) =>
                setRule({ ...rule, trigger: { ...trig, field: event.target.value } })
              }
            >
              <option value="created_at">{t('reports.field.createdAt')}</option>
              {fields
                .filter((f) => f.type === 'date' || f.type === 'datetime')
                .map((f) => (
                  <option key={f.id} value={f.id}>
                    {text(f.label)}
                  </option>
                ))}
            </select>
          </div>
        ) : null}
        {trig.type === 'schedule' ? (
          <input
            className="input mono"
            aria-label={t('rules.cron')}
            value={trig.cron}
            onChange={(event) =>
              setRule({ ...rule, trigger: { ...trig, cron: event.target.value } })
            }
          />
        ) : null}
        {at('trigger').length > 0 ? (
          <p className="field__error" role="alert">
            {at('trigger').join(' ')}
          </p>
        ) : null}
      </fieldset>
      <fieldset className="fieldset rule-block">
        <legend className="rule-block__title">{t('rules.if')}</legend>
        <ConditionBuilder
          fields={fields}
          value={rule.condition ?? undefined}
          onChange={(logic) => setRule({ ...rule, condition: logic ?? null })}
          label={t('rules.if')}
          testId="rule-condition"
        />
        {at('condition').length > 0 ? (
          <p className="field__error" role="alert">
            {at('condition').join(' ')}
          </p>
        ) : null}
      </fieldset>
      <fieldset className="fieldset rule-block">
        <legend className="rule-block__title">{t('rules.then')}</legend>
        <ol className="list-plain rule-actions">
          {rule.actions.map((action, index) => (
            <li key={index} className="rule-action" data-testid="rule-action">
              <div className="row">
                <select
                  className="select"
                  aria-label={t('rules.actionType')}
                  value={action.type}
                  onChange={(event) =>
                    setAction(index, defaultAction(event.target.value as RuleAction['type'], ctx))
                  }
                >
                  {ACTIONS.map((type) => (
                    <option key={type} value={type}>
                      {t(`rules.action.${type}`)}
                    </option>
                  ))}
                </select>
                <ActionFields
                  action={action}
                  onChange={(next) => setAction(index, next)}
                  fields={fields}
                  stages={stages.map((s) => ({ id: s.id, label: text(s.label) }))}
                  teams={teams.data ?? []}
                  roles={roles.data ?? []}
                  members={members.data ?? []}
                  forms={app.forms.map((f) => ({ key: f.key, label: text(f.name) }))}
                />
                <Button
                  size="small"
                  variant="ghost"
                  icon="trash"
                  iconLabel={t('rules.removeAction')}
                  onClick={() =>
                    setRule({ ...rule, actions: rule.actions.filter((_, i) => i !== index) })
                  }
                />
              </div>
              {at(`actions.${index}`).length > 0 ? (
                <p className="field__error" role="alert">
                  {at(`actions.${index}`).join(' ')}
                </p>
              ) : null}
            </li>
          ))}
        </ol>
        <Button
          size="small"
          icon="plus"
          onClick={() =>
            setRule({ ...rule, actions: [...rule.actions, defaultAction('notify', ctx)] })
          }
        >
          {t('rules.addAction')}
        </Button>
      </fieldset>
      <div className="form-actions">
        <Button
          variant="primary"
          icon="save"
          busy={busy}
          onClick={() => void save()}
          data-testid="rule-save"
        >
          {t('common.save')}
        </Button>
      </div>
      {stored === null || formSummary === undefined ? null : (
        <>
          <RuleTester rule={stored} formId={formSummary.id} fields={fields} />
          <RunLog rule={stored} />
        </>
      )}
    </div>
  );
}

function ActionFields({
  action,
  onChange,
  fields,
  stages,
  teams,
  roles,
  members,
  forms,
}: {
  action: RuleAction;
  onChange(next: RuleAction): void;
  fields: ReadonlyArray<{ id: string; label: LocalizedText }>;
  stages: ReadonlyArray<{ id: string; label: string }>;
  teams: readonly Team[];
  roles: readonly Role[];
  members: readonly Member[];
  forms: ReadonlyArray<{ key: string; label: string }>;
}) {
  const { t, text } = useI18n();
  const targetSelect = (value: NotifyTarget, set: (next: NotifyTarget) => void) => (
    <select
      className="select"
      aria-label={t('rules.recipient')}
      value={
        value.type === 'role'
          ? `role:${value.role}`
          : value.type === 'user'
            ? `user:${value.userId}`
            : value.type
      }
      onChange={(event) => {
        const raw = event.target.value;
        set(
          raw.startsWith('role:')
            ? { type: 'role', role: raw.slice(5) }
            : raw.startsWith('user:')
              ? { type: 'user', userId: raw.slice(5) }
              : { type: raw === 'owner_manager' ? 'owner_manager' : 'owner' },
        );
      }}
    >
      <option value="owner">{t('rules.say.owner')}</option>
      <option value="owner_manager">{t('rules.say.ownerManager')}</option>
      {roles.map((r) => (
        <option key={r.id} value={`role:${r.key}`}>
          {text(r.name)}
        </option>
      ))}
      {members.map((m) => (
        <option key={m.id} value={`user:${m.id}`}>
          {m.displayName}
        </option>
      ))}
    </select>
  );
  switch (action.type) {
    case 'assign_owner':
      return (
        <>
          <select
            className="select"
            aria-label={t('rules.strategy')}
            value={action.strategy}
            onChange={(event) => {
              const s = event.target.value;
              onChange(
                s === 'fixed'
                  ? { type: 'assign_owner', strategy: 'fixed', userId: members[0]?.id ?? '' }
                  : s === 'from_field'
                    ? { type: 'assign_owner', strategy: 'from_field', field: fields[0]?.id ?? '' }
                    : {
                        type: 'assign_owner',
                        strategy: s === 'least_open' ? 'least_open' : 'round_robin',
                        pool: teams[0] === undefined ? { role: 'member' } : { team: teams[0].id },
                      },
              );
            }}
          >
            <option value="round_robin">{t('rules.strategy.round_robin')}</option>
            <option value="least_open">{t('rules.strategy.least_open')}</option>
            <option value="fixed">{t('rules.strategy.fixed')}</option>
            <option value="from_field">{t('rules.strategy.from_field')}</option>
          </select>
          {action.strategy === 'round_robin' || action.strategy === 'least_open' ? (
            <select
              className="select"
              aria-label={t('rules.pool')}
              value={
                action.pool.team !== undefined
                  ? `team:${action.pool.team}`
                  : `role:${action.pool.role ?? ''}`
              }
              onChange={(event) => {
                const raw = event.target.value;
                onChange({
                  ...action,
                  pool: raw.startsWith('team:') ? { team: raw.slice(5) } : { role: raw.slice(5) },
                });
              }}
            >
              {teams.map((team) => (
                <option key={team.id} value={`team:${team.id}`}>
                  {team.name}
                </option>
              ))}
              {roles.map((r) => (
                <option key={r.id} value={`role:${r.key}`}>
                  {text(r.name)}
                </option>
              ))}
            </select>
          ) : action.strategy === 'fixed' ? (
            <select
              className="select"
              aria-label={t('rules.user')}
              value={action.userId}
              onChange={(event) => onChange({ ...action, userId: event.target.value })}
            >
              {members.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.displayName}
                </option>
              ))}
            </select>
          ) : action.strategy === 'from_field' ? (
            <select
              className="select"
              aria-label={t('rules.field')}
              value={action.field}
              onChange={(event) =>
                onChange({
                  type: 'assign_owner',
                  strategy: 'from_field',
                  field: event.target.value,
                })
              }
            >
              {fields.map((f) => (
                <option key={f.id} value={f.id}>
                  {text(f.label)}
                </option>
              ))}
            </select>
          ) : null}
        </>
      );
    case 'notify':
      return (
        <>
          {targetSelect(action.to[0] ?? { type: 'owner' }, (next) =>
            onChange({ ...action, to: [next] }),
          )}
          <input
            className="input"
            aria-label={t('rules.title')}
            value={text(action.title)}
            onChange={(event) => onChange({ ...action, title: event.target.value })}
          />
        </>
      );
    case 'escalate':
      return targetSelect(action.to, (next) => onChange({ ...action, to: next }));
    case 'set_field':
      return (
        <>
          <select
            className="select"
            aria-label={t('rules.field')}
            value={action.field}
            onChange={(event) => onChange({ ...action, field: event.target.value })}
          >
            {fields.map((f) => (
              <option key={f.id} value={f.id}>
                {text(f.label)}
              </option>
            ))}
          </select>
          <input
            className="input"
            aria-label={t('rules.value')}
            value={
              typeof action.value === 'string' || typeof action.value === 'number'
                ? String(action.value)
                : JSON.stringify(action.value)
            }
            onChange={(event) => onChange({ ...action, value: event.target.value })}
          />
        </>
      );
    case 'transition_stage':
      return (
        <select
          className="select"
          aria-label={t('reports.field.stage')}
          value={action.stage}
          onChange={(event) => onChange({ ...action, stage: event.target.value })}
        >
          {stages.map((s) => (
            <option key={s.id} value={s.id}>
              {s.label}
            </option>
          ))}
        </select>
      );
    case 'create_record':
      return (
        <select
          className="select"
          aria-label={t('rules.form')}
          value={action.form}
          onChange={(event) => onChange({ ...action, form: event.target.value })}
        >
          {forms.map((f) => (
            <option key={f.key} value={f.key}>
              {f.label}
            </option>
          ))}
        </select>
      );
    case 'webhook':
      return (
        <input
          className="input"
          type="url"
          aria-label={t('rules.url')}
          value={action.url}
          onChange={(event) => onChange({ ...action, url: event.target.value })}
        />
      );
    case 'return_to_pool':
      return null;
  }
}

function RuleTester({
  rule,
  formId,
  fields,
}: {
  rule: StoredRule;
  formId: string;
  fields: readonly FieldSchema[];
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const records = useResource(
    (signal) => recordsApi.list(formId, { limit: 50, sort: '-created_at' }, signal),
    [formId],
  );
  const [recordId, setRecordId] = useState('');
  const [result, setResult] = useState<RuleTestResult | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  async function run() {
    const record = records.data?.items.find((r) => r.id === recordId);
    if (record === undefined) return;
    setProblem(null);
    try {
      setResult(
        await rulesApi.test(rule.id, {
          ...record.values,
          id: record.id,
          owner_id: record.ownerId,
          stage: record.stage,
          created_at: record.createdAt,
        }),
      );
    } catch (caught) {
      setProblem(caught);
    }
  }
  return (
    <section className="card rule-test" aria-labelledby="rule-test-title">
      <div className="card__header">
        <h2 id="rule-test-title" className="card__title">
          {t('rules.test')}
        </h2>
      </div>
      <div className="card__body form-stack">
        <div className="row">
          <select
            className="select"
            aria-label={t('rules.testRecord')}
            value={recordId}
            onChange={(event) => setRecordId(event.target.value)}
            data-testid="rule-test-record"
          >
            <option value="">{t('rules.pickRecord')}</option>
            {(records.data?.items ?? []).map((r) => (
              <option key={r.id} value={r.id}>
                {recordTitle(r, null, t('records.untitled'))}
              </option>
            ))}
          </select>
          <Button disabled={recordId === ''} onClick={() => void run()} data-testid="rule-test-run">
            {t('rules.runTest')}
          </Button>
        </div>
        {problem === null ? null : <ProblemNotice error={problem} />}
        {result === null ? null : (
          <div data-testid="rule-test-result">
            <Notice
              tone={result.matched ? 'success' : 'info'}
              title={
                result.matched
                  ? t('rules.wouldRun')
                  : result.triggered
                    ? t('rules.conditionFalse')
                    : t('rules.notTriggered')
              }
            />
            {result.explanation === null ? null : (
              <ExplainTree node={result.explanation} fields={fields} />
            )}
            {result.actions.length > 0 ? (
              <ul>
                {result.actions.map((a, i) => (
                  <li key={i} className="mono small">
                    {JSON.stringify(a)}
                  </li>
                ))}
              </ul>
            ) : null}
            {result.errors.map((e, i) => (
              <p key={i} className="field__error">
                {e.message}
              </p>
            ))}
          </div>
        )}
      </div>
    </section>
  );
}

const RUN_STATUS: Readonly<Record<RuleRun['status'], MessageKey>> = {
  running: 'rules.run.running',
  succeeded: 'rules.run.succeeded',
  failed: 'rules.run.failed',
  dead: 'rules.run.dead',
  skipped: 'rules.run.skipped',
};

function RunLog({ rule }: { rule: StoredRule }) {
  const { t, formatDateTime } = useI18n();
  const toast = useToast();
  const runs = useResource((signal) => rulesApi.runs(rule.id, signal), [rule.id]);
  return (
    <section className="card" aria-labelledby="runs-title">
      <div className="card__header row row--between">
        <h2 id="runs-title" className="card__title">
          {t('rules.runs')}
        </h2>
        <Button size="small" variant="ghost" icon="refresh" onClick={runs.reload}>
          {t('rules.refresh')}
        </Button>
      </div>
      <div className="card__body">
        {runs.error !== undefined ? (
          <ProblemNotice error={runs.error} />
        ) : runs.data === undefined ? (
          <Loading />
        ) : runs.data.length === 0 ? (
          <p className="muted">{t('rules.noRuns')}</p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="rule-runs">
              <thead>
                <tr>
                  <th scope="col">{t('rules.runAt')}</th>
                  <th scope="col">{t('rules.runStatus')}</th>
                  <th scope="col">{t('rules.runActions')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {runs.data.map((run) => (
                  <tr key={run.id}>
                    <td>{formatDateTime(run.startedAt)}</td>
                    <td>
                      <span
                        className={
                          run.status === 'succeeded'
                            ? 'badge badge--success'
                            : run.status === 'failed' || run.status === 'dead'
                              ? 'badge badge--danger'
                              : 'badge'
                        }
                      >
                        {t(RUN_STATUS[run.status])}
                      </span>
                      {run.error === null ? null : (
                        <p className="small field__error">{run.error.message}</p>
                      )}
                    </td>
                    <td className="small">
                      {run.actions
                        .map(
                          (a) =>
                            `${a.type}: ${a.status}${a.error === undefined ? '' : ` (${a.error.message})`}`,
                        )
                        .join('；')}
                    </td>
                    <td>
                      {run.status === 'failed' || run.status === 'dead' ? (
                        <Button
                          size="small"
                          icon="refresh"
                          onClick={() =>
                            void rulesApi.replay(run.id).then(
                              () => {
                                toast.show(t('rules.replayed'));
                                runs.reload();
                              },
                              (e: unknown) =>
                                toast.show(
                                  isApiProblem(e) ? e.detail : t('problem.unexpected'),
                                  'error',
                                ),
                            )
                          }
                        >
                          {t('rules.replay')}
                        </Button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </section>
  );
}
