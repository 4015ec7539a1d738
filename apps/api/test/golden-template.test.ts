import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Bundle, generateSampleData } from '@trellis/app-bundle';
import { AutomationClock } from '../src/automation/automation-clock.js';
import { sqlClient, waitFor, workerEnv } from './support/automation.js';
import { addSalesOrg, Probes } from './support/golden-probes.js';
import {
  type Approval,
  approvalFor,
  approve,
  create,
  runReport,
  expectedFunnel,
  expectedLeaderboard,
  importWithSample,
  move,
  nextNineAm,
  nineAmShanghai,
  patch,
  type RecordBody,
  shanghaiDate,
  templateBundle,
} from './support/golden.js';
import { HttpClient, type Problem, type Session } from './support/http.js';
import { signupOwner } from './support/people.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { testEnv } from './support/test-env.js';

const SAMPLE_SCALE = 0.01;
const DAY = 86_400_000;
/**
 * Rules no real change can fire yet, each for a product bug the last test proves is still there
 * (so the test fails, asking for coverage, once the bug is fixed):
 * - rollups (follow-up and contract totals on the customer) are never computed by the API;
 * - a transition's values for a field visible only in the target stage (loss reason) are dropped,
 *   so no opportunity can be lost and its stage remembered.
 */
const BLOCKED: Record<string, 'rollups' | 'stage-gated values'> = {
  customer_churn_risk_clear: 'rollups',
  vip_signing_anniversary: 'rollups',
  opportunity_lost_stage: 'stage-gated values',
};

