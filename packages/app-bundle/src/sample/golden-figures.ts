// The numbers the template's funnel, leaderboard and KPI reports must show for generated data,
// computed straight from the records (no report engine, no SQL): the oracle of the golden test.
import type { SampleData, SampleRecord } from './generate-sample-data.js';

export type FunnelStep = {
  step: string;
  /** Records at this step or a later one (cumulative; lost/unqualified records count nowhere). */
  count: number;
  /** count / previous step's count (null for the first step or after an empty step). */
  conversion: number | null;
};

export type LeaderboardRow = {
  /** Competition ranking: equal amounts share a rank, the next rank skips (1, 2, 2, 4). */
  rank: number;
  ownerId: string;
  name: string;
  /** Sum of `amount` of won opportunities closed in the period, as a decimal string. */
  wonAmount: string;
  wonDeals: number;
  /** Sum of the rep's `won_amount` targets (CNY) for the months starting in the period (null: none). */
  target: number | null;
  /** wonAmount / target. */
  attainment: number | null;
};

export type GoldenFigures = {
  period: { from: string; to: string };
  /** Lead funnel over `lead.stage` for leads created in the period (report `lead_funnel`). */
  leadFunnel: FunnelStep[];
  /** Opportunity funnel over `stage` for opportunities created in the period (report `team_opportunity_funnel`). */
  opportunityFunnel: FunnelStep[];
  /** Won opportunities by owner, closed in the period (report `rep_leaderboard`). */
  leaderboard: LeaderboardRow[];
  kpis: {
    /** Leads created in the period: converted / all (report `kpi_lead_conversion`). */
    leadConversion: { converted: number; leads: number; rate: number | null };
    /** Opportunities closed in the period: won / (won + lost) (report `kpi_win_rate`). */
    winRate: { won: number; closed: number; rate: number | null };
    /** Mean amount of won opportunities closed in the period, 2 decimals (report `kpi_deal_size`). */
    averageDealSize: string | null;
    /** Mean of `cycle_days` (days from created_at to closed_at, each rounded to 1 decimal) of those. */
    salesCycleDays: number | null;
    /** Leads created in the period and contacted: share within 120 working minutes, and the median (report `kpi_follow_up_timeliness`). */
    followUpTimeliness: {
      withinSla: number;
      contacted: number;
      rate: number | null;
      medianMinutes: number | null;
    };
  };
};

export const LEAD_FUNNEL_STEPS: readonly string[] = ['new', 'contacted', 'qualified', 'converted'];
export const OPPORTUNITY_FUNNEL_STEPS: readonly string[] = [
  'prospecting',
  'needs_analysis',
  'proposal',
  'negotiation',
  'won',
];
/** The first-contact SLA of the template, in working minutes. */
export const FIRST_CONTACT_SLA_MINUTES = 120;

const toCents = (amount: unknown): number => {
  if (typeof amount !== 'string' || !/^\d+(\.\d{1,2})?$/.test(amount)) return 0;
  const [whole, fraction = ''] = amount.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
};
const fromCents = (c: number): string =>
  `${Math.floor(c / 100)}.${String(Math.round(c % 100)).padStart(2, '0')}`;

