// Rows of the report statement (from PostgreSQL, or from the in-memory twin in the same shape)
// -> a ReportResult: typed keys and values, labels, totals, pivot headers, funnel conversions,
// ranks and targets, time-series gaps filled and previous periods aligned, and a drill-down
// condition on every cell.
import { bucketKeys, bucketLabelOf, keyStart, nextBucketStart } from './buckets.js';
import { ZERO, add, toNumber, toRational } from './exact.js';
import { DEFAULT_MAX_GROUPS, type Plan, isRolled, planReport } from './plan.js';
import { addDays, isoInstant, localDate, parseInstant, startOfDay } from './time-zone.js';
import type {
  CellValue,
  Condition,
  ConditionLeaf,
  LocalizedText,
  NormalizedDimension,
  NormalizedMeasure,
  NormalizedReport,
  RangeValue,
  ReportResult,
  ResultDimension,
  ResultRow,
} from './types.js';

export type RawRow = Readonly<Record<string, unknown>>;

export type ToResultOptions = {
  /** The same cap given to toSql (default 10,000). */
  maxGroups?: number;
};

export const EMPTY_LABEL: LocalizedText = { 'zh-CN': '(空)', en: '(empty)' };
export const OTHER_LABEL: LocalizedText = { 'zh-CN': '其他', en: 'Other' };
export const FUNNEL_STAGE_ID = 'funnel_stage';

export function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function dimKey(d: NormalizedDimension, v: unknown): CellValue {
  if (v === null || v === undefined) return null;
  if (d.field.kind === 'number') return num(v);
  if (d.field.kind === 'boolean') return typeof v === 'boolean' ? v : v === 't' || v === 'true';
  if (d.field.kind === 'uuid') return String(v).toLowerCase();
  return String(v);
}

function measureValue(m: NormalizedMeasure, v: unknown): CellValue {
  if (v === null || v === undefined) return null;
  if (m.format === 'date' || m.format === 'datetime') return String(v);
  return num(v);
}

/** Code-point order of strings (PostgreSQL's COLLATE "C" on UTF-8). */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Ascending order of keys, NULLS LAST. */
export function compareCells(a: CellValue | undefined, b: CellValue | undefined): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an && bn ? 0 : an ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return compareText(String(a), String(b));
}

/** `dir` applied, NULLS LAST in both directions. */
function directed(a: CellValue | undefined, b: CellValue | undefined, desc: boolean): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an && bn ? 0 : an ? 1 : -1;
  const c = compareCells(a, b);
  return desc ? -c : c;
}

export function labelOf(d: NormalizedDimension, key: CellValue, other = false): LocalizedText {
  if (other) return OTHER_LABEL;
  if (key === null) return EMPTY_LABEL;
  if (d.bucket !== undefined && typeof key === 'string') return bucketLabelOf(key, d.bucket);
  if (d.bin !== undefined && typeof key === 'number') {
    const upper = toNumber(
      add(toRational(key) ?? { num: 0n, den: 1n }, toRational(d.bin.width) ?? { num: 0n, den: 1n }),
    );
    return `${key}–${upper}`;
  }
  if (typeof key === 'boolean')
    return key ? { 'zh-CN': '是', en: 'Yes' } : { 'zh-CN': '否', en: 'No' };
  const option = d.field.options?.find((o) => o.value === key);
  if (option !== undefined) return option.label;
  return String(key);
}

/** Local-date range of a bucket key as the range a condition on the field carries. */
export function bucketRange(
  key: string,
  d: NormalizedDimension,
  timeZone: string,
): RangeValue | null {
  if (d.bucket === undefined) return null;
  const start = keyStart(key, d.bucket);
  if (start === null) return null;
  const end = nextBucketStart(start, d.bucket);
  if (d.field.kind === 'date') return { from: start, to: end };
  return {
    from: isoInstant(startOfDay(start, timeZone)),
    to: isoInstant(startOfDay(end, timeZone)),
  };
}

