import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { DndProvider } from 'react-dnd';
import { HTML5Backend } from 'react-dnd-html5-backend';
import { TouchBackend } from 'react-dnd-touch-backend';
import { Link, useParams } from 'react-router';
import { appsApi, type AppFormSummary } from '../api/apps-api.js';
import { isApiProblem } from '../api/api-problem.js';
import { formsApi, type FormDetail, type PublishResult } from '../api/forms-api.js';
import { useResource } from '../api/use-resource.js';
import type { FormSchema } from '../forms/form-schema.js';
import { bilingual } from '../i18n/bilingual.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button, buttonClass } from '../ui/button.js';
import { Icon } from '../ui/icon.js';
import { errorMessage, Notice, ProblemNotice } from '../ui/problem-notice.js';
import { Loading } from '../ui/states.js';
import { useToast } from '../ui/toast.js';
import { useMediaQuery } from '../ui/use-media-query.js';
import { DesignerCanvas } from './designer-canvas.js';
import { DesignerContext, type ContainerTemplate, type DesignerApi } from './designer-context.js';
import { designerReducer, initialDesignerState } from './designer-state.js';
import { createField, NEW_FIELD_LABELS } from './field-factory.js';
import { FieldPalette } from './field-palette.js';
import { findItem, newColumns, newSection, newTabs } from './layout-model.js';
import { PreviewPane } from './preview-pane.js';
import { PropertiesPanel, type AppFormChoice } from './properties-panel.js';
import { PublishDialog } from './publish-dialog.js';
import { issuesByField } from './schema-issues.js';
import './designer.css';

function draftOf(form: FormDetail): FormSchema {
  const base = form.draft ?? form.schema;
  return base ?? { id: form.key, name: form.name, fields: [], layout: { items: [] } };
}

/** The form designer: palette, canvas and properties, live preview, save and publish. */
export function FormDesignerPage() {
  const { appId = '', formId = '' } = useParams();
  const { t } = useI18n();
  const form = useResource((signal) => formsApi.get(formId, signal), [formId]);
  const app = useResource((signal) => appsApi.get(appId, signal), [appId]);
  const coarse = useMediaQuery('(pointer: coarse)');

  if (form.error !== undefined) {
    return (
      <div className="page">
        <ProblemNotice error={form.error} />
      </div>
    );
  }
  if (form.data === undefined) return <Loading label={t('designer.loading')} />;
  return (
    <DndProvider
      backend={coarse ? TouchBackend : HTML5Backend}
      options={coarse ? { enableMouseEvents: false, delayTouchStart: 150 } : undefined}
    >
      <Designer
        key={form.data.id}
        form={form.data}
        appForms={(app.data?.forms ?? []).filter((entry) => entry.id !== formId)}
        onReloaded={form.set}
      />
    </DndProvider>
  );
}

type Panel = 'palette' | 'canvas' | 'properties';

