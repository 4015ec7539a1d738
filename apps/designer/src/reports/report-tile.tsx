import { useNavigate } from 'react-router';
import type { ReportResult, ResultRow } from '@trellis/report-engine';
import { reportsApi, type SavedReport } from '../api/reports-api.js';
import { useResource } from '../api/use-resource.js';
import { useI18n } from '../i18n/i18n-context.js';
import { ProblemNotice } from '../ui/problem-notice.js';
import { Loading } from '../ui/states.js';
import { useCurrentApp } from '../runtime/app-context.js';
import { ChartView } from './chart-view.js';
import { drillPath } from './drill.js';
import { ResultTable } from './result-table.js';

/** One saved report drawn in a dashboard tile, with the dashboard's filters ANDed in. */
export function ReportTile({
  report,
  extraFilter,
  height,
}: {
  report: SavedReport;
  extraFilter: unknown;
  height: number;
}) {
  const { app } = useCurrentApp();
  const { t, locale, text } = useI18n();
  const navigate = useNavigate();
  const filterKey = JSON.stringify(extraFilter ?? null);
  const answer = useResource(
    (signal) => {
      const extra: unknown = JSON.parse(filterKey);
      const spec =
        extra === null
          ? report.spec
          : {
              ...report.spec,
              filter:
                report.spec.filter === undefined ? extra : { and: [report.spec.filter, extra] },
            };
      return reportsApi.query(app.id, spec, undefined, signal);
    },
    [report.id, report.updatedAt, filterKey],
  );
  const formId = app.forms.find((form) => form.key === report.spec.form)?.id ?? '';
  const drill = (row: ResultRow) => void navigate(drillPath(app.id, formId, row.drill));
  const result: ReportResult | undefined = answer.data?.result;
  const chart = report.chart ?? { type: 'table' as const };
  return (
    <div className="report-tile" data-testid="report-tile">
      {answer.error !== undefined ? (
        <ProblemNotice error={answer.error} />
      ) : result === undefined ? (
        <Loading />
      ) : chart.type === 'table' || chart.type === 'pivot_table' ? (
        <ResultTable result={result} onDrill={drill} />
      ) : (
        <ChartView
          result={result}
          chart={{ ...chart, locale }}
          height={height}
          onDrill={drill}
          label={t('reports.chartLabel', { chart: text(report.name) })}
        />
      )}
    </div>
  );
}
