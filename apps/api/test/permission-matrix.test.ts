import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp, CUSTOMER_SCHEMA, publishForm } from './support/forms.js';
import { HttpClient, type Session } from './support/http.js';
import { addMember, signupOwner } from './support/people.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type RecordBody = {
  id: string;
  version: number;
  values: Record<string, unknown>;
  masked: string[];
};
type ListBody = { items: RecordBody[]; total?: number };

/**
 * Roles x channels x row scopes x field policies. One department (销售部,
 * managed by 孙经理) with two teams: 华东 (王芳, 李娜) and 华南 (赵磊). Each
 * person owns one customer; the 孙经理 owns a VIP one. Every viewer is asked
 * through every read channel, and each must agree with the same expectation.
 */
describe('permission matrix', () => {
  let t: TestApp;
  let http: HttpClient;
  let owner: Session;
  let formId: string;
  const people: Record<string, Session> = {};
  const recordOf: Record<string, string> = {};

  const scopes = {
    scope_own: 'own',
    scope_team: 'team',
    scope_dept: 'department',
    scope_vip: { logic: { '==': [{ var: 'level' }, 'vip'] } },
    scope_all: 'all',
  } as const;

  before(async () => {
    t = await startTestApp();
    http = new HttpClient(t.baseUrl);
    owner = await signupOwner(http);
    const as = http.as(owner.accessToken);
    const appId = await createApp(as);
    formId = (
      await publishForm(as, appId, 'customer', { 'zh-CN': '客户', en: 'Customer' }, CUSTOMER_SCHEMA)
    ).id;
    for (const [key, rowScope] of Object.entries(scopes)) {
      const response = await as.post('/api/roles', {
        key,
        name: key,
        permissions: {
          forms: {
            [formId]: {
              actions: ['create', 'read', 'update'],
              rowScope,
              fields: { annual_revenue: 'hidden', phone: 'masked', level: 'read_only' },
            },
          },
        },
      });
      assert.equal(response.status, 201, JSON.stringify(response.body));
    }
    const manager = await addMember(http, owner, {
      email: 'sun@qiming.cn',
      name: '孙经理',
      roleKeys: ['scope_dept'],
    });
    const dept = (
      await as.post<{ id: string }>('/api/teams', {
        name: '销售部',
        kind: 'department',
        managerMemberId: manager.member.id,
      })
    ).body.id;
    const east = (await as.post<{ id: string }>('/api/teams', { name: '华东', parentId: dept }))
      .body.id;
    const south = (await as.post<{ id: string }>('/api/teams', { name: '华南', parentId: dept }))
      .body.id;
    await as.patch(`/api/members/${manager.member.id}`, { teamId: dept });
    people['sun'] = (
      await http.post<Session>('/api/auth/login', {
        email: 'sun@qiming.cn',
        password: 'Qiming-CRM-2026!',
      })
    ).body;
    people['wang'] = await addMember(http, owner, {
      email: 'wang@qiming.cn',
      name: '王芳',
      roleKeys: ['scope_own'],
      teamId: east,
    });
    people['li'] = await addMember(http, owner, {
      email: 'li@qiming.cn',
      name: '李娜',
      roleKeys: ['scope_team'],
      teamId: east,
    });
    people['zhao'] = await addMember(http, owner, {
      email: 'zhao@qiming.cn',
      name: '赵磊',
      roleKeys: ['scope_vip'],
      teamId: south,
    });
    people['qian'] = await addMember(http, owner, {
      email: 'qian@qiming.cn',
      name: '钱多',
      roleKeys: ['scope_all'],
    });
    const phones: Record<string, string> = {
      sun: '13900000001',
      wang: '13900000002',
      li: '13900000003',
      zhao: '13900000004',
    };
    for (const who of ['sun', 'wang', 'li', 'zhao']) {
      const session = people[who] as Session;
      const created = await http.post<RecordBody>(
        `/api/forms/${formId}/records`,
        {
          values: {
            company_name: `${who}的客户`,
            contact_name: who,
            phone: phones[who],
            level: 'normal',
          },
        },
        { token: session.accessToken },
      );
      assert.equal(created.status, 201, JSON.stringify(created.body));
      recordOf[who] = created.body.id;
    }
    // the owner makes 孙经理's customer VIP (level is read-only for the scoped roles)
    await as.patch(`/api/forms/${formId}/records/${recordOf['sun']}`, {
      values: { level: 'vip', email: 'vip@qiming.cn' },
      version: 1,
    });
  });
  after(() => t.close());

  const expected: Record<string, string[]> = {
    wang: ['wang'], // own
    li: ['li', 'wang'], // team 华东
    sun: ['li', 'sun', 'wang', 'zhao'], // department subtree
    zhao: ['sun', 'zhao'], // predicate level == vip, plus nothing else (own records are not implied by a predicate)
    qian: ['li', 'sun', 'wang', 'zhao'], // all
  };

  for (const [viewer, visible] of Object.entries(expected)) {
    it(`${viewer}: list, count, get, search and filter all agree on the visible records`, async () => {
      const as = http.as((people[viewer] as Session).accessToken);
      const names = (items: RecordBody[]) =>
        items.map((r) => String(r.values['contact_name'])).sort();
      const list = await as.get<ListBody>(`/api/forms/${formId}/records?count=true`);
      // zhao sees VIP records only, so his own (normal) one is not listed
      const expectedNames = visible.filter((v) => !(viewer === 'zhao' && v === 'zhao'));
      assert.deepEqual(names(list.body.items), expectedNames, 'list');
      assert.equal(list.body.total, expectedNames.length, 'count');
      for (const who of ['sun', 'wang', 'li', 'zhao']) {
        const get = await as.get(`/api/forms/${formId}/records/${recordOf[who]}`);
        assert.equal(get.status, expectedNames.includes(who) ? 200 : 404, `get ${who}'s record`);
        const history = await as.get(`/api/forms/${formId}/records/${recordOf[who]}/history`);
        assert.equal(
          history.status,
          expectedNames.includes(who) ? 200 : 404,
          `history of ${who}'s record`,
        );
      }
      const search = await as.get<ListBody>(
        `/api/forms/${formId}/records?q=${encodeURIComponent('的客户')}`,
      );
      assert.deepEqual(names(search.body.items), expectedNames, 'search');
      const filtered = await as.get<ListBody>(
        `/api/forms/${formId}/records?filter=${encodeURIComponent(JSON.stringify({ field: 'company_name', op: 'contains', value: '客户' }))}`,
      );
      assert.deepEqual(names(filtered.body.items), expectedNames, 'filter');
    });

    it(`${viewer}: hidden fields never come back, masked ones only on own records, read-only ones refuse writes`, async () => {
      const as = http.as((people[viewer] as Session).accessToken);
      const list = await as.get<ListBody>(`/api/forms/${formId}/records`);
      for (const record of list.body.items) {
        assert.ok(!('annual_revenue' in record.values), 'hidden');
        const own = record.values['contact_name'] === viewer;
        assert.equal(record.masked.includes('phone'), !own, 'masked unless owned');
        if (!own) assert.match(String(record.values['phone']), /^139\*{4}\d{4}$/);
      }
      for (const [channel, url] of [
        [
          'filter',
          `/api/forms/${formId}/records?filter=${encodeURIComponent(JSON.stringify({ field: 'annual_revenue', op: 'gt', value: 0 }))}`,
        ],
        ['sort', `/api/forms/${formId}/records?sort=annual_revenue`],
      ] as const) {
        const response = await as.get(url);
        assert.equal(response.status, 403, `${channel} on a hidden field`);
      }
      const mine = recordOf[viewer];
      if (mine !== undefined) {
        const current = await as.get<RecordBody>(`/api/forms/${formId}/records/${mine}`);
        if (current.status === 200) {
          const write = await as.patch(`/api/forms/${formId}/records/${mine}`, {
            values: { level: 'important' },
            version: current.body.version,
          });
          assert.equal(write.status, 403, 'read-only field');
        }
      }
    });
  }

  it('a viewer cannot change or delete a record outside their scope (404, nothing changed)', async () => {
    const wang = http.as((people['wang'] as Session).accessToken);
    const patch = await wang.patch(`/api/forms/${formId}/records/${recordOf['zhao']}`, {
      values: { contact_name: '篡改' },
      version: 1,
    });
    assert.equal(patch.status, 404);
    const check = await http
      .as(owner.accessToken)
      .get<RecordBody>(`/api/forms/${formId}/records/${recordOf['zhao']}`);
    assert.equal(check.body.values['contact_name'], 'zhao');
  });
});
