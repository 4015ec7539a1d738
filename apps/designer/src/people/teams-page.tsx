import { useEffect, useMemo, useRef, useState } from 'react';
import type { FormEvent, KeyboardEvent } from 'react';
import { peopleApi, type Member, type Team } from '../api/people-api.js';
import { useResource } from '../api/use-resource.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button } from '../ui/button.js';
import { Dialog } from '../ui/dialog.js';
import { SelectField, TextField } from '../ui/form-field.js';
import { Icon } from '../ui/icon.js';
import { ProblemNotice } from '../ui/problem-notice.js';
import { EmptyState, Loading, PageHeader } from '../ui/states.js';
import { useToast } from '../ui/toast.js';
import { buildTeamTree, subtreeIds, visibleNodes, type TeamNode } from './team-tree.js';
import './people.css';

/** Departments and teams as a tree with managers; the tree feeds approvals and row scopes. */
export function TeamsPage() {
  const { t } = useI18n();
  const teams = useResource((signal) => peopleApi.teams(signal), []);
  const members = useResource((signal) => peopleApi.members(signal), []);
  const [selected, setSelected] = useState<string | null>(null);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [creating, setCreating] = useState<{ parentId: string | null } | null>(null);
  const tree = useMemo(() => buildTeamTree(teams.data ?? []), [teams.data]);

  useEffect(() => {
    // Open the first two levels the first time the tree arrives.
    if (teams.data === undefined) return;
    setExpanded((current) =>
      current.size > 0 ? current : new Set(tree.map((node) => node.team.id)),
    );
  }, [teams.data, tree]);

  const team = (teams.data ?? []).find((entry) => entry.id === selected) ?? null;
  const activeMembers = (members.data ?? []).filter((member) => member.status === 'active');

  return (
    <div className="page">
      <PageHeader
        title={t('teams.title')}
        subtitle={t('teams.subtitle')}
        actions={
          <Button variant="primary" icon="plus" onClick={() => setCreating({ parentId: null })}>
            {t('teams.addRoot')}
          </Button>
        }
      />
      {teams.error !== undefined ? <ProblemNotice error={teams.error} /> : null}
      {teams.data === undefined ? (
        teams.error === undefined ? (
          <Loading />
        ) : null
      ) : teams.data.length === 0 ? (
        <div className="card">
          <EmptyState
            icon="team"
            title={t('teams.emptyTitle')}
            action={
              <Button variant="primary" icon="plus" onClick={() => setCreating({ parentId: null })}>
                {t('teams.addRoot')}
              </Button>
            }
          >
            {t('teams.emptyBody')}
          </EmptyState>
        </div>
      ) : (
        <div className="people-layout">
          <div className="card people-layout__side">
            <TeamTree
              nodes={tree}
              expanded={expanded}
              selected={selected}
              onToggle={(id) =>
                setExpanded((current) => {
                  const next = new Set(current);
                  if (next.has(id)) next.delete(id);
                  else next.add(id);
                  return next;
                })
              }
              onSelect={setSelected}
            />
          </div>
          <div>
            {team === null ? (
              <div className="card">
                <EmptyState icon="team" title={t('teams.pickTitle')}>
                  {t('teams.pickBody')}
                </EmptyState>
              </div>
            ) : (
              <TeamEditor
                key={team.id}
                team={team}
                teams={teams.data}
                members={activeMembers}
                onAddChild={() => setCreating({ parentId: team.id })}
                onSaved={() => teams.reload()}
                onDeleted={() => {
                  setSelected(null);
                  teams.reload();
                }}
              />
            )}
          </div>
        </div>
      )}
      {creating === null ? null : (
        <CreateTeamDialog
          parentId={creating.parentId}
          teams={teams.data ?? []}
          onClose={() => setCreating(null)}
          onCreated={(created) => {
            setCreating(null);
            setSelected(created.id);
            if (created.parentId !== null)
              setExpanded((current) => new Set([...current, created.parentId ?? '']));
            teams.reload();
          }}
        />
      )}
    </div>
  );
}

