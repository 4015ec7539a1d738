import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpClient, type Problem, type Session } from './support/http.js';
import { addMember, PASSWORD, signupOwner } from './support/people.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type Team = {
  id: string;
  name: string;
  parentId: string | null;
  managerMemberId: string | null;
  memberCount: number;
};
type Member = {
  id: string;
  displayName: string;
  teamId: string | null;
  roleKeys: string[];
  status: string;
};

describe('members, teams and roles', () => {
  let t: TestApp;
  let http: HttpClient;
  let owner: Session;
  let sales: Team;
  let east: Team;
  let wangfang: Session;

  before(async () => {
    t = await startTestApp();
    http = new HttpClient(t.baseUrl);
    owner = await signupOwner(http);
  });
  after(() => t.close());

  it('builds a department tree with managers', async () => {
    const as = http.as(owner.accessToken);
    sales = (
      await as.post<Team>('/api/teams', {
        name: '销售部',
        kind: 'department',
        managerMemberId: owner.member.id,
      })
    ).body;
    east = (await as.post<Team>('/api/teams', { name: '华东团队', parentId: sales.id })).body;
    assert.equal(east.parentId, sales.id);
    const cycle = await as.patch<Problem>(`/api/teams/${sales.id}`, { parentId: east.id });
    assert.equal(cycle.status, 400);
    assert.equal(cycle.body.errors[0]?.code, 'TEAM_CYCLE');
    const list = await as.get<Team[]>('/api/teams');
    assert.deepEqual(
      list.body.map((team) => team.name),
      ['销售部', '华东团队'],
    );
  });

  it('invites a rep into a team; the invitation works once and only for that e-mail', async () => {
    wangfang = await addMember(http, owner, {
      email: 'wangfang@qiming.cn',
      name: '王芳',
      teamId: east.id,
    });
    const me = await http.get<{ member: { teamId: string }; roles: Array<{ key: string }> }>(
      '/api/me',
      { token: wangfang.accessToken },
    );
    assert.equal(me.body.member.teamId, east.id);
    assert.deepEqual(
      me.body.roles.map((r) => r.key),
      ['member'],
    );
    const invitation = await http.post<{ token: string }>(
      '/api/members/invitations',
      { email: 'lina@qiming.cn' },
      { token: owner.accessToken },
    );
    const wrongEmail = await http.post<Problem>('/api/auth/signup', {
      email: 'someone@else.cn',
      password: PASSWORD,
      name: '李娜',
      invitationToken: invitation.body.token,
    });
    assert.equal(wrongEmail.body.errors[0]?.code, 'INVITATION_EMAIL_MISMATCH');
    assert.equal(
      (
        await http.post('/api/auth/signup', {
          email: 'lina@qiming.cn',
          password: PASSWORD,
          name: '李娜',
          invitationToken: invitation.body.token,
        })
      ).status,
      201,
    );
    const again = await http.post<Problem>('/api/auth/signup', {
      email: 'lina2@qiming.cn',
      password: PASSWORD,
      name: '李娜',
      invitationToken: invitation.body.token,
    });
    assert.equal(again.body.errors[0]?.code, 'INVITATION_INVALID');
  });

  it('only members with manage_members may invite or change people', async () => {
    const asRep = http.as(wangfang.accessToken);
    assert.equal(
      (await asRep.post('/api/members/invitations', { email: 'x@qiming.cn' })).status,
      403,
    );
    assert.equal((await asRep.post('/api/teams', { name: '黑客团队' })).status, 403);
    assert.equal(
      (await asRep.post('/api/roles', { key: 'boss', name: '老板', permissions: {} })).status,
      403,
    );
  });

  it('grants roles by key and refuses unknown ones with their index', async () => {
    const as = http.as(owner.accessToken);
    const bad = await as.patch<Problem>(`/api/members/${wangfang.member.id}`, {
      roleKeys: ['member', 'wizard', 'owner'],
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0]?.code, 'OWNER_ROLE_RESERVED');
    const unknown = await as.patch<Problem>(`/api/members/${wangfang.member.id}`, {
      roleKeys: ['member', 'wizard'],
    });
    assert.deepEqual(
      unknown.body.errors.map((e) => [e.path, e.code]),
      [['roleKeys.1', 'UNKNOWN_ROLE']],
    );
    const ok = await as.patch<Member>(`/api/members/${wangfang.member.id}`, {
      roleKeys: ['manager', 'member'],
    });
    assert.deepEqual(ok.body.roleKeys, ['manager', 'member']);
  });

  it('refuses a custom role naming a form that does not exist', async () => {
    const response = await http.post<Problem>(
      '/api/roles',
      {
        key: 'finance',
        name: { 'zh-CN': '财务', en: 'Finance' },
        permissions: {
          forms: { '00000000-0000-4000-8000-000000000000': { actions: ['read'], rowScope: 'all' } },
        },
      },
      { token: owner.accessToken },
    );
    assert.equal(response.status, 400);
    assert.equal(response.body.errors[0]?.code, 'UNKNOWN_FORM');
  });

  it('removing a member ends their sessions at once', async () => {
    const lina = await http.post<Session>('/api/auth/login', {
      email: 'lina@qiming.cn',
      password: PASSWORD,
    });
    assert.equal((await http.get('/api/me', { token: lina.body.accessToken })).status, 200);
    assert.equal(
      (await http.delete(`/api/members/${lina.body.member.id}`, { token: owner.accessToken }))
        .status,
      204,
    );
    assert.equal((await http.get('/api/me', { token: lina.body.accessToken })).status, 401);
    assert.equal(
      (await http.post('/api/auth/refresh', { refreshToken: lina.body.refreshToken })).status,
      401,
    );
    const members = await http.get<Member[]>('/api/members', { token: owner.accessToken });
    assert.equal(members.body.find((m) => m.id === lina.body.member.id)?.status, 'removed');
  });

  it('the owner cannot be removed', async () => {
    const response = await http.delete<Problem>(`/api/members/${owner.member.id}`, {
      token: owner.accessToken,
    });
    assert.equal(response.status, 400);
    assert.equal(response.body.errors[0]?.code, 'OWNER_NOT_REMOVABLE');
  });
});

