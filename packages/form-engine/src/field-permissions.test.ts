// Rule 7 (README): field permissions per role and stage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import customerForm from './fixtures/customer-form.json' with { type: 'json' };
import {
  applyFieldPermissions,
  compileForm,
  type FieldPermissionPolicy,
  type FormSchema,
} from './index.js';

const customer = customerForm as unknown as FormSchema;
const ZW = '3f2b8c1e-5d4a-4e6b-9c7d-1a2b3c4d5e6f';

const policy: FieldPermissionPolicy = {
  roles: {
    sales: {
      fields: { annual_revenue: 'read_only', remark: 'hidden', phone: 'masked' },
      stages: { churned: { fields: { status: 'read_only', annual_revenue: 'hidden' } } },
    },
    finance: { fields: { remark: 'hidden', phone: 'hidden' } },
    manager: {},
  },
  default: {
    fields: { annual_revenue: 'hidden', phone: 'hidden', email: 'hidden', remark: 'hidden' },
  },
};

describe('applyFieldPermissions', () => {
  const cases: Array<{
    title: string;
    viewer: Parameters<typeof applyFieldPermissions>[2];
    hidden: string[];
    readOnly: string[];
    masked: string[];
  }> = [
    {
      title: 'sales: revenue read-only, remarks hidden, phone masked',
      viewer: { role: 'sales' },
      hidden: ['remark'],
      readOnly: ['phone', 'annual_revenue'],
      masked: ['phone'],
    },
    {
      title: 'the owner of the record sees the masked phone',
      viewer: { role: 'sales', owner: true },
      hidden: ['remark'],
      readOnly: ['annual_revenue'],
      masked: [],
    },
    {
      title: 'a stage overrides the role per field',
      viewer: { role: 'sales', stage: 'churned' },
      hidden: ['annual_revenue', 'remark'],
      readOnly: ['phone', 'status'],
      masked: ['phone'],
    },
    {
      title: 'several roles: the least restrictive access wins',
      viewer: { role: ['sales', 'finance'] },
      hidden: ['remark'],
      readOnly: ['phone'],
      masked: ['phone'],
    },
    {
      title: 'a role without restrictions sees everything',
      viewer: { role: ['finance', 'manager'] },
      hidden: [],
      readOnly: [],
      masked: [],
    },
    {
      title: 'an unknown role gets the default',
      viewer: { role: 'intern' },
      hidden: ['phone', 'email', 'annual_revenue', 'remark'],
      readOnly: [],
      masked: [],
    },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const result = applyFieldPermissions(customer, policy, c.viewer);
      assert.deepEqual(result.hidden, c.hidden);
      assert.deepEqual(result.readOnly, c.readOnly);
      assert.deepEqual(result.masked, c.masked);
    });
  }

  it('a hidden sub-table hides its columns; columns can be restricted one by one', () => {
    const quote: FormSchema = {
      id: 'quote',
      name: '报价',
      fields: [
        {
          id: 'items',
          type: 'sub_table',
          label: '明细',
          fields: [
            { id: 'product', type: 'text', label: '产品' },
            { id: 'cost', type: 'currency', label: '成本' },
          ],
        },
        {
          id: 'terms',
          type: 'sub_table',
          label: '条款',
          fields: [{ id: 'text', type: 'text', label: '条款' }],
        },
      ],
    };
    const result = applyFieldPermissions(
      quote,
      { roles: { sales: { fields: { 'items.cost': 'hidden', terms: 'hidden' } } } },
      { role: 'sales' },
    );
    assert.deepEqual(result.hidden, ['items.cost', 'terms', 'terms.text']);
  });

  it('validate rejects writes to the fields the viewer may not change, with a clear error', () => {
    const form = compileForm(customer);
    const previous = {
      company_name: '上海启明信息技术有限公司',
      contact_name: '张伟',
      phone: '13812345678',
      level: 'normal',
      status: 'active',
      pool: 'private',
      owner: ZW,
      annual_revenue: '5000000.00',
      remark: '老客户',
    };
    const permissions = applyFieldPermissions(customer, policy, { role: 'sales' });
    // the client saw the phone masked and no remark: it sends back what it has, changing the revenue
    const values = {
      ...previous,
      phone: '138****5678',
      annual_revenue: '9000000.00',
      remark: null,
    };
    const result = form.validate(values, { previous, permissions, user: { id: ZW } });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(
      result.errors.map((e) => [e.path, e.code, e.messages['zh-CN'], e.messages.en]),
      [
        [
          'phone',
          'FIELD_READ_ONLY',
          '“联系电话”是只读字段，不能修改',
          'Phone is read-only and cannot be changed',
        ],
        [
          'annual_revenue',
          'FIELD_READ_ONLY',
          '“年营业额”是只读字段，不能修改',
          'Annual revenue is read-only and cannot be changed',
        ],
        [
          'remark',
          'FIELD_HIDDEN',
          '你无权修改字段“remark”',
          'You may not change the field "remark"',
        ],
      ],
    );
    // unchanged values pass
    assert.equal(
      form.validate({ ...previous, level: 'important' }, { previous, permissions }).ok,
      true,
    );
  });
});
