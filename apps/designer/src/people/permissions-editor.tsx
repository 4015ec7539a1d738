import { Fragment, useEffect, useState } from 'react';
import type { AppFormSummary } from '../api/apps-api.js';
import { formsApi } from '../api/forms-api.js';
import {
  FIELD_ACCESS,
  FORM_ACTIONS,
  WORKSPACE_ACTIONS,
  type FieldAccess,
  type FormAction,
  type FormPermission,
  type RolePermissions,
  type RowScope,
} from '../api/people-api.js';
import { ConditionBuilder } from '../conditions/condition-builder.js';
import type { FieldSchema } from '../forms/form-schema.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { LocalizedText } from '../i18n/localized-text.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';
import { Button } from '../ui/button.js';
import { Checkbox } from '../ui/form-field.js';

export type FormEntry = { form: AppFormSummary; appName: LocalizedText };

const ACTION_LABELS: Readonly<Record<FormAction, MessageKey>> = {
  create: 'permissions.action.create',
  read: 'permissions.action.read',
  update: 'permissions.action.update',
  delete: 'permissions.action.delete',
  export: 'permissions.action.export',
  import: 'permissions.action.import',
  manage: 'permissions.action.manage',
};

const WORKSPACE_LABELS: Readonly<Record<(typeof WORKSPACE_ACTIONS)[number], MessageKey>> = {
  manage_workspace: 'permissions.workspace.manageWorkspace',
  manage_members: 'permissions.workspace.manageMembers',
  manage_roles: 'permissions.workspace.manageRoles',
  manage_apps: 'permissions.workspace.manageApps',
};

const SCOPE_LABELS: Readonly<Record<'all' | 'own' | 'team' | 'department' | 'logic', MessageKey>> =
  {
    all: 'permissions.scope.all',
    own: 'permissions.scope.own',
    team: 'permissions.scope.team',
    department: 'permissions.scope.department',
    logic: 'permissions.scope.logic',
  };

const ACCESS_LABELS: Readonly<Record<FieldAccess | 'visible', MessageKey>> = {
  visible: 'permissions.field.visible',
  hidden: 'permissions.field.hidden',
  masked: 'permissions.field.masked',
  read_only: 'permissions.field.readOnly',
};

const NO_ACCESS: FormPermission = { actions: [], rowScope: 'own' };

function scopeKey(scope: RowScope): keyof typeof SCOPE_LABELS {
  return typeof scope === 'string' ? scope : 'logic';
}

