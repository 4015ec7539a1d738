import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeFlow, validateFlow } from './index.js';
import { rawFlows } from './scenario-kit.js';

type Raw = {
  initial?: unknown;
  states: Record<string, unknown>[];
  transitions: Record<string, unknown>[];
  [key: string]: unknown;
};

const leadFields = [
  'contact_name',
  'company',
  'mobile',
  'source',
  'contact_method',
  'budget',
  'expected_close_date',
  'unqualified_reason',
  'converted_at',
];
const opportunityFields = [
  'name',
  'contact_name',
  'mobile',
  'amount',
  'discount',
  'quote_no',
  'contract_no',
  'signed_at',
  'loss_reason',
  'competitor',
  'closed_at',
];
const ticketFields = [
  'customer',
  'contact_name',
  'mobile',
  'address',
  'problem',
  'engineer_id',
  'resolution',
  'compensation_amount',
  'callback_note',
  'rating',
  'reopen_reason',
  'cancel_reason',
];

const lead = (): Raw => structuredClone(rawFlows.lead) as unknown as Raw;
const state = (raw: Raw, id: string): Record<string, unknown> => {
  const s = raw.states.find((x) => x.id === id);
  if (s === undefined) throw new Error(id);
  return s;
};
const edge = (raw: Raw, id: string): Record<string, unknown> => {
  const t = raw.transitions.find((x) => x.id === id);
  if (t === undefined) throw new Error(id);
  return t;
};

describe('validateFlow: the CRM fixtures are clean', () => {
  for (const [name, raw, fields] of [
    ['lead', rawFlows.lead, leadFields],
    ['opportunity', rawFlows.opportunity, opportunityFields],
    ['ticket', rawFlows.ticket, ticketFields],
  ] as const) {
    it(`${name} flow has no issues against its form's fields`, () => {
      assert.deepEqual(validateFlow(raw, { fields }), []);
    });
  }
});

