// Rule 10 (README): what changed between two versions of a form, for the API's ALTER TABLE plan.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import customerForm from './fixtures/customer-form.json' with { type: 'json' };
import { diffFormSchemas, type FieldSchema, type FormSchema } from './index.js';

const v1 = customerForm as unknown as FormSchema;
const field = (id: string): FieldSchema => v1.fields.find((f) => f.id === id) as FieldSchema;
const without = (ids: string[]): FieldSchema[] => v1.fields.filter((f) => !ids.includes(f.id));

describe('diffFormSchemas', () => {
  it('finds nothing between a form and itself', () => {
    const diff = diffFormSchemas(v1, structuredClone(v1));
    assert.deepEqual(diff, {
      added: [],
      removed: [],
      renamed: [],
      retyped: [],
      options: [],
      changed: [],
      reordered: false,
      breaking: false,
    });
  });

  it('reports an added field (not breaking)', () => {
    const next = {
      ...v1,
      fields: [...v1.fields, { id: 'industry', type: 'text', label: '行业' } as FieldSchema],
    };
    const diff = diffFormSchemas(v1, next);
    assert.deepEqual(diff.added, [{ id: 'industry', type: 'text' }]);
    assert.equal(diff.breaking, false);
  });

  it('reports a removed field (breaking: its column is archived)', () => {
    const diff = diffFormSchemas(v1, { ...v1, fields: without(['website']) });
    assert.deepEqual(diff.removed, [{ id: 'website', type: 'url' }]);
    assert.equal(diff.breaking, true);
  });

  it('a new label is a rename; the id and the column stay', () => {
    const fields = v1.fields.map((f) =>
      f.id === 'contact_name' ? { ...f, label: { 'zh-CN': '主要联系人', en: 'Main contact' } } : f,
    );
    const diff = diffFormSchemas(v1, { ...v1, fields });
    assert.deepEqual(diff.renamed, [
      {
        id: 'contact_name',
        from: field('contact_name').label,
        to: { 'zh-CN': '主要联系人', en: 'Main contact' },
      },
    ]);
    assert.deepEqual(diff.added, []);
    assert.equal(diff.breaking, false);
  });

  it('a retyped field says whether every value converts', () => {
    const fields = v1.fields.map((f) => {
      if (f.id === 'remark')
        return { id: 'remark', type: 'rich_text', label: f.label } as FieldSchema;
      if (f.id === 'phone')
        return { id: 'phone', type: 'text', label: f.label, required: true } as FieldSchema;
      return f;
    });
    const diff = diffFormSchemas(v1, { ...v1, fields });
    assert.deepEqual(diff.retyped, [
      { id: 'phone', fromType: 'phone', toType: 'text', lossless: true },
      { id: 'remark', fromType: 'textarea', toType: 'rich_text', lossless: false },
    ]);
    assert.equal(diff.breaking, true);
  });

  it('option changes: added, removed, relabeled, recoloured, reordered', () => {
    const level = field('level');
    const options = [
      { value: 'vip', label: { 'zh-CN': '贵宾', en: 'VIP' }, color: '#f5222d' },
      { value: 'normal', label: { 'zh-CN': '普通', en: 'Normal' }, color: '#000000' },
      { value: 'strategic', label: { 'zh-CN': '战略', en: 'Strategic' } },
    ];
    const fields = v1.fields.map((f) => (f.id === 'level' ? { ...level, options } : f));
    const diff = diffFormSchemas(v1, { ...v1, fields });
    assert.deepEqual(diff.options, [
      {
        id: 'level',
        added: ['strategic'],
        removed: ['important'],
        relabeled: ['vip'],
        recolored: ['normal'],
        reordered: true,
      },
    ]);
    assert.equal(diff.breaking, true, 'stored values of a removed option need attention');
  });

  it('other property changes, relation changes are breaking', () => {
    const base: FormSchema = {
      id: 'follow_up',
      name: '跟进',
      fields: [
        { id: 'customer', type: 'relation', label: '客户', relation: { formId: 'customer' } },
        { id: 'content', type: 'textarea', label: '内容', maxLength: 500 },
      ],
    };
    const next: FormSchema = {
      ...base,
      fields: [
        {
          id: 'customer',
          type: 'relation',
          label: '客户',
          relation: { formId: 'customer', multiple: true },
        },
        { id: 'content', type: 'textarea', label: '内容', maxLength: 1000, required: true },
      ],
    };
    const diff = diffFormSchemas(base, next);
    assert.deepEqual(diff.changed, [
      { id: 'customer', properties: ['relation.multiple'] },
      { id: 'content', properties: ['required', 'maxLength'] },
    ]);
    assert.equal(diff.breaking, true);
  });

  it('sub-table columns are diffed as <sub_table>.<column>', () => {
    const items = (columns: FieldSchema[]): FormSchema => ({
      id: 'quote',
      name: '报价',
      fields: [{ id: 'items', type: 'sub_table', label: '明细', fields: columns }],
    });
    const diff = diffFormSchemas(
      items([
        { id: 'product', type: 'text', label: '产品' },
        { id: 'quantity', type: 'number', label: '数量' },
      ]),
      items([
        { id: 'product', type: 'text', label: '产品名称' },
        { id: 'quantity', type: 'text', label: '数量' },
        { id: 'unit_price', type: 'currency', label: '单价' },
      ]),
    );
    assert.deepEqual(diff.added, [{ id: 'items.unit_price', type: 'currency' }]);
    assert.deepEqual(diff.renamed, [{ id: 'items.product', from: '产品', to: '产品名称' }]);
    assert.deepEqual(diff.retyped, [
      { id: 'items.quantity', fromType: 'number', toType: 'text', lossless: true },
    ]);
  });

  it('moving fields is a reorder, nothing else', () => {
    const diff = diffFormSchemas(v1, { ...v1, fields: [...v1.fields].reverse() });
    assert.equal(diff.reordered, true);
    assert.equal(diff.breaking, false);
    assert.deepEqual([diff.added, diff.removed, diff.retyped], [[], [], []]);
  });
});
