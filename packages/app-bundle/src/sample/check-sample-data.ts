// validateBundle's part for sampleData: parameters and inputs are well-formed, and the bundle has
// every form, field, option, flow state, team and role the crm-sample-v1 generator writes.
import type { Report } from '../check-forms.js';
import { fieldOf, isObject, join, type BundleIndex, type Obj } from '../form-index.js';
import { readSampleInputs, readSampleParams } from './sample-inputs.js';

/** Fields crm-sample-v1 writes, per form. */
export const SAMPLE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  lead: [
    'company_name',
    'contact_name',
    'title',
    'mobile',
    'email',
    'source',
    'industry',
    'company_size',
    'region',
    'budget',
    'expected_close_date',
    'reply_count',
    'visit_count',
    'acquisition_cost',
    'contact_method',
    'first_contacted_at',
    'first_contact_minutes',
    'pool',
    'unqualified_reason',
    'converted_at',
  ],
  customer: [
    'company_name',
    'short_name',
    'level',
    'tier',
    'status',
    'churn_reason',
    'pool',
    'protected',
    'returned_at',
    'churn_risk',
    'phone',
    'email',
    'website',
    'region',
    'industry',
    'company_size',
    'source',
    'source_lead',
    'annual_revenue',
    'tags',
  ],
  contact: [
    'customer',
    'name',
    'gender',
    'title',
    'role',
    'mobile',
    'email',
    'wechat',
    'birthday',
    'is_primary',
  ],
  opportunity: [
    'name',
    'customer',
    'contact',
    'lead',
    'type',
    'source',
    'amount',
    'probability',
    'expected_close_date',
    'discount',
    'quote_no',
    'competitor',
    'next_step',
    'stalled',
    'loss_reason',
    'loss_note',
    'lost_at_stage',
    'contract_no',
    'signed_at',
    'closed_at',
  ],
  follow_up: [
    'customer',
    'contact',
    'method',
    'followed_at',
    'duration_minutes',
    'content',
    'result',
    'next_follow_up_at',
    'next_action',
    'location',
  ],
  contract: [
    'name',
    'customer',
    'opportunity',
    'amount',
    'status',
    'signed_at',
    'start_date',
    'end_date',
    'payment_plan',
    'payment_terms',
    'renewed',
    'renewal_of',
  ],
  payment: [
    'contract',
    'customer',
    'phase',
    'planned_date',
    'planned_amount',
    'received_date',
    'received_amount',
    'method',
    'status',
    'is_overdue',
    'invoice_no',
  ],
  task: [
    'title',
    'description',
    'due_at',
    'priority',
    'status',
    'queue',
    'assignee',
    'origin',
    'customer',
    'opportunity',
    'follow_up',
    'contract',
    'completed_at',
  ],
  service_ticket: [
    'title',
    'customer',
    'contact',
    'channel',
    'category',
    'priority',
    'description',
    'reported_at',
    'engineer_id',
    'responded_at',
    'response_minutes',
    'sla_breached',
    'resolution',
    'resolved_at',
    'compensation_amount',
    'callback_note',
    'rating',
    'feedback',
    'cancel_reason',
  ],
  sales_target: ['rep', 'month', 'won_amount', 'new_customers', 'follow_ups'],
};

/** Flow states crm-sample-v1 puts records in. */
export const SAMPLE_STAGES: Readonly<Record<string, readonly string[]>> = {
  lead: ['new', 'contacted', 'qualified', 'converted', 'unqualified'],
  opportunity: ['prospecting', 'needs_analysis', 'proposal', 'negotiation', 'won', 'lost'],
  service_ticket: ['reported', 'dispatched', 'resolved', 'feedback', 'rated', 'cancelled'],
};

/** Fixed option values the generator writes (besides those drawn from the distributions). */
const FIXED_OPTIONS: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['customer', 'pool', ['public', 'private']],
  ['lead', 'pool', ['public', 'private']],
  ['customer', 'tier', ['A', 'B', 'C']],
  ['customer', 'source', ['existing', 'website']],
  ['contact', 'gender', ['male', 'female']],
  ['contract', 'status', ['signed', 'active', 'expired']],
  ['payment', 'status', ['planned', 'partial', 'received', 'overdue']],
  ['task', 'status', ['todo', 'doing', 'done', 'cancelled']],
  ['task', 'queue', ['sales', 'presales']],
  ['task', 'origin', ['rule', 'manual']],
  ['opportunity', 'lost_at_stage', ['prospecting', 'needs_analysis', 'proposal', 'negotiation']],
];

