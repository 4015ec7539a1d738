import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import { opportunity, people, pipeline, report } from './crm-kit.js';
import { columnName, escapeFormula, toCsv, toXlsx } from './export.js';
import { runInMemory } from './run-in-memory.js';

const hostile = [
  opportunity({
    title: '=HYPERLINK("http://evil.example","点我")',
    source: 'website',
    amount: '-500',
    owner_id: people.zhangWei,
  }),
  opportunity({
    title: '+86 138 1234 5678',
    source: 'expo',
    amount: '12800.50',
    owner_id: people.wangFang,
  }),
  opportunity({
    title: "-2+3+cmd|' /C calc'!A0",
    source: 'referral',
    amount: '1',
    owner_id: people.liNa,
  }),
  opportunity({ title: '@SUM(A1:A9)', source: 'website', amount: '2', owner_id: people.liNa }),
  opportunity({ title: '\t=1+1', source: 'website', amount: '3', owner_id: people.liNa }),
  opportunity({
    title: '上海启明信息技术有限公司, "总部"\n二期',
    source: 'website',
    amount: '4',
    owner_id: people.liNa,
  }),
  opportunity({ title: 'A & B <合作>', source: 'website', amount: '5', owner_id: people.liNa }),
];

const listing = runInMemory(
  report({
    kind: 'table',
    form: 'opportunity',
    fields: ['title', 'amount'],
    sort: [{ by: 'amount', direction: 'asc' }],
  }),
  hostile,
);

describe('formula injection (rule 8)', () => {
  const cases: Array<[string, string]> = [
    ['=1+1', "'=1+1"],
    ['+86 138 1234 5678', "'+86 138 1234 5678"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
    ['张伟', '张伟'],
    ['a=b', 'a=b'],
  ];
  for (const [input, output] of cases) {
    it(`${JSON.stringify(input)} becomes ${JSON.stringify(output)}`, () =>
      assert.equal(escapeFormula(input), output));
  }
});

describe('toCsv', () => {
  it('writes a BOM, CRLF lines, quoted fields, escaped formulas and raw numbers', () => {
    const csv = toCsv(listing);
    assert.ok(csv.startsWith('\uFEFF商机名称,金额\r\n'));
    const lines = csv.slice(1).split('\r\n');
    assert.equal(
      lines[1],
      `"'=HYPERLINK(""http://evil.example"",""点我"")",-500`,
      'a negative number stays a number',
    );
    assert.equal(lines[2], "'-2+3+cmd|' /C calc'!A0,1");
    assert.equal(lines[3], "'@SUM(A1:A9),2");
    assert.equal(lines[4], "'\t=1+1,3");
    assert.equal(
      lines[5],
      '"上海启明信息技术有限公司, ""总部""\n二期",4',
      'a line break stays inside the quoted field',
    );
    assert.ok(csv.includes("'+86 138 1234 5678,12800.5"));
    assert.equal(toCsv(listing, { bom: false, locale: 'en' }).split('\r\n')[0], 'Title,Amount');
  });

  it('exports a grouped report with totals and subtotals marked', () => {
    const r = runInMemory(
      report({
        kind: 'table',
        form: 'opportunity',
        dimensions: [{ field: 'source' }, { field: 'stage' }],
        measures: [{ id: 'n', fn: 'count' }],
        subtotals: true,
      }),
      pipeline(),
    );
    const lines = toCsv(r, { bom: false }).trim().split('\r\n');
    assert.equal(lines[0], '来源,阶段,记录数');
    assert.ok(lines.includes('电话陌拜,lost,1'));
    assert.ok(lines.includes('电话陌拜,小计,1'));
    assert.equal(lines.at(-1), '合计,,10');
  });

  it('exports a pivot as a matrix', () => {
    const r = runInMemory(
      report({
        kind: 'pivot',
        form: 'opportunity',
        dimensions: [{ field: 'source' }],
        columns: [{ field: 'stage' }],
        measures: [{ id: 'n', fn: 'count' }],
      }),
      pipeline(),
    );
    const lines = toCsv(r, { bom: false }).trim().split('\r\n');
    assert.equal(lines[0], '来源,lead,lost,proposal,qualified,won,合计');
    assert.equal(lines[1], '电话陌拜,,1,,,,1');
    assert.equal(lines.at(-1), '合计,3,1,1,2,3,10');
  });
});

describe('toXlsx', () => {
  it('builds a valid workbook that unzips and holds the escaped text', () => {
    const bytes = toXlsx(listing, { sheetName: '商机/明细' });
    assert.equal(String.fromCharCode(bytes[0] as number, bytes[1] as number), 'PK');
    const files = unzipSync(bytes);
    assert.deepEqual(Object.keys(files).sort(), [
      '[Content_Types].xml',
      '_rels/.rels',
      'xl/_rels/workbook.xml.rels',
      'xl/styles.xml',
      'xl/workbook.xml',
      'xl/worksheets/sheet1.xml',
    ]);
    const sheet = strFromU8(files['xl/worksheets/sheet1.xml'] as Uint8Array);
    assert.match(sheet, /^<\?xml version="1.0" encoding="UTF-8" standalone="yes"\?>/);
    assert.ok(
      sheet.includes(
        '<t xml:space="preserve">\'=HYPERLINK(&quot;http://evil.example&quot;,&quot;点我&quot;)</t>',
      ),
    );
    assert.ok(sheet.includes('<t xml:space="preserve">\'@SUM(A1:A9)</t>'));
    assert.ok(sheet.includes('<t xml:space="preserve">A &amp; B &lt;合作&gt;</t>'));
    assert.ok(sheet.includes('<c r="B2"><v>-500</v></c>'), 'numbers are numeric cells');
    assert.ok(!sheet.includes('<f>'), 'no formulas at all');
    assert.ok(
      sheet.includes(
        '<c r="A1" s="1" t="inlineStr"><is><t xml:space="preserve">商机名称</t></is></c>',
      ),
    );
    const workbook = strFromU8(files['xl/workbook.xml'] as Uint8Array);
    assert.ok(workbook.includes('<sheet name="商机 明细" sheetId="1" r:id="rId1"/>'));
    const types = strFromU8(files['[Content_Types].xml'] as Uint8Array);
    assert.ok(types.includes('/xl/worksheets/sheet1.xml'));
  });

  it('is the same bytes for the same result (no clock inside)', () => {
    assert.deepEqual(toXlsx(listing), toXlsx(listing));
  });

  it('names columns past Z', () => {
    assert.deepEqual([0, 25, 26, 51, 52, 701, 702].map(columnName), [
      'A',
      'Z',
      'AA',
      'AZ',
      'BA',
      'ZZ',
      'AAA',
    ]);
  });
});