/** The condition selecting the records behind one key of a dimension. */
export function keyCondition(d: NormalizedDimension, key: CellValue, timeZone: string): Condition {
  const f = d.field;
  const leaf = (op: ConditionLeaf['op'], value?: ConditionLeaf['value']): ConditionLeaf =>
    value === undefined
      ? { field: f.path, op, kind: f.kind }
      : { field: f.path, op, kind: f.kind, value };
  if (key === null) return leaf('is_empty');
  if (f.kind === 'text_array') return leaf('contains', String(key));
  if (d.bucket !== undefined && typeof key === 'string') {
    const range = bucketRange(key, d, timeZone);
    if (range !== null) return leaf('in_range', range);
  }
  if (d.bin !== undefined && typeof key === 'number') {
    const upper = toNumber(
      add(toRational(key) ?? { num: 0n, den: 1n }, toRational(d.bin.width) ?? { num: 0n, den: 1n }),
    );
    return { and: [leaf('gte', key), leaf('lt', upper)] };
  }
  if (typeof key === 'number' || typeof key === 'boolean' || typeof key === 'string')
    return leaf('eq', key);
  return leaf('is_empty');
}

function andAll(parts: Condition[]): Condition {
  const flat: Condition[] = [];
  for (const p of parts) {
    if ('and' in p) flat.push(...p.and);
    else flat.push(p);
  }
  return flat.length === 1 ? (flat[0] as Condition) : { and: flat };
}

/** What every cell's drill-down starts from: the report filter and the current period. */
function baseDrill(report: NormalizedReport): Condition[] {
  const parts: Condition[] = [];
  if (report.filter !== null) parts.push(report.filter);
  if (report.period !== null) {
    const p = report.period;
    parts.push({ field: p.field.path, op: 'in_range', kind: p.field.kind, value: p.current });
  }
  return parts;
}

function resultDimension(d: NormalizedDimension): ResultDimension {
  return {
    id: d.id,
    field: d.field.path,
    label: d.label,
    kind: d.field.kind,
    axis: d.axis,
    ...(d.bucket !== undefined ? { bucket: d.bucket } : {}),
    ...(d.bin !== undefined ? { bin: d.bin } : {}),
  };
}

const ADDITIVE = new Set(['count', 'count_distinct', 'sum', 'weighted_sum', 'share']);

function fillValue(m: NormalizedMeasure): CellValue {
  return ADDITIVE.has(m.fn) ? 0 : null;
}

type Parsed = {
  row: ResultRow;
  g: number;
  other: boolean;
  stage: number | null;
  /** Previous-period values by measure id. */
  prev: Record<string, CellValue>;
};

function deltas(row: ResultRow, report: NormalizedReport): void {
  if (row.previous === undefined) return;
  const delta: Record<string, number | null> = {};
  const pct: Record<string, number | null> = {};
  for (const m of report.measures) {
    const c = row.values[m.id];
    const p = row.previous[m.id];
    if (typeof c === 'number' && typeof p === 'number') {
      delta[m.id] = c - p;
      pct[m.id] = p === 0 ? null : (c - p) / Math.abs(p);
    } else {
      delta[m.id] = null;
      pct[m.id] = null;
    }
  }
  row.delta = delta;
  row.deltaPct = pct;
}