function Designer({
  form,
  appForms,
  onReloaded,
}: {
  form: FormDetail;
  appForms: readonly AppFormSummary[];
  onReloaded(form: FormDetail): void;
}) {
  const i18n = useI18n();
  const { t, text } = i18n;
  const toast = useToast();
  const { appId = '' } = useParams();
  const [state, dispatch] = useReducer(designerReducer, draftOf(form), initialDesignerState);
  const [revision, setRevision] = useState(form.draftRevision);
  const [mode, setMode] = useState<'design' | 'preview'>('design');
  const [panel, setPanel] = useState<Panel>('canvas');
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const [issues, setIssues] = useState<Map<string, string[]>>(new Map());
  const [publishing, setPublishing] = useState(false);
  const [published, setPublished] = useState<PublishResult | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const narrow = useMediaQuery('(max-width: 1100px)');
  const stateRef = useRef(state);
  stateRef.current = state;

  const publishedFields = useMemo(
    () => new Map((form.schema?.fields ?? []).map((field) => [field.id, field])),
    [form.schema],
  );
  const choices: AppFormChoice[] = useMemo(
    () => appForms.map((entry) => ({ key: entry.key, label: text(entry.name) })),
    [appForms, text],
  );

  const announce = useCallback((message: string) => {
    setAnnouncement('');
    window.setTimeout(() => setAnnouncement(message), 30);
  }, []);

  const api = useMemo<DesignerApi>(
    () => ({
      state,
      dispatch,
      issues,
      publishedFields,
      formId: form.id,
      announce,
      addField(type, containerId, index) {
        const field = createField(
          type,
          stateRef.current.schema.fields.map((f) => f.id),
          NEW_FIELD_LABELS(type),
        );
        dispatch({ type: 'addField', field, containerId, index });
        announce(t('designer.added', { name: text(field.label) }));
        if (narrow) setPanel('canvas');
      },
      addContainer(template: ContainerTemplate, containerId, index) {
        const items = stateRef.current.schema.layout?.items ?? [];
        const item =
          template === 'section'
            ? newSection(items, bilingual('designer.newSection'))
            : template === 'columns'
              ? newColumns(items)
              : newTabs(items, [
                  bilingual('designer.tabN', { n: 1 }),
                  bilingual('designer.tabN', { n: 2 }),
                ]);
        dispatch({ type: 'addContainer', item, containerId, index });
        announce(t('designer.containerAdded'));
      },
      move(key, containerId, index) {
        dispatch({ type: 'move', key, containerId, index });
        const item = findItem(stateRef.current.schema.layout?.items ?? [], key);
        const field =
          item?.type === 'field'
            ? stateRef.current.schema.fields.find((f) => f.id === item.fieldId)
            : undefined;
        announce(
          t('designer.moved', {
            name: field === undefined ? t('designer.container') : text(field.label),
          }),
        );
      },
    }),
    [state, issues, publishedFields, form.id, announce, t, text, narrow],
  );

  const save = useCallback(async (): Promise<boolean> => {
    setSaving(true);
    setProblem(null);
    const schema = stateRef.current.schema;
    try {
      const saved = await formsApi.saveDraft(form.id, schema, revision);
      setRevision(saved.draftRevision);
      dispatch({ type: 'saved' });
      setIssues(new Map());
      onReloaded(saved);
      toast.show(t('designer.saved'));
      return true;
    } catch (caught) {
      setProblem(caught);
      if (isApiProblem(caught))
        setIssues(issuesByField(schema, caught.errors, (error) => errorMessage(error, i18n)));
      return false;
    } finally {
      setSaving(false);
    }
  }, [form.id, revision, onReloaded, toast, t, i18n]);

  const onPublishProblem = useCallback(
    (caught: unknown) => {
      if (isApiProblem(caught))
        setIssues(
          issuesByField(stateRef.current.schema, caught.errors, (error) =>
            errorMessage(error, i18n),
          ),
        );
    },
    [i18n],
  );

  async function startPublish() {
    if (stateRef.current.dirty || revision === undefined) {
      if (!(await save())) return;
    }
    setPublished(null);
    setPublishing(true);
  }

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      if (!mod) return;
      if (event.key === 's') {
        event.preventDefault();
        void save();
      } else if (
        event.key === 'z' &&
        !(event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement)
      ) {
        event.preventDefault();
        dispatch({ type: event.shiftKey ? 'redo' : 'undo' });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [save]);

  useEffect(() => {
    if (!state.dirty) return undefined;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [state.dirty]);

  useEffect(() => {
    if (narrow && state.selected !== null && mode === 'design')
      setPanel((current) => (current === 'palette' ? 'canvas' : current));
  }, [state.selected, narrow, mode]);

  return (
    <DesignerContext.Provider value={api}>
      <div className="designer">
        <header className="designer__bar">
          <Link to={`/apps/${appId}`} className="back-link">
            ← {t('designer.backToApp')}
          </Link>
          <div className="designer__name">
            <h1>{text(state.schema.name) || text(form.name)}</h1>
            <span className="row small">
              {form.publishedVersion === null ? (
                <span className="badge badge--warning">{t('forms.unpublished')}</span>
              ) : (
                <span className="badge badge--success">
                  {t('forms.publishedVersion', { version: form.publishedVersion })}
                </span>
              )}
              {state.dirty ? (
                <span className="badge badge--info" data-testid="unsaved">
                  {t('designer.unsaved')}
                </span>
              ) : null}
            </span>
          </div>
          <div className="grow" />
          <div className="designer__actions">
            <Button
              variant="ghost"
              icon="undo"
              iconLabel={t('designer.undo')}
              disabled={state.past.length === 0}
              onClick={() => dispatch({ type: 'undo' })}
            />
            <Button
              variant="ghost"
              icon="redo"
              iconLabel={t('designer.redo')}
              disabled={state.future.length === 0}
              onClick={() => dispatch({ type: 'redo' })}
            />
            <div className="segmented" role="group" aria-label={t('designer.mode')}>
              <button
                type="button"
                aria-pressed={mode === 'design'}
                onClick={() => setMode('design')}
              >
                <Icon name="edit" />
                {t('designer.design')}
              </button>
              <button
                type="button"
                aria-pressed={mode === 'preview'}
                onClick={() => setMode('preview')}
                data-testid="mode-preview"
              >
                <Icon name="eye" />
                {t('designer.preview')}
              </button>
            </div>
            <Button icon="save" busy={saving} onClick={() => void save()} data-testid="save-draft">
              {t('designer.save')}
            </Button>
            <Button
              variant="primary"
              icon="upload"
              onClick={() => void startPublish()}
              disabled={saving}
              data-testid="publish"
            >
              {t('designer.publish')}
            </Button>
          </div>
        </header>
        {problem === null ? null : (
          <div className="designer__notice">
            <ProblemNotice
              error={problem}
              errors={isApiProblem(problem) && problem.status === 400 ? [] : undefined}
            />
            {isApiProblem(problem) && problem.status === 400 ? (
              <p className="small">{t('designer.fixIssues')}</p>
            ) : null}
          </div>
        )}
        {published === null ? null : (
          <div className="designer__notice">
            <Notice
              tone="success"
              title={t('designer.publishedTitle', { version: published.version })}
              testId="published-notice"
            >
              <Link
                className={buttonClass('primary', 'small')}
                to={`/apps/${appId}/forms/${form.id}`}
              >
                {t('designer.openRecords')}
              </Link>
            </Notice>
          </div>
        )}
        {mode === 'preview' ? (
          <div className="designer__preview">
            <PreviewPane schema={state.schema} />
          </div>
        ) : (
          <>
            {narrow ? (
              <div className="designer__panels-switch">
                <div className="segmented" role="group" aria-label={t('designer.panels')}>
                  <button
                    type="button"
                    aria-pressed={panel === 'palette'}
                    onClick={() => setPanel('palette')}
                  >
                    {t('designer.palette')}
                  </button>
                  <button
                    type="button"
                    aria-pressed={panel === 'canvas'}
                    onClick={() => setPanel('canvas')}
                  >
                    {t('designer.canvas')}
                  </button>
                  <button
                    type="button"
                    aria-pressed={panel === 'properties'}
                    onClick={() => setPanel('properties')}
                  >
                    {t('designer.properties')}
                  </button>
                </div>
              </div>
            ) : null}
            <div className={narrow ? `designer__body designer__body--${panel}` : 'designer__body'}>
              <div className="designer__palette">
                <FieldPalette />
              </div>
              <main className="designer__canvas" aria-label={t('designer.canvas')}>
                <DesignerCanvas />
              </main>
              <div className="designer__properties">
                <PropertiesPanel appForms={choices} />
              </div>
            </div>
          </>
        )}
        <p id="designer-keyboard-help" className="visually-hidden">
          {t('designer.keyboardHelp')}
        </p>
        <div
          className="visually-hidden"
          aria-live="polite"
          role="status"
          data-testid="designer-announcer"
        >
          {announcement}
        </div>
        {publishing ? (
          <PublishDialog
            formId={form.id}
            fields={state.schema.fields}
            onClose={() => setPublishing(false)}
            onProblem={onPublishProblem}
            onPublished={(result) => {
              setPublishing(false);
              setPublished(result);
              toast.show(t('designer.publishedTitle', { version: result.version }));
              void formsApi.get(form.id).then(onReloaded, () => undefined);
            }}
          />
        ) : null}
      </div>
    </DesignerContext.Provider>
  );
}