describe('golden: the customer follow-up template, end to end', () => {
  let t: TestApp;
  let http: HttpClient;
  let as: HttpClient;
  let asRep: HttpClient;
  let clock: AutomationClock;
  let db: Awaited<ReturnType<typeof sqlClient>>;
  let bundle: Bundle;
  let owner: Session;
  let rep: Session;
  let manager: Session;
  let director: Session;
  let presales: Session;
  let legal: Session;
  let finance: Session;
  let serviceLead: Session;
  let appId: string;
  let importedAt: string;
  const form: Record<string, string> = {};
  const ruleIds: Record<string, string> = {};

  let probes: Probes;
  const get = (key: string, id: string) => probes.get(key, id);
  const search = (key: string, q: string) => probes.search(key, q);
  const told = (session: Session, text: string, body?: string) => probes.told(session, text, body);
  const toldMember = (memberId: string, title: string) => probes.toldMember(memberId, title);
  const succeeded = (key: string) => probes.succeeded(key);
  const task = (q: string, expect?: (r: RecordBody) => boolean) => probes.task(q, expect);

  before(async () => {
    t = await startTestApp({ queue: testEnv.queueBackends[0], env: workerEnv() });
    clock = t.app.get(AutomationClock);
    db = await sqlClient(t.database.url);
    t.cleanups.push(() => db.end());
    http = new HttpClient(t.baseUrl);
    owner = await signupOwner(http, 'zhangwei@qiming.cn', '张伟', '上海启明信息技术有限公司');
    as = http.as(owner.accessToken);
    bundle = await templateBundle();
    importedAt = clock.iso();
    appId = await importWithSample(t, owner, bundle, importedAt, SAMPLE_SCALE);
    const app = await as.get<{ forms: Array<{ id: string; key: string }> }>(`/api/apps/${appId}`);
    for (const f of app.body.forms) form[f.key] = f.id;
    const rules = await as.get<Array<{ id: string; key: string }>>(`/api/apps/${appId}/rules`);
    for (const r of rules.body) ruleIds[r.key] = r.id;

    probes = new Probes(http, as, db, form, ruleIds);
    ({ director, manager, rep, presales, legal, finance, serviceLead } = await addSalesOrg(
      http,
      owner,
    ));
    asRep = http.as(rep.accessToken);
  });
  after(() => t.close());

  it('runs the funnels and the rep leaderboard with the numbers counted from the generated data', async () => {
    const data = generateSampleData(bundle, { now: importedAt, scale: SAMPLE_SCALE });
    const nowMs = Date.now();
    const run = (key: string) => runReport(as, appId, key);
    for (const [key, formKey, measure] of [
      ['team_opportunity_funnel', 'opportunity', 'opportunities'],
      ['lead_funnel', 'lead', 'leads'],
    ] as const) {
      const stages = bundle.reports.find((r) => r.id === key)?.spec.funnel?.stages ?? [];
      const expected = expectedFunnel(data, formKey, stages, nowMs);
      assert.ok(
        Object.values(expected).some((n) => n > 0),
        `${key} has data this quarter`,
      );
      const rows = await run(key);
      const actual = Object.fromEntries(
        rows.map((r) => [Object.values(r.keys)[0], Number(r.values[measure])]),
      );
      assert.deepEqual(actual, expected, key);
    }
    const expected = expectedLeaderboard(data, nowMs);
    assert.ok(expected.size > 0, 'some deals were won this month');
    const rows = await run('rep_leaderboard');
    const members = await as.get<Array<{ id: string; displayName: string }>>('/api/members');
    const nameOf = new Map(members.body.map((m) => [m.id, m.displayName]));
    const actual = new Map(
      rows.map((r) => [
        nameOf.get(String(r.keys['owner_id'])) ?? String(r.keys['owner_id']),
        [Number(r.values['won_amount']), Number(r.values['won_deals'])],
      ]),
    );
    assert.deepEqual(actual, expected);
    const amounts = rows.map((r) => Number(r.values['won_amount']));
    assert.deepEqual(
      amounts,
      [...amounts].sort((a, b) => b - a),
      'ranked by won amount',
    );
  });

  it('runs the lead flow: contact, qualify, convert into customer, contact and opportunity; unqualified needs a reason', async () => {
    const lead = await create(asRep, form['lead'] as string, {
      company_name: '北京华宇智联科技有限公司',
      contact_name: '刘洋',
      title: '信息中心主任',
      mobile: '13911082345',
      email: 'liuyang@huayu-zl.cn',
      source: 'cold_call',
      company_size: 'small',
      region: {
        province: '北京市',
        city: '北京市',
        district: '海淀区',
        detail: '中关村大街 27 号',
      },
      pool: 'private',
    });
    assert.equal(lead.stage, 'new');
    const contacted = await move(asRep, form['lead'] as string, lead.id, 'contact', {
      contact_method: 'call',
    });
    assert.equal(contacted.stage, 'contacted');
    await succeeded('lead_first_contact');
    const stamped = await get('lead', lead.id);
    assert.ok(typeof stamped.values['first_contacted_at'] === 'string');
    assert.equal(typeof stamped.values['first_contact_minutes'], 'number');
    await patch(asRep, form['lead'] as string, lead.id, {
      budget: '380000',
      expected_close_date: '2027-01-31',
    });
    assert.equal(
      (await move(asRep, form['lead'] as string, lead.id, 'qualify')).stage,
      'qualified',
    );
    const converted = await move(asRep, form['lead'] as string, lead.id, 'convert');
    assert.equal(converted.stage, 'converted');

    const customer = await waitFor(
      async () => (await search('customer', '北京华宇智联科技有限公司'))[0],
      'the customer made from the lead',
    );
    assert.equal(customer.ownerId, rep.member.id);
    assert.equal(customer.values['status'], 'potential');
    assert.equal(customer.values['pool'], 'private');
    const contact = await waitFor(
      async () =>
        (await search('contact', '刘洋')).find((c) => c.values['mobile'] === '13911082345'),
      'the primary contact',
    );
    assert.equal(contact.values['is_primary'], true);
    const opportunity = await waitFor(
      async () => (await search('opportunity', '北京华宇智联科技有限公司 - 首单'))[0],
      'the first opportunity',
    );
    assert.equal(Number(opportunity.values['amount']), 380000);
    assert.equal(opportunity.values['expected_close_date'], '2027-01-31');
    assert.equal(opportunity.ownerId, rep.member.id);
    await succeeded('lead_convert_create_customer');
    await succeeded('customer_from_lead');

    const junk = await create(asRep, form['lead'] as string, {
      company_name: '广州某某贸易商行',
      contact_name: '陈先生',
      mobile: '13800138000',
      source: 'social_media',
      pool: 'private',
    });
    const refused = await asRep.post<Problem>(
      `/api/forms/${form['lead']}/records/${junk.id}/transitions`,
      { event: 'disqualify' },
    );
    assert.ok(refused.status >= 400 && refused.status < 500, String(refused.status));
    assert.deepEqual(
      refused.body.errors.map((e) => e.path),
      ['values.unqualified_reason'],
    );
  });

  it('routes public-pool leads by region, and qualifies leads that score 60', async () => {
    const east = await create(asRep, form['lead'] as string, {
      company_name: '苏州工业园区精密制造有限公司',
      contact_name: '吴敏',
      mobile: '13962145678',
      source: 'exhibition',
      region: { province: '江苏省', city: '苏州市', district: '吴中区', detail: '星湖街 328 号' },
      pool: 'public',
    });
    const south = await create(asRep, form['lead'] as string, {
      company_name: '深圳前海数据服务有限公司',
      contact_name: '黄磊',
      mobile: '13825436789',
      source: 'website',
      region: { province: '广东省', city: '深圳市', district: '南山区', detail: '前海大道 1 号' },
      pool: 'public',
    });
    const teamOf = async (name: string) =>
      (
        await db.rows<{ id: string }>(
          `SELECT m.id FROM member m JOIN team t ON t.id = m.team_id WHERE m.workspace_id = $1 AND t.name = $2`,
          [owner.workspace.id, name],
        )
      ).map((r) => r.id);
    for (const [lead, team, key] of [
      [east, '华东销售组', 'lead_assign_east'],
      [south, '华南销售组', 'lead_assign_south'],
    ] as const) {
      const members = await teamOf(team);
      const routed = await waitFor(async () => {
        const r = await get('lead', lead.id);
        return r.values['pool'] === 'private' ? r : null;
      }, `${key} to assign the lead`);
      assert.ok(members.includes(routed.ownerId as string), `${key} gives it to ${team}`);
      await toldMember(routed.ownerId as string, '你有一条新线索，请在 2 个工作小时内联系');
      await succeeded(key);
    }

    // referral (30) + enterprise (25) + one reply (5) = 60 at once
    const hot = await create(asRep, form['lead'] as string, {
      company_name: '杭州云帆电子商务有限公司',
      contact_name: '周杰',
      mobile: '13757120001',
      source: 'referral',
      company_size: 'enterprise',
      reply_count: 1,
      pool: 'private',
    });
    await succeeded('lead_score_qualify_on_create');
    await waitFor(async () => (await get('lead', hot.id)).stage === 'qualified', 'auto-qualified');
    await told(rep, '高分新线索已自动确认');
    // 55 on creation, 65 after two replies
    const warm = await create(asRep, form['lead'] as string, {
      company_name: '南京紫金山软件有限公司',
      contact_name: '孙婷',
      mobile: '13851770002',
      source: 'referral',
      company_size: 'enterprise',
      pool: 'private',
    });
    assert.equal(warm.stage, 'new');
    await patch(asRep, form['lead'] as string, warm.id, { reply_count: 2 });
    const qualified = await waitFor(async () => {
      const r = await get('lead', warm.id);
      return r.stage === 'qualified' ? r : null;
    }, 'qualified when the score reaches 60');
    const reps = await db.rows<{ id: string }>(
      `SELECT m.id FROM member m JOIN member_role mr ON mr.member_id = m.id JOIN role r ON r.id = mr.role_id
        WHERE m.workspace_id = $1 AND r.key = 'sales_rep'`,
      [owner.workspace.id],
    );
    assert.ok(
      reps.some((r) => r.id === qualified.ownerId),
      'handed to a sales rep',
    );
    await toldMember(qualified.ownerId as string, '高分线索已确认并分配给你');
    await succeeded('lead_score_qualify');
    await succeeded('lead_score_qualify_on_create');
  });
  it('runs the opportunity flow with discount approvals by the manager and the director; lost needs a reason and a competitor', async () => {
    const opps = form['opportunity'] as string;
    const customer = await create(asRep, form['customer'] as string, {
      company_name: '天津港航物流集团有限公司',
      level: 'important',
      status: 'potential',
      pool: 'private',
      phone: '02265301234',
      email: 'it@tjgh-logistics.cn',
    });
    const contact = await create(asRep, form['contact'] as string, {
      customer: customer.id,
      name: '马骏',
      mobile: '13602031234',
    });
    const deal = async (name: string, discount: number) => {
      const opp = await create(asRep, opps, {
        name,
        customer: customer.id,
        contact: contact.id,
        type: 'new_business',
        amount: '560000',
        expected_close_date: '2027-03-31',
        discount,
      });
      await move(asRep, opps, opp.id, 'analyse');
      await move(asRep, opps, opp.id, 'propose');
      await patch(asRep, opps, opp.id, {
        quote_no: `BJ-${discount}`,
        contract_no: `HT-${discount}`,
        signed_at: '2026-11-20',
      });
      await move(asRep, opps, opp.id, 'negotiate');
      const submitted = await move(asRep, opps, opp.id, 'win');
      assert.equal(submitted.stage, 'negotiation', 'waiting for approval');
      return opp;
    };
    const inboxOf = (session: Session, recordId: string) => approvalFor(http, session, recordId);
    const decide = (session: Session, approval: Approval) => approve(http, session, approval);

    const small = await deal('港航调度系统一期', 15);
    await succeeded('opportunity_needs_analysis_presales');
    const presalesTask = await task('需求调研与方案支持：港航调度系统一期');
    assert.equal(presalesTask.values['queue'], 'presales');
    assert.equal(presalesTask.values['opportunity'], small.id);
    await told(presales, '港航调度系统一期');
    const byManager = await inboxOf(manager, small.id);
    assert.deepEqual(byManager.assignees, [manager.member.id]);
    assert.equal((await decide(manager, byManager)).stage, 'won');
    await told(legal, '商机赢单');
    await told(finance, '商机赢单');
    await waitFor(
      async () => (await get('customer', customer.id)).values['status'] === 'active',
      'the customer becomes active',
    );

    const big = await deal('港航调度系统二期', 25);
    const first = await inboxOf(manager, big.id);
    assert.equal((await decide(manager, first)).stage, 'negotiation', 'the director decides next');
    const second = await inboxOf(director, big.id);
    assert.deepEqual(second.assignees, [director.member.id]);
    assert.equal((await decide(director, second)).stage, 'won');
    await succeeded('opportunity_won');

    const lost = await create(asRep, opps, {
      name: '港航数据中台',
      customer: customer.id,
      type: 'upsell',
      amount: '200000',
      expected_close_date: '2027-02-28',
    });
    const refused = await asRep.post<Problem>(`/api/forms/${opps}/records/${lost.id}/transitions`, {
      event: 'lose',
    });
    assert.ok(refused.status >= 400 && refused.status < 500);
    assert.deepEqual(refused.body.errors.map((e) => e.path).sort(), [
      'values.competitor',
      'values.loss_reason',
    ]);
  });

  it('fires the contract, payment, follow-up, service and daily rules from real changes', async () => {
    const tick = nextNineAm(clock.nowMs());
    const today = shanghaiDate(tick);
    const customer = await create(asRep, form['customer'] as string, {
      company_name: '成都天府软件园发展有限公司',
      level: 'vip',
      annual_revenue: '86000000',
      status: 'potential',
      pool: 'private',
      protected: true,
      phone: '02885123456',
      email: 'office@tfsoft.cn',
    });
    await create(asRep, form['contact'] as string, {
      customer: customer.id,
      name: '杨帆',
      mobile: '13980012345',
      birthday: `1985-${today.slice(5)}`,
    });
    const contract = await create(asRep, form['contract'] as string, {
      name: '天府软件园 CRM 年度服务合同',
      customer: customer.id,
      amount: '240000',
      status: 'draft',
      start_date: '2026-11-01',
      end_date: shanghaiDate(Date.parse(`${today}T00:00:00+08:00`) + 60 * DAY),
    });
    await patch(asRep, form['contract'] as string, contract.id, {
      status: 'signed',
      signed_at: '2026-11-20',
    });
    await told(legal, '合同已签约');
    await told(finance, '合同已签约');
    await waitFor(
      async () => (await get('customer', customer.id)).values['status'] === 'active',
      'the signed contract makes the customer active',
    );
    await create(asRep, form['payment'] as string, {
      contract: contract.id,
      customer: customer.id,
      phase: '首付款',
      planned_date: shanghaiDate(clock.nowMs()),
      planned_amount: '120000',
      status: 'planned',
    });
    const followedAt = new Date(clock.nowMs() - 60_000).toISOString();
    await create(asRep, form['follow_up'] as string, {
      customer: customer.id,
      method: 'call',
      followed_at: followedAt,
      content: '电话沟通续约意向，客户希望下周上门演示',
      result: 'follow_again',
      next_follow_up_at: new Date(clock.nowMs() + 3_600_000).toISOString(),
      next_action: '上门演示新版本',
    });
    await create(asRep, form['follow_up'] as string, {
      customer: customer.id,
      method: 'wechat',
      followed_at: followedAt,
      content: '微信确认培训时间',
      result: 'follow_again',
      next_follow_up_at: `${shanghaiDate(tick + DAY)}T10:00:00+08:00`,
      next_action: '安排培训',
    });
    const ticket = await create(asRep, form['service_ticket'] as string, {
      title: '系统登录缓慢',
      customer: customer.id,
      channel: 'phone',
      category: 'fault',
      priority: 'high',
      description: '早上 9 点高峰期登录需要 30 秒以上',
      reported_at: new Date(Date.now() - 45 * 60_000).toISOString(),
    });
    await patch(asRep, form['service_ticket'] as string, ticket.id, {
      responded_at: new Date().toISOString(),
    });
    await waitFor(
      async () => (await get('service_ticket', ticket.id)).values['sla_breached'] === true,
      'the SLA breach',
    );
    assert.ok(Number((await get('service_ticket', ticket.id)).values['response_minutes']) >= 45);
    await patch(asRep, form['service_ticket'] as string, ticket.id, { rating: 2 });
    await told(serviceLead, '客户对服务不满意');
    await task('不满意回访：系统登录缓慢');

    clock.setTo(new Date(tick + 1000));
    const greeting = await task('生日祝福：杨帆（成都天府软件园发展有限公司）');
    assert.equal(greeting.values['assignee'], rep.member.id, "the VIP customer's owner greets");
    assert.equal(greeting.values['priority'], 'high');
    await task('准备续约：天府软件园 CRM 年度服务合同');
    await waitFor(
      async () => (await search('opportunity', '续约：天府软件园')).length === 1,
      'the renewal opportunity',
    );
    await task('跟进：成都天府软件园发展有限公司');
    await told(rep, '现在该跟进客户了');
    await told(rep, '明天需要跟进客户');
    await told(rep, '回款已逾期');
    for (const key of [
      'contract_signed',
      'contract_renewal_60d',
      'payment_overdue',
      'follow_up_due',
      'follow_up_due_tomorrow',
      'vip_contact_birthday',
      'ticket_response_time',
      'ticket_low_rating',
    ])
      await succeeded(key);
  });

  it('reminds, escalates and pools idle leads, flags stalled deals and idle customers as time passes', async () => {
    const lead = await create(asRep, form['lead'] as string, {
      company_name: '青岛崂山饮品贸易有限公司',
      contact_name: '高峰',
      mobile: '13953201234',
      source: 'advertising',
      pool: 'private',
    });
    const customer = await create(asRep, form['customer'] as string, {
      company_name: '西安曲江会展服务有限公司',
      level: 'normal',
      status: 'potential',
      pool: 'private',
      phone: '02985201234',
      email: 'hz@qujiang-expo.cn',
    });
    const loyal = await create(asRep, form['customer'] as string, {
      company_name: '重庆两江智造有限公司',
      level: 'important',
      status: 'active',
      pool: 'private',
      protected: true,
      phone: '02363201234',
      email: 'info@liangjiang-zz.cn',
    });
    const idleOpp = async (name: string) =>
      create(asRep, form['opportunity'] as string, {
        name,
        customer: loyal.id,
        type: 'new_business',
        amount: '150000',
        expected_close_date: '2027-06-30',
      });
    const stalled = await idleOpp('两江智造 MES 集成');
    const revived = await idleOpp('两江智造仓储升级');
    const loyalContact = await create(asRep, form['contact'] as string, {
      customer: loyal.id,
      name: '谭静',
      mobile: '13983001234',
    });
    await patch(asRep, form['opportunity'] as string, revived.id, { contact: loyalContact.id });
    const timers = await probes.ruleTimers(lead.id, 3);
    const dueOf = (key: string) =>
      timers.find((r) => r.rule_id === ruleIds[key])?.due_at.getTime() ?? NaN;

    clock.setTo(new Date(dueOf('lead_not_contacted_2h') + 1000));
    await told(rep, '青岛崂山饮品');
    clock.setTo(new Date(dueOf('lead_not_contacted_4h') + 1000));
    await told(manager, '线索超过 4 个工作小时未联系，请督促跟进');
    clock.setTo(new Date(dueOf('lead_not_contacted_24h') + 1000));
    await waitFor(async () => (await get('lead', lead.id)).ownerId === null, 'back to the pool');
    await waitFor(
      async () => (await get('lead', lead.id)).values['pool'] === 'public',
      'the lead marked as in the public pool',
    );
    await told(manager, '线索超时未联系，已退回公海');

    await probes.ruleTimers(stalled.id, 3);
    const entered = Date.parse(stalled.createdAt);
    clock.setTo(new Date(entered + 7 * DAY + 60_000));
    await succeeded('opportunity_stalled_7d');
    await waitFor(
      async () => (await get('opportunity', stalled.id)).values['stalled'] === true,
      '7 days',
    );
    await waitFor(
      async () => (await get('opportunity', revived.id)).values['stalled'] === true,
      '7 days',
    );
    await move(asRep, form['opportunity'] as string, revived.id, 'analyse');
    await waitFor(
      async () => (await get('opportunity', revived.id)).values['stalled'] === false,
      'the stalled flag cleared when the stage moves',
    );
    clock.setTo(new Date(entered + 14 * DAY + 60_000));
    await told(rep, '商机已 14 天没有推进', '两江智造 MES 集成');

    const created = Date.parse(customer.createdAt);
    clock.setTo(new Date(nineAmShanghai(created, 25) + 1000));
    await told(rep, '客户已 25 天未跟进', '西安曲江会展服务有限公司');
    clock.setTo(new Date(nineAmShanghai(created, 30) + 1000));
    await waitFor(async () => (await get('customer', customer.id)).ownerId === null, 'the pool');
    await waitFor(
      async () => (await get('customer', customer.id)).values['pool'] === 'public',
      'the customer marked as in the public pool',
    );
    await told(manager, '客户 30 天未跟进，已退回公海', '西安曲江会展服务有限公司');
    clock.setTo(new Date(entered + 30 * DAY + 60_000));
    await told(manager, '商机已停滞 30 天，请与负责人复盘');
    await waitFor(
      async () =>
        (
          await db.rows(
            `SELECT 1 FROM notification WHERE member_id = $1 AND kind = 'rule.escalate' AND link->>'recordId' = $2`,
            [manager.member.id, stalled.id],
          )
        ).length === 1,
      'the 30-day escalation of the idle deal to the team lead',
    );
    let monday = nineAmShanghai(Date.parse(loyal.createdAt), 90);
    while (new Date(monday + 8 * 3_600_000).getUTCDay() !== 1) monday += DAY;
    clock.setTo(new Date(monday + 1000));
    await waitFor(
      async () => (await get('customer', loyal.id)).values['churn_risk'] === true,
      'churn risk',
    );
    await told(rep, '活跃客户出现流失风险', '重庆两江智造有限公司：请安排回访');
    for (const key of [
      'lead_not_contacted_2h',
      'lead_not_contacted_4h',
      'lead_not_contacted_24h',
      'opportunity_stalled_7d',
      'opportunity_stalled_14d',
      'opportunity_stalled_30d',
      'opportunity_unflag_stalled',
      'customer_no_follow_up_warn',
      'customer_return_to_pool',
      'customer_churn_risk',
    ])
      await succeeded(key);
  });

  it('has seen every rule of the template fire, except those blocked by a bug proven still there', async () => {
    const customers = await search('customer', '成都天府软件园发展有限公司');
    assert.equal(
      customers[0]?.values['last_followed_at'] ?? null,
      null,
      'rollups are kept now: cover the rules BLOCKED by rollups',
    );
    const lead = await create(asRep, form['lead'] as string, {
      company_name: '厦门鹭岛茶业有限公司',
      contact_name: '林涛',
      mobile: '13959201234',
      source: 'cold_call',
      pool: 'private',
    });
    const deal = (await search('opportunity', '港航数据中台'))[0] as RecordBody;
    for (const [formKey, id, event, values, gated] of [
      ['lead', lead.id, 'disqualify', { unqualified_reason: 'no_need' }, 'unqualified_reason'],
      [
        'opportunity',
        deal.id,
        'lose',
        { loss_reason: 'price', competitor: '某友商' },
        'loss_reason',
      ],
    ] as const) {
      const moved = await asRep.post<Problem>(
        `/api/forms/${form[formKey]}/records/${id}/transitions`,
        { event, values },
      );
      assert.deepEqual(
        [moved.status, moved.body.errors?.map((e) => e.path)],
        [409, [`values.${gated}`]],
        'stage-gated values are kept now: finish this path and cover the rules BLOCKED by it',
      );
    }
    const fired: string[] = [];
    for (const rule of bundle.rules) {
      const runs = await as.get<Array<{ status: string }>>(
        `/api/rules/${ruleIds[rule.id]}/runs?limit=200`,
      );
      if (runs.body.some((r) => r.status === 'succeeded')) fired.push(rule.id);
    }
    const expected = bundle.rules.map((r) => r.id).filter((id) => BLOCKED[id] === undefined);
    assert.deepEqual([...fired].sort(), [...expected].sort());
  });
});
