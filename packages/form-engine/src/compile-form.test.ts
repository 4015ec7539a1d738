// compileForm as the API and the designer use it (README rules 3, 4, 8, 9, 13).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import customerForm from './fixtures/customer-form.json' with { type: 'json' };
import followUpForm from './fixtures/follow-up-form.json' with { type: 'json' };
import {
  compileForm,
  FormEngineError,
  formJsonSchema,
  normalizePhone,
  resolveLayout,
  sanitizeHtml,
  VALUE_ERROR_CODES,
  type FormSchema,
  type JsonSchema,
} from './index.js';

const customer = customerForm as unknown as FormSchema;
const followUp = followUpForm as unknown as FormSchema;
const ZW = '3f2b8c1e-5d4a-4e6b-9c7d-1a2b3c4d5e6f';

describe('compileForm', () => {
  it('refuses a schema with issues, with all of them attached', () => {
    const bad = {
      id: 'x',
      name: '坏表单',
      fields: [
        { id: 'id', type: 'text', label: '编号' },
        { id: 'a', type: 'nope', label: 'A' },
      ],
    } as unknown as FormSchema;
    assert.throws(
      () => compileForm(bad),
      (e: unknown) =>
        e instanceof FormEngineError &&
        e.code === 'INVALID_FORM_SCHEMA' &&
        e.issues.map((i) => i.code).join() === 'RESERVED_ID,UNKNOWN_FIELD_TYPE',
    );
  });

  it('is cached by content; cache: false compiles afresh', () => {
    const a = compileForm(customer);
    assert.equal(compileForm(customer), a);
    assert.equal(compileForm(structuredClone(customer)), a);
    assert.notEqual(compileForm(customer, { cache: false }), a);
    assert.notEqual(compileForm(customer, { locale: 'en' }), a);
    assert.equal(compileForm(customer, { cache: false }).fingerprint, a.fingerprint);
  });

  it('refuses a clock that is not an ISO instant', () => {
    const form = compileForm(followUp);
    assert.throws(
      () => form.validate({}, { now: '2024-05-01 09:30' }),
      (e: unknown) => e instanceof FormEngineError && e.code === 'INVALID_CONTEXT',
    );
  });

  it('values must be an object', () => {
    const form = compileForm(customer);
    for (const values of [null, [], '张伟', 42]) {
      const result = form.validate(values, { locale: 'en' });
      assert.deepEqual(result.ok ? [] : result.errors.map((e) => [e.path, e.code, e.message]), [
        ['', 'NOT_AN_OBJECT', 'The form values must be an object'],
      ]);
    }
  });

  it('lists errors in form order, unknown keys first, with the facts behind each message', () => {
    const form = compileForm(customer);
    const result = form.validate(
      { website: 'ftp://x', annual_revenue: '-5.00', zzz: 1, company_name: 'x'.repeat(101) },
      { user: { id: ZW } },
    );
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(
      result.errors.map((e) => [e.path, e.code, e.params]),
      [
        ['zzz', 'UNKNOWN_FIELD', { key: 'zzz' }],
        ['company_name', 'TOO_LONG', { limit: 100 }],
        ['contact_name', 'REQUIRED', undefined],
        ['phone', 'REQUIRED', undefined],
        ['annual_revenue', 'TOO_SMALL', { limit: '0', kind: 'number' }],
        ['website', 'INVALID_URL', undefined],
      ],
    );
  });

  it('picks the locale of messages: ctx, then the compile option, then zh-CN', () => {
    const values = { company_name: '' };
    const zh = compileForm(customer).validate(values, { locale: 'fr' });
    const en = compileForm(customer).validate(values, { locale: 'en-GB' });
    const enDefault = compileForm(customer, { locale: 'en' }).validate(values);
    assert.ok(!zh.ok && !en.ok && !enDefault.ok);
    if (zh.ok || en.ok || enDefault.ok) return;
    assert.equal(zh.errors[0]?.message, '请填写“公司名称”');
    assert.equal(en.errors[0]?.message, 'Company name is required');
    assert.equal(enDefault.errors[0]?.message, 'Company name is required');
    assert.deepEqual(zh.errors[0]?.messages, {
      'zh-CN': '请填写“公司名称”',
      en: 'Company name is required',
    });
  });

  it('every value error code has a message in both locales', () => {
    assert.equal(new Set(VALUE_ERROR_CODES).size, VALUE_ERROR_CODES.length);
    assert.ok(
      VALUE_ERROR_CODES.includes('FIELD_READ_ONLY') && VALUE_ERROR_CODES.includes('CHECK_FAILED'),
    );
  });

  it('sub-table rows: states per row, formulas per row, read-only cells guarded by row id', () => {
    const quote: FormSchema = {
      id: 'quote',
      name: '报价单',
      fields: [
        {
          id: 'items',
          type: 'sub_table',
          label: '明细',
          fields: [
            { id: 'product', type: 'text', label: '产品', required: true },
            {
              id: 'kind',
              type: 'select',
              label: '类型',
              options: [
                { value: 'license', label: '许可' },
                { value: 'service', label: '服务' },
              ],
            },
            {
              id: 'days',
              type: 'number',
              label: '人天',
              visible: { '==': [{ var: 'kind' }, 'service'] },
              required: true,
            },
            { id: 'list_price', type: 'number', label: '目录价', readOnly: true },
            {
              id: 'line_total',
              type: 'formula',
              label: '小计',
              formula: {
                '*': [{ var: 'list_price' }, { if: [{ var: 'days' }, { var: 'days' }, 1] }],
              },
            },
          ],
        },
      ],
    };
    const form = compileForm(quote);
    const rowId = '0b7e2c3a-1f4d-4e5a-9b6c-7d8e9f0a1b2c';
    const states = form.fieldStates({ items: [{ kind: 'license' }, { kind: 'service' }] });
    assert.deepEqual(
      states.items?.rows?.map((r) => [r.days?.visible, r.days?.required, r.list_price?.readOnly]),
      [
        [false, false, true],
        [true, true, true],
      ],
    );
    const previous = {
      items: [{ id: rowId, product: '实施服务', kind: 'service', days: 5, list_price: 2000 }],
    };
    const ok = form.validate(
      { items: [{ id: rowId, product: '实施服务', kind: 'service', days: 8, list_price: 2000 }] },
      { previous },
    );
    assert.deepEqual(ok, {
      ok: true,
      values: {
        items: [
          {
            id: rowId,
            product: '实施服务',
            kind: 'service',
            days: 8,
            list_price: 2000,
            line_total: 16000,
          },
        ],
      },
    });
    const tampered = form.validate(
      { items: [{ id: rowId, product: '实施服务', kind: 'service', days: 8, list_price: 1 }] },
      { previous },
    );
    assert.deepEqual(
      tampered.ok ? [] : tampered.errors.map((e) => [e.path, e.code, e.messages['zh-CN']]),
      [['items.0.list_price', 'FIELD_READ_ONLY', '“明细 › 第 1 行 › 目录价”是只读字段，不能修改']],
    );
    const missing = form.validate({ items: [{ product: '实施', kind: 'service' }] });
    assert.deepEqual(missing.ok ? [] : missing.errors.map((e) => [e.path, e.code]), [
      ['items.0.days', 'REQUIRED'],
    ]);
  });

  it('a check that cannot be evaluated fails the record with RULE_FAILED; a failing formula is null', () => {
    // the rule engine refuses to build strings over 100 000 characters: these rules throw
    const doubled = { cat: [{ var: 'notes' }, { var: 'notes' }] };
    const form = compileForm({
      id: 'memo',
      name: '备忘',
      fields: [
        { id: 'notes', type: 'textarea', label: '笔记' },
        { id: 'twice', type: 'formula', label: '两遍', resultType: 'text', formula: doubled },
      ],
      checks: [{ id: 'not_empty_twice', rule: { '!!': doubled }, message: '不能为空' }],
    });
    const notes = '跟进'.repeat(30_000);
    assert.deepEqual(form.computeFormulas({ notes }), { notes, twice: null });
    const result = form.validate({ notes }, { locale: 'en' });
    assert.deepEqual(
      result.ok ? [] : result.errors.map((e) => [e.path, e.code, e.message, e.params]),
      [
        [
          '',
          'RULE_FAILED',
          "The rule of not_empty_twice could not be evaluated; please contact the form's administrator",
          { check: 'not_empty_twice' },
        ],
      ],
    );
    assert.equal(form.validate({ notes }, { mode: 'draft' }).ok, true, 'drafts skip checks');
  });

  it('initialValues: defaults and the formulas they feed', () => {
    const form = compileForm({
      id: 'deal',
      name: '交易',
      fields: [
        { id: 'quantity', type: 'number', label: '数量', default: 1 },
        { id: 'unit_price', type: 'number', label: '单价', default: 980 },
        {
          id: 'amount',
          type: 'formula',
          label: '金额',
          formula: { '*': [{ var: 'quantity' }, { var: 'unit_price' }] },
        },
      ],
    });
    assert.deepEqual(form.initialValues(), { quantity: 1, unit_price: 980, amount: 980 });
  });
});

