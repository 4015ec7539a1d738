import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startProduct, screenshotPath, type E2eServer } from './support/app-server.js';
import { launchBrowser } from './support/browser.js';
import { dragAndDrop } from './support/drag.js';
import { createCustomer, createCustomerApp, type CustomerApp } from './support/fixtures.js';
import {
  api,
  openPage,
  signUpViaApi,
  uniqueEmail,
  type SessionJson,
} from './support/product-session.js';

/** The chart's canvas has been drawn on (not blank). */
async function chartDrawn(page: Page, scope = page.locator('body')): Promise<boolean> {
  const canvas = scope.getByTestId('chart-canvas').locator('canvas').first();
  await canvas.waitFor();
  return canvas.evaluate((node) => {
    const element = node as HTMLCanvasElement;
    const context = element.getContext('2d');
    if (context === null || element.width === 0) return false;
    const data = context.getImageData(0, 0, element.width, element.height).data;
    for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) return true;
    return false;
  });
}

describe('reports, dashboards and the import wizard', () => {
  let server: E2eServer;
  let browser: Browser;
  let session: SessionJson;
  let context: BrowserContext;
  let page: Page;
  let crm: CustomerApp;

  before(async () => {
    server = await startProduct();
    browser = await launchBrowser();
    session = await signUpViaApi(server.baseUrl, {
      email: uniqueEmail('li.na'),
      password: 'qiming-2026!',
      name: '李娜',
      workspaceName: '深圳华信科技有限公司',
    });
    crm = await createCustomerApp(server.baseUrl, session.accessToken);
    for (const [company, level, amount] of [
      ['上海启明信息技术有限公司', 'key', '128000'],
      ['深圳华信科技有限公司', 'key', '72000'],
      ['杭州云帆软件有限公司', 'normal', '30000'],
    ] as const)
      await createCustomer(server.baseUrl, session.accessToken, crm.formId, {
        company,
        level,
        amount,
      });
    ({ context, page } = await openPage(browser, { session }));
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it('builds a report by drag, sees the chart, drills down to the records and puts it on a dashboard', async () => {
    await page.goto(`${server.baseUrl}/apps/${crm.appId}/reports`);
    await page.getByTestId('new-report').click();
    await page.getByTestId('field-level').waitFor();
    await dragAndDrop(page, page.getByTestId('drag-field-level'), page.getByTestId('well-rows'));
    await page.getByTestId('chip-rows-level').waitFor();
    await dragAndDrop(page, page.getByTestId('drag-field-amount'), page.getByTestId('well-values'));
    await page.getByTestId('chip-values-amount').waitFor();
    const table = page.getByTestId('result-table');
    await table.getByText('重点客户').waitFor();
    await table.getByText('200,000').waitFor();
    assert.ok(await chartDrawn(page), 'the bar chart is drawn');
    await page.getByTestId('report-name-zh').getByRole('textbox').fill('客户金额按等级');
    await page.screenshot({ path: screenshotPath('report-designer') });

    // The keyboard alternative to dragging, and the gallery: a pie needs one row and one value.
    await page
      .getByTestId('field-created_at')
      .getByRole('button', { name: '把 创建时间 添加到筛选' })
      .click();
    await page.getByTestId('chip-filters-created_at').waitFor();
    await page.getByTestId('chart-pie').click();
    assert.ok(await chartDrawn(page), 'the pie chart is drawn');
    await page.getByTestId('report-save').click();
    await page.getByTestId('toast').filter({ hasText: '报表已保存' }).waitFor();

    // Drill-down: the row's condition opens exactly its records.
    await table.getByTestId('drill-row').filter({ hasText: '重点客户' }).click();
    await page.getByTestId('drill-filter').waitFor();
    await page.getByText('共 2 条').waitFor();
    await page.screenshot({ path: screenshotPath('report-drill-down') });

    // A dashboard with the report: placed by keyboard, saved, drawn.
    await page.goto(`${server.baseUrl}/apps/${crm.appId}/reports`);
    await page.getByTestId('new-dashboard').click();
    await page.getByTestId('dashboard-add-select').selectOption({ label: '客户金额按等级' });
    await page.getByTestId('dashboard-add').click();
    const tile = page.locator('[data-testid^="tile-tile_"]').first();
    await tile.waitFor();
    await tile.getByTestId('tile-right').click();
    assert.equal(await tile.getAttribute('data-x'), '1');
    await page.getByTestId('dashboard-announcer').getByText('移到第 2 列').waitFor();
    const grip = tile.locator('.dashboard-tile__head');
    const box = await grip.boundingBox();
    assert.ok(box !== null);
    // Drag it back to the first column by its title bar.
    await page.mouse.move(box.x + 40, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x - 60, box.y + box.height / 2, { steps: 6 });
    await page.mouse.up();
    assert.equal(await tile.getAttribute('data-x'), '0');
    await page.getByTestId('dashboard-save').click();
    await page.getByTestId('dashboard-edit').waitFor();
    assert.ok(await chartDrawn(page), 'the dashboard chart is drawn');
    await page.screenshot({ path: screenshotPath('dashboard') });
  });

  it('imports a small CSV through the wizard: mapping, duplicates, dry run, progress, rejected rows', async () => {
    await page.goto(`${server.baseUrl}/apps/${crm.appId}/forms/${crm.formId}`);
    await page.getByTestId('import-records').click();
    const csv = [
      '公司名称,客户等级,预计金额',
      '  北京星河科技有限公司 ,重点客户,56000',
      '成都锦程贸易有限公司,普通客户,１２０００',
      ',普通客户,8000',
      '上海启明信息技术有限公司,重点客户,99000',
    ].join('\r\n');
    await page.getByTestId('import-file').setInputFiles({
      name: '客户名单.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`\uFEFF${csv}`, 'utf8'),
    });
    const mapping = page.getByTestId('import-mapping');
    await mapping.waitFor();
    assert.equal(await page.getByTestId('map-0').inputValue(), 'company');
    await page.screenshot({ path: screenshotPath('import-mapping') });
    await page.getByTestId('import-next').click();
    await page.getByTestId('add-match-key').click();
    await page.getByLabel('查重字段', { exact: true }).selectOption({ label: '公司名称' });
    await page.getByLabel('比较方式').selectOption('company');
    await page.getByTestId('import-dry-run').click();
    const counts = page.getByTestId('import-counts');
    await counts.waitFor();
    assert.equal(await page.getByTestId('count-new').innerText(), '2');
    assert.equal(await page.getByTestId('count-rejected').innerText(), '1');
    assert.equal(await page.getByTestId('count-skipped').innerText(), '1');
    await page.getByTestId('import-rejections').getByText('4').first().waitFor();
    await page.screenshot({ path: screenshotPath('import-dry-run') });
    await page.getByTestId('import-commit').click();
    await page.getByTestId('import-progress').getByText('已完成').waitFor();
    await page.getByTestId('download-rejected').waitFor();
    const download = page.waitForEvent('download');
    await page.getByTestId('download-rejected').click();
    assert.match((await download).suggestedFilename(), /^rejected-.*\.csv$/);
    await page.screenshot({ path: screenshotPath('import-done') });
    await page.getByTestId('import-see-records').click();
    await page.getByText('共 5 条').waitFor();
    const listed = await api<{ items: Array<{ values: Record<string, unknown> }> }>(
      server.baseUrl,
      'GET',
      `/api/forms/${crm.formId}/records?q=${encodeURIComponent('北京星河')}`,
      { token: session.accessToken },
    );
    assert.equal(listed.items[0]?.values['company'], '北京星河科技有限公司');
  });

  it('reads well at phone width in English', async () => {
    const phone = await openPage(browser, {
      session,
      locale: 'en',
      viewport: { width: 375, height: 780 },
    });
    await phone.page.goto(`${server.baseUrl}/apps/${crm.appId}/reports`);
    await phone.page.getByRole('heading', { name: 'Reports and dashboards' }).waitFor();
    await phone.page.getByTestId('report-card').getByRole('link').first().click();
    await phone.page.getByTestId('result-table').waitFor();
    const overflow = await phone.page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
    await phone.page.screenshot({
      path: screenshotPath('report-designer-phone-en'),
      fullPage: true,
    });
    await phone.context.close();
  });
});
