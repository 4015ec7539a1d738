import { useEffect, useRef, useState } from 'react';
import type { DragEvent } from 'react';
import { Link, useParams } from 'react-router';
import {
  importsApi,
  type ImportJob,
  type ImportRejection,
  type ImportSettings,
  type MatchMethod,
  type OnDuplicateInFile,
  type OnMatch,
} from '../api/imports-api.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';
import { Button, buttonClass } from '../ui/button.js';
import { Icon } from '../ui/icon.js';
import { Notice, ProblemNotice } from '../ui/problem-notice.js';
import { PageHeader } from '../ui/states.js';
import { useCurrentApp } from '../runtime/app-context.js';
import './imports.css';

type Step = 'upload' | 'mapping' | 'duplicates' | 'preview' | 'import';
const STEPS: ReadonlyArray<{ step: Step; label: MessageKey }> = [
  { step: 'upload', label: 'import.step.upload' },
  { step: 'mapping', label: 'import.step.mapping' },
  { step: 'duplicates', label: 'import.step.duplicates' },
  { step: 'preview', label: 'import.step.preview' },
  { step: 'import', label: 'import.step.import' },
];
const METHODS: readonly MatchMethod[] = ['phone', 'email', 'company', 'exact'];
const RUNNING = new Set(['running']);

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => window.setTimeout(resolve, ms));
}

/** Polls an import until it is no longer running; `onProgress` sees every state. */
async function untilSettled(id: string, onProgress: (job: ImportJob) => void): Promise<ImportJob> {
  for (;;) {
    const job = await importsApi.get(id);
    onProgress(job);
    if (!RUNNING.has(job.status)) return job;
    await delay(400);
  }
}

