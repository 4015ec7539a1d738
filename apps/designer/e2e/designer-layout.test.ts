import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startProduct, screenshotPath, type E2eServer } from './support/app-server.js';
import { launchBrowser } from './support/browser.js';
import { dragAndDrop } from './support/drag.js';
import {
  api,
  openPage,
  signUpViaApi,
  uniqueEmail,
  type SessionJson,
} from './support/product-session.js';

type LayoutItem =
  | { type: 'field'; fieldId: string }
  | { type: 'section'; id: string; items: LayoutItem[] }
  | { type: 'columns'; id: string; columns: Array<{ id: string; items: LayoutItem[] }> }
  | { type: 'tabs'; id: string; tabs: Array<{ id: string; items: LayoutItem[] }> };
type Draft = {
  fields: Array<{ id: string; type: string; formula?: unknown }>;
  layout: { items: LayoutItem[] };
};

const DEAL = {
  id: 'deal',
  name: { 'zh-CN': '商机', en: 'Deal' },
  fields: [
    { id: 'title', type: 'text', label: { 'zh-CN': '商机名称', en: 'Deal' } },
    { id: 'amount', type: 'number', label: { 'zh-CN': '金额', en: 'Amount' } },
    { id: 'probability', type: 'percent', label: { 'zh-CN': '赢率', en: 'Probability' } },
  ],
};

