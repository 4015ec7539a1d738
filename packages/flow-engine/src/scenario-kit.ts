// Test support (not exported from the package door): the three CRM flows,
// the people of 上海启明信息技术有限公司's sales and service teams, a tiny
// working calendar and a driver that applies results the way a host would.
import leadJson from './fixtures/lead-flow.json' with { type: 'json' };
import opportunityJson from './fixtures/opportunity-flow.json' with { type: 'json' };
import ticketJson from './fixtures/ticket-flow.json' with { type: 'json' };
import { parseFlow } from './normalize-flow.js';
import type {
  Effect,
  FlowContext,
  FlowDirectory,
  FlowResult,
  FlowSnapshot,
  FlowUser,
  HistoryEntry,
} from './types.js';

export const leadFlow = parseFlow(leadJson);
export const opportunityFlow = parseFlow(opportunityJson);
export const ticketFlow = parseFlow(ticketJson);
export const rawFlows = { lead: leadJson, opportunity: opportunityJson, ticket: ticketJson };

/** 张伟 (sales) reports to 王芳 (sales manager), who reports to 李娜 (sales director), who reports to 刘洋 (VP). */
export const people = {
  zhangWei: {
    id: 'u_zhangwei',
    roles: ['sales'],
    managerChain: ['u_wangfang', 'u_lina', 'u_liuyang'],
  },
  wangFang: {
    id: 'u_wangfang',
    roles: ['sales', 'sales_manager'],
    managerChain: ['u_lina', 'u_liuyang'],
  },
  liNa: { id: 'u_lina', roles: ['sales_director'], managerChain: ['u_liuyang'] },
  liuYang: { id: 'u_liuyang', roles: ['vp'], managerChain: [] },
  chenJing: { id: 'u_chenjing', roles: ['finance'], managerChain: ['u_liuyang'] },
  zhaoLei: { id: 'u_zhaolei', roles: ['engineer'], managerChain: ['u_zhoujie'] },
  sunLi: { id: 'u_sunli', roles: ['service_dispatcher'], managerChain: ['u_zhoujie'] },
  zhouJie: { id: 'u_zhoujie', roles: ['service_manager'], managerChain: ['u_liuyang'] },
  huangMin: { id: 'u_huangmin', roles: ['sales'], managerChain: ['u_wangfang'] },
  system: { id: 'system', roles: [] },
} satisfies Record<string, FlowUser>;

const everyone: FlowUser[] = Object.values(people);

export const directory: FlowDirectory = {
  usersWithRole: (role) => everyone.filter((u) => u.roles.includes(role)).map((u) => u.id),
  managerChainOf: (id) => everyone.find((u) => u.id === id)?.managerChain ?? [],
};

/**
 * A working calendar for tests: Monday–Friday 09:00–18:00 China time (UTC+8),
 * no holidays. `PTnH`/`PTnM` walk working minutes; `PnD` moves n working days.
 */
export function addWorkingTime(startIso: string, duration: string): string {
  const CST = 8 * 3_600_000;
  const local = new Date(Date.parse(startIso) + CST);
  const isWorkday = (d: Date): boolean => d.getUTCDay() >= 1 && d.getUTCDay() <= 5;
  const days = /^P(\d+)D$/.exec(duration);
  if (days !== null) {
    let left = Number(days[1]);
    while (left > 0) {
      local.setUTCDate(local.getUTCDate() + 1);
      if (isWorkday(local)) left -= 1;
    }
    return new Date(local.getTime() - CST).toISOString();
  }
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(duration);
  if (m === null) throw new Error(`unsupported working duration ${duration}`);
  let minutes = Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
  while (minutes > 0) {
    const minuteOfDay = local.getUTCHours() * 60 + local.getUTCMinutes();
    if (!isWorkday(local) || minuteOfDay >= 18 * 60) {
      local.setUTCDate(local.getUTCDate() + 1);
      local.setUTCHours(9, 0, 0, 0);
      continue;
    }
    if (minuteOfDay < 9 * 60) {
      local.setUTCHours(9, 0, 0, 0);
      continue;
    }
    const step = Math.min(minutes, 18 * 60 - minuteOfDay);
    local.setTime(local.getTime() + step * 60_000);
    minutes -= step;
  }
  return new Date(local.getTime() - CST).toISOString();
}

export type Ctx = FlowContext;

export function ctx(
  user: FlowUser,
  now: string,
  record: Readonly<Record<string, unknown>>,
  extra: Partial<FlowContext> = {},
): FlowContext {
  return { now, user, record, directory, addWorkingTime, ...extra };
}

/** Narrows a result to success, failing the test with the reasons otherwise. */
export function ok(result: FlowResult): Extract<FlowResult, { ok: true }> {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.reasons, null, 2)}`);
  return result;
}

/** Narrows a result to a refusal, failing the test otherwise. */
export function refused(result: FlowResult): Extract<FlowResult, { ok: false }> {
  if (result.ok) throw new Error(`expected a refusal, got state ${result.snapshot.state}`);
  return result;
}

export function codes(result: FlowResult): string[] {
  return refused(result).reasons.map((r) => r.code);
}

/** A host in memory: applies setField effects to the record and keeps the history and effects. */
export class MemoryHost {
  record: Record<string, unknown>;
  snapshot: FlowSnapshot | null = null;
  history: HistoryEntry[] = [];
  effects: Effect[] = [];
  scheduled = new Map<string, Effect>();

  constructor(record: Record<string, unknown>) {
    this.record = { ...record };
  }

  apply(result: FlowResult): Extract<FlowResult, { ok: true }> {
    const r = ok(result);
    this.snapshot = r.snapshot;
    this.history.push(...r.history);
    this.effects.push(...r.effects);
    for (const e of r.effects) {
      if (e.type === 'setField') this.record[e.field] = e.value;
      if (e.type === 'scheduleTimer') this.scheduled.set(e.key, e);
      if (e.type === 'cancelTimer') this.scheduled.delete(e.key);
    }
    return r;
  }

  get snap(): FlowSnapshot {
    if (this.snapshot === null) throw new Error('not started');
    return this.snapshot;
  }
}

/** Deep-freezes a value so a test proves the engine never mutates its input. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
