import type { DashboardItem } from '../api/reports-api.js';

export const GRID_COLUMNS = 12;

function overlaps(a: DashboardItem, b: DashboardItem): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** Keeps a tile inside the 12 columns. */
export function clampItem(item: DashboardItem): DashboardItem {
  const w = Math.min(GRID_COLUMNS, Math.max(2, Math.round(item.w)));
  const h = Math.min(12, Math.max(2, Math.round(item.h)));
  return {
    ...item,
    w,
    h,
    x: Math.min(GRID_COLUMNS - w, Math.max(0, Math.round(item.x))),
    y: Math.max(0, Math.round(item.y)),
  };
}

/**
 * Places `moved` and pushes every tile it now covers below it (and so on), then lifts tiles
 * up into free space, so the grid never overlaps and has no holes at the top.
 */
export function placeItem(items: readonly DashboardItem[], moved: DashboardItem): DashboardItem[] {
  const target = clampItem(moved);
  let others = items.filter((item) => item.id !== target.id).map((item) => ({ ...item }));
  const placed: DashboardItem[] = [target];
  others.sort((a, b) => a.y - b.y || a.x - b.x);
  for (const item of others) {
    let candidate = item;
    while (placed.some((p) => overlaps(p, candidate))) {
      const blocker = placed.find((p) => overlaps(p, candidate));
      if (blocker === undefined) break;
      candidate = { ...candidate, y: blocker.y + blocker.h };
    }
    placed.push(candidate);
  }
  others = placed;
  return compact(others, target.id);
}

/** Moves tiles up while the space above them is free (the moved tile stays where it was put). */
export function compact(items: readonly DashboardItem[], keep?: string): DashboardItem[] {
  const sorted = [...items].sort((a, b) => a.y - b.y || a.x - b.x);
  const out: DashboardItem[] = [];
  for (const item of sorted) {
    let candidate = { ...item };
    if (item.id !== keep) {
      while (candidate.y > 0 && !out.some((p) => overlaps(p, { ...candidate, y: candidate.y - 1 })))
        candidate = { ...candidate, y: candidate.y - 1 };
    }
    out.push(candidate);
  }
  return out;
}

/** Where a new tile goes: below everything. */
export function nextSlot(
  items: readonly DashboardItem[],
  w: number,
  h: number,
): { x: number; y: number; w: number; h: number } {
  const bottom = items.reduce((max, item) => Math.max(max, item.y + item.h), 0);
  const lastRow = items.filter((item) => item.y + item.h === bottom);
  const used = lastRow.reduce((max, item) => Math.max(max, item.x + item.w), 0);
  if (lastRow.length > 0 && used + w <= GRID_COLUMNS)
    return { x: used, y: lastRow[0]?.y ?? 0, w, h };
  return { x: 0, y: bottom, w, h };
}

/**
 * A layout drawn on a wider grid (templates use 24 columns) scaled to the 12 columns: tiles keep
 * their share of the width instead of spilling into narrow implicit columns. Narrow layouts pass.
 */
export function fitColumns(items: readonly DashboardItem[]): DashboardItem[] {
  const widest = items.reduce((max, item) => Math.max(max, item.x + item.w), 0);
  if (widest <= GRID_COLUMNS) return [...items];
  const scale = GRID_COLUMNS / widest;
  return items.map((item) => {
    const x = Math.round(item.x * scale);
    const end = Math.round((item.x + item.w) * scale);
    return clampItem({ ...item, x, w: Math.max(1, end - x) });
  });
}
