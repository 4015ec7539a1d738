import { Fragment, useState } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';
import { useDrag, useDragLayer, useDrop } from 'react-dnd';
import type {
  FieldSchema,
  LayoutColumns,
  LayoutItem,
  LayoutSection,
  LayoutTabs,
} from '../forms/form-schema.js';
import { COMPUTED_TYPES } from '../forms/form-schema.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button } from '../ui/button.js';
import { Icon } from '../ui/icon.js';
import {
  DRAG_ITEM,
  DRAG_PALETTE,
  useDesigner,
  type ItemDrag,
  type PaletteDrag,
} from './designer-context.js';
import { FieldGlyph } from './field-glyph.js';
import { FIELD_TYPE_META } from './field-type-meta.js';
import { canPlace, containerItems, findItem, itemKey, locate, ROOT } from './layout-model.js';

type Dragged = PaletteDrag | ItemDrag;

function isItemDrag(value: Dragged): value is ItemDrag {
  return 'key' in value;
}

/** The form as it is being built: every field and container, with drop slots between them. */
export function DesignerCanvas() {
  const { t, text } = useI18n();
  const designer = useDesigner();
  const dragging = useDragLayer((monitor) => monitor.isDragging());
  const schema = designer.state.schema;
  const items = schema.layout?.items ?? [];
  return (
    <div
      className={dragging ? 'canvas canvas--dragging' : 'canvas'}
      onClick={(event) => {
        if (event.target === event.currentTarget) designer.dispatch({ type: 'select', key: null });
      }}
    >
      <div className="canvas__sheet">
        <button
          type="button"
          className={
            designer.state.selected === null
              ? 'canvas__title canvas__title--selected'
              : 'canvas__title'
          }
          onClick={() => designer.dispatch({ type: 'select', key: null })}
        >
          <span className="canvas__form-name">
            {text(schema.name) || t('designer.untitledForm')}
          </span>
          <span className="small muted">{t('designer.formSettings')}</span>
        </button>
        {items.length === 0 ? <EmptyCanvas /> : <ItemList containerId={ROOT} items={items} />}
      </div>
    </div>
  );
}

function EmptyCanvas() {
  const { t } = useI18n();
  return (
    <div className="canvas__empty">
      <DropSlot containerId={ROOT} index={0} big label={t('designer.emptyCanvas')} />
    </div>
  );
}

function ItemList({ containerId, items }: { containerId: string; items: readonly LayoutItem[] }) {
  const { t } = useI18n();
  return (
    <div className="canvas-list" data-container={containerId}>
      {items.map((item, index) => (
        <Fragment key={itemKey(item)}>
          <DropSlot containerId={containerId} index={index} />
          <CanvasItem item={item} />
        </Fragment>
      ))}
      <DropSlot
        containerId={containerId}
        index={items.length}
        big={items.length === 0}
        label={items.length === 0 ? t('designer.dropHere') : undefined}
        last
      />
    </div>
  );
}

function DropSlot({
  containerId,
  index,
  big = false,
  last = false,
  label,
}: {
  containerId: string;
  index: number;
  big?: boolean;
  last?: boolean;
  label?: string;
}) {
  const designer = useDesigner();
  const items = designer.state.schema.layout?.items ?? [];
  const [{ over, allowed }, ref] = useDrop<Dragged, unknown, { over: boolean; allowed: boolean }>(
    () => ({
      accept: [DRAG_PALETTE, DRAG_ITEM],
      canDrop: (dragged) => {
        if (isItemDrag(dragged)) {
          const item = findItem(items, dragged.key);
          return item !== undefined && canPlace(items, item, containerId);
        }
        if (dragged.kind === 'container' && dragged.template === 'tabs')
          return containerId === ROOT;
        if (dragged.kind === 'container')
          return canPlace(items, { type: 'section', id: '__new__', items: [] }, containerId);
        return containerItems(items, containerId) !== undefined;
      },
      drop: (dragged, monitor) => {
        if (monitor.didDrop()) return undefined;
        if (isItemDrag(dragged)) designer.move(dragged.key, containerId, index);
        else if (dragged.kind === 'field') designer.addField(dragged.fieldType, containerId, index);
        else designer.addContainer(dragged.template, containerId, index);
        return { containerId, index };
      },
      collect: (monitor) => ({
        over: monitor.isOver({ shallow: true }),
        allowed: monitor.canDrop(),
      }),
    }),
    [items, containerId, index, designer],
  );
  const classes = [
    'drop-slot',
    big ? 'drop-slot--big' : '',
    last ? 'drop-slot--last' : '',
    over && allowed ? 'drop-slot--over' : '',
    allowed ? 'drop-slot--allowed' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <div
      ref={(node) => {
        ref(node);
      }}
      className={classes}
      data-testid={`drop-${containerId}-${index}`}
      aria-hidden="true"
    >
      {label === undefined ? null : <span>{label}</span>}
    </div>
  );
}

