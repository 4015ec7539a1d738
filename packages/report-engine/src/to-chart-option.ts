// A ReportResult -> a plain ECharts option object (JSON only: no functions, no echarts import).
// The designer passes it to echarts.setOption; value formatting hints travel in `trellis`.
import type { ChartType } from './chart-types.js';
import { localize, resultGrid, word } from './result-table.js';
import { FUNNEL_STAGE_ID } from './to-result.js';
import type { CellValue, LocalizedText, ReportResult, ResultMeasure, ResultRow } from './types.js';

export type ChartSpec = {
  type: ChartType;
  title?: LocalizedText;
  /** Labels in this locale (default zh-CN). */
  locale?: string;
  /** Measures drawn (default: every visible measure; charts that take one use the first). */
  measures?: readonly string[];
  /** The category dimension (default: the first; the stage for funnels). */
  dimension?: string;
  /** The series dimension (default: the second dimension, when there is one). */
  series?: string;
  /** combo: measures drawn as lines on the right axis (default: the last measure). */
  lineMeasures?: readonly string[];
  /** gauge: the maximum (default: the target, else the value rounded up). */
  max?: number;
  /** china_map: how the registered GeoJSON names provinces (default full: 广东省). */
  provinceNames?: 'short' | 'full';
  /** Draw the previous period as dashed series when the report compares. */
  showPrevious?: boolean;
  colors?: readonly string[];
};

/** A plain ECharts option (JSON). */
export type ChartOption = { [key: string]: unknown };

export const DEFAULT_COLORS: readonly string[] = [
  '#3370ff',
  '#34c724',
  '#ff8800',
  '#f54a45',
  '#7f3bf5',
  '#14c0ff',
  '#ffc60a',
  '#f14bc1',
  '#00b2a9',
  '#8f959e',
];

type Category = { key: CellValue; label: string; other: boolean };

type Context = {
  result: ReportResult;
  chart: ChartSpec;
  locale: string;
  measures: ResultMeasure[];
  categoryDim: string | null;
  seriesDim: string | null;
  rows: ResultRow[];
  categories: Category[];
  seriesKeys: Category[];
};

function sameKey(a: CellValue | undefined, b: CellValue | undefined): boolean {
  return (a ?? null) === (b ?? null);
}

function distinct(rows: readonly ResultRow[], dim: string, locale: string): Category[] {
  const out: Category[] = [];
  for (const r of rows) {
    const key = r.keys[dim] ?? null;
    const other = isOtherFor(r, dim);
    if (out.some((c) => sameKey(c.key, key) && c.other === other)) continue;
    out.push({ key, label: localize(r.labels[dim] ?? String(key ?? ''), locale), other });
  }
  return out;
}

function isOtherFor(r: ResultRow, dim: string): boolean {
  return r.other === true && r.otherDimension === dim;
}

function contextOf(result: ReportResult, chart: ChartSpec): Context {
  const locale = chart.locale ?? 'zh-CN';
  const visible = result.measures.filter((m) => !m.hidden);
  const measures =
    chart.measures === undefined
      ? visible
      : chart.measures
          .map((id) => result.measures.find((m) => m.id === id))
          .filter((m): m is ResultMeasure => m !== undefined);
  const dims = result.dimensions.map((d) => d.id);
  const categoryDim =
    chart.dimension ?? (result.kind === 'funnel' ? FUNNEL_STAGE_ID : (dims[0] ?? null));
  const seriesDim =
    chart.series ??
    (result.kind === 'funnel' ? (dims[1] ?? null) : (dims.find((d) => d !== categoryDim) ?? null));
  let rows = result.rows.filter((r) => r.level === 'detail');
  if (result.kind === 'kpi') rows = result.rows;
  if (result.kind === 'funnel' && seriesDim === null)
    rows = result.rows.filter((r) => r.level === 'detail');
  return {
    result,
    chart,
    locale,
    measures,
    categoryDim,
    seriesDim,
    rows,
    categories: categoryDim === null ? [] : distinct(rows, categoryDim, locale),
    seriesKeys: seriesDim === null ? [] : distinct(rows, seriesDim, locale),
  };
}

