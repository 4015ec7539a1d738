import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { appsApi, type AppFormSummary } from '../api/apps-api.js';
import { errorsByField, isApiProblem } from '../api/api-problem.js';
import { peopleApi, type Role, type RolePermissions } from '../api/people-api.js';
import { useResource } from '../api/use-resource.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { LocalizedText } from '../i18n/localized-text.js';
import { translationOf } from '../i18n/localized-text.js';
import { Button } from '../ui/button.js';
import { Dialog } from '../ui/dialog.js';
import { TextField } from '../ui/form-field.js';
import { errorMessage, Notice, ProblemNotice } from '../ui/problem-notice.js';
import { EmptyState, Loading, PageHeader } from '../ui/states.js';
import { useToast } from '../ui/toast.js';
import { PermissionsEditor, type FormEntry } from './permissions-editor.js';
import './people.css';

/** Roles x forms: actions, row scope and field policy per role. */
export function RolesPage() {
  const { t, text } = useI18n();
  const roles = useResource((signal) => peopleApi.roles(signal), []);
  const apps = useResource((signal) => appsApi.list(signal).catch(() => []), []);
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);

  useEffect(() => {
    if (selected === null && roles.data !== undefined && roles.data.length > 0)
      setSelected(roles.data[0]?.id ?? null);
  }, [roles.data, selected]);

  const role = (roles.data ?? []).find((entry) => entry.id === selected) ?? null;
  const forms: FormEntry[] = (apps.data ?? []).flatMap((app) =>
    app.forms.map((form: AppFormSummary) => ({ form, appName: app.name })),
  );

  return (
    <div className="page page--wide">
      <PageHeader
        title={t('roles.title')}
        subtitle={t('roles.subtitle')}
        actions={
          <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
            {t('roles.create')}
          </Button>
        }
      />
      {roles.error !== undefined ? <ProblemNotice error={roles.error} /> : null}
      {roles.data === undefined ? (
        roles.error === undefined ? (
          <Loading />
        ) : null
      ) : (
        <div className="people-layout">
          <nav className="card people-layout__side role-list" aria-label={t('roles.list')}>
            <ul className="list-plain">
              {roles.data.map((entry) => (
                <li key={entry.id}>
                  <button
                    type="button"
                    aria-current={entry.id === selected}
                    onClick={() => setSelected(entry.id)}
                  >
                    <span>{text(entry.name)}</span>
                    {entry.isSystem ? <span className="badge">{t('roles.system')}</span> : null}
                  </button>
                </li>
              ))}
            </ul>
          </nav>
          {role === null ? (
            <div className="card">
              <EmptyState icon="shield" title={t('roles.pickTitle')} />
            </div>
          ) : (
            <RoleEditor
              key={role.id}
              role={role}
              forms={forms}
              onSaved={(saved) =>
                roles.set(
                  (roles.data ?? []).map((entry) => (entry.id === saved.id ? saved : entry)),
                )
              }
              onDeleted={() => {
                setSelected(null);
                roles.reload();
              }}
            />
          )}
        </div>
      )}
      {creating ? (
        <CreateRoleDialog
          taken={(roles.data ?? []).map((entry) => entry.key)}
          onClose={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            roles.reload();
            setSelected(created.id);
          }}
        />
      ) : null}
    </div>
  );
}

