import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startProduct, screenshotPath, type E2eServer } from './support/app-server.js';
import { launchBrowser } from './support/browser.js';
import {
  openPage,
  signUpViaApi,
  uniqueEmail,
  type SessionJson,
} from './support/product-session.js';

/** How many chart canvases in the scope have something drawn on them. */
async function drawnCharts(page: Page): Promise<number> {
  return page
    .evaluate(() =>
      [...document.querySelectorAll('[data-testid="chart-canvas"] canvas')].filter((node) => {
        const canvas = node as HTMLCanvasElement;
        const context = canvas.getContext('2d');
        if (context === null || canvas.width === 0) return false;
        const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) return true;
        return false;
      }),
    )
    .then((drawn) => drawn.length);
}

describe('the customer follow-up template, installed from the gallery', () => {
  let server: E2eServer;
  let browser: Browser;
  let session: SessionJson;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    server = await startProduct();
    browser = await launchBrowser();
    session = await signUpViaApi(server.baseUrl, {
      email: uniqueEmail('wang.fang'),
      password: 'qiming-2026!',
      name: '王芳',
      workspaceName: '杭州云帆软件有限公司',
    });
    ({ context, page } = await openPage(browser, { session }));
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it('installs it in one click with sample data and opens the manager dashboard with its charts drawn', async () => {
    await page.goto(`${server.baseUrl}/apps`);
    const card = page.getByTestId('template-customer-follow-up');
    await card.getByText('客户跟进').first().waitFor();
    await card.getByTestId('template-sample-data').check();
    await page.screenshot({ path: screenshotPath('template-gallery') });
    await card.getByTestId('install-template').click();
    await page.waitForURL(/\/apps\/[0-9a-f-]{36}$/, { timeout: 180_000 });
    await page.getByTestId('toast').filter({ hasText: '模板已安装' }).waitFor();

    await page.goto(`${page.url()}/reports`);
    await page.getByRole('link', { name: '销售管理看板' }).click();
    const grid = page.getByTestId('dashboard-grid');
    await grid.waitFor();
    const tiles = grid.locator('[data-testid^="tile-"]');
    assert.ok((await tiles.count()) >= 4, 'the manager dashboard has its tiles');
    // every chart of the dashboard draws; none of its tiles shows an error
    let drawn = 0;
    for (let i = 0; i < 60 && drawn < 3; i += 1) {
      drawn = await drawnCharts(page);
      if (drawn < 3) await page.waitForTimeout(500);
    }
    assert.ok(drawn >= 3, `only ${drawn} charts drawn`);
    assert.equal(await grid.getByRole('alert').count(), 0, 'no tile shows an error');
    await page.screenshot({ path: screenshotPath('template-manager-dashboard'), fullPage: true });

    // back in the gallery, the template shows as installed with a way to open it
    await page.goto(`${server.baseUrl}/apps`);
    await card.getByTestId('open-template-app').waitFor();
  });
});
