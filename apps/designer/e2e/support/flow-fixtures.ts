import { api } from './product-session.js';

/** An opportunity form: name, amount, discount, loss reason and competitor (zh-CN and en labels). */
export const OPPORTUNITY_SCHEMA = {
  id: 'opportunity',
  name: { 'zh-CN': '商机', en: 'Opportunity' },
  fields: [
    { id: 'title', type: 'text', label: { 'zh-CN': '商机名称', en: 'Deal' }, required: true },
    {
      id: 'amount',
      type: 'currency',
      label: { 'zh-CN': '预计金额', en: 'Amount' },
      currency: 'CNY',
    },
    { id: 'discount', type: 'percent', label: { 'zh-CN': '折扣', en: 'Discount' } },
    { id: 'loss_reason', type: 'textarea', label: { 'zh-CN': '输单原因', en: 'Loss reason' } },
    { id: 'competitor', type: 'text', label: { 'zh-CN': '竞争对手', en: 'Competitor' } },
  ],
  layout: {
    items: [
      { type: 'field', fieldId: 'title' },
      { type: 'field', fieldId: 'amount' },
      { type: 'field', fieldId: 'discount' },
      { type: 'field', fieldId: 'loss_reason' },
      { type: 'field', fieldId: 'competitor' },
    ],
  },
};

/**
 * Prospecting → Proposal (amount above 0, with a message) → Won (needs the approver's yes);
 * Lost from any open stage with the loss reason and the competitor required.
 */
export function opportunityFlow(approverMemberId: string): Record<string, unknown> {
  return {
    id: 'opportunity',
    label: { 'zh-CN': '商机阶段', en: 'Opportunity stages' },
    initial: 'prospecting',
    states: [
      {
        id: 'prospecting',
        label: { 'zh-CN': '初步接洽', en: 'Prospecting' },
        kind: 'normal',
        order: 1,
        probability: 10,
      },
      {
        id: 'proposal',
        label: { 'zh-CN': '方案报价', en: 'Proposal' },
        kind: 'normal',
        order: 2,
        probability: 60,
      },
      { id: 'won', label: { 'zh-CN': '赢单', en: 'Won' }, kind: 'won', order: 3, probability: 100 },
      {
        id: 'lost',
        label: { 'zh-CN': '输单', en: 'Lost' },
        kind: 'lost',
        order: 4,
        probability: 0,
      },
    ],
    transitions: [
      {
        id: 'propose',
        from: 'prospecting',
        to: 'proposal',
        event: 'propose',
        label: { 'zh-CN': '提交方案', en: 'Propose' },
        guard: { '>': [{ var: 'amount' }, 0] },
        guardMessage: { 'zh-CN': '预计金额必须大于 0', en: 'The amount must be above 0' },
      },
      {
        id: 'win',
        from: 'proposal',
        to: 'won',
        event: 'win',
        label: { 'zh-CN': '赢单', en: 'Win' },
        approval: {
          steps: [
            {
              id: 'manager_review',
              label: { 'zh-CN': '主管审批', en: 'Manager review' },
              approvers: [{ kind: 'users', users: [approverMemberId] }],
              mode: 'any',
            },
          ],
        },
      },
      {
        id: 'lose',
        from: '*',
        to: 'lost',
        event: 'lose',
        label: { 'zh-CN': '输单', en: 'Lose' },
        requiredFields: ['loss_reason', 'competitor'],
      },
    ],
  };
}

export type OpportunityApp = { appId: string; formId: string };

/** An app with the opportunity form and its flow, both published, over the API. */
export async function createOpportunityApp(
  baseUrl: string,
  token: string,
  approverMemberId: string,
): Promise<OpportunityApp> {
  const app = await api<{ id: string }>(baseUrl, 'POST', '/api/apps', {
    token,
    body: { name: { 'zh-CN': '销售管理', en: 'Sales' }, icon: 'chart' },
  });
  const form = await api<{ id: string }>(baseUrl, 'POST', `/api/apps/${app.id}/forms`, {
    token,
    body: { key: 'opportunity', name: OPPORTUNITY_SCHEMA.name, schema: OPPORTUNITY_SCHEMA },
  });
  await api(baseUrl, 'POST', `/api/forms/${form.id}/publish`, { token });
  await api(baseUrl, 'PUT', `/api/forms/${form.id}/flow`, {
    token,
    body: { definition: opportunityFlow(approverMemberId) },
  });
  await api(baseUrl, 'POST', `/api/forms/${form.id}/flow/publish`, { token });
  return { appId: app.id, formId: form.id };
}

export async function createOpportunity(
  baseUrl: string,
  token: string,
  formId: string,
  values: Record<string, unknown>,
): Promise<{ id: string; stage: string | null }> {
  return api<{ id: string; stage: string | null }>(
    baseUrl,
    'POST',
    `/api/forms/${formId}/records`,
    {
      token,
      body: { values },
    },
  );
}