describe('validateFlow failure table (lead flow, one defect each)', () => {
  const cases: {
    title: string;
    change: (raw: Raw) => void;
    expect: [path: string, code: string][];
  }[] = [
    {
      title: 'a state nothing leads to',
      change: (r) => r.states.push({ id: 'archived', label: '已归档', kind: 'final' }),
      expect: [['states.5', 'unreachable_state']],
    },
    {
      title: "no dead end where a '*' transition (disqualify) leaves every normal state",
      change: (r) => {
        r.states.push({ id: 'on_hold', label: '暂缓' });
        r.transitions.push({ id: 'hold', from: 'new', to: 'on_hold', event: 'hold' });
      },
      expect: [],
    },
    {
      title: 'a dead end once disqualify no longer covers every state',
      change: (r) => {
        edge(r, 'disqualify').from = ['new', 'contacted', 'qualified'];
        r.states.push({ id: 'on_hold', label: '暂缓' });
        r.transitions.push({ id: 'hold', from: 'new', to: 'on_hold', event: 'hold' });
      },
      expect: [['states.5', 'dead_end']],
    },
    {
      title: 'two transitions for the same event from one state',
      change: (r) =>
        r.transitions.push({
          id: 'qualify_fast',
          from: 'contacted',
          to: 'converted',
          event: 'qualify',
        }),
      expect: [['transitions.5.event', 'duplicate_event']],
    },
    {
      title: "an event that '*' already uses",
      change: (r) =>
        r.transitions.push({ id: 'drop', from: 'qualified', to: 'new', event: 'disqualify' }),
      expect: [['transitions.5.event', 'duplicate_event']],
    },
    {
      title: 'a guard reading an unknown field, with the path inside the rule',
      change: (r) => {
        edge(r, 'qualify').guard = { '>': [{ var: 'budgett' }, 0] };
      },
      expect: [['transitions.1.guard.>.0.var', 'unknown_field']],
    },
    {
      title: 'a guard with an unknown operator',
      change: (r) => {
        edge(r, 'qualify').guard = { is_vip: [{ var: 'budget' }] };
      },
      expect: [['transitions.1.guard', 'unknown_operator']],
    },
    {
      title: 'a required field that is not on the form',
      change: (r) => {
        edge(r, 'disqualify').requiredFields = ['unqualified_reason', 'lost_reason'];
      },
      expect: [['transitions.3.requiredFields.1', 'unknown_field']],
    },
    {
      title: 'a state-level required field that is not on the form',
      change: (r) => {
        state(r, 'converted').requiredFields = ['contract_no'];
      },
      expect: [['states.3.requiredFields.0', 'unknown_field']],
    },
    {
      title: 'transitions from and to unknown states, and an unknown initial state',
      change: (r) => {
        r.initial = 'fresh';
        edge(r, 'contact').from = ['new', 'nurturing'];
        edge(r, 'convert').to = 'customer';
      },
      expect: [
        ['initial', 'unknown_state'],
        ['transitions.0.from.1', 'unknown_state'],
        ['transitions.2.to', 'unknown_state'],
      ],
    },
    {
      title: 'duplicate state and transition ids',
      change: (r) => {
        r.states.push({ id: 'new', label: '新线索（重复）' });
        r.transitions.push({ ...edge(r, 'reopen'), event: 'revive' });
      },
      expect: [
        ['states.5.id', 'duplicate_state'],
        ['transitions.5.id', 'duplicate_transition'],
      ],
    },
    {
      title: 'setting a field the engine stamps itself',
      change: (r) => {
        state(r, 'converted').onEnter = [
          { type: 'setField', field: 'stage_entered_at', valueFrom: 'now' },
        ];
      },
      expect: [['states.3.onEnter.0.field', 'reserved_field']],
    },
    {
      title: 'a timer firing an event its state does not have',
      change: (r) => {
        state(r, 'contacted').timers = [
          { id: 'auto_convert', after: 'P30D', action: { kind: 'fireEvent', event: 'convert' } },
        ];
      },
      expect: [['states.1.timers.0.action.event', 'unknown_event']],
    },
    {
      title: 'approval-only timer actions on a state, state-only actions on a step',
      change: (r) => {
        state(r, 'new').timers = [{ id: 'ok', after: 'PT1H', action: 'autoApprove' }];
        edge(r, 'convert').approval = {
          steps: [
            {
              id: 'manager',
              approvers: [{ kind: 'managerChain', levels: 1 }],
              timers: [
                { id: 'jump', after: 'P1D', action: { kind: 'fireEvent', event: 'disqualify' } },
              ],
            },
          ],
        };
      },
      expect: [
        ['states.0.timers.0.action', 'invalid_timer_action'],
        ['transitions.2.approval.steps.0.timers.0.action', 'invalid_timer_action'],
      ],
    },
    {
      title: 'an approval step without approvers, and one whose user field is unknown',
      change: (r) => {
        edge(r, 'convert').approval = {
          steps: [
            { id: 'nobody', approvers: [] },
            { id: 'key_account', approvers: [{ kind: 'userField', field: 'key_account_manager' }] },
          ],
        };
      },
      expect: [
        ['transitions.2.approval.steps.0.approvers', 'no_approvers'],
        ['transitions.2.approval.steps.1.approvers.0.field', 'unknown_field'],
      ],
    },
    {
      title: 'an allowed block that allows nobody',
      change: (r) => {
        edge(r, 'reopen').allowed = { roles: [] };
      },
      expect: [['transitions.4.allowed', 'nobody_allowed']],
    },
    {
      title: 'states that loop without a way to an end',
      change: (r) => {
        edge(r, 'disqualify').from = ['new'];
        edge(r, 'convert').to = 'contacted';
      },
      expect: [
        ['states.3', 'unreachable_state'],
        ['states.1', 'no_way_out'],
        ['states.2', 'no_way_out'],
      ].sort() as [string, string][],
    },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const raw = lead();
      c.change(raw);
      const issues = validateFlow(raw, { fields: leadFields });
      assert.deepEqual(
        issues.map((i) => [i.path, i.code]).sort(),
        [...c.expect].sort(),
        JSON.stringify(issues, null, 1),
      );
      for (const i of issues) assert.ok(i.message.length > 0);
    });
  }

  it('reports every defect at once', () => {
    const raw = lead();
    for (const c of cases) c.change(raw);
    const found = new Set(validateFlow(raw, { fields: leadFields }).map((i) => i.code));
    for (const code of [
      'unknown_state',
      'duplicate_event',
      'unknown_field',
      'unknown_operator',
      'reserved_field',
      'invalid_timer_action',
      'no_approvers',
      'nobody_allowed',
      'duplicate_state',
    ]) {
      assert.ok(found.has(code), code);
    }
  });

  it('without a field list, unknown fields are not judged but rules still are', () => {
    const raw = lead();
    edge(raw, 'qualify').guard = { and: [{ '>': [{ var: 'budgett' }, 0] }, { is_vip: [] }] };
    assert.deepEqual(
      validateFlow(raw).map((i) => [i.path, i.code]),
      [['transitions.1.guard.and.1', 'unknown_operator']],
    );
  });
});

