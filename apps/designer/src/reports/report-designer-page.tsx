import { useEffect, useMemo, useRef, useState } from 'react';
import { DndProvider, useDrag, useDrop } from 'react-dnd';
import { HTML5Backend } from 'react-dnd-html5-backend';
import { TouchBackend } from 'react-dnd-touch-backend';
import { Link, useNavigate, useParams } from 'react-router';
import {
  CHART_TYPES,
  type DateBucket,
  type MeasureFn,
  type ReportResult,
  type ResultRow,
} from '@trellis/report-engine';
import { isApiProblem } from '../api/api-problem.js';
import { flowsApi } from '../api/flows-api.js';
import { formsApi } from '../api/forms-api.js';
import { reportsApi, type SavedReport } from '../api/reports-api.js';
import { useResource } from '../api/use-resource.js';
import { bilingual } from '../i18n/bilingual.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { LocalizedText } from '../i18n/localized-text.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';
import { LocalizedInput } from '../designer/localized-input.js';
import { Button } from '../ui/button.js';
import { errorMessage, ProblemNotice } from '../ui/problem-notice.js';
import { Loading } from '../ui/states.js';
import { useToast } from '../ui/toast.js';
import { useDebounced, useMediaQuery } from '../ui/use-media-query.js';
import { useCurrentApp } from '../runtime/app-context.js';
import { parseFlowDefinition } from '../workflow/flow-definition.js';
import { ChartView } from './chart-view.js';
import { drillPath } from './drill.js';
import {
  chartFits,
  effectiveKind,
  emptyDraft,
  fromSpec,
  nextMeasureId,
  reportFields,
  toSpec,
  type ReportDraft,
  type ReportField,
  type Well,
} from './report-model.js';
import { ResultTable } from './result-table.js';
import './reports.css';

const FIELD = 'report-field';
const WELLS: ReadonlyArray<{ well: Well; label: MessageKey; hint: MessageKey }> = [
  { well: 'rows', label: 'reports.well.rows', hint: 'reports.well.rowsHint' },
  { well: 'columns', label: 'reports.well.columns', hint: 'reports.well.columnsHint' },
  { well: 'values', label: 'reports.well.values', hint: 'reports.well.valuesHint' },
  { well: 'filters', label: 'reports.well.filters', hint: 'reports.well.filtersHint' },
];
const FNS = ['count', 'count_distinct', 'sum', 'avg', 'min', 'max'] as const;
const BUCKETS: readonly DateBucket[] = ['day', 'week', 'month', 'quarter', 'year'];
const KINDS = ['auto', 'table', 'pivot', 'time_series', 'funnel', 'leaderboard', 'kpi'] as const;
const FILTER_OPS = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'is_empty',
  'is_not_empty',
  'this_month',
  'last_month',
  'this_quarter',
  'this_year',
  'last_n_days',
] as const;

/** The report designer: drag fields onto rows, columns, values and filters; pick a chart. */
export function ReportDesignerPage() {
  const { reportId } = useParams();
  const { app } = useCurrentApp();
  const { t } = useI18n();
  const coarse = useMediaQuery('(pointer: coarse)');
  const saved = useResource(
    (signal) => (reportId === undefined ? Promise.resolve(null) : reportsApi.get(reportId, signal)),
    [reportId],
  );
  const published = app.forms.filter((form) => form.publishedVersion !== null);
  if (saved.error !== undefined)
    return (
      <div className="page">
        <ProblemNotice error={saved.error} />
      </div>
    );
  // Right after "save" navigates from a new report to its own address, the
  // previous answer (no report) is still here for a render: wait for this one.
  if (saved.data === undefined || (reportId !== undefined && saved.data?.id !== reportId))
    return <Loading />;
  if (published.length === 0)
    return (
      <div className="page">
        <p className="muted">{t('reports.noForms')}</p>
      </div>
    );
  return (
    <DndProvider
      backend={coarse ? TouchBackend : HTML5Backend}
      options={coarse ? { enableMouseEvents: false, delayTouchStart: 150 } : undefined}
    >
      <Designer key={reportId ?? 'new'} saved={saved.data} />
    </DndProvider>
  );
}

