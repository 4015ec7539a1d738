import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NOW, forms } from './crm-kit.js';
import { normalizeReport } from './normalize-report.js';

/** Identifier attacks: SQL syntax, quotes of every kind, comments, sleeps, look-alike letters, unknown ids. */
const ATTACKS = [
  'amount"; DROP TABLE opportunity; --',
  'amount`',
  "amount'",
  'amount;',
  'amount -- comment',
  'amount/**/',
  "amount' OR pg_sleep(10) IS NULL --",
  'pg_sleep(10)',
  'аmount', // Cyrillic а
  'ａmount', // full-width a
  'amount\u200b', // zero-width space
  'Amount',
  'amount ',
  '"amount"',
  'customer.level"',
  'customer..level',
  'no_such_field',
  'customer.no_such_field',
  '',
];

type Position = {
  name: string;
  path: string | ((attack: string) => string);
  build: (attack: string) => unknown;
  /** A new name (not a reference): any well-formed id is fine there. */
  names?: boolean;
};

const base = {
  kind: 'table',
  form: 'opportunity',
  dimensions: [{ field: 'source' }],
  measures: [{ id: 'n', fn: 'count' }],
};

const POSITIONS: Position[] = [
  {
    name: 'dimension',
    path: 'dimensions.0.field',
    build: (a) => ({ ...base, dimensions: [{ field: a }] }),
  },
  {
    name: 'dimension id',
    path: 'dimensions.0.id',
    names: true,
    build: (a) => ({ ...base, dimensions: [{ field: 'source', id: a }] }),
  },
  {
    name: 'pivot column',
    path: 'columns.0.field',
    build: (a) => ({ ...base, kind: 'pivot', columns: [{ field: a }] }),
  },
  {
    name: 'date bucket',
    path: 'dimensions.0.bucket',
    build: (a) => ({ ...base, dimensions: [{ field: 'created_at', bucket: a }] }),
  },
  {
    name: 'measure field',
    path: 'measures.0.field',
    build: (a) => ({ ...base, measures: [{ id: 'n', fn: 'sum', field: a }] }),
  },
  {
    name: 'measure function',
    path: 'measures.0.fn',
    build: (a) => ({ ...base, measures: [{ id: 'n', fn: a }] }),
  },
  {
    name: 'measure id',
    path: 'measures.0.id',
    names: true,
    build: (a) => ({ ...base, measures: [{ id: a, fn: 'count' }] }),
  },
  {
    name: 'weight',
    path: 'measures.0.weight',
    build: (a) => ({
      ...base,
      measures: [{ id: 'w', fn: 'weighted_sum', field: 'amount', weight: a }],
    }),
  },
  {
    name: 'ratio operand',
    path: 'measures.1.numerator',
    build: (a) => ({
      ...base,
      measures: [
        { id: 'n', fn: 'count' },
        { id: 'r', fn: 'ratio', numerator: a, denominator: 'n' },
      ],
    }),
  },
  {
    name: 'filter field',
    path: 'filter.or.1.field',
    build: (a) => ({
      ...base,
      filter: {
        or: [
          { field: 'source', op: 'eq', value: 'x' },
          { field: a, op: 'eq', value: 'x' },
        ],
      },
    }),
  },
  {
    name: 'filter operator',
    path: 'filter.op',
    build: (a) => ({ ...base, filter: { field: 'source', op: a, value: 'x' } }),
  },
  {
    name: 'measure filter',
    path: 'measures.0.filter.not.field',
    build: (a) => ({
      ...base,
      measures: [{ id: 'n', fn: 'count', filter: { not: { field: a, op: 'is_empty' } } }],
    }),
  },
  { name: 'sort', path: 'sort.0.by', build: (a) => ({ ...base, sort: [{ by: a }] }) },
  {
    name: 'sort direction',
    path: 'sort.0.direction',
    build: (a) => ({ ...base, sort: [{ by: 'n', direction: a }] }),
  },
  {
    name: 'projection',
    path: 'fields.1',
    build: (a) => ({ kind: 'table', form: 'opportunity', fields: ['title', a] }),
  },
  {
    name: 'period',
    path: 'period.field',
    build: (a) => ({ ...base, period: { field: a, op: 'this_month' } }),
  },
  {
    name: 'period operator',
    path: 'period.op',
    build: (a) => ({ ...base, period: { field: 'created_at', op: a } }),
  },
  {
    name: 'top dimension',
    path: 'top.dimension',
    build: (a) => ({ ...base, top: { n: 3, dimension: a } }),
  },
  { name: 'top measure', path: 'top.by', build: (a) => ({ ...base, top: { n: 3, by: a } }) },
  {
    name: 'funnel field',
    path: 'funnel.field',
    build: (a) => ({
      kind: 'funnel',
      form: 'opportunity',
      funnel: { field: a, stages: ['lead', 'won'] },
    }),
  },
  {
    name: 'leaderboard measure',
    path: 'leaderboard.by',
    build: (a) => ({
      kind: 'leaderboard',
      form: 'opportunity',
      dimensions: [{ field: 'owner_id' }],
      measures: [{ id: 'n', fn: 'count' }],
      leaderboard: { by: a },
    }),
  },
  {
    name: 'target form',
    path: 'leaderboard.target.form',
    build: (a) => ({
      kind: 'leaderboard',
      form: 'opportunity',
      dimensions: [{ field: 'owner_id' }],
      measures: [{ id: 'n', fn: 'count' }],
      leaderboard: { by: 'n', target: { form: a, entityField: 'owner', valueField: 'amount' } },
    }),
  },
  {
    name: 'target field',
    path: 'leaderboard.target.valueField',
    build: (a) => ({
      kind: 'leaderboard',
      form: 'opportunity',
      dimensions: [{ field: 'owner_id' }],
      measures: [{ id: 'n', fn: 'count' }],
      leaderboard: {
        by: 'n',
        target: { form: 'sales_target', entityField: 'owner', valueField: a },
      },
    }),
  },
  { name: 'source form', path: 'form', build: (a) => ({ ...base, form: a }) },
  { name: 'kind', path: 'kind', build: (a) => ({ ...base, kind: a }) },
  {
    name: 'property name',
    path: (attack) => attack,
    build: (attack) => ({ ...base, [attack]: 1 }),
  },
];

describe('identifier injection is refused at normalization, in every position (rule 3)', () => {
  for (const position of POSITIONS) {
    const where = typeof position.path === 'string' ? position.path : 'the property itself';
    it(`refuses every attack as a ${position.name}, at ${where}`, () => {
      for (const attack of ATTACKS) {
        if (typeof position.path !== 'string' && attack === '') continue;
        if (position.names === true && /^[a-z][a-z0-9_]*$/.test(attack)) continue;
        const out = normalizeReport(position.build(attack), forms, { now: NOW });
        assert.ok(Array.isArray(out), `${position.name}: ${JSON.stringify(attack)} was accepted`);
        const path = typeof position.path === 'string' ? position.path : position.path(attack);
        assert.ok(
          out.some((i) => i.path === path),
          `${position.name}: ${JSON.stringify(attack)} gave ${JSON.stringify(out)}`,
        );
      }
    });
  }
});
