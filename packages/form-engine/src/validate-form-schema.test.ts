// Rules 1, 2, 11 and 12 (README): validateFormSchema reports every issue at once, each located.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  normalizeFormSchema,
  SYSTEM_FIELD_IDS,
  validateFormSchema,
  type FieldSchema,
} from './index.js';

const text = (id: string, extra: Partial<FieldSchema> = {}): FieldSchema => ({
  id,
  type: 'text',
  label: id,
  ...extra,
});
const form = (fields: unknown[], extra: Record<string, unknown> = {}) => ({
  id: 'customer',
  name: '客户',
  fields,
  ...extra,
});

type Case = {
  title: string;
  schema: unknown;
  forms?: Parameters<typeof validateFormSchema>[1];
  issues: Array<[string, string]>;
};

const cases: Case[] = [
  { title: 'a valid minimal form', schema: form([text('company_name')]), issues: [] },
  { title: 'not an object', schema: [], issues: [['', 'INVALID_TYPE']] },
  {
    title: 'top level: id, name, version, fields, unknown keys',
    schema: { id: 'Customer', version: 0, fields: {}, colour: 'red' },
    issues: [
      ['colour', 'UNKNOWN_PROPERTY'],
      ['id', 'INVALID_ID'],
      ['name', 'REQUIRED_PROPERTY'],
      ['version', 'INVALID_VERSION'],
      ['fields', 'INVALID_TYPE'],
    ],
  },
  {
    title: 'duplicate ids, reported at the second one',
    schema: form([text('phone'), text('email'), text('phone')]),
    issues: [['fields.2.id', 'DUPLICATE_ID']],
  },
  {
    title: 'every reserved system id is refused',
    schema: form(SYSTEM_FIELD_IDS.map((id) => text(id))),
    issues: SYSTEM_FIELD_IDS.map((_id, i) => [`fields.${i}.id`, 'RESERVED_ID']),
  },
  {
    title: 'bad ids, unknown types, missing labels, unknown field properties',
    schema: form([
      { id: '客户名称', type: 'text', label: '客户名称' },
      { id: 'amount', type: 'money', label: '金额' },
      { id: 'remark', type: 'textarea' },
      { id: 'note', type: 'text', label: { en: 'Note' } },
      { id: 'tag', type: 'text', label: '标签', colour: 'red' },
    ]),
    issues: [
      ['fields.0.id', 'INVALID_ID'],
      ['fields.1.type', 'UNKNOWN_FIELD_TYPE'],
      ['fields.2.label', 'REQUIRED_PROPERTY'],
      ['fields.3.label', 'INVALID_LOCALIZED_TEXT'],
      ['fields.4.colour', 'UNKNOWN_PROPERTY'],
    ],
  },
  {
    title: 'properties that do not apply to the type',
    schema: form([
      text('name', {
        min: 1,
        currency: 'CNY',
        relation: { formId: 'x' },
        formula: 1,
      } as Partial<FieldSchema>),
    ]),
    issues: [
      ['fields.0.relation', 'PROPERTY_NOT_APPLICABLE'],
      ['fields.0.min', 'PROPERTY_NOT_APPLICABLE'],
      ['fields.0.currency', 'PROPERTY_NOT_APPLICABLE'],
      ['fields.0.formula', 'PROPERTY_NOT_APPLICABLE'],
    ],
  },
  {
    title: 'unique only where a unique index makes sense',
    schema: form([
      {
        id: 'tags',
        type: 'multi_select',
        label: '标签',
        unique: true,
        options: [{ value: 'a', label: 'A' }],
      },
      { id: 'phone', type: 'phone', label: '电话', unique: true },
    ]),
    issues: [['fields.0.unique', 'UNIQUE_NOT_SUPPORTED']],
  },
  {
    title: 'a literal default must be a valid value of the field',
    schema: form([
      {
        id: 'level',
        type: 'select',
        label: '等级',
        default: 'gold',
        options: [{ value: 'normal', label: '普通' }],
      },
      { id: 'phone', type: 'phone', label: '电话', default: '123' },
      { id: 'employees', type: 'number', label: '人数', default: 10 },
    ]),
    issues: [
      ['fields.0.default', 'INVALID_DEFAULT'],
      ['fields.1.default', 'INVALID_DEFAULT'],
    ],
  },
  {
    title: 'invalid JsonLogic anywhere, located inside the rule (rule engine codes)',
    schema: form([
      text('status'),
      text('reason', { visible: { '==': [{ var: 'status' }] } }),
      text('note', { required: { if: [{ var: 'status' }, true] }, readOnly: { nope: [] } }),
    ]),
    issues: [
      ['fields.1.visible', 'wrong_arity'],
      ['fields.2.readOnly', 'unknown_operator'],
    ],
  },
  {
    title: 'references to unknown fields, in rules, defaults and checks',
    schema: form(
      [
        text('status', { visible: { '==': [{ var: 'stage_name' }, 'x'] } }),
        text('owner', { default: { $logic: { var: 'manager' } } }),
      ],
      {
        checks: [{ id: 'ok', rule: { '!!': { var: 'amount' } }, message: '金额必填' }],
      },
    ),
    issues: [
      ['fields.0.visible.==.0.var', 'unknown_field'],
      ['fields.1.default.$logic.var', 'unknown_field'],
      ['checks.0.rule.!!.0.var', 'unknown_field'],
    ],
  },
  {
    title: 'rules may read system fields, $user and $now; $user has known parts only',
    schema: form([
      text('a', {
        visible: {
          and: [{ var: 'stage' }, { var: '$now' }, { var: '$user.roles' }, { var: 'owner_id' }],
        },
      }),
      text('b', { visible: { var: '$user.name' } }),
    ]),
    issues: [['fields.1.visible', 'UNKNOWN_FIELD_REFERENCE']],
  },
  {
    title: 'a relation path is checked against the target form when it is known',
    schema: form([
      { id: 'customer', type: 'relation', label: '客户', relation: { formId: 'account' } },
      text('note', { visible: { '==': [{ var: 'customer.grade' }, 'vip'] } }),
      text('memo', { visible: { '==': [{ var: 'customer.level' }, 'vip'] } }),
    ]),
    forms: { forms: [{ id: 'account', fields: [{ id: 'level', type: 'select' }] }] },
    issues: [['fields.1.visible', 'UNKNOWN_FIELD_REFERENCE']],
  },
  {
    title: 'formula cycles, and cycles through visibility',
    schema: form([
      { id: 'a', type: 'formula', label: 'A', formula: { '+': [{ var: 'c' }, 1] } },
      { id: 'b', type: 'formula', label: 'B', formula: { '+': [{ var: 'a' }, 1] } },
      { id: 'c', type: 'formula', label: 'C', formula: { '+': [{ var: 'b' }, 1] } },
      text('x', { visible: { var: 'y' } }),
      text('y', { visible: { var: 'x' } }),
    ]),
    issues: [
      ['fields.0.formula', 'FORMULA_CYCLE'],
      ['fields.3.visible', 'DEPENDENCY_CYCLE'],
    ],
  },
  {
    title: 'defaults that depend on each other',
    schema: form([
      text('a', { default: { $logic: { var: 'b' } } }),
      text('b', { default: { $logic: { var: 'a' } } }),
    ]),
    issues: [['fields.0.default', 'DEFAULT_CYCLE']],
  },
  {
    title: 'checks: ids, rules and messages',
    schema: form([text('a')], {
      checks: [
        { id: 'ok', rule: { '!!': { var: 'a' } }, message: '必填' },
        { id: 'ok', rule: { '!!': { var: 'a' } } },
        { id: 'Bad Id', message: '错误' },
      ],
    }),
    issues: [
      ['checks.1.id', 'DUPLICATE_ID'],
      ['checks.1.message', 'REQUIRED_PROPERTY'],
      ['checks.2.id', 'INVALID_ID'],
      ['checks.2.rule', 'REQUIRED_PROPERTY'],
    ],
  },
  {
    title: 'layout: unknown and twice-placed fields, nested tabs, widths, spans, duplicate ids',
    schema: form([text('a'), text('b')], {
      layout: {
        items: [
          {
            type: 'section',
            id: 'main',
            columns: 2,
            items: [
              { type: 'field', fieldId: 'a', span: 3 },
              { type: 'field', fieldId: 'zzz' },
            ],
          },
          {
            type: 'columns',
            id: 'cols',
            columns: [
              { id: 'left', width: 16, items: [{ type: 'field', fieldId: 'a' }] },
              {
                id: 'main',
                width: 12,
                items: [{ type: 'tabs', id: 'inner', tabs: [{ id: 't1', title: 'T', items: [] }] }],
              },
            ],
          },
          { type: 'grid', id: 'g' },
        ],
      },
    }),
    issues: [
      ['layout.items.0.items.0.span', 'INVALID_LAYOUT'],
      ['layout.items.0.items.1.fieldId', 'UNKNOWN_FIELD_REFERENCE'],
      ['layout.items.1.columns.0.items.0.fieldId', 'DUPLICATE_PLACEMENT'],
      ['layout.items.1.columns.1.id', 'DUPLICATE_ID'],
      ['layout.items.1.columns.1.items.0', 'INVALID_LAYOUT'],
      ['layout.items.1.columns', 'INVALID_LAYOUT'],
      ['layout.items.2.type', 'INVALID_LAYOUT'],
    ],
  },
  {
    title: 'lookups and rollups point at relations',
    schema: form([
      { id: 'customer', type: 'relation', label: '客户', relation: { formId: 'customer' } },
      {
        id: 'contacts',
        type: 'relation',
        label: '联系人',
        relation: { formId: 'contact', multiple: true },
      },
      {
        id: 'l1',
        type: 'lookup',
        label: 'L1',
        lookup: { relationField: 'contacts', field: 'name' },
      },
      {
        id: 'r1',
        type: 'rollup',
        label: 'R1',
        rollup: { relationField: 'nothing', aggregate: 'count' },
      },
      {
        id: 'r2',
        type: 'rollup',
        label: 'R2',
        rollup: { relationField: 'contacts', aggregate: 'count' },
      },
    ]),
    issues: [
      ['fields.2.lookup.relationField', 'INVALID_REFERENCE'],
      ['fields.3.rollup.relationField', 'INVALID_REFERENCE'],
    ],
  },
];

describe('validateFormSchema', () => {
  for (const c of cases) {
    it(c.title, () => {
      const issues = validateFormSchema(c.schema, c.forms);
      assert.deepEqual(
        issues.map((i) => [i.path, i.code]),
        c.issues,
      );
      for (const issue of issues)
        assert.ok(issue.message.length > 0, `${issue.path} has a message`);
    });
  }

  it('normalizeFormSchema returns a clean copy, or the issues', () => {
    const raw = form([text('a')]);
    const normalized = normalizeFormSchema(raw);
    assert.deepEqual(normalized, raw);
    assert.notEqual(normalized, raw);
    const issues = normalizeFormSchema(form([text('id')]));
    assert.ok(Array.isArray(issues));
    assert.deepEqual(
      (issues as Array<{ code: string }>).map((i) => i.code),
      ['RESERVED_ID'],
    );
  });
});
