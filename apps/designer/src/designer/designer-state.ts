import { resolvedLayout } from '../forms/form-layout.js';
import type { FieldSchema, FormSchema, JsonLogic, LayoutItem } from '../forms/form-schema.js';
import type { LocalizedText } from '../i18n/localized-text.js';
import {
  canPlace,
  fieldKey,
  findItem,
  insertItem,
  locate,
  moveItem,
  nudgeItem,
  removeItem,
  replaceItem,
  ROOT,
  updateContainer,
} from './layout-model.js';

export type DesignerState = {
  /** The draft, with a layout that places every field exactly once. */
  readonly schema: FormSchema;
  /** The selected item: `field:<id>` or a container id; null selects the form itself. */
  readonly selected: string | null;
  readonly past: readonly FormSchema[];
  readonly future: readonly FormSchema[];
  readonly dirty: boolean;
};

export type DesignerAction =
  | { type: 'reset'; schema: FormSchema }
  | { type: 'saved' }
  | { type: 'select'; key: string | null }
  | { type: 'addField'; field: FieldSchema; containerId: string; index: number }
  | {
      type: 'addContainer';
      item: Exclude<LayoutItem, { type: 'field' }>;
      containerId: string;
      index: number;
    }
  | { type: 'move'; key: string; containerId: string; index: number }
  | { type: 'nudge'; key: string; delta: -1 | 1 }
  | { type: 'remove'; key: string }
  | { type: 'updateField'; id: string; update: (field: FieldSchema) => FieldSchema }
  | { type: 'renameField'; from: string; to: string }
  | { type: 'updateItem'; key: string; item: LayoutItem }
  | { type: 'updateForm'; name: LocalizedText }
  | { type: 'undo' }
  | { type: 'redo' };

const HISTORY = 50;

/** The draft with its layout completed (fields the layout misses are appended). */
export function normalizeDraft(schema: FormSchema): FormSchema {
  return {
    ...schema,
    fields: schema.fields ?? [],
    layout: { items: resolvedLayout({ ...schema, fields: schema.fields ?? [] }) },
  };
}

export function initialDesignerState(schema: FormSchema): DesignerState {
  return { schema: normalizeDraft(schema), selected: null, past: [], future: [], dirty: false };
}

function items(schema: FormSchema): readonly LayoutItem[] {
  return schema.layout?.items ?? [];
}

function withItems(schema: FormSchema, next: LayoutItem[]): FormSchema {
  return { ...schema, layout: { ...schema.layout, items: next } };
}

/** Rewrites `{"var": from}` (and `from.x`) to the new id everywhere in a rule. */
export function renameVar(logic: JsonLogic, from: string, to: string): JsonLogic {
  if (Array.isArray(logic)) return logic.map((item) => renameVar(item, from, to));
  if (typeof logic !== 'object' || logic === null) return logic;
  const entries = Object.entries(logic as Record<string, unknown>);
  if (entries.length === 1 && entries[0]?.[0] === 'var') {
    const arg = entries[0][1];
    const rename = (name: unknown) =>
      typeof name === 'string' && (name === from || name.startsWith(`${from}.`))
        ? to + name.slice(from.length)
        : name;
    return { var: Array.isArray(arg) ? [rename(arg[0]), ...arg.slice(1)] : rename(arg) };
  }
  return Object.fromEntries(entries.map(([key, value]) => [key, renameVar(value, from, to)]));
}

function renameInField(field: FieldSchema, from: string, to: string): FieldSchema {
  const next: FieldSchema = { ...field };
  if (next.visible !== undefined) next.visible = renameVar(next.visible, from, to);
  if (next.required !== undefined && typeof next.required !== 'boolean')
    next.required = renameVar(next.required, from, to);
  if (next.readOnly !== undefined) next.readOnly = renameVar(next.readOnly, from, to);
  if (next.formula !== undefined) next.formula = renameVar(next.formula, from, to);
  if (next.lookup?.relationField === from) next.lookup = { ...next.lookup, relationField: to };
  if (next.rollup?.relationField === from) next.rollup = { ...next.rollup, relationField: to };
  return next;
}

