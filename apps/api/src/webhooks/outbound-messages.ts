import { createHmac } from 'node:crypto';

export type EndpointKind = 'webhook' | 'wecom' | 'dingtalk' | 'feishu';

/** A chat robot message: a title and a text (markdown where the platform supports it). */
export type RobotMessage = { readonly title: string; readonly text: string };

export type PreparedRequest = {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
};

/**
 * Trellis webhooks: JSON body, `x-trellis-signature: v1=<hex>` where the hex
 * is HMAC-SHA256(secret, `${timestamp}.${body}`) and the timestamp (Unix
 * seconds) is in `x-trellis-timestamp`; receivers reject stale timestamps and
 * dedupe on `x-trellis-delivery`, which stays the same on every retry.
 */
export function signWebhook(
  url: string,
  secret: string,
  deliveryId: string,
  eventType: string,
  body: string,
  nowMs: number,
): PreparedRequest {
  const timestamp = Math.floor(nowMs / 1000).toString();
  const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return {
    url,
    body,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Trellis-Webhook/1.0',
      'x-trellis-delivery': deliveryId,
      'x-trellis-event': eventType,
      'x-trellis-timestamp': timestamp,
      'x-trellis-signature': `v1=${signature}`,
    },
  };
}

/**
 * Group robots, each in its documented format:
 * - 企业微信 (WeCom): POST to the webhook URL holding `key=`; `{ msgtype: 'markdown', markdown: { content } }`.
 * - 钉钉 (DingTalk): with 加签, `&timestamp=<ms>&sign=<urlencode(base64(HMAC-SHA256(secret, timestamp + "\n" + secret)))>`;
 *   `{ msgtype: 'markdown', markdown: { title, text } }`.
 * - 飞书 (Feishu): with 签名校验, `timestamp` (seconds) and `sign = base64(HMAC-SHA256(key = timestamp + "\n" + secret, ""))`
 *   in the body; `{ msg_type: 'post', content: { post: { zh_cn: { title, content } } } }`.
 */
export function robotRequest(
  kind: Exclude<EndpointKind, 'webhook'>,
  url: string,
  secret: string | null,
  message: RobotMessage,
  nowMs: number,
): PreparedRequest {
  const headers = { 'content-type': 'application/json; charset=utf-8' };
  switch (kind) {
    case 'wecom':
      return {
        url,
        headers,
        body: JSON.stringify({
          msgtype: 'markdown',
          markdown: { content: truncate(`**${message.title}**\n${message.text}`, 4000) },
        }),
      };
    case 'dingtalk': {
      let target = url;
      if (secret !== null && secret !== '') {
        const timestamp = String(nowMs);
        const sign = createHmac('sha256', secret)
          .update(`${timestamp}\n${secret}`)
          .digest('base64');
        const signed = new URL(url);
        signed.searchParams.set('timestamp', timestamp);
        signed.searchParams.set('sign', sign);
        target = signed.toString();
      }
      return {
        url: target,
        headers,
        body: JSON.stringify({
          msgtype: 'markdown',
          markdown: {
            title: truncate(message.title, 100),
            text: truncate(`#### ${message.title}\n\n${message.text}`, 5000),
          },
        }),
      };
    }
    case 'feishu': {
      const timestamp = String(Math.floor(nowMs / 1000));
      const signed =
        secret !== null && secret !== ''
          ? {
              timestamp,
              sign: createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64'),
            }
          : {};
      return {
        url,
        headers,
        body: JSON.stringify({
          ...signed,
          msg_type: 'post',
          content: {
            post: {
              zh_cn: {
                title: truncate(message.title, 100),
                content: message.text
                  .split('\n')
                  .map((line) => [{ tag: 'text', text: truncate(line, 2000) }]),
              },
            },
          },
        }),
      };
    }
  }
}

/** Did the robot accept the message? (HTTP 200 is not enough: they answer errors in the body.) */
export function robotAccepted(kind: Exclude<EndpointKind, 'webhook'>, body: string): boolean {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    if (kind === 'feishu') return parsed['code'] === 0 || parsed['StatusCode'] === 0;
    return parsed['errcode'] === 0;
  } catch {
    return false;
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