function num(v: CellValue | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function find(ctx: Context, category: Category, series: Category | null): ResultRow | undefined {
  return ctx.rows.find(
    (r) =>
      (ctx.categoryDim === null ||
        (sameKey(r.keys[ctx.categoryDim], category.key) &&
          isOtherFor(r, ctx.categoryDim) === category.other)) &&
      (series === null ||
        ctx.seriesDim === null ||
        (sameKey(r.keys[ctx.seriesDim], series.key) &&
          isOtherFor(r, ctx.seriesDim) === series.other)),
  );
}

/** Data series: one per series key (first measure) or one per measure. */
function seriesData(ctx: Context): Array<{
  name: string;
  measure: ResultMeasure;
  data: Array<number | null>;
  previous: Array<number | null>;
}> {
  const first = ctx.measures[0];
  if (first === undefined) return [];
  if (ctx.seriesDim !== null && ctx.seriesKeys.length > 0) {
    return ctx.seriesKeys.map((s) => ({
      name: s.label,
      measure: first,
      data: ctx.categories.map((c) => num(find(ctx, c, s)?.values[first.id])),
      previous: ctx.categories.map((c) => num(find(ctx, c, s)?.previous?.[first.id])),
    }));
  }
  return ctx.measures.map((m) => ({
    name: localize(m.label, ctx.locale),
    measure: m,
    data: ctx.categories.map((c) => num(find(ctx, c, null)?.values[m.id])),
    previous: ctx.categories.map((c) => num(find(ctx, c, null)?.previous?.[m.id])),
  }));
}

function base(ctx: Context, extra: ChartOption): ChartOption {
  const title = ctx.chart.title ?? ctx.result.title;
  return {
    ...(title !== undefined
      ? { title: { text: localize(title, ctx.locale), left: 'center' } }
      : {}),
    color: [...(ctx.chart.colors ?? DEFAULT_COLORS)],
    tooltip: { trigger: 'item' },
    trellis: {
      formats: Object.fromEntries(ctx.measures.map((m) => [m.id, m.format])),
      truncated: ctx.result.truncated,
    },
    ...extra,
  };
}

function legend(names: readonly string[]): ChartOption {
  return names.length > 1 ? { legend: { type: 'scroll', top: 'bottom', data: [...names] } } : {};
}

function cartesian(
  ctx: Context,
  kind: 'bar' | 'line',
  opts: { stack?: boolean; area?: boolean; horizontal?: boolean; percent?: boolean },
): ChartOption {
  const list = seriesData(ctx);
  const names = ctx.categories.map((c) => c.label);
  let series = list.map((s) => ({
    name: s.name,
    type: kind,
    data: s.data,
    ...(opts.stack === true ? { stack: 'total' } : {}),
    ...(opts.area === true ? { areaStyle: {} } : {}),
    ...(kind === 'line' ? { connectNulls: false, showSymbol: ctx.categories.length <= 60 } : {}),
    emphasis: { focus: 'series' },
  }));
  if (opts.percent === true) {
    const totals = names.map((_, i) => series.reduce((sum, s) => sum + (s.data[i] ?? 0), 0));
    series = series.map((s) => ({
      ...s,
      data: s.data.map((v, i) =>
        v === null || totals[i] === 0
          ? null
          : Math.round(((v as number) / (totals[i] as number)) * 10000) / 100,
      ),
    }));
  }
  const previous =
    ctx.chart.showPrevious === true && ctx.result.rows.some((r) => r.previous !== undefined)
      ? list.map((s) => ({
          name: `${s.name}（上期）`,
          type: 'line',
          data: s.previous,
          lineStyle: { type: 'dashed' },
          showSymbol: false,
        }))
      : [];
  const targets = leaderboardTargets(ctx, kind);
  const category = {
    type: 'category',
    data: names,
    ...(opts.horizontal === true ? { inverse: true } : {}),
  };
  const value = {
    type: 'value',
    ...(opts.percent === true ? { max: 100, axisLabel: { formatter: '{value}%' } } : {}),
  };
  return base(ctx, {
    tooltip: { trigger: 'axis', axisPointer: { type: kind === 'bar' ? 'shadow' : 'line' } },
    grid: { left: 16, right: 24, top: 48, bottom: 48, containLabel: true },
    xAxis: opts.horizontal === true ? value : category,
    yAxis: opts.horizontal === true ? category : value,
    ...legend([
      ...series.map((s) => s.name),
      ...targets.map((s) => s.name),
      ...previous.map((s) => s.name),
    ]),
    series: [...series, ...targets, ...previous],
  });
}

/** A leaderboard with targets draws them beside the ranked measure: target vs actual at a glance. */
function leaderboardTargets(
  ctx: Context,
  kind: 'bar' | 'line',
): Array<{ name: string; [key: string]: unknown }> {
  if (ctx.result.kind !== 'leaderboard' || ctx.seriesDim !== null) return [];
  if (!ctx.rows.some((r) => r.target !== undefined && r.target !== null)) return [];
  return [
    {
      name: word('target', ctx.locale),
      type: kind,
      data: ctx.categories.map((c) => num(find(ctx, c, null)?.target ?? null)),
      itemStyle: { color: '#c9cdd4' },
      emphasis: { focus: 'series' },
    },
  ];
}

function combo(ctx: Context): ChartOption {
  const lines = new Set(
    ctx.chart.lineMeasures ??
      (ctx.measures.length > 1 ? [ctx.measures[ctx.measures.length - 1]?.id] : []),
  );
  const names = ctx.categories.map((c) => c.label);
  const series = ctx.measures.map((m) => ({
    name: localize(m.label, ctx.locale),
    type: lines.has(m.id) ? 'line' : 'bar',
    yAxisIndex: lines.has(m.id) ? 1 : 0,
    data: ctx.categories.map((c) => num(find(ctx, c, null)?.values[m.id])),
  }));
  return base(ctx, {
    tooltip: { trigger: 'axis' },
    grid: { left: 16, right: 24, top: 48, bottom: 48, containLabel: true },
    xAxis: { type: 'category', data: names },
    yAxis: [{ type: 'value' }, { type: 'value', splitLine: { show: false } }],
    ...legend(series.map((s) => s.name)),
    series,
  });
}

function pie(ctx: Context, variant: 'pie' | 'donut' | 'rose'): ChartOption {
  const m = ctx.measures[0];
  const data = ctx.categories.map((c) => ({
    name: c.label,
    value: m === undefined ? null : num(find(ctx, c, null)?.values[m.id]),
  }));
  return base(ctx, {
    legend: { type: 'scroll', orient: 'vertical', left: 'left', top: 'middle' },
    series: [
      {
        name: m === undefined ? '' : localize(m.label, ctx.locale),
        type: 'pie',
        radius: variant === 'donut' ? ['45%', '70%'] : variant === 'rose' ? ['15%', '70%'] : '70%',
        ...(variant === 'rose' ? { roseType: 'radius' } : {}),
        center: ['60%', '55%'],
        data,
        label: { formatter: '{b}: {d}%' },
        emphasis: { itemStyle: { shadowBlur: 10, shadowColor: 'rgba(0, 0, 0, 0.3)' } },
      },
    ],
  });
}

function funnel(ctx: Context): ChartOption {
  const m = ctx.measures[0];
  const rows =
    ctx.result.kind === 'funnel'
      ? ctx.result.rows.filter(
          (r) =>
            r.level === 'detail' &&
            (ctx.seriesDim === null || sameKey(r.keys[ctx.seriesDim], ctx.seriesKeys[0]?.key)),
        )
      : ctx.rows;
  const data = rows.map((r) => {
    const label = localize(
      ctx.categoryDim === null ? '' : (r.labels[ctx.categoryDim] ?? ''),
      ctx.locale,
    );
    const overall = r.step?.overallConversion;
    return {
      name: label,
      value: m === undefined ? null : num(r.values[m.id]),
      ...(r.step !== undefined
        ? { conversion: { step: r.step.stepConversion, overall: overall ?? null } }
        : {}),
    };
  });
  return base(ctx, {
    legend: { top: 'bottom', data: data.map((d) => d.name) },
    series: [
      {
        name: m === undefined ? '' : localize(m.label, ctx.locale),
        type: 'funnel',
        sort: 'none',
        gap: 2,
        left: '10%',
        width: '80%',
        minSize: '8%',
        label: { show: true, position: 'inside', formatter: '{b}: {c}' },
        data,
      },
    ],
  });
}

function mainValue(ctx: Context): {
  value: number | null;
  previous: number | null;
  delta: number | null;
  deltaPct: number | null;
  target: number | null;
  label: string;
  measure: ResultMeasure | undefined;
} {
  const m = ctx.measures[0];
  const row = ctx.result.total ?? ctx.result.rows[0];
  const label = m === undefined ? '' : localize(m.label, ctx.locale);
  if (m === undefined || row === undefined)
    return {
      value: null,
      previous: null,
      delta: null,
      deltaPct: null,
      target: null,
      label,
      measure: m,
    };
  return {
    value: num(row.values[m.id]),
    previous: num(row.previous?.[m.id]),
    delta: row.delta?.[m.id] ?? null,
    deltaPct: row.deltaPct?.[m.id] ?? null,
    target: row.target ?? null,
    label,
    measure: m,
  };
}

function niceMax(v: number): number {
  if (v <= 0) return 100;
  const p = 10 ** Math.floor(Math.log10(v));
  return Math.ceil((v * 1.2) / p) * p;
}

function gauge(ctx: Context): ChartOption {
  const v = mainValue(ctx);
  const max = ctx.chart.max ?? v.target ?? niceMax(v.value ?? 0);
  return base(ctx, {
    series: [
      {
        type: 'gauge',
        min: 0,
        max,
        progress: { show: true, width: 14 },
        axisLine: { lineStyle: { width: 14 } },
        detail: {
          valueAnimation: true,
          formatter: '{value}',
          fontSize: 28,
          offsetCenter: [0, '60%'],
        },
        data: [{ value: v.value, name: v.label }],
      },
    ],
  });
}

function kpi(ctx: Context): ChartOption {
  const v = mainValue(ctx);
  const up = v.delta !== null && v.delta > 0;
  const down = v.delta !== null && v.delta < 0;
  const pct = v.deltaPct === null ? '' : ` ${Math.abs(Math.round(v.deltaPct * 1000) / 10)}%`;
  const deltaText = v.delta === null ? '' : `${up ? '▲' : down ? '▼' : '■'}${pct}`;
  return base(ctx, {
    tooltip: { show: false },
    graphic: [
      {
        type: 'text',
        left: 'center',
        top: '18%',
        style: { text: v.label, fontSize: 14, fill: '#646a73' },
      },
      {
        type: 'text',
        left: 'center',
        top: 'middle',
        style: {
          text: v.value === null ? '-' : String(v.value),
          fontSize: 40,
          fontWeight: 'bold',
          fill: '#1f2329',
        },
      },
      ...(deltaText === ''
        ? []
        : [
            {
              type: 'text',
              left: 'center',
              top: '68%',
              style: {
                text: `${ctx.locale === 'en' ? 'vs previous' : '较上期'} ${deltaText}`,
                fontSize: 14,
                fill: up ? '#34c724' : down ? '#f54a45' : '#8f959e',
              },
            },
          ]),
    ],
    trellis: {
      formats: Object.fromEntries(ctx.measures.map((m) => [m.id, m.format])),
      truncated: false,
      kpi: {
        value: v.value,
        previous: v.previous,
        delta: v.delta,
        deltaPct: v.deltaPct,
        format: v.measure?.format ?? 'number',
      },
    },
  });
}

function scatter(ctx: Context, bubble: boolean): ChartOption {
  const [x, y, size] = ctx.measures;
  const groups = ctx.seriesDim !== null && ctx.seriesKeys.length > 0 ? ctx.seriesKeys : [null];
  const sizes =
    bubble && size !== undefined ? ctx.rows.map((r) => num(r.values[size.id]) ?? 0) : [];
  const biggest = Math.max(1, ...sizes);
  const series = groups.map((g) => ({
    name: g === null ? (x === undefined ? '' : localize(x.label, ctx.locale)) : g.label,
    type: 'scatter',
    data: ctx.rows
      .filter((r) => g === null || ctx.seriesDim === null || sameKey(r.keys[ctx.seriesDim], g.key))
      .map((r) => {
        const point = [
          num(x === undefined ? null : r.values[x.id]),
          num(y === undefined ? null : r.values[y.id]),
        ];
        const name =
          ctx.categoryDim === null ? '' : localize(r.labels[ctx.categoryDim], ctx.locale);
        if (!bubble || size === undefined) return { name, value: point };
        const s = num(r.values[size.id]) ?? 0;
        return {
          name,
          value: [...point, s],
          symbolSize: Math.round(8 + 52 * Math.sqrt(Math.max(0, s) / biggest)),
        };
      }),
  }));
  return base(ctx, {
    grid: { left: 16, right: 24, top: 48, bottom: 48, containLabel: true },
    xAxis: {
      type: 'value',
      name: x === undefined ? '' : localize(x.label, ctx.locale),
      scale: true,
    },
    yAxis: {
      type: 'value',
      name: y === undefined ? '' : localize(y.label, ctx.locale),
      scale: true,
    },
    ...legend(series.map((s) => s.name)),
    series,
  });
}

function radar(ctx: Context): ChartOption {
  const list = seriesData(ctx);
  const indicator = ctx.categories.map((c, i) => ({
    name: c.label,
    max: niceMax(Math.max(0, ...list.map((s) => s.data[i] ?? 0))),
  }));
  return base(ctx, {
    radar: { indicator, radius: '65%' },
    ...legend(list.map((s) => s.name)),
    series: [
      {
        type: 'radar',
        data: list.map((s) => ({ name: s.name, value: s.data.map((v) => v ?? 0) })),
      },
    ],
  });
}

function heatmap(ctx: Context): ChartOption {
  const m = ctx.measures[0];
  const xs = ctx.categories;
  const ys = ctx.seriesKeys;
  const data: Array<[number, number, number | null]> = [];
  xs.forEach((c, i) =>
    ys.forEach((s, j) =>
      data.push([i, j, m === undefined ? null : num(find(ctx, c, s)?.values[m.id])]),
    ),
  );
  const values = data.map((d) => d[2]).filter((v): v is number => v !== null);
  return base(ctx, {
    tooltip: { position: 'top' },
    grid: { left: 16, right: 24, top: 48, bottom: 72, containLabel: true },
    xAxis: { type: 'category', data: xs.map((c) => c.label), splitArea: { show: true } },
    yAxis: { type: 'category', data: ys.map((c) => c.label), splitArea: { show: true } },
    visualMap: {
      min: Math.min(0, ...values),
      max: Math.max(1, ...values),
      calculable: true,
      orient: 'horizontal',
      left: 'center',
      bottom: 8,
    },
    series: [
      {
        name: m === undefined ? '' : localize(m.label, ctx.locale),
        type: 'heatmap',
        data,
        label: { show: xs.length * ys.length <= 100 },
      },
    ],
  });
}

function calendar(ctx: Context): ChartOption {
  const m = ctx.measures[0];
  const dim = ctx.categoryDim;
  const days = ctx.rows
    .map((r) => ({
      day: dim === null ? null : r.keys[dim],
      value: m === undefined ? null : num(r.values[m.id]),
    }))
    .filter(
      (d): d is { day: string; value: number | null } =>
        typeof d.day === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d.day),
    )
    .sort((a, b) => (a.day < b.day ? -1 : 1));
  const first = days[0]?.day;
  const last = days[days.length - 1]?.day;
  const values = days.map((d) => d.value).filter((v): v is number => v !== null);
  return base(ctx, {
    tooltip: { position: 'top' },
    visualMap: {
      min: 0,
      max: Math.max(1, ...values),
      calculable: true,
      orient: 'horizontal',
      left: 'center',
      bottom: 8,
    },
    calendar: {
      range: first === undefined || last === undefined ? [] : [first, last],
      cellSize: ['auto', 16],
      top: 64,
      left: 40,
      right: 24,
      dayLabel: { firstDay: 1, nameMap: ctx.locale === 'en' ? 'en' : 'ZH' },
      monthLabel: { nameMap: ctx.locale === 'en' ? 'en' : 'ZH' },
      yearLabel: { show: true },
    },
    series: [
      { type: 'heatmap', coordinateSystem: 'calendar', data: days.map((d) => [d.day, d.value]) },
    ],
  });
}

