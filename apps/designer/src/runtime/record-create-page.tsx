import { useMemo } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { formsApi } from '../api/forms-api.js';
import { recordsApi } from '../api/records-api.js';
import { useResource } from '../api/use-resource.js';
import { useI18n } from '../i18n/i18n-context.js';
import { ProblemNotice } from '../ui/problem-notice.js';
import { Loading, PageHeader } from '../ui/states.js';
import { useToast } from '../ui/toast.js';
import { useCurrentApp } from './app-context.js';
import { RecordEditor } from './record-editor.js';
import { useCompiledForm } from './use-compiled-form.js';

export function RecordCreatePage() {
  const { formId = '' } = useParams();
  const { app } = useCurrentApp();
  const { t, text, locale } = useI18n();
  const navigate = useNavigate();
  const toast = useToast();
  const form = useResource((signal) => formsApi.get(formId, signal), [formId]);
  const { compiled, error } = useCompiledForm(form.data);
  const initial = useMemo(
    () => compiled?.initialValues({ locale, now: new Date().toISOString() }) ?? {},
    [compiled, locale],
  );
  const listPath = `/apps/${app.id}/forms/${formId}`;

  if (form.error !== undefined || error !== undefined) {
    return (
      <div className="page">
        <ProblemNotice error={form.error ?? error} />
      </div>
    );
  }
  if (form.data === undefined || compiled === null) return <Loading />;

  return (
    <div className="page record-page record-page--form">
      <PageHeader
        before={
          <Link to={listPath} className="back-link">
            ← {text(form.data.name)}
          </Link>
        }
        title={t('records.newTitle', { form: text(form.data.name) })}
      />
      <div className="card">
        <div className="card__body">
          <RecordEditor
            key={compiled.schema.fields.length}
            compiled={compiled}
            initial={initial}
            submitLabel={t('records.create')}
            allowDraft
            onCancel={() => void navigate(listPath)}
            onSave={async (values, draft) => {
              try {
                const record = await recordsApi.create(formId, values, draft);
                toast.show(draft ? t('records.draftSaved') : t('records.created'));
                void navigate(`${listPath}/records/${record.id}`);
                return { ok: true };
              } catch (caught) {
                return { ok: false, error: caught };
              }
            }}
          />
        </div>
      </div>
    </div>
  );
}
