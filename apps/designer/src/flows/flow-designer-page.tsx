import { lazy, Suspense, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { validateFlow } from '@trellis/flow-engine';
import { isApiProblem, type ProblemError } from '../api/api-problem.js';
import { flowsApi, type FlowDocument } from '../api/flows-api.js';
import { formsApi, type FormDetail } from '../api/forms-api.js';
import { peopleApi, type Member, type Role } from '../api/people-api.js';
import { useResource } from '../api/use-resource.js';
import type { FieldSchema } from '../forms/form-schema.js';
import { bilingual } from '../i18n/bilingual.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button, buttonClass } from '../ui/button.js';
import { Icon } from '../ui/icon.js';
import { Notice, ProblemNotice } from '../ui/problem-notice.js';
import { Loading } from '../ui/states.js';
import { useToast } from '../ui/toast.js';
import type { FlowSelection } from './flow-canvas.js';
import { flowIssueText } from './flow-issues.js';
import {
  addState,
  addTransition,
  ANY_STATE,
  documentOf,
  draftFromDocument,
  hasTransition,
  issueTarget,
  newState,
  newTransition,
  removeState,
  removeTransition,
  updateState,
  updateTransition,
  type FlowDraft,
} from './flow-model.js';
import { StateProperties, TransitionProperties } from './flow-properties.js';
import './flow-designer.css';

const FlowCanvas = lazy(async () => ({ default: (await import('./flow-canvas.js')).FlowCanvas }));

/** The flow designer of a form: stages and transitions, guards, approvals and timers. */
export function FlowDesignerPage() {
  const { formId = '' } = useParams();
  const { t } = useI18n();
  const form = useResource((signal) => formsApi.get(formId, signal), [formId]);
  const flow = useResource((signal) => flowsApi.get(formId, signal), [formId]);
  const roles = useResource((signal) => peopleApi.roles(signal).catch(() => [] as Role[]), []);
  const members = useResource(
    (signal) => peopleApi.members(signal).catch(() => [] as Member[]),
    [],
  );
  const error = form.error ?? flow.error;
  if (error !== undefined)
    return (
      <div className="page">
        <ProblemNotice error={error} />
      </div>
    );
  if (form.data === undefined || flow.data === undefined)
    return <Loading label={t('flow.loading')} />;
  return (
    <FlowEditor
      key={form.data.id}
      form={form.data}
      document={flow.data}
      roles={roles.data ?? []}
      members={(members.data ?? []).filter((member) => member.status === 'active')}
    />
  );
}

type LocatedIssue = ProblemError & { rest: string };

function FlowEditor({
  form,
  document,
  roles,
  members,
}: {
  form: FormDetail;
  document: FlowDocument;
  roles: readonly Role[];
  members: readonly Member[];
}) {
  const { appId = '' } = useParams();
  const i18n = useI18n();
  const { t, text } = i18n;
  const toast = useToast();
  const [draft, setDraft] = useState<FlowDraft>(() =>
    draftFromDocument(document.draft ?? document.definition, form.key, form.name),
  );
  const [published, setPublished] = useState<number | null>(document.publishedVersion);
  const [selection, setSelection] = useState<FlowSelection>(null);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState<'save' | 'publish' | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [serverIssues, setServerIssues] = useState<ProblemError[] | null>(null);
  const [connectFrom, setConnectFrom] = useState('');
  const [connectTo, setConnectTo] = useState('');
  const [announce, setAnnounce] = useState('');

  const fields = useMemo<FieldSchema[]>(() => (form.draft ?? form.schema)?.fields ?? [], [form]);
  const def = draft.definition;
  /** Live issues from the flow engine while editing; the server's after a save. */
  const liveIssues = useMemo<ProblemError[]>(
    () =>
      validateFlow(
        { ...def, version: 1 },
        {
          fields: [
            ...fields.map((f) => f.id),
            'owner_id',
            'created_by',
            'created_at',
            'updated_at',
            'stage',
            'stage_entered_at',
            'id',
            'version',
          ],
        },
      ).map((issue) => ({
        ...issue,
        path: issue.path === '' ? 'definition' : `definition.${issue.path}`,
      })),
    [def, fields],
  );
  const issues = serverIssues ?? (dirty ? liveIssues : []);
  const located = issues.map((issue) => ({ issue, target: issueTarget(issue.path) }));
  const invalidStates = new Set(
    located.flatMap(({ target }) =>
      target.kind === 'state' ? [def.states[target.index]?.id ?? ''] : [],
    ),
  );
  const invalidTransitions = new Set(
    located.flatMap(({ target }) => (target.kind === 'transition' ? [target.index] : [])),
  );

  function change(next: FlowDraft, message?: string) {
    setDraft(next);
    setDirty(true);
    setServerIssues(null);
    if (message !== undefined) setAnnounce(message);
  }

  function issuesOf(kind: 'state' | 'transition', index: number): LocatedIssue[] {
    return located.flatMap(({ issue, target }) =>
      target.kind === kind && target.index === index ? [{ ...issue, rest: target.rest }] : [],
    );
  }

  function addStage() {
    const state = newState(def, bilingual('flow.newStage', { n: def.states.length + 1 }));
    change(addState(draft, state), t('flow.announce.stageAdded', { name: text(state.label) }));
    setSelection({ kind: 'state', id: state.id });
  }

  function connect(from: string, to: string) {
    if (hasTransition(def, from, to)) {
      setAnnounce(t('flow.announce.exists'));
      return;
    }
    const transition = newTransition(def, from === ANY_STATE ? '*' : [from], to);
    const fromLabel =
      from === ANY_STATE
        ? t('flow.anyStage')
        : text(def.states.find((s) => s.id === from)?.label) || from;
    const toLabel = text(def.states.find((s) => s.id === to)?.label) || to;
    change(
      addTransition(draft, transition),
      t('flow.announce.connected', { from: fromLabel, to: toLabel }),
    );
    setSelection({ kind: 'transition', index: def.transitions.length });
  }

  async function save(): Promise<boolean> {
    setBusy('save');
    setProblem(null);
    try {
      const saved = await flowsApi.save(form.id, documentOf(draft));
      setPublished(saved.publishedVersion);
      setDirty(false);
      setServerIssues([]);
      toast.show(t('flow.saved'));
      return true;
    } catch (caught) {
      if (isApiProblem(caught) && caught.errors.length > 0) setServerIssues([...caught.errors]);
      setProblem(caught);
      return false;
    } finally {
      setBusy(null);
    }
  }

  async function publish() {
    if (dirty && !(await save())) return;
    setBusy('publish');
    setProblem(null);
    try {
      const result = await flowsApi.publish(form.id);
      setPublished(result.publishedVersion);
      toast.show(t('flow.published', { version: result.publishedVersion ?? 1 }));
    } catch (caught) {
      if (isApiProblem(caught) && caught.errors.length > 0) setServerIssues([...caught.errors]);
      setProblem(caught);
    } finally {
      setBusy(null);
    }
  }

  function select(target: ReturnType<typeof issueTarget>) {
    if (target.kind === 'state') {
      const state = def.states[target.index];
      if (state !== undefined) setSelection({ kind: 'state', id: state.id });
    } else if (target.kind === 'transition')
      setSelection({ kind: 'transition', index: target.index });
  }

  const stateIndex =
    selection?.kind === 'state' ? def.states.findIndex((s) => s.id === selection.id) : -1;
  const selectedState = stateIndex >= 0 ? def.states[stateIndex] : undefined;
  const selectedTransition =
    selection?.kind === 'transition' ? def.transitions[selection.index] : undefined;
  const stateName = (id: string) =>
    id === ANY_STATE ? t('flow.anyStage') : text(def.states.find((s) => s.id === id)?.label) || id;
  const flowLevel = located.filter(({ target }) => target.kind === 'flow');

  return (
    <div className="flow-designer">
      <header className="flow-designer__bar">
        <Link to={`/apps/${appId}`} className="back-link">
          ← {t('flow.backToApp')}
        </Link>
        <h1 className="flow-designer__title">{t('flow.title', { form: text(form.name) })}</h1>
        <span
          className={published === null ? 'badge badge--warning' : 'badge badge--success'}
          data-testid="flow-status"
        >
          {published === null
            ? t('flow.notPublished')
            : t('flow.publishedVersion', { version: published })}
        </span>
        {dirty ? (
          <span className="badge" data-testid="flow-unsaved">
            {t('flow.unsaved')}
          </span>
        ) : null}
        <div className="grow" />
        <Link
          className={buttonClass('ghost', 'small')}
          to={`/apps/${appId}/forms/${form.id}/design`}
        >
          <Icon name="form" />
          {t('flow.formDesigner')}
        </Link>
        <Button
          icon="save"
          onClick={() => void save()}
          busy={busy === 'save'}
          data-testid="flow-save"
        >
          {t('common.save')}
        </Button>
        <Button
          variant="primary"
          icon="upload"
          onClick={() => void publish()}
          busy={busy === 'publish'}
          data-testid="flow-publish"
        >
          {t('flow.publish')}
        </Button>
      </header>
      <div className="visually-hidden" aria-live="polite" data-testid="flow-announcer">
        {announce}
      </div>
      {problem !== null || (serverIssues !== null && serverIssues.length > 0) ? (
        <div className="flow-designer__problems" data-testid="flow-issues">
          <Notice tone="error" title={t('flow.issuesTitle', { count: issues.length })}>
            <ul className="flow-issue-list">
              {located.map(({ issue, target }, index) => (
                <li key={`${issue.path}-${index}`}>
                  <button type="button" className="link-button" onClick={() => select(target)}>
                    <span className="mono small">{issue.path}</span>
                  </button>{' '}
                  {target.kind === 'state'
                    ? `${stateName(def.states[target.index]?.id ?? '')}: `
                    : target.kind === 'transition'
                      ? `${text(def.transitions[target.index]?.label) || def.transitions[target.index]?.event || ''}: `
                      : ''}
                  {flowIssueText(issue, i18n)}
                </li>
              ))}
            </ul>
            {issues.length === 0 && isApiProblem(problem) ? <p>{problem.detail}</p> : null}
          </Notice>
        </div>
      ) : null}
      <div className="flow-designer__body">
        <aside className="flow-outline" aria-label={t('flow.outline')}>
          <section>
            <div className="flow-outline__head">
              <h2>{t('flow.stages')}</h2>
              <Button size="small" icon="plus" onClick={addStage} data-testid="add-stage">
                {t('flow.addStage')}
              </Button>
            </div>
            <ol className="list-plain flow-outline__list">
              {[...def.states]
                .sort((a, b) => a.order - b.order)
                .map((state) => (
                  <li key={state.id}>
                    <button
                      type="button"
                      className="flow-outline__item"
                      aria-pressed={selection?.kind === 'state' && selection.id === state.id}
                      onClick={() => setSelection({ kind: 'state', id: state.id })}
                      data-testid={`outline-state-${state.id}`}
                    >
                      <span
                        className={`flow-kind-dot flow-kind-dot--${state.kind}`}
                        aria-hidden="true"
                      />
                      <span className="grow">{text(state.label) || state.id}</span>
                      {state.probability === null ? null : (
                        <span className="small muted">{state.probability}%</span>
                      )}
                      {invalidStates.has(state.id) ? (
                        <Icon
                          name="alert"
                          className="flow-outline__alert"
                          label={t('flow.hasIssues')}
                        />
                      ) : null}
                    </button>
                  </li>
                ))}
            </ol>
          </section>
          <section>
            <h2>{t('flow.transitions')}</h2>
            <ol className="list-plain flow-outline__list">
              {def.transitions.map((transition, index) => (
                <li key={index}>
                  <button
                    type="button"
                    className="flow-outline__item"
                    aria-pressed={selection?.kind === 'transition' && selection.index === index}
                    onClick={() => setSelection({ kind: 'transition', index })}
                    data-testid={`outline-transition-${index}`}
                  >
                    <span className="grow">
                      {(transition.from === '*' ? [ANY_STATE] : transition.from)
                        .map(stateName)
                        .join('、')}{' '}
                      → {stateName(transition.to)}
                    </span>
                    {invalidTransitions.has(index) ? (
                      <Icon
                        name="alert"
                        className="flow-outline__alert"
                        label={t('flow.hasIssues')}
                      />
                    ) : null}
                  </button>
                </li>
              ))}
            </ol>
            <form
              className="flow-connect"
              onSubmit={(event) => {
                event.preventDefault();
                if (connectFrom !== '' && connectTo !== '' && connectFrom !== connectTo)
                  connect(connectFrom, connectTo);
              }}
              aria-label={t('flow.connectByKeyboard')}
            >
              <p className="small muted">{t('flow.connectHint')}</p>
              <label className="visually-hidden" htmlFor="connect-from">
                {t('flow.from')}
              </label>
              <select
                id="connect-from"
                className="select"
                value={connectFrom}
                onChange={(event) => setConnectFrom(event.target.value)}
                data-testid="connect-from"
              >
                <option value="">{t('flow.from')}</option>
                <option value={ANY_STATE}>{t('flow.anyStage')}</option>
                {def.states
                  .filter((s) => s.kind === 'normal')
                  .map((s) => (
                    <option key={s.id} value={s.id}>
                      {text(s.label) || s.id}
                    </option>
                  ))}
              </select>
              <label className="visually-hidden" htmlFor="connect-to">
                {t('flow.to')}
              </label>
              <select
                id="connect-to"
                className="select"
                value={connectTo}
                onChange={(event) => setConnectTo(event.target.value)}
                data-testid="connect-to"
              >
                <option value="">{t('flow.to')}</option>
                {def.states.map((s) => (
                  <option key={s.id} value={s.id}>
                    {text(s.label) || s.id}
                  </option>
                ))}
              </select>
              <Button
                type="submit"
                size="small"
                icon="plus"
                disabled={connectFrom === '' || connectTo === '' || connectFrom === connectTo}
                data-testid="connect-add"
              >
                {t('flow.addTransition')}
              </Button>
            </form>
          </section>
          {flowLevel.length > 0 ? (
            <Notice tone="warning">
              <ul>
                {flowLevel.map(({ issue }, index) => (
                  <li key={index}>{flowIssueText(issue, i18n)}</li>
                ))}
              </ul>
            </Notice>
          ) : null}
        </aside>
        <section className="flow-designer__canvas" aria-label={t('flow.canvas')}>
          {def.states.length === 0 ? (
            <div className="flow-designer__empty">
              <p>{t('flow.emptyCanvas')}</p>
              <Button variant="primary" icon="plus" onClick={addStage}>
                {t('flow.addStage')}
              </Button>
            </div>
          ) : (
            <Suspense fallback={<Loading />}>
              <FlowCanvas
                draft={draft}
                selection={selection}
                invalidStates={invalidStates}
                invalidTransitions={invalidTransitions}
                onSelect={setSelection}
                onMove={(id, position) => {
                  setDraft((current) => ({
                    ...current,
                    positions: { ...current.positions, [id]: position },
                  }));
                  setDirty(true);
                }}
                onConnect={connect}
              />
            </Suspense>
          )}
        </section>
        <aside className="flow-designer__properties" aria-label={t('flow.properties')}>
          {selectedState !== undefined ? (
            <StateProperties
              key={`s${stateIndex}`}
              def={def}
              state={selectedState}
              fields={fields}
              issues={issuesOf('state', stateIndex)}
              onChange={(next) => {
                change(updateState(draft, stateIndex, next));
                if (next.id !== selectedState.id) setSelection({ kind: 'state', id: next.id });
              }}
              onMakeInitial={() =>
                change({ ...draft, definition: { ...def, initial: selectedState.id } })
              }
              onRemove={() => {
                change(
                  removeState(draft, stateIndex),
                  t('flow.announce.stageRemoved', { name: text(selectedState.label) }),
                );
                setSelection(null);
              }}
            />
          ) : selectedTransition !== undefined && selection?.kind === 'transition' ? (
            <TransitionProperties
              key={`t${selection.index}`}
              def={def}
              transition={selectedTransition}
              fields={fields}
              members={members}
              roles={roles}
              issues={issuesOf('transition', selection.index)}
              onChange={(next) => change(updateTransition(draft, selection.index, next))}
              onRemove={() => {
                change(removeTransition(draft, selection.index));
                setSelection(null);
              }}
            />
          ) : (
            <div className="flow-props flow-props--empty">
              <h2 className="flow-props__title">{t('flow.howTo')}</h2>
              <ol className="flow-howto">
                <li>{t('flow.howTo1')}</li>
                <li>{t('flow.howTo2')}</li>
                <li>{t('flow.howTo3')}</li>
                <li>{t('flow.howTo4')}</li>
              </ol>
            </div>
          )}
        </aside>
      </div>
    </div>
  );
}