function parseGrouped(report: NormalizedReport, plan: Plan, raw: RawRow): Parsed {
  const n = plan.groupDims.length;
  const g = num(raw['g']) ?? 0;
  const other = raw['o'] === true || raw['o'] === 't';
  const keys: Record<string, CellValue> = {};
  const labels: Record<string, LocalizedText> = {};
  const rolledUp: string[] = [];
  plan.groupDims.forEach((d, i) => {
    if (isRolled(g, i, n)) {
      rolledUp.push(d.id);
      return;
    }
    const isOther = other && i === plan.topIndex;
    const key = isOther ? null : dimKey(d, raw[`d${i}`]);
    keys[d.id] = key;
    labels[d.id] = labelOf(d, key, isOther);
  });
  const values: Record<string, CellValue> = {};
  const prev: Record<string, CellValue> = {};
  report.measures.forEach((m, i) => {
    values[m.id] = measureValue(m, raw[`m${i}`]);
    if (report.compare !== null) prev[m.id] = measureValue(m, raw[`p${i}`]);
  });
  const level = rolledUp.length === 0 ? 'detail' : rolledUp.length === n ? 'total' : 'subtotal';
  const row: ResultRow = { keys, labels, values, level, rolledUp, drill: { and: [] } };
  if (other) {
    row.other = true;
    row.otherDimension = (plan.groupDims[plan.topIndex] as NormalizedDimension).id;
  }
  const s = raw['s'];
  const stage =
    typeof s === 'string' && report.funnel !== null ? report.funnel.stages.indexOf(s) + 1 : null;
  return { row, g, other, stage: stage === 0 ? null : stage, prev };
}

function drillOf(
  report: NormalizedReport,
  plan: Plan,
  p: Parsed,
  topKeys: readonly CellValue[],
  extra: Condition[] = [],
): Condition {
  const parts = baseDrill(report);
  plan.groupDims.forEach((d, i) => {
    if (p.row.rolledUp.includes(d.id)) return;
    if (p.other && i === plan.topIndex) {
      parts.push({ not: { or: topKeys.map((k) => keyCondition(d, k, report.timeZone)) } });
    } else parts.push(keyCondition(d, p.row.keys[d.id] ?? null, report.timeZone));
  });
  parts.push(...extra);
  return andAll(parts);
}

/** Display order of grouped rows: hierarchical (subtotals after their details), Other last. */
function displaySort(report: NormalizedReport, plan: Plan, rows: Parsed[]): Parsed[] {
  const dims = plan.groupDims;
  const sorts =
    report.sort.length > 0
      ? report.sort
      : report.top !== null
        ? [{ key: report.top.by, target: 'measure' as const, direction: 'desc' as const }]
        : [];
  const prefixKey = (p: Parsed, depth: number): string =>
    JSON.stringify([p.other, dims.slice(0, depth + 1).map((d) => p.row.keys[d.id] ?? null)]);
  const deepest = (p: Parsed): number => {
    let i = -1;
    dims.forEach((d, j) => {
      if (!p.row.rolledUp.includes(d.id)) i = j;
    });
    return i;
  };
  const byPrefix = new Map<string, Parsed>();
  for (const p of rows) {
    const depth = deepest(p);
    const contiguous = dims.slice(0, depth + 1).every((d) => !p.row.rolledUp.includes(d.id));
    if (depth >= 0 && contiguous) byPrefix.set(prefixKey(p, depth), p);
  }
  const groupValue = (p: Parsed, depth: number, measure: string): CellValue | undefined => {
    if (deepest(p) === depth) return p.row.values[measure];
    return byPrefix.get(prefixKey(p, depth))?.row.values[measure];
  };
  const cmp = (a: Parsed, b: Parsed): number => {
    if (a.stage !== null && b.stage !== null && a.stage !== b.stage) return a.stage - b.stage;
    for (let i = 0; i < dims.length; i++) {
      const d = dims[i] as NormalizedDimension;
      const ra = a.row.rolledUp.includes(d.id);
      const rb = b.row.rolledUp.includes(d.id);
      if (ra && rb) continue;
      if (ra) return 1;
      if (rb) return -1;
      const oa = a.other && i === plan.topIndex;
      const ob = b.other && i === plan.topIndex;
      const ka = a.row.keys[d.id] ?? null;
      const kb = b.row.keys[d.id] ?? null;
      if (oa === ob && compareCells(ka, kb) === 0) continue;
      if (oa !== ob) return oa ? 1 : -1;
      for (const s of sorts) {
        if (s.target === 'measure') {
          const va = groupValue(a, i, s.key);
          const vb = groupValue(b, i, s.key);
          if (va !== undefined && vb !== undefined) {
            const c = directed(va, vb, s.direction === 'desc');
            if (c !== 0) return c;
          }
        } else if (s.key === d.id) {
          return directed(ka, kb, s.direction === 'desc');
        }
      }
      return compareCells(ka, kb);
    }
    return 0;
  };
  return [...rows].sort(cmp);
}

