import { useCallback, useEffect, useRef, useState } from 'react';
import { DndProvider, useDrag, useDrop } from 'react-dnd';
import { HTML5Backend } from 'react-dnd-html5-backend';
import { TouchBackend } from 'react-dnd-touch-backend';
import { Link } from 'react-router';
import type { AvailableTransition, FlowDefinition, StateDef } from '@trellis/flow-engine';
import { flowsApi } from '../api/flows-api.js';
import { recordsApi, type TrellisRecord } from '../api/records-api.js';
import { recordTitle } from '../forms/field-data-source.js';
import { FieldValue } from '../forms/field-value.js';
import type { CompiledFormLike } from '../forms/form-runtime-types.js';
import type { FieldSchema, FormSchema } from '../forms/form-schema.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';
import { Button } from '../ui/button.js';
import { Icon } from '../ui/icon.js';
import { ProblemNotice } from '../ui/problem-notice.js';
import { useDismiss } from '../ui/use-dismiss.js';
import { useMediaQuery } from '../ui/use-media-query.js';
import { stageLabel, useStageMover } from '../workflow/stage-mover.js';

const CARD = 'record-card';
const PER_COLUMN = 100;

type Column = { records: TrellisRecord[]; total: number; loading: boolean; error: unknown };
type DragItem = { id: string; stage: string | null };
/** Drop targets while a card is dragged: the moves the flow offers, with why-nots. */
type Targets = { recordId: string; byStage: Map<string, AvailableTransition> } | null;

function orderedStates(def: FlowDefinition): StateDef[] {
  return [...def.states].sort((a, b) => a.order - b.order);
}

/** Short reason a move is not possible now (the first one). */
function whyNot(
  transition: AvailableTransition | undefined,
  t: (key: MessageKey) => string,
): string | null {
  if (transition === undefined) return t('kanban.noMove');
  if (transition.enabled) return null;
  if (transition.reasons.every((r) => r.code === 'MISSING_REQUIRED_FIELDS'))
    return t('kanban.needsFields');
  return t('kanban.blocked');
}

/** Records as cards in one column per stage of the form's flow; drop a card to move it. */
export function KanbanBoard(props: {
  appId: string;
  formId: string;
  schema: FormSchema;
  fields: readonly FieldSchema[];
  flow: FlowDefinition;
  compiled: CompiledFormLike | null;
  q: string;
  filter: unknown;
}) {
  const coarse = useMediaQuery('(pointer: coarse)');
  return (
    <DndProvider
      backend={coarse ? TouchBackend : HTML5Backend}
      options={coarse ? { enableMouseEvents: false, delayTouchStart: 200 } : undefined}
    >
      <Board {...props} />
    </DndProvider>
  );
}

