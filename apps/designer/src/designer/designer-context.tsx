import { createContext, useContext } from 'react';
import type { Dispatch } from 'react';
import type { FieldSchema, FieldType } from '../forms/form-schema.js';
import type { DesignerAction, DesignerState } from './designer-state.js';

export type ContainerTemplate = 'section' | 'columns' | 'tabs';

export type DesignerApi = {
  readonly state: DesignerState;
  dispatch: Dispatch<DesignerAction>;
  /** Adds a new field of a type at a place, selects it and says so to screen readers. */
  addField(type: FieldType, containerId: string, index: number): void;
  addContainer(template: ContainerTemplate, containerId: string, index: number): void;
  move(key: string, containerId: string, index: number): void;
  /** Says something in the designer's live region. */
  announce(message: string): void;
  /** Fields of the published version by id (their ids and option values can no longer change). */
  readonly publishedFields: ReadonlyMap<string, FieldSchema>;
  /** The form being designed (its id keys role permissions). */
  readonly formId: string;
  /** Schema problems from the last save, by field id ('' for the form). */
  readonly issues: ReadonlyMap<string, readonly string[]>;
};

export const DesignerContext = createContext<DesignerApi | null>(null);

export function useDesigner(): DesignerApi {
  const value = useContext(DesignerContext);
  if (value === null) throw new Error('useDesigner must be used inside the form designer');
  return value;
}

/** What can be dragged: a palette entry (new field or container) or an item already placed. */
export const DRAG_PALETTE = 'palette';
export const DRAG_ITEM = 'layout-item';

export type PaletteDrag =
  { kind: 'field'; fieldType: FieldType } | { kind: 'container'; template: ContainerTemplate };
export type ItemDrag = { key: string };
