import type { LayoutColumns, LayoutItem, LayoutSection, LayoutTabs } from '../forms/form-schema.js';

/**
 * Pure operations on a form layout tree, as the designer's drag and drop and its keyboard
 * alternatives use them. Containers are addressed by id: `ROOT` for the top level, or the id of
 * a section, a column or a tab. Items are addressed by key: `field:<id>` or the container's id.
 */

export const ROOT = 'root';
export const MAX_DEPTH = 6;

export type ContainerKind = 'root' | 'section' | 'column' | 'tab';
export type ContainerInfo = {
  id: string;
  kind: ContainerKind;
  depth: number;
  ownerId: string | null;
  index: number;
};

export function itemKey(item: LayoutItem): string {
  return item.type === 'field' ? `field:${item.fieldId}` : item.id;
}

export function fieldKey(fieldId: string): string {
  return `field:${fieldId}`;
}

/** Applies `update` to the item list of one container, wherever it is in the tree. */
export function updateContainer(
  items: readonly LayoutItem[],
  containerId: string,
  update: (items: readonly LayoutItem[]) => LayoutItem[],
): LayoutItem[] {
  if (containerId === ROOT) return update(items);
  return items.map((item): LayoutItem => {
    switch (item.type) {
      case 'field':
        return item;
      case 'section':
        return item.id === containerId
          ? { ...item, items: update(item.items) }
          : { ...item, items: updateContainer(item.items, containerId, update) };
      case 'columns':
        return {
          ...item,
          columns: item.columns.map((column) =>
            column.id === containerId
              ? { ...column, items: update(column.items) }
              : { ...column, items: updateContainer(column.items, containerId, update) },
          ),
        };
      case 'tabs':
        return {
          ...item,
          tabs: item.tabs.map((tab) =>
            tab.id === containerId
              ? { ...tab, items: update(tab.items) }
              : { ...tab, items: updateContainer(tab.items, containerId, update) },
          ),
        };
    }
  });
}

/** The item lists inside an item (a section's items, each column's, each tab's). */
function childLists(
  item: LayoutItem,
): Array<{ id: string; kind: ContainerKind; items: readonly LayoutItem[] }> {
  switch (item.type) {
    case 'field':
      return [];
    case 'section':
      return [{ id: item.id, kind: 'section', items: item.items }];
    case 'columns':
      return item.columns.map((column) => ({ id: column.id, kind: 'column', items: column.items }));
    case 'tabs':
      return item.tabs.map((tab) => ({ id: tab.id, kind: 'tab', items: tab.items }));
  }
}

/** Every container, top to bottom, with its nesting depth (root is 0). */
export function listContainers(items: readonly LayoutItem[]): ContainerInfo[] {
  const out: ContainerInfo[] = [{ id: ROOT, kind: 'root', depth: 0, ownerId: null, index: 0 }];
  const walk = (list: readonly LayoutItem[], depth: number) => {
    for (const item of list) {
      childLists(item).forEach((child, index) => {
        out.push({
          id: child.id,
          kind: child.kind,
          depth: depth + 1,
          ownerId: item.type === 'field' ? null : item.id,
          index,
        });
        walk(child.items, depth + 1);
      });
    }
  };
  walk(items, 0);
  return out;
}

