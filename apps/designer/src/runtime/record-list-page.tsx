import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CSSProperties } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { flowsApi } from '../api/flows-api.js';
import { formsApi } from '../api/forms-api.js';
import { parseFlowDefinition } from '../workflow/flow-definition.js';
import type { TrellisRecord } from '../api/records-api.js';
import { useResource } from '../api/use-resource.js';
import { recordTitle } from '../forms/field-data-source.js';
import { FieldValue } from '../forms/field-value.js';
import { fieldsInLayoutOrder } from '../forms/form-layout.js';
import type { FieldSchema } from '../forms/form-schema.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button, buttonClass } from '../ui/button.js';
import { Checkbox } from '../ui/form-field.js';
import { Icon } from '../ui/icon.js';
import { ProblemNotice } from '../ui/problem-notice.js';
import { EmptyState, Loading, PageHeader } from '../ui/states.js';
import { useDismiss } from '../ui/use-dismiss.js';
import { useDebounced, useMediaQuery } from '../ui/use-media-query.js';
import { useCurrentApp } from './app-context.js';
import { FilterPanel } from './filter-panel.js';
import { toFilterParam, completeConditions, type FilterCondition } from './list-filter.js';
import {
  columnWidth,
  defaultColumns,
  isSortable,
  loadColumnChoice,
  saveColumnChoice,
} from './record-columns.js';
import { KanbanBoard } from './kanban-board.js';
import { DEFAULT_SORT, sortParam, type ListState, type Sort } from './saved-view-state.js';
import { SavedViewsBar, useSavedViews } from './saved-views-bar.js';
import { useCompiledForm } from './use-compiled-form.js';
import { useRecordPages } from './use-record-pages.js';

const ROW_HEIGHT = 44;
const CARD_HEIGHT = 88;
const CREATED_WIDTH = 180;