function Board({
  appId,
  formId,
  schema,
  fields,
  flow,
  compiled,
  q,
  filter,
}: {
  appId: string;
  formId: string;
  schema: FormSchema;
  fields: readonly FieldSchema[];
  flow: FlowDefinition;
  compiled: CompiledFormLike | null;
  q: string;
  filter: unknown;
}) {
  const { t, text } = useI18n();
  const states = orderedStates(flow);
  const [columns, setColumns] = useState<Record<string, Column>>({});
  const [targets, setTargets] = useState<Targets>(null);
  const [announce, setAnnounce] = useState('');
  const filterKey = JSON.stringify(filter ?? null);

  const load = useCallback(
    (stage: string, signal?: AbortSignal) => {
      setColumns((current) => ({
        ...current,
        [stage]: {
          records: current[stage]?.records ?? [],
          total: current[stage]?.total ?? 0,
          loading: true,
          error: undefined,
        },
      }));
      const stageFilter = { field: 'stage', op: 'eq', value: stage };
      const parsed: unknown = JSON.parse(filterKey);
      recordsApi
        .list(
          formId,
          {
            filter: parsed === null ? stageFilter : { and: [stageFilter, parsed] },
            q: q === '' ? undefined : q,
            sort: '-created_at',
            limit: PER_COLUMN,
            count: true,
          },
          signal,
        )
        .then(
          (page) =>
            setColumns((current) => ({
              ...current,
              [stage]: {
                records: page.items,
                total: page.total ?? page.items.length,
                loading: false,
                error: undefined,
              },
            })),
          (error: unknown) => {
            if (signal?.aborted === true) return;
            setColumns((current) => ({
              ...current,
              [stage]: { records: [], total: 0, loading: false, error },
            }));
          },
        );
    },
    [formId, q, filterKey],
  );

  const stageIds = states.map((s) => s.id).join(',');
  useEffect(() => {
    const controller = new AbortController();
    for (const id of stageIds.split(',')) if (id !== '') load(id, controller.signal);
    return () => controller.abort();
  }, [stageIds, load]);

  const mover = useStageMover({
    formId,
    compiled,
    flow,
    onMoved: (before, after) => {
      setColumns((current) => {
        const next = { ...current };
        for (const [stage, column] of Object.entries(current)) {
          const had = column.records.some((r) => r.id === before.id);
          const records = column.records.filter((r) => r.id !== before.id);
          if (stage === after.stage) records.unshift(after);
          next[stage] = {
            ...column,
            records,
            total: column.total + (stage === after.stage ? 1 : 0) - (had ? 1 : 0),
          };
        }
        return next;
      });
      setAnnounce(
        t('kanban.announceMoved', {
          title: recordTitle(after, schema, t('records.untitled')),
          stage: stageLabel(flow, after.stage, text),
        }),
      );
    },
  });

  const startDrag = useCallback(
    (record: TrellisRecord) => {
      setTargets(null);
      flowsApi.available(formId, record.id).then(
        (list) =>
          setTargets({ recordId: record.id, byStage: new Map(list.map((tr) => [tr.to, tr])) }),
        () => setTargets(null),
      );
    },
    [formId],
  );

  const drop = useCallback(
    (recordId: string, stage: string) => {
      setTargets(null);
      const record = Object.values(columns)
        .flatMap((column) => column.records)
        .find((r) => r.id === recordId);
      if (record === undefined || record.stage === stage) return;
      void mover.move(record, { to: stage });
    },
    [columns, mover],
  );

  const cardFields = fields.filter((f) => f.id !== fields[0]?.id).slice(0, 2);
  return (
    <div className="kanban" data-testid="kanban">
      <div className="visually-hidden" aria-live="polite" data-testid="kanban-announcer">
        {announce}
      </div>
      <ol className="kanban__columns list-plain" aria-label={t('kanban.board')}>
        {states.map((state) => (
          <KanbanColumn
            key={state.id}
            state={state}
            label={text(state.label) || state.id}
            column={columns[state.id]}
            target={
              targets === null
                ? undefined
                : { available: targets.byStage.get(state.id), source: targets.recordId }
            }
            onDrop={drop}
            onRetry={() => load(state.id)}
          >
            {(columns[state.id]?.records ?? []).map((record) => (
              <KanbanCard
                key={record.id}
                appId={appId}
                formId={formId}
                record={record}
                schema={schema}
                fields={cardFields}
                states={states}
                onDragStart={startDrag}
                onDragEnd={() => setTargets(null)}
                onMove={(stage) => void mover.move(record, { to: stage })}
              />
            ))}
          </KanbanColumn>
        ))}
      </ol>
      {mover.dialogs}
    </div>
  );
}

function KanbanColumn({
  state,
  label,
  column,
  target,
  onDrop,
  onRetry,
  children,
}: {
  state: StateDef;
  label: string;
  column: Column | undefined;
  target: { available: AvailableTransition | undefined; source: string } | undefined;
  onDrop(recordId: string, stage: string): void;
  onRetry(): void;
  children: React.ReactNode;
}) {
  const { t } = useI18n();
  const [{ over, dragging }, ref] = useDrop<
    DragItem,
    void,
    { over: boolean; dragging: DragItem | null }
  >(
    () => ({
      accept: CARD,
      drop: (item) => onDrop(item.id, state.id),
      collect: (monitor) => ({ over: monitor.isOver(), dragging: monitor.getItem() }),
    }),
    [state.id, onDrop],
  );
  const elementRef = useRef<HTMLLIElement | null>(null);
  ref(elementRef);
  const isSource = dragging !== null && dragging.stage === state.id;
  const reason =
    dragging === null || isSource || target === undefined ? null : whyNot(target.available, t);
  const status =
    dragging === null || isSource || target === undefined
      ? ''
      : target.available === undefined
        ? 'kanban__column--closed'
        : target.available.enabled
          ? 'kanban__column--open'
          : 'kanban__column--blocked';
  return (
    <li
      ref={elementRef}
      className={[
        'kanban__column',
        `kanban__column--${state.kind}`,
        status,
        over ? 'kanban__column--over' : '',
      ]
        .filter(Boolean)
        .join(' ')}
      data-testid={`kanban-column-${state.id}`}
      aria-label={t('kanban.columnLabel', { stage: label, count: column?.total ?? 0 })}
    >
      <div className="kanban__column-head">
        <span className="kanban__column-title">{label}</span>
        {state.probability === null ? null : (
          <span className="small muted">{state.probability}%</span>
        )}
        <span className="badge">{column?.total ?? 0}</span>
      </div>
      {reason === null ? null : (
        <p className="kanban__hint" data-testid={`kanban-hint-${state.id}`}>
          {reason}
        </p>
      )}
      {column?.error !== undefined ? (
        <div>
          <ProblemNotice error={column.error} />
          <Button size="small" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        </div>
      ) : null}
      <ul className="kanban__cards list-plain">{children}</ul>
      {column !== undefined &&
      !column.loading &&
      column.records.length === 0 &&
      column.error === undefined ? (
        <p className="kanban__empty small muted">{t('kanban.emptyColumn')}</p>
      ) : null}
      {column !== undefined && column.total > column.records.length ? (
        <p className="small muted">
          {t('kanban.more', { count: column.total - column.records.length })}
        </p>
      ) : null}
    </li>
  );
}

