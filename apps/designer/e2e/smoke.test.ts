import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startProduct, screenshotPath, type E2eServer } from './support/app-server.js';
import { launchBrowser } from './support/browser.js';
import { api, openPage } from './support/product-session.js';

type Health = { status: string; database: { kind: string }; queue: { kind: string } };

describe('the designer is served by the API', () => {
  let server: E2eServer;
  let browser: Browser;
  before(async () => {
    server = await startProduct();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads in Chromium under the CSP without script errors and asks a stranger to sign in', async () => {
    const health = await api<Health>(server.baseUrl, 'GET', '/api/health');
    assert.equal(health.status, 'ok');
    assert.match(`${health.database.kind} · ${health.queue.kind}`, /postgres · (redis|postgres)/);

    const { page, errors, context } = await openPage(browser);
    const response = await page.goto(server.baseUrl);
    assert.match(response?.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await page.waitForURL(/\/signin$/);
    await page.getByRole('heading', { name: '登录 Trellis' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    await page.screenshot({ path: screenshotPath('smoke-sign-in') });
    assert.deepEqual(errors, []);
    await context.close();
  });
});
