import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHART_TYPES, type ChartType } from './chart-types.js';
import { customers, people, pipeline, report, targets } from './crm-kit.js';
import { runInMemory } from './run-in-memory.js';
import { type ChartOption, provinceName, toChartOption } from './to-chart-option.js';
import type { ReportKind, ReportResult } from './types.js';

const rows = pipeline();

const results: Record<string, ReportResult> = {
  bySource: runInMemory(
    report({
      kind: 'table',
      form: 'opportunity',
      dimensions: [{ field: 'source' }],
      measures: [
        { id: 'n', fn: 'count' },
        { id: 'amount', fn: 'sum', field: 'amount' },
        { id: 'avg', fn: 'avg', field: 'amount' },
      ],
    }),
    rows,
  ),
  bySourceStage: runInMemory(
    report({
      kind: 'table',
      form: 'opportunity',
      dimensions: [{ field: 'source' }, { field: 'stage' }],
      measures: [{ id: 'n', fn: 'count' }],
    }),
    rows,
  ),
  byLevelOwner: runInMemory(
    report({
      kind: 'table',
      form: 'opportunity',
      dimensions: [{ field: 'customer.level' }, { field: 'owner_id' }],
      measures: [{ id: 'amount', fn: 'sum', field: 'amount' }],
    }),
    rows,
  ),
  daily: runInMemory(
    report({
      kind: 'time_series',
      form: 'opportunity',
      dimensions: [{ field: 'created_at', bucket: 'day' }],
      measures: [{ id: 'n', fn: 'count' }],
      period: { field: 'created_at', op: 'this_month' },
      compare: 'previous_period',
    }),
    rows,
  ),
  funnel: runInMemory(
    report({
      kind: 'funnel',
      form: 'opportunity',
      funnel: { field: 'stage', stages: ['lead', 'qualified', 'proposal', 'won'] },
    }),
    rows,
  ),
  kpi: runInMemory(
    report({
      kind: 'kpi',
      form: 'opportunity',
      measures: [{ id: 'n', fn: 'count', label: '本月新增商机' }],
      period: { field: 'created_at', op: 'this_month' },
      compare: 'previous_period',
    }),
    rows,
  ),
  leaderboard: runInMemory(
    report({
      kind: 'leaderboard',
      form: 'opportunity',
      dimensions: [{ field: 'owner_id' }],
      measures: [
        {
          id: 'won',
          fn: 'sum',
          field: 'amount',
          filter: { field: 'stage', op: 'eq', value: 'won' },
        },
      ],
      period: { field: 'created_at', op: 'this_month' },
      leaderboard: {
        by: 'won',
        target: {
          form: 'sales_target',
          entityField: 'owner',
          valueField: 'amount',
          periodField: 'month',
        },
      },
    }),
    rows,
    { targetRows: targets },
  ),
  pivot: runInMemory(
    report({
      kind: 'pivot',
      form: 'opportunity',
      dimensions: [{ field: 'customer.level' }],
      columns: [{ field: 'stage' }],
      measures: [{ id: 'n', fn: 'count' }],
    }),
    rows,
  ),
  byProvince: runInMemory(
    report({
      kind: 'table',
      form: 'opportunity',
      dimensions: [{ field: 'customer.province' }],
      measures: [{ id: 'amount', fn: 'sum', field: 'amount' }],
    }),
    rows,
  ),
  scatter: runInMemory(
    report({
      kind: 'table',
      form: 'opportunity',
      dimensions: [{ field: 'owner_id' }],
      measures: [
        { id: 'n', fn: 'count' },
        { id: 'amount', fn: 'sum', field: 'amount' },
        { id: 'avg', fn: 'avg', field: 'probability' },
      ],
    }),
    rows,
  ),
};

const sample: Record<ChartType, [string, Partial<Parameters<typeof toChartOption>[1]>]> = {
  bar: ['bySource', {}],
  stacked_bar: ['bySourceStage', {}],
  percent_bar: ['bySourceStage', {}],
  horizontal_bar: ['leaderboard', {}],
  line: ['daily', { showPrevious: true }],
  area: ['daily', {}],
  stacked_area: ['bySourceStage', {}],
  combo: ['bySource', { measures: ['amount', 'n'] }],
  pie: ['bySource', { measures: ['amount'] }],
  donut: ['bySource', { measures: ['n'] }],
  rose: ['bySource', { measures: ['n'] }],
  funnel: ['funnel', {}],
  gauge: ['kpi', {}],
  kpi: ['kpi', {}],
  scatter: ['scatter', { measures: ['n', 'amount'] }],
  bubble: ['scatter', { measures: ['n', 'amount', 'avg'] }],
  radar: ['bySource', { measures: ['n', 'avg'] }],
  heatmap: ['pivot', {}],
  calendar_heatmap: ['daily', {}],
  treemap: ['byLevelOwner', {}],
  sunburst: ['byLevelOwner', {}],
  waterfall: ['bySource', { measures: ['amount'] }],
  china_map: ['byProvince', {}],
  table: ['bySource', {}],
  pivot_table: ['pivot', {}],
};