function change(
  state: DesignerState,
  schema: FormSchema,
  selected = state.selected,
): DesignerState {
  if (schema === state.schema) return state;
  return {
    schema,
    selected,
    past: [...state.past.slice(-HISTORY + 1), state.schema],
    future: [],
    dirty: true,
  };
}

export function designerReducer(state: DesignerState, action: DesignerAction): DesignerState {
  const schema = state.schema;
  switch (action.type) {
    case 'reset':
      return initialDesignerState(action.schema);
    case 'saved':
      return { ...state, dirty: false };
    case 'select':
      return { ...state, selected: action.key };
    case 'addField': {
      if (schema.fields.some((field) => field.id === action.field.id)) return state;
      const layout = insertItem(items(schema), action.containerId, action.index, {
        type: 'field',
        fieldId: action.field.id,
      });
      return change(
        state,
        { ...withItems(schema, layout), fields: [...schema.fields, action.field] },
        fieldKey(action.field.id),
      );
    }
    case 'addContainer': {
      if (!canPlace(items(schema), action.item, action.containerId)) return state;
      return change(
        state,
        withItems(schema, insertItem(items(schema), action.containerId, action.index, action.item)),
        action.item.id,
      );
    }
    case 'move': {
      const next = moveItem(items(schema), action.key, action.containerId, action.index);
      return JSON.stringify(next) === JSON.stringify(items(schema))
        ? state
        : change(state, withItems(schema, next), action.key);
    }
    case 'nudge': {
      const next = nudgeItem(items(schema), action.key, action.delta);
      return JSON.stringify(next) === JSON.stringify(items(schema))
        ? state
        : change(state, withItems(schema, next), action.key);
    }
    case 'remove': {
      const item = findItem(items(schema), action.key);
      const at = locate(items(schema), action.key);
      if (item === undefined || at === null) return state;
      if (item.type === 'field') {
        return change(
          state,
          {
            ...withItems(schema, removeItem(items(schema), action.key)),
            fields: schema.fields.filter((field) => field.id !== item.fieldId),
          },
          null,
        );
      }
      // A removed container hands its contents to the place it occupied.
      const inner: LayoutItem[] =
        item.type === 'section'
          ? item.items
          : item.type === 'columns'
            ? item.columns.flatMap((c) => c.items)
            : item.tabs.flatMap((tab) => tab.items);
      const layout = updateContainer(items(schema), at.containerId, (list) => [
        ...list.slice(0, at.index),
        ...inner,
        ...list.slice(at.index + 1),
      ]);
      return change(state, withItems(schema, layout), null);
    }
    case 'updateField': {
      const fields = schema.fields.map((field) =>
        field.id === action.id ? action.update(field) : field,
      );
      return change(state, { ...schema, fields });
    }
    case 'renameField': {
      if (action.from === action.to || schema.fields.some((field) => field.id === action.to))
        return state;
      const fields = schema.fields.map((field) =>
        renameInField(
          field.id === action.from ? { ...field, id: action.to } : field,
          action.from,
          action.to,
        ),
      );
      const placed = findItem(items(schema), fieldKey(action.from));
      const layout =
        placed?.type === 'field'
          ? replaceItem(items(schema), fieldKey(action.from), { ...placed, fieldId: action.to })
          : [...items(schema)];
      return change(state, { ...withItems(schema, layout), fields }, fieldKey(action.to));
    }
    case 'updateItem':
      return change(state, withItems(schema, replaceItem(items(schema), action.key, action.item)));
    case 'updateForm':
      return change(state, { ...schema, name: action.name });
    case 'undo': {
      const previous = state.past[state.past.length - 1];
      if (previous === undefined) return state;
      return {
        schema: previous,
        selected: state.selected,
        past: state.past.slice(0, -1),
        future: [state.schema, ...state.future],
        dirty: true,
      };
    }
    case 'redo': {
      const [next, ...rest] = state.future;
      if (next === undefined) return state;
      return {
        schema: next,
        selected: state.selected,
        past: [...state.past, state.schema],
        future: rest,
        dirty: true,
      };
    }
  }
}

export { ROOT };
