import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startProduct, screenshotPath, type E2eServer } from './support/app-server.js';
import { launchBrowser } from './support/browser.js';
import { openPage, uniqueEmail } from './support/product-session.js';

describe('signing up, out and in', () => {
  let server: E2eServer;
  let browser: Browser;
  const email = uniqueEmail('wang.fang');
  const password = 'qiming-2026!';

  before(async () => {
    server = await startProduct();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('signs up the first account, which owns the workspace, and shows its apps', async () => {
    const { page, errors, context } = await openPage(browser);
    await page.goto(`${server.baseUrl}/signup`);
    // Submitting empty shows every missing field at once, before anything is sent.
    await page.getByRole('button', { name: '创建账号' }).click();
    assert.equal(await page.locator('.field__error').count(), 3);
    await page.getByLabel('姓名').fill('王芳');
    await page.getByLabel('邮箱').fill(email);
    await page.getByLabel('密码').fill('short');
    await page.getByLabel('团队名称').fill('上海启明信息技术有限公司');
    await page.getByRole('button', { name: '创建账号' }).click();
    await page.getByText('密码至少需要 8 个字符').waitFor();
    await page.getByLabel('密码').fill(password);
    await page.screenshot({ path: screenshotPath('auth-sign-up') });
    await page.getByRole('button', { name: '创建账号' }).click();
    await page.waitForURL(/\/apps$/);
    await page.getByRole('heading', { name: '还没有应用' }).waitFor();
    assert.match(await page.locator('.shell__workspace').innerText(), /上海启明信息技术有限公司/);
    // The owner sees the builder's navigation.
    for (const name of ['应用', '成员', '部门与团队', '角色与权限']) {
      await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name }).waitFor();
    }
    await page.screenshot({ path: screenshotPath('auth-apps-empty-zh') });

    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/signin$/);
    assert.equal(await page.evaluate(() => window.localStorage.getItem('trellis.session')), null);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('refuses a wrong password, then signs in and comes back to the page asked for', async () => {
    const { page, errors, context } = await openPage(browser);
    await page.goto(`${server.baseUrl}/people/members`);
    await page.waitForURL(/\/signin$/);
    await page.getByLabel('邮箱').fill(email);
    await page.getByLabel('密码').fill('not-the-password');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByText('邮箱或密码不正确').waitFor();
    await page.screenshot({ path: screenshotPath('auth-wrong-password') });
    await page.getByLabel('密码').fill(password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/\/people\/members$/);
    await page.getByTestId('members-table').getByText(email).waitFor();
    await page.screenshot({ path: screenshotPath('people-members') });
    // The 401 of the wrong password is expected; nothing else may fail.
    assert.deepEqual(
      errors.filter((error) => !/401/.test(error)),
      [],
    );
    await context.close();
  });

  it('switches to English and keeps the choice across a reload', async () => {
    const { page, context } = await openPage(browser);
    await page.goto(`${server.baseUrl}/signin`);
    await page.getByTestId('locale-en').click();
    await page.getByRole('heading', { name: 'Sign in to Trellis' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to Trellis' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Apps', exact: true }).waitFor();
    await page.screenshot({ path: screenshotPath('auth-apps-empty-en') });
    await context.close();
  });
});
