import { useMemo, useRef, useState } from 'react';
import type { PointerEvent as ReactPointerEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { formsApi } from '../api/forms-api.js';
import {
  reportsApi,
  type Dashboard,
  type DashboardFilter,
  type DashboardItem,
  type SavedReport,
} from '../api/reports-api.js';
import { useResource } from '../api/use-resource.js';
import { isBuilder, useMe } from '../auth/session-context.js';
import { bilingual } from '../i18n/bilingual.js';
import { useI18n } from '../i18n/i18n-context.js';
import { LocalizedInput } from '../designer/localized-input.js';
import { Button, buttonClass } from '../ui/button.js';
import { Icon } from '../ui/icon.js';
import { ProblemNotice } from '../ui/problem-notice.js';
import { Loading, PageHeader } from '../ui/states.js';
import { useToast } from '../ui/toast.js';
import { useMediaQuery } from '../ui/use-media-query.js';
import { useCurrentApp } from '../runtime/app-context.js';
import { GRID_COLUMNS, fitColumns, nextSlot, placeItem } from './dashboard-grid.js';
import { ReportTile } from './report-tile.js';
import './reports.css';

const ROW_HEIGHT = 72;
const GAP = 12;
const RELATIVE = ['this_month', 'last_month', 'this_quarter', 'this_year'];

/** A dashboard: a grid of charts and KPI cards with global filters; builders edit it in place. */
export function DashboardPage({ editing = false }: { editing?: boolean }) {
  const { dashboardId = '' } = useParams();
  const { app } = useCurrentApp();
  const dashboard = useResource(
    (signal) => reportsApi.dashboard(dashboardId, signal),
    [dashboardId],
  );
  const reports = useResource((signal) => reportsApi.list(app.id, signal), [app.id]);
  const error = dashboard.error ?? reports.error;
  if (error !== undefined)
    return (
      <div className="page">
        <ProblemNotice error={error} />
      </div>
    );
  if (dashboard.data === undefined || reports.data === undefined) return <Loading />;
  return (
    <Board
      key={`${dashboard.data.id}-${String(editing)}`}
      dashboard={dashboard.data}
      reports={reports.data}
      editing={editing}
      onSaved={dashboard.set}
    />
  );
}

function Board({
  dashboard,
  reports,
  editing,
  onSaved,
}: {
  dashboard: Dashboard;
  reports: SavedReport[];
  editing: boolean;
  onSaved(d: Dashboard): void;
}) {
  const { app } = useCurrentApp();
  const { t, text } = useI18n();
  const me = useMe();
  const toast = useToast();
  const navigate = useNavigate();
  const phone = useMediaQuery('(max-width: 700px)');
  const [items, setItems] = useState<DashboardItem[]>(() =>
    fitColumns(dashboard.layout.items ?? []),
  );
  const [filters, setFilters] = useState<DashboardFilter[]>(dashboard.layout.filters ?? []);
  const [name, setName] = useState(dashboard.name);
  const [values, setValues] = useState<Record<string, string>>({});
  const [adding, setAdding] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const [announce, setAnnounce] = useState('');
  const gridRef = useRef<HTMLDivElement>(null);
  const byId = new Map(reports.map((r) => [r.id, r]));

  /** The active global filters of one form, as one condition. */
  const filterFor = (formKey: string): unknown => {
    const leaves = filters
      .filter(
        (f) =>
          f.form === formKey &&
          (RELATIVE.includes(f.op) ? values[f.id] !== 'off' : (values[f.id] ?? '') !== ''),
      )
      .map((f) =>
        RELATIVE.includes(f.op)
          ? { field: f.field, op: f.op }
          : { field: f.field, op: f.op, value: values[f.id] },
      );
    return leaves.length === 0 ? null : leaves.length === 1 ? leaves[0] : { and: leaves };
  };

  function move(id: string, change: Partial<DashboardItem>, message?: string) {
    setItems((current) => {
      const item = current.find((i) => i.id === id);
      return item === undefined ? current : placeItem(current, { ...item, ...change });
    });
    if (message !== undefined) setAnnounce(message);
  }

  function startDrag(event: ReactPointerEvent, item: DashboardItem, mode: 'move' | 'resize') {
    const grid = gridRef.current;
    if (grid === null || event.button !== 0) return;
    event.preventDefault();
    const column = (grid.clientWidth + GAP) / GRID_COLUMNS;
    const startX = event.clientX;
    const startY = event.clientY;
    const onMove = (e: PointerEvent) => {
      const dx = Math.round((e.clientX - startX) / column);
      const dy = Math.round((e.clientY - startY) / (ROW_HEIGHT + GAP));
      move(
        item.id,
        mode === 'move' ? { x: item.x + dx, y: item.y + dy } : { w: item.w + dx, h: item.h + dy },
      );
    };
    const onUp = () => {
      window.removeEventListener('pointermove', onMove);
      window.removeEventListener('pointerup', onUp);
    };
    window.addEventListener('pointermove', onMove);
    window.addEventListener('pointerup', onUp);
  }

  async function save() {
    setBusy(true);
    setProblem(null);
    try {
      const saved = await reportsApi.updateDashboard(dashboard.id, {
        name,
        layout: { items, filters },
      });
      onSaved(saved);
      toast.show(t('dashboards.saved'));
      void navigate(`/apps/${app.id}/dashboards/${dashboard.id}`);
    } catch (caught) {
      setProblem(caught);
    } finally {
      setBusy(false);
    }
  }

  const sorted = useMemo(() => [...items].sort((a, b) => a.y - b.y || a.x - b.x), [items]);
  const rows = items.reduce((max, item) => Math.max(max, item.y + item.h), 1);
  return (
    <div className="page page--wide dashboard-page">
      <PageHeader
        before={
          <Link to={`/apps/${app.id}/reports`} className="back-link">
            ← {t('reports.title')}
          </Link>
        }
        title={editing ? t('dashboards.editing', { name: text(name) }) : text(dashboard.name)}
        actions={
          editing ? (
            <>
              <Link
                className={buttonClass('secondary')}
                to={`/apps/${app.id}/dashboards/${dashboard.id}`}
              >
                {t('common.cancel')}
              </Link>
              <Button
                variant="primary"
                icon="save"
                busy={busy}
                onClick={() => void save()}
                data-testid="dashboard-save"
              >
                {t('common.save')}
              </Button>
            </>
          ) : isBuilder(me) ? (
            <Link
              className={buttonClass('secondary')}
              to={`/apps/${app.id}/dashboards/${dashboard.id}/edit`}
              data-testid="dashboard-edit"
            >
              <Icon name="edit" />
              {t('dashboards.edit')}
            </Link>
          ) : undefined
        }
      />
      <div className="visually-hidden" aria-live="polite" data-testid="dashboard-announcer">
        {announce}
      </div>
      {problem === null ? null : <ProblemNotice error={problem} />}
      {editing ? (
        <div className="card dashboard-editor">
          <div className="card__body dashboard-editor__body">
            <LocalizedInput
              label={t('dashboards.name')}
              required
              value={name}
              onChange={(v) => setName(v ?? '')}
            />
            <div className="dashboard-editor__add">
              <label className="field">
                <span className="field__label">{t('dashboards.addReport')}</span>
                <select
                  className="select"
                  value={adding}
                  onChange={(event) => setAdding(event.target.value)}
                  data-testid="dashboard-add-select"
                >
                  <option value="">{t('dashboards.pickReport')}</option>
                  {reports.map((r) => (
                    <option key={r.id} value={r.id}>
                      {text(r.name)}
                    </option>
                  ))}
                </select>
              </label>
              <Button
                icon="plus"
                disabled={adding === ''}
                onClick={() => {
                  const report = byId.get(adding);
                  const kpi = report?.chart?.type === 'kpi' || report?.chart?.type === 'gauge';
                  const slot = nextSlot(items, kpi ? 3 : 6, kpi ? 2 : 4);
                  const id = `tile_${Date.now().toString(36)}`;
                  setItems((current) => [...current, { id, reportId: adding, ...slot }]);
                  setAnnounce(t('dashboards.added', { name: text(report?.name) }));
                  setAdding('');
                }}
                data-testid="dashboard-add"
              >
                {t('dashboards.add')}
              </Button>
            </div>
            <FiltersEditor filters={filters} onChange={setFilters} />
          </div>
        </div>
      ) : null}
      {filters.length > 0 ? (
        <div className="dashboard-filters" role="group" aria-label={t('dashboards.filters')}>
          {filters.map((filter) => (
            <label key={filter.id} className="dashboard-filter">
              <span className="small">{text(filter.label)}</span>
              {RELATIVE.includes(filter.op) ? (
                <select
                  className="select select--small"
                  value={values[filter.id] ?? 'on'}
                  onChange={(event) =>
                    setValues((v) => ({ ...v, [filter.id]: event.target.value }))
                  }
                >
                  <option value="on">{t(`reports.op.${filter.op as 'this_month'}`)}</option>
                  <option value="off">{t('dashboards.anyTime')}</option>
                </select>
              ) : (
                <input
                  className="input input--small"
                  value={values[filter.id] ?? ''}
                  onChange={(event) =>
                    setValues((v) => ({ ...v, [filter.id]: event.target.value }))
                  }
                />
              )}
            </label>
          ))}
        </div>
      ) : null}
      {items.length === 0 ? (
        <p className="muted">{editing ? t('dashboards.emptyEditing') : t('dashboards.empty')}</p>
      ) : (
        <div
          ref={gridRef}
          className={editing ? 'dashboard-grid dashboard-grid--editing' : 'dashboard-grid'}
          style={phone ? undefined : { gridTemplateRows: `repeat(${rows}, ${ROW_HEIGHT}px)` }}
          data-testid="dashboard-grid"
        >
          {sorted.map((item) => {
            const report = byId.get(item.reportId);
            const title = text(report?.name) || t('dashboards.missingReport');
            return (
              <section
                key={item.id}
                className="dashboard-tile card"
                style={
                  phone
                    ? { minHeight: item.h * ROW_HEIGHT }
                    : {
                        gridColumn: `${item.x + 1} / span ${item.w}`,
                        gridRow: `${item.y + 1} / span ${item.h}`,
                      }
                }
                aria-label={title}
                data-testid={`tile-${item.id}`}
                data-x={item.x}
                data-y={item.y}
                data-w={item.w}
                data-h={item.h}
              >
                <header
                  className="dashboard-tile__head"
                  onPointerDown={editing ? (event) => startDrag(event, item, 'move') : undefined}
                >
                  {editing ? <Icon name="grip" className="dashboard-tile__grip" /> : null}
                  <h2 className="dashboard-tile__title">{title}</h2>
                  {editing ? (
                    <span
                      className="dashboard-tile__tools"
                      onPointerDown={(event) => event.stopPropagation()}
                    >
                      <Button
                        size="small"
                        variant="ghost"
                        icon="left"
                        iconLabel={t('dashboards.moveLeft', { name: title })}
                        onClick={() =>
                          move(
                            item.id,
                            { x: item.x - 1 },
                            t('dashboards.moved', {
                              name: title,
                              x: Math.max(0, item.x - 1) + 1,
                              y: item.y + 1,
                            }),
                          )
                        }
                      />
                      <Button
                        size="small"
                        variant="ghost"
                        icon="right"
                        iconLabel={t('dashboards.moveRight', { name: title })}
                        onClick={() =>
                          move(
                            item.id,
                            { x: item.x + 1 },
                            t('dashboards.moved', { name: title, x: item.x + 2, y: item.y + 1 }),
                          )
                        }
                        data-testid="tile-right"
                      />
                      <Button
                        size="small"
                        variant="ghost"
                        icon="up"
                        iconLabel={t('dashboards.moveUp', { name: title })}
                        onClick={() =>
                          move(
                            item.id,
                            { y: item.y - 1 },
                            t('dashboards.moved', {
                              name: title,
                              x: item.x + 1,
                              y: Math.max(0, item.y - 1) + 1,
                            }),
                          )
                        }
                      />
                      <Button
                        size="small"
                        variant="ghost"
                        icon="down"
                        iconLabel={t('dashboards.moveDown', { name: title })}
                        onClick={() =>
                          move(
                            item.id,
                            { y: item.y + 1 },
                            t('dashboards.moved', { name: title, x: item.x + 1, y: item.y + 2 }),
                          )
                        }
                      />
                      <Button
                        size="small"
                        variant="ghost"
                        icon="plus"
                        iconLabel={t('dashboards.wider', { name: title })}
                        onClick={() =>
                          move(
                            item.id,
                            { w: item.w + 1 },
                            t('dashboards.resized', { name: title, w: item.w + 1, h: item.h }),
                          )
                        }
                        data-testid="tile-wider"
                      />
                      <Button
                        size="small"
                        variant="ghost"
                        icon="close"
                        iconLabel={t('dashboards.remove', { name: title })}
                        onClick={() =>
                          setItems((current) => current.filter((i) => i.id !== item.id))
                        }
                      />
                    </span>
                  ) : null}
                </header>
                <div className="dashboard-tile__body">
                  {report === undefined ? (
                    <p className="muted">{t('dashboards.missingReport')}</p>
                  ) : (
                    <ReportTile
                      report={report}
                      extraFilter={filterFor(report.spec.form)}
                      height={Math.max(120, item.h * (ROW_HEIGHT + GAP) - 70)}
                    />
                  )}
                </div>
                {editing ? (
                  <span
                    className="dashboard-tile__resize"
                    aria-hidden="true"
                    onPointerDown={(event) => startDrag(event, item, 'resize')}
                    data-testid="tile-resize"
                  />
                ) : null}
              </section>
            );
          })}
        </div>
      )}
    </div>
  );
}

function FiltersEditor({
  filters,
  onChange,
}: {
  filters: DashboardFilter[];
  onChange(next: DashboardFilter[]): void;
}) {
  const { app } = useCurrentApp();
  const { t, text } = useI18n();
  const published = app.forms.filter((f) => f.publishedVersion !== null);
  const [formKey, setFormKey] = useState(published[0]?.key ?? '');
  const form = useResource(
    (signal) => {
      const summary = published.find((f) => f.key === formKey);
      return summary === undefined ? Promise.resolve(null) : formsApi.get(summary.id, signal);
    },
    [formKey],
  );
  const dateFields = [
    { id: 'created_at', label: bilingual('reports.field.createdAt') },
    ...(form.data?.schema?.fields ?? []).filter((f) => f.type === 'date' || f.type === 'datetime'),
  ];
  return (
    <fieldset className="fieldset dashboard-editor__filters">
      <legend className="field__label">{t('dashboards.filters')}</legend>
      <ul className="list-plain">
        {filters.map((filter) => (
          <li key={filter.id} className="row">
            <span>{text(filter.label)}</span>
            <span className="small muted">
              {filter.form} · {filter.field} · {filter.op}
            </span>
            <Button
              size="small"
              variant="ghost"
              icon="trash"
              iconLabel={t('dashboards.removeFilter', { name: text(filter.label) })}
              onClick={() => onChange(filters.filter((f) => f.id !== filter.id))}
            />
          </li>
        ))}
      </ul>
      <div className="row">
        <select
          className="select select--small"
          aria-label={t('reports.source')}
          value={formKey}
          onChange={(event) => setFormKey(event.target.value)}
        >
          {published.map((f) => (
            <option key={f.id} value={f.key}>
              {text(f.name)}
            </option>
          ))}
        </select>
        {dateFields.map((field) => (
          <Button
            key={field.id}
            size="small"
            icon="plus"
            onClick={() =>
              onChange([
                ...filters,
                {
                  id: `f_${Date.now().toString(36)}`,
                  label: bilingual('dashboards.periodFilter', { field: text(field.label) }),
                  form: formKey,
                  field: field.id,
                  op: 'this_month',
                },
              ])
            }
          >
            {t('dashboards.addPeriod', { field: text(field.label) })}
          </Button>
        ))}
      </div>
    </fieldset>
  );
}