type TreeNode = { name: string; value: number; children?: TreeNode[] };

function hierarchy(ctx: Context): TreeNode[] {
  const m = ctx.measures[0];
  const dims = ctx.result.dimensions.map((d) => d.id);
  const roots: TreeNode[] = [];
  for (const r of ctx.rows) {
    const value = m === undefined ? 0 : (num(r.values[m.id]) ?? 0);
    let level = roots;
    dims.forEach((d, i) => {
      const name = localize(r.labels[d] ?? String(r.keys[d] ?? ''), ctx.locale);
      let node = level.find((n) => n.name === name);
      if (node === undefined) {
        node = { name, value: 0 };
        level.push(node);
      }
      node.value += value;
      if (i < dims.length - 1) {
        node.children ??= [];
        level = node.children;
      }
    });
  }
  return roots;
}

function tree(ctx: Context, type: 'treemap' | 'sunburst'): ChartOption {
  const m = ctx.measures[0];
  const data = hierarchy(ctx);
  return base(ctx, {
    series: [
      type === 'treemap'
        ? {
            name: m === undefined ? '' : localize(m.label, ctx.locale),
            type,
            data,
            leafDepth: 2,
            roam: false,
            breadcrumb: { show: true },
            label: { show: true, formatter: '{b}' },
          }
        : {
            name: m === undefined ? '' : localize(m.label, ctx.locale),
            type,
            data,
            radius: ['10%', '90%'],
            label: { rotate: 'radial' },
          },
    ],
  });
}

