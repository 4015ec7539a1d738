import { useState } from 'react';
import { Link } from 'react-router';
import {
  FIELD_ACCESS,
  peopleApi,
  type FieldAccess,
  type FormPermission,
  type Role,
} from '../api/people-api.js';
import { useResource } from '../api/use-resource.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';
import { ProblemNotice } from '../ui/problem-notice.js';
import { useToast } from '../ui/toast.js';

const ACCESS_LABELS: Readonly<Record<FieldAccess | 'visible', MessageKey>> = {
  visible: 'permissions.field.visible',
  hidden: 'permissions.field.hidden',
  masked: 'permissions.field.masked',
  read_only: 'permissions.field.readOnly',
};

/** This form's permission of a role: its own entry, else a copy of the role's default. */
function formPermission(role: Role, formId: string): FormPermission {
  const forms = role.permissions.forms ?? {};
  const own = forms[formId];
  if (own !== undefined) return own;
  const fallback = forms['*'];
  return fallback === undefined
    ? { actions: [], rowScope: 'own' }
    : { actions: [...fallback.actions], rowScope: fallback.rowScope };
}

/** Who sees this field how, per role (saved to the role right away; the owner always sees all). */
export function FieldPermissions({ formId, fieldId }: { formId: string; fieldId: string }) {
  const { t, text } = useI18n();
  const toast = useToast();
  const roles = useResource((signal) => peopleApi.roles(signal), []);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function change(role: Role, access: FieldAccess | 'visible') {
    const current = formPermission(role, formId);
    const fields = { ...current.fields };
    if (access === 'visible') delete fields[fieldId];
    else fields[fieldId] = access;
    const next: FormPermission = { ...current, fields };
    setBusy(role.id);
    setError(null);
    try {
      const saved = await peopleApi.updateRole(role.id, {
        permissions: { ...role.permissions, forms: { ...role.permissions.forms, [formId]: next } },
      });
      roles.set((roles.data ?? []).map((entry) => (entry.id === saved.id ? saved : entry)));
      toast.show(t('common.saved'));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  }

  if (roles.error !== undefined) return <ProblemNotice error={roles.error} />;
  if (roles.data === undefined) return <p className="small muted">{t('common.loading')}</p>;
  return (
    <div className="field-permissions">
      {error === null ? null : <ProblemNotice error={error} />}
      <ul className="list-plain field-permissions__list">
        {roles.data
          .filter((role) => role.key !== 'owner')
          .map((role) => (
            <li key={role.id} className="field-permissions__row">
              <label htmlFor={`field-access-${role.id}`}>{text(role.name)}</label>
              <select
                id={`field-access-${role.id}`}
                className="select"
                disabled={busy === role.id}
                value={role.permissions.forms?.[formId]?.fields?.[fieldId] ?? 'visible'}
                onChange={(event) =>
                  void change(role, event.target.value as FieldAccess | 'visible')
                }
              >
                {(['visible', ...FIELD_ACCESS] as const).map((access) => (
                  <option key={access} value={access}>
                    {t(ACCESS_LABELS[access])}
                  </option>
                ))}
              </select>
            </li>
          ))}
      </ul>
      <p className="small muted">
        {t('designer.permissionsHint')} <Link to="/people/roles">{t('nav.roles')}</Link>
      </p>
    </div>
  );
}