function detailResult(
  report: NormalizedReport,
  raw: readonly RawRow[],
  base: ReportResult,
): ReportResult {
  base.fields = report.fields.map((f) => ({
    id: f.path,
    field: f.path,
    label: f.label,
    kind: f.kind,
    axis: 'row' as const,
  }));
  base.rows = raw.map((r) => {
    const keys: Record<string, CellValue> = {};
    const labels: Record<string, LocalizedText> = {};
    report.fields.forEach((f, i) => {
      const v = r[`f${i}`];
      let cell: CellValue;
      if (v === null || v === undefined) cell = null;
      else if (f.kind === 'number') cell = num(v);
      else if (f.kind === 'boolean') cell = v === true || v === 't';
      else if (f.kind === 'text_array')
        cell = Array.isArray(v) ? v.map(String).join('、') : String(v);
      else if (f.kind === 'json') cell = typeof v === 'string' ? v : JSON.stringify(v);
      else cell = String(v);
      keys[f.path] = cell;
      const option =
        typeof cell === 'string' ? f.options?.find((o) => o.value === cell) : undefined;
      labels[f.path] =
        option !== undefined ? option.label : cell === null ? EMPTY_LABEL : String(cell);
    });
    const id = String(r['id']);
    return {
      keys,
      labels,
      values: {},
      level: 'detail' as const,
      rolledUp: [],
      recordId: id,
      drill: { field: 'id', op: 'eq', kind: 'uuid', value: id },
    };
  });
  return base;
}

/** Local first and last dates of a range (for filling time-series gaps). */
function rangeDates(
  range: RangeValue,
  kind: 'date' | 'datetime',
  timeZone: string,
): [string, string] | null {
  if (range.from === undefined || range.to === undefined) return null;
  if (kind === 'date') return [range.from, addDays(range.to, -1)];
  const a = parseInstant(range.from, 'UTC');
  const b = parseInstant(range.to, 'UTC');
  if (a === null || b === null || b <= a) return null;
  return [localDate(a, timeZone), localDate(b - 1, timeZone)];
}

