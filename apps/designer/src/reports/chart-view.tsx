import { useEffect, useRef, useState } from 'react';
import type {
  ChartOption,
  ChartSpec,
  MeasureFormat,
  ReportResult,
  ResultMeasure,
  ResultRow,
} from '@trellis/report-engine';
import { toChartOption } from '@trellis/report-engine';
import { useI18n } from '../i18n/i18n-context.js';
import { Loading } from '../ui/states.js';
import type * as EchartsSetup from './echarts-setup.js';
import { formatMeasure, formatPlainNumber } from './result-format.js';
import { useLabelledResult } from './result-labels.js';

type EchartsModule = typeof EchartsSetup;

/** Labels of a result row by dimension, in the locale (to match a clicked chart element). */
function rowLabels(row: ResultRow, locale: string): string[] {
  return Object.values(row.labels).map((label) =>
    typeof label === 'string' ? label : (label[locale] ?? label['zh-CN']),
  );
}

/** The option with value formatters (functions, so added here: the engine's option is JSON). */
function withFormatters(option: ChartOption, locale: string): ChartOption {
  const hints = option['trellis'] as { formats?: Record<string, MeasureFormat> } | undefined;
  const formats = Object.values(hints?.formats ?? {});
  const percent = formats.length > 0 && formats.every((f) => f === 'percent');
  const value = (v: unknown): string =>
    typeof v !== 'number'
      ? String(v ?? '')
      : percent
        ? formatMeasure(v, 'percent', locale)
        : formatPlainNumber(v, locale);
  const tooltip = option['tooltip'] as Record<string, unknown> | undefined;
  const next: ChartOption = {
    ...option,
    ...(tooltip === undefined ? {} : { tooltip: { ...tooltip, valueFormatter: value } }),
  };
  if (!percent) return next;
  const axis = (a: unknown): unknown => {
    if (Array.isArray(a)) return a.map(axis);
    const plain = a as Record<string, unknown> | undefined;
    return plain?.['type'] === 'value' && plain['axisLabel'] === undefined
      ? { ...plain, axisLabel: { formatter: value } }
      : a;
  };
  for (const key of ['xAxis', 'yAxis']) if (next[key] !== undefined) next[key] = axis(next[key]);
  if (Array.isArray(next['series']))
    next['series'] = (next['series'] as Array<Record<string, unknown>>).map((s) =>
      s['type'] === 'gauge'
        ? { ...s, detail: { ...(s['detail'] as object), formatter: value } }
        : s,
    );
  return next;
}

/** A KPI card as HTML: the number scales with the tile's width and wraps instead of clipping. */
function KpiCard({ result, chart }: { result: ReportResult; chart: ChartSpec }) {
  const { locale, t, text } = useI18n();
  const visible = result.measures.filter((m) => !m.hidden);
  const measures =
    chart.measures === undefined
      ? visible
      : chart.measures
          .map((id) => result.measures.find((m) => m.id === id))
          .filter((m): m is ResultMeasure => m !== undefined);
  const row = result.total ?? result.rows[0];
  const [main, ...more] = measures;
  if (main === undefined) return null;
  const value = row?.values[main.id];
  const delta = row?.delta?.[main.id] ?? null;
  const deltaPct = row?.deltaPct?.[main.id] ?? null;
  const trend = delta === null ? '' : delta > 0 ? 'up' : delta < 0 ? 'down' : 'flat';
  const deltaText =
    delta === null
      ? ''
      : `${delta > 0 ? '▲' : delta < 0 ? '▼' : '■'}${
          deltaPct === null ? '' : ` ${formatMeasure(Math.abs(deltaPct), 'percent', locale)}`
        }`;
  const shown = formatMeasure(value, main.format, locale, main.fn);
  return (
    <div className="kpi-card" data-testid="kpi-card">
      <div className="kpi-card__label">{text(main.label)}</div>
      <div className="kpi-card__value" data-testid="kpi-value">
        {shown === '' ? t('reports.kpiNoValue') : shown}
      </div>
      {deltaText === '' ? null : (
        <div className={`kpi-card__delta kpi-card__delta--${trend}`}>
          {t('reports.kpiVsPrevious', { delta: deltaText })}
        </div>
      )}
      {more.length === 0 ? null : (
        <dl className="kpi-card__more">
          {more.map((m) => (
            <div key={m.id}>
              <dt>{text(m.label)}</dt>
              <dd>{formatMeasure(row?.values[m.id], m.format, locale, m.fn) || '-'}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}

/**
 * A report result drawn by ECharts (loaded on demand). Clicking a bar, slice or point opens
 * the records behind it (the row's drill-down condition).
 */
export function ChartView(props: {
  result: ReportResult;
  chart: ChartSpec;
  height?: number;
  onDrill?(row: ResultRow): void;
  label: string;
}) {
  const { result, ready } = useLabelledResult(props.result);
  const height = props.height ?? 320;
  if (!ready)
    return (
      <div className="chart-view" style={{ height }}>
        <Loading />
      </div>
    );
  if (props.chart.type === 'kpi')
    return (
      <div
        className="chart-view"
        style={{ minHeight: height }}
        role="group"
        aria-label={props.label}
      >
        <KpiCard result={result} chart={props.chart} />
      </div>
    );
  return <EchartsView {...props} result={result} />;
}

function EchartsView({
  result,
  chart,
  height = 320,
  onDrill,
  label,
}: {
  result: ReportResult;
  chart: ChartSpec;
  height?: number;
  onDrill?(row: ResultRow): void;
  label: string;
}) {
  const { locale, t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  const [echarts, setEcharts] = useState<EchartsModule | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const drillRef = useRef(onDrill);
  drillRef.current = onDrill;

  useEffect(() => {
    let live = true;
    const load = import('./echarts-setup.js');
    void load.then(async (module) => {
      if (chart.type === 'china_map') await module.ensureChinaMap();
      if (live) setEcharts(module);
    });
    return () => {
      live = false;
    };
  }, [chart.type]);

  useEffect(() => {
    const node = ref.current;
    if (echarts === null || node === null) return undefined;
    const instance = echarts.echarts.init(node, undefined, { renderer: 'canvas' });
    try {
      const option = toChartOption(result, {
        ...chart,
        locale,
        ...(chart.type === 'china_map' ? { provinceNames: 'short' as const } : {}),
      });
      const { trellis: _hints, ...plain } = withFormatters(option, locale);
      instance.setOption({ ...plain, animation: false, aria: { enabled: true } });
      setFailure(null);
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
    }
    instance.on('click', (params) => {
      const name = typeof params.name === 'string' ? params.name : '';
      const series = typeof params.seriesName === 'string' ? params.seriesName : '';
      const rows = result.rows.filter((row) => row.level === 'detail');
      const match =
        rows.find((row) => {
          const labels = rowLabels(row, locale);
          return (
            labels.includes(name) && (series === '' || labels.length < 2 || labels.includes(series))
          );
        }) ?? rows.find((row) => rowLabels(row, locale).includes(name));
      if (match !== undefined) drillRef.current?.(match);
    });
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(node);
    return () => {
      observer.disconnect();
      instance.dispose();
    };
  }, [echarts, result, chart, locale]);

  return (
    <div className="chart-view" style={{ height }}>
      {echarts === null ? <Loading label={t('reports.loadingChart')} /> : null}
      <div
        ref={ref}
        className="chart-view__canvas"
        role="img"
        aria-label={label}
        data-testid="chart-canvas"
      />
      {failure === null ? null : (
        <p className="field__error">{t('reports.chartFailed', { reason: failure })}</p>
      )}
    </div>
  );
}
