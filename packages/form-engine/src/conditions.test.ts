// Rules 5 and 7 (README): visibility, conditional required and read-only fields, as the user types
// (fieldStates) and when the record is saved (validate).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileForm, type FieldState, type FormRuntimeContext, type FormSchema } from './index.js';

const ZW = '3f2b8c1e-5d4a-4e6b-9c7d-1a2b3c4d5e6f';
const CUSTOMER = 'c0ffee00-1234-4abc-8def-0123456789ab';

const opportunity: FormSchema = {
  id: 'opportunity',
  name: { 'zh-CN': '商机', en: 'Opportunity' },
  fields: [
    { id: 'title', type: 'text', label: { 'zh-CN': '商机名称', en: 'Title' }, required: true },
    {
      id: 'customer',
      type: 'relation',
      label: { 'zh-CN': '客户', en: 'Customer' },
      relation: { formId: 'customer' },
    },
    {
      id: 'stage_name',
      type: 'select',
      label: { 'zh-CN': '阶段', en: 'Stage' },
      options: [
        { value: 'lead', label: { 'zh-CN': '线索', en: 'Lead' } },
        { value: 'quote', label: { 'zh-CN': '报价', en: 'Quote' } },
        { value: 'won', label: { 'zh-CN': '赢单', en: 'Won' } },
        { value: 'lost', label: { 'zh-CN': '输单', en: 'Lost' } },
      ],
    },
    { id: 'has_contract', type: 'boolean', label: { 'zh-CN': '已签合同', en: 'Contract signed' } },
    {
      id: 'contract_no',
      type: 'text',
      label: { 'zh-CN': '合同编号', en: 'Contract No.' },
      visible: { '==': [{ var: 'has_contract' }, true] },
      required: true,
    },
    {
      id: 'contract_amount',
      type: 'currency',
      label: { 'zh-CN': '合同金额', en: 'Contract amount' },
      // depends on a field that may itself be hidden
      visible: { '!!': { var: 'contract_no' } },
      required: { '==': [{ var: 'stage_name' }, 'won'] },
    },
    {
      id: 'lost_reason',
      type: 'textarea',
      label: { 'zh-CN': '输单原因', en: 'Reason lost' },
      visible: { '==': [{ var: 'stage_name' }, 'lost'] },
      required: true,
    },
    {
      id: 'discount',
      type: 'percent',
      label: { 'zh-CN': '折扣', en: 'Discount' },
      readOnly: { '!': { in: ['manager', { var: '$user.roles' }] } },
    },
    {
      id: 'vip_note',
      type: 'textarea',
      label: { 'zh-CN': 'VIP 备注', en: 'VIP note' },
      visible: { '==': [{ var: 'customer.level' }, 'vip'] },
    },
    {
      id: 'quote_valid_until',
      type: 'date',
      label: { 'zh-CN': '报价有效期', en: 'Quote valid until' },
      required: { in: [{ var: 'stage_name' }, ['quote', 'won']] },
    },
  ],
};

const form = compileForm(opportunity);
const sales: FormRuntimeContext = { user: { id: ZW, roles: ['sales'] } };
const manager: FormRuntimeContext = { user: { id: ZW, roles: ['sales', 'manager'] } };

type Expected = Partial<Record<string, Partial<FieldState>>>;

function assertStates(states: Record<string, FieldState>, expected: Expected): void {
  for (const [id, want] of Object.entries(expected)) {
    const got = states[id] as FieldState;
    for (const [k, v] of Object.entries(want ?? {}))
      assert.equal(got[k as keyof FieldState], v, `${id}.${k}`);
  }
}

