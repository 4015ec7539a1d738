import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { errorsByField, isApiProblem, unplacedErrors } from '../api/api-problem.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button } from '../ui/button.js';
import { TextField } from '../ui/form-field.js';
import { errorMessage, ProblemNotice } from '../ui/problem-notice.js';
import { AuthLayout } from './auth-layout.js';
import { useSession } from './session-context.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SHOWN_FIELDS: ReadonlySet<string> = new Set(['name', 'email', 'password', 'workspaceName']);

type Values = { name: string; email: string; password: string; workspaceName: string };

export function SignUpPage() {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const session = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const invitationToken = params.get('invitation') ?? undefined;
  const [values, setValues] = useState<Values>({
    name: '',
    email: '',
    password: '',
    workspaceName: '',
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const set = (key: keyof Values) => (event: { target: { value: string } }) =>
    setValues((current) => ({ ...current, [key]: event.target.value }));

  function check(): Record<string, string> {
    const errors: Record<string, string> = {};
    if (values.name.trim() === '') errors['name'] = t('validation.required');
    if (values.email.trim() === '') errors['email'] = t('validation.required');
    else if (!EMAIL.test(values.email.trim())) errors['email'] = t('validation.email');
    if (values.password.length < 8) errors['password'] = t('auth.passwordTooShort');
    return errors;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const local = check();
    setFieldErrors(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      await session.signUp({
        name: values.name.trim(),
        email: values.email.trim(),
        password: values.password,
        locale,
        ...(invitationToken === undefined
          ? values.workspaceName.trim() === ''
            ? {}
            : { workspaceName: values.workspaceName.trim() }
          : { invitationToken }),
      });
      void navigate('/apps', { replace: true });
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
    <AuthLayout
      title={invitationToken === undefined ? t('auth.signUpTitle') : t('auth.acceptInvitation')}
      footer={
        <>
          {t('auth.haveAccount')} <Link to="/signin">{t('auth.signInLink')}</Link>
        </>
      }
    >
      <form className="form-stack" onSubmit={(event) => void submit(event)} noValidate>
        {error === null ? null : (
          <ProblemNotice
            error={error}
            errors={isApiProblem(error) ? unplacedErrors(error.errors, '', SHOWN_FIELDS) : []}
          />
        )}
        <TextField
          label={t('auth.name')}
          autoComplete="name"
          required
          value={values.name}
          onChange={set('name')}
          error={fieldErrors['name']}
          name="name"
        />
        <TextField
          label={t('auth.email')}
          type="email"
          autoComplete="email"
          required
          value={values.email}
          onChange={set('email')}
          error={fieldErrors['email']}
          name="email"
        />
        <TextField
          label={t('auth.password')}
          type="password"
          autoComplete="new-password"
          required
          hint={t('auth.passwordHint')}
          value={values.password}
          onChange={set('password')}
          error={fieldErrors['password']}
          name="password"
        />
        {invitationToken === undefined ? (
          <TextField
            label={t('auth.workspaceName')}
            autoComplete="organization"
            hint={t('auth.workspaceHint')}
            value={values.workspaceName}
            onChange={set('workspaceName')}
            error={fieldErrors['workspaceName']}
            name="workspaceName"
          />
        ) : null}
        <Button type="submit" variant="primary" block busy={busy}>
          {t('auth.signUp')}
        </Button>
      </form>
    </AuthLayout>
  );
}