function useItemDrag(key: string) {
  const [{ dragging }, drag, preview] = useDrag<ItemDrag, unknown, { dragging: boolean }>(
    () => ({
      type: DRAG_ITEM,
      item: { key },
      collect: (monitor) => ({ dragging: monitor.isDragging() }),
    }),
    [key],
  );
  return { dragging, drag, preview };
}

/** Alt+Arrow keys move the focused item: the keyboard alternative to dragging. */
function useMoveKeys(key: string, label: string) {
  const designer = useDesigner();
  const { t } = useI18n();
  return (event: KeyboardEvent) => {
    if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
    event.preventDefault();
    designer.dispatch({ type: 'nudge', key, delta: event.key === 'ArrowUp' ? -1 : 1 });
    designer.announce(
      t(event.key === 'ArrowUp' ? 'designer.movedUp' : 'designer.movedDown', { name: label }),
    );
  };
}

function ItemTools({ itemKeyValue, label }: { itemKeyValue: string; label: string }) {
  const { t } = useI18n();
  const designer = useDesigner();
  const items = designer.state.schema.layout?.items ?? [];
  const at = locate(items, itemKeyValue);
  const siblings = at === null ? 0 : (containerItems(items, at.containerId)?.length ?? 0);
  return (
    <div className="canvas-tools">
      <Button
        size="small"
        variant="ghost"
        icon="up"
        iconLabel={t('designer.moveUp', { name: label })}
        disabled={at === null || at.index === 0}
        onClick={() => {
          designer.dispatch({ type: 'nudge', key: itemKeyValue, delta: -1 });
          designer.announce(t('designer.movedUp', { name: label }));
        }}
      />
      <Button
        size="small"
        variant="ghost"
        icon="down"
        iconLabel={t('designer.moveDown', { name: label })}
        disabled={at === null || at.index >= siblings - 1}
        onClick={() => {
          designer.dispatch({ type: 'nudge', key: itemKeyValue, delta: 1 });
          designer.announce(t('designer.movedDown', { name: label }));
        }}
      />
      <Button
        size="small"
        variant="ghost"
        icon="trash"
        iconLabel={t('designer.remove', { name: label })}
        onClick={() => {
          designer.dispatch({ type: 'remove', key: itemKeyValue });
          designer.announce(t('designer.removed', { name: label }));
        }}
      />
    </div>
  );
}

function CanvasItem({ item }: { item: LayoutItem }) {
  switch (item.type) {
    case 'field':
      return <FieldCard fieldId={item.fieldId} />;
    case 'section':
      return <SectionCard section={item} />;
    case 'columns':
      return <ColumnsCard columns={item} />;
    case 'tabs':
      return <TabsCard tabs={item} />;
  }
}

function FieldFlags({ field }: { field: FieldSchema }) {
  const { t } = useI18n();
  const flags: string[] = [];
  if (field.required === true) flags.push(t('designer.flag.required'));
  else if (field.required !== undefined && field.required !== false)
    flags.push(t('designer.flag.conditionalRequired'));
  if (field.visible !== undefined) flags.push(t('designer.flag.conditional'));
  if (field.readOnly !== undefined && field.readOnly !== false)
    flags.push(t('designer.flag.readOnly'));
  if (field.unique === true) flags.push(t('designer.flag.unique'));
  if (flags.length === 0) return null;
  return (
    <span className="canvas-field__flags">
      {flags.map((flag) => (
        <span key={flag} className="badge badge--info">
          {flag}
        </span>
      ))}
    </span>
  );
}

function FieldCard({ fieldId }: { fieldId: string }) {
  const { t, text } = useI18n();
  const designer = useDesigner();
  const field = designer.state.schema.fields.find((entry) => entry.id === fieldId);
  const key = `field:${fieldId}`;
  const { dragging, drag, preview } = useItemDrag(key);
  const label = field === undefined ? fieldId : text(field.label) || fieldId;
  const onKeyDown = useMoveKeys(key, label);
  if (field === undefined) return null;
  const selected = designer.state.selected === key;
  const issues = designer.issues.get(fieldId);
  return (
    <div
      ref={(node) => {
        preview(node);
      }}
      className={[
        'canvas-field',
        selected ? 'canvas-field--selected' : '',
        dragging ? 'canvas-field--dragging' : '',
        issues === undefined ? '' : 'canvas-field--invalid',
      ]
        .filter(Boolean)
        .join(' ')}
      data-key={key}
      data-testid={`canvas-field-${fieldId}`}
    >
      <span
        ref={(node) => {
          drag(node);
        }}
        className="canvas-field__handle"
        title={t('designer.dragHandle')}
        data-testid={`drag-${fieldId}`}
      >
        <Icon name="grip" />
      </span>
      <button
        type="button"
        className="canvas-field__main"
        aria-pressed={selected}
        onClick={() => designer.dispatch({ type: 'select', key })}
        onKeyDown={onKeyDown}
        aria-describedby="designer-keyboard-help"
      >
        <span className="canvas-field__glyph" aria-hidden="true">
          <FieldGlyph type={field.type} />
        </span>
        <span className="canvas-field__text">
          <span className="canvas-field__label">
            {label}
            {field.required === true ? (
              <span className="field__required" aria-hidden="true">
                *
              </span>
            ) : null}
          </span>
          <span className="canvas-field__type">
            {t(FIELD_TYPE_META[field.type].label)}
            {COMPUTED_TYPES.has(field.type) ? ` · ${t('designer.computed')}` : ''}
          </span>
        </span>
        <FieldFlags field={field} />
        {issues === undefined ? null : (
          <span className="badge badge--danger" title={issues.join('\n')}>
            {t('designer.issueCount', { count: issues.length })}
          </span>
        )}
      </button>
      <ItemTools itemKeyValue={key} label={label} />
    </div>
  );
}