describe('field states as the user types', () => {
  const cases: Array<{
    title: string;
    values: Record<string, unknown>;
    ctx?: FormRuntimeContext;
    expect: Expected;
  }> = [
    {
      title: 'a new opportunity: conditional fields hidden',
      values: {},
      expect: {
        title: { visible: true, required: true },
        contract_no: { visible: false, required: false },
        contract_amount: { visible: false },
        lost_reason: { visible: false },
        quote_valid_until: { visible: true, required: false },
      },
    },
    {
      title: 'ticking "contract signed" shows the contract number, which is then required',
      values: { has_contract: true },
      expect: {
        contract_no: { visible: true, required: true },
        contract_amount: { visible: false },
      },
    },
    {
      title: 'a contract number shows the amount; won makes it required',
      values: { has_contract: true, contract_no: 'HT-2024-018', stage_name: 'won' },
      expect: {
        contract_amount: { visible: true, required: true },
        quote_valid_until: { required: true },
      },
    },
    {
      title: 'unticking hides the number and, through it, the amount (a chain)',
      values: { has_contract: false, contract_no: 'HT-2024-018', stage_name: 'won' },
      expect: {
        contract_no: { visible: false },
        contract_amount: { visible: false, required: false },
      },
    },
    {
      title: 'lost shows the reason, required',
      values: { stage_name: 'lost' },
      expect: { lost_reason: { visible: true, required: true } },
    },
    {
      title: 'the discount is read-only for sales',
      values: {},
      ctx: sales,
      expect: { discount: { readOnly: true } },
    },
    {
      title: 'and editable for a manager',
      values: {},
      ctx: manager,
      expect: { discount: { readOnly: false } },
    },
    {
      title: 'a rule can walk a relation when the host passes the related record',
      values: { customer: CUSTOMER },
      ctx: { related: { customer: { level: 'vip', company_name: '上海启明信息技术有限公司' } } },
      expect: { vip_note: { visible: true } },
    },
    {
      title: 'without the related record the relation reads as unknown',
      values: { customer: CUSTOMER },
      expect: { vip_note: { visible: false } },
    },
    {
      title: 'permissions hide and lock fields on top of the rules',
      values: { stage_name: 'lost' },
      ctx: { ...manager, permissions: { hidden: ['lost_reason'], readOnly: ['title'] } },
      expect: {
        lost_reason: { visible: false, required: false },
        title: { readOnly: true, required: false },
      },
    },
  ];
  for (const c of cases) {
    it(c.title, () => assertStates(form.fieldStates(c.values, c.ctx), c.expect));
  }

  it('reads values as typed the way validate will store them (a phone with +86)', () => {
    const f = compileForm({
      id: 'contact',
      name: '联系人',
      fields: [
        { id: 'phone', type: 'phone', label: '手机' },
        {
          id: 'mobile_note',
          type: 'text',
          label: '备注',
          visible: { '==': [{ var: 'phone' }, '13812345678'] },
        },
      ],
    });
    assert.equal(f.fieldStates({ phone: '+86 138-1234-5678' }).mobile_note?.visible, true);
  });

  it('a rule that fails to evaluate shows the field and does not require it', () => {
    const f = compileForm({
      id: 'note',
      name: '笔记',
      fields: [
        { id: 'notes', type: 'textarea', label: '笔记' },
        {
          id: 'flag',
          type: 'text',
          label: '标记',
          visible: { regex_match: [{ var: 'notes' }, '^a'] },
          required: { regex_match: [{ var: 'notes' }, '^a'] },
        },
      ],
    });
    // regex_match refuses inputs over 100 000 characters: the rule throws
    const states = f.fieldStates({ notes: 'a'.repeat(100_001) });
    assert.deepEqual(states.flag, { visible: true, required: false, readOnly: false });
  });
});