function waterfall(ctx: Context): ChartOption {
  const m = ctx.measures[0];
  const values = ctx.categories.map((c) =>
    m === undefined ? 0 : (num(find(ctx, c, null)?.values[m.id]) ?? 0),
  );
  const placeholder: number[] = [];
  const up: Array<number | string> = [];
  const down: Array<number | string> = [];
  let running = 0;
  for (const v of values) {
    const next = running + v;
    placeholder.push(Math.min(running, next));
    up.push(v >= 0 ? v : '-');
    down.push(v < 0 ? -v : '-');
    running = next;
  }
  const totalLabel = ctx.locale === 'en' ? 'Total' : '合计';
  placeholder.push(0);
  up.push(running >= 0 ? running : '-');
  down.push(running < 0 ? -running : '-');
  return base(ctx, {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 16, right: 24, top: 48, bottom: 48, containLabel: true },
    xAxis: { type: 'category', data: [...ctx.categories.map((c) => c.label), totalLabel] },
    yAxis: { type: 'value' },
    series: [
      {
        name: 'placeholder',
        type: 'bar',
        stack: 'waterfall',
        silent: true,
        itemStyle: { borderColor: 'transparent', color: 'transparent' },
        emphasis: { itemStyle: { borderColor: 'transparent', color: 'transparent' } },
        data: placeholder,
      },
      {
        name: ctx.locale === 'en' ? 'Increase' : '增加',
        type: 'bar',
        stack: 'waterfall',
        label: { show: true, position: 'top' },
        data: up,
      },
      {
        name: ctx.locale === 'en' ? 'Decrease' : '减少',
        type: 'bar',
        stack: 'waterfall',
        label: { show: true, position: 'bottom' },
        data: down,
      },
    ],
  });
}