function Designer({ saved }: { saved: SavedReport | null }) {
  const { app } = useCurrentApp();
  const i18n = useI18n();
  const { t, text, locale } = i18n;
  const toast = useToast();
  const navigate = useNavigate();
  const published = app.forms.filter((form) => form.publishedVersion !== null);
  const [draft, setDraft] = useState<ReportDraft>(() =>
    saved === null ? emptyDraft(published[0]?.key ?? '') : fromSpec(saved.spec, saved.chart),
  );
  const [name, setName] = useState<LocalizedText | undefined>(
    saved?.name ?? bilingual('reports.untitled'),
  );
  const [busy, setBusy] = useState(false);
  const [saveProblem, setSaveProblem] = useState<unknown>(null);
  const [announce, setAnnounce] = useState('');
  const formSummary = published.find((form) => form.key === draft.form) ?? published[0];
  const formId = formSummary?.id ?? '';
  const form = useResource((signal) => formsApi.get(formId, signal), [formId]);
  const flow = useResource(
    (signal) =>
      form.data?.hasFlow === true
        ? flowsApi.get(formId, signal).then((doc) => parseFlowDefinition(doc.definition))
        : Promise.resolve(null),
    [formId, form.data?.hasFlow],
  );
  const fields = useMemo(
    () =>
      reportFields(
        form.data?.schema?.fields ?? [],
        {
          created: bilingual('reports.field.createdAt'),
          owner: bilingual('reports.field.owner'),
          stage: bilingual('reports.field.stage'),
        },
        flow.data === null || flow.data === undefined
          ? null
          : [...flow.data.states]
              .sort((a, b) => a.order - b.order)
              .map((s) => ({ value: s.id, label: s.label })),
      ),
    [form.data, flow.data],
  );
  const fieldLabel = (id: string | undefined) =>
    text(fields.find((f) => f.id === id)?.label) || (id ?? '');
  const kind = effectiveKind(draft, fields);
  const spec = useMemo(() => toSpec(draft, fields), [draft, fields]);
  const specKey = useDebounced(JSON.stringify(spec), 350);
  const [preview, setPreview] = useState<{
    result: ReportResult | null;
    error: unknown;
    loading: boolean;
  }>({ result: null, error: undefined, loading: false });
  useEffect(() => {
    if (draft.form === '' || fields.length === 0) return undefined;
    const controller = new AbortController();
    setPreview((p) => ({ ...p, loading: true }));
    reportsApi.query(app.id, JSON.parse(specKey) as typeof spec, undefined, controller.signal).then(
      (answer) => setPreview({ result: answer.result, error: undefined, loading: false }),
      (error: unknown) => {
        if (!controller.signal.aborted) setPreview({ result: null, error, loading: false });
      },
    );
    return () => controller.abort();
  }, [specKey, app.id, fields.length]);

  const visibleMeasures = spec.measures?.length ?? 0;
  const dimensions = (spec.dimensions?.length ?? 0) + (spec.columns?.length ?? 0);
  const chartInfo = CHART_TYPES.find((c) => c.id === draft.chart);
  const chartOk =
    chartInfo !== undefined && chartFits(chartInfo, kind, dimensions, visibleMeasures);

  function add(well: Well, fieldId: string) {
    const field = fields.find((f) => f.id === fieldId);
    if (field === undefined) return;
    setDraft((current) => {
      switch (well) {
        case 'rows':
        case 'columns':
          if (current[well].some((d) => d.field === fieldId)) return current;
          return {
            ...current,
            [well]: [
              ...current[well],
              field.kind === 'date'
                ? { field: fieldId, bucket: 'month' as const }
                : { field: fieldId },
            ],
          };
        case 'values': {
          const fn: MeasureFn = field.kind === 'number' ? 'sum' : 'count_distinct';
          return {
            ...current,
            values: [
              ...current.values,
              { id: nextMeasureId(current.values, fn, fieldId), fn, field: fieldId },
            ],
          };
        }
        case 'filters':
          return {
            ...current,
            filters: [
              ...current.filters,
              {
                field: fieldId,
                op:
                  field.kind === 'date'
                    ? 'this_month'
                    : field.kind === 'text'
                      ? 'contains'
                      : field.kind === 'number'
                        ? 'gt'
                        : 'is_not_empty',
              },
            ],
          };
      }
    });
    setAnnounce(
      t('reports.announceAdded', {
        field: text(field.label),
        well: t(WELLS.find((w) => w.well === well)?.label ?? 'reports.well.rows'),
      }),
    );
  }

  function drill(row: ResultRow) {
    void navigate(drillPath(app.id, formId, row.drill));
  }

  async function save() {
    setBusy(true);
    setSaveProblem(null);
    const input = {
      name: name ?? bilingual('reports.untitled'),
      spec: toSpec(draft, fields, name),
      chart: { type: draft.chart },
    };
    try {
      const result =
        saved === null
          ? await reportsApi.create(app.id, input)
          : await reportsApi.update(saved.id, input);
      toast.show(t('reports.saved'));
      if (saved === null)
        void navigate(`/apps/${app.id}/reports/${result.id}/edit`, { replace: true });
    } catch (caught) {
      setSaveProblem(caught);
    } finally {
      setBusy(false);
    }
  }

  const problems = isApiProblem(preview.error) ? preview.error.errors : [];
  return (
    <div className="report-designer">
      <div className="report-designer__bar">
        <Link to={`/apps/${app.id}/reports`} className="back-link">
          ← {t('reports.backToList')}
        </Link>
        <h1 className="report-designer__title">
          {saved === null ? t('reports.newTitle') : text(saved.name)}
        </h1>
        <div className="grow" />
        <Button
          variant="primary"
          icon="save"
          busy={busy}
          onClick={() => void save()}
          data-testid="report-save"
        >
          {t('common.save')}
        </Button>
      </div>
      <div className="visually-hidden" aria-live="polite" data-testid="report-announcer">
        {announce}
      </div>
      {saveProblem === null ? null : <ProblemNotice error={saveProblem} />}
      <div className="report-designer__body">
        <aside className="report-fields" aria-label={t('reports.fields')}>
          <label className="field">
            <span className="field__label">{t('reports.source')}</span>
            <select
              className="select"
              value={draft.form}
              onChange={(event) =>
                setDraft({ ...emptyDraft(event.target.value), chart: draft.chart })
              }
              data-testid="report-source"
            >
              {published.map((f) => (
                <option key={f.id} value={f.key}>
                  {text(f.name)}
                </option>
              ))}
            </select>
          </label>
          <p className="small muted">{t('reports.dragHint')}</p>
          <ul className="list-plain report-fields__list">
            {fields.map((field) => (
              <FieldChip key={field.id} field={field} onAdd={(well) => add(well, field.id)} />
            ))}
          </ul>
        </aside>
        <section className="report-designer__main" aria-label={t('reports.layout')}>
          <div className="report-wells">
            {WELLS.map(({ well, label, hint }) => (
              <WellBox
                key={well}
                well={well}
                label={t(label)}
                hint={t(hint)}
                onDrop={(field) => add(well, field)}
              >
                {well === 'rows' || well === 'columns'
                  ? draft[well].map((d, index) => (
                      <li
                        key={`${d.field}-${index}`}
                        className="well-chip"
                        data-testid={`chip-${well}-${d.field}`}
                      >
                        <span className="well-chip__name">{fieldLabel(d.field)}</span>
                        {fields.find((f) => f.id === d.field)?.kind === 'date' ? (
                          <select
                            className="select select--small"
                            aria-label={t('reports.bucket', { field: fieldLabel(d.field) })}
                            value={d.bucket ?? 'month'}
                            onChange={(event) =>
                              setDraft((c) => ({
                                ...c,
                                [well]: c[well].map((x, i) =>
                                  i === index
                                    ? { ...x, bucket: event.target.value as DateBucket }
                                    : x,
                                ),
                              }))
                            }
                          >
                            {BUCKETS.map((b) => (
                              <option key={b} value={b}>
                                {t(`reports.bucket.${b}`)}
                              </option>
                            ))}
                          </select>
                        ) : null}
                        <Button
                          size="small"
                          variant="ghost"
                          icon="close"
                          iconLabel={t('reports.remove', { field: fieldLabel(d.field) })}
                          onClick={() =>
                            setDraft((c) => ({
                              ...c,
                              [well]: c[well].filter((_, i) => i !== index),
                            }))
                          }
                        />
                      </li>
                    ))
                  : well === 'values'
                    ? draft.values.map((m, index) => (
                        <li
                          key={m.id}
                          className="well-chip"
                          data-testid={`chip-values-${m.field ?? 'records'}`}
                        >
                          <select
                            className="select select--small"
                            aria-label={t('reports.aggregate', { field: fieldLabel(m.field) })}
                            value={m.fn}
                            onChange={(event) =>
                              setDraft((c) => ({
                                ...c,
                                values: c.values.map((x, i) =>
                                  i === index ? { ...x, fn: event.target.value as MeasureFn } : x,
                                ),
                              }))
                            }
                          >
                            {FNS.filter(
                              (fn) =>
                                fields.find((f) => f.id === m.field)?.kind === 'number' ||
                                fn === 'count' ||
                                fn === 'count_distinct',
                            ).map((fn) => (
                              <option key={fn} value={fn}>
                                {t(`reports.fn.${fn}`)}
                              </option>
                            ))}
                          </select>
                          <span className="well-chip__name">{fieldLabel(m.field)}</span>
                          <Button
                            size="small"
                            variant="ghost"
                            icon="close"
                            iconLabel={t('reports.remove', { field: fieldLabel(m.field) })}
                            onClick={() =>
                              setDraft((c) => ({
                                ...c,
                                values: c.values.filter((_, i) => i !== index),
                              }))
                            }
                          />
                        </li>
                      ))
                    : draft.filters.map((f, index) => (
                        <li
                          key={`${f.field}-${index}`}
                          className="well-chip well-chip--filter"
                          data-testid={`chip-filters-${f.field}`}
                        >
                          <span className="well-chip__name">{fieldLabel(f.field)}</span>
                          <select
                            className="select select--small"
                            aria-label={t('reports.filterOp', { field: fieldLabel(f.field) })}
                            value={f.op}
                            onChange={(event) =>
                              setDraft((c) => ({
                                ...c,
                                filters: c.filters.map((x, i) =>
                                  i === index
                                    ? {
                                        field: x.field,
                                        op: event.target.value,
                                        ...(event.target.value === 'last_n_days'
                                          ? { value: 30 }
                                          : {}),
                                      }
                                    : x,
                                ),
                              }))
                            }
                          >
                            {FILTER_OPS.map((op) => (
                              <option key={op} value={op}>
                                {t(`reports.op.${op}`)}
                              </option>
                            ))}
                          </select>
                          {[
                            'is_empty',
                            'is_not_empty',
                            'this_month',
                            'last_month',
                            'this_quarter',
                            'this_year',
                          ].includes(f.op) ? null : (
                            <FilterValue
                              field={fields.find((x) => x.id === f.field)}
                              value={f.value}
                              label={t('reports.filterValue', { field: fieldLabel(f.field) })}
                              onChange={(value) =>
                                setDraft((c) => ({
                                  ...c,
                                  filters: c.filters.map((x, i) =>
                                    i === index ? { ...x, value } : x,
                                  ),
                                }))
                              }
                            />
                          )}
                          <Button
                            size="small"
                            variant="ghost"
                            icon="close"
                            iconLabel={t('reports.remove', { field: fieldLabel(f.field) })}
                            onClick={() =>
                              setDraft((c) => ({
                                ...c,
                                filters: c.filters.filter((_, i) => i !== index),
                              }))
                            }
                          />
                        </li>
                      ))}
              </WellBox>
            ))}
          </div>
          <div className="report-preview card" data-testid="report-preview">
            <div className="card__header row row--between">
              <h2 className="card__title">{t('reports.preview')}</h2>
              {preview.loading ? <span className="small muted">{t('common.loading')}</span> : null}
            </div>
            <div className="card__body">
              {preview.error === undefined ? null : (
                <ProblemNotice
                  error={preview.error}
                  errors={problems.map((p) => ({
                    ...p,
                    message: `${p.path}: ${errorMessage(p, i18n)}`,
                  }))}
                />
              )}
              {preview.result === null ? (
                preview.error === undefined ? (
                  <Loading />
                ) : null
              ) : (
                <>
                  {chartOk && draft.chart !== 'table' && draft.chart !== 'pivot_table' ? (
                    <ChartView
                      result={preview.result}
                      chart={{ type: draft.chart, locale }}
                      onDrill={drill}
                      label={t('reports.chartLabel', {
                        chart: chartInfo?.label[locale] ?? draft.chart,
                      })}
                    />
                  ) : !chartOk ? (
                    <p className="muted">{t('reports.chartDoesNotFit')}</p>
                  ) : null}
                  <ResultTable result={preview.result} onDrill={drill} />
                </>
              )}
            </div>
          </div>
        </section>
        <aside className="report-settings" aria-label={t('reports.settings')}>
          <LocalizedInput
            label={t('reports.name')}
            required
            value={name}
            onChange={setName}
            testId="report-name"
          />
          <label className="field">
            <span className="field__label">{t('reports.kind')}</span>
            <select
              className="select"
              value={draft.kind}
              onChange={(event) =>
                setDraft((c) => ({ ...c, kind: event.target.value as ReportDraft['kind'] }))
              }
              data-testid="report-kind"
            >
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {k === 'auto'
                    ? t('reports.kind.auto', { kind: t(`reports.kind.${kind}`) })
                    : t(`reports.kind.${k}`)}
                </option>
              ))}
            </select>
          </label>
          <fieldset className="fieldset">
            <legend className="field__label">{t('reports.chart')}</legend>
            <div className="chart-gallery" role="group" aria-label={t('reports.chart')}>
              {CHART_TYPES.map((info) => {
                const fits = chartFits(info, kind, dimensions, visibleMeasures);
                return (
                  <button
                    key={info.id}
                    type="button"
                    className="chart-gallery__item"
                    aria-pressed={draft.chart === info.id}
                    title={
                      typeof info.description === 'string'
                        ? info.description
                        : text(info.description)
                    }
                    onClick={() => setDraft((c) => ({ ...c, chart: info.id }))}
                    data-fits={fits}
                    data-testid={`chart-${info.id}`}
                  >
                    {info.label[locale]}
                  </button>
                );
              })}
            </div>
            <p className="small muted">{t('reports.chartHint')}</p>
          </fieldset>
        </aside>
      </div>
    </div>
  );
}

