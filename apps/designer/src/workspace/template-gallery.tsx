import { useState } from 'react';
import { useNavigate } from 'react-router';
import { isApiProblem } from '../api/api-problem.js';
import { importedAppId, templatesApi, type TemplateKey } from '../api/templates-api.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';
import { Button } from '../ui/button.js';
import { Icon } from '../ui/icon.js';
import { Notice, ProblemNotice } from '../ui/problem-notice.js';
import { useToast } from '../ui/toast.js';

const TEMPLATES: ReadonlyArray<{
  key: TemplateKey;
  name: MessageKey;
  body: MessageKey;
  points: MessageKey[];
}> = [
  {
    key: 'customer-follow-up',
    name: 'templates.crm.name',
    body: 'templates.crm.body',
    points: ['templates.crm.point1', 'templates.crm.point2', 'templates.crm.point3'],
  },
];

/** Ready-made apps, installed in one click (validated by the API, all or nothing). */
export function TemplateGallery({ onInstalled }: { onInstalled(): void }) {
  const { t } = useI18n();
  const toast = useToast();
  const navigate = useNavigate();
  const [busy, setBusy] = useState<TemplateKey | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const unavailable = isApiProblem(problem) && (problem.status === 404 || problem.status === 405);

  async function install(key: TemplateKey) {
    setBusy(key);
    setProblem(null);
    try {
      const result = await templatesApi.install(key);
      toast.show(t('templates.installed'));
      onInstalled();
      const appId = importedAppId(result);
      if (appId !== null) void navigate(`/apps/${appId}`);
    } catch (caught) {
      setProblem(caught);
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="template-gallery" aria-labelledby="templates-title">
      <h2 id="templates-title" className="template-gallery__title">
        {t('templates.title')}
      </h2>
      {unavailable ? (
        <Notice tone="info" title={t('common.notAvailableYet')} testId="not-available">
          {t('common.notAvailableBody', { what: 'POST /api/templates/import' })}
        </Notice>
      ) : problem === null ? null : (
        <ProblemNotice error={problem} />
      )}
      <ul className="list-plain template-gallery__list">
        {TEMPLATES.map((template) => (
          <li
            key={template.key}
            className="card template-card"
            data-testid={`template-${template.key}`}
          >
            <span className="template-card__icon" aria-hidden="true">
              <Icon name="users" />
            </span>
            <div className="grow">
              <h3 className="template-card__name">{t(template.name)}</h3>
              <p className="small muted">{t(template.body)}</p>
              <ul className="template-card__points small">
                {template.points.map((point) => (
                  <li key={point}>{t(point)}</li>
                ))}
              </ul>
            </div>
            <Button
              variant="primary"
              icon="download"
              busy={busy === template.key}
              onClick={() => void install(template.key)}
              data-testid="install-template"
            >
              {t('templates.install')}
            </Button>
          </li>
        ))}
      </ul>
    </section>
  );
}
