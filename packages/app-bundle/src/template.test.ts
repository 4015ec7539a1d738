// The customer follow-up template is a golden fixture: it assembles, validates with zero issues,
// is translated, and holds everything the issue asks of it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileForm, type FormSchema } from '@trellis/form-engine';
import { assembleBundle, findUntranslated, splitBundle, validateBundle } from './index.js';
import { readJsonFolder, TEMPLATE_DIR, templateBundle } from './template-fixture.test.js';

const bundle = templateBundle();
const ids = (list: ReadonlyArray<{ id?: string; key?: string; formId?: string }>): string[] =>
  list.map((x) => x.id ?? x.key ?? x.formId ?? '');

describe('templates/customer-follow-up', () => {
  it('assembles from its folder and validates with zero issues', () => {
    assert.deepEqual(validateBundle(bundle), []);
    assert.equal(bundle.key, 'customer-follow-up');
    assert.match(bundle.version, /^\d+\.\d+\.\d+$/);
  });

  it('has every text in en as well as zh-CN', () => {
    assert.deepEqual(findUntranslated(bundle, 'en'), []);
  });

  it('holds the ten forms of the issue', () => {
    assert.deepEqual(ids(bundle.forms).sort(), [
      'contact',
      'contract',
      'customer',
      'follow_up',
      'lead',
      'opportunity',
      'payment',
      'sales_target',
      'service_ticket',
      'task',
    ]);
  });

  const field = (formId: string, fieldId: string) => {
    const form = bundle.forms.find((f) => f.id === formId) as FormSchema;
    return form.fields.find((f) => f.id === fieldId);
  };
  const options = (formId: string, fieldId: string): string[] =>
    (field(formId, fieldId)?.options ?? []).map((o) => o.value);

  const optionCases: Array<[string, string, string[]]> = [
    ['customer', 'level', ['normal', 'important', 'vip']],
    ['customer', 'tier', ['A', 'B', 'C']],
    ['customer', 'status', ['potential', 'active', 'dormant', 'churned']],
    ['customer', 'pool', ['public', 'private']],
    ['follow_up', 'method', ['call', 'visit', 'wechat', 'email', 'meeting']],
    ['service_ticket', 'channel', ['phone', 'wechat', 'email']],
  ];
  for (const [formId, fieldId, expected] of optionCases) {
    it(`${formId}.${fieldId} offers ${expected.join(', ')}`, () => {
      assert.deepEqual(options(formId, fieldId), expected);
    });
  }

  it('checks duplicates on phone, e-mail and company name (unique fields)', () => {
    for (const [formId, fieldId] of [
      ['customer', 'phone'],
      ['customer', 'email'],
      ['customer', 'company_name'],
      ['contact', 'mobile'],
    ] as const) {
      assert.equal(field(formId, fieldId)?.unique, true, `${formId}.${fieldId}`);
    }
  });

  it('shows the loss reason only on lost opportunities and computes the weighted amount', () => {
    const form = compileForm(bundle.forms.find((f) => f.id === 'opportunity') as FormSchema);
    const open = form.fieldStates({ amount: '480000', probability: 60 }, { stage: 'proposal' });
    const lost = form.fieldStates({ amount: '480000', probability: 0 }, { stage: 'lost' });
    assert.equal(open['loss_reason']?.visible, false);
    assert.equal(lost['loss_reason']?.visible, true);
    assert.equal(lost['loss_reason']?.required, true);
    assert.equal(
      form.computeFormulas({ amount: '480000', probability: 60 })['weighted_amount'],
      288000,
    );
  });

  it('requires a location for visits only', () => {
    const form = compileForm(bundle.forms.find((f) => f.id === 'follow_up') as FormSchema);
    const visit = form.fieldStates({ method: 'visit' });
    const call = form.fieldStates({ method: 'call' });
    assert.equal(visit['location']?.visible, true);
    assert.equal(call['location']?.visible, false);
  });

  it('has the lead, opportunity and service-ticket flows', () => {
    assert.deepEqual(ids(bundle.flows), ['lead', 'opportunity', 'service_ticket']);
    const opp = bundle.flows.find((f) => f.formId === 'opportunity')?.definition as {
      transitions: Array<{ id: string; approval?: { steps: Array<{ id: string; mode: string }> } }>;
    };
    const win = opp.transitions.find((t) => t.id === 'win');
    assert.deepEqual(
      win?.approval?.steps.map((s) => [s.id, s.mode]),
      [
        ['manager_review', 'any'],
        ['director_review', 'sequential'],
      ],
    );
  });

  // One row per rule the issue lists: [what the issue says, rule ids that do it]
  const ruleCases: Array<[string, string[]]> = [
    [
      'new lead auto-assigned round robin within the team',
      ['lead_assign_east', 'lead_assign_south'],
    ],
    [
      'not contacted 2 / 4 / 24 working hours',
      ['lead_not_contacted_2h', 'lead_not_contacted_4h', 'lead_not_contacted_24h'],
    ],
    [
      'next follow-up time reached, and one day before',
      ['follow_up_due', 'follow_up_due_tomorrow'],
    ],
    [
      'no follow-up: warn at 25, return to the pool at 30',
      ['customer_no_follow_up_warn', 'customer_return_to_pool'],
    ],
    [
      'opportunity stalled 7 / 14 / 30 days',
      ['opportunity_stalled_7d', 'opportunity_stalled_14d', 'opportunity_stalled_30d'],
    ],
    ['needs analysis → task for presales', ['opportunity_needs_analysis_presales']],
    [
      'contract signed / won → legal, finance, customer active',
      ['contract_signed', 'opportunity_won'],
    ],
    [
      'VIP birthday or signing anniversary → greeting task',
      ['vip_contact_birthday', 'vip_signing_anniversary'],
    ],
    [
      'lead scoring: 60 or more qualifies and hands to a rep',
      ['lead_score_qualify', 'lead_score_qualify_on_create'],
    ],
    ['churn risk → warning to owner and manager', ['customer_churn_risk']],
    ['contract ending in 60 days → renewal opportunity and task', ['contract_renewal_60d']],
    ['payment overdue → owner and finance', ['payment_overdue']],
    [
      'lead conversion creates customer, contact and opportunity',
      ['lead_convert_create_customer', 'customer_from_lead'],
    ],
  ];
  for (const [what, ruleIds] of ruleCases) {
    it(`has the rules for: ${what}`, () => {
      for (const id of ruleIds)
        assert.ok(
          bundle.rules.some((r) => r.id === id),
          id,
        );
    });
  }

  it('protected customers never go back to the pool', () => {
    const rule = bundle.rules.find((r) => r.id === 'customer_return_to_pool');
    assert.match(JSON.stringify(rule?.condition), /"var":"protected"/);
  });

  it('has the three dashboards for reps, managers and executives', () => {
    assert.deepEqual(ids(bundle.dashboards), ['my_day', 'sales_manager', 'executive']);
    const audience = Object.fromEntries(bundle.dashboards.map((d) => [d.id, d.audience]));
    assert.deepEqual(audience, {
      my_day: ['sales_rep'],
      sales_manager: ['sales_manager'],
      executive: ['sales_director', 'admin'],
    });
  });

  it('has the KPIs of the issue', () => {
    for (const id of [
      'kpi_lead_conversion',
      'kpi_win_rate',
      'kpi_deal_size',
      'kpi_follow_up_timeliness',
      'kpi_renewal_rate',
    ]) {
      assert.equal(bundle.reports.find((r) => r.id === id)?.spec.kind, 'kpi', id);
    }
  });

  it('has the roles: rep (own records, phone masked), manager (department), finance, admin', () => {
    const role = (key: string) => bundle.roles.find((r) => r.key === key);
    assert.deepEqual(role('sales_rep')?.permissions.forms['customer']?.fields?.['phone'], 'masked');
    assert.equal(role('sales_rep')?.permissions.forms['follow_up']?.rowScope, 'own');
    assert.equal(role('sales_manager')?.permissions.forms['*']?.rowScope, 'department');
    assert.deepEqual(Object.keys(role('finance')?.permissions.forms ?? {}).slice(0, 2), [
      'contract',
      'payment',
    ]);
    assert.equal(role('admin')?.permissions.forms['*']?.rowScope, 'all');
  });

  it('splits back into a folder that assembles to the same bundle', () => {
    const again = assembleBundle(splitBundle(bundle as unknown as Record<string, unknown>));
    assert.ok(!Array.isArray(again), JSON.stringify(again));
    assert.deepEqual(again.bundle, bundle);
  });

  it('lists every file of its folder in the manifest', () => {
    const assembled = assembleBundle(readJsonFolder(TEMPLATE_DIR));
    assert.ok(!Array.isArray(assembled), JSON.stringify(assembled));
  });
});