function FieldChip({ field, onAdd }: { field: ReportField; onAdd(well: Well): void }) {
  const { t, text } = useI18n();
  const [, drag] = useDrag(() => ({ type: FIELD, item: { field: field.id } }), [field.id]);
  const ref = useRef<HTMLSpanElement | null>(null);
  drag(ref);
  const name = text(field.label) || field.id;
  return (
    <li className="report-field" data-testid={`field-${field.id}`}>
      <span ref={ref} className="report-field__drag" data-testid={`drag-field-${field.id}`}>
        <span
          className={`report-field__kind report-field__kind--${field.kind}`}
          aria-hidden="true"
        />
        {name}
      </span>
      <span className="report-field__adds">
        {(['rows', 'columns', 'values', 'filters'] as const).map((well) => (
          <button
            key={well}
            type="button"
            className="report-field__add"
            onClick={() => onAdd(well)}
            aria-label={t('reports.addTo', { field: name, well: t(`reports.well.${well}`) })}
            title={t('reports.addTo', { field: name, well: t(`reports.well.${well}`) })}
          >
            {t(`reports.wellShort.${well}`)}
          </button>
        ))}
      </span>
    </li>
  );
}

function WellBox({
  well,
  label,
  hint,
  onDrop,
  children,
}: {
  well: Well;
  label: string;
  hint: string;
  onDrop(field: string): void;
  children: React.ReactNode;
}) {
  const [{ over }, drop] = useDrop<{ field: string }, void, { over: boolean }>(
    () => ({
      accept: FIELD,
      drop: (item) => onDrop(item.field),
      collect: (monitor) => ({ over: monitor.isOver() }),
    }),
    [onDrop],
  );
  const ref = useRef<HTMLDivElement | null>(null);
  drop(ref);
  const items = Array.isArray(children) ? children : [];
  return (
    <div
      ref={ref}
      className={over ? 'report-well report-well--over' : 'report-well'}
      data-testid={`well-${well}`}
    >
      <div className="report-well__label">{label}</div>
      {items.length === 0 ? (
        <p className="report-well__hint small muted">{hint}</p>
      ) : (
        <ul className="list-plain report-well__chips">{children}</ul>
      )}
    </div>
  );
}

function FilterValue({
  field,
  value,
  label,
  onChange,
}: {
  field: ReportField | undefined;
  value: unknown;
  label: string;
  onChange(value: unknown): void;
}) {
  const { text } = useI18n();
  if (field?.options !== undefined)
    return (
      <select
        className="select select--small"
        aria-label={label}
        value={typeof value === 'string' ? value : ''}
        onChange={(event) => onChange(event.target.value)}
      >
        <option value="" />
        {field.options.map((o) => (
          <option key={o.value} value={o.value}>
            {text(o.label)}
          </option>
        ))}
      </select>
    );
  return (
    <input
      className="input input--small"
      aria-label={label}
      type={field?.kind === 'date' ? 'date' : 'text'}
      inputMode={field?.kind === 'number' ? 'decimal' : undefined}
      value={typeof value === 'string' || typeof value === 'number' ? String(value) : ''}
      onChange={(event) =>
        onChange(
          field?.kind === 'number' &&
            event.target.value !== '' &&
            Number.isFinite(Number(event.target.value))
            ? Number(event.target.value)
            : event.target.value,
        )
      }
    />
  );
}
