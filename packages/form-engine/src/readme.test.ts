// The README's example form is valid and behaves as the README says.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compileForm, validateFormSchema, type FormSchema } from './index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const block = /```json\n([\s\S]*?)\n```/.exec(readme)?.[1] ?? '';
const deal = JSON.parse(block) as FormSchema;
const ZW = '3f2b8c1e-5d4a-4e6b-9c7d-1a2b3c4d5e6f';
const QIMING = 'c0ffee00-1234-4abc-8def-0123456789ab';

describe('README example', () => {
  it('is a valid schema with a conditional field and a formula', () => {
    assert.deepEqual(validateFormSchema(deal, { forms: [{ id: 'customer' }] }), []);
    assert.ok(deal.fields.some((f) => f.visible !== undefined));
    assert.ok(deal.fields.some((f) => f.type === 'formula'));
  });

  it('behaves as documented', () => {
    const form = compileForm(deal);
    assert.deepEqual(form.initialValues({ user: { id: ZW } }), {
      stage_name: 'lead',
      quantity: 1,
      owner: ZW,
      amount: null,
    });
    assert.deepEqual(form.fieldStates({ stage_name: 'lost' }).lost_reason, {
      visible: true,
      required: true,
      readOnly: false,
    });
    const result = form.validate(
      { title: '启明续约', customer: QIMING, stage_name: 'won', quantity: 3, unit_price: 9800 },
      { locale: 'en' },
    );
    assert.deepEqual(result, {
      ok: false,
      errors: [
        {
          path: 'contract_no',
          code: 'REQUIRED',
          message: 'Contract No. is required',
          messages: { 'zh-CN': '请填写“合同编号”', en: 'Contract No. is required' },
        },
      ],
    });
    const won = form.validate(
      {
        title: '启明续约',
        customer: QIMING,
        stage_name: 'won',
        quantity: 3,
        unit_price: 9800,
        contract_no: 'HT-2024-018',
      },
      { user: { id: ZW } },
    );
    assert.deepEqual(won.ok && won.values['amount'], 29400);
  });
});