function RoleEditor({
  role,
  forms,
  onSaved,
  onDeleted,
}: {
  role: Role;
  forms: readonly FormEntry[];
  onSaved(role: Role): void;
  onDeleted(): void;
}) {
  const { t } = useI18n();
  const toast = useToast();
  const [nameZh, setNameZh] = useState(translationOf(role.name, 'zh-CN'));
  const [nameEn, setNameEn] = useState(translationOf(role.name, 'en'));
  const [permissions, setPermissions] = useState<RolePermissions>(role.permissions);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [confirm, setConfirm] = useState(false);
  const locked = role.key === 'owner';

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const name: LocalizedText =
        nameEn.trim() === '' ? nameZh.trim() : { 'zh-CN': nameZh.trim(), en: nameEn.trim() };
      const saved = await peopleApi.updateRole(role.id, {
        ...(role.isSystem ? {} : { name }),
        permissions,
      });
      onSaved(saved);
      toast.show(t('common.saved'));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    setBusy(true);
    try {
      await peopleApi.removeRole(role.id);
      onDeleted();
    } catch (caught) {
      setError(caught);
      setBusy(false);
      setConfirm(false);
    }
  }

  return (
    <form
      className="card"
      onSubmit={(e) => void save(e)}
      noValidate
      aria-labelledby="role-editor-title"
    >
      <div className="card__header">
        <h2 id="role-editor-title" className="card__title">
          {t('roles.editTitle', { key: role.key })}
        </h2>
        <div className="row">
          {role.isSystem ? null : confirm ? (
            <Button variant="danger" busy={busy} onClick={() => void remove()}>
              {t('roles.confirmDelete')}
            </Button>
          ) : (
            <Button variant="danger" size="small" icon="trash" onClick={() => setConfirm(true)}>
              {t('common.delete')}
            </Button>
          )}
          <Button
            type="submit"
            variant="primary"
            busy={busy}
            disabled={locked}
            data-testid="save-role"
          >
            {t('common.save')}
          </Button>
        </div>
      </div>
      <div className="card__body form-stack">
        {error === null ? null : <ProblemNotice error={error} />}
        {locked ? <Notice tone="info" title={t('roles.ownerLocked')} /> : null}
        <div className="form-row">
          <TextField
            label={t('roles.nameZh')}
            required
            value={nameZh}
            onChange={(e) => setNameZh(e.target.value)}
            disabled={role.isSystem}
          />
          <TextField
            label={t('roles.nameEn')}
            value={nameEn}
            onChange={(e) => setNameEn(e.target.value)}
            disabled={role.isSystem}
          />
        </div>
        <PermissionsEditor
          value={permissions}
          onChange={setPermissions}
          forms={forms}
          disabled={locked}
        />
      </div>
    </form>
  );
}

function CreateRoleDialog({
  taken,
  onClose,
  onCreated,
}: {
  taken: readonly string[];
  onClose(): void;
  onCreated(role: Role): void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [key, setKey] = useState('');
  const [nameZh, setNameZh] = useState('');
  const [nameEn, setNameEn] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  async function submit(event: FormEvent) {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (!/^[a-z][a-z0-9_]{0,40}$/.test(key)) local['key'] = t('roles.keyRule');
    else if (taken.includes(key)) local['key'] = t('roles.keyTaken');
    if (nameZh.trim() === '') local['name'] = t('validation.required');
    setFieldErrors(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      onCreated(
        await peopleApi.createRole({
          key,
          name:
            nameEn.trim() === '' ? nameZh.trim() : { 'zh-CN': nameZh.trim(), en: nameEn.trim() },
          permissions: { forms: { '*': { actions: ['read'], rowScope: 'own' } } },
        }),
      );
    } catch (caught) {
      setError(caught);
      if (isApiProblem(caught))
        setFieldErrors(
          Object.fromEntries(
            [...errorsByField(caught.errors)].map(([f, list]) => [
              f,
              list.map((e) => errorMessage(e, i18n)).join(' '),
            ]),
          ),
        );
      setBusy(false);
    }
  }

  return (
    <Dialog
      open
      onClose={onClose}
      title={t('roles.create')}
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant="primary" type="submit" form="role-form" busy={busy}>
            {t('common.create')}
          </Button>
        </>
      }
    >
      <form id="role-form" className="form-stack" onSubmit={(e) => void submit(e)} noValidate>
        {error === null ? null : <ProblemNotice error={error} />}
        <div className="form-row">
          <TextField
            label={t('roles.nameZh')}
            required
            value={nameZh}
            onChange={(e) => setNameZh(e.target.value)}
            error={fieldErrors['name']}
            autoFocus
          />
          <TextField
            label={t('roles.nameEn')}
            value={nameEn}
            onChange={(e) => setNameEn(e.target.value)}
          />
        </div>
        <TextField
          label={t('roles.key')}
          hint={t('roles.keyHint')}
          required
          value={key}
          onChange={(e) => setKey(e.target.value.trim())}
          error={fieldErrors['key']}
        />
      </form>
    </Dialog>
  );
}
