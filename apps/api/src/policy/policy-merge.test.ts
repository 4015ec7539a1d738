import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RolePermissions } from './permissions.js';
import { fieldAccessAt, maskValue, mergeFormAccess } from './policy-merge.js';

const form = '6f1d2c8e-0000-4000-8000-000000000001';
const rep: RolePermissions = {
  forms: {
    '*': {
      actions: ['create', 'read', 'update'],
      rowScope: 'own',
      fields: { phone: 'masked', annual_revenue: 'hidden', level: 'read_only' },
    },
  },
};
const finance: RolePermissions = {
  forms: {
    [form]: {
      actions: ['read', 'export'],
      rowScope: 'department',
      fields: { phone: 'hidden' },
      stages: { won: { fields: { amount: 'read_only' } } },
    },
  },
};

describe('mergeFormAccess', () => {
  it('unions actions and row scopes and takes the least restrictive field access', () => {
    const access = mergeFormAccess([rep, finance], form, false);
    assert.deepEqual([...access.actions].sort(), ['create', 'export', 'read', 'update']);
    assert.deepEqual(access.rowScopes, ['own', 'department']);
    // rep masks the phone, finance hides it: the member sees it masked.
    // rep hides annual_revenue and makes level read-only; finance restricts neither: full access.
    assert.deepEqual(access.fields, { phone: 'masked' });
    assert.deepEqual(mergeFormAccess([rep], form, false).fields, {
      phone: 'masked',
      annual_revenue: 'hidden',
      level: 'read_only',
    });
  });

  it('lets a row scope of all win', () => {
    const everyone: RolePermissions = { forms: { '*': { actions: ['read'], rowScope: 'all' } } };
    assert.deepEqual(mergeFormAccess([rep, everyone], form, false).rowScopes, ['all']);
  });

  it('ignores roles that cannot read when merging scopes and fields', () => {
    const writer: RolePermissions = { forms: { '*': { actions: ['create'], rowScope: 'all' } } };
    const access = mergeFormAccess([writer], form, false);
    assert.deepEqual(access.rowScopes, []);
    assert.ok(access.actions.has('create'));
  });

  it('applies stage-specific policies over the base policy', () => {
    const access = mergeFormAccess([finance], form, false);
    assert.deepEqual(fieldAccessAt(access, 'won'), { phone: 'hidden', amount: 'read_only' });
    assert.deepEqual(fieldAccessAt(access, 'negotiation'), { phone: 'hidden' });
  });

  it('gives the workspace owner everything', () => {
    const access = mergeFormAccess([], form, true);
    assert.equal(access.actions.size, 7);
    assert.deepEqual(access.rowScopes, ['all']);
  });
});

describe('maskValue', () => {
  const cases: Array<[unknown, unknown]> = [
    ['13812348000', '138****8000'],
    ['+8613812348000', '138****8000'],
    ['zhangwei@qiming.cn', 'z***@qiming.cn'],
    ['王芳', '王*'],
    ['上海启明信息技术有限公司', '上******司'],
    [null, null],
    ['', ''],
  ];
  for (const [input, expected] of cases) {
    it(`masks ${JSON.stringify(input)}`, () => assert.equal(maskValue(input), expected));
  }
});
