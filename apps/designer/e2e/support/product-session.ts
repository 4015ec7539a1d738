import type { Browser, BrowserContext, Page } from 'playwright-core';

/** What POST /api/auth/signup and /login answer. */
export type SessionJson = {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; email: string; name: string };
  workspace: { id: string; name: string };
  member: { id: string; isOwner: boolean };
};

export type Locale = 'zh-CN' | 'en';

/** JSON over HTTP to the product's API, as the designer itself talks to it. */
export async function api<T>(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<T> {
  const response = await fetch(baseUrl + path, {
    method,
    headers: {
      accept: 'application/json',
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`${method} ${path} -> ${response.status}: ${text.slice(0, 800)}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

export function signUpViaApi(
  baseUrl: string,
  input: { email: string; password: string; name: string; workspaceName?: string },
): Promise<SessionJson> {
  return api<SessionJson>(baseUrl, 'POST', '/api/auth/signup', { body: input });
}

export type OpenedPage = {
  context: BrowserContext;
  page: Page;
  /** Script errors and console errors seen so far. */
  errors: string[];
};

/**
 * A fresh browser context, optionally already signed in (the tokens are put where the
 * designer keeps them) and in a given language and viewport.
 */
export async function openPage(
  browser: Browser,
  options: {
    session?: SessionJson;
    locale?: Locale;
    viewport?: { width: number; height: number };
    bypassCSP?: boolean;
  } = {},
): Promise<OpenedPage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1400, height: 900 },
    bypassCSP: options.bypassCSP ?? false,
    locale: options.locale ?? 'zh-CN',
  });
  const stored =
    options.session === undefined
      ? null
      : JSON.stringify({
          accessToken: options.session.accessToken,
          refreshToken: options.session.refreshToken,
          expiresAt: Date.now() + options.session.expiresIn * 1000,
        });
  await context.addInitScript(
    ([session, locale]) => {
      if (window.sessionStorage.getItem('e2e-initialised') !== null) return;
      window.sessionStorage.setItem('e2e-initialised', '1');
      if (session !== null) window.localStorage.setItem('trellis.session', session);
      window.localStorage.setItem('trellis.locale', locale);
    },
    [stored, options.locale ?? 'zh-CN'] as const,
  );
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return { context, page, errors };
}

/** A unique e-mail per call, so tests never collide. */
export function uniqueEmail(prefix: string): string {
  return `${prefix}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.com`;
}
