import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { appsApi, type TrellisApp } from '../api/apps-api.js';
import { errorsByField, isApiProblem } from '../api/api-problem.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button } from '../ui/button.js';
import { Dialog } from '../ui/dialog.js';
import { TextAreaField, TextField } from '../ui/form-field.js';
import { Icon } from '../ui/icon.js';
import { errorMessage, ProblemNotice } from '../ui/problem-notice.js';
import { APP_ICONS } from './app-icon.js';

export function CreateAppDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose(): void;
  onCreated(app: TrellisApp): void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [nameZh, setNameZh] = useState('');
  const [nameEn, setNameEn] = useState('');
  const [description, setDescription] = useState('');
  const [icon, setIcon] = useState<string>(APP_ICONS[0]?.key ?? 'users');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    if (!open) return;
    setNameZh('');
    setNameEn('');
    setDescription('');
    setError(null);
    setFieldErrors({});
  }, [open]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (nameZh.trim() === '') {
      setFieldErrors({ name: t('validation.required') });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const app = await appsApi.create({
        name: nameEn.trim() === '' ? nameZh.trim() : { 'zh-CN': nameZh.trim(), en: nameEn.trim() },
        ...(description.trim() === '' ? {} : { description: description.trim() }),
        icon,
      });
      onCreated(app);
    } catch (caught) {
      setError(caught);
      if (isApiProblem(caught)) {
        setFieldErrors(
          Object.fromEntries(
            [...errorsByField(caught.errors)].map(([field, list]) => [
              field,
              list.map((e) => errorMessage(e, i18n)).join(' '),
            ]),
          ),
        );
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={open}
      title={t('apps.createTitle')}
      onClose={onClose}
      testId="create-app-dialog"
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant="primary" type="submit" form="create-app-form" busy={busy}>
            {t('apps.createSubmit')}
          </Button>
        </>
      }
    >
      <form id="create-app-form" className="form-stack" onSubmit={(e) => void submit(e)} noValidate>
        {error === null ? null : <ProblemNotice error={error} />}
        <div className="form-row">
          <TextField
            label={t('apps.nameZh')}
            required
            value={nameZh}
            onChange={(e) => setNameZh(e.target.value)}
            error={fieldErrors['name']}
            name="nameZh"
            autoFocus
          />
          <TextField
            label={t('apps.nameEn')}
            value={nameEn}
            onChange={(e) => setNameEn(e.target.value)}
            name="nameEn"
          />
        </div>
        <TextAreaField
          label={t('apps.description')}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          error={fieldErrors['description']}
          rows={3}
        />
        <fieldset className="fieldset">
          <legend>{t('apps.icon')}</legend>
          <div className="icon-picker" role="radiogroup" aria-label={t('apps.icon')}>
            {APP_ICONS.map((entry) => (
              <label key={entry.key} className="icon-picker__option">
                <input
                  type="radio"
                  name="app-icon"
                  value={entry.key}
                  checked={icon === entry.key}
                  onChange={() => setIcon(entry.key)}
                  className="visually-hidden"
                />
                <span className="icon-picker__swatch" style={{ background: entry.color }}>
                  <Icon name={entry.icon} label={t(entry.label)} />
                </span>
              </label>
            ))}
          </div>
        </fieldset>
      </form>
    </Dialog>
  );
}
