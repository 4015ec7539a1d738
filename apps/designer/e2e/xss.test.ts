import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { screenshotPath, startProduct, type E2eServer } from './support/app-server.js';
import { launchBrowser } from './support/browser.js';
import {
  api,
  openPage,
  type SessionJson,
  signUpViaApi,
  uniqueEmail,
} from './support/product-session.js';

/**
 * Issue 11, item 8: an XSS corpus sent through the API (not the designer)
 * into labels, help texts, options, rich text, report titles and app names is
 * neutralised wherever the designer renders it, and the Content-Security-
 * Policy blocks inline script. Every payload tries to set window.__xss.
 */
const CORPUS = [
  '<img src=x onerror="window.__xss=1">',
  '<svg onload="window.__xss=2"></svg>',
  '<script>window.__xss=3</script>',
  '"><img src=x onerror=window.__xss=4>',
  '\'"><iframe srcdoc="<script>parent.__xss=5</script>"></iframe>',
  '<a href="javascript:window.__xss=6">点我</a>',
  '<details open ontoggle="window.__xss=7">',
  '{{constructor.constructor("window.__xss=8")()}}',
];
const ALL = CORPUS.join(' ');

describe('stored XSS is neutralised where it is rendered (issue 11 item 8)', () => {
  let server: E2eServer;
  let browser: Browser;
  let session: SessionJson;
  let appId: string;
  let formId: string;
  let recordId: string;

  before(async () => {
    server = await startProduct();
    browser = await launchBrowser();
    session = await signUpViaApi(server.baseUrl, {
      email: uniqueEmail('xss'),
      password: 'Xss-test-2026!',
      name: `攻击者${CORPUS[0]}`,
      workspaceName: `工作区${CORPUS[1]}`,
    });
    const token = session.accessToken;
    const app = await api<{ id: string }>(server.baseUrl, 'POST', '/api/apps', {
      token,
      body: {
        name: { 'zh-CN': `应用${ALL}`.slice(0, 480), en: `App${CORPUS[2]}` },
        description: { 'zh-CN': ALL.slice(0, 480) },
      },
    });
    appId = app.id;
    const form = await api<{ id: string }>(server.baseUrl, 'POST', `/api/apps/${appId}/forms`, {
      token,
      body: {
        key: 'customer',
        name: { 'zh-CN': `客户${CORPUS[3]}`, en: `Customer${CORPUS[4]}` },
        schema: {
          fields: [
            {
              id: 'company_name',
              type: 'text',
              label: { 'zh-CN': `公司${CORPUS[0]}`, en: `Company${CORPUS[5]}` },
              help: { 'zh-CN': ALL.slice(0, 480) },
              placeholder: { 'zh-CN': CORPUS[6] ?? '' },
              required: true,
            },
            { id: 'notes', type: 'rich_text', label: { 'zh-CN': `备注${CORPUS[1]}` } },
            {
              id: 'level',
              type: 'select',
              label: { 'zh-CN': '等级' },
              options: CORPUS.slice(0, 4).map((label, i) => ({
                value: `v${i}`,
                label: { 'zh-CN': label },
              })),
            },
          ],
        },
      },
    });
    formId = form.id;
    await api(server.baseUrl, 'POST', `/api/forms/${formId}/publish`, { token });
    const record = await api<{ id: string }>(
      server.baseUrl,
      'POST',
      `/api/forms/${formId}/records`,
      {
        token,
        body: {
          values: {
            company_name: `启明${CORPUS[0]}${CORPUS[7]}`,
            notes: `<p>正文</p>${ALL}`,
            level: 'v0',
          },
        },
      },
    );
    recordId = record.id;
    await api(server.baseUrl, 'POST', `/api/apps/${appId}/reports`, {
      token,
      body: {
        name: { 'zh-CN': `报表${CORPUS[0]}` },
        spec: {
          kind: 'table',
          form: 'customer',
          title: { 'zh-CN': CORPUS[2] },
          dimensions: [{ field: 'level' }],
          measures: [{ id: 'n', fn: 'count' }],
        },
      },
    }).catch(() => undefined);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function visit(page: Page, path: string, name: string): Promise<void> {
    await page.goto(`${server.baseUrl}${path}`);
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath(`xss-${name}`) });
  }

  it('no payload runs on the pages that render them', async () => {
    const { page, context } = await openPage(browser, { session });
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const pages: Array<[string, string]> = [
      ['/apps', 'apps'],
      [`/apps/${appId}`, 'app-home'],
      [`/apps/${appId}/forms/${formId}`, 'record-list'],
      [`/apps/${appId}/forms/${formId}/new`, 'new-record'],
      [`/apps/${appId}/forms/${formId}/records/${recordId}`, 'record-detail'],
      [`/apps/${appId}/forms/${formId}/design`, 'form-designer'],
    ];
    for (const [path, name] of pages) {
      await visit(page, path, name);
      const fired = await page.evaluate(
        () => (window as unknown as { __xss?: number }).__xss ?? null,
      );
      assert.equal(fired, null, `a payload ran on ${path}`);
      const injected = await page.evaluate(
        () =>
          document.querySelectorAll(
            'script:not([src]), iframe[srcdoc], [onerror], [onload], [ontoggle], a[href^="javascript:"]',
          ).length,
      );
      assert.equal(injected, 0, `live markup from a payload on ${path}`);
    }
    assert.deepEqual(dialogs, []);
    const text = await page.evaluate(() => document.body.innerText);
    assert.ok(
      text.includes('<img') || text.includes('正文'),
      'the payloads are shown as text or sanitised, not dropped silently',
    );
    await context.close();
  });

  it('the Content-Security-Policy blocks inline script even if one got into the page', async () => {
    const { page, context } = await openPage(browser, { session });
    await page.goto(`${server.baseUrl}/apps`);
    const result = await page.evaluate(async () => {
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (event) =>
        violations.push(event.violatedDirective),
      );
      const script = document.createElement('script');
      script.textContent = 'window.__inline = 1';
      document.body.append(script);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return { inline: (window as unknown as { __inline?: number }).__inline ?? null, violations };
    });
    assert.equal(result.inline, null, 'the inline script did not run');
    assert.ok(
      result.violations.some((v) => v.startsWith('script-src')),
      JSON.stringify(result.violations),
    );
    const response = await page.request.get(`${server.baseUrl}/apps`);
    const csp = response.headers()['content-security-policy'] ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    const scriptSrc = /script-src[^;]*/.exec(csp)?.[0] ?? '';
    assert.doesNotMatch(scriptSrc, /unsafe/, 'no inline or eval allowance for scripts');
    await context.close();
  });
});
