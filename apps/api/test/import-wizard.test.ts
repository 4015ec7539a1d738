import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createApp, CUSTOMER_SCHEMA, type FormInfo, publishForm } from './support/forms.js';
import { HttpClient, type Problem, type Session } from './support/http.js';
import {
  allRejections,
  fixture,
  type ImportBody,
  importFile,
  type MappingBody,
  uploadFile,
  waitForImport,
} from './support/imports.js';
import { addMember, signupOwner } from './support/people.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type RecordBody = { id: string; version: number; values: Record<string, unknown> };
type ListBody = { items: RecordBody[]; total?: number };
type HistoryBody = Array<{
  kind: string;
  version: number;
  changes: Array<{ field: string; from: unknown; to: unknown }>;
  detail?: Record<string, unknown>;
}>;

const QIMING = {
  company_name: '上海启明信息技术有限公司',
  contact_name: '张伟',
  phone: '13812345678',
  email: 'zhangwei@qiming.cn',
  level: 'normal',
};

/** The columns of duplicates.csv mapped to the customer form. */
const DUPLICATE_COLUMNS: MappingBody['columns'] = [
  { column: 0, field: 'company_name' },
  { column: 1, field: 'contact_name' },
  { column: 2, field: 'phone' },
  { column: 3, field: 'email' },
  { column: 4, field: 'level' },
];

