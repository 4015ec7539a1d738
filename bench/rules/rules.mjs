// 50 realistic CRM rules as JsonLogic, each with the hand-written closure it stands for.
// Dates: `date_diff(from, to, unit)` and `now` are CRM operators; anchors get the same
// implementation (see index.mjs).

export const NOW = '2026-11-23T02:00:00.000Z';
const NOW_MS = Date.parse(NOW);
const UNIT = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

/** The date_diff the anchors and hand-written closures use (null for missing dates). */
export function dateDiff(from, to, unit) {
  if (from == null || to == null) return null;
  const a = Date.parse(from);
  const b = Date.parse(to);
  if (Number.isNaN(a) || Number.isNaN(b)) return null;
  return (b - a) / UNIT[unit];
}
const since = (date, unit) => (date == null ? null : (NOW_MS - Date.parse(date)) / UNIT[unit]);
const until = (date, unit) => (date == null ? null : (Date.parse(date) - NOW_MS) / UNIT[unit]);

const v = (path) => ({ var: path });
const diffSince = (field, unit) => ({ date_diff: [v(field), { now: [] }, unit] });
const diffUntil = (field, unit) => ({ date_diff: [{ now: [] }, v(field), unit] });

/** [name, logic, hand-written] */
export const RULES = [
  [
    'new website lead',
    { and: [{ '==': [v('status'), 'new'] }, { '==': [v('source'), 'website'] }] },
    (r) => r.status == 'new' && r.source == 'website',
  ],
  ['high value deal', { '>=': [v('amount'), 100000] }, (r) => r.amount >= 100000],
  [
    'mid-size amount',
    { '<=': [10000, v('amount'), 50000] },
    (r) => 10000 <= r.amount && r.amount <= 50000,
  ],
  ['VIP customer', { '<=': [v('customer.level'), 2] }, (r) => r.customer?.level <= 2],
  [
    'social channel',
    { in: [v('source'), ['wechat', 'douyin', 'xiaohongshu']] },
    (r) => r.source === 'wechat' || r.source === 'douyin' || r.source === 'xiaohongshu',
  ],
  ['unassigned', { '!': v('owner_id') }, (r) => !r.owner_id],
  [
    'tier-1 city',
    { in: [v('customer.city'), ['上海', '北京', '深圳', '广州']] },
    (r) => ['上海', '北京', '深圳', '广州'].includes(r.customer?.city),
  ],
  [
    'late stage big deal',
    {
      and: [
        { or: [{ '==': [v('stage'), 'negotiation'] }, { '==': [v('stage'), 'proposal'] }] },
        { '>': [v('amount'), 50000] },
      ],
    },
    (r) => (r.stage == 'negotiation' || r.stage == 'proposal') && r.amount > 50000,
  ],
  [
    'discount needs approval',
    { and: [{ '>': [v('discount'), 0.2] }, { '!': v('approved') }] },
    (r) => r.discount > 0.2 && !r.approved,
  ],
  [
    'engaged lead',
    { and: [{ '>=': [v('score'), 80] }, { '>=': [v('visits'), 3] }] },
    (r) => r.score >= 80 && r.visits >= 3,
  ],
  ['never contacted', { '==': [v('contacted_at'), null] }, (r) => r.contacted_at == null],
  [
    'no follow-up 30 days',
    { '>': [diffSince('last_follow_up_at', 'days'), 30] },
    (r) => since(r.last_follow_up_at, 'days') > 30,
  ],
  [
    'created 2+ hours ago',
    { '>=': [diffSince('created_at', 'hours'), 2] },
    (r) => since(r.created_at, 'hours') >= 2,
  ],
  // Written as two comparisons: json-logic-engine 5.0.7 build() throws on a three-argument
  // between whose middle argument is a nested operation.
  [
    'closing this week',
    {
      and: [
        { '>=': [diffUntil('expected_close_at', 'days'), 0] },
        { '<=': [diffUntil('expected_close_at', 'days'), 7] },
      ],
    },
    (r) => {
      const d = until(r.expected_close_at, 'days');
      return 0 <= d && d <= 7;
    },
  ],
  [
    'weighted pipeline',
    { '>': [{ '/': [{ '*': [v('amount'), v('probability')] }, 100] }, 20000] },
    (r) => (r.amount * r.probability) / 100 > 20000,
  ],
  [
    'thin margin',
    { '<': [{ '/': [{ '-': [v('amount'), v('cost')] }, v('amount')] }, 0.15] },
    (r) => (r.amount - r.cost) / r.amount < 0.15,
  ],
  [
    'large manufacturer',
    {
      and: [
        { '==': [v('customer.industry'), '制造业'] },
        { in: [v('customer.size'), ['large', 'enterprise']] },
      ],
    },
    (r) =>
      r.customer?.industry == '制造业' &&
      (r.customer?.size === 'large' || r.customer?.size === 'enterprise'),
  ],
  [
    'key account tag',
    { in: ['key_account', v('tags')] },
    (r) => Array.isArray(r.tags) && r.tags.includes('key_account'),
  ],
  [
    'outside east big',
    { and: [{ '!=': [v('region'), 'east'] }, { '>': [v('amount'), 30000] }] },
    (r) => r.region != 'east' && r.amount > 30000,
  ],
  [
    'lost on price',
    { and: [{ '==': [v('stage'), 'lost'] }, { '==': [v('lost_reason'), 'price'] }] },
    (r) => r.stage == 'lost' && r.lost_reason == 'price',
  ],
  ['has email', { '!!': v('email') }, (r) => !!r.email],
  [
    'tier A',
    {
      '==': [
        { if: [{ '>': [v('amount'), 100000] }, 'A', { '>': [v('amount'), 10000] }, 'B', 'C'] },
        'A',
      ],
    },
    (r) => (r.amount > 100000 ? 'A' : r.amount > 10000 ? 'B' : 'C') == 'A',
  ],
  [
    'score with bonus',
    { '>=': [{ '+': [v('score'), v('bonus')] }, 100] },
    (r) => r.score + r.bonus >= 100,
  ],
  [
    'renewal due',
    { and: [{ '==': [v('stage'), 'won'] }, { '<=': [diffUntil('contract_end_at', 'days'), 30] }] },
    (r) => r.stage == 'won' && until(r.contract_end_at, 'days') <= 30,
  ],
  ['owner behind quota', { '<': [v('owner.attainment'), 0.5] }, (r) => r.owner?.attainment < 0.5],
  [
    'chased new lead',
    { and: [{ '>=': [v('follow_ups'), 5] }, { '==': [v('stage'), 'new'] }] },
    (r) => r.follow_ups >= 5 && r.stage == 'new',
  ],
  [
    'not spam',
    { '!': { in: [v('source'), ['spam', 'test']] } },
    (r) => !(r.source === 'spam' || r.source === 'test'),
  ],
  ['round amount', { '==': [{ '%': [v('amount'), 1000] }, 0] }, (r) => r.amount % 1000 == 0],
  [
    'above minimum order',
    { '>': [{ max: [v('amount'), v('min_order')] }, 50000] },
    (r) => Math.max(r.amount, r.min_order) > 50000,
  ],
  [
    'good credit in limit',
    {
      and: [
        { in: [v('customer.credit_rating'), ['AAA', 'AA']] },
        { '<': [v('amount'), v('customer.credit_limit')] },
      ],
    },
    (r) =>
      (r.customer?.credit_rating === 'AAA' || r.customer?.credit_rating === 'AA') &&
      r.amount < r.customer?.credit_limit,
  ],
  [
    'stale new lead',
    { and: [{ '==': [v('stage'), 'new'] }, { '>': [diffSince('created_at', 'days'), 14] }] },
    (r) => r.stage == 'new' && since(r.created_at, 'days') > 14,
  ],
  [
    'warm referral',
    {
      or: [
        { '==': [v('source'), 'referral'] },
        { and: [{ '==': [v('source'), 'website'] }, { '>': [v('score'), 60] }] },
      ],
    },
    (r) => r.source == 'referral' || (r.source == 'website' && r.score > 60),
  ],
  [
    'likely to close',
    {
      or: [
        { '>=': [v('probability'), 70] },
        { and: [{ '==': [v('stage'), 'negotiation'] }, { '>=': [v('probability'), 50] }] },
      ],
    },
    (r) => r.probability >= 70 || (r.stage == 'negotiation' && r.probability >= 50),
  ],
  ['small deal', { '<': [v('amount'), 5000] }, (r) => r.amount < 5000],
  [
    'big discount value',
    { '>': [{ '*': [v('amount'), v('discount')] }, 10000] },
    (r) => r.amount * r.discount > 10000,
  ],
  [
    'amount with VAT',
    { '>': [{ '*': [v('amount'), 1.13] }, 113000] },
    (r) => r.amount * 1.13 > 113000,
  ],
  [
    'north top level',
    { and: [{ '==': [v('region'), 'north'] }, { '==': [v('customer.level'), 1] }] },
    (r) => r.region == 'north' && r.customer?.level == 1,
  ],
  [
    'partner commission',
    { and: [{ '!=': [v('partner_id'), null] }, { '>': [v('commission_rate'), 0.1] }] },
    (r) => r.partner_id != null && r.commission_rate > 0.1,
  ],
  ['overloaded owner', { '>': [v('owner.open_leads'), 50] }, (r) => r.owner?.open_leads > 50],
  ['large company', { '>=': [v('customer.employees'), 500] }, (r) => r.customer?.employees >= 500],
  [
    'CNY order',
    { and: [{ '===': [v('currency'), 'CNY'] }, { '>': [v('amount'), 0] }] },
    (r) => r.currency === 'CNY' && r.amount > 0,
  ],
  [
    'inactive new week',
    { and: [{ '==': [v('visits'), 0] }, { '>': [diffSince('created_at', 'days'), 7] }] },
    (r) => r.visits == 0 && since(r.created_at, 'days') > 7,
  ],
  [
    'uncertain probability',
    { '<': [20, v('probability'), 80] },
    (r) => 20 < r.probability && r.probability < 80,
  ],
  [
    'qualified with budget',
    {
      and: [
        { '==': [v('status'), 'qualified'] },
        { '>=': [v('budget'), v('amount')] },
        { '==': [v('decision_maker'), true] },
      ],
    },
    (r) => r.status == 'qualified' && r.budget >= r.amount && r.decision_maker == true,
  ],
  [
    'open deal',
    { and: [{ '!==': [v('stage'), 'lost'] }, { '!==': [v('stage'), 'won'] }] },
    (r) => r.stage !== 'lost' && r.stage !== 'won',
  ],
  [
    'high intent',
    { and: [{ '>': [v('score'), 70] }, { '>': [v('visits'), 5] }, { '>': [v('downloads'), 1] }] },
    (r) => r.score > 70 && r.visits > 5 && r.downloads > 1,
  ],
  [
    'closes in Q1',
    { in: [v('close_month'), [1, 2, 3]] },
    (r) => r.close_month === 1 || r.close_month === 2 || r.close_month === 3,
  ],
  [
    'overdue payment',
    { and: [{ '>': [diffSince('due_at', 'days'), 0] }, { '==': [v('paid'), false] }] },
    (r) => since(r.due_at, 'days') > 0 && r.paid == false,
  ],
  [
    'level-based threshold',
    {
      if: [
        { '==': [v('customer.level'), 1] },
        { '>': [v('amount'), 10000] },
        { '>': [v('amount'), 50000] },
      ],
    },
    (r) => (r.customer?.level == 1 ? r.amount > 10000 : r.amount > 50000),
  ],
  [
    'five-clause qualification',
    {
      and: [
        { '==': [v('status'), 'new'] },
        { '>': [v('amount'), 10000] },
        { in: [v('source'), ['website', 'wechat']] },
        { '<=': [v('customer.level'), 3] },
        { '!': v('owner_id') },
      ],
    },
    (r) =>
      r.status == 'new' &&
      r.amount > 10000 &&
      (r.source === 'website' || r.source === 'wechat') &&
      r.customer?.level <= 3 &&
      !r.owner_id,
  ],
];