/** A form's records: search, filters, sort, chosen columns; virtualised for long lists. */
export function RecordListPage() {
  const { formId = '' } = useParams();
  const { app } = useCurrentApp();
  const i18n = useI18n();
  const { t, text } = i18n;
  const navigate = useNavigate();
  const phone = useMediaQuery('(max-width: 640px)');
  const form = useResource((signal) => formsApi.get(formId, signal), [formId]);
  const [params, setParams] = useSearchParams();
  const hasFlow = form.data?.hasFlow === true;
  const flow = useResource(
    (signal) =>
      hasFlow
        ? flowsApi.get(formId, signal).then((doc) => parseFlowDefinition(doc.definition))
        : Promise.resolve(null),
    [formId, hasFlow],
  );
  const view =
    params.get('view') === 'kanban' && flow.data !== null && flow.data !== undefined
      ? 'kanban'
      : 'list';
  const { compiled } = useCompiledForm(view === 'kanban' ? form.data : undefined);
  /** A condition opened from a report cell (drill-down), ANDed with the list's own filters. */
  const drill = useMemo(() => parseDrill(params.get('filter')), [params]);
  const schema = form.data?.schema ?? null;
  const fields = useMemo(() => (schema === null ? [] : fieldsInLayoutOrder(schema)), [schema]);

  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 300);
  const [sort, setSort] = useState<Sort>(DEFAULT_SORT);
  const [filters, setFilters] = useState<FilterCondition[]>([]);
  const [filterOpen, setFilterOpen] = useState(false);
  const [columnsOpen, setColumnsOpen] = useState(false);
  const [chosen, setChosen] = useState<string[] | null>(() => loadColumnChoice(formId));
  const applyView = useCallback(
    (state: ListState | null) => {
      setFilters(state?.filters ?? []);
      setSort(state?.sort ?? DEFAULT_SORT);
      setSearch(state?.search ?? '');
      setChosen(state === null ? loadColumnChoice(formId) : state.columns);
      setFilterOpen(false);
    },
    [formId],
  );
  const actions = form.data?.actions;
  const savedViews = useSavedViews({
    formId,
    fields,
    state: { filters, sort, search, columns: chosen, mode: view },
    canManage: actions !== undefined && (actions.length === 0 || actions.includes('manage')),
    apply: applyView,
  });

  const filterParam = useMemo(() => {
    const own = toFilterParam(filters);
    if (drill === null) return own;
    return own === undefined ? drill : { and: [drill, own] };
  }, [filters, drill]);
  const pages = useRecordPages(
    formId,
    {
      q: q === '' ? undefined : q,
      sort: sortParam(sort),
      filter: filterParam,
    },
    schema !== null,
  );

  const columnIds = chosen ?? defaultColumns(fields);
  const columns = columnIds
    .map((id) => fields.find((field) => field.id === id))
    .filter((f): f is FieldSchema => f !== undefined);
  const template = `${columns.map((field) => `${columnWidth(field)}px`).join(' ')} ${CREATED_WIDTH}px`;
  const activeFilters = completeConditions(filters).length;

  const scrollRef = useRef<HTMLDivElement>(null);
  const columnsRef = useRef<HTMLDivElement>(null);
  const closeColumns = useCallback(() => setColumnsOpen(false), []);
  useDismiss(columnsRef, columnsOpen, closeColumns);
  const count = pages.items.length + (pages.hasMore ? 1 : 0);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => (phone ? CARD_HEIGHT : ROW_HEIGHT),
    overscan: 12,
  });
  useEffect(() => virtualizer.measure(), [phone, virtualizer]);
  const virtualRows = virtualizer.getVirtualItems();
  const lastIndex = virtualRows[virtualRows.length - 1]?.index ?? 0;
  useEffect(() => {
    if (pages.hasMore && lastIndex >= pages.items.length - 30) pages.loadMore();
  }, [lastIndex, pages]);

  function toggleColumn(id: string, on: boolean) {
    const next = on
      ? fields.map((f) => f.id).filter((fid) => fid === id || columnIds.includes(fid))
      : columnIds.filter((c) => c !== id);
    setChosen(next);
    // a saved view keeps its own columns; only the plain list remembers the choice
    if (savedViews.activeId === null) saveColumnChoice(formId, next);
  }

  function sortBy(field: string) {
    setSort((current) =>
      current.field === field
        ? { field, descending: !current.descending }
        : { field, descending: false },
    );
    scrollRef.current?.scrollTo({ top: 0 });
  }

  if (form.error !== undefined) {
    return (
      <div className="page">
        <ProblemNotice error={form.error} />
      </div>
    );
  }
  if (form.data === undefined) return <Loading />;
  if (schema === null) {
    return (
      <div className="page">
        <EmptyState icon="form" title={t('records.notPublished')}>
          {t('records.notPublishedBody')}
        </EmptyState>
      </div>
    );
  }

  const canCreate = form.data.actions.length === 0 || form.data.actions.includes('create');
  const recordPath = (record: TrellisRecord) =>
    `/apps/${app.id}/forms/${formId}/records/${record.id}`;
  const sortIndicator = (field: string) =>
    sort.field !== field
      ? undefined
      : sort.descending
        ? ('descending' as const)
        : ('ascending' as const);

  return (
    <div className="page page--wide record-list-page">
      <PageHeader
        title={text(form.data.name)}
        subtitle={
          pages.total === undefined ? undefined : t('records.total', { count: pages.total })
        }
        actions={
          <>
            {form.data.actions.length === 0 || form.data.actions.includes('import') ? (
              <Link
                className={buttonClass('secondary')}
                to={`/apps/${app.id}/forms/${formId}/import`}
                data-testid="import-records"
              >
                <Icon name="upload" />
                {t('import.open')}
              </Link>
            ) : null}
            {canCreate ? (
              <Link
                className={buttonClass('primary')}
                to={`/apps/${app.id}/forms/${formId}/new`}
                data-testid="new-record"
              >
                <Icon name="plus" />
                {t('records.new')}
              </Link>
            ) : null}
          </>
        }
      />
      {drill === null ? null : (
        <div className="drill-chip" role="status" data-testid="drill-filter">
          <Icon name="filter" />
          <span>{t('records.drillFilter')}</span>
          <Button
            size="small"
            variant="ghost"
            onClick={() => {
              const next = new URLSearchParams(params);
              next.delete('filter');
              setParams(next);
            }}
          >
            {t('records.clearDrill')}
          </Button>
        </div>
      )}
      <SavedViewsBar model={savedViews} />
      <div className="list-toolbar">
        {flow.data !== null && flow.data !== undefined ? (
          <div className="segmented" role="group" aria-label={t('kanban.view')}>
            <button
              type="button"
              aria-pressed={view === 'list'}
              onClick={() => {
                const next = new URLSearchParams(params);
                next.delete('view');
                setParams(next);
              }}
              data-testid="view-list"
            >
              <Icon name="list" />
              {t('kanban.listView')}
            </button>
            <button
              type="button"
              aria-pressed={view === 'kanban'}
              onClick={() => {
                const next = new URLSearchParams(params);
                next.set('view', 'kanban');
                setParams(next);
              }}
              data-testid="view-kanban"
            >
              <Icon name="kanban" />
              {t('kanban.kanbanView')}
            </button>
          </div>
        ) : null}
        <div className="list-toolbar__search">
          <Icon name="search" />
          <input
            className="input"
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            placeholder={t('records.searchPlaceholder')}
            aria-label={t('records.search')}
          />
        </div>
        <Button
          icon="filter"
          aria-expanded={filterOpen}
          aria-controls="filter-panel"
          onClick={() => setFilterOpen((open) => !open)}
        >
          {t('records.filter')}
          {activeFilters > 0 ? <span className="badge badge--primary">{activeFilters}</span> : null}
        </Button>
        <div className="popover-anchor" ref={columnsRef}>
          <Button
            icon="columns"
            aria-expanded={columnsOpen}
            aria-controls="column-chooser"
            onClick={() => setColumnsOpen((open) => !open)}
          >
            {t('records.columns')}
          </Button>
          {columnsOpen ? (
            <div
              id="column-chooser"
              className="popover card"
              role="group"
              aria-label={t('records.columns')}
            >
              <div className="popover__body">
                {fields.map((field) => (
                  <Checkbox
                    key={field.id}
                    label={text(field.label)}
                    checked={columnIds.includes(field.id)}
                    onChange={(event) => toggleColumn(field.id, event.target.checked)}
                  />
                ))}
              </div>
              <div className="popover__footer">
                <Button
                  size="small"
                  variant="ghost"
                  onClick={() => {
                    setChosen(null);
                    saveColumnChoice(formId, defaultColumns(fields));
                  }}
                >
                  {t('records.resetColumns')}
                </Button>
                <Button size="small" onClick={() => setColumnsOpen(false)}>
                  {t('common.done')}
                </Button>
              </div>
            </div>
          ) : null}
        </div>
        {phone ? (
          <label className="list-toolbar__sort">
            <span className="visually-hidden">{t('records.sortBy')}</span>
            <select
              className="select"
              value={`${sort.descending ? '-' : ''}${sort.field}`}
              onChange={(event) => {
                const raw = event.target.value;
                setSort({ field: raw.replace(/^-/, ''), descending: raw.startsWith('-') });
              }}
            >
              <option value="-created_at">{t('records.newestFirst')}</option>
              <option value="created_at">{t('records.oldestFirst')}</option>
              {fields
                .filter(isSortable)
                .flatMap((field) => [
                  <option
                    key={`a-${field.id}`}
                    value={field.id}
                  >{`${text(field.label)} ↑`}</option>,
                  <option
                    key={`d-${field.id}`}
                    value={`-${field.id}`}
                  >{`${text(field.label)} ↓`}</option>,
                ])}
            </select>
          </label>
        ) : null}
      </div>
      {filterOpen ? (
        <FilterPanel
          id="filter-panel"
          fields={fields}
          value={filters}
          onApply={(next) => {
            setFilters(next);
            scrollRef.current?.scrollTo({ top: 0 });
          }}
          onClose={() => setFilterOpen(false)}
        />
      ) : null}
      {pages.error !== undefined ? <ProblemNotice error={pages.error} /> : null}
      {view === 'kanban' && flow.data !== null && flow.data !== undefined ? (
        <KanbanBoard
          appId={app.id}
          formId={formId}
          schema={schema}
          fields={fields}
          flow={flow.data}
          compiled={compiled}
          q={q}
          filter={filterParam}
        />
      ) : (
        <div
          ref={scrollRef}
          className={phone ? 'record-scroll record-scroll--cards' : 'record-scroll'}
          role="region"
          aria-label={t('records.listRegion', { name: text(form.data.name) })}
          tabIndex={0}
        >
          <div
            className="record-table"
            role="table"
            aria-label={text(form.data.name)}
            aria-rowcount={pages.total === undefined ? -1 : pages.total + 1}
            aria-busy={pages.loading || undefined}
            data-testid="record-table"
          >
            {phone ? null : (
              <div className="record-table__head" role="rowgroup">
                <div
                  className="record-table__row"
                  role="row"
                  aria-rowindex={1}
                  style={{ gridTemplateColumns: template }}
                >
                  {columns.map((field) => (
                    <div
                      key={field.id}
                      role="columnheader"
                      aria-sort={sortIndicator(field.id)}
                      className="record-table__cell"
                    >
                      {isSortable(field) ? (
                        <button
                          type="button"
                          className="record-table__sort"
                          onClick={() => sortBy(field.id)}
                        >
                          {text(field.label)}
                          <SortMark state={sortIndicator(field.id)} />
                        </button>
                      ) : (
                        text(field.label)
                      )}
                    </div>
                  ))}
                  <div
                    role="columnheader"
                    aria-sort={sortIndicator('created_at')}
                    className="record-table__cell"
                  >
                    <button
                      type="button"
                      className="record-table__sort"
                      onClick={() => sortBy('created_at')}
                    >
                      {t('records.createdAt')}
                      <SortMark state={sortIndicator('created_at')} />
                    </button>
                  </div>
                </div>
              </div>
            )}
            <div
              className="record-table__body"
              role="rowgroup"
              style={{ height: virtualizer.getTotalSize() }}
            >
              {virtualRows.map((row) => {
                const record = pages.items[row.index];
                const style: CSSProperties = {
                  transform: `translateY(${row.start}px)`,
                  height: row.size,
                  gridTemplateColumns: phone ? undefined : template,
                };
                if (record === undefined) {
                  return (
                    <div
                      key="loader"
                      className="record-table__row record-table__row--loader"
                      role="row"
                      style={style}
                    >
                      <div role="cell" className="record-table__cell">
                        {t('common.loading')}
                      </div>
                    </div>
                  );
                }
                if (phone) {
                  const [first, ...rest] = columns;
                  return (
                    <div
                      key={record.id}
                      className="record-card"
                      role="row"
                      aria-rowindex={row.index + 2}
                      style={style}
                      onClick={() => void navigate(recordPath(record))}
                    >
                      <div role="cell" className="record-card__title">
                        <Link to={recordPath(record)} onClick={(event) => event.stopPropagation()}>
                          {first === undefined ? (
                            recordTitle(record, schema, t('records.untitled'))
                          ) : (
                            <FieldValue field={first} value={record.values[first.id]} compact />
                          )}
                        </Link>
                      </div>
                      {rest.slice(0, 2).map((field) => (
                        <div key={field.id} role="cell" className="record-card__line">
                          <span className="record-card__label">{text(field.label)}</span>
                          <FieldValue field={field} value={record.values[field.id]} compact />
                        </div>
                      ))}
                    </div>
                  );
                }
                return (
                  <div
                    key={record.id}
                    className="record-table__row"
                    role="row"
                    aria-rowindex={row.index + 2}
                    style={style}
                    onClick={() => void navigate(recordPath(record))}
                    data-testid="record-row"
                  >
                    {columns.map((field, index) => (
                      <div key={field.id} role="cell" className="record-table__cell">
                        {index === 0 ? (
                          <Link
                            to={recordPath(record)}
                            onClick={(event) => event.stopPropagation()}
                          >
                            {isBlank(record.values[field.id]) ? (
                              t('records.untitled')
                            ) : (
                              <FieldValue field={field} value={record.values[field.id]} compact />
                            )}
                          </Link>
                        ) : (
                          <FieldValue field={field} value={record.values[field.id]} compact />
                        )}
                      </div>
                    ))}
                    <div role="cell" className="record-table__cell muted">
                      {i18n.formatShortDateTime(record.createdAt)}
                    </div>
                  </div>
                );
              })}
            </div>
          </div>
          {!pages.loading && pages.items.length === 0 && pages.error === undefined ? (
            <EmptyState
              icon="list"
              title={
                q !== '' || activeFilters > 0 ? t('records.noMatches') : t('records.emptyTitle')
              }
            >
              {q !== '' || activeFilters > 0 ? t('records.noMatchesBody') : t('records.emptyBody')}
            </EmptyState>
          ) : null}
        </div>
      )}
    </div>
  );
}

/** The `filter` search parameter (a report-engine condition from a drill-down), if readable. */
function parseDrill(raw: string | null): unknown {
  if (raw === null || raw === '') return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null ? parsed : null;
  } catch {
    return null;
  }
}

function isBlank(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

function SortMark({ state }: { state: 'ascending' | 'descending' | undefined }) {
  if (state === undefined)
    return <Icon name="sort" className="record-table__sort-icon record-table__sort-icon--idle" />;
  return <Icon name={state === 'ascending' ? 'up' : 'down'} className="record-table__sort-icon" />;
}
