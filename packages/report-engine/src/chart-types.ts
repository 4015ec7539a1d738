// The chart gallery: every chart type toChartOption draws, with its names and the result kinds it
// fits (the designer's gallery greys out the others).
import type { LocalizedText, ReportKind } from './types.js';

export type ChartType =
  | 'bar'
  | 'stacked_bar'
  | 'percent_bar'
  | 'horizontal_bar'
  | 'line'
  | 'area'
  | 'stacked_area'
  | 'combo'
  | 'pie'
  | 'donut'
  | 'rose'
  | 'funnel'
  | 'gauge'
  | 'kpi'
  | 'scatter'
  | 'bubble'
  | 'radar'
  | 'heatmap'
  | 'calendar_heatmap'
  | 'treemap'
  | 'sunburst'
  | 'waterfall'
  | 'china_map'
  | 'table'
  | 'pivot_table';

export type ChartTypeInfo = {
  id: ChartType;
  label: { 'zh-CN': string; en: string };
  /** Result kinds the chart can draw. */
  kinds: readonly ReportKind[];
  /** Dimensions (row + column) and visible measures it needs. */
  dimensions: { min: number; max: number };
  measures: { min: number; max: number };
  /** What the dimensions must be (a bucketed date, a province...). */
  requires?: 'date_day' | 'province' | 'hierarchy';
  description: LocalizedText;
};

const GROUPED: readonly ReportKind[] = ['table', 'pivot', 'time_series', 'leaderboard'];
const ALL: readonly ReportKind[] = [
  'table',
  'pivot',
  'funnel',
  'leaderboard',
  'kpi',
  'time_series',
];

function info(
  id: ChartType,
  zh: string,
  en: string,
  kinds: readonly ReportKind[],
  dimensions: [number, number],
  measures: [number, number],
  description: string,
  requires?: ChartTypeInfo['requires'],
): ChartTypeInfo {
  return {
    id,
    label: { 'zh-CN': zh, en },
    kinds,
    dimensions: { min: dimensions[0], max: dimensions[1] },
    measures: { min: measures[0], max: measures[1] },
    ...(requires !== undefined ? { requires } : {}),
    description: { 'zh-CN': description, en },
  };
}

export const CHART_TYPES: readonly ChartTypeInfo[] = Object.freeze([
  info('bar', '柱状图', 'Bar', GROUPED, [1, 2], [1, 6], '按类别比较数值'),
  info('stacked_bar', '堆叠柱状图', 'Stacked bar', GROUPED, [1, 2], [1, 6], '各部分叠加成总量'),
  info(
    'percent_bar',
    '百分比堆叠柱状图',
    '100% stacked bar',
    GROUPED,
    [2, 2],
    [1, 1],
    '各部分占总量的比例',
  ),
  info(
    'horizontal_bar',
    '条形图',
    'Horizontal bar',
    [...GROUPED, 'funnel'],
    [1, 2],
    [1, 6],
    '类别名较长或做排行',
  ),
  info(
    'line',
    '折线图',
    'Line',
    ['time_series', 'table', 'pivot'],
    [1, 2],
    [1, 6],
    '随时间的变化趋势',
  ),
  info('area', '面积图', 'Area', ['time_series', 'table', 'pivot'], [1, 2], [1, 6], '趋势与量级'),
  info(
    'stacked_area',
    '堆叠面积图',
    'Stacked area',
    ['time_series', 'table', 'pivot'],
    [2, 2],
    [1, 1],
    '构成随时间的变化',
  ),
  info(
    'combo',
    '柱线组合图',
    'Bar + line',
    ['time_series', 'table'],
    [1, 1],
    [2, 6],
    '金额与比率同图（双轴）',
  ),
  info('pie', '饼图', 'Pie', ['table', 'leaderboard'], [1, 1], [1, 1], '占比'),
  info('donut', '环形图', 'Donut', ['table', 'leaderboard'], [1, 1], [1, 1], '占比，中间可放总数'),
  info(
    'rose',
    '玫瑰图',
    'Nightingale rose',
    ['table', 'leaderboard'],
    [1, 1],
    [1, 1],
    '占比与大小',
  ),
  info('funnel', '漏斗图', 'Funnel', ['funnel', 'table'], [0, 1], [1, 1], '各阶段的转化'),
  info('gauge', '仪表盘', 'Gauge', ['kpi', 'leaderboard'], [0, 1], [1, 1], '目标完成度'),
  info('kpi', '指标卡', 'KPI card', ['kpi'], [0, 0], [1, 4], '一个数值及环比'),
  info('scatter', '散点图', 'Scatter', ['table'], [1, 2], [2, 2], '两个指标的关系'),
  info('bubble', '气泡图', 'Bubble', ['table'], [1, 2], [3, 3], '三个指标的关系'),
  info('radar', '雷达图', 'Radar', ['table', 'pivot', 'leaderboard'], [1, 2], [1, 6], '多维度对比'),
  info(
    'heatmap',
    '热力图',
    'Heatmap',
    ['pivot', 'table', 'time_series'],
    [2, 2],
    [1, 1],
    '两个维度交叉的强弱',
  ),
  info(
    'calendar_heatmap',
    '日历热力图',
    'Calendar heatmap',
    ['time_series', 'table'],
    [1, 1],
    [1, 1],
    '每天的活跃度',
    'date_day',
  ),
  info(
    'treemap',
    '矩形树图',
    'Treemap',
    ['table', 'pivot'],
    [1, 3],
    [1, 1],
    '层级构成',
    'hierarchy',
  ),
  info(
    'sunburst',
    '旭日图',
    'Sunburst',
    ['table', 'pivot'],
    [1, 3],
    [1, 1],
    '多层级占比',
    'hierarchy',
  ),
  info(
    'waterfall',
    '瀑布图',
    'Waterfall',
    ['table', 'time_series', 'funnel'],
    [1, 1],
    [1, 1],
    '逐项增减到合计',
  ),
  info(
    'china_map',
    '中国省份地图',
    'China province map',
    ['table'],
    [1, 1],
    [1, 1],
    '按省份分布',
    'province',
  ),
  info('table', '明细表', 'Table', ALL, [0, 6], [0, 12], '行列明细'),
  info('pivot_table', '透视表', 'Pivot table', ['pivot'], [2, 7], [1, 12], '行列交叉汇总'),
]);