function KanbanCard({
  appId,
  formId,
  record,
  schema,
  fields,
  states,
  onDragStart,
  onDragEnd,
  onMove,
}: {
  appId: string;
  formId: string;
  record: TrellisRecord;
  schema: FormSchema;
  fields: readonly FieldSchema[];
  states: readonly StateDef[];
  onDragStart(record: TrellisRecord): void;
  onDragEnd(): void;
  onMove(stage: string): void;
}) {
  const { t, text } = useI18n();
  const [{ dragging }, drag] = useDrag<DragItem, void, { dragging: boolean }>(
    () => ({
      type: CARD,
      item: () => {
        onDragStart(record);
        return { id: record.id, stage: record.stage };
      },
      end: onDragEnd,
      collect: (monitor) => ({ dragging: monitor.isDragging() }),
    }),
    [record, onDragStart, onDragEnd],
  );
  const ref = useRef<HTMLLIElement | null>(null);
  drag(ref);
  const title = recordTitle(record, schema, t('records.untitled'));
  return (
    <li
      ref={ref}
      className={dragging ? 'kanban-card kanban-card--dragging' : 'kanban-card'}
      data-testid="kanban-card"
      data-record-id={record.id}
    >
      <div className="kanban-card__top">
        <Link
          className="kanban-card__title"
          to={`/apps/${appId}/forms/${formId}/records/${record.id}`}
        >
          {title}
        </Link>
        <MoveMenu record={record} title={title} states={states} onMove={onMove} formId={formId} />
      </div>
      {fields.map((field) =>
        record.values[field.id] === undefined ||
        record.values[field.id] === null ||
        record.values[field.id] === '' ? null : (
          <div key={field.id} className="kanban-card__line">
            <span className="kanban-card__label">{text(field.label)}</span>
            <FieldValue field={field} value={record.values[field.id]} compact />
          </div>
        ),
      )}
    </li>
  );
}

/** The keyboard alternative to dragging: a menu of the stages, each with whether it is open. */
function MoveMenu({
  formId,
  record,
  title,
  states,
  onMove,
}: {
  formId: string;
  record: TrellisRecord;
  title: string;
  states: readonly StateDef[];
  onMove(stage: string): void;
}) {
  const { t, text } = useI18n();
  const [open, setOpen] = useState(false);
  const [available, setAvailable] = useState<Map<string, AvailableTransition> | null>(null);
  const ref = useRef<HTMLDivElement>(null);
  const menuRef = useRef<HTMLUListElement>(null);
  const close = useCallback(() => setOpen(false), []);
  useDismiss(ref, open, close);
  useEffect(() => {
    if (!open) return undefined;
    const controller = new AbortController();
    setAvailable(null);
    flowsApi.available(formId, record.id, controller.signal).then(
      (list) => setAvailable(new Map(list.map((tr) => [tr.to, tr]))),
      () => setAvailable(new Map()),
    );
    window.requestAnimationFrame(() =>
      menuRef.current?.querySelector<HTMLButtonElement>('button')?.focus(),
    );
    return () => controller.abort();
  }, [open, formId, record.id]);

  function onKey(event: React.KeyboardEvent) {
    const items = [...(menuRef.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
    const index = items.indexOf(document.activeElement as HTMLButtonElement);
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next =
        items[(index + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length];
      next?.focus();
    }
  }

  const others = states.filter((s) => s.id !== record.stage);
  return (
    <div className="popover-anchor" ref={ref}>
      <Button
        size="small"
        variant="ghost"
        icon="right"
        iconLabel={t('kanban.moveTitle', { title })}
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((value) => !value)}
        data-testid="move-menu"
      />
      {open ? (
        <ul
          className="popover card kanban-menu list-plain"
          role="menu"
          aria-label={t('kanban.moveTitle', { title })}
          ref={menuRef}
          onKeyDown={onKey}
        >
          {others.map((state) => {
            const transition = available?.get(state.id);
            const note = available === null ? t('common.loading') : whyNot(transition, t);
            return (
              <li key={state.id} role="none">
                <button
                  type="button"
                  role="menuitem"
                  className="kanban-menu__item"
                  aria-disabled={available !== null && transition === undefined ? true : undefined}
                  onClick={() => {
                    if (available !== null && transition === undefined) return;
                    setOpen(false);
                    onMove(state.id);
                  }}
                  data-testid={`move-to-${state.id}`}
                >
                  <Icon name="right" />
                  <span className="grow">{text(state.label) || state.id}</span>
                  {note === null ? (
                    transition?.needsApproval === true ? (
                      <span className="small muted">{t('kanban.needsApproval')}</span>
                    ) : null
                  ) : (
                    <span className="small muted">{note}</span>
                  )}
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
    </div>
  );
}
