import assert from 'node:assert/strict';
import { notificationsOf, type sqlClient, waitFor } from './automation.js';
import type { RecordBody } from './golden.js';
import type { HttpClient, Session } from './http.js';
import { addMember } from './people.js';

/** What a user would notice after a rule ran: records, tasks, notifications, the rule's run log. */
export class Probes {
  constructor(
    private readonly http: HttpClient,
    private readonly as: HttpClient,
    private readonly db: Awaited<ReturnType<typeof sqlClient>>,
    /** Form ids by the template's form keys. */
    readonly form: Readonly<Record<string, string>>,
    /** Rule ids by the template's rule keys. */
    readonly ruleIds: Readonly<Record<string, string>>,
  ) {}

  async get(key: string, id: string): Promise<RecordBody> {
    return (await this.as.get<RecordBody>(`/api/forms/${this.form[key]}/records/${id}`)).body;
  }

  /** Records of a form whose searchable text contains `q`. */
  async search(key: string, q: string): Promise<RecordBody[]> {
    const response = await this.as.get<{ items: RecordBody[] }>(
      `/api/forms/${this.form[key]}/records?limit=100&q=${encodeURIComponent(q)}`,
    );
    return response.body.items;
  }

  /**
   * Waits for a notification to someone who signs in, whose title or body mentions `text`
   * (and whose body is `body` when given).
   */
  async told(session: Session, text: string, body?: string) {
    let seen: string[] = [];
    return waitFor(async () => {
      const mine = await notificationsOf(this.http, session.accessToken);
      seen = mine.slice(0, 8).map((n) => `${n.title} | ${n.body ?? ''}`);
      return mine.find(
        (n) =>
          (n.title.includes(text) || (n.body ?? '').includes(text)) &&
          (body === undefined || n.body === body),
      );
    }, `a notification to ${session.user.name} about ${text}`).catch((error: unknown) => {
      throw new Error(`${String(error)}; seen: ${JSON.stringify(seen)}`);
    });
  }

  /** Waits for a notification with this title to a member (sample people cannot sign in). */
  async toldMember(memberId: string, title: string) {
    return waitFor(
      async () =>
        (
          await this.db.rows(`SELECT 1 FROM notification WHERE member_id = $1 AND title = $2`, [
            memberId,
            title,
          ])
        ).length > 0,
      `notification "${title}"`,
    );
  }

  /** Waits until the record has `count` scheduled rule timers, and answers them. */
  async ruleTimers(recordId: string, count: number) {
    return waitFor(async () => {
      const rows = await this.db.rows<{ rule_id: string; due_at: Date }>(
        `SELECT rule_id, due_at FROM scheduled_timer WHERE record_id = $1 AND kind = 'rule' AND status = 'scheduled'`,
        [recordId],
      );
      return rows.length === count ? rows : null;
    }, `${count} rule timers on ${recordId}`);
  }

  /** Waits for a succeeded run of the rule in its run log (GET /api/rules/:id/runs). */
  async succeeded(key: string): Promise<void> {
    let last: unknown = null;
    await waitFor(async () => {
      const runs = await this.as.get<Array<{ status: string }>>(
        `/api/rules/${this.ruleIds[key]}/runs?limit=200`,
      );
      last = runs.body.slice(0, 3);
      return runs.body.some((r) => r.status === 'succeeded');
    }, `a succeeded run of ${key}`).catch((error: unknown) => {
      throw new Error(`${String(error)}; runs: ${JSON.stringify(last)}`);
    });
  }

  /** Waits for a record of the template's task form matching `q` (and `expect`). */
  async task(q: string, expect: (r: RecordBody) => boolean = () => true): Promise<RecordBody> {
    return waitFor(async () => (await this.search('task', q)).find(expect), `the task ${q}`);
  }
}

export type SalesOrg = {
  director: Session;
  manager: Session;
  rep: Session;
  presales: Session;
  legal: Session;
  finance: Session;
  serviceLead: Session;
};

/** Real people who sign in: a director over a manager over a rep, and the back office. */
export async function addSalesOrg(http: HttpClient, owner: Session): Promise<SalesOrg> {
  const as = http.as(owner.accessToken);
  const person = (email: string, name: string, role: string, teamId?: string) =>
    addMember(http, owner, {
      email,
      name,
      roleKeys: ['member', role],
      ...(teamId !== undefined ? { teamId } : {}),
    });
  const director = await person('zhaogang@qiming.cn', '赵刚', 'sales_director');
  const manager = await person('wangfang@qiming.cn', '王芳', 'sales_manager');
  const department = await as.post<{ id: string }>('/api/teams', {
    name: '华北大客户部',
    kind: 'department',
    managerMemberId: director.member.id,
  });
  assert.equal(department.status, 201, JSON.stringify(department.body));
  const team = await as.post<{ id: string }>('/api/teams', {
    name: '北京销售组',
    kind: 'team',
    parentId: department.body.id,
    managerMemberId: manager.member.id,
  });
  assert.equal(team.status, 201, JSON.stringify(team.body));
  return {
    director,
    manager,
    rep: await person('lina@qiming.cn', '李娜', 'sales_rep', team.body.id),
    presales: await person('zhaolei@qiming.cn', '赵磊', 'presales'),
    legal: await person('chenjing@qiming.cn', '陈静', 'legal'),
    finance: await person('sunli@qiming.cn', '孙丽', 'finance'),
    serviceLead: await person('zhoumin@qiming.cn', '周敏', 'service_manager'),
  };
}
