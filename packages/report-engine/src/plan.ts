// Decisions shared by the SQL compiler and the in-memory twin, so both answer the same question:
// which grouping sets, how top N is applied, how rows are ordered and cut.
import type { NormalizedDimension, NormalizedMeasure, NormalizedReport } from './types.js';

/** Default cap on the rows one report returns (the API may lower it). */
export const DEFAULT_MAX_GROUPS = 10_000;

/** A grouping set: indexes into `groupDims`, those kept (the others are rolled up). */
export type GroupingSet = readonly number[];

export type Plan = {
  /** The dimensions grouped by, in order (funnels: the breakdown only; stage index is separate). */
  groupDims: readonly NormalizedDimension[];
  /** null: a plain GROUP BY (or none); otherwise explicit grouping sets. */
  sets: readonly GroupingSet[] | null;
  /**
   * none; limit: ORDER BY the ranked measure + LIMIT (one dimension, no totals); filter: only rows
   * whose top dimension is among the top N; fold: the rest folded into an "Other" row.
   */
  topMode: 'none' | 'limit' | 'filter' | 'fold';
  /** Index in groupDims of the ranked dimension (top N), or -1. */
  topIndex: number;
  /** Measures that are plain aggregates, in report order. */
  base: readonly NormalizedMeasure[];
};

function prefixes(from: number, count: number, subtotals: boolean, totals: boolean): number[][] {
  const all = Array.from({ length: count }, (_, i) => from + i);
  const out: number[][] = [all];
  if (subtotals) for (let n = count - 1; n >= 1; n--) out.push(all.slice(0, n));
  if (totals && count > 0) out.push([]);
  return out;
}

function sortFitsTop(report: NormalizedReport): boolean {
  const first = report.sort[0];
  return (
    report.sort.length === 0 ||
    (report.sort.length === 1 && first?.key === report.top?.by && first?.direction === 'desc')
  );
}

export function planReport(report: NormalizedReport): Plan {
  const groupDims = report.kind === 'table' && report.fields.length > 0 ? [] : report.dimensions;
  const rows = groupDims.filter((d) => d.axis === 'row');
  const cols = groupDims.filter((d) => d.axis === 'column');
  let sets: GroupingSet[] | null = null;
  switch (report.kind) {
    case 'table':
      if (rows.length > 0 && (report.totals || report.subtotals)) {
        sets = prefixes(0, rows.length, report.subtotals, report.totals || report.subtotals);
      }
      break;
    case 'pivot': {
      const r = prefixes(0, rows.length, report.subtotals, report.totals);
      const c = prefixes(rows.length, cols.length, report.subtotals, report.totals);
      sets = [];
      for (const a of r) for (const b of c) sets.push([...a, ...b]);
      if (sets.length === 1) sets = null;
      break;
    }
    case 'time_series':
      if (report.totals) sets = rows.length === 2 ? [[0, 1], [0], []] : [[0], []];
      break;
    case 'funnel':
      if (report.totals && rows.length === 1) sets = [[0], []];
      break;
    default:
      break;
  }
  let topMode: Plan['topMode'] = 'none';
  let topIndex = -1;
  if (report.top !== null) {
    topIndex = groupDims.findIndex((d) => d.id === report.top?.dimension);
    if (report.top.other) topMode = 'fold';
    else if (groupDims.length === 1 && sets === null && sortFitsTop(report)) topMode = 'limit';
    else topMode = 'filter';
  }
  const base = report.measures.filter((m) => m.fn !== 'ratio' && m.fn !== 'share');
  return { groupDims, sets, topMode, topIndex, base };
}

/** GROUPING() bitmask of a set: the first dimension is the most significant bit; 1 = rolled up. */
export function groupingMask(set: GroupingSet, dimCount: number): number {
  let g = 0;
  for (let i = 0; i < dimCount; i++) if (!set.includes(i)) g |= 1 << (dimCount - 1 - i);
  return g;
}

/** Whether dimension `i` is rolled up in a row with grouping mask `g`. */
export function isRolled(g: number, i: number, dimCount: number): boolean {
  return (g & (1 << (dimCount - 1 - i))) !== 0;
}

/** One ORDER BY key over output columns. */
export type OrderKey = {
  column: string;
  direction: 'asc' | 'desc';
  /** Compare as text in code-point order (COLLATE "C"). */
  text: boolean;
};

/** Dimension output kinds compared as text (`COLLATE "C"`). */
export function dimIsText(d: NormalizedDimension): boolean {
  const k = d.field.kind;
  return k === 'text' || k === 'text_array' || k === 'date' || d.bucket !== undefined;
}

/**
 * The total order of grouped output rows: totals first (so a truncation drops details), then
 * non-Other rows, then the report's sort keys, then every dimension ascending. NULLS LAST always.
 */
export function orderKeys(report: NormalizedReport, plan: Plan): OrderKey[] {
  const keys: OrderKey[] = [];
  if (plan.sets !== null) keys.push({ column: 'g', direction: 'desc', text: false });
  if (plan.topMode === 'fold') keys.push({ column: 'o', direction: 'asc', text: false });
  if (report.kind === 'funnel') keys.push({ column: 's', direction: 'asc', text: true });
  const sorts = [...report.sort];
  if (plan.topMode === 'limit' && report.top !== null && sorts.length === 0) {
    sorts.push({ key: report.top.by, target: 'measure', direction: 'desc' });
  }
  for (const s of sorts) {
    if (s.target === 'measure') {
      const i = report.measures.findIndex((m) => m.id === s.key);
      if (i >= 0) keys.push({ column: `m${i}`, direction: s.direction, text: false });
    } else {
      const i = plan.groupDims.findIndex((d) => d.id === s.key);
      const d = plan.groupDims[i];
      if (d !== undefined)
        keys.push({ column: `d${i}`, direction: s.direction, text: dimIsText(d) });
    }
  }
  plan.groupDims.forEach((d, i) => {
    if (!keys.some((k) => k.column === `d${i}`)) {
      keys.push({ column: `d${i}`, direction: 'asc', text: dimIsText(d) });
    }
  });
  return keys;
}