export function containerItems(
  items: readonly LayoutItem[],
  containerId: string,
): readonly LayoutItem[] | undefined {
  if (containerId === ROOT) return items;
  for (const item of items) {
    for (const child of childLists(item)) {
      if (child.id === containerId) return child.items;
      const found = containerItems(child.items, containerId);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Where an item sits: its container and index. */
export function locate(
  items: readonly LayoutItem[],
  key: string,
  containerId = ROOT,
): { containerId: string; index: number } | null {
  const index = items.findIndex((item) => itemKey(item) === key);
  if (index >= 0) return { containerId, index };
  for (const item of items) {
    for (const child of childLists(item)) {
      const found = locate(child.items, key, child.id);
      if (found !== null) return found;
    }
  }
  return null;
}

export function findItem(items: readonly LayoutItem[], key: string): LayoutItem | undefined {
  const at = locate(items, key);
  if (at === null) return undefined;
  return containerItems(items, at.containerId)?.[at.index];
}

/** Container ids inside an item (it cannot be dropped into any of them). */
export function containerIdsWithin(item: LayoutItem): Set<string> {
  const out = new Set<string>();
  const walk = (node: LayoutItem) => {
    for (const child of childLists(node)) {
      out.add(child.id);
      for (const inner of child.items) walk(inner);
    }
  };
  walk(item);
  return out;
}

/** How many container levels an item brings with it (a field 0, a section 1, …). */
function itemHeight(item: LayoutItem): number {
  const lists = childLists(item);
  if (lists.length === 0) return 0;
  return 1 + Math.max(0, ...lists.flatMap((list) => list.items.map(itemHeight)));
}

/** Whether `item` may be placed in `containerId`: tabs stay at the top, nothing goes inside itself, depth stays bounded. */
export function canPlace(
  items: readonly LayoutItem[],
  item: LayoutItem,
  containerId: string,
): boolean {
  const target = listContainers(items).find((container) => container.id === containerId);
  if (target === undefined) return false;
  if (item.type === 'tabs' && containerId !== ROOT) return false;
  if (item.type !== 'field' && containerIdsWithin(item).has(containerId)) return false;
  if (item.type !== 'field' && item.id === containerId) return false;
  return target.depth + itemHeight(item) <= MAX_DEPTH;
}

export function insertItem(
  items: readonly LayoutItem[],
  containerId: string,
  index: number,
  item: LayoutItem,
): LayoutItem[] {
  return updateContainer(items, containerId, (list) => {
    const at = Math.max(0, Math.min(index, list.length));
    return [...list.slice(0, at), item, ...list.slice(at)];
  });
}

export function removeItem(items: readonly LayoutItem[], key: string): LayoutItem[] {
  const at = locate(items, key);
  if (at === null) return [...items];
  return updateContainer(items, at.containerId, (list) => list.filter((_, i) => i !== at.index));
}

/**
 * Moves an item to `index` of `containerId` (the index counts the target list as it is before
 * the move). Returns the layout unchanged when the move is not allowed.
 */
export function moveItem(
  items: readonly LayoutItem[],
  key: string,
  containerId: string,
  index: number,
): LayoutItem[] {
  const from = locate(items, key);
  const item = findItem(items, key);
  if (from === null || item === undefined || !canPlace(items, item, containerId)) return [...items];
  let target = index;
  if (from.containerId === containerId && from.index < index) target -= 1;
  if (from.containerId === containerId && from.index === target) return [...items];
  return insertItem(removeItem(items, key), containerId, target, item);
}

/** One step up or down within the container (keyboard alternative to dragging). */
export function nudgeItem(items: readonly LayoutItem[], key: string, delta: -1 | 1): LayoutItem[] {
  const from = locate(items, key);
  if (from === null) return [...items];
  const list = containerItems(items, from.containerId) ?? [];
  const target = from.index + delta;
  if (target < 0 || target >= list.length) return [...items];
  return moveItem(items, key, from.containerId, delta === 1 ? target + 1 : target);
}

let counter = 0;
/** A container id unique within the layout. */
export function newContainerId(
  items: readonly LayoutItem[],
  prefix: 'section' | 'columns' | 'col' | 'tabs' | 'tab',
): string {
  const taken = new Set(listContainers(items).map((c) => c.id));
  for (const item of items) if (item.type !== 'field') taken.add(item.id);
  const walk = (list: readonly LayoutItem[]) => {
    for (const item of list) {
      if (item.type !== 'field') taken.add(item.id);
      for (const child of childLists(item)) walk(child.items);
    }
  };
  walk(items);
  let id: string;
  do {
    counter += 1;
    id = `${prefix}_${counter}`;
  } while (taken.has(id));
  return id;
}

export function newSection(
  items: readonly LayoutItem[],
  title: LayoutSection['title'],
): LayoutSection {
  return { type: 'section', id: newContainerId(items, 'section'), title, columns: 2, items: [] };
}

export function newColumns(items: readonly LayoutItem[]): LayoutColumns {
  const id = newContainerId(items, 'columns');
  const first = newContainerId(items, 'col');
  const second = newContainerId(items, 'col');
  return {
    type: 'columns',
    id,
    columns: [
      { id: first, items: [] },
      { id: second, items: [] },
    ],
  };
}

export function newTabs(
  items: readonly LayoutItem[],
  titles: [LayoutTabs['tabs'][number]['title'], LayoutTabs['tabs'][number]['title']],
): LayoutTabs {
  const id = newContainerId(items, 'tabs');
  const first = newContainerId(items, 'tab');
  const second = newContainerId(items, 'tab');
  return {
    type: 'tabs',
    id,
    tabs: [
      { id: first, title: titles[0], items: [] },
      { id: second, title: titles[1], items: [] },
    ],
  };
}

/** Replaces an item found by key (e.g. a section's title or column count changed). */
export function replaceItem(
  items: readonly LayoutItem[],
  key: string,
  next: LayoutItem,
): LayoutItem[] {
  const at = locate(items, key);
  if (at === null) return [...items];
  return updateContainer(items, at.containerId, (list) =>
    list.map((item, i) => (i === at.index ? next : item)),
  );
}
