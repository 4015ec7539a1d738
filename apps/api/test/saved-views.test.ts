import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp, CUSTOMER_SCHEMA, type FormInfo, publishForm } from './support/forms.js';
import { HttpClient, type Problem, type Session } from './support/http.js';
import { addMember, signupOwner } from './support/people.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type ViewBody = {
  id: string;
  formId: string;
  name: string;
  shared: boolean;
  ownerId: string | null;
  filter: Record<string, unknown> | null;
  sort: string | null;
  search: string | null;
  columns: string[] | null;
  mode: 'list' | 'kanban';
  canEdit: boolean;
};

const IMPORTANT_IN_SHANGHAI = {
  name: '上海重要客户',
  filter: {
    and: [
      { field: 'level', op: 'eq', value: 'important' },
      { field: 'company_name', op: 'contains', value: '上海' },
    ],
  },
  sort: '-annual_revenue',
  search: '启明',
  columns: ['company_name', 'contact_name', 'level', 'annual_revenue'],
};

describe('saved views of a record list', () => {
  let t: TestApp;
  let http: HttpClient;
  let owner: Session;
  let as: HttpClient;
  let rep: HttpClient;
  let repSession: Session;
  let colleague: HttpClient;
  let form: FormInfo;
  const views = () => `/api/forms/${form.id}/views`;

  before(async () => {
    t = await startTestApp({ env: { TRELLIS_SIGNUP: 'open' } });
    http = new HttpClient(t.baseUrl);
    owner = await signupOwner(http);
    as = http.as(owner.accessToken);
    const appId = await createApp(as);
    form = await publishForm(
      as,
      appId,
      'customer',
      { 'zh-CN': '客户', en: 'Customer' },
      CUSTOMER_SCHEMA,
    );
    const role = await as.post('/api/roles', {
      key: 'sales_rep',
      name: { 'zh-CN': '销售代表', en: 'Sales rep' },
      permissions: {
        forms: {
          [form.id]: {
            actions: ['create', 'read', 'update'],
            rowScope: 'all',
            fields: { phone: 'masked', annual_revenue: 'hidden' },
          },
        },
      },
    });
    assert.equal(role.status, 201, JSON.stringify(role.body));
    repSession = await addMember(http, owner, {
      email: 'wangfang@qiming.cn',
      name: '王芳',
      roleKeys: ['sales_rep'],
    });
    rep = http.as(repSession.accessToken);
    colleague = http.as(
      (
        await addMember(http, owner, {
          email: 'lina@qiming.cn',
          name: '李娜',
          roleKeys: ['sales_rep'],
        })
      ).accessToken,
    );
  });
  after(() => t.close());

  it('saves, lists, overwrites, renames and deletes a personal view', async () => {
    const created = await as.post<ViewBody>(views(), IMPORTANT_IN_SHANGHAI);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.name, '上海重要客户');
    assert.equal(created.body.shared, false);
    assert.equal(created.body.ownerId, owner.member.id);
    assert.equal(created.body.mode, 'list');
    assert.equal(created.body.canEdit, true);
    assert.deepEqual(created.body.columns, IMPORTANT_IN_SHANGHAI.columns);

    const listed = await as.get<ViewBody[]>(views());
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.map((v) => v.name),
      ['上海重要客户'],
    );
    assert.deepEqual(listed.body[0]?.filter, IMPORTANT_IN_SHANGHAI.filter);

    const overwritten = await as.patch<ViewBody>(`/api/views/${created.body.id}`, {
      filter: { field: 'status', op: 'eq', value: 'active' },
      sort: 'signed_on',
      search: '',
      columns: ['company_name', 'status', 'signed_on'],
    });
    assert.equal(overwritten.status, 200, JSON.stringify(overwritten.body));
    assert.equal(overwritten.body.sort, 'signed_on');
    assert.equal(overwritten.body.search, null, 'an empty search is stored as none');
    assert.equal(overwritten.body.name, '上海重要客户', 'the name is kept when not sent');

    const renamed = await as.patch<ViewBody>(`/api/views/${created.body.id}`, {
      name: '活跃客户（按签约日期）',
    });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.name, '活跃客户（按签约日期）');
    assert.deepEqual(renamed.body.columns, ['company_name', 'status', 'signed_on']);

    const twin = await as.post<Problem>(views(), { name: '活跃客户（按签约日期）' });
    assert.equal(twin.status, 409, 'names are unique among my own views of the form');
    assert.deepEqual(
      twin.body.errors.map((e) => [e.path, e.code]),
      [['name', 'DUPLICATE_NAME']],
    );

    const removed = await as.delete(`/api/views/${created.body.id}`);
    assert.equal(removed.status, 204);
    assert.deepEqual((await as.get<ViewBody[]>(views())).body, []);
    assert.equal((await as.delete(`/api/views/${created.body.id}`)).status, 404);
  });

  it('keeps personal views to their author and shows shared views to every reader', async () => {
    const mine = await rep.post<ViewBody>(views(), {
      name: '我的潜在客户',
      filter: { field: 'status', op: 'eq', value: 'potential' },
      sort: '-created_at',
    });
    assert.equal(mine.status, 201, JSON.stringify(mine.body));
    const shared = await as.post<ViewBody>(views(), {
      name: '全员：VIP 客户',
      shared: true,
      filter: { field: 'level', op: 'eq', value: 'vip' },
      columns: ['company_name', 'contact_name', 'phone'],
      mode: 'kanban',
    });
    assert.equal(shared.status, 201, JSON.stringify(shared.body));
    assert.equal(shared.body.shared, true);

    const repViews = await rep.get<ViewBody[]>(views());
    assert.deepEqual(
      repViews.body.map((v) => [v.name, v.shared, v.canEdit]),
      [
        ['全员：VIP 客户', true, false],
        ['我的潜在客户', false, true],
      ],
    );
    const colleagueViews = await colleague.get<ViewBody[]>(views());
    assert.deepEqual(
      colleagueViews.body.map((v) => v.name),
      ['全员：VIP 客户'],
      "a colleague does not see another member's personal view",
    );
    const ownerViews = await as.get<ViewBody[]>(views());
    assert.deepEqual(
      ownerViews.body.map((v) => [v.name, v.canEdit]),
      [['全员：VIP 客户', true]],
      'even the owner does not see personal views of others',
    );
    assert.equal(
      (await colleague.patch(`/api/views/${mine.body.id}`, { name: '改名' })).status,
      404,
    );
    assert.equal((await colleague.delete(`/api/views/${mine.body.id}`)).status, 404);
    assert.equal((await as.delete(`/api/views/${mine.body.id}`)).status, 404);
  });

  it('refuses sharing and editing shared views without manage on the form (403)', async () => {
    const sharing = await rep.post<Problem>(views(), { name: '想共享的视图', shared: true });
    assert.equal(sharing.status, 403);
    assert.equal(sharing.body.code, 'FORBIDDEN');

    const personal = await rep.post<ViewBody>(views(), { name: '跟进中' });
    const shareLater = await rep.patch<Problem>(`/api/views/${personal.body.id}`, {
      shared: true,
    });
    assert.equal(shareLater.status, 403);

    const shared = (await rep.get<ViewBody[]>(views())).body.find((v) => v.shared);
    assert.ok(shared !== undefined);
    const edit = await rep.patch<Problem>(`/api/views/${shared.id}`, { name: '被改掉的名字' });
    assert.equal(edit.status, 403);
    const remove = await rep.delete<Problem>(`/api/views/${shared.id}`);
    assert.equal(remove.status, 403);
    assert.equal(
      (await as.get<ViewBody[]>(views())).body.find((v) => v.id === shared.id)?.name,
      '全员：VIP 客户',
      'the shared view is unchanged',
    );
    const managerEdit = await as.patch<ViewBody>(`/api/views/${shared.id}`, {
      name: 'VIP 客户（全员）',
    });
    assert.equal(managerEdit.status, 200);
  });

  it('answers unknown fields and a bad sort with every problem located (400)', async () => {
    const response = await as.post<Problem>(views(), {
      name: '有问题的视图',
      filter: { field: 'no_such_field', op: 'eq', value: 1 },
      sort: '-wechat_id',
      columns: ['company_name', 'wechat_id', 'company_name'],
    });
    assert.equal(response.status, 400, JSON.stringify(response.body));
    assert.equal(response.body.code, 'VALIDATION_FAILED');
    assert.deepEqual(
      response.body.errors.map((e) => [e.path, e.code]),
      [
        ['filter.field', 'UNKNOWN_FIELD'],
        ['sort', 'UNKNOWN_SORT_FIELD'],
        ['columns.1', 'UNKNOWN_FIELD'],
        ['columns.2', 'DUPLICATE_COLUMN'],
      ],
    );
    const twoSorts = await as.post<Problem>(views(), {
      name: '两个排序',
      sort: 'level,-created_at',
    });
    assert.equal(twoSorts.status, 400);
    assert.deepEqual(
      twoSorts.body.errors.map((e) => [e.path, e.code]),
      [['sort', 'ONE_SORT_FIELD']],
    );
    const noName = await as.post<Problem>(views(), { name: '   ' });
    assert.equal(noName.status, 400);
    assert.ok(noName.body.errors.some((e) => e.path === 'name'));
  });

  it('refuses a field hidden from the viewer in the filter, sort or columns (403), as the list does', async () => {
    const response = await rep.post<Problem>(views(), {
      name: '按营业额',
      filter: { field: 'annual_revenue', op: 'gt', value: 10000 },
      sort: '-annual_revenue',
      columns: ['company_name', 'annual_revenue'],
    });
    assert.equal(response.status, 403, JSON.stringify(response.body));
    assert.deepEqual(
      response.body.errors.map((e) => [e.path, e.code]),
      [
        ['filter.field', 'FIELD_NOT_READABLE'],
        ['sort', 'FIELD_NOT_READABLE'],
        ['columns.1', 'FIELD_NOT_READABLE'],
      ],
    );
    const own = (await rep.get<ViewBody[]>(views())).body.find((v) => !v.shared);
    assert.ok(own !== undefined);
    const patched = await rep.patch<Problem>(`/api/views/${own.id}`, {
      columns: ['annual_revenue'],
    });
    assert.equal(patched.status, 403);
    assert.equal(patched.body.errors[0]?.path, 'columns.0');
  });

  it('keeps views inside their workspace (404 to another workspace)', async () => {
    const other = await signupOwner(http, 'chenjing@yunfan.cn', '陈静', '云帆电商');
    const asOther = http.as(other.accessToken);
    const shared = (await as.get<ViewBody[]>(views())).body.find((v) => v.shared);
    assert.ok(shared !== undefined);
    assert.equal((await asOther.get(views())).status, 404);
    assert.equal((await asOther.post(views(), { name: '越权' })).status, 404);
    assert.equal((await asOther.patch(`/api/views/${shared.id}`, { name: '越权' })).status, 404);
    assert.equal((await asOther.delete(`/api/views/${shared.id}`)).status, 404);
    assert.equal(
      (await as.get<ViewBody[]>(views())).body.find((v) => v.id === shared.id)?.name,
      'VIP 客户（全员）',
    );
  });
});
