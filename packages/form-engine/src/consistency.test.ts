// Rule 4 (README): the two paths of validate agree. What the slow path produces is canonical: the
// strict JSON Schema accepts it, and validating it again changes nothing (through the fast path).
// And the engine's small JSON-Schema interpreter agrees with ajv on every lenient field schema.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ajvValidator } from './ajv-compiler.js';
import { lenientFieldSchema } from './json-schema.js';
import { checkJsonSchema } from './schema-check.js';
import address from './fixtures/fields/address.json' with { type: 'json' };
import currency from './fixtures/fields/currency.json' with { type: 'json' };
import date from './fixtures/fields/date.json' with { type: 'json' };
import datetime from './fixtures/fields/datetime.json' with { type: 'json' };
import email from './fixtures/fields/email.json' with { type: 'json' };
import location from './fixtures/fields/location.json' with { type: 'json' };
import multiSelect from './fixtures/fields/multi-select.json' with { type: 'json' };
import phone from './fixtures/fields/phone.json' with { type: 'json' };
import relation from './fixtures/fields/relation.json' with { type: 'json' };
import richText from './fixtures/fields/rich-text.json' with { type: 'json' };
import subTable from './fixtures/fields/sub-table.json' with { type: 'json' };
import text from './fixtures/fields/text.json' with { type: 'json' };
import url from './fixtures/fields/url.json' with { type: 'json' };
import user from './fixtures/fields/user.json' with { type: 'json' };
import attachment from './fixtures/fields/attachment.json' with { type: 'json' };
import { compileForm, formJsonSchema, type FieldSchema, type FormSchema } from './index.js';

type Fixture = {
  type: string;
  fields: FieldSchema[];
  valid: Array<{ values: Record<string, unknown> }>;
  invalid: Array<{ values: Record<string, unknown> }>;
};
const fixtures = [
  address,
  currency,
  date,
  datetime,
  email,
  location,
  multiSelect,
  phone,
  relation,
  richText,
  subTable,
  text,
  url,
  user,
  attachment,
] as unknown as Fixture[];

const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -3, max: 200 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 10 }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-0.00',
    '2024-02-29',
    '2024-05-01T09:30:00+08:00',
    'A',
    'abc@EXAMPLE.com',
  ),
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(
    fc.constantFrom(
      'province',
      'detail',
      'lat',
      'lng',
      'key',
      'name',
      'size',
      'mime',
      'product',
      'quantity',
    ),
    fc.oneof(fc.string({ maxLength: 5 }), fc.integer({ min: -1, max: 100 })),
    { maxKeys: 4 },
  ),
);

/** For each field of a fixture: the values its cases use, or anything at all. */
function recordsFor(fixture: Fixture): fc.Arbitrary<Record<string, unknown>> {
  const seen = new Map<string, unknown[]>();
  for (const c of [...fixture.valid, ...fixture.invalid]) {
    for (const [k, v] of Object.entries(c.values)) seen.set(k, [...(seen.get(k) ?? []), v]);
  }
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of fixture.fields) {
    const values = seen.get(field.id) ?? [null];
    shape[field.id] = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...values) },
      { weight: 1, arbitrary: anyJson },
    );
  }
  return fc.record(shape, { requiredKeys: [] });
}

describe('canonical forms', () => {
  for (const fixture of fixtures) {
    it(`${fixture.type}: what validate returns is canonical and validates to itself (property)`, () => {
      const schema: FormSchema = { id: 'fixture', name: fixture.type, fields: fixture.fields };
      const form = compileForm(schema);
      const json = formJsonSchema(schema);
      const strict = ajvValidator(JSON.stringify(json), json);
      fc.assert(
        fc.property(recordsFor(fixture), (record) => {
          const first = form.validate(record);
          if (!first.ok) return;
          assert.equal(
            strict(first.values),
            true,
            JSON.stringify({ record, values: first.values, errors: strict.errors }),
          );
          const second = form.validate(first.values);
          assert.deepEqual(second, first);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('a canonical record without record-level work comes back as the same object (fast path)', () => {
    const schema: FormSchema = {
      id: 'fixture',
      name: 'phone',
      fields: (phone as unknown as Fixture).fields,
    };
    const form = compileForm(schema);
    const record = { mobile: '13812345678' };
    const result = form.validate(record);
    assert.equal(result.ok && result.values, record);
    const typed = { mobile: '+86 138-1234-5678' };
    const slow = form.validate(typed);
    assert.ok(slow.ok && slow.values !== typed);
    assert.deepEqual(typed, { mobile: '+86 138-1234-5678' }, 'the input is never changed');
  });
});

describe('the engine JSON-Schema interpreter', () => {
  it('agrees with ajv on every lenient field schema (property)', () => {
    const fields = fixtures.flatMap((f) => f.fields);
    for (const field of fields) {
      const schema = lenientFieldSchema(field);
      const ajv = ajvValidator(JSON.stringify(schema), schema, false);
      const fixture = fixtures.find((f) => f.fields.includes(field)) as Fixture;
      const known = [...fixture.valid, ...fixture.invalid]
        .map((c) => c.values[field.id])
        .filter((v) => v !== undefined);
      fc.assert(
        fc.property(fc.oneof(fc.constantFrom(...known, null), anyJson), (value) => {
          const ours = checkJsonSchema(schema, value);
          const valid = ajv(value);
          assert.equal(ours.length === 0, valid, `${field.id}: ${JSON.stringify(value)}`);
          const key = (e: { instancePath: string; keyword: string }) =>
            `${e.instancePath} ${e.keyword}`;
          assert.deepEqual(ours.map(key).sort(), (ajv.errors ?? []).map(key).sort());
        }),
        { numRuns: 150 },
      );
    }
  });
});