function ContainerHeader({
  itemKeyValue,
  label,
  icon,
  detail,
}: {
  itemKeyValue: string;
  label: string;
  icon: 'section' | 'columns' | 'tabs';
  detail?: string;
}) {
  const { t } = useI18n();
  const designer = useDesigner();
  const { drag } = useItemDrag(itemKeyValue);
  const onKeyDown = useMoveKeys(itemKeyValue, label);
  const selected = designer.state.selected === itemKeyValue;
  return (
    <div className="canvas-container__header">
      <span
        ref={(node) => {
          drag(node);
        }}
        className="canvas-field__handle"
        title={t('designer.dragHandle')}
      >
        <Icon name="grip" />
      </span>
      <button
        type="button"
        className="canvas-container__title"
        aria-pressed={selected}
        onClick={() => designer.dispatch({ type: 'select', key: itemKeyValue })}
        onKeyDown={onKeyDown}
        aria-describedby="designer-keyboard-help"
      >
        <Icon name={icon} />
        <span>{label}</span>
        {detail === undefined ? null : <span className="badge">{detail}</span>}
      </button>
      <ItemTools itemKeyValue={itemKeyValue} label={label} />
    </div>
  );
}

function ContainerFrame({ id, children }: { id: string; children: ReactNode }) {
  const designer = useDesigner();
  const { dragging, preview } = useItemDrag(id);
  const selected = designer.state.selected === id;
  return (
    <div
      ref={(node) => {
        preview(node);
      }}
      className={[
        'canvas-container',
        selected ? 'canvas-container--selected' : '',
        dragging ? 'canvas-field--dragging' : '',
      ]
        .filter(Boolean)
        .join(' ')}
      data-key={id}
    >
      {children}
    </div>
  );
}

function SectionCard({ section }: { section: LayoutSection }) {
  const { t, text } = useI18n();
  const label = text(section.title) || t('designer.section');
  return (
    <ContainerFrame id={section.id}>
      <ContainerHeader
        itemKeyValue={section.id}
        label={label}
        icon="section"
        detail={t('designer.columnCount', { count: section.columns ?? 1 })}
      />
      <div className="canvas-container__body">
        <ItemList containerId={section.id} items={section.items} />
      </div>
    </ContainerFrame>
  );
}

function ColumnsCard({ columns }: { columns: LayoutColumns }) {
  const { t } = useI18n();
  return (
    <ContainerFrame id={columns.id}>
      <ContainerHeader
        itemKeyValue={columns.id}
        label={t('designer.columns')}
        icon="columns"
        detail={t('designer.columnCount', { count: columns.columns.length })}
      />
      <div className="canvas-columns">
        {columns.columns.map((column, index) => (
          <div
            key={column.id}
            className="canvas-columns__column"
            style={{ flexGrow: column.width ?? 1 }}
          >
            <span className="canvas-columns__label">{t('designer.columnN', { n: index + 1 })}</span>
            <ItemList containerId={column.id} items={column.items} />
          </div>
        ))}
      </div>
    </ContainerFrame>
  );
}

function TabsCard({ tabs }: { tabs: LayoutTabs }) {
  const { t, text } = useI18n();
  const [active, setActive] = useState(0);
  const current = tabs.tabs[Math.min(active, tabs.tabs.length - 1)];
  return (
    <ContainerFrame id={tabs.id}>
      <ContainerHeader
        itemKeyValue={tabs.id}
        label={t('designer.tabs')}
        icon="tabs"
        detail={t('designer.tabCount', { count: tabs.tabs.length })}
      />
      <div className="tabs canvas-tabs" role="tablist" aria-label={t('designer.tabs')}>
        {tabs.tabs.map((tab, index) => (
          <button
            key={tab.id}
            type="button"
            role="tab"
            aria-selected={tab.id === current?.id}
            onClick={() => setActive(index)}
          >
            {text(tab.title) || t('designer.tabN', { n: index + 1 })}
            <span className="badge">{tab.items.length}</span>
          </button>
        ))}
      </div>
      {current === undefined ? null : (
        <div className="canvas-container__body" role="tabpanel">
          <ItemList containerId={current.id} items={current.items} />
        </div>
      )}
    </ContainerFrame>
  );
}
