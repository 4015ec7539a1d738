import { useState } from 'react';
import type { FormEvent } from 'react';
import { authApi } from '../api/auth-api.js';
import { isApiProblem } from '../api/api-problem.js';
import { useMe } from '../auth/session-context.js';
import { useI18n } from '../i18n/i18n-context.js';
import { LanguageSwitch } from '../shell/language-switch.js';
import { Button } from '../ui/button.js';
import { TextField } from '../ui/form-field.js';
import { Notice, ProblemNotice } from '../ui/problem-notice.js';
import { PageHeader } from '../ui/states.js';
import './people.css';

export function AccountPage() {
  const { t, text } = useI18n();
  const me = useMe();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  async function submit(event: FormEvent) {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (current === '') local['currentPassword'] = t('validation.required');
    if (next.length < 8) local['newPassword'] = t('auth.passwordTooShort');
    setFieldErrors(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      await authApi.changePassword({ currentPassword: current, newPassword: next });
      setDone(true);
      setCurrent('');
      setNext('');
    } catch (caught) {
      setError(caught);
      if (isApiProblem(caught) && caught.status === 401)
        setFieldErrors({ currentPassword: t('account.wrongPassword') });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="page">
      <PageHeader title={t('account.title')} />
      <div className="form-stack">
        <section className="card" aria-labelledby="profile-title">
          <div className="card__header">
            <h2 id="profile-title" className="card__title">
              {t('account.profile')}
            </h2>
          </div>
          <div className="card__body">
            <dl className="record-view__list">
              <div className="record-view__item">
                <dt>{t('auth.name')}</dt>
                <dd>{me.member.displayName}</dd>
              </div>
              <div className="record-view__item">
                <dt>{t('auth.email')}</dt>
                <dd>{me.user.email}</dd>
              </div>
              <div className="record-view__item">
                <dt>{t('account.workspace')}</dt>
                <dd>{me.workspace.name}</dd>
              </div>
              <div className="record-view__item">
                <dt>{t('members.roles')}</dt>
                <dd>{me.roles.map((role) => text(role.name)).join('、') || '—'}</dd>
              </div>
            </dl>
          </div>
        </section>
        <section className="card" aria-labelledby="language-title">
          <div className="card__header">
            <h2 id="language-title" className="card__title">
              {t('shell.language')}
            </h2>
            <LanguageSwitch />
          </div>
        </section>
        <section className="card" aria-labelledby="password-title">
          <div className="card__header">
            <h2 id="password-title" className="card__title">
              {t('account.changePassword')}
            </h2>
          </div>
          <form className="card__body form-stack" onSubmit={(e) => void submit(e)} noValidate>
            {done ? <Notice tone="success" title={t('account.passwordChanged')} /> : null}
            {error === null ? null : <ProblemNotice error={error} />}
            <div className="form-row">
              <TextField
                label={t('account.currentPassword')}
                type="password"
                autoComplete="current-password"
                required
                value={current}
                onChange={(e) => setCurrent(e.target.value)}
                error={fieldErrors['currentPassword']}
              />
              <TextField
                label={t('account.newPassword')}
                type="password"
                autoComplete="new-password"
                required
                hint={t('auth.passwordHint')}
                value={next}
                onChange={(e) => setNext(e.target.value)}
                error={fieldErrors['newPassword']}
              />
            </div>
            <div className="form-actions">
              <Button type="submit" variant="primary" busy={busy}>
                {t('account.updatePassword')}
              </Button>
            </div>
          </form>
        </section>
      </div>
    </div>
  );
}