function isPlainJson(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isPlainJson);
  if (typeof v === 'object') return Object.values(v as object).every(isPlainJson);
  return false;
}

function series(o: ChartOption): Array<Record<string, unknown>> {
  return (o['series'] as Array<Record<string, unknown>> | undefined) ?? [];
}

describe('toChartOption: the gallery (at least 24 chart types)', () => {
  it('lists every chart type with zh-CN and English names and the kinds it fits', () => {
    assert.ok(CHART_TYPES.length >= 24);
    assert.equal(new Set(CHART_TYPES.map((c) => c.id)).size, CHART_TYPES.length);
    const kinds: ReportKind[] = ['table', 'pivot', 'funnel', 'leaderboard', 'kpi', 'time_series'];
    for (const k of kinds)
      assert.ok(
        CHART_TYPES.some((c) => c.kinds.includes(k)),
        `nothing draws a ${k}`,
      );
    for (const c of CHART_TYPES) assert.ok(c.label['zh-CN'].length > 0 && c.label.en.length > 0);
  });

  for (const info of CHART_TYPES) {
    it(`draws a ${info.id} (${info.label['zh-CN']}) as plain JSON`, () => {
      const [name, extra] = sample[info.id];
      const result = results[name] as ReportResult;
      assert.ok(info.kinds.includes(result.kind), `${info.id} sample is a ${result.kind}`);
      const option = toChartOption(result, { type: info.id, title: '测试', ...extra });
      assert.ok(isPlainJson(option), 'no functions, no undefined, no NaN');
      assert.deepEqual((option['title'] as { text: string }).text, '测试');
      assert.ok(
        series(option).length > 0 ||
          option['dataset'] !== undefined ||
          option['graphic'] !== undefined,
      );
    });
  }
});