function timeSeries(
  report: NormalizedReport,
  plan: Plan,
  parsed: Parsed[],
  topKeys: CellValue[],
): Parsed[] {
  const time = plan.groupDims[0] as NormalizedDimension;
  const bucket = time.bucket ?? 'day';
  const tdim = { ...time, bucket };
  const keysOf = (range: RangeValue | undefined): string[] | null => {
    if (range === undefined || report.period === null) return null;
    const dates = rangeDates(
      range,
      report.period.field.kind as 'date' | 'datetime',
      report.timeZone,
    );
    return dates === null ? null : bucketKeys(dates[0], dates[1], bucket);
  };
  // Groups: every row but the time key.
  const groups = new Map<string, { sample: Parsed; byTime: Map<string, Parsed> }>();
  const timeless: Parsed[] = [];
  for (const p of parsed) {
    if (p.row.rolledUp.includes(time.id)) {
      timeless.push(p);
      continue;
    }
    const sig = JSON.stringify([
      p.g,
      p.other,
      plan.groupDims.slice(1).map((d) => p.row.keys[d.id] ?? null),
    ]);
    let grp = groups.get(sig);
    if (grp === undefined) {
      grp = { sample: p, byTime: new Map() };
      groups.set(sig, grp);
    }
    grp.byTime.set(String(p.row.keys[time.id]), p);
  }
  const present = parsed
    .filter((p) => !p.row.rolledUp.includes(time.id))
    .map((p) => p.row.keys[time.id])
    .filter((k): k is string => typeof k === 'string')
    .sort(compareText);
  let current = keysOf(report.period?.current);
  if (current === null && present.length > 0) {
    const first = keyStart(present[0] as string, bucket);
    const last = keyStart(present[present.length - 1] as string, bucket);
    current = first !== null && last !== null ? bucketKeys(first, last, bucket) : present;
  }
  const previous = report.compare !== null ? keysOf(report.period?.previous) : null;
  const out: Parsed[] = [];
  for (const grp of groups.values()) {
    (current ?? []).forEach((key, i) => {
      const have = grp.byTime.get(key);
      const p: Parsed =
        have ??
        ({
          ...grp.sample,
          stage: null,
          prev: Object.fromEntries(report.measures.map((m) => [m.id, fillValue(m)])),
          row: {
            ...grp.sample.row,
            keys: { ...grp.sample.row.keys, [time.id]: key },
            labels: { ...grp.sample.row.labels, [time.id]: labelOf(tdim, key) },
            values: Object.fromEntries(report.measures.map((m) => [m.id, fillValue(m)])),
          },
        } satisfies Parsed);
      if (previous !== null) {
        const pk = previous[i];
        const prevRow = pk === undefined ? undefined : grp.byTime.get(pk);
        p.row.previousKey = pk ?? null;
        p.prev = Object.fromEntries(
          report.measures.map((m) => [
            m.id,
            pk === undefined ? null : (prevRow?.prev[m.id] ?? fillValue(m)),
          ]),
        );
      }
      p.row.drill = drillOf(report, plan, p, topKeys);
      out.push(p);
    });
  }
  for (const p of timeless) {
    p.row.drill = drillOf(report, plan, p, topKeys);
    out.push(p);
  }
  return out;
}

function funnelRows(report: NormalizedReport, plan: Plan, parsed: Parsed[]): ResultRow[] {
  const f = report.funnel as NonNullable<NormalizedReport['funnel']>;
  const stages = f.stages;
  type FunnelGroup = { sample: Parsed; at: Map<number, Parsed> };
  const groups = new Map<string, FunnelGroup>();
  for (const p of parsed) {
    const sig = JSON.stringify([p.g, plan.groupDims.map((d) => p.row.keys[d.id] ?? null)]);
    let grp = groups.get(sig);
    if (grp === undefined) {
      grp = { sample: p, at: new Map() };
      groups.set(sig, grp);
    }
    if (p.stage !== null) grp.at.set(p.stage, p);
  }
  if (groups.size === 0 && plan.groupDims.length === 0) {
    const empty: Parsed = {
      row: { keys: {}, labels: {}, values: {}, level: 'detail', rolledUp: [], drill: { and: [] } },
      g: 0,
      other: false,
      stage: null,
      prev: {},
    };
    groups.set('[]', { sample: empty, at: new Map() });
  }
  const out: ResultRow[] = [];
  const first = report.measures[0] as NormalizedMeasure;
  const bySample = new Map([...groups.values()].map((g) => [g.sample, g]));
  const ordered = displaySort(report, plan, [...bySample.keys()]).map(
    (s) => bySample.get(s) as FunnelGroup,
  );
  for (const grp of ordered) {
    const at = (i: number, m: NormalizedMeasure): unknown =>
      grp.at.get(i + 1)?.row.values[m.id] ?? 0;
    const value = (i: number, m: NormalizedMeasure): number => {
      if (f.mode === 'current') return num(at(i, m)) ?? 0;
      // Summed exactly, so 0.1 + 0.2 reads 0.3 here as in the database.
      let total = ZERO;
      for (let j = i; j < stages.length; j++) total = add(total, toRational(at(j, m)) ?? ZERO);
      return toNumber(total);
    };
    stages.forEach((stage, i) => {
      const values: Record<string, CellValue> = {};
      for (const m of report.measures) values[m.id] = value(i, m);
      const v = value(i, first);
      const prev = i === 0 ? null : value(i - 1, first);
      const head = value(0, first);
      const stageCond: ConditionLeaf =
        f.mode === 'reached'
          ? { field: f.field.path, op: 'in', kind: 'text', value: stages.slice(i) }
          : { field: f.field.path, op: 'eq', kind: 'text', value: stage };
      const sample = grp.sample;
      out.push({
        keys: { [FUNNEL_STAGE_ID]: stage, ...sample.row.keys },
        labels: { [FUNNEL_STAGE_ID]: stageLabel(f, stage), ...sample.row.labels },
        values,
        level: sample.row.level,
        rolledUp: sample.row.rolledUp,
        step: {
          stage,
          index: i,
          stepConversion: prev === null || prev === 0 ? null : v / prev,
          overallConversion: head === 0 ? null : v / head,
        },
        drill: drillOf(report, plan, sample, [], [stageCond]),
      });
    });
  }
  return out;
}

