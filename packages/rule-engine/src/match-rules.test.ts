// Rules R10–R12: rule definitions are normalized with every issue reported; matchRules returns
// actions as data, schedules relative timers, and bounds cascades.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import crmRules from './fixtures/crm-rules.json' with { type: 'json' };
import {
  addWorkingTime,
  CHINA_MAINLAND_CALENDAR_2026_2027,
  matchRules,
  nextCronOccurrence,
  normalizeRuleDefinition,
  RuleError,
  type MatchContext,
  type RuleDefinition,
} from './index.js';

const LEAD_FIELDS = ['name', 'phone', 'source', 'contacted_at', 'company', 'amount'];
const CUSTOMER_FIELDS = ['name', 'last_follow_up_at', 'returned_at', 'level'];

function normalized(raw: unknown, fields: readonly string[]): RuleDefinition {
  const result = normalizeRuleDefinition(raw, { fields });
  assert.deepEqual(result.issues, undefined);
  return result.rule as RuleDefinition;
}

const [websiteRaw, slaRaw, poolRaw] = crmRules as unknown[];
const website = normalized(websiteRaw, LEAD_FIELDS);
const sla = normalized(slaRaw, LEAD_FIELDS);
const pool = normalized(poolRaw, CUSTOMER_FIELDS);
const rules = [website, sla, pool];

const ctx = (now: string, extra: Partial<MatchContext> = {}): MatchContext => ({
  now,
  timeZone: 'Asia/Shanghai',
  calendar: CHINA_MAINLAND_CALENDAR_2026_2027,
  ...extra,
});

const lead = {
  id: 'lead_1',
  name: '张伟',
  phone: '13812345678',
  company: '上海启明信息技术有限公司',
  source: 'website',
  owner_id: null,
  contacted_at: null,
  stage: 'new',
  created_at: '2026-11-20T17:00:00+08:00',
};

describe('R10 rule definitions', () => {
  it('normalizes the three README rules and fills defaults', () => {
    assert.equal(website.enabled, true);
    assert.equal(website.priority, 100);
    assert.deepEqual(sla.trigger, {
      type: 'relative_time',
      field: 'created_at',
      amount: 2,
      unit: 'hours',
      working: true,
    });
    assert.equal(pool.trigger.type, 'schedule');
  });
  it('collects every issue with its path', () => {
    const result = normalizeRuleDefinition(
      {
        id: '',
        name: { en: 'no Chinese name' },
        form: 'Lead',
        trigger: { type: 'schedule', cron: '0 25 * * *', timeZone: 'Asia/Nowhere' },
        condition: { '==': [{ var: 'sorce' }, 'website'] },
        actions: [
          { type: 'assign_owner', strategy: 'random' },
          { type: 'notify', channel: 'sms', to: [{ type: 'boss' }], title: '' },
          { type: 'webhook', url: 'ftp://example.cn/hook' },
          { type: 'set_field', field: 'phone', value: { fly: [] } },
          { type: 'launch_rocket' },
        ],
      },
      { fields: LEAD_FIELDS },
    );
    assert.deepEqual(
      result.issues?.map((i) => [i.path, i.code]),
      [
        ['id', 'required'],
        ['name', 'invalid_text'],
        ['form', 'invalid_format'],
        ['trigger.cron', 'invalid_cron'],
        ['trigger.timeZone', 'invalid_time_zone'],
        ['condition.==.0.var', 'unknown_field'],
        ['actions.0.strategy', 'invalid_strategy'],
        ['actions.1.channel', 'invalid_channel'],
        ['actions.1.to.0.type', 'invalid_target'],
        ['actions.1.title', 'invalid_text'],
        ['actions.2.url', 'invalid_url'],
        ['actions.3.value', 'unknown_operator'],
        ['actions.4.type', 'invalid_action'],
      ],
    );
  });
  it('checks trigger fields against the form', () => {
    const result = normalizeRuleDefinition(
      {
        ...(slaRaw as object),
        trigger: { type: 'relative_time', field: 'contact_at', amount: 2, unit: 'weeks' },
      },
      { fields: LEAD_FIELDS },
    );
    assert.deepEqual(
      result.issues?.map((i) => [i.path, i.code]),
      [
        ['trigger.field', 'unknown_field'],
        ['trigger.unit', 'invalid_unit'],
      ],
    );
  });
});