/** Deterministic pseudo-random records (a seeded LCG). */
export function generateRecords(count) {
  let seed = 20261123;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const date = (daysBack, daysAhead = 0) =>
    new Date(
      NOW_MS - daysBack * 86_400_000 + rand() * (daysBack + daysAhead) * 86_400_000,
    ).toISOString();
  const names = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊'];
  const companies = [
    '上海启明信息技术有限公司',
    '北京星河贸易有限公司',
    '深圳云帆科技有限公司',
    '广州恒信制造有限公司',
  ];
  const records = [];
  for (let i = 0; i < count; i++) {
    const amount =
      1000 + Math.round(rand() * 200) * 1000 + (rand() < 0.3 ? Math.round(rand() * 999) : 0);
    records.push({
      id: `rec_${i}`,
      name: pick(names),
      company: pick(companies),
      phone: `138${String(10_000_000 + i).slice(-8)}`,
      email: rand() < 0.7 ? `user${i}@example.cn` : null,
      status: pick(['new', 'qualified', 'contacted', 'unqualified']),
      stage: pick(['new', 'proposal', 'negotiation', 'won', 'lost']),
      source: pick(['website', 'wechat', 'douyin', 'xiaohongshu', 'referral', 'phone', 'spam']),
      amount,
      cost: Math.round(amount * (0.6 + rand() * 0.35)),
      budget: Math.round(rand() * 200) * 1000,
      probability: Math.round(rand() * 100),
      discount: Math.round(rand() * 40) / 100,
      approved: rand() < 0.5,
      score: Math.round(rand() * 100),
      bonus: Math.round(rand() * 30),
      visits: Math.floor(rand() * 12),
      downloads: Math.floor(rand() * 4),
      follow_ups: Math.floor(rand() * 9),
      owner_id: rand() < 0.3 ? null : `user_${Math.floor(rand() * 20)}`,
      owner: { attainment: Math.round(rand() * 150) / 100, open_leads: Math.floor(rand() * 90) },
      region: pick(['east', 'north', 'south', 'west']),
      currency: rand() < 0.9 ? 'CNY' : 'USD',
      min_order: pick([0, 20000, 60000]),
      partner_id: rand() < 0.2 ? `partner_${i % 7}` : null,
      commission_rate: Math.round(rand() * 20) / 100,
      decision_maker: rand() < 0.5,
      paid: rand() < 0.6,
      close_month: 1 + Math.floor(rand() * 12),
      lost_reason: pick(['price', 'timing', 'competitor', null]),
      tags: rand() < 0.2 ? ['key_account', 'renewal'] : ['standard'],
      contacted_at: rand() < 0.4 ? null : date(20),
      created_at: date(40),
      last_follow_up_at: rand() < 0.1 ? null : date(90),
      expected_close_at: date(10, 30),
      contract_end_at: date(0, 400),
      due_at: date(30, 30),
      customer: {
        level: 1 + Math.floor(rand() * 5),
        city: pick(['上海', '北京', '深圳', '广州', '杭州', '成都']),
        industry: pick(['制造业', '零售', '金融', '教育']),
        size: pick(['small', 'medium', 'large', 'enterprise']),
        credit_rating: pick(['AAA', 'AA', 'A', 'B']),
        credit_limit: Math.round(rand() * 300) * 1000,
        employees: Math.floor(rand() * 2000),
      },
    });
  }
  return records;
}
