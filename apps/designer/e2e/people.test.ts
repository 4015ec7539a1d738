import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startProduct, screenshotPath, type E2eServer } from './support/app-server.js';
import { launchBrowser } from './support/browser.js';
import { createCustomer, createCustomerApp, type CustomerApp } from './support/fixtures.js';
import {
  api,
  openPage,
  signUpViaApi,
  uniqueEmail,
  type SessionJson,
} from './support/product-session.js';

type Role = {
  id: string;
  key: string;
  permissions: {
    forms?: Record<
      string,
      { actions: string[]; rowScope: unknown; fields?: Record<string, string> }
    >;
  };
};

describe('members, departments and roles', () => {
  let server: E2eServer;
  let browser: Browser;
  let owner: SessionJson;
  let app: CustomerApp;
  let invitationLink = '';
  const memberEmail = uniqueEmail('liu.yang');

  before(async () => {
    server = await startProduct();
    browser = await launchBrowser();
    owner = await signUpViaApi(server.baseUrl, {
      email: uniqueEmail('chen.jing'),
      password: 'qiming-2026!',
      name: '陈静',
      workspaceName: '北京远航咨询有限公司',
    });
    app = await createCustomerApp(server.baseUrl, owner.accessToken);
    await createCustomer(server.baseUrl, owner.accessToken, app.formId, {
      company: '北京远航咨询有限公司',
      level: 'key',
      phone: '13912345678',
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('builds a department tree and works it with the keyboard', async () => {
    const { page, errors, context } = await openPage(browser, { session: owner });
    await page.goto(`${server.baseUrl}/people/teams`);
    await page.getByRole('button', { name: '新建一级部门' }).first().click();
    await page.getByRole('dialog').getByLabel('名称').fill('华东销售部');
    await page.getByRole('dialog').getByRole('button', { name: '创建' }).click();
    await page.getByRole('treeitem', { name: /华东销售部/ }).waitFor();
    await page.getByRole('button', { name: '添加下级' }).click();
    await page.getByRole('dialog').getByLabel('名称').fill('上海一组');
    await page.getByRole('dialog').getByRole('button', { name: '创建' }).click();
    const child = page.getByRole('treeitem', { name: /上海一组/ });
    await child.waitFor();
    assert.equal(await child.getAttribute('aria-level'), '2');

    // Keyboard: up to the parent, collapse it (the child disappears), expand again, select the child.
    await child.focus();
    await page.keyboard.press('ArrowLeft');
    const parent = page.getByRole('treeitem', { name: /华东销售部/ }).first();
    await page.keyboard.press('ArrowLeft');
    assert.equal(await parent.getAttribute('aria-expanded'), 'false');
    assert.equal(await child.count(), 0);
    await page.keyboard.press('ArrowRight');
    assert.equal(await parent.getAttribute('aria-expanded'), 'true');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: '上海一组' }).waitFor();
    await page.getByLabel('负责人').selectOption({ label: '陈静' });
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByTestId('toast').filter({ hasText: '已保存' }).waitFor();
    await page.screenshot({ path: screenshotPath('people-teams') });
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('gives a new role read access to customers with the phone masked', async () => {
    const { page, errors, context } = await openPage(browser, { session: owner });
    await page.goto(`${server.baseUrl}/people/roles`);
    await page.getByRole('button', { name: '新建角色' }).click();
    await page.getByRole('dialog').getByLabel('角色名称（中文）').fill('销售代表');
    await page.getByRole('dialog').getByLabel('角色名称（英文）').fill('Sales rep');
    await page.getByRole('dialog').getByLabel('角色标识').fill('sales_rep');
    await page.getByRole('dialog').getByRole('button', { name: '创建' }).click();
    await page.getByRole('heading', { name: '角色：sales_rep' }).waitFor();

    const matrix = page.getByTestId('permission-matrix');
    const customerRow = matrix.getByRole('row', { name: /客户/ }).first();
    await customerRow.getByRole('button', { name: '单独设置' }).click();
    await matrix.getByLabel('客户：新增').check();
    await matrix.getByLabel('客户 的数据范围').selectOption({ label: '全部数据' });
    await customerRow.getByRole('button', { name: '字段权限' }).click();
    await matrix.getByLabel('联系电话').selectOption({ label: '脱敏' });
    await page.screenshot({ path: screenshotPath('people-roles-matrix') });
    await page.getByTestId('save-role').click();
    await page.getByTestId('toast').filter({ hasText: '已保存' }).waitFor();

    const roles = await api<Role[]>(server.baseUrl, 'GET', '/api/roles', {
      token: owner.accessToken,
    });
    const saved = roles.find((role) => role.key === 'sales_rep');
    const customer = saved?.permissions.forms?.[app.formId];
    assert.ok(customer !== undefined, 'the customer form has its own permissions');
    assert.deepEqual([...customer.actions].sort(), ['create', 'read']);
    assert.equal(customer.rowScope, 'all');
    assert.deepEqual(customer.fields, { phone: 'masked' });
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('invites a colleague who signs up with the link and sees the phone masked', async () => {
    const { page, errors, context } = await openPage(browser, { session: owner });
    await page.goto(`${server.baseUrl}/people/members`);
    await page.getByRole('button', { name: '邀请成员' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('邮箱').fill(memberEmail);
    await dialog.getByLabel('成员', { exact: true }).uncheck();
    await dialog.getByLabel('销售代表').check();
    await dialog.getByLabel('部门').selectOption({ label: '上海一组' });
    await dialog.getByRole('button', { name: '生成邀请链接' }).click();
    const link = dialog.getByLabel('邀请链接');
    await link.waitFor();
    invitationLink = await link.inputValue();
    assert.match(invitationLink, /\/signup\?invitation=/);
    await page.screenshot({ path: screenshotPath('people-invitation') });
    await context.close();
    assert.deepEqual(errors, []);

    const invited = await openPage(browser, { viewport: { width: 375, height: 780 } });
    await invited.page.goto(invitationLink);
    await invited.page.getByRole('heading', { name: '接受邀请并创建账号' }).waitFor();
    assert.equal(await invited.page.getByLabel('团队名称').count(), 0);
    await invited.page.getByLabel('姓名').fill('刘洋');
    await invited.page.getByLabel('邮箱').fill(memberEmail);
    await invited.page.getByLabel('密码').fill('liuyang-2026!');
    await invited.page.getByRole('button', { name: '创建账号' }).click();
    await invited.page.waitForURL(/\/apps$/);
    await invited.page.getByRole('heading', { name: '应用', exact: true }).waitFor();
    await invited.page.getByTestId('app-card').filter({ hasText: '客户管理' }).waitFor();
    await invited.page.goto(`${server.baseUrl}/apps/${app.appId}/forms/${app.formId}`);
    const card = invited.page.locator('.record-card').first();
    await card.waitFor();
    assert.match(await card.innerText(), /\*{2,}/, 'the phone arrives masked');
    await invited.page.screenshot({ path: screenshotPath('people-member-sees-masked-phone') });
    // A member is not a builder: no people pages in the navigation.
    await invited.page.getByRole('button', { name: '打开菜单' }).click();
    assert.equal(await invited.page.getByRole('link', { name: '角色与权限' }).count(), 0);
    assert.deepEqual(invited.errors, []);
    await invited.context.close();
  });
});