describe('toChartOption: what each chart shows', () => {
  it('bars: categories are the labels, one series per measure', () => {
    const o = toChartOption(results['bySource'] as ReportResult, { type: 'bar', measures: ['n'] });
    assert.deepEqual((o['xAxis'] as { data: string[] }).data, [
      '电话陌拜',
      '展会',
      '转介绍',
      '官网',
      '(空)',
    ]);
    assert.deepEqual(series(o)[0]?.['data'], [1, 2, 2, 4, 1]);
    const en = toChartOption(results['bySource'] as ReportResult, {
      type: 'bar',
      locale: 'en',
      measures: ['n'],
    });
    assert.equal((en['xAxis'] as { data: string[] }).data[3], 'Website');
  });

  it('a second dimension becomes the series of a stacked chart; percent bars add up to 100', () => {
    const o = toChartOption(results['bySourceStage'] as ReportResult, { type: 'percent_bar' });
    const all = series(o).map((s) => s['data'] as Array<number | null>);
    const first = all.reduce((sum, d) => sum + (d[0] ?? 0), 0);
    assert.ok(Math.abs(first - 100) < 0.05);
    assert.ok(series(o).every((s) => s['stack'] === 'total'));
  });

  it('the line chart draws the previous period dashed', () => {
    const o = toChartOption(results['daily'] as ReportResult, { type: 'line', showPrevious: true });
    const prev = series(o).find((s) => String(s['name']).includes('上期'));
    assert.deepEqual(prev?.['lineStyle'], { type: 'dashed' });
    assert.equal((series(o)[0]?.['data'] as unknown[]).length, 31);
  });

  it('the funnel keeps stage order and carries conversion', () => {
    const o = toChartOption(results['funnel'] as ReportResult, { type: 'funnel' });
    const data = series(o)[0]?.['data'] as Array<{
      name: string;
      value: number;
      conversion: { overall: number };
    }>;
    assert.deepEqual(
      data.map((d) => [d.name, d.value]),
      [
        ['lead', 9],
        ['qualified', 6],
        ['proposal', 4],
        ['won', 3],
      ],
    );
    assert.equal(series(o)[0]?.['sort'], 'none');
    assert.equal(Math.round((data[3]?.conversion.overall ?? 0) * 100), 33);
  });

  it('the KPI card shows the value and the change against last month', () => {
    const o = toChartOption(results['kpi'] as ReportResult, { type: 'kpi' });
    const texts = (o['graphic'] as Array<{ style: { text: string } }>).map((g) => g.style.text);
    assert.deepEqual(texts, ['本月新增商机', '8', '较上期 ▲ 300%']);
    assert.deepEqual((o['trellis'] as { kpi: unknown }).kpi, {
      value: 8,
      previous: 2,
      delta: 6,
      deltaPct: 3,
      format: 'integer',
    });
  });

  it('the China map uses series type map on "china" with province names the GeoJSON knows', () => {
    const o = toChartOption(results['byProvince'] as ReportResult, { type: 'china_map' });
    const s = series(o)[0] as {
      type: string;
      map: string;
      data: Array<{ name: string; value: number }>;
    };
    assert.equal(s.type, 'map');
    assert.equal(s.map, 'china');
    assert.deepEqual(
      s.data.sort((a, b) => a.name.localeCompare(b.name)),
      [
        { name: '上海市', value: 750000.5 },
        { name: '北京市', value: 566000 },
        { name: '广东省', value: 294000 },
      ].sort((a, b) => a.name.localeCompare(b.name)),
    );
    assert.equal(provinceName('广东省深圳市', 'short'), '广东');
    assert.equal(provinceName('内蒙古自治区'), '内蒙古自治区');
    assert.equal(provinceName('California'), null);
  });

  it('the waterfall ends with a total bar that equals the sum', () => {
    const o = toChartOption(results['bySource'] as ReportResult, {
      type: 'waterfall',
      measures: ['amount'],
    });
    const up = series(o)[1]?.['data'] as Array<number | string>;
    assert.equal(up[up.length - 1], 790000 + 566000 + 270000.5 + 64000);
    assert.equal((o['xAxis'] as { data: string[] }).data.at(-1), '合计');
  });

  it('the calendar heatmap spans the days of the result', () => {
    const o = toChartOption(results['daily'] as ReportResult, { type: 'calendar_heatmap' });
    assert.deepEqual((o['calendar'] as { range: string[] }).range, ['2026-03-01', '2026-03-31']);
    assert.equal(series(o)[0]?.['coordinateSystem'], 'calendar');
  });

  it('treemap and sunburst nest the dimensions', () => {
    const o = toChartOption(results['byLevelOwner'] as ReportResult, { type: 'treemap' });
    const data = series(o)[0]?.['data'] as Array<{
      name: string;
      value: number;
      children: Array<{ value: number }>;
    }>;
    const a = data.find((d) => d.name === 'A 类');
    assert.equal(a?.value, 480000 + 120000.5 + 150000 + 230000 + 64000);
    assert.equal(
      a?.children.reduce((s, c) => s + c.value, 0),
      a?.value,
    );
  });

  it('bubbles are sized by the third measure', () => {
    const o = toChartOption(results['scatter'] as ReportResult, {
      type: 'bubble',
      measures: ['n', 'amount', 'avg'],
    });
    const points = series(o)[0]?.['data'] as Array<{ symbolSize: number; value: number[] }>;
    assert.ok(points.every((p) => p.symbolSize >= 8 && p.symbolSize <= 60));
    assert.equal(points.length, 4);
  });

  it('the leaderboard bar keeps the rank order; the table carries the grid', () => {
    const o = toChartOption(results['leaderboard'] as ReportResult, { type: 'horizontal_bar' });
    assert.deepEqual((o['yAxis'] as { data: string[]; inverse: boolean }).data, [
      people.zhangWei,
      people.wangFang,
      people.liNa,
      people.liuYang,
    ]);
    const t = toChartOption(results['leaderboard'] as ReportResult, { type: 'table' });
    const header = (t['trellis'] as { header: string[][] }).header[0];
    assert.deepEqual(header, ['排名', '负责人', '金额合计', '目标', '完成率']);
  });

  it('a leaderboard with targets draws the target beside each rep: target vs actual', () => {
    const result = results['leaderboard'] as ReportResult;
    const o = toChartOption(result, { type: 'horizontal_bar', locale: 'en' });
    const series = o['series'] as Array<{ name: string; data: Array<number | null> }>;
    assert.deepEqual(
      series.map((s) => s.name),
      ['Sum of Amount', 'Target'],
    );
    const byRep = result.rows.filter((r) => r.level === 'detail').map((r) => r.target ?? null);
    assert.deepEqual(series[1]?.data, byRep);
    assert.ok(
      byRep.some((t) => t !== null && t > 0),
      'the fixture has targets',
    );
    assert.deepEqual((o['legend'] as { data: string[] }).data, ['Sum of Amount', 'Target']);
  });

  it('the pivot table lays keys across and totals at the edges', () => {
    const o = toChartOption(results['pivot'] as ReportResult, { type: 'pivot_table' });
    const t = o['trellis'] as { header: unknown[][]; body: unknown[][] };
    assert.deepEqual(t.header[0], [
      '客户 · 客户等级',
      'lead',
      'lost',
      'proposal',
      'qualified',
      'won',
      '合计',
    ]);
    assert.deepEqual(t.body.at(-1), ['合计', 3, 1, 1, 2, 3, 10]);
    assert.deepEqual(t.body[0], ['A 类', 1, 1, 1, null, 2, 5]);
    assert.equal(customers.qiming.level, 'A');
  });
});
