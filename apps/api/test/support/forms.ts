import assert from 'node:assert/strict';
import type { HttpClient } from './http.js';

export type FormInfo = { id: string; appId: string; key: string; publishedVersion: number | null };

export async function createApp(
  http: HttpClient,
  name: string | Record<string, string> = { 'zh-CN': '客户管理', en: 'CRM' },
): Promise<string> {
  const response = await http.post<{ id: string }>('/api/apps', { name });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body.id;
}

/** Creates a form with the given schema (fields, layout, checks) and publishes it. */
export async function publishForm(
  http: HttpClient,
  appId: string,
  key: string,
  name: Record<string, string>,
  schema: Record<string, unknown>,
): Promise<FormInfo> {
  const created = await http.post<FormInfo>(`/api/apps/${appId}/forms`, { key, name, schema });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const published = await http.post<{ version: number }>(`/api/forms/${created.body.id}/publish`);
  assert.equal(published.status, 200, JSON.stringify(published.body));
  return { ...created.body, publishedVersion: published.body.version };
}

/** A customer form close to the template's: unique name, serial number, masked-phone candidate, money, a conditional field. */
export const CUSTOMER_SCHEMA = {
  fields: [
    {
      id: 'company_name',
      type: 'text',
      label: { 'zh-CN': '公司名称', en: 'Company name' },
      required: true,
      maxLength: 100,
      unique: true,
    },
    {
      id: 'customer_no',
      type: 'serial',
      label: { 'zh-CN': '客户编号', en: 'Customer No.' },
      serial: { pattern: 'KH-{yyyy}-{0000}' },
      unique: true,
    },
    {
      id: 'contact_name',
      type: 'text',
      label: { 'zh-CN': '联系人', en: 'Contact' },
      required: true,
    },
    { id: 'phone', type: 'phone', label: { 'zh-CN': '联系电话', en: 'Phone' }, required: true },
    {
      id: 'email',
      type: 'email',
      label: { 'zh-CN': '邮箱', en: 'E-mail' },
      required: { '==': [{ var: 'level' }, 'vip'] },
    },
    {
      id: 'level',
      type: 'select',
      label: { 'zh-CN': '客户等级', en: 'Level' },
      required: true,
      default: 'normal',
      options: [
        { value: 'normal', label: { 'zh-CN': '普通', en: 'Normal' } },
        { value: 'important', label: { 'zh-CN': '重要', en: 'Important' } },
        { value: 'vip', label: { 'zh-CN': 'VIP', en: 'VIP' } },
      ],
    },
    {
      id: 'status',
      type: 'select',
      label: { 'zh-CN': '客户状态', en: 'Status' },
      default: 'potential',
      options: [
        { value: 'potential', label: { 'zh-CN': '潜在', en: 'Potential' } },
        { value: 'active', label: { 'zh-CN': '活跃', en: 'Active' } },
        { value: 'churned', label: { 'zh-CN': '流失', en: 'Churned' } },
      ],
    },
    {
      id: 'churn_reason',
      type: 'textarea',
      label: { 'zh-CN': '流失原因', en: 'Churn reason' },
      visible: { '==': [{ var: 'status' }, 'churned'] },
      required: true,
    },
    {
      id: 'annual_revenue',
      type: 'currency',
      label: { 'zh-CN': '年营业额', en: 'Annual revenue' },
      currency: 'CNY',
    },
    {
      id: 'tags',
      type: 'multi_select',
      label: { 'zh-CN': '标签', en: 'Tags' },
      options: [
        { value: 'manufacturing', label: { 'zh-CN': '制造业', en: 'Manufacturing' } },
        { value: 'internet', label: { 'zh-CN': '互联网', en: 'Internet' } },
      ],
    },
    { id: 'signed_on', type: 'date', label: { 'zh-CN': '签约日期', en: 'Signed on' } },
  ],
};

/** The quoted "schema"."table" holding a form's published records. */
export async function publishedTable(
  db: { query(text: string, values: unknown[]): Promise<{ rows: unknown[] }> },
  formId: string,
): Promise<string> {
  const { rows } = await db.query(
    `SELECT v.columns->>'schema' AS s, v.columns->>'table' AS t FROM form f
       JOIN form_version v ON v.form_id = f.id AND v.version = f.published_version WHERE f.id = $1`,
    [formId],
  );
  const layout = rows[0] as { s: string; t: string } | undefined;
  assert.ok(layout !== undefined, `form ${formId} is not published`);
  return `"${layout.s}"."${layout.t}"`;
}
