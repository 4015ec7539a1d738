import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startProduct, screenshotPath, type E2eServer } from './support/app-server.js';
import { launchBrowser } from './support/browser.js';
import { dragAndDrop } from './support/drag.js';
import {
  openPage,
  signUpViaApi,
  uniqueEmail,
  type SessionJson,
} from './support/product-session.js';

/** Field ids of the canvas, top to bottom. */
async function canvasOrder(page: Page): Promise<string[]> {
  const ids = await page
    .locator('[data-testid^="canvas-field-"]')
    .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-testid') ?? ''));
  return ids.map((id) => id.replace('canvas-field-', ''));
}

describe('a builder makes a small app and a member uses it', () => {
  let server: E2eServer;
  let browser: Browser;
  let session: SessionJson;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let recordsUrl = '';

  before(async () => {
    server = await startProduct();
    browser = await launchBrowser();
    session = await signUpViaApi(server.baseUrl, {
      email: uniqueEmail('zhang.wei'),
      password: 'qiming-2026!',
      name: '张伟',
      workspaceName: '上海启明信息技术有限公司',
    });
    ({ context, page, errors } = await openPage(browser, { session }));
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it('creates an app and a form, drags three fields in, adds a visibility condition and publishes', async () => {
    await page.goto(`${server.baseUrl}/apps`);
    await page.getByRole('button', { name: '新建应用' }).first().click();
    await page.getByLabel('应用名称（中文）').fill('客户管理');
    await page.getByLabel('应用名称（英文）').fill('Customers');
    await page.getByRole('button', { name: '创建应用' }).click();
    await page.getByRole('heading', { name: '这个应用还没有表单' }).waitFor();

    await page.getByRole('button', { name: '新建表单' }).first().click();
    await page.getByLabel('表单名称（中文）').fill('客户');
    await page.getByLabel('表单名称（英文）').fill('Customer');
    await page.getByRole('button', { name: '创建并开始设计' }).click();
    await page.waitForURL(/\/design$/);

    // Three fields dragged from the palette onto the canvas (react-dnd, HTML5 backend).
    await dragAndDrop(page, page.getByTestId('palette-text'), page.getByTestId('drop-root-0'));
    await page.getByTestId('canvas-field-text_1').waitFor();
    await dragAndDrop(page, page.getByTestId('palette-select'), page.getByTestId('drop-root-1'));
    await page.getByTestId('canvas-field-select_1').waitFor();
    // Dropped above the select: drop slots place a field exactly where it lands.
    await dragAndDrop(page, page.getByTestId('palette-phone'), page.getByTestId('drop-root-1'));
    await page.getByTestId('canvas-field-phone_1').waitFor();
    assert.deepEqual(await canvasOrder(page), ['text_1', 'phone_1', 'select_1']);

    // Reordering by drag, and the keyboard alternative (Alt+Arrow) moving it back and forth.
    await dragAndDrop(page, page.getByTestId('drag-select_1'), page.getByTestId('drop-root-1'));
    assert.deepEqual(await canvasOrder(page), ['text_1', 'select_1', 'phone_1']);
    const phoneCard = page.getByTestId('canvas-field-phone_1').locator('.canvas-field__main');
    await phoneCard.focus();
    await page.keyboard.press('Alt+ArrowUp');
    assert.deepEqual(await canvasOrder(page), ['text_1', 'phone_1', 'select_1']);
    await page.keyboard.press('Alt+ArrowDown');
    assert.deepEqual(await canvasOrder(page), ['text_1', 'select_1', 'phone_1']);
    // Screen readers hear each move.
    await page.waitForFunction(() =>
      /电话/.test(document.querySelector('[data-testid="designer-announcer"]')?.textContent ?? ''),
    );

    // Name the company field and make it required and unique.
    await page.getByTestId('canvas-field-text_1').locator('.canvas-field__main').click();
    await page.getByTestId('field-label-zh').getByRole('textbox').fill('公司名称');
    await page.getByTestId('field-label-en').getByRole('textbox').fill('Company');
    await page.getByTestId('rule-required-always').click();
    await page.getByText('校验', { exact: true }).click();
    await page.getByLabel('不允许重复（唯一）').check();

    // The customer level: options renamed.
    await page.getByTestId('canvas-field-select_1').locator('.canvas-field__main').click();
    await page.getByTestId('field-label-zh').getByRole('textbox').fill('客户等级');
    await page.getByLabel('选项 1 中文名称').fill('重点客户');
    await page.getByLabel('选项 2 中文名称').fill('普通客户');

    // The phone is shown only for key customers: a visual condition written as JsonLogic.
    await page.getByTestId('canvas-field-phone_1').locator('.canvas-field__main').click();
    await page.getByTestId('field-label-zh').getByRole('textbox').fill('联系电话');
    await page.getByTestId('rule-visible-when').click();
    const rule = page.getByTestId('condition-rule').first();
    await rule.getByLabel('字段').selectOption({ label: '客户等级' });
    await rule.getByLabel('比较方式').selectOption({ label: '等于' });
    await rule.getByLabel('值').selectOption({ label: '重点客户' });
    await page.getByTestId('rule-visible-condition').getByRole('button', { name: 'JSON' }).click();
    const logic = JSON.parse(
      await page.getByTestId('rule-visible-condition').locator('textarea').inputValue(),
    ) as unknown;
    assert.deepEqual(logic, { '==': [{ var: 'select_1' }, 'option_1'] });
    await page.getByTestId('canvas-field-phone_1').getByText('条件显示').waitFor();
    await page.screenshot({ path: screenshotPath('builder-designer-condition') });

    // Live preview at phone width follows the condition.
    await page.getByTestId('mode-preview').click();
    await page.getByTestId('preview-phone').click();
    const preview = page.getByTestId('preview-frame-phone');
    assert.equal(await preview.getByTestId('field-phone_1').count(), 0);
    await preview.getByLabel('客户等级').selectOption({ label: '重点客户' });
    await preview.getByTestId('field-phone_1').waitFor();
    const width = await preview.evaluate((node) => node.getBoundingClientRect().width);
    assert.ok(width <= 375, `phone preview is ${width}px wide`);
    await page.screenshot({ path: screenshotPath('builder-preview-phone') });
    await page.getByRole('button', { name: '设计' }).click();

    await page.getByTestId('save-draft').click();
    await page.getByTestId('toast').filter({ hasText: '草稿已保存' }).waitFor();
    assert.equal(await page.getByTestId('unsaved').count(), 0);

    // Publishing shows what changes first.
    await page.getByTestId('publish').click();
    const dialog = page.getByTestId('publish-dialog');
    await dialog.getByTestId('publish-diff').waitFor();
    for (const label of ['公司名称', '客户等级', '联系电话'])
      await dialog.getByText(label, { exact: false }).waitFor();
    await page.screenshot({ path: screenshotPath('builder-publish-preview') });
    await dialog.getByTestId('confirm-publish').click();
    await page.getByTestId('published-notice').waitFor();
    await page.getByText('已发布 v1').waitFor();
    await page.getByRole('link', { name: '去录入数据' }).click();
    await page.getByRole('heading', { name: '客户', exact: true }).waitFor();
    recordsUrl = page.url();
    assert.deepEqual(errors, []);
  });

  it('validates the generated form as the member types, then saves a valid record', async () => {
    await page.goto(recordsUrl);
    await page.getByTestId('new-record').click();
    const form = page.getByTestId('record-form');
    await form.waitFor();
    await form.getByLabel('公司名称').fill('上海启明信息技术有限公司');
    assert.equal(
      await form.getByTestId('field-phone_1').count(),
      0,
      'the phone is hidden until the level is chosen',
    );
    await form.getByLabel('客户等级').selectOption({ label: '重点客户' });
    await form.getByLabel('联系电话').fill('12345');
    await form.getByLabel('联系电话').blur();
    const phoneError = form.getByTestId('error-phone_1');
    await phoneError.waitFor();
    assert.match(await phoneError.innerText(), /电话/);
    await page.screenshot({ path: screenshotPath('runtime-form-validation-error') });
    // Submitting while invalid sends nothing and points at the field.
    await page.getByTestId('save-record').click();
    await page.getByTestId('invalid-notice').waitFor();
    await page.waitForFunction(
      () => document.activeElement?.getAttribute('aria-invalid') === 'true',
    );

    await form.getByLabel('联系电话').fill('13812345678');
    await phoneError.waitFor({ state: 'detached' });
    await page.getByTestId('save-record').click();
    await page.waitForURL(/\/records\/[0-9a-f-]+$/);
    await page.getByRole('heading', { name: '上海启明信息技术有限公司' }).waitFor();
    await page.getByTestId('value-phone_1').filter({ hasText: '13812345678' }).waitFor();
    await page.getByTestId('history').getByText('创建了记录').waitFor();
    await page.screenshot({ path: screenshotPath('runtime-record-detail') });
  });

  it('shows the server’s error at the right field (a duplicate company name)', async () => {
    await page.goto(recordsUrl);
    await page.getByTestId('new-record').click();
    const form = page.getByTestId('record-form');
    await form.getByLabel('公司名称').fill('上海启明信息技术有限公司');
    await form.getByLabel('客户等级').selectOption({ label: '普通客户' });
    await page.getByTestId('save-record').click();
    const error = form.getByTestId('error-text_1');
    await error.waitFor();
    assert.match(await error.innerText(), /已有记录使用了这个值|already/);
    await page.screenshot({ path: screenshotPath('runtime-server-error-at-field') });
  });

  it('finds the record in the list, by search too, and opens it', async () => {
    await page.goto(recordsUrl);
    const table = page.getByTestId('record-table');
    await table.getByTestId('record-row').first().waitFor();
    assert.equal(await table.getByTestId('record-row').count(), 1);
    await page.getByText('共 1 条').waitFor();
    await page.getByLabel('搜索记录').fill('启明');
    await table.getByTestId('record-row').filter({ hasText: '上海启明信息技术有限公司' }).waitFor();
    await page.getByLabel('搜索记录').fill('不存在的公司');
    await page.getByRole('heading', { name: '没有符合条件的记录' }).waitFor();
    await page.getByLabel('搜索记录').fill('');
    await table.getByTestId('record-row').first().waitFor();
    await page.screenshot({ path: screenshotPath('runtime-record-list') });
    await table.getByRole('link', { name: '上海启明信息技术有限公司' }).click();
    await page.waitForURL(/\/records\/[0-9a-f-]+$/);

    // Edit it: the history then tells who changed what from what to what.
    await page.getByTestId('edit-record').click();
    await page
      .getByTestId('record-form')
      .getByLabel('公司名称')
      .fill('上海启明信息技术股份有限公司');
    await page.getByTestId('save-record').click();
    await page.getByRole('heading', { name: '上海启明信息技术股份有限公司' }).waitFor();
    const history = page.getByTestId('history');
    await history.getByText('修改了记录').waitFor();
    await history
      .locator('.timeline__from')
      .filter({ hasText: '上海启明信息技术有限公司' })
      .waitFor();
    await page.getByText('第 2 版').waitFor();
    await page.screenshot({ path: screenshotPath('runtime-record-history') });
    // Expected 409 of the duplicate; no other failures.
    assert.deepEqual(
      errors.filter((entry) => !/409/.test(entry)),
      [],
    );
  });

  it('works at phone width in English', async () => {
    const phone = await openPage(browser, {
      session,
      locale: 'en',
      viewport: { width: 375, height: 780 },
    });
    await phone.page.goto(recordsUrl);
    await phone.page.getByRole('heading', { name: 'Customer', exact: true }).waitFor();
    await phone.page.locator('.record-card').first().waitFor();
    const overflow = await phone.page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
    await phone.page.screenshot({ path: screenshotPath('runtime-record-list-phone-en') });
    await phone.page.getByRole('link', { name: 'New record' }).click();
    await phone.page.getByLabel('Company').waitFor();
    await phone.page.screenshot({ path: screenshotPath('runtime-form-phone-en') });
    await phone.context.close();
  });
});