describe('the form designer lays out sections, columns and tabs, by drag and by keyboard', () => {
  let server: E2eServer;
  let browser: Browser;
  let session: SessionJson;
  let appId = '';
  let formId = '';

  before(async () => {
    server = await startProduct();
    browser = await launchBrowser();
    session = await signUpViaApi(server.baseUrl, {
      email: uniqueEmail('sun.li'),
      password: 'qiming-2026!',
      name: '孙丽',
      workspaceName: '成都天府软件有限公司',
    });
    appId = (
      await api<{ id: string }>(server.baseUrl, 'POST', '/api/apps', {
        token: session.accessToken,
        body: { name: '销售' },
      })
    ).id;
    formId = (
      await api<{ id: string }>(server.baseUrl, 'POST', `/api/apps/${appId}/forms`, {
        token: session.accessToken,
        body: { key: 'deal', name: DEAL.name, schema: DEAL },
      })
    ).id;
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('moves fields into a section, a column and a tab, adds a formula, and saves the layout', async () => {
    const { page, errors, context } = await openPage(browser, { session });
    await page.goto(`${server.baseUrl}/apps/${appId}/forms/${formId}/design`);
    await page.getByTestId('canvas-field-title').waitFor();

    // A section (palette click), the amount dragged into it.
    await page.getByTestId('palette-section').click();
    const section = page.locator('[data-container^="section_"]');
    await section.waitFor();
    await dragAndDrop(page, page.getByTestId('drag-amount'), section.locator('.drop-slot').first());
    await section.getByTestId('canvas-field-amount').waitFor();

    // Columns dragged to the top, the probability dragged into the second column.
    await dragAndDrop(page, page.getByTestId('palette-columns'), page.getByTestId('drop-root-0'));
    const secondColumn = page.locator('[data-container^="col_"]').nth(1);
    await dragAndDrop(
      page,
      page.getByTestId('drag-probability'),
      secondColumn.locator('.drop-slot').first(),
    );
    await secondColumn.getByTestId('canvas-field-probability').waitFor();

    // Tabs; undo and redo them.
    await page.getByTestId('palette-tabs').click();
    const tabs = page.locator('.canvas-tabs');
    await tabs.waitFor();
    await page.locator('.canvas').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    assert.equal(await tabs.count(), 0);
    await page.keyboard.press('Control+Shift+z');
    await tabs.waitFor();

    // Keyboard alternative to dragging between containers: "Move to" the second tab.
    await page.getByTestId('canvas-field-title').locator('.canvas-field__main').click();
    await page.getByLabel('移动到').selectOption({ label: '· 标签页 · 标签 2' });
    await page.waitForFunction(() =>
      /商机名称/.test(
        document.querySelector('[data-testid="designer-announcer"]')?.textContent ?? '',
      ),
    );
    await tabs.getByRole('tab', { name: /标签 2/ }).click();
    await page
      .locator('.canvas-tabs + [role="tabpanel"]')
      .getByTestId('canvas-field-title')
      .waitFor();

    // A formula written like a spreadsheet, with fields picked from the list.
    await page.getByTestId('palette-formula').click();
    const formula = page.getByTestId('formula-input');
    await formula.fill('');
    const picker = page.locator('.formula-editor__picker');
    await picker.getByRole('button', { name: '金额', exact: true }).click();
    await formula.press('End');
    await formula.pressSequentially(' * ');
    await picker.getByRole('button', { name: '赢率', exact: true }).click();
    await formula.press('End');
    await formula.pressSequentially(' / 100');
    await page.getByText('读作：【金额】 * 【赢率】 / 100').waitFor();
    await page.screenshot({ path: screenshotPath('designer-layout-formula') });

    await page.getByTestId('save-draft').click();
    await page.getByTestId('toast').filter({ hasText: '草稿已保存' }).waitFor();

    const form = await api<{ draft: Draft }>(server.baseUrl, 'GET', `/api/forms/${formId}`, {
      token: session.accessToken,
    });
    const items = form.draft.layout.items;
    const columns = items.find((item) => item.type === 'columns');
    const sectionItem = items.find((item) => item.type === 'section');
    const tabsItem = items.find((item) => item.type === 'tabs');
    assert.equal(items[0]?.type, 'columns', 'the columns were dropped at the top');
    assert.deepEqual(columns?.type === 'columns' ? columns.columns[1]?.items : null, [
      { type: 'field', fieldId: 'probability' },
    ]);
    assert.deepEqual(sectionItem?.type === 'section' ? sectionItem.items : null, [
      { type: 'field', fieldId: 'amount' },
    ]);
    const formulaField = form.draft.fields.find((field) => field.type === 'formula');
    // The palette adds after the selected field: the formula lands in the tab, after the title.
    assert.deepEqual(tabsItem?.type === 'tabs' ? tabsItem.tabs[1]?.items : null, [
      { type: 'field', fieldId: 'title' },
      { type: 'field', fieldId: formulaField?.id },
    ]);
    assert.deepEqual(formulaField?.formula, {
      '/': [{ '*': [{ var: 'amount' }, { var: 'probability' }] }, 100],
    });

    // The live preview computes the formula as values are typed.
    await page.getByTestId('mode-preview').click();
    const preview = page.getByTestId('preview-frame-desktop');
    await preview.getByLabel('金额').fill('200000');
    await preview.getByLabel('赢率').fill('30');
    await preview.getByRole('tab', { name: '标签 2' }).click();
    await preview
      .getByTestId(`field-${formulaField?.id ?? ''}`)
      .getByText('60,000')
      .waitFor();
    await page.screenshot({ path: screenshotPath('designer-layout-preview') });
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('previews a type change before publishing it, with a warning for values that cannot convert', async () => {
    const token = session.accessToken;
    const lead = {
      id: 'lead',
      name: { 'zh-CN': '线索', en: 'Lead' },
      fields: [
        { id: 'company', type: 'text', label: { 'zh-CN': '公司', en: 'Company' } },
        { id: 'budget', type: 'text', label: { 'zh-CN': '预算', en: 'Budget' } },
      ],
    };
    const leadId = (
      await api<{ id: string }>(server.baseUrl, 'POST', `/api/apps/${appId}/forms`, {
        token,
        body: { key: 'lead', name: lead.name, schema: lead },
      })
    ).id;
    await api(server.baseUrl, 'POST', `/api/forms/${leadId}/publish`, { token });
    for (const values of [
      { company: '上海启明信息技术有限公司', budget: '12800' },
      { company: '深圳华信科技有限公司', budget: '面议' },
    ]) {
      await api(server.baseUrl, 'POST', `/api/forms/${leadId}/records`, {
        token,
        body: { values },
      });
    }

    const { page, errors, context } = await openPage(browser, { session });
    await page.goto(`${server.baseUrl}/apps/${appId}/forms/${leadId}/design`);
    await page.getByTestId('canvas-field-budget').locator('.canvas-field__main').click();
    // A published field: its key is fixed, and its access per role is set right here.
    assert.equal(await page.getByLabel('字段标识').isDisabled(), true);
    await page.getByText('字段权限', { exact: true }).click();
    await page.getByLabel('成员', { exact: true }).selectOption({ label: '脱敏' });
    await page.getByTestId('toast').filter({ hasText: '已保存' }).waitFor();
    type RoleJson = {
      key: string;
      permissions: { forms?: Record<string, { fields?: Record<string, string> }> };
    };
    const roles = await api<RoleJson[]>(server.baseUrl, 'GET', '/api/roles', { token });
    assert.deepEqual(
      roles.find((role) => role.key === 'member')?.permissions.forms?.[leadId]?.fields,
      { budget: 'masked' },
    );

    await page.getByLabel('字段类型').selectOption({ label: '数字' });
    await page.getByTestId('publish').click();
    const dialog = page.getByTestId('publish-dialog');
    const warning = dialog.getByTestId('lossy-warning');
    await warning.waitFor();
    assert.match(await warning.innerText(), /1 条数据无法自动转换/);
    assert.match(await warning.innerText(), /面议/);
    const confirm = dialog.getByTestId('confirm-publish');
    assert.equal(
      await confirm.isDisabled(),
      true,
      'publishing waits until the loss is acknowledged',
    );
    await page.screenshot({ path: screenshotPath('designer-publish-lossy') });
    await warning.getByLabel('我已了解，继续发布').check();
    await confirm.click();
    await page.getByTestId('published-notice').waitFor();
    await page.getByText('已发布 v2').waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });
});
