// Shared fixtures for the unit tests: a small CRM (opportunities, customers, sales targets) with
// realistic people, companies and CNY amounts, and helpers that fail loudly on issues.
import crm from './fixtures/crm-forms.json' with { type: 'json' };
import { normalizeReport, type NormalizeReportOptions } from './normalize-report.js';
import type { NormalizedReport, ReportForm, TableMap } from './types.js';

export const forms = crm.forms as ReportForm[];
export const tables = crm.tables as TableMap;

/** 2026-03-15 12:00 in Shanghai. */
export const NOW = '2026-03-15T04:00:00.000Z';

export const people = {
  zhangWei: '0b9f3c1e-0001-4a1b-8c1d-00000000a001',
  wangFang: '0b9f3c1e-0002-4a1b-8c1d-00000000a002',
  liNa: '0b9f3c1e-0003-4a1b-8c1d-00000000a003',
  liuYang: '0b9f3c1e-0004-4a1b-8c1d-00000000a004',
} as const;

export const customers = {
  qiming: {
    id: 'c0000000-0000-4000-8000-000000000001',
    name: '上海启明信息技术有限公司',
    level: 'A',
    province: '上海市',
  },
  yunfan: {
    id: 'c0000000-0000-4000-8000-000000000002',
    name: '北京云帆科技有限公司',
    level: 'B',
    province: '北京市',
  },
  huachuang: {
    id: 'c0000000-0000-4000-8000-000000000003',
    name: '深圳华创电子有限公司',
    level: 'A',
    province: '广东省',
  },
} as const;

export type Row = Record<string, unknown>;

let serial = 0;

/** An opportunity row as the in-memory twin reads it (related fields flattened). */
export function opportunity(fields: Row): Row {
  serial += 1;
  const customer = Object.values(customers).find((c) => c.id === fields['customer']);
  return {
    id: `e0000000-0000-4000-8000-${String(serial).padStart(12, '0')}`,
    owner_id: people.zhangWei,
    created_at: '2026-03-02T02:00:00.000Z',
    deleted_at: null,
    stage: 'lead',
    title: `商机 ${serial}`,
    source: 'website',
    amount: '0',
    probability: 10,
    expected_close: null,
    tags: null,
    key_account: false,
    customer: null,
    margin: null,
    'customer.level': customer?.level ?? null,
    'customer.province': customer?.province ?? null,
    'customer.name': customer?.name ?? null,
    ...fields,
  };
}

/** A fixed pipeline: 张伟, 王芳, 李娜 and 刘洋 over February and March 2026. */
export function pipeline(): Row[] {
  const o = opportunity;
  return [
    o({
      title: '启明 ERP 升级',
      owner_id: people.zhangWei,
      source: 'website',
      stage: 'won',
      amount: '480000.00',
      probability: 100,
      customer: customers.qiming.id,
      created_at: '2026-03-02T02:00:00.000Z',
      tags: ['重点', '续约'],
    }),
    o({
      title: '启明 数据中台',
      owner_id: people.zhangWei,
      source: 'referral',
      stage: 'proposal',
      amount: '120000.50',
      probability: 60,
      customer: customers.qiming.id,
      created_at: '2026-03-05T08:30:00.000Z',
      tags: ['重点'],
    }),
    o({
      title: '云帆 CRM',
      owner_id: people.wangFang,
      source: 'expo',
      stage: 'won',
      amount: '480000.00',
      probability: 100,
      customer: customers.yunfan.id,
      created_at: '2026-03-09T01:00:00.000Z',
    }),
    o({
      title: '云帆 呼叫中心',
      owner_id: people.wangFang,
      source: 'expo',
      stage: 'qualified',
      amount: '86000',
      probability: 30,
      customer: customers.yunfan.id,
      created_at: '2026-03-10T03:00:00.000Z',
      tags: ['新客'],
    }),
    o({
      title: '华创 MES',
      owner_id: people.liNa,
      source: 'website',
      stage: 'lead',
      amount: '230000',
      probability: 10,
      customer: customers.huachuang.id,
      created_at: '2026-03-12T06:00:00.000Z',
      tags: [],
    }),
    o({
      title: '华创 质检',
      owner_id: people.liNa,
      source: 'cold_call',
      stage: 'lost',
      amount: '64000',
      probability: 0,
      customer: customers.huachuang.id,
      created_at: '2026-03-13T09:00:00.000Z',
    }),
    o({
      title: '月底冲刺',
      owner_id: people.liuYang,
      source: 'website',
      stage: 'qualified',
      amount: '30000',
      probability: 30,
      created_at: '2026-03-14T15:59:59.000Z',
    }),
    o({
      title: '二月续约',
      owner_id: people.zhangWei,
      source: 'referral',
      stage: 'won',
      amount: '150000',
      probability: 100,
      customer: customers.qiming.id,
      created_at: '2026-02-10T02:00:00.000Z',
    }),
    o({
      title: '二月新客',
      owner_id: people.wangFang,
      source: 'website',
      stage: 'lead',
      amount: '50000',
      probability: 10,
      created_at: '2026-02-20T02:00:00.000Z',
    }),
    o({
      title: '已删除',
      owner_id: people.liNa,
      source: 'website',
      stage: 'won',
      amount: '999999',
      probability: 100,
      created_at: '2026-03-03T02:00:00.000Z',
      deleted_at: '2026-03-04T00:00:00.000Z',
    }),
    o({
      title: '二月底（上海 3 月 1 日）',
      owner_id: people.liuYang,
      source: null,
      stage: 'lead',
      amount: null,
      probability: null,
      created_at: '2026-02-28T16:30:00.000Z',
    }),
  ];
}

export const targets: Row[] = [
  {
    id: 'f0000000-0000-4000-8000-000000000001',
    owner: people.zhangWei,
    month: '2026-03-01',
    amount: '500000',
    deleted_at: null,
  },
  {
    id: 'f0000000-0000-4000-8000-000000000002',
    owner: people.wangFang,
    month: '2026-03-01',
    amount: '400000',
    deleted_at: null,
  },
  {
    id: 'f0000000-0000-4000-8000-000000000003',
    owner: people.liNa,
    month: '2026-03-01',
    amount: '300000',
    deleted_at: null,
  },
  {
    id: 'f0000000-0000-4000-8000-000000000004',
    owner: people.zhangWei,
    month: '2026-02-01',
    amount: '100000',
    deleted_at: null,
  },
];

/** normalizeReport that throws on issues (for fixtures that must be valid). */
export function report(spec: unknown, options: NormalizeReportOptions = {}): NormalizedReport {
  const out = normalizeReport(spec, forms, { now: NOW, timeZone: 'Asia/Shanghai', ...options });
  if (Array.isArray(out)) throw new Error(`unexpected issues: ${JSON.stringify(out)}`);
  return out;
}

/** Collects `$n` parameters like the API's SqlParams. */
export function collector(): { add(value: unknown): string; values: unknown[] } {
  const values: unknown[] = [];
  return { values, add: (value: unknown) => `$${values.push(value)}` };
}
