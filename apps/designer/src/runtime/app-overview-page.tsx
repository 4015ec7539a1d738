import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { FormDetail } from '../api/forms-api.js';
import { isBuilder, useMe } from '../auth/session-context.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button, buttonClass } from '../ui/button.js';
import { Icon } from '../ui/icon.js';
import { EmptyState, PageHeader } from '../ui/states.js';
import { useCurrentApp } from './app-context.js';
import { CreateFormDialog } from './create-form-dialog.js';
import { ExportAppButton } from './export-app-button.js';

/** The app's home: its forms, each opening its records (and, for builders, its designer). */
export function AppOverviewPage() {
  const { t, text } = useI18n();
  const { app, reload } = useCurrentApp();
  const me = useMe();
  const builder = isBuilder(me);
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const forms = app.forms.filter((form) => builder || form.publishedVersion !== null);

  function created(form: FormDetail) {
    setCreating(false);
    reload();
    void navigate(`/apps/${app.id}/forms/${form.id}/design`);
  }

  return (
    <div className="page">
      <PageHeader
        title={text(app.name)}
        subtitle={text(app.description) || undefined}
        actions={
          builder ? (
            <>
              <ExportAppButton appId={app.id} name={text(app.name)} />
              <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
                {t('forms.create')}
              </Button>
            </>
          ) : undefined
        }
      />
      {forms.length === 0 ? (
        <div className="card">
          <EmptyState
            icon="form"
            title={t('forms.emptyTitle')}
            action={
              builder ? (
                <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
                  {t('forms.createFirst')}
                </Button>
              ) : undefined
            }
          >
            {builder ? t('forms.emptyBuilder') : t('forms.emptyMember')}
          </EmptyState>
        </div>
      ) : (
        <ul className="form-cards list-plain">
          {forms.map((form) => (
            <li key={form.id} className="form-card card" data-testid="form-card">
              <div className="form-card__head">
                <span className="form-card__icon" aria-hidden="true">
                  <Icon name="form" />
                </span>
                <div className="grow">
                  <h2 className="form-card__name">{text(form.name)}</h2>
                  <p className="small muted">
                    {form.publishedVersion === null ? (
                      <span className="badge badge--warning">{t('forms.unpublished')}</span>
                    ) : (
                      <span className="badge badge--success">
                        {t('forms.publishedVersion', { version: form.publishedVersion })}
                      </span>
                    )}
                  </p>
                </div>
              </div>
              <div className="form-card__actions">
                {form.publishedVersion === null ? null : (
                  <>
                    <Link
                      className={buttonClass('primary', 'small')}
                      to={`/apps/${app.id}/forms/${form.id}`}
                    >
                      <Icon name="list" />
                      {t('forms.openRecords')}
                    </Link>
                    <Link
                      className={buttonClass('secondary', 'small')}
                      to={`/apps/${app.id}/forms/${form.id}/new`}
                    >
                      <Icon name="plus" />
                      {t('records.new')}
                    </Link>
                  </>
                )}
                {builder ? (
                  <>
                    <Link
                      className={buttonClass('ghost', 'small')}
                      to={`/apps/${app.id}/forms/${form.id}/design`}
                    >
                      <Icon name="edit" />
                      {t('forms.design')}
                    </Link>
                    <Link
                      className={buttonClass('ghost', 'small')}
                      to={`/apps/${app.id}/forms/${form.id}/flow`}
                      data-testid="design-flow"
                    >
                      <Icon name="flow" />
                      {t('runtime.flow')}
                    </Link>
                  </>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      )}
      <CreateFormDialog
        appId={app.id}
        open={creating}
        takenKeys={app.forms.map((form) => form.key)}
        onClose={() => setCreating(false)}
        onCreated={created}
      />
    </div>
  );
}
