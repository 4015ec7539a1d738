import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { robotAccepted, robotRequest, signWebhook } from './outbound-messages.js';

const NOW = Date.parse('2026-11-23T09:30:00+08:00');
const message = {
  title: '合同已签订：启明 CRM 二期',
  text: '客户：上海启明信息技术有限公司\n金额：80 万元',
};

describe('webhook signatures', () => {
  it('signs timestamp.body with HMAC-SHA256 and carries the delivery id', () => {
    const body = JSON.stringify({ id: 'd1', data: { company: '上海启明' } });
    const request = signWebhook(
      'https://hooks.example.com/x',
      's3cret-key',
      'd1',
      'record.created',
      body,
      NOW,
    );
    const timestamp = request.headers['x-trellis-timestamp'];
    assert.equal(timestamp, String(Math.floor(NOW / 1000)));
    assert.equal(
      request.headers['x-trellis-signature'],
      `v1=${createHmac('sha256', 's3cret-key').update(`${timestamp}.${body}`).digest('hex')}`,
    );
    assert.equal(request.headers['x-trellis-delivery'], 'd1');
    assert.equal(request.body, body);
  });
});

describe('group robots', () => {
  it('WeCom: markdown message, key stays in the URL, no signature', () => {
    const request = robotRequest(
      'wecom',
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc',
      null,
      message,
      NOW,
    );
    assert.equal(request.url, 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc');
    const body = JSON.parse(request.body) as { msgtype: string; markdown: { content: string } };
    assert.equal(body.msgtype, 'markdown');
    assert.match(body.markdown.content, /^\*\*合同已签订：启明 CRM 二期\*\*\n客户/);
  });

  it('DingTalk: timestamp (ms) and sign = base64(HMAC-SHA256(secret, timestamp\\nsecret)) in the query', () => {
    const secret = 'SEC0123456789abcdef';
    const request = robotRequest(
      'dingtalk',
      'https://oapi.dingtalk.com/robot/send?access_token=t0k',
      secret,
      message,
      NOW,
    );
    const url = new URL(request.url);
    assert.equal(url.searchParams.get('access_token'), 't0k');
    assert.equal(url.searchParams.get('timestamp'), String(NOW));
    assert.equal(
      url.searchParams.get('sign'),
      createHmac('sha256', secret).update(`${NOW}\n${secret}`).digest('base64'),
    );
    const body = JSON.parse(request.body) as {
      msgtype: string;
      markdown: { title: string; text: string };
    };
    assert.equal(body.msgtype, 'markdown');
    assert.equal(body.markdown.title, message.title);
  });

  it('Feishu: timestamp (s) and sign = base64(HMAC-SHA256(key = timestamp\\nsecret, "")) in the body', () => {
    const secret = 'feishu-secret';
    const request = robotRequest(
      'feishu',
      'https://open.feishu.cn/open-apis/bot/v2/hook/xyz',
      secret,
      message,
      NOW,
    );
    const body = JSON.parse(request.body) as {
      timestamp: string;
      sign: string;
      msg_type: string;
      content: {
        post: { zh_cn: { title: string; content: Array<Array<{ tag: string; text: string }>> } };
      };
    };
    const timestamp = String(Math.floor(NOW / 1000));
    assert.equal(body.timestamp, timestamp);
    assert.equal(
      body.sign,
      createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64'),
    );
    assert.equal(body.msg_type, 'post');
    assert.equal(body.content.post.zh_cn.title, message.title);
    assert.equal(body.content.post.zh_cn.content.length, 2);
  });

  it("reads each robot's answer: errcode 0 (WeCom, DingTalk), code 0 (Feishu)", () => {
    assert.equal(robotAccepted('wecom', '{"errcode":0,"errmsg":"ok"}'), true);
    assert.equal(robotAccepted('dingtalk', '{"errcode":310000,"errmsg":"sign not match"}'), false);
    assert.equal(robotAccepted('feishu', '{"code":0,"msg":"success"}'), true);
    assert.equal(robotAccepted('feishu', '{"code":19021,"msg":"sign match fail"}'), false);
    assert.equal(robotAccepted('wecom', 'not json'), false);
  });
});
