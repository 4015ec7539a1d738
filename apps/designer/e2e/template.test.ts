import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startProduct, screenshotPath, type E2eServer } from './support/app-server.js';
import { launchBrowser } from './support/browser.js';
import {
  api,
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
  /** The installed app's reports page, for the English reader. */
  let reportsUrl = '';

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

    reportsUrl = `${page.url()}/reports`;
    await page.goto(reportsUrl);
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
    // People read names, stages and percentages, not ids, keys and raw ratios.
    const pipeline = grid.getByRole('region', { name: '各销售在手商机', exact: true });
    // Owners are members' display names (王芳 signed up; the sample data adds her team).
    const members = await api<Array<{ displayName: string }>>(
      server.baseUrl,
      'GET',
      '/api/members',
      {
        token: session.accessToken,
      },
    );
    const names = members.map((m) => m.displayName);
    assert.ok(names.includes('王芳'), 'the signed-up user is a member');
    const firstOwner = pipeline.locator('tbody tr').first().locator('td').first();
    await firstOwner.waitFor();
    assert.ok(
      names.includes((await firstOwner.innerText()).trim()),
      `the pivot's row header is a member's name, not "${await firstOwner.innerText()}"`,
    );
    const pipelineText = await pipeline.innerText();
    assert.doesNotMatch(pipelineText, /[0-9a-f]{8}-[0-9a-f]{4}-/, 'no member uuid in the pivot');
    assert.doesNotMatch(pipelineText, /needs_analysis|prospecting/, 'stages show their labels');
    const ratio = grid
      .getByRole('region', { name: '线索转化率', exact: true })
      .getByTestId('kpi-value');
    assert.match(await ratio.innerText(), /^\d{1,3}(\.\d)?%$/, 'a ratio KPI reads as a percentage');
    const stalled = await grid.getByRole('region', { name: '停滞商机', exact: true }).innerText();
    assert.doesNotMatch(stalled, /\d{4}-\d{2}-\d{2}T\d{2}:/, 'no ISO timestamps in tables');

    // At phone width the KPI numbers wrap or scale down: nothing clipped, no sideways scrolling.
    const viewport = page.viewportSize();
    await page.setViewportSize({ width: 375, height: 812 });
    await ratio.waitFor();
    await page.waitForTimeout(300);
    const clipped = await grid
      .getByTestId('kpi-value')
      .evaluateAll((nodes) => nodes.filter((n) => n.scrollWidth > n.clientWidth + 1).length);
    assert.equal(clipped, 0, 'no KPI value is clipped at 375 px');
    const sideways = await grid.evaluate((node) => node.scrollWidth - node.clientWidth);
    assert.ok(sideways <= 1, `the dashboard scrolls sideways by ${sideways} px at 375 px`);
    await page.screenshot({ path: screenshotPath('template-manager-dashboard-phone') });
    if (viewport !== null) await page.setViewportSize(viewport);

    // back in the gallery, the template shows as installed with a way to open it
    await page.goto(`${server.baseUrl}/apps`);
    await card.getByTestId('open-template-app').waitFor();
  });

  it("reads in English: the same dashboard with the bundle's English labels", async () => {
    assert.notEqual(reportsUrl, '', 'the template was installed by the test before');
    const english = await openPage(browser, { session, locale: 'en' });
    try {
      await english.page.goto(reportsUrl);
      await english.page.getByRole('link', { name: 'Sales manager', exact: true }).click();
      const grid = english.page.getByTestId('dashboard-grid');
      await grid.waitFor();
      let drawn = 0;
      for (let i = 0; i < 60 && drawn < 3; i += 1) {
        drawn = await drawnCharts(english.page);
        if (drawn < 3) await english.page.waitForTimeout(500);
      }
      assert.ok(drawn >= 3, `only ${drawn} charts drawn`);
      assert.equal(await grid.getByRole('alert').count(), 0, 'no tile shows an error');
      // tiles are titled from the bundle's translations, stages and ratios read in English
      const pipeline = grid.getByRole('region', { name: 'Open pipeline by rep', exact: true });
      await pipeline.locator('tbody tr').first().waitFor();
      assert.doesNotMatch(await pipeline.innerText(), /needs_analysis|prospecting/);
      const ratio = grid
        .getByRole('region', { name: 'Lead-to-customer conversion', exact: true })
        .getByTestId('kpi-value');
      assert.match(await ratio.innerText(), /^\d{1,3}(\.\d)?%$/);
      await grid.getByRole('region', { name: 'Stalled opportunities', exact: true }).waitFor();
      const titles = await grid.locator('.dashboard-tile__title').allInnerTexts();
      assert.ok(titles.length >= 4, 'the dashboard has its tiles');
      const untranslated = titles.filter((title) => /[\u4e00-\u9fff]/.test(title));
      assert.deepEqual(untranslated, [], 'every tile title is in English');
      await english.page.screenshot({
        path: screenshotPath('template-manager-dashboard-en'),
        fullPage: true,
      });
    } finally {
      await english.context.close();
    }
  });
});