/** Provinces, municipalities, autonomous regions and SARs: [short, full]. */
export const CHINA_PROVINCES: ReadonlyArray<readonly [string, string]> = [
  ['北京', '北京市'],
  ['天津', '天津市'],
  ['上海', '上海市'],
  ['重庆', '重庆市'],
  ['河北', '河北省'],
  ['山西', '山西省'],
  ['辽宁', '辽宁省'],
  ['吉林', '吉林省'],
  ['黑龙江', '黑龙江省'],
  ['江苏', '江苏省'],
  ['浙江', '浙江省'],
  ['安徽', '安徽省'],
  ['福建', '福建省'],
  ['江西', '江西省'],
  ['山东', '山东省'],
  ['河南', '河南省'],
  ['湖北', '湖北省'],
  ['湖南', '湖南省'],
  ['广东', '广东省'],
  ['海南', '海南省'],
  ['四川', '四川省'],
  ['贵州', '贵州省'],
  ['云南', '云南省'],
  ['陕西', '陕西省'],
  ['甘肃', '甘肃省'],
  ['青海', '青海省'],
  ['台湾', '台湾省'],
  ['内蒙古', '内蒙古自治区'],
  ['广西', '广西壮族自治区'],
  ['西藏', '西藏自治区'],
  ['宁夏', '宁夏回族自治区'],
  ['新疆', '新疆维吾尔自治区'],
  ['香港', '香港特别行政区'],
  ['澳门', '澳门特别行政区'],
];

