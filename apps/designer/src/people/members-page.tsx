import { useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import { errorsByField, isApiProblem } from '../api/api-problem.js';
import {
  peopleApi,
  type Invitation,
  type Member,
  type Role,
  type Team,
} from '../api/people-api.js';
import { useResource } from '../api/use-resource.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button } from '../ui/button.js';
import { Dialog } from '../ui/dialog.js';
import { Checkbox, SelectField, TextField } from '../ui/form-field.js';
import { errorMessage, Notice, ProblemNotice } from '../ui/problem-notice.js';
import { Loading, PageHeader } from '../ui/states.js';
import { useToast } from '../ui/toast.js';
import './people.css';

export function MembersPage() {
  const { t, text } = useI18n();
  const members = useResource((signal) => peopleApi.members(signal), []);
  const teams = useResource((signal) => peopleApi.teams(signal), []);
  const roles = useResource((signal) => peopleApi.roles(signal), []);
  const [inviting, setInviting] = useState(false);
  const [editing, setEditing] = useState<Member | null>(null);
  const teamNames = useMemo(
    () => new Map((teams.data ?? []).map((team) => [team.id, team.name])),
    [teams.data],
  );
  const roleNames = useMemo(
    () => new Map((roles.data ?? []).map((role) => [role.key, text(role.name)])),
    [roles.data, text],
  );
  const active = (members.data ?? []).filter((member) => member.status === 'active');

  return (
    <div className="page">
      <PageHeader
        title={t('members.title')}
        subtitle={t('members.subtitle')}
        actions={
          <Button variant="primary" icon="plus" onClick={() => setInviting(true)}>
            {t('members.invite')}
          </Button>
        }
      />
      {members.error !== undefined ? <ProblemNotice error={members.error} /> : null}
      {members.data === undefined ? (
        members.error === undefined ? (
          <Loading />
        ) : null
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="members-table">
            <thead>
              <tr>
                <th scope="col">{t('members.name')}</th>
                <th scope="col">{t('members.team')}</th>
                <th scope="col">{t('members.roles')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {active.map((member) => (
                <tr key={member.id}>
                  <td>
                    <div className="member-cell">
                      <span className="member-cell__avatar" aria-hidden="true">
                        {member.displayName.slice(0, 1).toUpperCase()}
                      </span>
                      <span className="member-cell__text">
                        <span>
                          {member.displayName}{' '}
                          {member.isOwner ? (
                            <span className="badge badge--primary">{t('members.owner')}</span>
                          ) : null}
                        </span>
                        <span className="member-cell__email">{member.email}</span>
                      </span>
                    </div>
                  </td>
                  <td>
                    {member.teamId === null ? (
                      <span className="muted">—</span>
                    ) : (
                      (teamNames.get(member.teamId) ?? '—')
                    )}
                  </td>
                  <td>
                    <span className="badge-row">
                      {member.roleKeys.map((key) => (
                        <span key={key} className="badge">
                          {roleNames.get(key) ?? key}
                        </span>
                      ))}
                    </span>
                  </td>
                  <td>
                    <Button
                      size="small"
                      variant="ghost"
                      icon="edit"
                      onClick={() => setEditing(member)}
                    >
                      {t('common.edit')}
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <InviteDialog
        open={inviting}
        onClose={() => setInviting(false)}
        teams={teams.data ?? []}
        roles={roles.data ?? []}
      />
      {editing === null ? null : (
        <MemberDialog
          member={editing}
          members={active}
          teams={teams.data ?? []}
          roles={roles.data ?? []}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            members.reload();
          }}
        />
      )}
    </div>
  );
}

function useFieldErrors() {
  const i18n = useI18n();
  const [errors, setErrors] = useState<Record<string, string>>({});
  return {
    errors,
    set: setErrors,
    fromProblem(caught: unknown) {
      if (!isApiProblem(caught)) return;
      setErrors(
        Object.fromEntries(
          [...errorsByField(caught.errors)].map(([field, list]) => [
            field,
            list.map((e) => errorMessage(e, i18n)).join(' '),
          ]),
        ),
      );
    },
  };
}

function RoleChecks({
  roles,
  value,
  onChange,
}: {
  roles: readonly Role[];
  value: readonly string[];
  onChange(next: string[]): void;
}) {
  const { t, text } = useI18n();
  return (
    <fieldset className="fieldset">
      <legend>{t('members.roles')}</legend>
      <div className="check-grid">
        {roles
          .filter((role) => role.key !== 'owner')
          .map((role) => (
            <Checkbox
              key={role.key}
              label={text(role.name)}
              checked={value.includes(role.key)}
              onChange={(event) =>
                onChange(
                  event.target.checked
                    ? [...value, role.key]
                    : value.filter((key) => key !== role.key),
                )
              }
            />
          ))}
      </div>
    </fieldset>
  );
}

function InviteDialog({
  open,
  onClose,
  teams,
  roles,
}: {
  open: boolean;
  onClose(): void;
  teams: readonly Team[];
  roles: readonly Role[];
}) {
  const { t } = useI18n();
  const toast = useToast();
  const [email, setEmail] = useState('');
  const [roleKeys, setRoleKeys] = useState<string[]>(['member']);
  const [teamId, setTeamId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [invitation, setInvitation] = useState<Invitation | null>(null);
  const fieldErrors = useFieldErrors();

  function close() {
    setEmail('');
    setInvitation(null);
    setError(null);
    fieldErrors.set({});
    onClose();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (email.trim() === '') {
      fieldErrors.set({ email: t('validation.required') });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setInvitation(
        await peopleApi.invite({
          email: email.trim(),
          roleKeys,
          ...(teamId === '' ? {} : { teamId }),
        }),
      );
    } catch (caught) {
      setError(caught);
      fieldErrors.fromProblem(caught);
    } finally {
      setBusy(false);
    }
  }

  const link =
    invitation === null
      ? ''
      : `${window.location.origin}/signup?invitation=${encodeURIComponent(invitation.token)}`;
  return (
    <Dialog
      open={open}
      onClose={close}
      title={t('members.inviteTitle')}
      footer={
        invitation === null ? (
          <>
            <Button onClick={close}>{t('common.cancel')}</Button>
            <Button variant="primary" type="submit" form="invite-form" busy={busy}>
              {t('members.sendInvite')}
            </Button>
          </>
        ) : (
          <Button variant="primary" onClick={close}>
            {t('common.done')}
          </Button>
        )
      }
    >
      {invitation === null ? (
        <form id="invite-form" className="form-stack" onSubmit={(e) => void submit(e)} noValidate>
          {error === null ? null : <ProblemNotice error={error} />}
          <TextField
            label={t('auth.email')}
            type="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={fieldErrors.errors['email']}
            autoFocus
          />
          <RoleChecks roles={roles} value={roleKeys} onChange={setRoleKeys} />
          <SelectField
            label={t('members.team')}
            value={teamId}
            onChange={(e) => setTeamId(e.target.value)}
            placeholder={t('members.noTeam')}
            options={teams.map((team) => ({ value: team.id, label: team.name }))}
          />
        </form>
      ) : (
        <div className="form-stack">
          <Notice tone="success" title={t('members.invited', { email: invitation.email })}>
            {t('members.inviteLinkHint')}
          </Notice>
          <div className="invite-link">
            <input
              className="input"
              readOnly
              value={link}
              aria-label={t('members.inviteLink')}
              onFocus={(e) => e.target.select()}
            />
            <Button
              icon="copy"
              onClick={() => {
                void navigator.clipboard
                  ?.writeText(link)
                  .then(() => toast.show(t('common.copied')));
              }}
            >
              {t('common.copy')}
            </Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}

function MemberDialog({
  member,
  members,
  teams,
  roles,
  onClose,
  onSaved,
}: {
  member: Member;
  members: readonly Member[];
  teams: readonly Team[];
  roles: readonly Role[];
  onClose(): void;
  onSaved(): void;
}) {
  const { t } = useI18n();
  const toast = useToast();
  const [displayName, setDisplayName] = useState(member.displayName);
  const [teamId, setTeamId] = useState(member.teamId ?? '');
  const [managerId, setManagerId] = useState(member.managerMemberId ?? '');
  const [roleKeys, setRoleKeys] = useState<string[]>(member.roleKeys);
  const [busy, setBusy] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fieldErrors = useFieldErrors();

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await peopleApi.updateMember(member.id, {
        displayName: displayName.trim(),
        teamId: teamId === '' ? null : teamId,
        managerMemberId: managerId === '' ? null : managerId,
        ...(member.isOwner ? {} : { roleKeys }),
      });
      toast.show(t('common.saved'));
      onSaved();
    } catch (caught) {
      setError(caught);
      fieldErrors.fromProblem(caught);
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    setBusy(true);
    try {
      await peopleApi.removeMember(member.id);
      toast.show(t('members.removed'));
      onSaved();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <Dialog
      open
      onClose={onClose}
      title={t('members.editTitle', { name: member.displayName })}
      footer={
        <>
          {member.isOwner ? null : confirmRemove ? (
            <Button variant="danger" busy={busy} onClick={() => void remove()}>
              {t('members.confirmRemove')}
            </Button>
          ) : (
            <Button variant="danger" icon="trash" onClick={() => setConfirmRemove(true)}>
              {t('members.remove')}
            </Button>
          )}
          <div className="grow" />
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant="primary" type="submit" form="member-form" busy={busy}>
            {t('common.save')}
          </Button>
        </>
      }
    >
      <form id="member-form" className="form-stack" onSubmit={(e) => void save(e)} noValidate>
        {error === null ? null : <ProblemNotice error={error} />}
        <TextField
          label={t('members.displayName')}
          required
          value={displayName}
          onChange={(e) => setDisplayName(e.target.value)}
          error={fieldErrors.errors['displayName']}
        />
        <div className="form-row">
          <SelectField
            label={t('members.team')}
            value={teamId}
            onChange={(e) => setTeamId(e.target.value)}
            placeholder={t('members.noTeam')}
            options={teams.map((team) => ({ value: team.id, label: team.name }))}
            error={fieldErrors.errors['teamId']}
          />
          <SelectField
            label={t('members.manager')}
            value={managerId}
            onChange={(e) => setManagerId(e.target.value)}
            placeholder={t('members.noManager')}
            options={members
              .filter((m) => m.id !== member.id)
              .map((m) => ({ value: m.id, label: m.displayName }))}
            error={fieldErrors.errors['managerMemberId']}
          />
        </div>
        {member.isOwner ? (
          <p className="muted small">{t('members.ownerRoles')}</p>
        ) : (
          <RoleChecks roles={roles} value={roleKeys} onChange={setRoleKeys} />
        )}
        {fieldErrors.errors['roleKeys'] === undefined ? null : (
          <p className="field__error">{fieldErrors.errors['roleKeys']}</p>
        )}
      </form>
    </Dialog>
  );
}
