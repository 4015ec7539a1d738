import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { templatesApi, type ShippedTemplate } from '../api/templates-api.js';
import { useResource } from '../api/use-resource.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';
import { Button } from '../ui/button.js';
import { Checkbox } from '../ui/form-field.js';
import { Icon } from '../ui/icon.js';
import { ProblemNotice } from '../ui/problem-notice.js';
import { useToast } from '../ui/toast.js';

/** What the gallery says about a template beyond its own name and description. */
const HIGHLIGHTS: Record<string, MessageKey[]> = {
  'customer-follow-up': ['templates.crm.point1', 'templates.crm.point2', 'templates.crm.point3'],
};

/** Ready-made apps that ship with Trellis, installed in one click (validated by the API, all or nothing). */
export function TemplateGallery({ onInstalled }: { onInstalled(): void }) {
  const { t, text } = useI18n();
  const templates = useResource((signal) => templatesApi.list(signal), []);
  const [problem, setProblem] = useState<unknown>(null);

  if (templates.error !== undefined) return <ProblemNotice error={templates.error} />;
  if (templates.data === undefined || templates.data.length === 0) return null;
  return (
    <section className="template-gallery" aria-labelledby="templates-title">
      <h2 id="templates-title" className="template-gallery__title">
        {t('templates.title')}
      </h2>
      {problem === null ? null : <ProblemNotice error={problem} />}
      <ul className="list-plain template-gallery__list">
        {templates.data.map((template) => (
          <TemplateCard
            key={template.key}
            template={template}
            name={text(template.name)}
            description={template.description === null ? '' : text(template.description)}
            onProblem={setProblem}
            onInstalled={() => {
              templates.reload();
              onInstalled();
            }}
          />
        ))}
      </ul>
    </section>
  );
}

function TemplateCard({
  template,
  name,
  description,
  onProblem,
  onInstalled,
}: {
  template: ShippedTemplate;
  name: string;
  description: string;
  onProblem(problem: unknown): void;
  onInstalled(): void;
}) {
  const { t } = useI18n();
  const toast = useToast();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [withSampleData, setWithSampleData] = useState(false);

  async function install() {
    setBusy(true);
    onProblem(null);
    try {
      const result = await templatesApi.install(template.key, withSampleData);
      toast.show(t('templates.installed'));
      onInstalled();
      void navigate(`/apps/${result.appId}`);
    } catch (caught) {
      onProblem(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className="card template-card" data-testid={`template-${template.key}`}>
      <span className="template-card__icon" aria-hidden="true">
        <Icon name="users" />
      </span>
      <div className="grow">
        <h3 className="template-card__name">{name}</h3>
        {description === '' ? null : <p className="small muted">{description}</p>}
        <ul className="template-card__points small">
          {(HIGHLIGHTS[template.key] ?? []).map((point) => (
            <li key={point}>{t(point)}</li>
          ))}
        </ul>
        {template.installedAppId === null ? (
          <>
            <Checkbox
              label={t('templates.sampleData')}
              checked={withSampleData}
              disabled={busy}
              onChange={(event) => setWithSampleData(event.target.checked)}
              data-testid="template-sample-data"
            />
            {withSampleData ? <p className="small muted">{t('templates.sampleDataHint')}</p> : null}
            {busy ? (
              <p className="small" role="status">
                {t('templates.installing')}
              </p>
            ) : null}
          </>
        ) : (
          <p className="small muted">
            {t('templates.installedAlready', { version: template.installedVersion ?? '?' })}
          </p>
        )}
      </div>
      {template.installedAppId === null ? (
        <Button
          variant="primary"
          icon="download"
          busy={busy}
          onClick={() => void install()}
          data-testid="install-template"
        >
          {t('templates.install')}
        </Button>
      ) : (
        <Link
          className="btn"
          to={`/apps/${template.installedAppId}`}
          data-testid="open-template-app"
        >
          {t('templates.open')}
        </Link>
      )}
    </li>
  );
}