describe('the generated JSON Schema', () => {
  function walk(schema: unknown, visit: (s: JsonSchema) => void): void {
    if (typeof schema !== 'object' || schema === null) return;
    if (Array.isArray(schema)) return schema.forEach((s) => walk(s, visit));
    visit(schema as JsonSchema);
    for (const value of Object.values(schema)) walk(value, visit);
  }

  it('uses no keyword whose standalone code needs a runtime import', () => {
    for (const schema of [customer, followUp]) {
      walk(formJsonSchema(schema), (s) => {
        assert.equal(s['format'], undefined);
        assert.equal(s['uniqueItems'], undefined);
        assert.ok(!('const' in s) || typeof s['const'] !== 'object');
        if (Array.isArray(s['enum']))
          for (const v of s['enum']) assert.ok(v === null || typeof v !== 'object');
      });
    }
  });

  it('describes canonical values: a typed phone does not pass, its canonical form does', () => {
    const json = formJsonSchema(customer);
    const phone = (json['properties'] as Record<string, JsonSchema>)['phone'] as JsonSchema;
    const re = new RegExp(phone['pattern'] as string);
    assert.equal(re.test('+86 138-1234-5678'), false);
    assert.equal(re.test('13812345678'), true);
    assert.equal(re.test('+14155552671'), true);
  });
});