/** A province name as the map names it (广东 / 广东省 / 广东省深圳市 all find 广东). */
export function provinceName(value: string, style: 'short' | 'full' = 'full'): string | null {
  const v = value.trim();
  const hit =
    CHINA_PROVINCES.find(([short]) => v.startsWith(short)) ??
    (v.startsWith('内蒙') ? CHINA_PROVINCES.find(([s]) => s === '内蒙古') : undefined);
  if (hit === undefined) return null;
  return style === 'short' ? hit[0] : hit[1];
}

function chinaMap(ctx: Context): ChartOption {
  const m = ctx.measures[0];
  const style = ctx.chart.provinceNames ?? 'full';
  const totals = new Map<string, number>();
  for (const c of ctx.categories) {
    const name = provinceName(typeof c.key === 'string' ? c.key : c.label, style);
    if (name === null) continue;
    const v = m === undefined ? null : num(find(ctx, c, null)?.values[m.id]);
    totals.set(name, (totals.get(name) ?? 0) + (v ?? 0));
  }
  const data = [...totals.entries()].map(([name, value]) => ({ name, value }));
  const values = data.map((d) => d.value);
  return base(ctx, {
    visualMap: {
      min: 0,
      max: Math.max(1, ...values),
      left: 'left',
      bottom: 16,
      text: ctx.locale === 'en' ? ['High', 'Low'] : ['高', '低'],
      calculable: true,
    },
    series: [
      {
        name: m === undefined ? '' : localize(m.label, ctx.locale),
        type: 'map',
        map: 'china',
        roam: true,
        label: { show: false },
        emphasis: { label: { show: true } },
        data,
      },
    ],
  });
}

