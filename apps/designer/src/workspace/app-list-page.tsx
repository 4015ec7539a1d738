import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { appsApi, type TrellisApp } from '../api/apps-api.js';
import { useResource } from '../api/use-resource.js';
import { isBuilder, useMe } from '../auth/session-context.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button } from '../ui/button.js';
import { ProblemNotice } from '../ui/problem-notice.js';
import { EmptyState, Loading, PageHeader } from '../ui/states.js';
import { AppIcon } from './app-icon.js';
import { CreateAppDialog } from './create-app-dialog.js';
import { TemplateGallery } from './template-gallery.js';
import './workspace.css';

export function AppListPage() {
  const { t, text } = useI18n();
  const me = useMe();
  const navigate = useNavigate();
  const builder = isBuilder(me);
  const apps = useResource((signal) => appsApi.list(signal), []);
  const [creating, setCreating] = useState(false);

  function created(app: TrellisApp) {
    setCreating(false);
    void navigate(`/apps/${app.id}`);
  }

  return (
    <div className="page">
      <PageHeader
        title={t('apps.title')}
        subtitle={t('apps.subtitle', { workspace: me.workspace.name })}
        actions={
          builder ? (
            <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
              {t('apps.create')}
            </Button>
          ) : undefined
        }
      />
      {apps.error !== undefined ? <ProblemNotice error={apps.error} /> : null}
      {apps.loading && apps.data === undefined ? <Loading /> : null}
      {apps.data !== undefined && apps.data.length === 0 ? (
        <div className="card">
          <EmptyState
            icon="apps"
            title={t('apps.emptyTitle')}
            action={
              builder ? (
                <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
                  {t('apps.createFirst')}
                </Button>
              ) : undefined
            }
          >
            {builder ? t('apps.emptyBuilder') : t('apps.emptyMember')}
          </EmptyState>
        </div>
      ) : null}
      {apps.data !== undefined && apps.data.length > 0 ? (
        <ul className="app-grid list-plain" aria-label={t('apps.title')}>
          {apps.data.map((app) => (
            <li key={app.id}>
              <Link to={`/apps/${app.id}`} className="app-card card" data-testid="app-card">
                <AppIcon icon={app.icon} />
                <span className="app-card__text">
                  <span className="app-card__name">{text(app.name)}</span>
                  <span className="app-card__description">
                    {text(app.description) || t('apps.noDescription')}
                  </span>
                  <span className="app-card__meta">
                    {t('apps.formCount', { count: app.forms.length })}
                  </span>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
      {builder ? <TemplateGallery onInstalled={apps.reload} /> : null}
      <CreateAppDialog open={creating} onClose={() => setCreating(false)} onCreated={created} />
    </div>
  );
}