export function checkSampleData(report: Report, bundle: Obj, index: BundleIndex): void {
  const settings = bundle['sampleData'];
  if (!isObject(settings)) return;
  const { params, issues: paramIssues } = readSampleParams(settings['params']);
  for (const i of paramIssues) report(i.path, i.code, i.message);
  if (settings['inputs'] === undefined) {
    report(
      'sampleData.inputs',
      'required',
      'the generator needs its inputs (name lists, regions, distributions …)',
    );
    return;
  }
  const { inputs, issues } = readSampleInputs(settings['inputs']);
  for (const i of issues) report(i.path, i.code, i.message);

  const at = 'sampleData.generator';
  for (const [formId, fields] of Object.entries(SAMPLE_FIELDS)) {
    const form = index.forms.get(formId);
    if (form === undefined) {
      report(
        at,
        'incompatible_bundle',
        `crm-sample-v1 fills a form "${formId}", which this bundle lacks`,
      );
      continue;
    }
    const missing = fields.filter((f) => !form.fields.has(f));
    if (missing.length > 0) {
      report(
        at,
        'incompatible_bundle',
        `crm-sample-v1 writes ${missing.join(', ')} of form "${formId}", which it lacks`,
      );
    }
    const stages = SAMPLE_STAGES[formId];
    if (stages !== undefined) {
      const states = form.flow?.states ?? [];
      const absent = stages.filter((s) => !states.includes(s));
      if (absent.length > 0) {
        report(
          at,
          'incompatible_bundle',
          `crm-sample-v1 puts "${formId}" records in ${absent.join(', ')}, which its flow lacks`,
        );
      }
    }
  }
  const optionsOf = (formId: string, fieldId: string): readonly string[] | undefined => {
    const form = index.forms.get(formId);
    if (form === undefined) return undefined;
    const field = fieldOf(form, fieldId);
    if (field === undefined) return undefined;
    if (field.type === 'stage') return form.flow?.states;
    if (field.type === 'rating') return ['1', '2', '3', '4', '5'];
    return field.options;
  };
  for (const [formId, fieldId, values] of FIXED_OPTIONS) {
    const options = optionsOf(formId, fieldId);
    if (options === undefined) continue;
    const absent = values.filter((v) => !options.includes(v));
    if (absent.length > 0) {
      report(
        at,
        'incompatible_bundle',
        `crm-sample-v1 writes ${absent.join(', ')} into ${formId}.${fieldId}, which has no such option`,
      );
    }
  }
  // distributions: every key a select (or the stage, or a rating), every value an option
  const dp = 'sampleData.inputs.distributions';
  for (const [key, weights] of Object.entries(inputs.distributions)) {
    const [formId, fieldId, extra] = key.split('.');
    const form = formId === undefined ? undefined : index.forms.get(formId);
    if (form === undefined || fieldId === undefined || extra !== undefined) {
      report(join(dp, key), 'unknown_field', `"${key}" is not <form>.<field> of this bundle`);
      continue;
    }
    const options = optionsOf(formId as string, fieldId);
    if (options === undefined) {
      report(join(dp, key), 'unknown_field', `form "${formId}" has no option field "${fieldId}"`);
      continue;
    }
    for (const value of Object.keys(weights)) {
      if (!options.includes(value))
        report(
          join(dp, `${key}.${value}`),
          'unknown_option',
          `"${value}" is not one of ${options.join(', ')}`,
        );
    }
  }
  const industries = optionsOf('customer', 'industry');
  inputs.companies.industries.forEach(([, , option], i) => {
    if (industries !== undefined && !industries.includes(option)) {
      report(
        `sampleData.inputs.companies.industries.${i}`,
        'unknown_option',
        `"${option}" is not an option of customer.industry`,
      );
    }
  });
  inputs.regions.forEach((region, i) => {
    if (!index.teams.has(region.team))
      report(
        `sampleData.inputs.regions.${i}.team`,
        'unknown_team',
        `no team "${region.team}" in this bundle`,
      );
  });
  inputs.org.members.forEach((m, i) => {
    if (!index.teams.has(m.team))
      report(
        `sampleData.inputs.org.members.${i}.team`,
        'unknown_team',
        `no team "${m.team}" in this bundle`,
      );
    if (!index.roles.has(m.role))
      report(
        `sampleData.inputs.org.members.${i}.role`,
        'unknown_role',
        `no role "${m.role}" in this bundle`,
      );
  });
  if (!inputs.org.members.some((m) => m.role === 'sales_rep')) {
    report(
      'sampleData.inputs.org.members',
      'required',
      'the org needs sales reps (role sales_rep)',
    );
  }
  const cities = inputs.regions.reduce((n, r) => n + r.cities.length, 0);
  const names = cities * inputs.companies.words.length * inputs.companies.industries.length;
  if (names < params.customers + params.leads) {
    report(
      'sampleData.inputs.companies',
      'too_few_names',
      `${names} company names for ${params.customers + params.leads} customers and leads: add words, industries or cities`,
    );
  }
}