function table(ctx: Context, renderer: 'table' | 'pivot'): ChartOption {
  const grid = resultGrid(ctx.result, ctx.locale);
  const header = grid.header[grid.header.length - 1] ?? [];
  return base(ctx, {
    dataset: {
      dimensions: header.map((h, i) => (h === null || h === '' ? `c${i}` : String(h))),
      source: grid.body,
    },
    trellis: {
      renderer,
      header: grid.header,
      body: grid.body,
      formats: Object.fromEntries(ctx.measures.map((m) => [m.id, m.format])),
      truncated: ctx.result.truncated,
    },
  });
}

/**
 * An ECharts option for a result: plain JSON the designer hands to `echarts.setOption`
 * (the China map expects the GeoJSON registered as `china`). Tables and pivot tables come back
 * as a `dataset` plus `trellis.header/body` for the designer's own grid.
 */
export function toChartOption(result: ReportResult, chart: ChartSpec): ChartOption {
  const ctx = contextOf(result, chart);
  switch (chart.type) {
    case 'bar':
      return cartesian(ctx, 'bar', {});
    case 'stacked_bar':
      return cartesian(ctx, 'bar', { stack: true });
    case 'percent_bar':
      return cartesian(ctx, 'bar', { stack: true, percent: true });
    case 'horizontal_bar':
      return cartesian(ctx, 'bar', { horizontal: true });
    case 'line':
      return cartesian(ctx, 'line', {});
    case 'area':
      return cartesian(ctx, 'line', { area: true });
    case 'stacked_area':
      return cartesian(ctx, 'line', { area: true, stack: true });
    case 'combo':
      return combo(ctx);
    case 'pie':
    case 'donut':
    case 'rose':
      return pie(ctx, chart.type);
    case 'funnel':
      return funnel(ctx);
    case 'gauge':
      return gauge(ctx);
    case 'kpi':
      return kpi(ctx);
    case 'scatter':
      return scatter(ctx, false);
    case 'bubble':
      return scatter(ctx, true);
    case 'radar':
      return radar(ctx);
    case 'heatmap':
      return heatmap(ctx);
    case 'calendar_heatmap':
      return calendar(ctx);
    case 'treemap':
    case 'sunburst':
      return tree(ctx, chart.type);
    case 'waterfall':
      return waterfall(ctx);
    case 'china_map':
      return chinaMap(ctx);
    case 'table':
      return table(ctx, 'table');
    case 'pivot_table':
      return table(ctx, 'pivot');
    default:
      return table(ctx, 'table');
  }
}