describe('normalizeFlow: shapes, defaults, all issues at once', () => {
  it('fills defaults: kind normal, order by position, calendar clock, comments required on reject/return', () => {
    const def = normalizeFlow({
      id: 'visit',
      version: 1,
      states: [
        { id: 'planned', label: '计划拜访' },
        { id: 'done', label: '已拜访', kind: 'final' },
      ],
      transitions: [
        {
          id: 'finish',
          from: 'planned',
          to: 'done',
          event: 'finish',
          approval: {
            steps: [
              {
                id: 'm',
                approvers: [{ kind: 'managerChain' }],
                timers: [{ id: 'r', after: 'PT2H', action: 'remind' }],
              },
            ],
          },
        },
      ],
    });
    assert.ok(!Array.isArray(def));
    assert.equal(def.initial, 'planned');
    assert.deepEqual(
      def.states.map((s) => [s.kind, s.order, s.probability]),
      [
        ['normal', 1, null],
        ['final', 2, null],
      ],
    );
    const step = def.transitions[0]?.approval?.steps[0];
    assert.deepEqual(step?.approvers, [{ kind: 'managerChain', levels: 1, of: 'submitter' }]);
    assert.equal(step?.mode, 'any');
    assert.deepEqual(step?.commentRequiredOn, ['reject', 'return']);
    assert.deepEqual(step?.timers[0], {
      id: 'r',
      label: null,
      after: 'PT2H',
      clock: 'calendar',
      action: { kind: 'remind', to: null },
    });
    assert.deepEqual(def.transitions[0]?.from, ['planned']);
  });

  it('is idempotent: normalizing a normalized definition gives it back', () => {
    for (const raw of Object.values(rawFlows)) {
      const once = normalizeFlow(raw);
      assert.ok(!Array.isArray(once));
      assert.deepEqual(normalizeFlow(JSON.parse(JSON.stringify(once))), once);
    }
  });

  const shapes: { title: string; raw: unknown; expect: [string, string][] }[] = [
    { title: 'not an object', raw: [], expect: [['', 'invalid_type']] },
    {
      title: 'missing id, version and states',
      raw: {},
      expect: [
        ['id', 'required'],
        ['states', 'invalid_type'],
        ['version', 'required'],
      ],
    },
    {
      title: 'bad state kind, probability over 100, a label that is not localized text',
      raw: {
        id: 'x',
        version: 1,
        states: [{ id: 'a', label: 42, kind: 'open', probability: 120 }],
      },
      expect: [
        ['states.0.kind', 'invalid_value'],
        ['states.0.label', 'invalid_type'],
        ['states.0.probability', 'invalid_value'],
      ],
    },
    {
      title: 'a month duration, an unknown clock, a field id with spaces',
      raw: {
        id: 'x',
        version: 1,
        states: [
          {
            id: 'a',
            label: '甲',
            requiredFields: ['Loss Reason'],
            timers: [{ id: 't', after: 'P1M', clock: 'lunar', action: 'remind' }],
          },
        ],
      },
      expect: [
        ['states.0.requiredFields.0', 'invalid_id'],
        ['states.0.timers.0.after', 'invalid_duration'],
        ['states.0.timers.0.clock', 'invalid_value'],
      ],
    },
    {
      title: 'a transition without from, an unknown approver kind, an unknown effect type',
      raw: {
        id: 'x',
        version: 1,
        states: [{ id: 'a', label: '甲' }],
        transitions: [
          {
            id: 't',
            to: 'a',
            event: 'go',
            effects: [{ type: 'sendWechat' }],
            approval: {
              steps: [{ id: 's', approvers: [{ kind: 'department' }], mode: 'majority' }],
            },
          },
        ],
      },
      expect: [
        ['transitions.0.approval.steps.0.approvers.0.kind', 'invalid_value'],
        ['transitions.0.approval.steps.0.mode', 'invalid_value'],
        ['transitions.0.effects.0.type', 'invalid_value'],
        ['transitions.0.from', 'required'],
      ],
    },
  ];
  for (const c of shapes) {
    it(`reports ${c.title}`, () => {
      const result = normalizeFlow(c.raw);
      assert.ok(Array.isArray(result));
      assert.deepEqual(result.map((i) => [i.path, i.code]).sort(), [...c.expect].sort());
      // validateFlow reports the same shape issues.
      assert.deepEqual(validateFlow(c.raw), result);
    });
  }
});