describe('import wizard: suggestions, saved mappings, duplicates, modes and permissions', () => {
  let t: TestApp;
  let owner: Session;
  let as: HttpClient;
  let db: pg.Client;

  before(async () => {
    t = await startTestApp({ env: { TRELLIS_SIGNUP: 'open' } });
    const http = new HttpClient(t.baseUrl);
    owner = await signupOwner(http);
    as = http.as(owner.accessToken);
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await t.close();
  });

  /** A customer form of its own, holding 上海启明 as an existing customer. */
  async function freshForm(name: string): Promise<{ form: FormInfo; existing: RecordBody }> {
    const appId = await createApp(as, { 'zh-CN': name, en: name });
    const form = await publishForm(
      as,
      appId,
      'customer',
      { 'zh-CN': '客户', en: 'Customer' },
      CUSTOMER_SCHEMA,
    );
    const created = await as.post<RecordBody>(`/api/forms/${form.id}/records`, { values: QIMING });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return { form, existing: created.body };
  }

  const records = async (formId: string) =>
    (await as.get<ListBody>(`/api/forms/${formId}/records?limit=100&count=true`)).body;

  const run = (
    formId: string,
    file: string,
    mapping: Omit<MappingBody, 'columns'> & { columns?: MappingBody['columns'] },
    how: 'dry-run' | 'commit' = 'dry-run',
    mode: 'skip_bad_rows' | 'all_or_nothing' = 'skip_bad_rows',
  ) =>
    fixture(file).then((content) =>
      importFile(as, t.baseUrl, owner.accessToken, formId, file, content, {
        mapping: (suggested) => ({ ...suggested, columns: DUPLICATE_COLUMNS, ...mapping }),
        run: how,
        mode,
      }),
    );

  it('suggests fields from the words people use (公司名称, 联系方式, 电子邮箱, 等级) and proposes phone and e-mail as match keys', async () => {
    const { form } = await freshForm('建议');
    const uploaded = await uploadFile(
      t.baseUrl,
      owner.accessToken,
      form.id,
      'duplicates.csv',
      await fixture('duplicates.csv'),
    );
    assert.equal(uploaded.status, 201);
    assert.deepEqual(
      uploaded.body.columns.map((c) => [c.header, c.suggestion?.fieldId, c.suggestion?.source]),
      [
        ['公司名称', 'company_name', 'label'],
        ['联系人', 'contact_name', 'label'],
        ['联系方式', 'phone', 'alias'],
        ['电子邮箱', 'email', 'alias'],
        ['等级', 'level', 'alias'],
      ],
    );
    assert.deepEqual(uploaded.body.suggestedMapping.matchKeys, [
      { field: 'phone', method: 'phone' },
      { field: 'email', method: 'email' },
    ]);
    assert.deepEqual(uploaded.body.warnings, []);
  });

  it('skips rows that match an existing customer or an earlier row, and says which (138-1234-5678 = 13812345678)', async () => {
    const { form, existing } = await freshForm('跳过重复');
    const { result } = await run(form.id, 'duplicates.csv', {
      matchKeys: [
        { field: 'phone' },
        { field: 'email' },
        { field: 'company_name', method: 'company' },
      ],
      onMatch: 'skip',
      onDuplicateInFile: 'skip',
    });
    assert.equal(result.status, 'validated', JSON.stringify(result.error));
    assert.deepEqual(result.counts, { total: 6, new: 3, updated: 0, skipped: 3, rejected: 0 });
    const skipped = await allRejections(as, result.id, 'skipped');
    assert.deepEqual(
      skipped.map((s) => [s.line, s.reasons[0]?.code, s.recordId]),
      [
        [2, 'MATCHES_EXISTING', existing.id],
        [4, 'DUPLICATE_IN_FILE', null],
        [6, 'DUPLICATE_IN_FILE', null],
      ],
    );
    assert.equal(skipped[1]?.reasons[0]?.messages['zh-CN'], '与第 3 行重复，已跳过');
    assert.equal(skipped[2]?.reasons[0]?.messages.en, 'Duplicates line 5 of the file; skipped');
  });

  it('matches 某某公司 with 某某有限公司 on the normalised company name alone', async () => {
    const { form, existing } = await freshForm('公司名匹配');
    const { result } = await run(form.id, 'duplicates.csv', {
      matchKeys: [{ field: 'company_name', method: 'company' }],
      onMatch: 'skip',
      onDuplicateInFile: 'skip',
    });
    const skipped = await allRejections(as, result.id, 'skipped');
    assert.deepEqual(
      skipped.map((s) => [s.line, s.reasons[0]?.code, s.recordId]),
      [
        [2, 'MATCHES_EXISTING', existing.id],
        [4, 'DUPLICATE_IN_FILE', null],
        [6, 'DUPLICATE_IN_FILE', null],
      ],
    );
  });

  it('updates matched customers when asked: the merged record is validated, written once, with an import history entry', async () => {
    const { form, existing } = await freshForm('更新');
    const { result } = await run(
      form.id,
      'duplicates.csv',
      {
        matchKeys: [{ field: 'phone' }, { field: 'email' }],
        onMatch: 'update',
        onDuplicateInFile: 'update',
      },
      'commit',
    );
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    assert.deepEqual(result.counts, { total: 6, new: 3, updated: 2, skipped: 0, rejected: 1 });
    const qiming = await as.get<RecordBody>(`/api/forms/${form.id}/records/${existing.id}`);
    assert.equal(qiming.body.values['level'], 'vip');
    assert.equal(
      qiming.body.values['company_name'],
      '上海启明信息技术公司',
      'the file is newer: its name wins',
    );
    assert.equal(qiming.body.version, 2);
    const history = await as.get<HistoryBody>(
      `/api/forms/${form.id}/records/${existing.id}/history`,
    );
    const last = history.body[history.body.length - 1];
    assert.equal(last?.kind, 'import');
    assert.deepEqual(last?.changes.map((c) => [c.field, c.from, c.to]).sort(), [
      ['company_name', '上海启明信息技术有限公司', '上海启明信息技术公司'],
      ['level', 'normal', 'vip'],
    ]);
    assert.equal(last?.detail?.['importId'], result.id);
    const list = await records(form.id);
    const youpin = list.items.filter((r) =>
      String(r.values['company_name']).startsWith('广州优品'),
    );
    assert.equal(
      youpin.length,
      1,
      'line 4 updated the record line 3 created instead of adding a second one',
    );
    assert.equal(youpin[0]?.values['level'], 'important');
    assert.equal(
      list.total,
      4,
      '上海启明 and three new customers; the second 天津北辰 (another phone) clashes on the unique name',
    );
  });

  it('rejects duplicates inside the file when asked, and new rows whose unique company name is taken', async () => {
    const { form } = await freshForm('拒绝重复');
    const rejectDuplicates = await run(form.id, 'duplicates.csv', {
      matchKeys: [{ field: 'phone' }, { field: 'email' }],
      onMatch: 'skip',
      onDuplicateInFile: 'reject',
    });
    assert.deepEqual(
      (await allRejections(as, rejectDuplicates.result.id)).map((r) => [
        r.line,
        r.reasons[0]?.code,
      ]),
      [
        [4, 'DUPLICATE_IN_FILE'],
        [6, 'UNIQUE'],
      ],
    );
    const createAll = await run(form.id, 'duplicates.csv', {
      matchKeys: [{ field: 'email' }],
      onMatch: 'create',
      onDuplicateInFile: 'create',
    });
    const rejected = await allRejections(as, createAll.result.id);
    assert.deepEqual(
      rejected.map((r) => [
        r.line,
        r.reasons[0]?.field,
        r.reasons[0]?.code,
        r.reasons[0]?.messages['zh-CN'],
      ]),
      [[6, 'company_name', 'UNIQUE', '与第 5 行的值相同，这个字段不允许重复']],
    );
    const taken = await importFile(
      as,
      t.baseUrl,
      owner.accessToken,
      form.id,
      'taken.csv',
      Buffer.from('客户名称,联系人,手机\r\n上海启明信息技术有限公司,李娜,13700001111\r\n'),
      { run: 'dry-run' },
    );
    const clash = await allRejections(as, taken.result.id);
    assert.deepEqual(
      clash.map((r) => [r.line, r.reasons[0]?.code, r.reasons[0]?.column]),
      [[2, 'UNIQUE', '客户名称']],
    );
  });

  it('all or nothing: one bad row and nothing is written; skip-bad-rows then writes the others', async () => {
    const { form } = await freshForm('全部或无');
    const csv = Buffer.from(
      '客户名称,联系人,手机,客户等级\r\n杭州瑞丰物流有限公司,刘洋,13612345678,普通\r\n广州天润餐饮管理有限公司,陈静,12345,普通\r\n成都博远教育咨询有限公司,杨磊,15012345678,重要\r\n',
    );
    const { result } = await importFile(as, t.baseUrl, owner.accessToken, form.id, 'all.csv', csv, {
      mode: 'all_or_nothing',
    });
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.code, 'ROWS_REJECTED');
    assert.equal(result.counts?.new, 0);
    assert.equal(result.counts?.rejected, 1);
    assert.equal((await records(form.id)).total, 1, 'only the customer that was there before');
    assert.deepEqual(
      (await allRejections(as, result.id)).map((r) => r.line),
      [3],
    );
    const again = await as.post<ImportBody>(`/api/imports/${result.id}/commit`, {
      mode: 'skip_bad_rows',
    });
    assert.equal(again.status, 202, JSON.stringify(again.body));
    const done = await waitForImport(as, result.id);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.counts, { total: 3, new: 2, updated: 0, skipped: 0, rejected: 1 });
    assert.equal((await records(form.id)).total, 3);
    const twice = await as.post<Problem>(`/api/imports/${result.id}/commit`, {
      mode: 'skip_bad_rows',
    });
    assert.equal(twice.status, 409, 'a completed import is not committed again');
  });

  it('all or nothing writes everything when every row is good', async () => {
    const { form } = await freshForm('全部成功');
    const csv = Buffer.from(
      '客户名称,联系人,手机\r\n杭州瑞丰物流有限公司,刘洋,13612345678\r\n成都博远教育咨询有限公司,杨磊,15012345678\r\n',
    );
    const { result } = await importFile(
      as,
      t.baseUrl,
      owner.accessToken,
      form.id,
      'good.csv',
      csv,
      { mode: 'all_or_nothing' },
    );
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    assert.equal((await records(form.id)).total, 3);
  });

  it('saves the mapping for the form and suggests it for the next file with the same headers', async () => {
    const { form } = await freshForm('保存映射');
    const csv = Buffer.from('单位全称,甲方代表,手机\r\n杭州瑞丰物流有限公司,刘洋,13612345678\r\n');
    const first = await uploadFile(t.baseUrl, owner.accessToken, form.id, 'a.csv', csv);
    assert.equal(
      first.body.columns[1]?.suggestion,
      null,
      '甲方代表 means nothing to the suggester yet',
    );
    const saved = await as.put<ImportBody>(`/api/imports/${first.body.id}/mapping`, {
      columns: [
        { column: 0, field: 'company_name' },
        { column: 1, field: 'contact_name' },
        { column: 2, field: 'phone' },
      ],
      matchKeys: [{ field: 'phone' }],
      onMatch: 'update',
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const list = await as.get<{
      items: Array<{
        headers: string[];
        columns: Record<string, string>;
        settings: { onMatch: string };
      }>;
    }>(`/api/forms/${form.id}/import-mappings`);
    assert.equal(list.body.items.length, 1);
    assert.deepEqual(list.body.items[0]?.columns, {
      单位全称: 'company_name',
      甲方代表: 'contact_name',
      手机: 'phone',
    });
    const second = await uploadFile(t.baseUrl, owner.accessToken, form.id, 'b.csv', csv);
    assert.deepEqual(second.body.columns[1]?.suggestion, {
      fieldId: 'contact_name',
      score: 1,
      source: 'saved',
    });
    assert.equal(
      second.body.suggestedMapping.onMatch,
      'update',
      'the saved duplicate policy comes back too',
    );
  });

  it('maps option labels the user names (A类 → vip), and refuses an option value the field does not have', async () => {
    const { form } = await freshForm('选项映射');
    const csv = Buffer.from(
      '客户名称,联系人,手机,邮箱,客户分类\r\n杭州瑞丰物流有限公司,刘洋,13612345678,liuyang@ruifeng.cn,A类\r\n成都博远教育咨询有限公司,杨磊,15012345678,,B类\r\n',
    );
    const { result } = await importFile(
      as,
      t.baseUrl,
      owner.accessToken,
      form.id,
      'options.csv',
      csv,
      {
        mapping: (s) => ({
          ...s,
          columns: s.columns.map((c) =>
            c.column === 4
              ? { column: 4, field: 'level', options: { A类: 'vip', B类: 'important' } }
              : c,
          ),
        }),
      },
    );
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    const levels = (await records(form.id)).items
      .map((r) => [r.values['company_name'], r.values['level']])
      .sort();
    assert.deepEqual(levels, [
      ['上海启明信息技术有限公司', 'normal'],
      ['成都博远教育咨询有限公司', 'important'],
      ['杭州瑞丰物流有限公司', 'vip'],
    ]);
    const uploaded = await uploadFile(t.baseUrl, owner.accessToken, form.id, 'options.csv', csv);
    const bad = await as.put<Problem>(`/api/imports/${uploaded.body.id}/mapping`, {
      columns: [{ column: 4, field: 'level', options: { A类: 'platinum' } }],
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(
      bad.body.errors.map((e) => [e.path, e.code]),
      [['columns.0.options.A类', 'UNKNOWN_OPTION']],
    );
  });

  it('answers every problem of a mapping at once, located', async () => {
    const { form } = await freshForm('映射错误');
    const uploaded = await uploadFile(
      t.baseUrl,
      owner.accessToken,
      form.id,
      'duplicates.csv',
      await fixture('duplicates.csv'),
    );
    const bad = await as.put<Problem>(`/api/imports/${uploaded.body.id}/mapping`, {
      columns: [
        { column: 0, field: 'company_name' },
        { column: 1, field: 'company_name' },
        { column: 2, field: 'customer_no' },
        { column: 3, field: 'no_such_field' },
        { column: 9, field: null },
      ],
      matchKeys: [{ field: 'email' }],
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(
      bad.body.errors.map((e) => [e.path, e.code]),
      [
        ['columns.1.field', 'DUPLICATE_FIELD'],
        ['columns.2.field', 'FIELD_NOT_IMPORTABLE'],
        ['columns.3.field', 'UNKNOWN_FIELD'],
        ['columns.4.column', 'UNKNOWN_COLUMN'],
        ['matchKeys.0.field', 'KEY_NOT_MAPPED'],
      ],
    );
  });

  it('reports progress (percent, rows per second), writes one history entry per new record and one import.completed event', async () => {
    const { form } = await freshForm('进度');
    const lines = ['客户名称,联系人,手机,客户等级'];
    for (let i = 0; i < 5_000; i++)
      lines.push(`测试客户${i}有限公司,王芳,139${String(i).padStart(8, '0')},普通`);
    const uploaded = await uploadFile(
      t.baseUrl,
      owner.accessToken,
      form.id,
      'progress.csv',
      Buffer.from(lines.join('\r\n')),
    );
    await as.put(`/api/imports/${uploaded.body.id}/mapping`, uploaded.body.suggestedMapping);
    const started = await as.post<ImportBody>(`/api/imports/${uploaded.body.id}/commit`, {
      mode: 'skip_bad_rows',
    });
    assert.equal(started.status, 202);
    assert.equal(started.body.status, 'running');
    const seen: string[] = [];
    const done = await waitForImport(as, uploaded.body.id, (b) => {
      if (b.progress !== null && !seen.includes(b.progress.phase)) seen.push(b.progress.phase);
      return b.status !== 'running';
    });
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.equal(done.progress?.percent, 100);
    assert.ok((done.progress?.rowsPerSecond ?? 0) >= 0);
    assert.ok(seen.length >= 1, `phases seen: ${seen.join(', ')}`);
    assert.deepEqual(done.counts, { total: 5000, new: 5000, updated: 0, skipped: 0, rejected: 0 });
    const history = await db.query<{ n: number; kinds: string[] }>(
      `SELECT count(*)::int AS n, array_agg(DISTINCT kind) AS kinds FROM record_history WHERE form_id = $1 AND detail->>'importId' = $2`,
      [form.id, done.id],
    );
    assert.equal(history.rows[0]?.n, 5000);
    assert.deepEqual(history.rows[0]?.kinds, ['import']);
    const events = await db.query<{
      type: string;
      payload: { counts: { new: number }; importId: string };
    }>(`SELECT type, payload FROM outbox_event WHERE form_id = $1 AND type LIKE 'import.%'`, [
      form.id,
    ]);
    assert.equal(events.rows.length, 1);
    assert.equal(events.rows[0]?.type, 'import.completed');
    assert.equal(events.rows[0]?.payload.counts.new, 5000);
    const perRecord = await db.query(
      `SELECT 1 FROM outbox_event WHERE form_id = $1 AND type = 'record.created'`,
      [form.id],
    );
    assert.equal(
      perRecord.rows.length,
      1,
      'only the customer created through the API has a record.created event',
    );
    const staging = await db.query(`SELECT to_regclass($1) AS t`, [
      `trellis_import.s_${done.id.replace(/-/g, '')}`,
    ]);
    assert.equal(
      staging.rows[0]?.t,
      null,
      'the staging table is dropped once the import completes',
    );
  });

  it('lists the imports of a form and discards one that is not running', async () => {
    const { form } = await freshForm('列表');
    const uploaded = await uploadFile(
      t.baseUrl,
      owner.accessToken,
      form.id,
      'duplicates.csv',
      await fixture('duplicates.csv'),
    );
    const list = await as.get<{ items: Array<{ id: string; status: string; fileName: string }> }>(
      `/api/forms/${form.id}/imports`,
    );
    assert.deepEqual(
      list.body.items.map((i) => [i.id, i.status, i.fileName]),
      [[uploaded.body.id, 'uploaded', 'duplicates.csv']],
    );
    assert.equal((await as.delete(`/api/imports/${uploaded.body.id}`)).status, 204);
    assert.equal((await as.get(`/api/imports/${uploaded.body.id}`)).status, 404);
    const chunks = await db.query(`SELECT 1 FROM import_file_chunk WHERE import_id = $1`, [
      uploaded.body.id,
    ]);
    assert.equal(chunks.rows.length, 0, 'the stored file goes with it');
  });

  describe('permissions', () => {
    it('needs the import permission on the form', async () => {
      const { form } = await freshForm('权限');
      const member = await addMember(new HttpClient(t.baseUrl), owner, {
        email: 'lina@qiming.cn',
        name: '李娜',
      });
      const response = await uploadFile(
        t.baseUrl,
        member.accessToken,
        form.id,
        'duplicates.csv',
        await fixture('duplicates.csv'),
      );
      assert.equal(response.status, 403);
    });

    it('refuses mapping a column to a field the importer may not write (read-only or hidden), and never suggests one', async () => {
      const { form } = await freshForm('字段权限');
      const role = await as.post('/api/roles', {
        key: 'importer',
        name: { 'zh-CN': '导入员', en: 'Importer' },
        permissions: {
          forms: {
            [form.id]: {
              actions: ['create', 'read', 'import'],
              rowScope: 'all',
              fields: { level: 'read_only', email: 'hidden' },
            },
          },
        },
      });
      assert.equal(role.status, 201, JSON.stringify(role.body));
      const importer = await addMember(new HttpClient(t.baseUrl), owner, {
        email: 'wangfang@qiming.cn',
        name: '王芳',
        roleKeys: ['importer'],
      });
      const asImporter = new HttpClient(t.baseUrl, importer.accessToken);
      const uploaded = await uploadFile(
        t.baseUrl,
        importer.accessToken,
        form.id,
        'duplicates.csv',
        await fixture('duplicates.csv'),
      );
      assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
      assert.deepEqual(
        uploaded.body.columns.map((c) => c.suggestion?.fieldId ?? null),
        ['company_name', 'contact_name', 'phone', null, null],
      );
      const refused = await asImporter.put<Problem>(`/api/imports/${uploaded.body.id}/mapping`, {
        columns: DUPLICATE_COLUMNS,
      });
      assert.equal(refused.status, 403);
      assert.deepEqual(
        refused.body.errors.map((e) => [e.path, e.code]),
        [
          ['columns.3.field', 'FIELD_NOT_WRITABLE'],
          ['columns.4.field', 'FIELD_NOT_WRITABLE'],
        ],
      );
      const updates = await asImporter.put<Problem>(`/api/imports/${uploaded.body.id}/mapping`, {
        columns: DUPLICATE_COLUMNS.slice(0, 3),
        matchKeys: [{ field: 'phone' }],
        onMatch: 'update',
      });
      assert.equal(updates.status, 403, 'updating matches needs the update permission');
      assert.deepEqual(
        updates.body.errors.map((e) => e.code),
        ['UPDATE_NOT_ALLOWED'],
      );
    });

    it("keeps one workspace's imports invisible to another (404, nothing changed)", async () => {
      const { form } = await freshForm('隔离');
      const uploaded = await uploadFile(
        t.baseUrl,
        owner.accessToken,
        form.id,
        'duplicates.csv',
        await fixture('duplicates.csv'),
      );
      const other = await signupOwner(
        new HttpClient(t.baseUrl),
        'boss@huaxin.com',
        '赵强',
        '北京华信商贸有限公司',
      );
      const asOther = new HttpClient(t.baseUrl, other.accessToken);
      for (const [method, path, body] of [
        ['GET', `/api/imports/${uploaded.body.id}`, undefined],
        ['PUT', `/api/imports/${uploaded.body.id}/mapping`, { columns: DUPLICATE_COLUMNS }],
        ['POST', `/api/imports/${uploaded.body.id}/commit`, {}],
        ['POST', `/api/imports/${uploaded.body.id}/resume`, undefined],
        ['GET', `/api/imports/${uploaded.body.id}/rejections`, undefined],
        ['GET', `/api/imports/${uploaded.body.id}/rejected.csv`, undefined],
        ['DELETE', `/api/imports/${uploaded.body.id}`, undefined],
        ['GET', `/api/forms/${form.id}/import-mappings`, undefined],
      ] as const) {
        const response = await asOther.request(method, path, body === undefined ? {} : { body });
        assert.equal(response.status, 404, `${method} ${path}`);
      }
      const still = await as.get<ImportBody>(`/api/imports/${uploaded.body.id}`);
      assert.equal(still.body.status, 'uploaded');
    });
  });
});
