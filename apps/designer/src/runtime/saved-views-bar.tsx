import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { useResource, type Resource } from '../api/use-resource.js';
import { viewsApi, type SavedView } from '../api/views-api.js';
import type { FieldSchema } from '../forms/form-schema.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button } from '../ui/button.js';
import { Dialog } from '../ui/dialog.js';
import { Checkbox, TextField } from '../ui/form-field.js';
import { Icon } from '../ui/icon.js';
import { ProblemNotice } from '../ui/problem-notice.js';
import { useToast } from '../ui/toast.js';
import { useDismiss } from '../ui/use-dismiss.js';
import { contentOf, differsFrom, stateOf, type ListState } from './saved-view-state.js';
import './saved-views.css';

export type SavedViewsModel = {
  readonly formId: string;
  readonly list: Resource<SavedView[]>;
  readonly activeId: string | null;
  readonly active: SavedView | undefined;
  /** The URL names a view this reader cannot find (deleted, or no longer shared). */
  readonly missing: boolean;
  /** The list no longer shows what the active view saved. */
  readonly modified: boolean;
  readonly state: ListState;
  readonly canManage: boolean;
  open(view: SavedView | null): void;
  revert(): void;
};

/**
 * The record list's saved views: loads them, opens the one named by `?viewId=` (so a view can
 * be bookmarked or sent), and hands its state to the page through `apply` (null: the defaults).
 */
export function useSavedViews({
  formId,
  fields,
  state,
  canManage,
  apply,
}: {
  formId: string;
  fields: readonly FieldSchema[];
  state: ListState;
  canManage: boolean;
  apply(state: ListState | null): void;
}): SavedViewsModel {
  const [params, setParams] = useSearchParams();
  const list = useResource((signal) => viewsApi.list(formId, signal), [formId]);
  const activeId = params.get('viewId');
  const active = list.data?.find((view) => view.id === activeId);
  const applied = useRef<string | null>(null);

  const applyView = useCallback(
    (view: SavedView) => {
      const next = stateOf(view, fields);
      apply(next);
      setParams(
        (current) => {
          const out = new URLSearchParams(current);
          if (next.mode === 'kanban') out.set('view', 'kanban');
          else out.delete('view');
          return out;
        },
        { replace: true },
      );
    },
    [apply, fields, setParams],
  );

  useEffect(() => {
    if (activeId === null) {
      if (applied.current !== null) apply(null);
      applied.current = null;
      return;
    }
    if (applied.current === activeId || active === undefined || fields.length === 0) return;
    applied.current = activeId;
    applyView(active);
  }, [activeId, active, fields, apply, applyView]);

  const open = useCallback(
    (view: SavedView | null) =>
      setParams((current) => {
        const out = new URLSearchParams(current);
        if (view === null) {
          out.delete('viewId');
          out.delete('view');
        } else out.set('viewId', view.id);
        return out;
      }),
    [setParams],
  );

  const modified = useMemo(
    () => active !== undefined && differsFrom(active, state, fields),
    [active, state, fields],
  );
  return {
    formId,
    list,
    activeId,
    active,
    missing: activeId !== null && list.data !== undefined && active === undefined,
    modified,
    state,
    canManage,
    open,
    revert: () => {
      if (active !== undefined) applyView(active);
    },
  };
}

type NameDialog = { kind: 'create' } | { kind: 'rename'; view: SavedView };

