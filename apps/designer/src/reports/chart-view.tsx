import { useEffect, useRef, useState } from 'react';
import type { ChartSpec, ReportResult, ResultRow } from '@trellis/report-engine';
import { toChartOption } from '@trellis/report-engine';
import { useI18n } from '../i18n/i18n-context.js';
import { Loading } from '../ui/states.js';
import type * as EchartsSetup from './echarts-setup.js';

type EchartsModule = typeof EchartsSetup;

/** Labels of a result row by dimension, in the locale (to match a clicked chart element). */
function rowLabels(row: ResultRow, locale: string): string[] {
  return Object.values(row.labels).map((label) =>
    typeof label === 'string' ? label : (label[locale] ?? label['zh-CN']),
  );
}

/**
 * A report result drawn by ECharts (loaded on demand). Clicking a bar, slice or point opens
 * the records behind it (the row's drill-down condition).
 */
export function ChartView({
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
      const { trellis: _hints, ...plain } = option;
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
