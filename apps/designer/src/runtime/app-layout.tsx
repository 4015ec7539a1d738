import { useMemo } from 'react';
import { Link, NavLink, Outlet, useParams } from 'react-router';
import { appsApi } from '../api/apps-api.js';
import { useResource } from '../api/use-resource.js';
import { isBuilder, useMe } from '../auth/session-context.js';
import { createApiDataSource, FieldDataSourceProvider } from '../forms/field-data-source.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Icon } from '../ui/icon.js';
import { ProblemNotice } from '../ui/problem-notice.js';
import { Loading } from '../ui/states.js';
import { AppIcon } from '../workspace/app-icon.js';
import { AppContext } from './app-context.js';
import './runtime.css';

/** An app as its users see it: its name and a navigation entry per published form. */
export function AppLayout() {
  const { appId = '' } = useParams();
  const { t, text } = useI18n();
  const me = useMe();
  const builder = isBuilder(me);
  const app = useResource((signal) => appsApi.get(appId, signal), [appId]);
  const untitled = t('records.untitled');
  const source = useMemo(
    () => (app.data === undefined ? null : createApiDataSource(app.data.forms, untitled)),
    [app.data, untitled],
  );

  if (app.error !== undefined && app.data === undefined) {
    return (
      <div className="page">
        <ProblemNotice error={app.error} />
      </div>
    );
  }
  if (app.data === undefined || source === null) return <Loading />;

  const forms = app.data.forms.filter((form) => builder || form.publishedVersion !== null);
  return (
    <AppContext.Provider value={{ app: app.data, reload: app.reload }}>
      <FieldDataSourceProvider source={source}>
        <div className="app-frame">
          <div className="app-frame__header">
            <Link to={`/apps/${appId}`} className="app-frame__title">
              <AppIcon icon={app.data.icon} size={32} />
              <span>{text(app.data.name)}</span>
            </Link>
            <nav className="app-frame__nav" aria-label={t('runtime.appNavigation')}>
              <ul className="list-plain">
                <li>
                  <NavLink end to={`/apps/${appId}`} className="app-frame__nav-link">
                    <Icon name="apps" />
                    {t('runtime.home')}
                  </NavLink>
                </li>
                <li>
                  <NavLink
                    to={`/apps/${appId}/reports`}
                    className="app-frame__nav-link"
                    data-testid="nav-reports"
                  >
                    <Icon name="chart" />
                    {t('runtime.reports')}
                  </NavLink>
                </li>
                {builder ? (
                  <li>
                    <NavLink
                      to={`/apps/${appId}/rules`}
                      className="app-frame__nav-link"
                      data-testid="nav-rules"
                    >
                      <Icon name="bolt" />
                      {t('runtime.rules')}
                    </NavLink>
                  </li>
                ) : null}
                {forms.map((form) => (
                  <li key={form.id}>
                    <NavLink
                      to={
                        form.publishedVersion === null
                          ? `/apps/${appId}/forms/${form.id}/design`
                          : `/apps/${appId}/forms/${form.id}`
                      }
                      className="app-frame__nav-link"
                    >
                      <Icon name="list" />
                      {text(form.name)}
                      {form.publishedVersion === null ? (
                        <span className="badge badge--warning">{t('forms.unpublished')}</span>
                      ) : null}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </nav>
          </div>
          <div className="app-frame__content">
            <Outlet />
          </div>
        </div>
      </FieldDataSourceProvider>
    </AppContext.Provider>
  );
}