describe('two API processes share no stale sessions or grants', () => {
  it('a removal or a role change made through one API is enforced by the other at once', async () => {
    const first = await startTestApp();
    const second = await startTestApp({ database: first.database });
    try {
      const one = new HttpClient(first.baseUrl);
      const two = new HttpClient(second.baseUrl);
      const owner = await signupOwner(one);
      const rep = await addMember(one, owner, { email: 'sunli@qiming.cn', name: '孙丽' });
      // warm the second process's caches with the rep's session and grants
      assert.equal((await two.get('/api/me', { token: rep.accessToken })).status, 200);
      assert.equal(
        (await two.post('/api/teams', { name: '试探' }, { token: rep.accessToken })).status,
        403,
      );

      await one.patch(
        `/api/members/${rep.member.id}`,
        { roleKeys: ['admin'] },
        { token: owner.accessToken },
      );
      const granted = await waitFor(
        async () =>
          (await two.post('/api/teams', { name: '新团队' }, { token: rep.accessToken })).status ===
          201,
      );
      assert.ok(granted, 'the new role works through the other process');

      await one.delete(`/api/members/${rep.member.id}`, { token: owner.accessToken });
      const refused = await waitFor(
        async () => (await two.get('/api/me', { token: rep.accessToken })).status === 401,
      );
      assert.ok(refused, 'the removed member is refused by the other process');
    } finally {
      await second.app.close();
      await second.runtime.stop();
      await first.close();
    }
  });
});

/** Polls for up to a second: cross-process invalidation arrives as the change commits, not later. */
async function waitFor(check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + 1000;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}