describe('validate with conditions', () => {
  const cases: Array<{
    title: string;
    values: Record<string, unknown>;
    ctx?: FormRuntimeContext;
    ok?: Record<string, unknown>;
    errors?: Array<[string, string]>;
  }> = [
    {
      title: 'a hidden required field is not required',
      values: { title: '启明年度续约' },
      ok: { title: '启明年度续约' },
    },
    {
      title: 'a shown required field is',
      values: { title: '启明年度续约', has_contract: true },
      errors: [['contract_no', 'REQUIRED']],
    },
    {
      title: 'values of hidden fields are cleared, down the chain',
      values: {
        title: '启明年度续约',
        has_contract: false,
        contract_no: 'HT-2024-018',
        contract_amount: '98000.00',
      },
      ok: { title: '启明年度续约', has_contract: false, contract_no: null, contract_amount: null },
    },
    {
      title: 'errors of hidden fields are dropped with their values',
      values: { title: '启明年度续约', stage_name: 'lead', lost_reason: 42 },
      ok: { title: '启明年度续约', stage_name: 'lead', lost_reason: null },
    },
    {
      title: 'conditional required: won needs the amount and the quote date',
      values: {
        title: '启明年度续约',
        has_contract: true,
        contract_no: 'HT-2024-018',
        stage_name: 'won',
      },
      errors: [
        ['contract_amount', 'REQUIRED'],
        ['quote_valid_until', 'REQUIRED'],
      ],
    },
    {
      title: 'sales may not write the read-only discount',
      values: { title: '启明年度续约', discount: 15 },
      ctx: sales,
      errors: [['discount', 'FIELD_READ_ONLY']],
    },
    {
      title: 'sales may send back the stored discount unchanged',
      values: { title: '启明年度续约', discount: 10 },
      ctx: { ...sales, previous: { title: '启明年度续约', discount: 10 } },
      ok: { title: '启明年度续约', discount: 10 },
    },
    {
      title: 'a manager may change it',
      values: { title: '启明年度续约', discount: 15 },
      ctx: { ...manager, previous: { title: '启明年度续约', discount: 10 } },
      ok: { title: '启明年度续约', discount: 15 },
    },
    {
      title: 'a field hidden by permission cannot be written',
      values: { title: '启明年度续约', stage_name: 'lost', lost_reason: '预算取消' },
      ctx: { ...manager, permissions: { hidden: ['lost_reason'], readOnly: [] } },
      errors: [['lost_reason', 'FIELD_HIDDEN']],
    },
    {
      title: 'a required field hidden by permission is not required of this viewer',
      values: { stage_name: 'lost' },
      ctx: { ...manager, permissions: { hidden: ['lost_reason'], readOnly: ['title'] } },
      ok: { stage_name: 'lost' },
    },
    {
      title: 'a read-only field by permission keeps its stored value when sent unchanged',
      values: { title: '启明年度续约', stage_name: 'quote', quote_valid_until: '2024-06-30' },
      ctx: {
        ...manager,
        permissions: { hidden: [], readOnly: ['title'] },
        previous: { title: '启明年度续约' },
      },
      ok: { title: '启明年度续约', stage_name: 'quote', quote_valid_until: '2024-06-30' },
    },
    {
      title: 'draft mode skips required fields, conditional ones too',
      values: { has_contract: true, stage_name: 'won' },
      ctx: { mode: 'draft' },
      ok: { has_contract: true, stage_name: 'won' },
    },
    {
      title: 'draft mode still checks types',
      values: { has_contract: 'yes', quote_valid_until: '2024-02-30' },
      ctx: { mode: 'draft' },
      errors: [
        ['has_contract', 'INVALID_TYPE'],
        ['quote_valid_until', 'INVALID_DATE'],
      ],
    },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const result = form.validate(c.values, c.ctx);
      if (c.ok !== undefined) {
        assert.equal(result.ok, true, JSON.stringify(result));
        if (result.ok) assert.deepEqual(result.values, c.ok);
      } else {
        assert.equal(result.ok, false);
        if (!result.ok)
          assert.deepEqual(
            result.errors.map((e) => [e.path, e.code]),
            c.errors,
          );
      }
    });
  }

  it('defaults can read the user and the clock', () => {
    const f = compileForm({
      id: 'task',
      name: '任务',
      fields: [
        { id: 'assignee', type: 'user', label: '执行人', default: { $logic: { var: '$user.id' } } },
        { id: 'due_at', type: 'datetime', label: '截止时间', default: { $logic: { var: '$now' } } },
        {
          id: 'priority',
          type: 'select',
          label: '优先级',
          default: 'normal',
          options: [
            { value: 'normal', label: '普通' },
            { value: 'high', label: '高' },
          ],
        },
      ],
    });
    const ctx = { user: { id: ZW }, now: '2024-05-01T09:30:00+08:00' };
    assert.deepEqual(f.initialValues(ctx), {
      assignee: ZW,
      due_at: '2024-05-01T01:30:00.000Z',
      priority: 'normal',
    });
    const created = f.validate({ priority: 'high' }, ctx);
    assert.deepEqual(created, {
      ok: true,
      values: { priority: 'high', assignee: ZW, due_at: '2024-05-01T01:30:00.000Z' },
    });
    // on update (previous given) absent fields stay absent
    assert.deepEqual(
      f.validate({ priority: 'high' }, { ...ctx, previous: { priority: 'normal' } }),
      { ok: true, values: { priority: 'high' } },
    );
  });

  it('computeFormulas follows the values as typed and leaves the rest alone', () => {
    const f = compileForm({
      id: 'quote',
      name: '报价',
      fields: [
        { id: 'quantity', type: 'number', label: '数量' },
        { id: 'unit_price', type: 'number', label: '单价' },
        { id: 'rush', type: 'boolean', label: '加急' },
        {
          id: 'amount',
          type: 'formula',
          label: '金额',
          formula: { '*': [{ var: 'quantity' }, { var: 'unit_price' }] },
        },
        {
          id: 'rush_fee',
          type: 'formula',
          label: '加急费',
          visible: { var: 'rush' },
          formula: { '*': [{ var: 'amount' }, 0.1] },
        },
      ],
    });
    assert.deepEqual(f.computeFormulas({ quantity: 2, unit_price: 500, rush: true, note: 'x' }), {
      quantity: 2,
      unit_price: 500,
      rush: true,
      note: 'x',
      amount: 1000,
      rush_fee: 100,
    });
    assert.equal(f.computeFormulas({ quantity: 2, unit_price: 500, rush: false }).rush_fee, null);
  });
});