/** Views as buttons above the list, with save, save-as, rename, share and delete. */
export function SavedViewsBar({ model }: { model: SavedViewsModel }) {
  const { t } = useI18n();
  const toast = useToast();
  const { list, active, activeId, modified } = model;
  const views = list.data ?? [];
  const [naming, setNaming] = useState<NameDialog | null>(null);
  const [deleting, setDeleting] = useState<SavedView | null>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(undefined);
  const menuRef = useRef<HTMLDivElement>(null);
  const closeMenu = useCallback(() => setMenuOpen(false), []);
  useDismiss(menuRef, menuOpen, closeMenu);

  const replace = (view: SavedView) =>
    list.set(views.map((current) => (current.id === view.id ? view : current)));

  async function run(action: () => Promise<void>): Promise<void> {
    setBusy(true);
    setProblem(undefined);
    try {
      await action();
    } catch (caught) {
      setProblem(caught);
    } finally {
      setBusy(false);
    }
  }

  const saveChanges = () =>
    run(async () => {
      if (active === undefined) return;
      replace(await viewsApi.update(active.id, contentOf(model.state)));
      toast.show(t('views.updated'));
    });

  const setShared = (view: SavedView, shared: boolean) =>
    run(async () => {
      setMenuOpen(false);
      replace(await viewsApi.update(view.id, { shared }));
      toast.show(t('views.updated'));
    });

  return (
    <div className="saved-views" data-testid="saved-views">
      <div className="saved-views__tabs" role="group" aria-label={t('views.label')}>
        <button
          type="button"
          className="saved-views__tab"
          aria-pressed={activeId === null}
          onClick={() => model.open(null)}
        >
          {t('views.all')}
        </button>
        {views.map((view) => (
          <button
            key={view.id}
            type="button"
            className="saved-views__tab"
            aria-pressed={view.id === activeId}
            onClick={() => model.open(view)}
            data-testid="saved-view"
          >
            {view.shared ? (
              <>
                <Icon name="users" />
                <span className="visually-hidden">{t('views.shared')}</span>
              </>
            ) : null}
            <span className="saved-views__name">{view.name}</span>
          </button>
        ))}
      </div>
      <div className="saved-views__actions">
        {active !== undefined && modified ? (
          <>
            <span className="badge" role="status">
              {t('views.modified')}
            </span>
            {active.canEdit ? (
              <Button size="small" variant="primary" busy={busy} onClick={() => void saveChanges()}>
                {t('views.saveChanges')}
              </Button>
            ) : null}
            <Button size="small" variant="ghost" onClick={model.revert}>
              {t('views.revert')}
            </Button>
          </>
        ) : null}
        <Button
          size="small"
          icon="save"
          onClick={() => {
            setProblem(undefined);
            setNaming({ kind: 'create' });
          }}
          data-testid="save-view"
        >
          {t('views.saveAs')}
        </Button>
        {active?.canEdit === true ? (
          <div className="popover-anchor saved-views__menu" ref={menuRef}>
            <Button
              size="small"
              variant="ghost"
              icon="menu"
              iconLabel={t('views.actions')}
              aria-expanded={menuOpen}
              aria-controls="saved-view-actions"
              onClick={() => setMenuOpen((open) => !open)}
            />
            {menuOpen ? (
              <div
                id="saved-view-actions"
                className="popover card"
                role="group"
                aria-label={t('views.actions')}
              >
                <div className="popover__body">
                  <Button
                    size="small"
                    variant="ghost"
                    icon="edit"
                    onClick={() => {
                      setMenuOpen(false);
                      setProblem(undefined);
                      setNaming({ kind: 'rename', view: active });
                    }}
                  >
                    {t('views.rename')}
                  </Button>
                  {model.canManage ? (
                    <Button
                      size="small"
                      variant="ghost"
                      icon="users"
                      onClick={() => void setShared(active, !active.shared)}
                    >
                      {active.shared ? t('views.unshare') : t('views.share')}
                    </Button>
                  ) : null}
                  <Button
                    size="small"
                    variant="ghost"
                    icon="trash"
                    onClick={() => {
                      setMenuOpen(false);
                      setProblem(undefined);
                      setDeleting(active);
                    }}
                  >
                    {t('views.delete')}
                  </Button>
                </div>
              </div>
            ) : null}
          </div>
        ) : null}
      </div>
      {model.missing ? (
        <p className="saved-views__missing muted small" role="status">
          {t('views.notFound')}
        </p>
      ) : null}
      {naming === null && deleting === null && problem !== undefined ? (
        <ProblemNotice error={problem} />
      ) : null}
      {naming === null ? null : (
        <ViewNameDialog
          key={naming.kind === 'rename' ? naming.view.id : 'create'}
          naming={naming}
          canShare={model.canManage}
          busy={busy}
          problem={problem}
          onClose={() => setNaming(null)}
          onSubmit={(name, shared) =>
            void run(async () => {
              if (naming.kind === 'rename') {
                replace(await viewsApi.update(naming.view.id, { name }));
                toast.show(t('views.updated'));
              } else {
                const created = await viewsApi.create(model.formId, {
                  ...contentOf(model.state),
                  name,
                  shared,
                });
                list.set([...views, created]);
                model.open(created);
                toast.show(t('views.saved', { name: created.name }));
              }
              setNaming(null);
            })
          }
        />
      )}
      <Dialog
        open={deleting !== null}
        title={t('views.deleteTitle', { name: deleting?.name ?? '' })}
        onClose={() => setDeleting(null)}
        footer={
          <>
            <Button onClick={() => setDeleting(null)}>{t('common.cancel')}</Button>
            <Button
              variant="danger"
              busy={busy}
              onClick={() =>
                void run(async () => {
                  if (deleting === null) return;
                  await viewsApi.remove(deleting.id);
                  list.set(views.filter((view) => view.id !== deleting.id));
                  if (deleting.id === activeId) model.open(null);
                  setDeleting(null);
                  toast.show(t('views.deleted'));
                })
              }
            >
              {t('common.delete')}
            </Button>
          </>
        }
      >
        <p>{t('views.deleteBody')}</p>
        {problem !== undefined ? <ProblemNotice error={problem} /> : null}
      </Dialog>
    </div>
  );
}

function ViewNameDialog({
  naming,
  canShare,
  busy,
  problem,
  onClose,
  onSubmit,
}: {
  naming: NameDialog;
  canShare: boolean;
  busy: boolean;
  problem: unknown;
  onClose(): void;
  onSubmit(name: string, shared: boolean): void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState(naming.kind === 'rename' ? naming.view.name : '');
  const [shared, setShared] = useState(false);
  const [touched, setTouched] = useState(false);
  const empty = name.trim() === '';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!empty) onSubmit(name.trim(), shared);
  };
  return (
    <Dialog
      open
      title={naming.kind === 'rename' ? t('views.renameTitle') : t('views.saveTitle')}
      onClose={onClose}
      testId="view-name-dialog"
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant="primary" type="submit" form="view-name-form" busy={busy}>
            {t('common.save')}
          </Button>
        </>
      }
    >
      <form id="view-name-form" className="form-stack" onSubmit={submit} noValidate>
        <TextField
          label={t('views.name')}
          required
          autoFocus
          maxLength={60}
          value={name}
          placeholder={t('views.namePlaceholder')}
          onChange={(event) => setName(event.target.value)}
          error={touched && empty ? t('views.nameRequired') : undefined}
          hint={naming.kind === 'create' ? t('views.saveHint') : undefined}
        />
        {naming.kind === 'create' && canShare ? (
          <Checkbox
            label={t('views.shareOption')}
            checked={shared}
            onChange={(event) => setShared(event.target.checked)}
          />
        ) : null}
        {problem !== undefined ? <ProblemNotice error={problem} /> : null}
      </form>
    </Dialog>
  );
}
