import { api } from './product-session.js';

/** A customer form with a section, a conditional phone and several field types (zh-CN and en labels). */
export const CUSTOMER_SCHEMA = {
  id: 'customer',
  name: { 'zh-CN': '客户', en: 'Customer' },
  fields: [
    { id: 'company', type: 'text', label: { 'zh-CN': '公司名称', en: 'Company' }, required: true },
    {
      id: 'level',
      type: 'select',
      label: { 'zh-CN': '客户等级', en: 'Level' },
      options: [
        { value: 'key', label: { 'zh-CN': '重点客户', en: 'Key account' }, color: '#dc2626' },
        { value: 'normal', label: { 'zh-CN': '普通客户', en: 'Regular' }, color: '#2563eb' },
      ],
    },
    {
      id: 'phone',
      type: 'phone',
      label: { 'zh-CN': '联系电话', en: 'Phone' },
      visible: { '==': [{ var: 'level' }, 'key'] },
    },
    {
      id: 'amount',
      type: 'currency',
      label: { 'zh-CN': '预计金额', en: 'Expected amount' },
      currency: 'CNY',
    },
    { id: 'next_visit', type: 'date', label: { 'zh-CN': '下次拜访', en: 'Next visit' } },
    { id: 'active', type: 'boolean', label: { 'zh-CN': '合作中', en: 'Active' } },
    { id: 'score', type: 'rating', label: { 'zh-CN': '意向', en: 'Interest' }, max: 5 },
    { id: 'notes', type: 'textarea', label: { 'zh-CN': '备注', en: 'Notes' } },
  ],
  layout: {
    items: [
      {
        type: 'section',
        id: 'basics',
        title: { 'zh-CN': '基本信息', en: 'Basics' },
        columns: 2,
        items: [
          { type: 'field', fieldId: 'company' },
          { type: 'field', fieldId: 'level' },
          { type: 'field', fieldId: 'phone' },
          { type: 'field', fieldId: 'amount' },
        ],
      },
      {
        type: 'section',
        id: 'follow_up',
        title: { 'zh-CN': '跟进', en: 'Follow-up' },
        columns: 2,
        items: [
          { type: 'field', fieldId: 'next_visit' },
          { type: 'field', fieldId: 'active' },
          { type: 'field', fieldId: 'score' },
          { type: 'field', fieldId: 'notes' },
        ],
      },
    ],
  },
};

export type CustomerApp = { appId: string; formId: string };

/** An app with the customer form, created and published over the API. */
export async function createCustomerApp(baseUrl: string, token: string): Promise<CustomerApp> {
  const app = await api<{ id: string }>(baseUrl, 'POST', '/api/apps', {
    token,
    body: {
      name: { 'zh-CN': '客户管理', en: 'Customers' },
      description: { 'zh-CN': '客户与跟进', en: 'Customers and follow-ups' },
      icon: 'users',
    },
  });
  const form = await api<{ id: string }>(baseUrl, 'POST', `/api/apps/${app.id}/forms`, {
    token,
    body: { key: 'customer', name: CUSTOMER_SCHEMA.name, schema: CUSTOMER_SCHEMA },
  });
  await api(baseUrl, 'POST', `/api/forms/${form.id}/publish`, { token });
  return { appId: app.id, formId: form.id };
}

export type CustomerValues = {
  company: string;
  level?: string;
  phone?: string;
  amount?: string;
  next_visit?: string;
  active?: boolean;
  score?: number;
  notes?: string;
};

export async function createCustomer(
  baseUrl: string,
  token: string,
  formId: string,
  values: CustomerValues,
): Promise<{ id: string }> {
  return api<{ id: string }>(baseUrl, 'POST', `/api/forms/${formId}/records`, {
    token,
    body: { values },
  });
}

/** Many customers at once through the bulk endpoint (500 per request). */
export async function createManyCustomers(
  baseUrl: string,
  token: string,
  formId: string,
  count: number,
): Promise<void> {
  const levels = ['key', 'normal'];
  for (let start = 0; start < count; start += 500) {
    const records = Array.from({ length: Math.min(500, count - start) }, (_, offset) => {
      const n = start + offset + 1;
      return {
        values: {
          company: `客户 ${String(n).padStart(5, '0')} 号有限公司`,
          level: levels[n % 2],
          amount: String(1000 + (n % 97) * 100),
          score: (n % 5) + 1,
        },
      };
    });
    await api(baseUrl, 'POST', `/api/forms/${formId}/records/bulk`, { token, body: { records } });
  }
}
