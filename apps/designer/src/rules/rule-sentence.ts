import type { NotifyTarget, RuleAction, RuleDefinition, RuleTrigger } from '@trellis/rule-engine';
import { fromJsonLogic, type ConditionNode } from '../conditions/condition-model.js';
import type { I18n } from '../i18n/i18n-context.js';
import type { LocalizedText } from '../i18n/localized-text.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';

/** Names the sentence needs: forms, fields, options, stages, teams, roles and members by id. */
export type SentenceNames = {
  form(key: string): string;
  field(id: string): string;
  option(fieldId: string, value: unknown): string;
  stage(id: string): string;
  team(id: string): string;
  role(key: string): string;
  member(id: string): string;
};

type T = Pick<I18n, 't' | 'text'>;

const OPS: Readonly<Record<string, MessageKey>> = {
  '==': 'rules.say.eq',
  '!=': 'rules.say.neq',
  '>': 'rules.say.gt',
  '>=': 'rules.say.gte',
  '<': 'rules.say.lt',
  '<=': 'rules.say.lte',
  contains: 'rules.say.contains',
  not_contains: 'rules.say.notContains',
  in: 'rules.say.in',
  empty: 'rules.say.empty',
  not_empty: 'rules.say.notEmpty',
};

function trigger(t: T, names: SentenceNames, form: string, trig: RuleTrigger | undefined): string {
  const what = names.form(form);
  switch (trig?.type) {
    case 'record_created':
      return t.t('rules.say.created', { form: what });
    case 'record_updated':
      return trig.fields === undefined || trig.fields.length === 0
        ? t.t('rules.say.updated', { form: what })
        : t.t('rules.say.updatedFields', {
            form: what,
            fields: trig.fields.map(names.field).join('、'),
          });
    case 'record_deleted':
      return t.t('rules.say.deleted', { form: what });
    case 'stage_entered':
      return t.t('rules.say.stageEntered', { form: what, stage: names.stage(trig.stage) });
    case 'stage_left':
      return t.t('rules.say.stageLeft', { form: what, stage: names.stage(trig.stage) });
    case 'schedule':
      return t.t('rules.say.schedule', { cron: trig.cron, form: what });
    case 'relative_time':
      return t.t('rules.say.relative', {
        amount: trig.amount,
        unit: t.t(trig.working ? `rules.unit.working.${trig.unit}` : `rules.unit.${trig.unit}`),
        field: names.field(trig.field),
        form: what,
      });
    default:
      return t.t('rules.say.noTrigger');
  }
}

function condition(t: T, names: SentenceNames, node: ConditionNode): string {
  if (node.kind === 'group') {
    const parts = node.children.map((child) => condition(t, names, child)).filter((p) => p !== '');
    return parts.join(node.combinator === 'and' ? t.t('rules.say.and') : t.t('rules.say.or'));
  }
  const op = OPS[node.operator];
  const value = Array.isArray(node.value)
    ? node.value.map((v) => names.option(node.field, v)).join('、')
    : names.option(node.field, node.value);
  return op === undefined ? '' : t.t(op, { field: names.field(node.field), value });
}

function target(t: T, names: SentenceNames, to: NotifyTarget): string {
  switch (to.type) {
    case 'owner':
      return t.t('rules.say.owner');
    case 'owner_manager':
      return t.t('rules.say.ownerManager');
    case 'role':
      return names.role(to.role);
    case 'user':
      return names.member(to.userId);
  }
}

function text(t: T, value: LocalizedText | undefined): string {
  return value === undefined ? '' : t.text(value);
}

function action(t: T, names: SentenceNames, a: RuleAction): string {
  switch (a.type) {
    case 'set_field':
      return t.t('rules.say.setField', {
        field: names.field(a.field),
        value:
          typeof a.value === 'object' ? JSON.stringify(a.value) : names.option(a.field, a.value),
      });
    case 'assign_owner':
      if (a.strategy === 'fixed')
        return t.t('rules.say.assignFixed', { user: names.member(a.userId) });
      if (a.strategy === 'from_field')
        return t.t('rules.say.assignField', { field: names.field(a.field) });
      return t.t(a.strategy === 'round_robin' ? 'rules.say.roundRobin' : 'rules.say.leastOpen', {
        pool:
          a.pool.team !== undefined
            ? names.team(a.pool.team)
            : a.pool.role !== undefined
              ? names.role(a.pool.role)
              : (a.pool.users ?? []).map(names.member).join('、'),
      });
    case 'create_record':
      return t.t('rules.say.createRecord', { form: names.form(a.form) });
    case 'notify':
      return t.t('rules.say.notify', {
        to: a.to.map((x) => target(t, names, x)).join('、'),
        title: text(t, a.title),
      });
    case 'webhook':
      return t.t('rules.say.webhook', { url: a.url });
    case 'transition_stage':
      return t.t('rules.say.transition', { stage: names.stage(a.stage) });
    case 'return_to_pool':
      return t.t('rules.say.returnToPool');
    case 'escalate':
      return t.t('rules.say.escalate', { to: target(t, names, a.to) });
  }
}

/** "When a Lead is created and Source is Website, assign round robin in Team East." */
export function ruleSentence(t: T, names: SentenceNames, rule: Partial<RuleDefinition>): string {
  const when = trigger(t, names, rule.form ?? '', rule.trigger);
  const parsed =
    rule.condition === null || rule.condition === undefined ? null : fromJsonLogic(rule.condition);
  const cond =
    parsed === null
      ? rule.condition === null || rule.condition === undefined
        ? ''
        : t.t('rules.say.custom')
      : condition(t, names, parsed);
  const actions = (rule.actions ?? []).map((a) => action(t, names, a)).filter((s) => s !== '');
  return t.t(cond === '' ? 'rules.say.sentence' : 'rules.say.sentenceIf', {
    when,
    condition: cond,
    actions: actions.length === 0 ? t.t('rules.say.nothing') : actions.join(t.t('rules.say.then')),
  });
}