describe('R11 matchRules returns actions as data', () => {
  it('a new website lead is assigned round robin, with an explanation', () => {
    const result = matchRules(
      rules,
      { type: 'record_created', form: 'lead', record: lead, id: 'evt_1' },
      ctx('2026-11-20T17:00:00+08:00'),
    );
    assert.deepEqual(
      result.matches.map((m) => m.ruleId),
      ['lead_website_round_robin'],
    );
    const [match] = result.matches;
    assert.deepEqual(match?.actions[0], {
      type: 'assign_owner',
      strategy: 'round_robin',
      pool: { team: 'inside_sales' },
    });
    assert.equal(match?.explanation?.value, true);
    assert.equal(match?.idempotencyKey, 'evt_1:lead_website_round_robin');
    assert.deepEqual(result.errors, []);
  });
  it('a lead from another source is not assigned', () => {
    const result = matchRules(
      rules,
      { type: 'record_created', form: 'lead', record: { ...lead, source: 'phone' } },
      ctx('2026-11-20T17:00:00+08:00'),
    );
    assert.deepEqual(result.matches, []);
  });
  it('schedules the 2-working-hour timer when a lead is created (Friday 17:00 → Monday 10:00)', () => {
    const result = matchRules(
      rules,
      { type: 'record_created', form: 'lead', record: lead },
      ctx('2026-11-20T17:00:00+08:00'),
    );
    const due = addWorkingTime(lead.created_at, { hours: 2 }, CHINA_MAINLAND_CALENDAR_2026_2027);
    assert.deepEqual(result.timers, [
      {
        key: 'lead_contact_sla:lead_1',
        ruleId: 'lead_contact_sla',
        form: 'lead',
        recordId: 'lead_1',
        dueAt: due,
      },
    ]);
    assert.equal(due, '2026-11-23T02:00:00.000Z');
  });
  it('when the timer fires and the lead is still not contacted, the owner is reminded', () => {
    const result = matchRules(
      rules,
      { type: 'timer', form: 'lead', record: lead, ruleId: 'lead_contact_sla' },
      ctx('2026-11-23T10:00:00+08:00'),
    );
    assert.deepEqual(
      result.matches.map((m) => m.actions.map((a) => a.type)),
      [['notify', 'escalate']],
    );
  });
  it('when the lead was contacted in time, nothing happens', () => {
    const contacted = { ...lead, contacted_at: '2026-11-23T09:10:00+08:00' };
    const result = matchRules(
      rules,
      { type: 'timer', form: 'lead', record: contacted, ruleId: 'lead_contact_sla' },
      ctx('2026-11-23T10:00:00+08:00'),
    );
    assert.deepEqual(result.matches, []);
  });
  it('a stale timer (not due for this record any more) does nothing', () => {
    const result = matchRules(
      rules,
      { type: 'timer', form: 'lead', record: lead, ruleId: 'lead_contact_sla' },
      ctx('2026-11-23T09:59:00+08:00'),
    );
    assert.deepEqual(result.matches, []);
  });
  it('deleting a lead cancels its timer', () => {
    const result = matchRules(
      rules,
      { type: 'record_deleted', form: 'lead', record: lead },
      ctx('2026-11-21T10:00:00+08:00'),
    );
    assert.deepEqual(result.cancelTimers, [
      { key: 'lead_contact_sla:lead_1', ruleId: 'lead_contact_sla', recordId: 'lead_1' },
    ]);
  });
  it('the daily schedule returns a customer without follow-up for 30 days to the pool', () => {
    const customer = {
      id: 'cus_9',
      name: '王芳',
      stage: 'contacted',
      last_follow_up_at: '2026-10-20T15:00:00+08:00',
      created_at: '2026-06-01T10:00:00+08:00',
    };
    const result = matchRules(
      rules,
      { type: 'schedule', form: 'customer', record: customer, ruleId: 'customer_return_to_pool' },
      ctx('2026-11-23T09:00:00+08:00'),
    );
    assert.equal(result.matches.length, 1);
    assert.deepEqual(result.matches[0]?.actions, [
      {
        type: 'return_to_pool',
        pool: 'public_pool',
        reason: { 'zh-CN': '30 天未跟进', en: 'No follow-up for 30 days' },
      },
      { type: 'set_field', field: 'returned_at', value: '2026-11-23T01:00:00.000Z' },
      {
        type: 'create_record',
        form: 'task',
        values: { title: '回访：王芳', due_at: '2026-11-24T01:00:00.000Z' },
      },
    ]);
    const recent = { ...customer, last_follow_up_at: '2026-11-10T10:00:00+08:00' };
    assert.deepEqual(
      matchRules(
        rules,
        { type: 'schedule', form: 'customer', record: recent, ruleId: 'customer_return_to_pool' },
        ctx('2026-11-23T09:00:00+08:00'),
      ).matches,
      [],
    );
  });
  it('update triggers can require given fields to change; stage triggers see the move', () => {
    const onOwner = normalized(
      {
        id: 'owner_changed',
        name: '负责人变更通知',
        form: 'lead',
        trigger: { type: 'record_updated', fields: ['owner_id'] },
        actions: [
          { type: 'notify', channel: 'email', to: [{ type: 'owner' }], title: '你接手了一条线索' },
        ],
      },
      [...LEAD_FIELDS, 'owner_id'],
    );
    const onWon = normalized(
      {
        id: 'won',
        name: '赢单',
        form: 'lead',
        trigger: { type: 'stage_entered', stage: 'won' },
        condition: { '==': [{ old: 'stage' }, 'negotiation'] },
        actions: [{ type: 'create_record', form: 'task', values: { title: '安排交付' } }],
      },
      LEAD_FIELDS,
    );
    const before = { ...lead, stage: 'negotiation' };
    const moved = matchRules(
      [onOwner, onWon],
      { type: 'record_updated', form: 'lead', record: { ...before, stage: 'won' }, before },
      ctx('2026-11-23T10:00:00+08:00'),
    );
    assert.deepEqual(
      moved.matches.map((m) => m.ruleId),
      ['won'],
    );
    const reassigned = matchRules(
      [onOwner, onWon],
      { type: 'record_updated', form: 'lead', record: { ...before, owner_id: 'user_7' }, before },
      ctx('2026-11-23T10:00:00+08:00'),
    );
    assert.deepEqual(
      reassigned.matches.map((m) => m.ruleId),
      ['owner_changed'],
    );
  });
  it('rules run by priority, and a rule that fails is reported without stopping the others', () => {
    const broken = normalized(
      {
        id: 'needs_calendar',
        name: '坏规则',
        form: 'lead',
        priority: 1,
        trigger: { type: 'record_created' },
        condition: { '>': [{ working_time_diff: [{ var: 'created_at' }, { now: [] }] }, 0] },
        actions: [{ type: 'transition_stage', stage: 'contacted' }],
      },
      LEAD_FIELDS,
    );
    const first = normalized({ ...(websiteRaw as object), id: 'first', priority: 5 }, LEAD_FIELDS);
    const result = matchRules(
      [website, broken, first],
      { type: 'record_created', form: 'lead', record: lead },
      { now: '2026-11-20T17:00:00+08:00' },
    );
    assert.deepEqual(
      result.matches.map((m) => m.ruleId),
      ['first', 'lead_website_round_robin'],
    );
    assert.deepEqual(
      result.errors.map((e) => [e.ruleId, e.code]),
      [['needs_calendar', 'calendar_required']],
    );
  });
});

