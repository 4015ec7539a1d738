import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { HttpClient, type Problem, type Session } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const password = 'Zhang-Wei-2026!';

describe('sign-in: first owner, sessions, revocation', () => {
  let t: TestApp;
  let http: HttpClient;
  before(async () => {
    t = await startTestApp();
    http = new HttpClient(t.baseUrl);
  });
  after(() => t.close());

  it('twenty parallel sign-ups on a fresh instance make exactly one owner', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        http.post<Session | Problem>('/api/auth/signup', {
          email: `rep${i}@qiming.cn`,
          password,
          name: `销售${i}号`,
        }),
      ),
    );
    const winners = attempts.filter((a) => a.status === 201);
    assert.equal(winners.length, 1);
    assert.equal((winners[0]?.body as Session).isInstanceOwner, true);
    const losers = attempts.filter((a) => a.status !== 201);
    assert.deepEqual(new Set(losers.map((a) => a.status)), new Set([403]));
    assert.equal((losers[0]?.body as Problem).errors[0]?.code, 'INVITATION_REQUIRED');
    const rows = await query(t, 'SELECT count(*)::int AS n FROM app_user');
    assert.equal(rows[0]?.['n'], 1, 'the refused sign-ups left no account behind');
  });

  it('signs in, describes the member, refreshes with rotation and detects a reused refresh token', async () => {
    const owner = (await query(t, 'SELECT email FROM app_user'))[0]?.['email'] as string;
    const login = await http.post<Session>('/api/auth/login', {
      email: owner.toUpperCase(),
      password,
    });
    assert.equal(login.status, 200);
    const me = await http.get<{ member: { isOwner: boolean }; roles: Array<{ key: string }> }>(
      '/api/me',
      { token: login.body.accessToken },
    );
    assert.equal(me.status, 200);
    assert.equal(me.body.member.isOwner, true);
    assert.deepEqual(
      me.body.roles.map((r) => r.key),
      ['owner'],
    );

    const first = await http.post<Session>('/api/auth/refresh', {
      refreshToken: login.body.refreshToken,
    });
    assert.equal(first.status, 200);
    assert.notEqual(first.body.refreshToken, login.body.refreshToken);
    const reused = await http.post<Problem>('/api/auth/refresh', {
      refreshToken: login.body.refreshToken,
    });
    assert.equal(reused.status, 401);
    assert.match(reused.body.detail, /reused/);
    const familyGone = await http.post('/api/auth/refresh', {
      refreshToken: first.body.refreshToken,
    });
    assert.equal(familyGone.status, 401, 'reuse revokes the whole family');
  });

  it('refuses a wrong password without revealing whether the account exists', async () => {
    const wrong = await http.post<Problem>('/api/auth/login', {
      email: 'rep0@qiming.cn',
      password: 'nope-nope',
    });
    const unknown = await http.post<Problem>('/api/auth/login', {
      email: 'nobody@qiming.cn',
      password: 'nope-nope',
    });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal(wrong.body.detail, unknown.body.detail);
  });

  it('logout revokes the refresh token', async () => {
    const owner = (await query(t, 'SELECT email FROM app_user'))[0]?.['email'] as string;
    const login = await http.post<Session>('/api/auth/login', { email: owner, password });
    assert.equal(
      (await http.post('/api/auth/logout', { refreshToken: login.body.refreshToken })).status,
      204,
    );
    assert.equal(
      (await http.post('/api/auth/refresh', { refreshToken: login.body.refreshToken })).status,
      401,
    );
  });

  it('a password change kills old access and refresh tokens at once', async () => {
    const owner = (await query(t, 'SELECT email FROM app_user'))[0]?.['email'] as string;
    const phone = await http.post<Session>('/api/auth/login', { email: owner, password });
    const laptop = await http.post<Session>('/api/auth/login', { email: owner, password });
    const changed = await http.patch<Session>(
      '/api/me/password',
      { currentPassword: password, newPassword: 'Li-Na-2027!!' },
      { token: laptop.body.accessToken },
    );
    assert.equal(changed.status, 200);
    assert.equal((await http.get('/api/me', { token: phone.body.accessToken })).status, 401);
    assert.equal(
      (await http.post('/api/auth/refresh', { refreshToken: phone.body.refreshToken })).status,
      401,
    );
    assert.equal(
      (await http.get('/api/me', { token: changed.body.accessToken })).status,
      200,
      'the new session works',
    );
    await http.patch(
      '/api/me/password',
      { currentPassword: 'Li-Na-2027!!', newPassword: password },
      { token: changed.body.accessToken },
    );
  });

  it('rejects forged, expired and misdirected tokens', async () => {
    const owner = (await query(t, 'SELECT email FROM app_user'))[0]?.['email'] as string;
    const login = await http.post<Session>('/api/auth/login', { email: owner, password });
    const claims = { mid: login.body.member.id, ws: login.body.workspace.id, tv: 1 };
    const secret = new TextEncoder().encode(t.config.jwtSecret ?? '');
    const sign = (key: Uint8Array, audience: string, expires: string) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(login.body.user.id)
        .setIssuer('trellis')
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(expires)
        .sign(key);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(
      JSON.stringify({
        ...claims,
        sub: login.body.user.id,
        iss: 'trellis',
        aud: 'trellis-api',
        iat: Math.floor(Date.now() / 1000),
        exp: Math.floor(Date.now() / 1000) + 600,
      }),
    ).toString('base64url')}.`;
    const cases: Array<[string, string]> = [
      ['alg none', unsigned],
      ['wrong key', await sign(new TextEncoder().encode('x'.repeat(40)), 'trellis-api', '10m')],
      ['wrong audience', await sign(secret, 'someone-else', '10m')],
      ['expired', await sign(secret, 'trellis-api', '-1m')],
      ['garbage', 'not.a.token'],
    ];
    for (const [title, token] of cases) {
      const response = await http.get<Problem>('/api/me', { token });
      assert.equal(response.status, 401, title);
      assert.equal(response.body.code, 'UNAUTHENTICATED', title);
    }
    assert.equal((await http.get('/api/me', { token: null })).status, 401, 'no token');
  });

  it('validates sign-up input with located errors and stores passwords as argon2id', async () => {
    const bad = await http.post<Problem>('/api/auth/signup', {
      email: 'not-an-email',
      password: 'short',
      name: '',
      role: 'owner',
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errors.map((e) => e.path).sort(), ['', 'email', 'name', 'password']);
    assert.ok(bad.body.errors.some((e) => e.code === 'UNKNOWN_KEY'));
    const [row] = await query(t, 'SELECT password_hash FROM app_user LIMIT 1');
    assert.match(String(row?.['password_hash']), /^\$argon2id\$/);
  });
});

async function query(t: TestApp, sql: string): Promise<Array<Record<string, unknown>>> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: t.database.url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Array<Record<string, unknown>>;
  } finally {
    await client.end();
  }
}