describe('helpers', () => {
  it('normalizePhone gives the stored form, for searching by phone', () => {
    assert.equal(normalizePhone('+86 138-1234-5678'), '13812345678');
    assert.equal(normalizePhone('(021) 1234-5678'), '02112345678');
    assert.equal(normalizePhone('+1 (415) 555-2671'), '+14155552671');
    assert.equal(normalizePhone('12345'), undefined);
  });

  it('sanitizeHtml is idempotent', () => {
    const once = sanitizeHtml(
      '<p onmouseover="x()">王芳 <a href=" https://a.cn " title="官网">官网</a><iframe src="//evil"></iframe></p>',
    );
    assert.equal(once, '<p>王芳 <a href="https://a.cn" title="官网">官网</a></p>');
    assert.equal(sanitizeHtml(once), once);
  });

  it('resolveLayout appends fields the layout does not place', () => {
    const schema: FormSchema = {
      id: 'contact',
      name: '联系人',
      fields: [
        { id: 'name', type: 'text', label: '姓名' },
        { id: 'phone', type: 'phone', label: '电话' },
        { id: 'email', type: 'email', label: '邮箱' },
      ],
      layout: {
        items: [{ type: 'section', id: 'main', items: [{ type: 'field', fieldId: 'phone' }] }],
      },
    };
    assert.deepEqual(resolveLayout(schema), {
      items: [
        { type: 'section', id: 'main', items: [{ type: 'field', fieldId: 'phone' }] },
        { type: 'field', fieldId: 'name' },
        { type: 'field', fieldId: 'email' },
      ],
    });
  });
});