/** Upload → mapping → duplicates → dry-run preview → import with progress → rejected rows. */
export function ImportWizardPage() {
  const { formId = '' } = useParams();
  const { app } = useCurrentApp();
  const i18n = useI18n();
  const { t, text, formatNumber } = i18n;
  const form = app.forms.find((f) => f.id === formId);
  const [step, setStep] = useState<Step>('upload');
  const [job, setJob] = useState<ImportJob | null>(null);
  const [settings, setSettings] = useState<ImportSettings | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const [rejections, setRejections] = useState<ImportRejection[]>([]);
  const [mode, setMode] = useState<'skip_bad_rows' | 'all_or_nothing'>('skip_bad_rows');
  const [dragOver, setDragOver] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => () => setBusy(false), []);

  async function upload(file: File) {
    setBusy(true);
    setProblem(null);
    try {
      const uploaded = await importsApi.upload(formId, file);
      setJob(uploaded);
      setSettings(uploaded.mapping ?? uploaded.suggestedMapping);
      setStep('mapping');
    } catch (caught) {
      setProblem(caught);
    } finally {
      setBusy(false);
    }
  }

  async function dryRun() {
    if (job === null || settings === null) return;
    setBusy(true);
    setProblem(null);
    try {
      await importsApi.saveMapping(job.id, { ...settings, save: true });
      await importsApi.dryRun(job.id);
      const done = await untilSettled(job.id, setJob);
      if (done.status === 'failed') setProblem(null);
      setRejections((await importsApi.rejections(job.id)).items);
      setStep('preview');
    } catch (caught) {
      setProblem(caught);
    } finally {
      setBusy(false);
    }
  }

  async function commit() {
    if (job === null) return;
    setBusy(true);
    setProblem(null);
    setStep('import');
    try {
      await importsApi.commit(job.id, mode);
      await untilSettled(job.id, setJob);
      setRejections((await importsApi.rejections(job.id)).items);
    } catch (caught) {
      setProblem(caught);
    } finally {
      setBusy(false);
    }
  }

  async function downloadRejected() {
    if (job === null) return;
    const blob = await importsApi.rejectedCsv(job.id);
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = `rejected-${job.file.name.replace(/\.[^.]+$/, '')}.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  const fields = (job?.fields ?? []).filter((f) => f.importable && f.writable);
  const setColumn = (column: number, field: string | null) =>
    setSettings((current) =>
      current === null
        ? current
        : {
            ...current,
            columns: current.columns.some((c) => c.column === column)
              ? current.columns.map((c) => (c.column === column ? { ...c, field } : c))
              : [...current.columns, { column, field }],
          },
    );
  const counts = job?.counts ?? null;
  const progress = job?.progress ?? null;
  const mappedRequired = fields
    .filter((f) => f.required)
    .filter((f) => !(settings?.columns ?? []).some((c) => c.field === f.id));

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setDragOver(false);
    const file = event.dataTransfer.files[0];
    if (file !== undefined) void upload(file);
  }

  return (
    <div className="page import-page">
      <PageHeader
        before={
          <Link to={`/apps/${app.id}/forms/${formId}`} className="back-link">
            ← {text(form?.name)}
          </Link>
        }
        title={t('import.title', { form: text(form?.name) })}
        subtitle={t('import.subtitle')}
      />
      <ol className="import-steps list-plain" aria-label={t('import.steps')}>
        {STEPS.map((entry, index) => (
          <li
            key={entry.step}
            className={
              entry.step === step
                ? 'import-steps__step import-steps__step--current'
                : STEPS.findIndex((s) => s.step === step) > index
                  ? 'import-steps__step import-steps__step--done'
                  : 'import-steps__step'
            }
            aria-current={entry.step === step ? 'step' : undefined}
          >
            <span className="import-steps__n">{index + 1}</span>
            {t(entry.label)}
          </li>
        ))}
      </ol>
      {problem === null ? null : <ProblemNotice error={problem} />}
      {step === 'upload' ? (
        <div
          className={dragOver ? 'import-drop import-drop--over' : 'import-drop'}
          onDragOver={(event) => {
            event.preventDefault();
            setDragOver(true);
          }}
          onDragLeave={() => setDragOver(false)}
          onDrop={onDrop}
          data-testid="import-drop"
        >
          <Icon name="upload" className="import-drop__icon" />
          <p>{t('import.dropHere')}</p>
          <label className={buttonClass('primary')}>
            {t('import.chooseFile')}
            <input
              ref={inputRef}
              type="file"
              className="visually-hidden"
              accept=".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              onChange={(event) => {
                const file = event.target.files?.[0];
                if (file !== undefined) void upload(file);
              }}
              data-testid="import-file"
            />
          </label>
          <p className="small muted">{t('import.formats')}</p>
          {busy ? <p role="status">{t('import.uploading')}</p> : null}
        </div>
      ) : null}
      {job !== null && settings !== null && step === 'mapping' ? (
        <section className="card" aria-labelledby="mapping-title">
          <div className="card__header">
            <h2 id="mapping-title" className="card__title">
              {t('import.mappingTitle')}
            </h2>
            <p className="small muted">
              {t('import.detected', {
                name: job.file.name,
                rows: job.file.rows ?? 0,
                encoding: job.file.encoding ?? '-',
                delimiter: job.file.delimiter === '\t' ? 'Tab' : (job.file.delimiter ?? '-'),
              })}
            </p>
          </div>
          <div className="card__body form-stack">
            <div className="table-wrap">
              <table className="table import-mapping" data-testid="import-mapping">
                <thead>
                  <tr>
                    <th scope="col">{t('import.column')}</th>
                    <th scope="col">{t('import.samples')}</th>
                    <th scope="col">{t('import.field')}</th>
                  </tr>
                </thead>
                <tbody>
                  {job.columns.map((column) => {
                    const current =
                      settings.columns.find((c) => c.column === column.index)?.field ?? null;
                    return (
                      <tr key={column.index}>
                        <th scope="row">
                          {column.header || t('import.columnN', { n: column.index + 1 })}
                        </th>
                        <td className="small muted">{column.samples.slice(0, 3).join(' · ')}</td>
                        <td>
                          <select
                            className="select"
                            aria-label={t('import.fieldFor', { column: column.header })}
                            value={current ?? ''}
                            onChange={(event) =>
                              setColumn(
                                column.index,
                                event.target.value === '' ? null : event.target.value,
                              )
                            }
                            data-testid={`map-${column.index}`}
                          >
                            <option value="">{t('import.skipColumn')}</option>
                            {fields.map((f) => (
                              <option key={f.id} value={f.id}>
                                {f.label}
                                {f.required ? ' *' : ''}
                              </option>
                            ))}
                          </select>
                          {column.suggestion !== null && column.suggestion.fieldId === current ? (
                            <span className="small muted"> {t('import.suggested')}</span>
                          ) : null}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            <Notice tone="info" title={t('import.cleaningTitle')}>
              <p>{t('import.cleaningBody')}</p>
            </Notice>
            <label className="field">
              <span className="field__label">{t('import.dateOrder')}</span>
              <select
                className="select"
                value={settings.dateOrder}
                onChange={(event) =>
                  setSettings({
                    ...settings,
                    dateOrder: event.target.value === 'dmy' ? 'dmy' : 'mdy',
                  })
                }
              >
                <option value="mdy">{t('import.mdy')}</option>
                <option value="dmy">{t('import.dmy')}</option>
              </select>
            </label>
            {mappedRequired.length > 0 ? (
              <Notice tone="warning">
                {t('import.requiredUnmapped', {
                  fields: mappedRequired.map((f) => f.label).join('、'),
                })}
              </Notice>
            ) : null}
            {job.warnings.length > 0 ? (
              <Notice tone="warning">
                <ul>
                  {job.warnings.map((w, i) => (
                    <li key={i}>{w.message}</li>
                  ))}
                </ul>
              </Notice>
            ) : null}
            <div className="form-actions">
              <Button
                variant="primary"
                onClick={() => setStep('duplicates')}
                data-testid="import-next"
              >
                {t('import.next')}
              </Button>
            </div>
          </div>
        </section>
      ) : null}
      {job !== null && settings !== null && step === 'duplicates' ? (
        <section className="card" aria-labelledby="dup-title">
          <div className="card__header">
            <h2 id="dup-title" className="card__title">
              {t('import.duplicatesTitle')}
            </h2>
          </div>
          <div className="card__body form-stack">
            <p className="muted">{t('import.duplicatesIntro')}</p>
            <fieldset className="fieldset">
              <legend className="field__label">{t('import.matchKeys')}</legend>
              {settings.matchKeys.map((key, index) => (
                <div key={index} className="row">
                  <select
                    className="select"
                    aria-label={t('import.matchField')}
                    value={key.field}
                    onChange={(event) =>
                      setSettings({
                        ...settings,
                        matchKeys: settings.matchKeys.map((k, i) =>
                          i === index ? { ...k, field: event.target.value } : k,
                        ),
                      })
                    }
                  >
                    {fields.map((f) => (
                      <option key={f.id} value={f.id}>
                        {f.label}
                      </option>
                    ))}
                  </select>
                  <select
                    className="select"
                    aria-label={t('import.matchMethod')}
                    value={key.method}
                    onChange={(event) =>
                      setSettings({
                        ...settings,
                        matchKeys: settings.matchKeys.map((k, i) =>
                          i === index ? { ...k, method: event.target.value as MatchMethod } : k,
                        ),
                      })
                    }
                  >
                    {METHODS.map((m) => (
                      <option key={m} value={m}>
                        {t(`import.method.${m}`)}
                      </option>
                    ))}
                  </select>
                  <Button
                    size="small"
                    variant="ghost"
                    icon="trash"
                    iconLabel={t('import.removeKey')}
                    onClick={() =>
                      setSettings({
                        ...settings,
                        matchKeys: settings.matchKeys.filter((_, i) => i !== index),
                      })
                    }
                  />
                </div>
              ))}
              {settings.matchKeys.length < 3 && fields[0] !== undefined ? (
                <div>
                  <Button
                    size="small"
                    icon="plus"
                    onClick={() =>
                      setSettings({
                        ...settings,
                        matchKeys: [
                          ...settings.matchKeys,
                          {
                            field:
                              fields.find((f) => f.type === 'phone')?.id ?? fields[0]?.id ?? '',
                            method: fields.some((f) => f.type === 'phone') ? 'phone' : 'exact',
                          },
                        ],
                      })
                    }
                    data-testid="add-match-key"
                  >
                    {t('import.addKey')}
                  </Button>
                </div>
              ) : null}
            </fieldset>
            <label className="field">
              <span className="field__label">{t('import.onMatch')}</span>
              <select
                className="select"
                value={settings.onMatch}
                onChange={(event) =>
                  setSettings({ ...settings, onMatch: event.target.value as OnMatch })
                }
              >
                {(['skip', 'update', 'create'] as const).map((o) => (
                  <option key={o} value={o}>
                    {t(`import.onMatch.${o}`)}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span className="field__label">{t('import.onDuplicateInFile')}</span>
              <select
                className="select"
                value={settings.onDuplicateInFile}
                onChange={(event) =>
                  setSettings({
                    ...settings,
                    onDuplicateInFile: event.target.value as OnDuplicateInFile,
                  })
                }
              >
                {(['skip', 'update', 'create', 'reject'] as const).map((o) => (
                  <option key={o} value={o}>
                    {t(`import.inFile.${o}`)}
                  </option>
                ))}
              </select>
            </label>
            <div className="form-actions">
              <Button onClick={() => setStep('mapping')}>{t('import.back')}</Button>
              <Button
                variant="primary"
                busy={busy}
                onClick={() => void dryRun()}
                data-testid="import-dry-run"
              >
                {t('import.dryRun')}
              </Button>
            </div>
          </div>
        </section>
      ) : null}
      {job !== null && (step === 'preview' || step === 'import') ? (
        <section className="card" aria-labelledby="result-title">
          <div className="card__header">
            <h2 id="result-title" className="card__title">
              {step === 'preview'
                ? t('import.previewTitle')
                : job.status === 'completed'
                  ? t('import.doneTitle')
                  : t('import.runningTitle')}
            </h2>
          </div>
          <div className="card__body form-stack">
            {step === 'import' ? (
              <div className="import-progress" data-testid="import-progress">
                <progress
                  max={100}
                  value={job.status === 'completed' ? 100 : (progress?.percent ?? 0)}
                  aria-label={t('import.progress')}
                />
                <span className="small">
                  {job.status === 'completed'
                    ? t('import.completed')
                    : t('import.progressText', {
                        percent: Math.round(progress?.percent ?? 0),
                        rate: formatNumber(Math.round(progress?.rowsPerSecond ?? 0)),
                      })}
                </span>
              </div>
            ) : null}
            {counts === null ? null : (
              <dl className="import-counts" data-testid="import-counts">
                {(['total', 'new', 'updated', 'skipped', 'rejected'] as const).map((key) => (
                  <div key={key} className={`import-counts__item import-counts__item--${key}`}>
                    <dt>{t(`import.count.${key}`)}</dt>
                    <dd data-testid={`count-${key}`}>{formatNumber(counts[key])}</dd>
                  </div>
                ))}
              </dl>
            )}
            {job.error !== null ? <Notice tone="error" title={job.error.message} /> : null}
            {rejections.length > 0 ? (
              <div className="table-wrap">
                <table className="table" data-testid="import-rejections">
                  <caption className="small muted">{t('import.rejectedRows')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('import.line')}</th>
                      <th scope="col">{t('import.reason')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rejections.slice(0, 50).map((r) => (
                      <tr key={r.line}>
                        <td>{r.line}</td>
                        <td>
                          {r.reasons
                            .map((reason) => reason.messages[i18n.locale] || reason.message)
                            .join('；')}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
            {step === 'preview' ? (
              <>
                <fieldset className="fieldset">
                  <legend className="field__label">{t('import.mode')}</legend>
                  <label className="check">
                    <input
                      type="radio"
                      name="mode"
                      checked={mode === 'skip_bad_rows'}
                      onChange={() => setMode('skip_bad_rows')}
                    />
                    <span>{t('import.mode.skip')}</span>
                  </label>
                  <label className="check">
                    <input
                      type="radio"
                      name="mode"
                      checked={mode === 'all_or_nothing'}
                      onChange={() => setMode('all_or_nothing')}
                    />
                    <span>{t('import.mode.all')}</span>
                  </label>
                </fieldset>
                <div className="form-actions">
                  <Button onClick={() => setStep('duplicates')}>{t('import.back')}</Button>
                  <Button
                    variant="primary"
                    busy={busy}
                    onClick={() => void commit()}
                    data-testid="import-commit"
                  >
                    {t('import.commit', { count: (counts?.new ?? 0) + (counts?.updated ?? 0) })}
                  </Button>
                </div>
              </>
            ) : job.status === 'completed' ? (
              <div className="form-actions">
                {(counts?.rejected ?? 0) > 0 ? (
                  <Button
                    icon="download"
                    onClick={() => void downloadRejected()}
                    data-testid="download-rejected"
                  >
                    {t('import.downloadRejected')}
                  </Button>
                ) : null}
                <Link
                  className={buttonClass('primary')}
                  to={`/apps/${app.id}/forms/${formId}`}
                  data-testid="import-see-records"
                >
                  {t('import.seeRecords')}
                </Link>
              </div>
            ) : job.resumable ? (
              <Button
                onClick={() =>
                  void importsApi.resume(job.id).then(() => untilSettled(job.id, setJob))
                }
              >
                {t('import.resume')}
              </Button>
            ) : null}
          </div>
        </section>
      ) : null}
    </div>
  );
}
