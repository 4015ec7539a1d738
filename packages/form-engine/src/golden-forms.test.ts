// The customer and follow-up forms of the CRM template (src/fixtures/*-form.json), with recorded
// outcomes for realistic records (src/fixtures/*-cases.json).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import customerCases from './fixtures/customer-cases.json' with { type: 'json' };
import customerForm from './fixtures/customer-form.json' with { type: 'json' };
import followUpCases from './fixtures/follow-up-cases.json' with { type: 'json' };
import followUpForm from './fixtures/follow-up-form.json' with { type: 'json' };
import {
  compileForm,
  formJsonSchema,
  resolveLayout,
  validateFormSchema,
  type FormRuntimeContext,
  type FormSchema,
} from './index.js';

type GoldenCase = {
  title: string;
  values: Record<string, unknown>;
  ctx: FormRuntimeContext;
  expect:
    | { ok: true; values: Record<string, unknown> }
    | { ok: false; errors: Array<{ path: string; code: string; 'zh-CN': string; en: string }> };
};

const customer = customerForm as unknown as FormSchema;
const followUp = followUpForm as unknown as FormSchema;

describe('golden forms', () => {
  it('are valid on their own and against each other', () => {
    assert.deepEqual(validateFormSchema(customer), []);
    assert.deepEqual(validateFormSchema(followUp), []);
    assert.deepEqual(validateFormSchema(customer, { forms: [followUp] }), []);
    assert.deepEqual(validateFormSchema(followUp, { forms: [customer] }), []);
  });

  it('place every field in their layout exactly once', () => {
    for (const schema of [customer, followUp]) {
      const placed = resolveLayout(schema).items.flatMap(function ids(item): string[] {
        if (item.type === 'field') return [item.fieldId];
        if (item.type === 'section') return item.items.flatMap(ids);
        if (item.type === 'columns') return item.columns.flatMap((c) => c.items.flatMap(ids));
        return item.tabs.flatMap((t) => t.items.flatMap(ids));
      });
      assert.deepEqual([...placed].sort(), schema.fields.map((f) => f.id).sort());
    }
  });

  it('the customer form requires what a CRM user expects in its JSON Schema', () => {
    const json = formJsonSchema(customer);
    assert.deepEqual(json['required'], [
      'company_name',
      'contact_name',
      'phone',
      'level',
      'status',
      'pool',
    ]);
    assert.equal(json['additionalProperties'], false);
  });

  for (const [name, schema, cases] of [
    ['customer (客户)', customer, customerCases],
    ['follow-up (跟进记录)', followUp, followUpCases],
  ] as const) {
    describe(name, () => {
      const form = compileForm(schema);
      for (const c of cases as unknown as GoldenCase[]) {
        it(c.title, () => {
          const result = form.validate(c.values, c.ctx);
          if (c.expect.ok) {
            assert.equal(result.ok, true, JSON.stringify(result));
            if (result.ok) assert.deepEqual(result.values, c.expect.values);
            return;
          }
          assert.equal(result.ok, false);
          if (result.ok) return;
          assert.deepEqual(
            result.errors.map((e) => ({
              path: e.path,
              code: e.code,
              'zh-CN': e.messages['zh-CN'],
              en: e.messages.en,
            })),
            c.expect.errors,
          );
          const locale = c.ctx.locale === 'en' ? 'en' : 'zh-CN';
          assert.deepEqual(
            result.errors.map((e) => e.message),
            c.expect.errors.map((e) => e[locale]),
          );
        });
      }
    });
  }
});