/** Workspace rights, then one matrix row per form: actions, row scope and field policy. */
export function PermissionsEditor({
  value,
  onChange,
  forms,
  disabled,
}: {
  value: RolePermissions;
  onChange(next: RolePermissions): void;
  forms: readonly FormEntry[];
  disabled?: boolean;
}) {
  const { t, text } = useI18n();
  const [expanded, setExpanded] = useState<string | null>(null);
  const formPermissions = value.forms ?? {};
  const fallback = formPermissions['*'] ?? NO_ACCESS;

  const setForm = (key: string, permission: FormPermission | null) => {
    const next = { ...formPermissions };
    if (permission === null) delete next[key];
    else next[key] = permission;
    onChange({ ...value, forms: next });
  };

  const rows: Array<{ key: string; label: string; app?: string; summary?: AppFormSummary }> = [
    { key: '*', label: t('permissions.allForms') },
    ...forms.map((entry) => ({
      key: entry.form.id,
      label: text(entry.form.name),
      app: text(entry.appName),
      summary: entry.form,
    })),
  ];

  return (
    <div className="form-stack">
      <fieldset className="fieldset">
        <legend>{t('permissions.workspace')}</legend>
        <div className="check-grid">
          {WORKSPACE_ACTIONS.map((action) => (
            <Checkbox
              key={action}
              label={t(WORKSPACE_LABELS[action])}
              disabled={disabled}
              checked={(value.workspace ?? []).includes(action)}
              onChange={(event) => {
                const current = value.workspace ?? [];
                onChange({
                  ...value,
                  workspace: event.target.checked
                    ? [...current, action]
                    : current.filter((a) => a !== action),
                });
              }}
            />
          ))}
        </div>
      </fieldset>
      <div>
        <h3 className="field__label">{t('permissions.forms')}</h3>
        <p className="small muted">{t('permissions.formsHint')}</p>
      </div>
      <div className="table-wrap">
        <table className="matrix" data-testid="permission-matrix">
          <thead>
            <tr>
              <th scope="col">{t('permissions.form')}</th>
              {FORM_ACTIONS.map((action) => (
                <th key={action} scope="col">
                  {t(ACTION_LABELS[action])}
                </th>
              ))}
              <th scope="col">{t('permissions.rowScope')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('permissions.fieldPolicy')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const own = formPermissions[row.key];
              const effective = own ?? fallback;
              const inherited = own === undefined && row.key !== '*';
              const open = expanded === row.key;
              return (
                <Fragment key={row.key}>
                  <tr>
                    <th scope="row">
                      <span className="matrix__form">
                        <span>{row.label}</span>
                        {row.app === undefined ? null : (
                          <span className="matrix__app">{row.app}</span>
                        )}
                        {inherited ? (
                          <Button
                            size="small"
                            variant="ghost"
                            disabled={disabled}
                            onClick={() =>
                              setForm(row.key, { ...fallback, actions: [...fallback.actions] })
                            }
                          >
                            {t('permissions.customise')}
                          </Button>
                        ) : row.key === '*' ? null : (
                          <Button
                            size="small"
                            variant="ghost"
                            disabled={disabled}
                            onClick={() => setForm(row.key, null)}
                          >
                            {t('permissions.useDefault')}
                          </Button>
                        )}
                      </span>
                    </th>
                    {FORM_ACTIONS.map((action) => (
                      <td key={action}>
                        <input
                          type="checkbox"
                          aria-label={t('permissions.cellLabel', {
                            form: row.label,
                            action: t(ACTION_LABELS[action]),
                          })}
                          checked={effective.actions.includes(action)}
                          disabled={disabled === true || inherited}
                          onChange={(event) =>
                            setForm(row.key, {
                              ...effective,
                              actions: event.target.checked
                                ? [...effective.actions, action]
                                : effective.actions.filter((a) => a !== action),
                            })
                          }
                        />
                      </td>
                    ))}
                    <td>
                      <select
                        className="select"
                        aria-label={t('permissions.scopeLabel', { form: row.label })}
                        value={scopeKey(effective.rowScope)}
                        disabled={disabled === true || inherited}
                        onChange={(event) => {
                          const next = event.target.value;
                          setForm(row.key, {
                            ...effective,
                            rowScope:
                              next === 'logic'
                                ? { logic: { '==': [{ var: 'owner_id' }, { var: '$user.id' }] } }
                                : (next as RowScope),
                          });
                          if (next === 'logic') setExpanded(row.key);
                        }}
                      >
                        {(['all', 'own', 'team', 'department', 'logic'] as const).map((scope) => (
                          <option key={scope} value={scope}>
                            {t(SCOPE_LABELS[scope])}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      {row.summary === undefined ? null : (
                        <Button
                          size="small"
                          variant="ghost"
                          aria-expanded={open}
                          onClick={() => setExpanded(open ? null : row.key)}
                        >
                          {t('permissions.fieldPolicy')}
                        </Button>
                      )}
                    </td>
                  </tr>
                  {open && row.summary !== undefined ? (
                    <tr className="matrix__fields">
                      <td colSpan={FORM_ACTIONS.length + 3}>
                        <FieldPolicy
                          formId={row.key}
                          permission={effective}
                          disabled={disabled === true || inherited}
                          onChange={(next) => setForm(row.key, next)}
                        />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function FieldPolicy({
  formId,
  permission,
  disabled,
  onChange,
}: {
  formId: string;
  permission: FormPermission;
  disabled: boolean;
  onChange(next: FormPermission): void;
}) {
  const { t, text } = useI18n();
  const [fields, setFields] = useState<FieldSchema[] | null>(null);
  useEffect(() => {
    let live = true;
    formsApi.get(formId).then(
      (form) => live && setFields((form.schema ?? form.draft)?.fields ?? []),
      () => live && setFields([]),
    );
    return () => {
      live = false;
    };
  }, [formId]);

  if (fields === null) return <p className="small muted">{t('common.loading')}</p>;
  const policy = permission.fields ?? {};
  return (
    <div className="form-stack">
      {typeof permission.rowScope === 'object' ? (
        <div>
          <h4 className="field__label">{t('permissions.scope.logic')}</h4>
          <ConditionBuilder
            label={t('permissions.scope.logic')}
            fields={fields}
            value={permission.rowScope.logic}
            onChange={(logic) => onChange({ ...permission, rowScope: { logic: logic ?? true } })}
          />
        </div>
      ) : null}
      {fields.length === 0 ? (
        <p className="small muted">{t('permissions.noFields')}</p>
      ) : (
        <div className="field-policy">
          {fields.map((field) => (
            <label key={field.id} className="field-policy__item">
              <span>{text(field.label)}</span>
              <select
                className="select"
                disabled={disabled}
                value={policy[field.id] ?? 'visible'}
                onChange={(event) => {
                  const next = { ...policy };
                  if (event.target.value === 'visible') delete next[field.id];
                  else next[field.id] = event.target.value as FieldAccess;
                  onChange({ ...permission, fields: next });
                }}
              >
                {(['visible', ...FIELD_ACCESS] as const).map((access) => (
                  <option key={access} value={access}>
                    {t(ACCESS_LABELS[access])}
                  </option>
                ))}
              </select>
            </label>
          ))}
        </div>
      )}
    </div>
  );
}
