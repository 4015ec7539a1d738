import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startProduct, screenshotPath, type E2eServer } from './support/app-server.js';
import { describeViolations, seriousViolations } from './support/axe.js';
import { launchBrowser } from './support/browser.js';
import { createCustomer, createCustomerApp, type CustomerApp } from './support/fixtures.js';
import {
  api,
  openPage,
  signUpViaApi,
  uniqueEmail,
  type SessionJson,
} from './support/product-session.js';

describe('axe-core finds no serious or critical violation on the main pages', () => {
  let server: E2eServer;
  let browser: Browser;
  let session: SessionJson;
  let app: CustomerApp;
  let recordId = '';

  before(async () => {
    server = await startProduct();
    browser = await launchBrowser();
    session = await signUpViaApi(server.baseUrl, {
      email: uniqueEmail('li.na'),
      password: 'qiming-2026!',
      name: '李娜',
      workspaceName: '深圳华信科技有限公司',
    });
    app = await createCustomerApp(server.baseUrl, session.accessToken);
    recordId = (
      await createCustomer(server.baseUrl, session.accessToken, app.formId, {
        company: '深圳华信科技有限公司',
        level: 'key',
        phone: '13812345678',
        amount: '128000',
        score: 4,
      })
    ).id;
    await api(server.baseUrl, 'PATCH', `/api/forms/${app.formId}/records/${recordId}`, {
      token: session.accessToken,
      body: { values: { amount: '150000' }, version: 1 },
    });
    await api(server.baseUrl, 'POST', '/api/teams', {
      token: session.accessToken,
      body: { name: '华南销售部', kind: 'department' },
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const pages: Array<{
    name: string;
    path: () => string;
    ready: string;
    signedIn?: boolean;
    locale?: 'zh-CN' | 'en';
    phone?: boolean;
  }> = [
    { name: 'sign-in', path: () => '/signin', ready: '登录 Trellis', signedIn: false },
    {
      name: 'sign-up-en',
      path: () => '/signup',
      ready: 'Create your account',
      signedIn: false,
      locale: 'en',
    },
    { name: 'apps', path: () => '/apps', ready: '客户管理' },
    { name: 'app-home', path: () => `/apps/${app.appId}`, ready: '查看数据' },
    {
      name: 'record-list',
      path: () => `/apps/${app.appId}/forms/${app.formId}`,
      ready: '深圳华信科技有限公司',
    },
    {
      name: 'record-list-phone',
      path: () => `/apps/${app.appId}/forms/${app.formId}`,
      ready: '深圳华信科技有限公司',
      phone: true,
    },
    {
      name: 'record-form',
      path: () => `/apps/${app.appId}/forms/${app.formId}/new`,
      ready: '公司名称',
    },
    {
      name: 'record-detail',
      path: () => `/apps/${app.appId}/forms/${app.formId}/records/${recordId}`,
      ready: '变更记录',
    },
    {
      name: 'designer',
      path: () => `/apps/${app.appId}/forms/${app.formId}/design`,
      ready: '字段库',
    },
    { name: 'members', path: () => '/people/members', ready: '邀请成员' },
    { name: 'teams', path: () => '/people/teams', ready: '华南销售部' },
    { name: 'roles', path: () => '/people/roles', ready: '表单权限' },
    { name: 'account-en', path: () => '/account', ready: 'Change password', locale: 'en' },
  ];

  for (const entry of pages) {
    it(`${entry.name}`, async () => {
      const { page, context } = await openPage(browser, {
        ...(entry.signedIn === false ? {} : { session }),
        locale: entry.locale ?? 'zh-CN',
        bypassCSP: true,
        ...(entry.phone === true ? { viewport: { width: 375, height: 780 } } : {}),
      });
      await page.goto(server.baseUrl + entry.path());
      await page.locator('#main').getByText(entry.ready).first().waitFor();
      const violations = await seriousViolations(page);
      await page.screenshot({ path: screenshotPath(`a11y-${entry.name}`) });
      assert.equal(violations.length, 0, describeViolations(violations));
      await context.close();
    });
  }
});