/** A WAI-ARIA tree: arrows move, Right/Left open and close, Enter or Space selects. */
function TeamTree({
  nodes,
  expanded,
  selected,
  onToggle,
  onSelect,
}: {
  nodes: readonly TeamNode[];
  expanded: ReadonlySet<string>;
  selected: string | null;
  onToggle(id: string): void;
  onSelect(id: string): void;
}) {
  const { t } = useI18n();
  const visible = visibleNodes(nodes, expanded);
  const [focused, setFocused] = useState<string | null>(null);
  const ref = useRef<HTMLDivElement>(null);
  const current = focused ?? selected ?? visible[0]?.team.id ?? null;

  function focus(id: string | undefined) {
    if (id === undefined) return;
    setFocused(id);
    ref.current?.querySelector<HTMLElement>(`[data-team-id="${id}"]`)?.focus();
  }

  function onKeyDown(event: KeyboardEvent) {
    const index = visible.findIndex((node) => node.team.id === current);
    const node = visible[index];
    if (node === undefined) return;
    switch (event.key) {
      case 'ArrowDown':
        focus(visible[index + 1]?.team.id);
        break;
      case 'ArrowUp':
        focus(visible[index - 1]?.team.id);
        break;
      case 'ArrowRight':
        if (node.children.length > 0 && !expanded.has(node.team.id)) onToggle(node.team.id);
        else focus(node.children[0]?.team.id);
        break;
      case 'ArrowLeft':
        if (expanded.has(node.team.id) && node.children.length > 0) onToggle(node.team.id);
        else focus(node.team.parentId ?? undefined);
        break;
      case 'Home':
        focus(visible[0]?.team.id);
        break;
      case 'End':
        focus(visible[visible.length - 1]?.team.id);
        break;
      case 'Enter':
      case ' ':
        onSelect(node.team.id);
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  const render = (list: readonly TeamNode[]) =>
    list.map((node) => {
      const open = expanded.has(node.team.id);
      const hasChildren = node.children.length > 0;
      return (
        <li
          key={node.team.id}
          role="treeitem"
          aria-level={node.depth}
          aria-expanded={hasChildren ? open : undefined}
          aria-selected={selected === node.team.id}
          tabIndex={current === node.team.id ? 0 : -1}
          data-team-id={node.team.id}
          onFocus={(event) => {
            if (event.target === event.currentTarget) setFocused(node.team.id);
          }}
        >
          <div
            className="tree__row"
            onClick={(event) => {
              event.stopPropagation();
              onSelect(node.team.id);
              setFocused(node.team.id);
            }}
          >
            <span
              className="tree__toggle"
              onClick={(event) => {
                if (!hasChildren) return;
                event.stopPropagation();
                onToggle(node.team.id);
              }}
            >
              {hasChildren ? <Icon name="chevronRight" /> : null}
            </span>
            <Icon name={node.team.kind === 'department' ? 'team' : 'users'} />
            <span>{node.team.name}</span>
            <span className="badge tree__count">
              {t('teams.memberCount', { count: node.team.memberCount })}
            </span>
          </div>
          {hasChildren && open ? <ul role="group">{render(node.children)}</ul> : null}
        </li>
      );
    });

  return (
    <div className="tree" ref={ref}>
      <ul
        role="tree"
        aria-label={t('teams.treeLabel')}
        onKeyDown={onKeyDown}
        data-testid="team-tree"
      >
        {render(nodes)}
      </ul>
    </div>
  );
}

function TeamEditor({
  team,
  teams,
  members,
  onAddChild,
  onSaved,
  onDeleted,
}: {
  team: Team;
  teams: readonly Team[];
  members: readonly Member[];
  onAddChild(): void;
  onSaved(): void;
  onDeleted(): void;
}) {
  const { t } = useI18n();
  const toast = useToast();
  const [name, setName] = useState(team.name);
  const [kind, setKind] = useState(team.kind);
  const [parentId, setParentId] = useState(team.parentId ?? '');
  const [managerId, setManagerId] = useState(team.managerMemberId ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [confirm, setConfirm] = useState(false);
  const blocked = subtreeIds(teams, team.id);
  const inTeam = members.filter((member) => member.teamId === team.id);

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await peopleApi.updateTeam(team.id, {
        name: name.trim(),
        kind,
        parentId: parentId === '' ? null : parentId,
        managerMemberId: managerId === '' ? null : managerId,
      });
      toast.show(t('common.saved'));
      onSaved();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    setBusy(true);
    try {
      await peopleApi.removeTeam(team.id);
      toast.show(t('teams.deleted'));
      onDeleted();
    } catch (caught) {
      setError(caught);
      setBusy(false);
      setConfirm(false);
    }
  }

  return (
    <section className="card" aria-labelledby="team-editor-title">
      <div className="card__header">
        <h2 id="team-editor-title" className="card__title">
          {team.name}
        </h2>
        <Button size="small" icon="plus" onClick={onAddChild}>
          {t('teams.addChild')}
        </Button>
      </div>
      <form className="card__body form-stack" onSubmit={(e) => void save(e)} noValidate>
        {error === null ? null : <ProblemNotice error={error} />}
        <div className="form-row">
          <TextField
            label={t('teams.name')}
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <SelectField
            label={t('teams.kind')}
            value={kind}
            onChange={(e) => setKind(e.target.value === 'team' ? 'team' : 'department')}
            options={[
              { value: 'department', label: t('teams.kind.department') },
              { value: 'team', label: t('teams.kind.team') },
            ]}
          />
        </div>
        <div className="form-row">
          <SelectField
            label={t('teams.parent')}
            value={parentId}
            onChange={(e) => setParentId(e.target.value)}
            placeholder={t('teams.noParent')}
            options={teams
              .filter((entry) => !blocked.has(entry.id))
              .map((entry) => ({ value: entry.id, label: entry.name }))}
          />
          <SelectField
            label={t('teams.manager')}
            value={managerId}
            onChange={(e) => setManagerId(e.target.value)}
            placeholder={t('members.noManager')}
            options={members.map((member) => ({ value: member.id, label: member.displayName }))}
          />
        </div>
        <div>
          <h3 className="field__label">{t('teams.members', { count: inTeam.length })}</h3>
          {inTeam.length === 0 ? (
            <p className="muted small">{t('teams.noMembers')}</p>
          ) : (
            <ul className="badge-row list-plain">
              {inTeam.map((member) => (
                <li key={member.id} className="badge">
                  {member.displayName}
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="form-actions">
          {confirm ? (
            <Button variant="danger" busy={busy} onClick={() => void remove()}>
              {t('teams.confirmDelete')}
            </Button>
          ) : (
            <Button variant="danger" icon="trash" onClick={() => setConfirm(true)}>
              {t('common.delete')}
            </Button>
          )}
          <div className="grow" />
          <Button type="submit" variant="primary" busy={busy}>
            {t('common.save')}
          </Button>
        </div>
      </form>
    </section>
  );
}

function CreateTeamDialog({
  parentId,
  teams,
  onClose,
  onCreated,
}: {
  parentId: string | null;
  teams: readonly Team[];
  onClose(): void;
  onCreated(team: Team): void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<Team['kind']>('department');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [nameError, setNameError] = useState<string | undefined>(undefined);
  const parent = teams.find((team) => team.id === parentId);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (name.trim() === '') {
      setNameError(t('validation.required'));
      return;
    }
    setBusy(true);
    try {
      onCreated(await peopleApi.createTeam({ name: name.trim(), kind, parentId }));
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <Dialog
      open
      onClose={onClose}
      title={
        parent === undefined ? t('teams.addRoot') : t('teams.addChildOf', { name: parent.name })
      }
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant="primary" type="submit" form="team-form" busy={busy}>
            {t('common.create')}
          </Button>
        </>
      }
    >
      <form id="team-form" className="form-stack" onSubmit={(e) => void submit(e)} noValidate>
        {error === null ? null : <ProblemNotice error={error} />}
        <TextField
          label={t('teams.name')}
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={nameError}
          autoFocus
        />
        <SelectField
          label={t('teams.kind')}
          value={kind}
          onChange={(e) => setKind(e.target.value === 'team' ? 'team' : 'department')}
          options={[
            { value: 'department', label: t('teams.kind.department') },
            { value: 'team', label: t('teams.kind.team') },
          ]}
        />
      </form>
    </Dialog>
  );
}
