// Rule 3 (README): every field type has a fixture with valid values (and their canonical form),
// invalid values (path, code and the message in both locales) and schema mistakes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import text from './fixtures/fields/text.json' with { type: 'json' };
import textarea from './fixtures/fields/textarea.json' with { type: 'json' };
import richText from './fixtures/fields/rich-text.json' with { type: 'json' };
import number from './fixtures/fields/number.json' with { type: 'json' };
import currency from './fixtures/fields/currency.json' with { type: 'json' };
import percent from './fixtures/fields/percent.json' with { type: 'json' };
import date from './fixtures/fields/date.json' with { type: 'json' };
import datetime from './fixtures/fields/datetime.json' with { type: 'json' };
import select from './fixtures/fields/select.json' with { type: 'json' };
import multiSelect from './fixtures/fields/multi-select.json' with { type: 'json' };
import radio from './fixtures/fields/radio.json' with { type: 'json' };
import boolean from './fixtures/fields/boolean.json' with { type: 'json' };
import rating from './fixtures/fields/rating.json' with { type: 'json' };
import phone from './fixtures/fields/phone.json' with { type: 'json' };
import email from './fixtures/fields/email.json' with { type: 'json' };
import url from './fixtures/fields/url.json' with { type: 'json' };
import user from './fixtures/fields/user.json' with { type: 'json' };
import department from './fixtures/fields/department.json' with { type: 'json' };
import relation from './fixtures/fields/relation.json' with { type: 'json' };
import subTable from './fixtures/fields/sub-table.json' with { type: 'json' };
import attachment from './fixtures/fields/attachment.json' with { type: 'json' };
import image from './fixtures/fields/image.json' with { type: 'json' };
import address from './fixtures/fields/address.json' with { type: 'json' };
import location from './fixtures/fields/location.json' with { type: 'json' };
import serial from './fixtures/fields/serial.json' with { type: 'json' };
import formula from './fixtures/fields/formula.json' with { type: 'json' };
import lookup from './fixtures/fields/lookup.json' with { type: 'json' };
import rollup from './fixtures/fields/rollup.json' with { type: 'json' };
import {
  compileForm,
  FIELD_TYPES,
  validateFormSchema,
  type FieldSchema,
  type FormRuntimeContext,
  type KnownForm,
} from './index.js';

type FieldFixture = {
  type: string;
  fields: FieldSchema[];
  valid: Array<{
    title: string;
    values: Record<string, unknown>;
    ctx?: FormRuntimeContext;
    expect: Record<string, unknown>;
  }>;
  invalid: Array<{
    title: string;
    values: Record<string, unknown>;
    ctx?: FormRuntimeContext;
    errors: Array<{ path: string; code: string; 'zh-CN': string; en: string }>;
  }>;
  schemaIssues: Array<{
    title: string;
    fields: FieldSchema[];
    forms?: KnownForm[];
    issues: Array<{ path: string; code: string }>;
  }>;
};

const fixtures = [
  text,
  textarea,
  richText,
  number,
  currency,
  percent,
  date,
  datetime,
  select,
  multiSelect,
  radio,
  boolean,
  rating,
  phone,
  email,
  url,
  user,
  department,
  relation,
  subTable,
  attachment,
  image,
  address,
  location,
  serial,
  formula,
  lookup,
  rollup,
] as unknown as FieldFixture[];

describe('field type fixtures', () => {
  it('cover every field type', () => {
    assert.deepEqual(
      fixtures.map((f) => f.type),
      [...FIELD_TYPES],
    );
  });

  for (const fixture of fixtures) {
    describe(fixture.type, () => {
      const form = compileForm({
        id: 'fixture',
        name: { 'zh-CN': `${fixture.type} 字段`, en: `${fixture.type} field` },
        fields: fixture.fields,
      });

      for (const c of fixture.valid) {
        it(`accepts ${c.title}`, () => {
          const result = form.validate(c.values, c.ctx);
          assert.equal(result.ok, true, JSON.stringify(result));
          if (result.ok) assert.deepEqual(result.values, c.expect);
        });
      }

      for (const c of fixture.invalid) {
        it(`refuses ${c.title}, in Chinese and in English`, () => {
          const zh = form.validate(c.values, c.ctx);
          assert.equal(zh.ok, false);
          if (zh.ok) return;
          assert.deepEqual(
            zh.errors.map((e) => ({
              path: e.path,
              code: e.code,
              'zh-CN': e.messages['zh-CN'],
              en: e.messages.en,
            })),
            c.errors,
          );
          assert.deepEqual(
            zh.errors.map((e) => e.message),
            c.errors.map((e) => e['zh-CN']),
          );
          const en = form.validate(c.values, { ...c.ctx, locale: 'en' });
          assert.equal(en.ok, false);
          if (!en.ok)
            assert.deepEqual(
              en.errors.map((e) => e.message),
              c.errors.map((e) => e.en),
            );
        });
      }

      for (const c of fixture.schemaIssues) {
        it(`reports the schema mistake: ${c.title}`, () => {
          const issues = validateFormSchema(
            { id: 'fixture', name: '测试', fields: c.fields },
            c.forms === undefined ? {} : { forms: c.forms },
          );
          assert.deepEqual(
            issues.map((i) => ({ path: i.path, code: i.code })),
            c.issues,
          );
          for (const issue of issues) assert.ok(issue.message.length > 0);
        });
      }
    });
  }
});
