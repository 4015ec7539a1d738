// A result laid out as a grid of cells (header rows + body rows): what exports write and what the
// table and pivot-table charts show. Pivots become a matrix: row keys down, column keys across.
import { compareCells } from './to-result.js';
import type { CellValue, LocalizedText, ReportResult, ResultMeasure, ResultRow } from './types.js';

export type GridCell = string | number | null;
export type Grid = { header: GridCell[][]; body: GridCell[][] };

/** The text of a localized label in `locale` (falls back to zh-CN). */
export function localize(text: LocalizedText | undefined, locale = 'zh-CN'): string {
  if (text === undefined) return '';
  if (typeof text === 'string') return text;
  return text[locale] ?? text['zh-CN'];
}

const WORDS = {
  subtotal: { 'zh-CN': '小计', en: 'Subtotal' },
  total: { 'zh-CN': '合计', en: 'Total' },
  previous: { 'zh-CN': '上期', en: 'Previous' },
  delta: { 'zh-CN': '变化', en: 'Change' },
  deltaPct: { 'zh-CN': '变化率', en: 'Change %' },
  rank: { 'zh-CN': '排名', en: 'Rank' },
  target: { 'zh-CN': '目标', en: 'Target' },
  attainment: { 'zh-CN': '完成率', en: 'Attainment' },
  step: { 'zh-CN': '阶段转化率', en: 'Step conversion' },
  overall: { 'zh-CN': '总转化率', en: 'Overall conversion' },
} as const;

export function word(key: keyof typeof WORDS, locale: string): string {
  return localize(WORDS[key], locale);
}

function cell(v: CellValue | undefined): GridCell {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return v;
}

function visible(result: ReportResult): ResultMeasure[] {
  return result.measures.filter((m) => !m.hidden);
}

function keyCells(row: ResultRow, dims: readonly string[], locale: string): GridCell[] {
  let marked = false;
  return dims.map((id) => {
    if (!row.rolledUp.includes(id))
      return localize(row.labels[id] ?? String(row.keys[id] ?? ''), locale);
    if (marked) return null;
    marked = true;
    return word(dims.every((d) => row.rolledUp.includes(d)) ? 'total' : 'subtotal', locale);
  });
}

function pivotGrid(result: ReportResult, locale: string): Grid {
  const p = result.pivot as NonNullable<ReportResult['pivot']>;
  const measures = visible(result);
  const rowDims = p.rowDimensions;
  const colDims = p.columnDimensions;
  const all = [...result.rows, ...(result.total === null ? [] : [result.total])];
  const keyOf = (r: ResultRow, dims: readonly string[]): string =>
    JSON.stringify(
      dims.map((d) => (r.rolledUp.includes(d) ? '\u0000rolled' : (r.keys[d] ?? null))),
    );
  const cells = new Map<string, ResultRow>();
  for (const r of all) cells.set(`${keyOf(r, rowDims)}|${keyOf(r, colDims)}`, r);
  const labelOf = (dimId: string, key: CellValue): string => {
    const r = all.find(
      (x) => !x.rolledUp.includes(dimId) && compareCells(x.keys[dimId] ?? null, key) === 0,
    );
    return localize(r?.labels[dimId] ?? String(key ?? ''), locale);
  };
  const hasColTotal = all.some(
    (r) =>
      colDims.every((d) => r.rolledUp.includes(d)) && rowDims.every((d) => !r.rolledUp.includes(d)),
  );
  const columns: Array<{ key: string; labels: string[] }> = p.columnKeys.map((k) => ({
    key: JSON.stringify(k),
    labels: k.map((v, i) => labelOf(colDims[i] as string, v)),
  }));
  if (hasColTotal) {
    columns.push({
      key: JSON.stringify(colDims.map(() => '\u0000rolled')),
      labels: [word('total', locale), ...colDims.slice(1).map(() => '')],
    });
  }
  const header: GridCell[][] = colDims.map((_, level) => [
    ...rowDims.map((d, i) =>
      level === colDims.length - 1
        ? localize(result.dimensions.find((x) => x.id === d)?.label, locale)
        : i === 0
          ? ''
          : null,
    ),
    ...columns.flatMap((c) => measures.map((_, j) => (j === 0 ? (c.labels[level] ?? '') : null))),
  ]);
  if (measures.length > 1) {
    header.push([
      ...rowDims.map(() => null),
      ...columns.flatMap(() => measures.map((m) => localize(m.label, locale))),
    ]);
  }
  const body: GridCell[][] = [];
  const rowOrder: ResultRow[] = [];
  const seen = new Set<string>();
  for (const r of all) {
    const k = keyOf(r, rowDims);
    if (seen.has(k)) continue;
    seen.add(k);
    rowOrder.push(r);
  }
  for (const r of rowOrder) {
    const rk = keyOf(r, rowDims);
    const line: GridCell[] = keyCells(r, rowDims, locale);
    for (const c of columns) {
      const hit = cells.get(`${rk}|${c.key}`);
      for (const m of measures) line.push(cell(hit?.values[m.id]));
    }
    body.push(line);
  }
  return { header, body };
}

/** The result as a grid: a flat table for every kind, a matrix for pivots. */
export function resultGrid(result: ReportResult, locale = 'zh-CN'): Grid {
  if (result.kind === 'pivot' && result.pivot !== undefined) return pivotGrid(result, locale);
  if (result.fields.length > 0) {
    return {
      header: [result.fields.map((f) => localize(f.label, locale))],
      body: result.rows.map((r) =>
        result.fields.map((f) => {
          const key = r.keys[f.id] ?? null;
          if (key === null || typeof key === 'number') return key;
          return localize(r.labels[f.id], locale) || cell(key);
        }),
      ),
    };
  }
  const measures = visible(result);
  const dims = result.dimensions.map((d) => d.id);
  const compare = result.rows.some((r) => r.previous !== undefined);
  const header: GridCell[] = [
    ...(result.kind === 'leaderboard' ? [word('rank', locale)] : []),
    ...result.dimensions.map((d) => localize(d.label, locale)),
  ];
  for (const m of measures) {
    header.push(localize(m.label, locale));
    if (compare)
      header.push(
        `${localize(m.label, locale)} ${word('previous', locale)}`,
        word('delta', locale),
        word('deltaPct', locale),
      );
  }
  const leaderTargets = result.rows.some((r) => r.target !== undefined);
  if (leaderTargets) header.push(word('target', locale), word('attainment', locale));
  if (result.kind === 'funnel') header.push(word('step', locale), word('overall', locale));
  const rows = [
    ...result.rows,
    ...(result.total !== null && !result.rows.includes(result.total) ? [result.total] : []),
  ];
  const body = rows.map((r) => {
    const line: GridCell[] = [
      ...(result.kind === 'leaderboard' ? [r.rank ?? null] : []),
      ...keyCells(r, dims, locale),
    ];
    for (const m of measures) {
      line.push(cell(r.values[m.id]));
      if (compare)
        line.push(cell(r.previous?.[m.id]), r.delta?.[m.id] ?? null, r.deltaPct?.[m.id] ?? null);
    }
    if (leaderTargets) line.push(r.target ?? null, r.attainment ?? null);
    if (result.kind === 'funnel')
      line.push(r.step?.stepConversion ?? null, r.step?.overallConversion ?? null);
    return line;
  });
  return { header: [header], body };
}