function funnel(records: readonly SampleRecord[], steps: readonly string[]): FunnelStep[] {
  const counts = steps.map(() => 0);
  for (const r of records) {
    const i = steps.indexOf(r.stage ?? '');
    for (let j = 0; j <= i; j++) counts[j] = (counts[j] as number) + 1;
  }
  return steps.map((step, i) => {
    const prev = i === 0 ? 0 : (counts[i - 1] as number);
    return {
      step,
      count: counts[i] as number,
      conversion: i === 0 || prev === 0 ? null : (counts[i] as number) / prev,
    };
  });
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Funnel, leaderboard and KPI figures of generated sample data for a period `[from, to)` (ISO;
 * default: everything generated). Reads only the lead, opportunity and sales_target streams.
 */
export function computeGoldenFigures(
  sample: SampleData,
  options: { from?: string; to?: string } = {},
): GoldenFigures {
  const from = Date.parse(options.from ?? sample.plan.start);
  const to = options.to === undefined ? Date.parse(sample.plan.now) + 1 : Date.parse(options.to);
  const inPeriod = (iso: unknown): boolean => {
    if (typeof iso !== 'string') return false;
    const t = Date.parse(iso);
    return t >= from && t < to;
  };

  const leads: SampleRecord[] = [];
  for (const r of sample.records('lead')) if (inPeriod(r.createdAt)) leads.push(r);
  const created: SampleRecord[] = [];
  const closed: SampleRecord[] = [];
  for (const r of sample.records('opportunity')) {
    if (inPeriod(r.createdAt)) created.push(r);
    if ((r.stage === 'won' || r.stage === 'lost') && inPeriod(r.values['closed_at']))
      closed.push(r);
  }
  const won = closed.filter((r) => r.stage === 'won');

  // leaderboard
  const byOwner = new Map<string, { cents: number; deals: number }>();
  for (const r of won) {
    if (r.ownerId === null) continue;
    const e = byOwner.get(r.ownerId) ?? { cents: 0, deals: 0 };
    e.cents += toCents(r.values['amount']);
    e.deals += 1;
    byOwner.set(r.ownerId, e);
  }
  const offset = sample.plan.params.utcOffsetMinutes * 60_000;
  const targets = new Map<string, number>();
  for (const r of sample.records('sales_target')) {
    if (typeof r.values['month'] !== 'string') continue;
    const monthStart = Date.parse(`${r.values['month']}T00:00:00Z`) - offset;
    if (monthStart < from || monthStart >= to) continue;
    const rep = r.values['rep'] as string;
    targets.set(rep, (targets.get(rep) ?? 0) + toCents(r.values['won_amount']));
  }
  const names = new Map(sample.members.map((m) => [m.id, m.name]));
  const rows = [...byOwner.entries()].sort(
    (a, b) => b[1].cents - a[1].cents || (a[0] < b[0] ? -1 : 1),
  );
  const leaderboard: LeaderboardRow[] = rows.map(([ownerId, e], i) => {
    let rank = i + 1;
    if (i > 0 && (rows[i - 1] as [string, { cents: number }])[1].cents === e.cents) {
      rank = leaderboardRank(rows, i);
    }
    const targetCents = targets.get(ownerId);
    const target = targetCents === undefined ? null : targetCents / 100;
    return {
      rank,
      ownerId,
      name: names.get(ownerId) ?? ownerId,
      wonAmount: fromCents(e.cents),
      wonDeals: e.deals,
      target,
      attainment: targetCents === undefined || targetCents === 0 ? null : e.cents / targetCents,
    };
  });

  // KPIs
  const converted = leads.filter((r) => r.stage === 'converted').length;
  const wonCents = won.reduce((sum, r) => sum + toCents(r.values['amount']), 0);
  const cycles = won.map((r) => {
    const days =
      (Date.parse(r.values['closed_at'] as string) - Date.parse(r.createdAt)) / 86_400_000;
    return Math.round(days * 10) / 10;
  });
  const contacted = leads.filter(
    (r) =>
      typeof r.values['first_contact_minutes'] === 'number' &&
      r.values['first_contacted_at'] !== null,
  );
  const minutes = contacted.map((r) => r.values['first_contact_minutes'] as number);
  const withinSla = minutes.filter((m) => m <= FIRST_CONTACT_SLA_MINUTES).length;

  return {
    period: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    leadFunnel: funnel(leads, LEAD_FUNNEL_STEPS),
    opportunityFunnel: funnel(created, OPPORTUNITY_FUNNEL_STEPS),
    leaderboard,
    kpis: {
      leadConversion: {
        converted,
        leads: leads.length,
        rate: leads.length === 0 ? null : converted / leads.length,
      },
      winRate: {
        won: won.length,
        closed: closed.length,
        rate: closed.length === 0 ? null : won.length / closed.length,
      },
      averageDealSize: won.length === 0 ? null : fromCents(Math.round(wonCents / won.length)),
      salesCycleDays:
        cycles.length === 0 ? null : cycles.reduce((a, b) => a + b, 0) / cycles.length,
      followUpTimeliness: {
        withinSla,
        contacted: contacted.length,
        rate: contacted.length === 0 ? null : withinSla / contacted.length,
        medianMinutes: median(minutes),
      },
    },
  };
}

function leaderboardRank(rows: ReadonlyArray<[string, { cents: number }]>, i: number): number {
  let j = i;
  while (
    j > 0 &&
    (rows[j - 1] as [string, { cents: number }])[1].cents ===
      (rows[i] as [string, { cents: number }])[1].cents
  )
    j--;
  return j + 1;
}
