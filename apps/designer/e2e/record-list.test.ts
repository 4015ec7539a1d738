import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startProduct, screenshotPath, type E2eServer } from './support/app-server.js';
import { launchBrowser } from './support/browser.js';
import { createCustomerApp, createManyCustomers, type CustomerApp } from './support/fixtures.js';
import {
  openPage,
  signUpViaApi,
  uniqueEmail,
  type SessionJson,
} from './support/product-session.js';

const TOTAL = 10_000;

describe('a record list of 10,000 customers', () => {
  let server: E2eServer;
  let browser: Browser;
  let session: SessionJson;
  let app: CustomerApp;

  before(async () => {
    server = await startProduct();
    browser = await launchBrowser();
    session = await signUpViaApi(server.baseUrl, {
      email: uniqueEmail('zhao.lei'),
      password: 'qiming-2026!',
      name: '赵磊',
      workspaceName: '杭州云栖贸易有限公司',
    });
    app = await createCustomerApp(server.baseUrl, session.accessToken);
    await createManyCustomers(server.baseUrl, session.accessToken, app.formId, TOTAL);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('renders only the visible rows and scrolls to the last one, sorted by company', async () => {
    const { page, errors, context } = await openPage(browser, { session });
    await page.goto(`${server.baseUrl}/apps/${app.appId}/forms/${app.formId}`);
    await page.getByText(`共 ${TOTAL} 条`).waitFor();
    const rows = page.getByTestId('record-row');
    await rows.first().waitFor();
    const rendered = await rows.count();
    assert.ok(rendered > 5 && rendered < 80, `${rendered} rows are in the DOM`);

    // Sort by company (ascending), then scroll to the very end, page after page.
    await page.getByRole('button', { name: '公司名称' }).click();
    await page
      .getByRole('columnheader', { name: '公司名称' })
      .and(page.locator('[aria-sort="ascending"]'))
      .waitFor();
    await rows.first().filter({ hasText: '客户 00001 号有限公司' }).waitFor();
    const scroller = page.getByRole('region', { name: '客户列表' });
    const started = Date.now();
    const last = page.getByTestId('record-row').filter({ hasText: '客户 10000 号有限公司' });
    for (let step = 0; step < 400 && (await last.count()) === 0; step += 1) {
      await scroller.evaluate((node) => node.scrollTo({ top: node.scrollHeight }));
      await page.waitForTimeout(60);
    }
    await last.waitFor();
    const seconds = (Date.now() - started) / 1000;
    assert.ok((await rows.count()) < 80, 'the DOM stays small at the end of the list too');
    await page.screenshot({ path: screenshotPath('runtime-list-10000-end') });
    assert.ok(seconds < 60, `reaching row 10,000 took ${seconds}s`);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('filters by level and chooses columns', async () => {
    const { page, errors, context } = await openPage(browser, { session });
    await page.goto(`${server.baseUrl}/apps/${app.appId}/forms/${app.formId}`);
    await page.getByText(`共 ${TOTAL} 条`).waitFor();
    await page.getByRole('button', { name: '筛选' }).click();
    await page.getByRole('button', { name: '添加条件' }).click();
    const row = page.getByTestId('filter-row');
    await row.getByLabel('字段', { exact: true }).selectOption({ label: '客户等级' });
    await row.getByLabel('条件', { exact: true }).selectOption({ label: '等于' });
    await row.getByLabel('值', { exact: true }).selectOption({ label: '重点客户' });
    await page.getByRole('button', { name: '应用筛选' }).click();
    await page.getByText(`共 ${TOTAL / 2} 条`).waitFor();

    await page.getByRole('button', { name: '显示列' }).click();
    await page.getByRole('group', { name: '显示列' }).getByLabel('预计金额').uncheck();
    assert.equal(await page.getByRole('columnheader', { name: '预计金额' }).count(), 0);
    await page.getByRole('group', { name: '显示列' }).getByLabel('备注').check();
    await page.getByRole('columnheader', { name: '备注' }).waitFor();
    await page.screenshot({ path: screenshotPath('runtime-list-filtered') });
    // The choice of columns is remembered for this form.
    await page.reload();
    await page.getByRole('columnheader', { name: '备注' }).waitFor();
    assert.equal(await page.getByRole('columnheader', { name: '预计金额' }).count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('saves a filtered, sorted list with chosen columns as a view and opens it again from the bar', async () => {
    const { page, errors, context } = await openPage(browser, { session });
    const listUrl = `${server.baseUrl}/apps/${app.appId}/forms/${app.formId}`;
    await page.goto(listUrl);
    await page.getByText(`共 ${TOTAL} 条`).waitFor();
    const rows = page.getByTestId('record-row');

    // Key accounts only, the largest expected amount first, without the next-visit column.
    await page.getByRole('button', { name: '筛选' }).click();
    await page.getByRole('button', { name: '添加条件' }).click();
    const row = page.getByTestId('filter-row');
    await row.getByLabel('字段', { exact: true }).selectOption({ label: '客户等级' });
    await row.getByLabel('条件', { exact: true }).selectOption({ label: '等于' });
    await row.getByLabel('值', { exact: true }).selectOption({ label: '重点客户' });
    await page.getByRole('button', { name: '应用筛选' }).click();
    await page.getByText(`共 ${TOTAL / 2} 条`).waitFor();
    const amountHeader = page.getByRole('columnheader', { name: '预计金额' });
    await amountHeader.getByRole('button').click();
    await amountHeader.and(page.locator('[aria-sort="ascending"]')).waitFor();
    await amountHeader.getByRole('button').click();
    await amountHeader.and(page.locator('[aria-sort="descending"]')).waitFor();
    await page.getByRole('button', { name: '显示列' }).click();
    await page.getByRole('group', { name: '显示列' }).getByLabel('下次拜访').uncheck();
    await page.keyboard.press('Escape');
    assert.equal(await page.getByRole('columnheader', { name: '下次拜访' }).count(), 0);
    await rows.first().filter({ hasText: '¥10,600' }).waitFor();
    const firstRows = await rows.evaluateAll((nodes) =>
      nodes.slice(0, 5).map((node) => node.textContent),
    );

    const viewName = '重点客户·金额从高到低';
    await page.getByRole('button', { name: '另存为视图' }).click();
    const dialog = page.getByTestId('view-name-dialog');
    await dialog.getByLabel('视图名称').fill(viewName);
    await dialog.getByRole('button', { name: '保存', exact: true }).click();
    await page
      .getByTestId('toast')
      .filter({ hasText: `视图“${viewName}”已保存` })
      .waitFor();
    const views = page.getByRole('group', { name: '视图' });
    await views
      .getByRole('button', { name: viewName })
      .and(page.locator('[aria-pressed="true"]'))
      .waitFor();
    assert.match(page.url(), /[?&]viewId=[0-9a-f-]{36}/, 'the URL names the view');

    const expectSavedView = async () => {
      await page.getByText(`共 ${TOTAL / 2} 条`).waitFor();
      await amountHeader.and(page.locator('[aria-sort="descending"]')).waitFor();
      assert.equal(await page.getByRole('columnheader', { name: '下次拜访' }).count(), 0);
      await page.getByRole('columnheader', { name: '公司名称' }).waitFor();
      await rows.first().filter({ hasText: '¥10,600' }).waitFor();
      assert.deepEqual(
        await rows.evaluateAll((nodes) => nodes.slice(0, 5).map((node) => node.textContent)),
        firstRows,
      );
    };
    // The bookmarked URL opens the view after a reload ...
    await page.reload();
    await expectSavedView();
    // ... and so does the bar (by keyboard), after going back to all records.
    await views.getByRole('button', { name: '全部记录' }).click();
    await page.getByText(`共 ${TOTAL} 条`).waitFor();
    assert.doesNotMatch(page.url(), /viewId=/);
    await views.getByRole('button', { name: viewName }).focus();
    await page.keyboard.press('Enter');
    await expectSavedView();
    await page.screenshot({ path: screenshotPath('runtime-list-saved-view') });
    // At phone width the views stay one tap away, above the cards.
    await page.setViewportSize({ width: 390, height: 844 });
    await views
      .getByRole('button', { name: viewName })
      .and(page.locator('[aria-pressed="true"]'))
      .waitFor();
    await page.getByRole('button', { name: '另存为视图' }).waitFor();
    await page.screenshot({ path: screenshotPath('runtime-list-saved-view-phone') });
    assert.deepEqual(errors, []);
    await context.close();
  });
});