function stageLabel(f: NonNullable<NormalizedReport['funnel']>, stage: string): LocalizedText {
  return f.field.options?.find((o) => o.value === stage)?.label ?? stage;
}

/**
 * Shapes the statement's rows into a ReportResult (the API calls this on what PostgreSQL
 * returned; runInMemory calls it on its own rows of the same shape).
 */
export function toResult(
  report: NormalizedReport,
  rows: readonly RawRow[],
  options: ToResultOptions = {},
): ReportResult {
  const maxGroups = options.maxGroups ?? DEFAULT_MAX_GROUPS;
  const truncated = rows.length > maxGroups;
  const raw = truncated ? rows.slice(0, maxGroups) : rows;
  const plan = planReport(report);
  const result: ReportResult = {
    kind: report.kind,
    ...(report.title !== undefined ? { title: report.title } : {}),
    formId: report.formId,
    timeZone: report.timeZone,
    dimensions: plan.groupDims.map(resultDimension),
    measures: report.measures.map((m) => ({
      id: m.id,
      fn: m.fn,
      label: m.label,
      format: m.format,
      hidden: m.hidden,
    })),
    fields: [],
    rows: [],
    total: null,
    period:
      report.period === null
        ? null
        : {
            current: report.period.current,
            ...(report.period.previous !== undefined ? { previous: report.period.previous } : {}),
          },
    truncated,
  };
  if (report.kind === 'table' && report.fields.length > 0) return detailResult(report, raw, result);

  let parsed = raw.map((r) => parseGrouped(report, plan, r));
  const topKeys =
    plan.topMode === 'fold' && plan.topIndex >= 0
      ? uniqueKeys(
          parsed
            .filter(
              (p) =>
                !p.other &&
                !p.row.rolledUp.includes((plan.groupDims[plan.topIndex] as NormalizedDimension).id),
            )
            .map(
              (p) => p.row.keys[(plan.groupDims[plan.topIndex] as NormalizedDimension).id] ?? null,
            ),
        )
      : [];

  if (report.kind === 'funnel') {
    result.funnel = {
      stages: [...(report.funnel?.stages ?? [])],
      mode: report.funnel?.mode ?? 'reached',
    };
    result.dimensions = [
      {
        id: FUNNEL_STAGE_ID,
        field: report.funnel?.field.path ?? 'stage',
        label: report.funnel?.field.label ?? 'stage',
        kind: 'text',
        axis: 'row',
      },
      ...result.dimensions,
    ];
    const all = funnelRows(report, plan, parsed);
    result.rows = all.filter((r) => r.level === 'detail');
    const totals = all.filter((r) => r.level === 'total');
    if (totals.length > 0) result.rows.push(...totals);
    return result;
  }

  if (report.kind === 'time_series') parsed = timeSeries(report, plan, parsed, topKeys);
  else for (const p of parsed) p.row.drill = drillOf(report, plan, p, topKeys);

  for (const p of parsed) {
    if (report.compare !== null) {
      p.row.previous = p.prev;
      deltas(p.row, report);
    }
  }

  if (report.kind === 'leaderboard') {
    const lb = report.leaderboard as NonNullable<NormalizedReport['leaderboard']>;
    const rows2 = raw.map((r, i) => ({ r, p: parsed[i] as Parsed }));
    for (const { r, p } of rows2) {
      p.row.rank = num(r['rk']) ?? 0;
      if (lb.target !== null) {
        const target = num(r['tg']);
        const actual = p.row.values[lb.by];
        p.row.target = target;
        p.row.attainment =
          target !== null && target > 0 && typeof actual === 'number' ? actual / target : null;
      }
    }
    const d0 = plan.groupDims[0] as NormalizedDimension;
    result.rows = parsed
      .map((p) => p.row)
      .sort(
        (a, b) =>
          (a.rank ?? 0) - (b.rank ?? 0) ||
          compareCells(a.keys[d0.id] ?? null, b.keys[d0.id] ?? null),
      );
    return result;
  }

  if (report.kind === 'kpi') {
    const row = parsed[0]?.row ?? {
      keys: {},
      labels: {},
      values: Object.fromEntries(report.measures.map((m) => [m.id, fillValue(m)])),
      level: 'total' as const,
      rolledUp: [],
      drill: andAll(baseDrill(report)),
    };
    row.level = 'total';
    result.rows = [row];
    result.total = row;
    return result;
  }

  const sorted = displaySort(report, plan, parsed).map((p) => p.row);
  const grand = sorted.find(
    (r) =>
      r.level === 'total' &&
      r.rolledUp.length === plan.groupDims.length &&
      plan.groupDims.length > 0,
  );
  result.total = grand ?? null;
  result.rows = sorted.filter((r) => r !== grand);

  if (report.kind === 'pivot') {
    const rowDims = plan.groupDims.filter((d) => d.axis === 'row');
    const colDims = plan.groupDims.filter((d) => d.axis === 'column');
    const tuple = (r: ResultRow, dims: readonly NormalizedDimension[]): CellValue[] =>
      dims.map((d) => r.keys[d.id] ?? null);
    const isFull = (r: ResultRow, dims: readonly NormalizedDimension[]): boolean =>
      dims.every((d) => !r.rolledUp.includes(d.id));
    const seen = new Set<string>();
    const rowKeys: CellValue[][] = [];
    const colSeen = new Set<string>();
    const colKeys: CellValue[][] = [];
    for (const r of sorted) {
      if (isFull(r, rowDims)) {
        const t = tuple(r, rowDims);
        const k = JSON.stringify([r.other === true, t]);
        if (!seen.has(k)) {
          seen.add(k);
          rowKeys.push(t);
        }
      }
      if (isFull(r, colDims)) {
        const t = tuple(r, colDims);
        const k = JSON.stringify(t);
        if (!colSeen.has(k)) {
          colSeen.add(k);
          colKeys.push(t);
        }
      }
    }
    colKeys.sort((a, b) => {
      for (let i = 0; i < a.length; i++) {
        const d = colDims[i] as NormalizedDimension;
        const s = report.sort.find((x) => x.key === d.id);
        const c = directed(a[i] ?? null, b[i] ?? null, s?.direction === 'desc');
        if (c !== 0) return c;
      }
      return 0;
    });
    result.pivot = {
      rowDimensions: rowDims.map((d) => d.id),
      columnDimensions: colDims.map((d) => d.id),
      rowKeys,
      columnKeys: colKeys,
    };
  }
  return result;
}

function uniqueKeys(keys: CellValue[]): CellValue[] {
  const out: CellValue[] = [];
  for (const k of keys)
    if (!out.some((x) => compareCells(x, k) === 0 && (x === null) === (k === null))) out.push(k);
  return out;
}
