import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  createRule,
  LEAD_SCHEMA,
  sqlClient,
  startReceiver,
  waitFor,
  workerEnv,
} from './support/automation.js';
import { createApp, publishForm } from './support/forms.js';
import { HttpClient, type Problem, type Session } from './support/http.js';
import { addMember, signupOwner } from './support/people.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { testEnv } from './support/test-env.js';

type Webhook = {
  id: string;
  url: string;
  secret?: string;
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
};
type Delivery = { id: string; status: string; attempts: number; lastError: string | null };

const BACKOFF_MS = 150;

for (const backend of testEnv.queueBackends) {
  describe(`webhooks, robots, the SSRF guard and live notifications (queue on ${backend})`, () => {
    let t: TestApp;
    let http: HttpClient;
    let as: HttpClient;
    let owner: Session;
    let integrator: Session;
    let appId: string;
    let leadFormId: string;
    let db: Awaited<ReturnType<typeof sqlClient>>;
    const closers: Array<() => Promise<void>> = [];
    let sequence = 0;
    const lead = (values: Record<string, unknown>) =>
      as.post<{ id: string }>(`/api/forms/${leadFormId}/records`, { values });
    const uniqueKey = (prefix: string) => `${prefix}_${(sequence += 1)}`;

    before(async () => {
      t = await startTestApp({
        queue: backend,
        env: workerEnv({
          JOB_ATTEMPTS: '4',
          JOB_BACKOFF_MS: String(BACKOFF_MS),
          WEBHOOK_DISABLE_AFTER: '3',
        }),
      });
      db = await sqlClient(t.database.url);
      http = new HttpClient(t.baseUrl);
      owner = await signupOwner(http);
      as = http.as(owner.accessToken);
      appId = await createApp(as);
      leadFormId = (await publishForm(as, appId, 'lead', { 'zh-CN': '线索' }, LEAD_SCHEMA)).id;
      // the integrator registers webhooks; their role hides the mobile number
      const role = await as.post('/api/roles', {
        key: 'integrator',
        name: '集成',
        permissions: {
          workspace: ['manage_apps'],
          forms: { '*': { actions: ['read'], rowScope: 'all', fields: { mobile: 'hidden' } } },
        },
      });
      assert.equal(role.status, 201, JSON.stringify(role.body));
      integrator = await addMember(http, owner, {
        email: 'ops@qiming.cn',
        name: '运维',
        roleKeys: ['integrator'],
      });
    });

    after(async () => {
      for (const close of closers) await close();
      await db?.end();
      await t?.close();
    });

    const register = async (body: Record<string, unknown>, token = integrator.accessToken) => {
      const response = await http.post<Webhook>('/api/webhooks', body, { token });
      assert.equal(response.status, 201, JSON.stringify(response.body));
      return response.body;
    };
    const deliveriesOf = async (webhookId: string) =>
      (await as.get<Delivery[]>(`/api/webhooks/${webhookId}/deliveries`)).body;

    it('signs each delivery, keeps one delivery id across retries with exponential back-off, and sends only what the webhook owner may read', async () => {
      const receiver = await startReceiver((_r, i) => ({ status: i < 2 ? 500 : 200 }));
      closers.push(receiver.close);
      const hook = await register({
        name: '订单系统',
        kind: 'webhook',
        url: `${receiver.url}/hooks/trellis`,
      });
      assert.ok(
        hook.secret !== undefined && hook.secret.length >= 24,
        'a generated secret, shown once',
      );
      assert.equal((await as.get<Webhook>(`/api/webhooks/${hook.id}`)).body.secret, undefined);
      await createRule(as, appId, {
        id: uniqueKey('push_lead'),
        name: '新线索推送订单系统',
        form: 'lead',
        trigger: { type: 'record_created' },
        condition: { '==': [{ var: 'source' }, 'website'] },
        actions: [
          {
            type: 'webhook',
            url: hook.url,
            payload: { company: { var: 'company_name' }, mobile: { var: 'mobile' } },
          },
        ],
      });
      const created = await lead({
        company_name: '上海启明信息技术有限公司',
        mobile: '13812345678',
        source: 'website',
      });
      assert.equal(created.status, 201);
      await waitFor(async () => receiver.requests.length >= 3, 'three attempts');
      const ids = receiver.requests.map((r) => r.headers['x-trellis-delivery']);
      assert.equal(new Set(ids).size, 1, 'the same delivery id on every retry');
      for (const request of receiver.requests) {
        const timestamp = String(request.headers['x-trellis-timestamp']);
        assert.equal(
          request.headers['x-trellis-signature'],
          `v1=${createHmac('sha256', hook.secret ?? '')
            .update(`${timestamp}.${request.body}`)
            .digest('hex')}`,
        );
        const body = JSON.parse(request.body) as {
          id: string;
          record: { values: Record<string, unknown> };
          data: Record<string, unknown>;
        };
        assert.equal(body.id, ids[0]);
        assert.equal(body.record.values['company_name'], '上海启明信息技术有限公司');
        assert.equal('mobile' in body.record.values, false, "hidden from the webhook owner's role");
        assert.deepEqual(body.data, { company: '上海启明信息技术有限公司', mobile: null });
        assert.equal(request.body.includes('13812345678'), false);
      }
      const [r0, r1, r2] = receiver.requests.map((r) => r.at) as [number, number, number];
      assert.ok(r1 - r0 >= BACKOFF_MS * 0.9, `first retry after ${r1 - r0} ms`);
      assert.ok(r2 - r1 >= 2 * BACKOFF_MS * 0.9, `second retry after ${r2 - r1} ms (doubled)`);
      const [delivery] = await waitFor(async () => {
        const list = await deliveriesOf(hook.id);
        return list[0]?.status === 'delivered' ? list : null;
      }, 'the delivered status');
      assert.equal(delivery?.id, ids[0]);
      assert.equal(delivery?.attempts, 3);
      assert.equal((await as.get<Webhook>(`/api/webhooks/${hook.id}`)).body.consecutiveFailures, 0);
    });

    it('disables a webhook after repeated failures and tells its owner', async () => {
      const receiver = await startReceiver(() => ({ status: 503 }));
      closers.push(receiver.close);
      const hook = await register({
        name: '坏掉的系统',
        kind: 'webhook',
        url: `${receiver.url}/down`,
      });
      await createRule(as, appId, {
        id: uniqueKey('push_down'),
        name: '推送到坏掉的系统',
        form: 'lead',
        trigger: { type: 'record_created' },
        condition: { '==': [{ var: 'source' }, 'exhibition'] },
        actions: [{ type: 'webhook', url: hook.url }],
      });
      await lead({ company_name: '广州琶洲会展客户有限公司', source: 'exhibition' });
      const disabled = await waitFor(async () => {
        const current = (await as.get<Webhook>(`/api/webhooks/${hook.id}`)).body;
        return current.enabled ? null : current;
      }, 'the webhook to be disabled');
      assert.match(disabled.disabledReason ?? '', /3 failed attempts/);
      assert.equal(receiver.requests.length, 3);
      await waitFor(async () => {
        const notices = await http.get<{ items: Array<{ kind: string }> }>(
          '/api/me/notifications',
          {
            token: integrator.accessToken,
          },
        );
        return notices.body.items.some((n) => n.kind === 'webhook.disabled');
      }, "the owner's notice");
      const [delivery] = await waitFor(async () => {
        const list = await deliveriesOf(hook.id);
        return list[0]?.status === 'cancelled' || list[0]?.status === 'dead' ? list : null;
      }, 'the delivery to stop');
      assert.ok(delivery !== undefined);
      // re-enabling clears the count
      const enabled = await http.patch<Webhook>(
        `/api/webhooks/${hook.id}`,
        { enabled: true },
        { token: integrator.accessToken },
      );
      assert.equal(enabled.body.enabled, true);
      assert.equal(enabled.body.consecutiveFailures, 0);
    });

    it('refuses SSRF targets: when saved, and at connect time for names that resolve inside; redirects are not followed', async () => {
      const receiver = await startReceiver();
      closers.push(receiver.close);
      const port = new URL(receiver.url).port;
      for (const url of [
        'http://169.254.169.254/latest/meta-data/',
        `http://[::ffff:127.0.0.1]:${port}/`,
        `http://2130706433:${port}/`,
        `http://017700000001:${port}/`,
        `http://0x7f.0.0.1:${port}/`,
        'http://10.0.0.8/hook',
        'http://192.168.1.1/hook',
        'http://100.64.1.1/hook',
        'http://[fe80::1]/hook',
        `http://127.0.0.1:${port}/`,
        `http://127.1:${port}/`,
        'gopher://127.0.0.1:6379/_INFO',
        'file:///etc/passwd',
      ]) {
        const response = await http.post<Problem>(
          '/api/webhooks',
          { name: 'ssrf', kind: 'webhook', url },
          {
            token: integrator.accessToken,
          },
        );
        assert.equal(response.status, 400, `${url} answered ${response.status}`);
        assert.match(response.body.errors[0]?.code ?? '', /NOT_ALLOWED|INVALID_URL/);
      }
      // a DNS name that resolves to 127.0.0.1 (from /etc/hosts) passes the save check but not the connect
      const inside = await register({
        name: '内网名字',
        kind: 'webhook',
        url: `http://vm:${port}/inside`,
      });
      const redirect = await startReceiver(() => ({ status: 302 }));
      closers.push(redirect.close);
      const bouncing = await register({
        name: '跳转',
        kind: 'webhook',
        url: `${redirect.url}/bounce`,
      });
      await createRule(as, appId, {
        id: uniqueKey('push_inside'),
        name: '推送内网',
        form: 'lead',
        trigger: { type: 'record_created' },
        condition: { '==': [{ var: 'source' }, 'referral'] },
        actions: [
          { type: 'webhook', url: inside.url },
          { type: 'webhook', url: bouncing.url },
        ],
      });
      await lead({ company_name: '内网探测有限公司', source: 'referral' });
      const refused = await waitFor(async () => {
        const list = await deliveriesOf(inside.id);
        return list[0]?.status === 'dead' ? list[0] : null;
      }, 'the refused delivery');
      assert.match(refused.lastError ?? '', /vm resolves to 127\.0\.0\.1/);
      assert.equal(refused.attempts, 1, 'refused at once, not retried');
      assert.equal(receiver.requests.length, 0, 'nothing reached the inside address');
      const bounced = await waitFor(async () => {
        const list = await deliveriesOf(bouncing.id);
        return list[0]?.lastError !== null && list[0] !== undefined ? list[0] : null;
      }, 'the redirect to be refused');
      assert.match(bounced.lastError ?? '', /redirect .* not followed/);
    });

    it('posts to WeCom, DingTalk and Feishu robots in their own formats and signatures', async () => {
      const receiver = await startReceiver((request) => ({
        status: 200,
        body: request.url.startsWith('/open-apis/')
          ? '{"code":0,"msg":"success"}'
          : '{"errcode":0,"errmsg":"ok"}',
      }));
      closers.push(receiver.close);
      const dingSecret = 'SECdingtalk0123456789';
      const feishuSecret = 'feishu-signing-secret';
      const wecom = await register({
        name: '企业微信销售群',
        kind: 'wecom',
        url: `${receiver.url}/cgi-bin/webhook/send?key=693a91f6-7xxx`,
      });
      const ding = await register({
        name: '钉钉销售群',
        kind: 'dingtalk',
        url: `${receiver.url}/robot/send?access_token=ding-token`,
        secret: dingSecret,
      });
      const feishu = await register({
        name: '飞书销售群',
        kind: 'feishu',
        url: `${receiver.url}/open-apis/bot/v2/hook/feishu-hook`,
        secret: feishuSecret,
      });
      const payload = {
        title: { cat: ['大单签约：', { var: 'company_name' }] },
        text: { cat: ['负责人请跟进，评分 ', { var: 'score' }] },
      };
      await createRule(as, appId, {
        id: uniqueKey('robots'),
        name: '大单通知群机器人',
        form: 'lead',
        trigger: { type: 'record_created' },
        condition: { '>=': [{ var: 'score' }, 90] },
        actions: [wecom, ding, feishu].map((hook) => ({ type: 'webhook', url: hook.url, payload })),
      });
      await lead({ company_name: '北京星河科技有限公司', score: 95 });
      await waitFor(async () => receiver.requests.length >= 3, 'three robot messages');
      const byPath = (prefix: string) => {
        const found = receiver.requests.find((r) => r.url.startsWith(prefix));
        assert.ok(found !== undefined, `${prefix} was called`);
        return found;
      };
      const w = byPath('/cgi-bin/webhook/send');
      assert.equal(new URL(w.url, 'http://x').searchParams.get('key'), '693a91f6-7xxx');
      assert.deepEqual(JSON.parse(w.body), {
        msgtype: 'markdown',
        markdown: { content: '**大单签约：北京星河科技有限公司**\n负责人请跟进，评分 95' },
      });
      const d = byPath('/robot/send');
      const query = new URL(d.url, 'http://x').searchParams;
      const timestamp = query.get('timestamp') ?? '';
      assert.equal(query.get('access_token'), 'ding-token');
      assert.equal(
        query.get('sign'),
        createHmac('sha256', dingSecret).update(`${timestamp}\n${dingSecret}`).digest('base64'),
      );
      assert.equal((JSON.parse(d.body) as { msgtype: string }).msgtype, 'markdown');
      const f = byPath('/open-apis/bot/v2/hook/feishu-hook');
      const fb = JSON.parse(f.body) as {
        timestamp: string;
        sign: string;
        msg_type: string;
        content: { post: { zh_cn: { title: string } } };
      };
      assert.equal(
        fb.sign,
        createHmac('sha256', `${fb.timestamp}\n${feishuSecret}`).update('').digest('base64'),
      );
      assert.equal(fb.msg_type, 'post');
      assert.equal(fb.content.post.zh_cn.title, '大单签约：北京星河科技有限公司');
      for (const hook of [wecom, ding, feishu])
        await waitFor(
          async () => (await deliveriesOf(hook.id))[0]?.status === 'delivered',
          `${hook.id} delivered`,
        );
    });

    it('pushes a notification live over SSE (Authorization header only)', async () => {
      const member = await addMember(http, owner, { email: 'sse@qiming.cn', name: '王强' });
      const inUrl = await fetch(
        `${t.baseUrl}/api/me/notifications/stream?access_token=${member.accessToken}`,
      );
      assert.equal(inUrl.status, 401, 'a token in the URL is not accepted');
      await inUrl.body?.cancel();
      const controller = new AbortController();
      const stream = await fetch(`${t.baseUrl}/api/me/notifications/stream`, {
        headers: { authorization: `Bearer ${member.accessToken}` },
        signal: controller.signal,
      });
      assert.equal(stream.status, 200);
      assert.match(stream.headers.get('content-type') ?? '', /text\/event-stream/);
      const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let text = '';
      const readUntil = async (pattern: RegExp) => {
        const deadline = Date.now() + 15_000;
        while (!pattern.test(text)) {
          if (Date.now() > deadline) assert.fail(`no ${pattern} in the stream: ${text}`);
          const { value, done } = await reader.read();
          if (done) assert.fail(`the stream ended: ${text}`);
          text += decoder.decode(value, { stream: true });
        }
      };
      await readUntil(/event: ready/);
      await createRule(as, appId, {
        id: uniqueKey('tell_wang'),
        name: '通知王强',
        form: 'lead',
        trigger: { type: 'record_created' },
        condition: { '==': [{ var: 'company_name' }, '实时推送测试有限公司'] },
        actions: [
          {
            type: 'notify',
            channel: 'in_app',
            to: [{ type: 'user', userId: member.member.id }],
            title: '实时：{{company_name}}',
          },
        ],
      });
      await lead({ company_name: '实时推送测试有限公司' });
      await readUntil(/event: notification\ndata: .*实时：实时推送测试有限公司/);
      controller.abort();
    });
  });
}
