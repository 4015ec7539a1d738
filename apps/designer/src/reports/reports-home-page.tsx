import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { CHART_TYPES } from '@trellis/report-engine';
import { reportsApi } from '../api/reports-api.js';
import { useResource } from '../api/use-resource.js';
import { isBuilder, useMe } from '../auth/session-context.js';
import { bilingual } from '../i18n/bilingual.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button, buttonClass } from '../ui/button.js';
import { Icon } from '../ui/icon.js';
import { ProblemNotice } from '../ui/problem-notice.js';
import { EmptyState, Loading, PageHeader } from '../ui/states.js';
import { useCurrentApp } from '../runtime/app-context.js';
import './reports.css';

/** The app's reports and dashboards. */
export function ReportsHomePage() {
  const { app } = useCurrentApp();
  const { t, text, locale, formatDateTime } = useI18n();
  const me = useMe();
  const builder = isBuilder(me);
  const navigate = useNavigate();
  const reports = useResource((signal) => reportsApi.list(app.id, signal), [app.id]);
  const dashboards = useResource((signal) => reportsApi.dashboards(app.id, signal), [app.id]);
  const [problem, setProblem] = useState<unknown>(null);

  async function newDashboard() {
    setProblem(null);
    try {
      const created = await reportsApi.createDashboard(app.id, {
        name: bilingual('dashboards.untitled'),
        layout: { items: [], filters: [] },
      });
      void navigate(`/apps/${app.id}/dashboards/${created.id}/edit`);
    } catch (caught) {
      setProblem(caught);
    }
  }

  return (
    <div className="page">
      <PageHeader
        title={t('reports.title')}
        subtitle={t('reports.subtitle')}
        actions={
          builder ? (
            <>
              <Button
                icon="dashboard"
                onClick={() => void newDashboard()}
                data-testid="new-dashboard"
              >
                {t('dashboards.new')}
              </Button>
              <Link
                className={buttonClass('primary')}
                to={`/apps/${app.id}/reports/new`}
                data-testid="new-report"
              >
                <Icon name="plus" />
                {t('reports.new')}
              </Link>
            </>
          ) : undefined
        }
      />
      {problem === null ? null : <ProblemNotice error={problem} />}
      <section aria-labelledby="dashboards-title" className="reports-section">
        <h2 id="dashboards-title">{t('runtime.dashboards')}</h2>
        {dashboards.error !== undefined ? (
          <ProblemNotice error={dashboards.error} />
        ) : dashboards.data === undefined ? (
          <Loading />
        ) : dashboards.data.length === 0 ? (
          <p className="muted">{t('dashboards.none')}</p>
        ) : (
          <ul className="list-plain reports-grid">
            {dashboards.data.map((d) => (
              <li key={d.id} className="card report-card">
                <Icon name="dashboard" className="report-card__icon" />
                <div className="grow">
                  <Link to={`/apps/${app.id}/dashboards/${d.id}`} className="report-card__name">
                    {text(d.name)}
                  </Link>
                  <p className="small muted">
                    {t('dashboards.tiles', { count: d.layout.items?.length ?? 0 })}
                  </p>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="reports-title" className="reports-section">
        <h2 id="reports-title">{t('runtime.reports')}</h2>
        {reports.error !== undefined ? (
          <ProblemNotice error={reports.error} />
        ) : reports.data === undefined ? (
          <Loading />
        ) : reports.data.length === 0 ? (
          <div className="card">
            <EmptyState icon="chart" title={t('reports.none')}>
              {builder ? t('reports.noneBuilder') : undefined}
            </EmptyState>
          </div>
        ) : (
          <ul className="list-plain reports-grid">
            {reports.data.map((r) => (
              <li key={r.id} className="card report-card" data-testid="report-card">
                <Icon name="chart" className="report-card__icon" />
                <div className="grow">
                  <Link to={`/apps/${app.id}/reports/${r.id}/edit`} className="report-card__name">
                    {text(r.name)}
                  </Link>
                  <p className="small muted">
                    {CHART_TYPES.find((c) => c.id === r.chart?.type)?.label[locale] ?? ''} ·{' '}
                    {formatDateTime(r.updatedAt)}
                  </p>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
