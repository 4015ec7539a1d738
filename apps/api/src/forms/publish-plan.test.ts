import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialLayout, planChanges, PublishPlanError, type PublishField } from './publish-plan.js';
import { createTableStatements, foreignKeyStatements, pgName } from './table-layout.js';

const customerV1: PublishField[] = [
  { id: 'company_name', type: 'text', unique: true },
  { id: 'phone', type: 'phone' },
  { id: 'level', type: 'select' },
  { id: 'annual_revenue', type: 'text' },
  { id: 'contacts', type: 'relation', relation: { formId: 'contact', multiple: true } },
  { id: 'owner_team', type: 'department' },
];

describe('publishing a form as a real table', () => {
  it('creates typed columns, the search index, unique and b-tree indexes on first publish', () => {
    const layout = initialLayout('ws_abc', 'customer_1a2b3c4d', customerV1);
    const sql = createTableStatements(layout, new Map()).join(';\n');
    assert.match(sql, /CREATE TABLE "ws_abc"\."customer_1a2b3c4d"/);
    assert.match(sql, /"company_name" text/);
    assert.match(sql, /"owner_team" uuid/);
    assert.match(
      sql,
      /CREATE UNIQUE INDEX "u_customer_1a2b3c4d_company_name" .*WHERE deleted_at IS NULL AND NOT is_draft/,
    );
    assert.match(sql, /USING gin \(search_grams\)/);
    assert.match(sql, /CREATE TABLE IF NOT EXISTS "ws_abc"\."customer_1a2b3c4d___contacts"/);
    assert.deepEqual(
      Object.keys(layout.fields),
      customerV1.map((f) => f.id),
    );
  });

  it('retypes a column by archiving the old one and converting values into a new one', () => {
    const v1 = initialLayout('ws_abc', 'customer_1a2b3c4d', customerV1);
    const v2Fields = customerV1.map((f) =>
      f.id === 'annual_revenue' ? { ...f, type: 'currency' } : f,
    );
    const plan = planChanges(v1, v2Fields, 2, new Map());
    const sql = plan.steps
      .filter((s) => s.kind === 'sql')
      .map((s) => (s.kind === 'sql' ? s.text : ''));
    assert.deepEqual(sql, [
      'ALTER TABLE "ws_abc"."customer_1a2b3c4d" RENAME COLUMN "annual_revenue" TO "annual_revenue__v1"',
      'ALTER TABLE "ws_abc"."customer_1a2b3c4d" ADD COLUMN "annual_revenue" numeric',
    ]);
    const retype = plan.steps.find((s) => s.kind === 'retype');
    assert.deepEqual(retype, {
      kind: 'retype',
      fieldId: 'annual_revenue',
      table: 'customer_1a2b3c4d',
      fromType: 'text',
      toType: 'currency',
      fromColumn: 'annual_revenue__v1',
      fromSqlType: 'text',
      toColumn: 'annual_revenue',
      toSqlType: 'numeric',
    });
    assert.deepEqual(plan.layout.archived, [
      {
        fieldId: 'annual_revenue',
        column: 'annual_revenue__v1',
        sqlType: 'text',
        type: 'text',
        version: 1,
      },
    ]);
    assert.ok(
      plan.finalSteps.some(
        (s) => s.kind === 'sql' && /CREATE INDEX .*"annual_revenue"/.test(s.text),
      ),
      'the converted column is indexed afterwards',
    );
  });

  it('keeps the column of a removed field and gives it back when the field returns', () => {
    const v1 = initialLayout('ws_abc', 'customer_1a2b3c4d', customerV1);
    const v2 = planChanges(
      v1,
      customerV1.filter((f) => f.id !== 'phone'),
      2,
      new Map(),
    );
    assert.deepEqual(
      v2.layout.archived.map((a) => a.column),
      ['phone'],
    );
    assert.ok(
      !v2.steps.some((s) => s.kind === 'sql' && /DROP COLUMN/.test(s.text)),
      'nothing is dropped',
    );
    const v3 = planChanges(v2.layout, customerV1, 3, new Map());
    assert.deepEqual(v3.layout.archived, []);
    assert.deepEqual(v3.steps, [], 'the same column is used again, no DDL needed');
  });

  it('adds and drops unique indexes when the unique flag changes', () => {
    const v1 = initialLayout('ws_abc', 'customer_1a2b3c4d', customerV1);
    const v2 = planChanges(
      v1,
      customerV1.map((f) =>
        f.id === 'phone'
          ? { ...f, unique: true }
          : f.id === 'company_name'
            ? { ...f, unique: false }
            : f,
      ),
      2,
      new Map(),
    );
    const texts = v2.steps.map((s) => (s.kind === 'sql' ? s.text : ''));
    assert.ok(texts.includes('DROP INDEX IF EXISTS "ws_abc"."u_customer_1a2b3c4d_company_name"'));
    assert.ok(texts.some((t) => /CREATE UNIQUE INDEX "u_customer_1a2b3c4d_phone"/.test(t)));
  });

  it('refuses storage changes that could not keep values, naming the field', () => {
    const v1 = initialLayout('ws_abc', 'customer_1a2b3c4d', customerV1);
    assert.throws(
      () =>
        planChanges(
          v1,
          customerV1.map((f) =>
            f.id === 'contacts' ? { ...f, type: 'text', relation: undefined } : f,
          ) as PublishField[],
          2,
          new Map(),
        ),
      (error: unknown) =>
        error instanceof PublishPlanError &&
        error.path === 'fields.4.type' &&
        error.code === 'STORAGE_CHANGE_UNSUPPORTED',
    );
  });

  it('adds foreign keys of relation columns once their target table exists', () => {
    const layout = initialLayout('ws_abc', 'contact_9f8e7d6c', [
      { id: 'customer', type: 'relation', relation: { formId: 'customer' } },
    ]);
    assert.deepEqual(foreignKeyStatements(layout, new Map(), new Set()), []);
    const [statement] = foreignKeyStatements(
      layout,
      new Map([['customer', 'customer_1a2b3c4d']]),
      new Set(),
    );
    assert.match(
      statement ?? '',
      /FOREIGN KEY \("customer"\) REFERENCES "ws_abc"\."customer_1a2b3c4d"\(id\) ON DELETE SET NULL/,
    );
    assert.deepEqual(
      foreignKeyStatements(
        layout,
        new Map([['customer', 'customer_1a2b3c4d']]),
        new Set([pgName('fk', 'contact_9f8e7d6c', 'customer')]),
      ),
      [],
    );
  });

  it('keeps generated identifiers within 63 bytes', () => {
    const name = pgName(
      'u',
      'a_very_long_form_key_that_goes_on_and_on_12345678',
      'and_a_long_field_id_as_well',
    );
    assert.ok(name.length <= 63);
    assert.match(name, /^[a-z0-9_]+$/);
  });
});
