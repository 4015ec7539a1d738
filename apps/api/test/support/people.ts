import assert from 'node:assert/strict';
import type { HttpClient, Session } from './http.js';

export const PASSWORD = 'Qiming-CRM-2026!';

/** Signs up the first account (the instance owner, owner of its workspace). */
export async function signupOwner(
  http: HttpClient,
  email = 'zhangwei@qiming.cn',
  name = '张伟',
  workspaceName = '上海启明信息技术有限公司',
): Promise<Session> {
  const response = await http.post<Session>('/api/auth/signup', {
    email,
    password: PASSWORD,
    name,
    workspaceName,
  });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body;
}

/** Invites someone into the owner's workspace and signs them up with the invitation. */
export async function addMember(
  http: HttpClient,
  owner: Session,
  input: { email: string; name: string; roleKeys?: string[]; teamId?: string },
): Promise<Session> {
  const invitation = await http.post<{ token: string }>(
    '/api/members/invitations',
    {
      email: input.email,
      roleKeys: input.roleKeys ?? ['member'],
      ...(input.teamId !== undefined ? { teamId: input.teamId } : {}),
    },
    { token: owner.accessToken },
  );
  assert.equal(invitation.status, 201, JSON.stringify(invitation.body));
  const signup = await http.post<Session>('/api/auth/signup', {
    email: input.email,
    password: PASSWORD,
    name: input.name,
    invitationToken: invitation.body.token,
  });
  assert.equal(signup.status, 201, JSON.stringify(signup.body));
  return signup.body;
}