describe('R12 cascades are bounded', () => {
  const bump = normalized(
    {
      id: 'bump_amount',
      name: '金额变化时重算',
      form: 'lead',
      trigger: { type: 'record_updated', fields: ['amount'] },
      actions: [{ type: 'set_field', field: 'amount', value: { '+': [{ var: 'amount' }, 1] } }],
    },
    LEAD_FIELDS,
  );
  it('a rule that re-triggers itself on the same record is stopped by the cycle check', () => {
    const before = { ...lead, amount: 1 };
    const first = matchRules(
      [bump],
      { type: 'record_updated', form: 'lead', record: { ...before, amount: 2 }, before },
      ctx('2026-11-23T10:00:00+08:00'),
    );
    assert.equal(first.matches.length, 1);
    const cascade = first.matches[0]?.cascade;
    assert.deepEqual(cascade, { depth: 1, chain: ['bump_amount@lead_1'] });
    const second = matchRules(
      [bump],
      {
        type: 'record_updated',
        form: 'lead',
        record: { ...before, amount: 3 },
        before: { ...before, amount: 2 },
      },
      ctx('2026-11-23T10:00:00+08:00', { cascade }),
    );
    assert.deepEqual(second.matches, []);
    assert.equal(second.errors[0]?.code, 'cascade_cycle');
    assert.match(second.errors[0]?.message ?? '', /bump_amount@lead_1 → bump_amount@lead_1/);
  });
  it('a cascade deeper than the maximum is refused with a clear error', () => {
    const chain = ['a@1', 'b@2', 'c@3', 'd@4', 'e@5', 'f@6'];
    assert.throws(
      () =>
        matchRules(
          [bump],
          { type: 'record_created', form: 'lead', record: lead },
          ctx('2026-11-23T10:00:00+08:00', { cascade: { depth: 6, chain } }),
        ),
      (e: unknown) =>
        e instanceof RuleError &&
        e.code === 'cascade_depth_exceeded' &&
        e.message.includes('a@1 → b@2'),
    );
  });
});

describe('cron schedules', () => {
  const rows: [string, string, string, string][] = [
    [
      'every day at 09:00 Shanghai, from a Saturday night',
      '0 9 * * *',
      '2026-11-21T20:00:00+08:00',
      '2026-11-22T01:00:00.000Z',
    ],
    [
      'weekdays at 09:00 skip the weekend',
      '0 9 * * 1-5',
      '2026-11-21T00:00:00+08:00',
      '2026-11-23T01:00:00.000Z',
    ],
    ['every 15 minutes', '*/15 * * * *', '2026-11-23T10:07:00+08:00', '2026-11-23T02:15:00.000Z'],
    [
      'the first of the month',
      '30 8 1 * *',
      '2026-11-23T10:00:00+08:00',
      '2026-12-01T00:30:00.000Z',
    ],
  ];
  for (const [title, cron, after, next] of rows) {
    it(title, () => assert.equal(nextCronOccurrence(cron, after, 'Asia/Shanghai'), next));
  }
});
