import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { isApiProblem } from '../api/api-problem.js';
import { flowsApi } from '../api/flows-api.js';
import { formsApi } from '../api/forms-api.js';
import { peopleApi } from '../api/people-api.js';
import { recordsApi } from '../api/records-api.js';
import { useResource } from '../api/use-resource.js';
import { recordTitle } from '../forms/field-data-source.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button } from '../ui/button.js';
import { Dialog } from '../ui/dialog.js';
import { Notice, ProblemNotice } from '../ui/problem-notice.js';
import { Loading, PageHeader } from '../ui/states.js';
import { useToast } from '../ui/toast.js';
import { useMediaQuery } from '../ui/use-media-query.js';
import { useCurrentApp } from './app-context.js';
import { RecordEditor } from './record-editor.js';
import { RecordHistory } from './record-history.js';
import { RecordView } from './record-view.js';
import { useCompiledForm } from './use-compiled-form.js';
import { parseFlowDefinition } from '../workflow/flow-definition.js';
import { StageHistory, StageStepper, TransitionButtons } from '../workflow/record-stage-panel.js';
import { stageLabel, useStageMover } from '../workflow/stage-mover.js';

export function RecordDetailPage() {
  const { formId = '', recordId = '' } = useParams();
  const { app } = useCurrentApp();
  const { t, text, formatDateTime } = useI18n();
  const navigate = useNavigate();
  const toast = useToast();
  const phone = useMediaQuery('(max-width: 900px)');
  const form = useResource((signal) => formsApi.get(formId, signal), [formId]);
  const record = useResource(
    (signal) => recordsApi.get(formId, recordId, signal),
    [formId, recordId],
  );
  const history = useResource(
    (signal) => recordsApi.history(formId, recordId, signal),
    [formId, recordId],
  );
  const members = useResource((signal) => peopleApi.members(signal).catch(() => []), []);
  const { compiled } = useCompiledForm(form.data);
  const hasFlow = form.data?.hasFlow === true;
  const flow = useResource(
    (signal) =>
      hasFlow
        ? flowsApi.get(formId, signal).then((doc) => parseFlowDefinition(doc.definition))
        : Promise.resolve(null),
    [formId, hasFlow],
  );
  const transitions = useResource(
    (signal) => (hasFlow ? flowsApi.available(formId, recordId, signal) : Promise.resolve([])),
    [formId, recordId, hasFlow],
  );
  const mover = useStageMover({
    formId,
    compiled,
    flow: flow.data ?? null,
    onMoved: (_before, after) => {
      record.set(after);
      history.reload();
      transitions.reload();
    },
  });
  const [editing, setEditing] = useState(false);
  const [conflict, setConflict] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [tab, setTab] = useState<'fields' | 'history'>('fields');
  const listPath = `/apps/${app.id}/forms/${formId}`;

  const loadError = form.error ?? record.error;
  if (loadError !== undefined) {
    return (
      <div className="page">
        <ProblemNotice error={loadError} />
      </div>
    );
  }
  if (form.data === undefined || record.data === undefined || form.data.schema === null)
    return <Loading />;
  const schema = form.data.schema;
  const current = record.data;
  const title = recordTitle(current, schema, t('records.untitled'));
  const actions = form.data.actions;
  const can = (action: string) => actions.length === 0 || actions.includes(action);

  async function remove() {
    setBusy(true);
    setActionError(null);
    try {
      await recordsApi.remove(formId, recordId);
      toast.show(t('records.deleted'));
      void navigate(listPath);
    } catch (caught) {
      setActionError(caught);
    } finally {
      setBusy(false);
      setConfirmDelete(false);
    }
  }

  async function restore() {
    setBusy(true);
    try {
      record.set(await recordsApi.restore(formId, recordId));
      history.reload();
    } catch (caught) {
      setActionError(caught);
    } finally {
      setBusy(false);
    }
  }

  const details =
    editing && compiled !== null ? (
      <RecordEditor
        compiled={compiled}
        initial={current.values}
        stage={current.stage}
        submitLabel={t('common.save')}
        onCancel={() => setEditing(false)}
        onSave={async (values) => {
          try {
            const changed = Object.fromEntries(
              Object.entries(values).filter(
                ([key, value]) => JSON.stringify(value) !== JSON.stringify(current.values[key]),
              ),
            );
            const saved = await recordsApi.update(formId, recordId, changed, current.version);
            record.set(saved);
            history.reload();
            setEditing(false);
            toast.show(t('records.saved'));
            return { ok: true };
          } catch (caught) {
            if (
              isApiProblem(caught) &&
              caught.status === 409 &&
              (caught.code === 'VERSION_CONFLICT' || caught.currentVersion !== undefined)
            )
              setConflict(true);
            return { ok: false, error: caught };
          }
        }}
      />
    ) : (
      <RecordView schema={schema} record={current} />
    );

  const historyPanel =
    history.data === undefined ? (
      history.error === undefined ? (
        <Loading />
      ) : (
        <ProblemNotice error={history.error} />
      )
    ) : (
      <>
        {hasFlow ? (
          <section className="stage-history" aria-labelledby="stage-history-title">
            <h3 id="stage-history-title" className="stage-history__title">
              {t('stage.history')}
            </h3>
            <StageHistory
              entries={history.data}
              flow={flow.data ?? null}
              members={members.data ?? []}
            />
          </section>
        ) : null}
        <RecordHistory
          entries={history.data.filter(
            (entry) =>
              !entry.kind.startsWith('flow.') || entry.changes.some((c) => c.field !== 'stage'),
          )}
          schema={schema}
          members={members.data ?? []}
        />
      </>
    );

  return (
    <div className="page page--wide record-page">
      <PageHeader
        before={
          <Link to={listPath} className="back-link">
            ← {text(form.data.name)}
          </Link>
        }
        title={title}
        subtitle={
          <span className="row">
            {current.isDraft === true ? (
              <span className="badge badge--warning">{t('records.draft')}</span>
            ) : null}
            {current.deletedAt ? (
              <span className="badge badge--danger">{t('records.deletedBadge')}</span>
            ) : null}
            {current.stage === null ? null : (
              <span className="badge badge--info" data-testid="record-stage">
                {stageLabel(flow.data ?? null, current.stage, text)}
              </span>
            )}
            <span>{t('records.createdOn', { date: formatDateTime(current.createdAt) })}</span>
            <span>{t('records.version', { version: current.version })}</span>
          </span>
        }
        actions={
          editing ? undefined : (
            <>
              {current.isDraft === true ? (
                <Button
                  variant="primary"
                  onClick={() =>
                    void recordsApi.submit(formId, recordId).then((saved) => {
                      record.set(saved);
                      history.reload();
                    }, setActionError)
                  }
                >
                  {t('records.submitDraft')}
                </Button>
              ) : null}
              {current.deletedAt ? (
                <Button onClick={() => void restore()} busy={busy} icon="refresh">
                  {t('records.restore')}
                </Button>
              ) : (
                <>
                  {can('update') ? (
                    <Button
                      variant="primary"
                      icon="edit"
                      onClick={() => setEditing(true)}
                      disabled={compiled === null}
                      data-testid="edit-record"
                    >
                      {t('common.edit')}
                    </Button>
                  ) : null}
                  {can('delete') ? (
                    <Button variant="danger" icon="trash" onClick={() => setConfirmDelete(true)}>
                      {t('common.delete')}
                    </Button>
                  ) : null}
                </>
              )}
            </>
          )
        }
      />
      {actionError === null ? null : <ProblemNotice error={actionError} />}
      {flow.data !== null && flow.data !== undefined && current.stage !== null ? (
        <section className="card stage-panel" aria-label={t('stage.current')}>
          <div className="card__body stage-panel__body">
            <StageStepper flow={flow.data} stage={current.stage} />
            {editing || current.deletedAt ? null : (
              <TransitionButtons
                transitions={transitions.data ?? []}
                busy={mover.busy}
                onFire={(transition) =>
                  void mover.move(current, { event: transition.event, version: current.version })
                }
              />
            )}
          </div>
        </section>
      ) : null}
      {mover.dialogs}
      {conflict ? (
        <Notice tone="warning" title={t('records.conflictTitle')}>
          <p>{t('records.conflictBody')}</p>
          <p>
            <Button
              size="small"
              onClick={() => {
                setConflict(false);
                setEditing(false);
                record.reload();
                history.reload();
              }}
            >
              {t('records.reloadLatest')}
            </Button>
          </p>
        </Notice>
      ) : null}
      {phone ? (
        <>
          <div className="tabs" role="tablist">
            <button
              type="button"
              role="tab"
              aria-selected={tab === 'fields'}
              onClick={() => setTab('fields')}
            >
              {t('records.details')}
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={tab === 'history'}
              onClick={() => setTab('history')}
            >
              {t('records.history')}
            </button>
          </div>
          <div className="card spaced-top" role="tabpanel">
            <div className="card__body">{tab === 'fields' ? details : historyPanel}</div>
          </div>
        </>
      ) : (
        <div className="record-detail">
          <section className="card" aria-label={t('records.details')}>
            <div className="card__body">{details}</div>
          </section>
          <section className="card record-detail__history" aria-labelledby="history-title">
            <div className="card__header">
              <h2 id="history-title" className="card__title">
                {t('records.history')}
              </h2>
            </div>
            <div className="card__body">{historyPanel}</div>
          </section>
        </div>
      )}
      <Dialog
        open={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        title={t('records.deleteTitle')}
        footer={
          <>
            <Button onClick={() => setConfirmDelete(false)}>{t('common.cancel')}</Button>
            <Button variant="danger" busy={busy} onClick={() => void remove()}>
              {t('common.delete')}
            </Button>
          </>
        }
      >
        <p>{t('records.deleteBody', { title })}</p>
      </Dialog>
    </div>
  );
}
