import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { errorsByField, isApiProblem } from '../api/api-problem.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button } from '../ui/button.js';
import { TextField } from '../ui/form-field.js';
import { errorMessage, Notice, problemMessage } from '../ui/problem-notice.js';
import { AuthLayout } from './auth-layout.js';
import { returnPath } from './return-path.js';
import { useSession } from './session-context.js';

export function SignInPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  async function submit(event: FormEvent) {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (email.trim() === '') local['email'] = t('validation.required');
    if (password === '') local['password'] = t('validation.required');
    setFieldErrors(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      await session.signIn({ email: email.trim(), password });
      void navigate(returnPath(location.state), { replace: true });
    } catch (caught) {
      setError(caught);
      if (isApiProblem(caught)) {
        const byField = errorsByField(caught.errors);
        setFieldErrors(
          Object.fromEntries(
            [...byField].map(([field, list]) => [
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

  const headline =
    isApiProblem(error) && error.status === 401
      ? t('auth.wrongCredentials')
      : error === null
        ? null
        : problemMessage(error, i18n);

  return (
    <AuthLayout
      title={t('auth.signInTitle')}
      footer={
        <>
          {t('auth.noAccount')} <Link to="/signup">{t('auth.signUpLink')}</Link>
        </>
      }
    >
      <form className="form-stack" onSubmit={(event) => void submit(event)} noValidate>
        {headline === null ? null : <Notice tone="error" title={headline} testId="problem" />}
        <TextField
          label={t('auth.email')}
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={fieldErrors['email']}
          name="email"
        />
        <TextField
          label={t('auth.password')}
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={fieldErrors['password']}
          name="password"
        />
        <Button type="submit" variant="primary" block busy={busy}>
          {t('auth.signIn')}
        </Button>
      </form>
    </AuthLayout>
  );
}
