import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp, CUSTOMER_SCHEMA, type FormInfo, publishForm } from './support/forms.js';
import { HttpClient, type Session } from './support/http.js';
import {
  allRejections,
  fixture,
  type ImportBody,
  importFile,
  uploadFile,
} from './support/imports.js';
import { signupOwner } from './support/people.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type RecordBody = { id: string; values: Record<string, unknown> };
type ListBody = { items: RecordBody[]; total?: number };

/**
 * Real files as Chinese offices produce them: detection of encoding,
 * delimiter and header, cleaning of every way people write phones, dates
 * and amounts, and the rows that must be rejected, each with its line and reason.
 */
describe('import: messy real-world files', () => {
  let t: TestApp;
  let owner: Session;
  let as: HttpClient;
  let form: FormInfo;

  before(async () => {
    t = await startTestApp();
    const http = new HttpClient(t.baseUrl);
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
  });
  after(() => t.close());

  const upload = async (name: string) => {
    const response = await uploadFile(
      t.baseUrl,
      owner.accessToken,
      form.id,
      name,
      await fixture(name),
    );
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body;
  };

  const detection = [
    { file: 'customers-utf8-bom.csv', encoding: 'utf-8', delimiter: ',', rows: 9 },
    { file: 'customers-utf8.csv', encoding: 'utf-8', delimiter: ',', rows: 9 },
    { file: 'customers-gbk.csv', encoding: 'gb18030', delimiter: ',', rows: 8 },
    { file: 'customers-gb18030.csv', encoding: 'gb18030', delimiter: ',', rows: 1 },
    { file: 'customers-unicode.txt', encoding: 'utf-16le', delimiter: '\t', rows: 3 },
    { file: 'customers-semicolon.csv', encoding: 'utf-8', delimiter: ';', rows: 3 },
  ];
  for (const c of detection) {
    it(`detects ${c.file}: ${c.encoding}, ${JSON.stringify(c.delimiter)}, header on line 1, Chinese headers intact`, async () => {
      const body = await upload(c.file);
      assert.equal(body.status, 'uploaded');
      assert.equal(body.file.encoding, c.encoding);
      assert.equal(body.file.delimiter, c.delimiter);
      assert.equal(body.file.headerLine, 1);
      assert.equal(body.file.rows, c.rows);
      assert.deepEqual(
        body.columns.map((col) => col.header),
        [
          '客户名称',
          '联系人',
          '手机',
          '邮箱',
          '客户等级',
          '客户状态',
          '流失原因',
          '年营业额',
          '标签',
          '签约日期',
        ],
      );
      assert.equal(
        body.sample[0]?.cells[0],
        c.file === 'customers-gb18030.csv' ? '重庆锦程新能源有限公司' : '上海启明信息技术有限公司',
      );
      const suggested = Object.fromEntries(
        body.columns.map((col) => [col.header, col.suggestion?.fieldId ?? null]),
      );
      assert.deepEqual(suggested, {
        客户名称: 'company_name',
        联系人: 'contact_name',
        手机: 'phone',
        邮箱: 'email',
        客户等级: 'level',
        客户状态: 'status',
        流失原因: 'churn_reason',
        年营业额: 'annual_revenue',
        标签: 'tags',
        签约日期: 'signed_on',
      });
    });
  }

  it('keeps a four-byte GB18030 character (刘䶮) through upload and import', async () => {
    const { result } = await importFile(
      as,
      t.baseUrl,
      owner.accessToken,
      form.id,
      'customers-gb18030.csv',
      await fixture('customers-gb18030.csv'),
    );
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    assert.deepEqual(result.counts, { total: 1, new: 1, updated: 0, skipped: 0, rejected: 0 });
    const list = await as.get<ListBody>(
      `/api/forms/${form.id}/records?q=${encodeURIComponent('刘䶮')}`,
    );
    assert.equal(list.body.items.length, 1);
    assert.equal(list.body.items[0]?.values['contact_name'], '刘䶮');
  });

  it('dry-runs the UTF-8 file: cleaned values, and every bad row with its line and reason in both languages', async () => {
    const { upload: up, result } = await importFile(
      as,
      t.baseUrl,
      owner.accessToken,
      form.id,
      'customers-utf8-bom.csv',
      await fixture('customers-utf8-bom.csv'),
      {
        run: 'dry-run',
      },
    );
    assert.equal(result.status, 'validated', JSON.stringify(result.error));
    assert.equal(up.file.rows, 9);
    assert.deepEqual(result.counts, { total: 9, new: 6, updated: 0, skipped: 0, rejected: 3 });
    const rejected = await allRejections(as, result.id);
    const byLine = Object.fromEntries(
      rejected.map((r) => [r.line, r.reasons.map((x) => `${x.field}:${x.code}`).sort()]),
    );
    // line 4 holds a quoted line break, so the file's lines shift by one from there on
    assert.deepEqual(byLine, {
      7: ['phone:INVALID_PHONE', 'signed_on:INVALID_DATE'],
      8: ['email:REQUIRED'],
      9: ['level:INVALID_OPTION'],
    });
    const phone = rejected.find((r) => r.line === 7)?.reasons.find((x) => x.field === 'phone');
    assert.equal(phone?.column, '手机');
    assert.match(phone?.messages['zh-CN'] ?? '', /手机|电话/);
    assert.match(phone?.messages.en ?? '', /phone/i);
  });

  it('commits the UTF-8 file: phones, amounts, dates and options cleaned, long cells and quoted line breaks intact', async () => {
    const { result } = await importFile(
      as,
      t.baseUrl,
      owner.accessToken,
      form.id,
      'customers-utf8-bom.csv',
      await fixture('customers-utf8-bom.csv'),
    );
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    assert.deepEqual(result.counts, { total: 9, new: 6, updated: 0, skipped: 0, rejected: 3 });
    const list = await as.get<ListBody>(`/api/forms/${form.id}/records?limit=100&sort=customer_no`);
    const byCompany = new Map(list.body.items.map((r) => [r.values['company_name'], r.values]));
    const huaxin = byCompany.get('北京华信商贸有限公司');
    assert.equal(huaxin?.['phone'], '13912345678', '+86 139-1234-5678');
    assert.equal(huaxin?.['email'], 'wangfang@huaxin.com');
    assert.equal(Number(huaxin?.['annual_revenue']), 1280000.5, '¥1,280,000.50');
    assert.deepEqual(huaxin?.['tags'], ['manufacturing', 'internet'], '制造业、互联网');
    assert.equal(huaxin?.['signed_on'], '2026-01-05', '2026年1月5日');
    assert.equal(huaxin?.['level'], 'vip');
    assert.equal(huaxin?.['status'], 'potential', '潜在');
    const hengtong = byCompany.get('深圳恒通电子科技有限公司');
    assert.equal(hengtong?.['phone'], '13712345678', 'full-width digits');
    assert.equal(Number(hengtong?.['annual_revenue']), 125000, '12.5万');
    assert.equal(
      hengtong?.['churn_reason'],
      '价格太高，\r\n转向竞争对手',
      'a line break inside quotes stays in the cell',
    );
    const ruifeng = byCompany.get('杭州瑞丰物流有限公司');
    assert.equal(ruifeng?.['signed_on'], '2026-01-05', 'Excel serial 46027');
    assert.equal(Number(ruifeng?.['annual_revenue']), -1200, 'accounting brackets');
    assert.equal(ruifeng?.['level'], 'important', 'the English label Important');
    assert.equal(
      byCompany.get('南京新元生物科技有限公司')?.['signed_on'],
      '2026-01-15',
      '2026.1.15',
    );
    const dongfang = byCompany.get('武汉东方建筑工程有限公司');
    assert.equal(
      String(dongfang?.['churn_reason']).length,
      10_000,
      'a 10,000-character cell is kept whole',
    );
    const serials = list.body.items.map((r) => [
      r.values['company_name'],
      String(r.values['customer_no']).slice(-4),
    ]);
    assert.deepEqual(
      serials,
      [
        ['重庆锦程新能源有限公司', '0001'],
        ['上海启明信息技术有限公司', '0002'],
        ['北京华信商贸有限公司', '0003'],
        ['深圳恒通电子科技有限公司', '0004'],
        ['杭州瑞丰物流有限公司', '0005'],
        ['武汉东方建筑工程有限公司', '0006'],
        ['南京新元生物科技有限公司', '0007'],
      ],
      'serial numbers continue after the earlier import, in file order, without gaps for rejected rows',
    );
    const search = await as.get<ListBody>(
      `/api/forms/${form.id}/records?q=${encodeURIComponent('恒通电子')}`,
    );
    assert.deepEqual(
      search.body.items.map((r) => r.values['company_name']),
      ['深圳恒通电子科技有限公司'],
      'imported records are searchable',
    );
  });

  it('offers the rejected rows as CSV with their original cells, and escapes cells that Excel would run as formulas', async () => {
    const { result } = await importFile(
      as,
      t.baseUrl,
      owner.accessToken,
      form.id,
      'customers-utf8.csv',
      await fixture('customers-utf8.csv'),
      {
        run: 'dry-run',
      },
    );
    const response = await fetch(`${t.baseUrl}/api/imports/${result.id}/rejected.csv`, {
      headers: { authorization: `Bearer ${owner.accessToken}` },
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(response.headers.get('content-disposition') ?? '', /attachment/);
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.deepEqual(
      [...bytes.subarray(0, 3)],
      [0xef, 0xbb, 0xbf],
      'a BOM so that Excel reads UTF-8',
    );
    const lines = bytes
      .toString('utf8')
      .slice(1)
      .split('\r\n')
      .filter((l) => l !== '');
    assert.equal(lines.length, 4, 'a header and the three rejected rows');
    assert.match(lines[0] ?? '', /^行号,拒绝原因,客户名称,联系人,手机/);
    // the company names are unique by now, so every row of this file is rejected except none: check the formula row
    const formula = lines.find((l) => l.includes('苏州嘉禾'));
    assert.ok(formula?.includes(`"'=HYPERLINK(""http://evil.example"",""点击"")"`), formula);
    assert.ok(
      lines.find((l) => l.includes('广州天润'))?.startsWith('7,'),
      'the line number comes first',
    );
  });

  it('commits the GBK file as Excel saves it, to the same values', async () => {
    const gbkForm = await publishForm(
      as,
      await createApp(as, { 'zh-CN': 'GBK 导入', en: 'GBK import' }),
      'customer',
      { 'zh-CN': '客户', en: 'Customer' },
      CUSTOMER_SCHEMA,
    );
    const { result } = await importFile(
      as,
      t.baseUrl,
      owner.accessToken,
      gbkForm.id,
      'customers-gbk.csv',
      await fixture('customers-gbk.csv'),
    );
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    assert.deepEqual(result.counts, { total: 8, new: 5, updated: 0, skipped: 0, rejected: 3 });
    const list = await as.get<ListBody>(`/api/forms/${gbkForm.id}/records?limit=100`);
    const huaxin = list.body.items.find((r) => r.values['company_name'] === '北京华信商贸有限公司');
    assert.equal(Number(huaxin?.values['annual_revenue']), 1280000.5, '￥1,280,000.50');
    assert.equal(huaxin?.values['contact_name'], '王芳');
  });

  it('reads a real workbook: date cells, a serial number in a plain cell, phones stored as numbers, rich text and formulas', async () => {
    const xlsxForm = await publishForm(
      as,
      await createApp(as, { 'zh-CN': 'Excel 导入', en: 'Excel import' }),
      'customer',
      { 'zh-CN': '客户', en: 'Customer' },
      CUSTOMER_SCHEMA,
    );
    const { upload: up, result } = await importFile(
      as,
      t.baseUrl,
      owner.accessToken,
      xlsxForm.id,
      '客户名单.xlsx',
      await fixture('customers.xlsx'),
    );
    assert.equal(up.file.format, 'xlsx');
    assert.equal(up.file.encoding, null);
    assert.equal(up.file.rows, 4);
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    assert.deepEqual(result.counts, { total: 4, new: 3, updated: 0, skipped: 0, rejected: 1 });
    const list = await as.get<ListBody>(`/api/forms/${xlsxForm.id}/records?limit=100`);
    const values = new Map(list.body.items.map((r) => [r.values['company_name'], r.values]));
    assert.equal(
      values.get('上海启明信息技术有限公司')?.['phone'],
      '13812345678',
      'a phone typed as a number',
    );
    assert.equal(
      values.get('上海启明信息技术有限公司')?.['signed_on'],
      '2026-01-05',
      'a date cell',
    );
    assert.equal(
      values.get('北京华信商贸有限公司')?.['signed_on'],
      '2026-01-05',
      'serial 46027 in a plain cell',
    );
    assert.equal(
      Number(values.get('北京华信商贸有限公司')?.['annual_revenue']),
      1280000,
      'the result of =1000*1280',
    );
    assert.equal(
      values.get('深圳恒通电子科技有限公司')?.['signed_on'],
      '2026-01-05',
      '2026年1月5日 typed as text',
    );
    assert.equal(Number(values.get('深圳恒通电子科技有限公司')?.['annual_revenue']), 125000);
    const rejected = await allRejections(as, result.id);
    assert.deepEqual(
      rejected.map((r) => [r.line, r.reasons.map((x) => x.code)]),
      [[6, ['INVALID_PHONE']]],
      'Excel row numbers, the empty row 5 included',
    );
  });

  it('finds the header under a title row, tells duplicate headers apart, and rejects a ragged row that spills into an unnamed column', async () => {
    const fresh = await publishForm(
      as,
      await createApp(as, { 'zh-CN': '杂乱表格', en: 'Messy sheet' }),
      'customer',
      { 'zh-CN': '客户', en: 'Customer' },
      CUSTOMER_SCHEMA,
    );
    const uploaded = await uploadFile(
      t.baseUrl,
      owner.accessToken,
      fresh.id,
      'messy-layout.csv',
      await fixture('messy-layout.csv'),
    );
    assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
    const body = uploaded.body;
    assert.equal(body.file.headerLine, 2, 'the title row on line 1 is not the header');
    assert.deepEqual(
      body.columns.map((c) => c.header),
      ['客户名称', '联系人', '电话', '电话 (2)', '邮箱', '备注'],
    );
    assert.equal(body.file.rows, 4, 'blank lines and rows of empty cells are not rows');
    assert.deepEqual(
      body.leadingRecords.map((r) => r.line),
      [1, 2],
    );
    assert.deepEqual(
      body.sample.map((r) => r.line),
      [3, 4, 6, 8],
    );
    assert.equal(body.sample[3]?.cells[5], '说 "尽快" 回电');
    const mapped = await as.put<ImportBody>(`/api/imports/${body.id}/mapping`, {
      columns: [
        { column: 0, field: 'company_name' },
        { column: 1, field: 'contact_name' },
        { column: 2, field: 'phone' },
        { column: 3, field: null },
        { column: 4, field: 'email' },
      ],
      save: false,
    });
    assert.equal(mapped.status, 200, JSON.stringify(mapped.body));
    await as.post(`/api/imports/${body.id}/dry-run`);
    const { waitForImport } = await import('./support/imports.js');
    const done = await waitForImport(as, body.id);
    assert.equal(done.status, 'validated');
    const rejected = await allRejections(as, body.id);
    const extra = rejected.find((r) => r.line === 6);
    assert.deepEqual(
      extra?.reasons.map((r) => r.code),
      ['EXTRA_CELLS'],
    );
    assert.match(extra?.reasons[0]?.messages['zh-CN'] ?? '', /8 个单元格.*6 列/);
    assert.equal(
      rejected.find((r) => r.line === 4),
      undefined,
      'a short row is fine: its missing cells are empty',
    );
  });

  it('lets the user choose another header line, and refuses one that is not in the preview', async () => {
    const body = await upload('messy-layout.csv');
    const none = await as.put<ImportBody>(`/api/imports/${body.id}/mapping`, {
      headerLine: null,
      columns: [],
      save: false,
    });
    assert.equal(none.status, 200);
    assert.equal(none.body.columns[0]?.header, '列 1');
    assert.equal(none.body.columns.length, 7);
    const bad = await as.put<{ errors: Array<{ path: string; code: string }> }>(
      `/api/imports/${body.id}/mapping`,
      {
        headerLine: 500,
        columns: [],
      },
    );
    assert.equal(bad.status, 400);
    assert.deepEqual(
      bad.body.errors.map((e) => [e.path, e.code]),
      [['headerLine', 'HEADER_LINE_NOT_IN_PREVIEW']],
    );
  });

  it('names a company cell of 10,000 characters as too long, and a phone Excel already rounded to 1.38123E+10', async () => {
    const longName = '上海'.repeat(5_000);
    const csv = `客户名称,联系人,手机\r\n${longName},张伟,13998765432\r\n上海启明软件有限公司,王芳,1.38123E+10\r\n`;
    const { uploadFile: up } = await import('./support/imports.js');
    const uploaded = await up(t.baseUrl, owner.accessToken, form.id, 'long.csv', Buffer.from(csv));
    assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
    await as.put(`/api/imports/${uploaded.body.id}/mapping`, uploaded.body.suggestedMapping);
    await as.post(`/api/imports/${uploaded.body.id}/dry-run`);
    const { waitForImport } = await import('./support/imports.js');
    await waitForImport(as, uploaded.body.id);
    const rejected = await allRejections(as, uploaded.body.id);
    assert.deepEqual(
      rejected.map((r) => [r.line, r.reasons.map((x) => `${x.field}:${x.code}`)]),
      [
        [2, ['company_name:TOO_LONG']],
        [3, ['phone:EXCEL_SCIENTIFIC']],
      ],
    );
    assert.match(rejected[1]?.reasons[0]?.messages['zh-CN'] ?? '', /科学计数法/);
  });
});

export type { ImportBody };
