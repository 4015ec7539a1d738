// The in-memory twin of toSql: the same report over plain rows (field ids as keys), producing the
// statement's rows in the same shape, then the same toResult. Sums, averages and ratios are exact
// rationals, so ordering and ties agree with PostgreSQL's numeric.
import { bucketKey, bucketStart } from './buckets.js';
import {
  type Numeric,
  type Rational,
  ZERO,
  add,
  compare as compareRational,
  div,
  floor,
  mul,
  nAdd,
  nDiv,
  nMul,
  nToNumber,
  numericOfInteger,
  rational,
  toNumber,
  toNumeric,
  toRational,
} from './exact.js';
import { type Row, comparable, matchesCondition, valueAt } from './match-condition.js';
import {
  DEFAULT_MAX_GROUPS,
  type GroupingSet,
  type OrderKey,
  groupingMask,
  orderKeys,
  planReport,
} from './plan.js';
import { dateValue, isoInstant, localDate, parseInstant } from './time-zone.js';
import { type RawRow, compareCells, toResult } from './to-result.js';
import type {
  CellValue,
  Condition,
  NormalizedDimension,
  NormalizedMeasure,
  NormalizedReport,
  ReportResult,
} from './types.js';

export type RunInMemoryOptions = {
  /** The viewer's row scope (the same condition given to toSql). */
  rowScope?: Condition;
  /** Rows of the leaderboard's targets form. */
  targetRows?: readonly Row[];
  maxGroups?: number;
  excludeDrafts?: boolean;
};

type Variant = 'all' | 'cur' | 'prev';

/** One aggregate in progress. */
type Acc = {
  n: number;
  sum: Numeric | null;
  distinct: Set<string> | null;
  best: { cmp: number | string | Rational; out: CellValue; numeric: Numeric | null } | null;
  reachedTo: number;
  reachedFrom: number;
};

function newAcc(): Acc {
  return { n: 0, sum: null, distinct: null, best: null, reachedTo: 0, reachedFrom: 0 };
}

type Exact = Rational | string | number | null;

/** A measure's final value: exact (for ordering), as output, and as a numeric for divisions. */
type Value = { exact: Exact; out: CellValue; numeric: Numeric | null };

const NONE: Value = { exact: null, out: null, numeric: null };

function ofNumeric(n: Numeric | null): Value {
  return n === null ? NONE : { exact: n.r, out: nToNumber(n), numeric: n };
}

function canonical(v: unknown): string {
  return JSON.stringify(v);
}

class Evaluator {
  private readonly tz: string;
  constructor(readonly report: NormalizedReport) {
    this.tz = report.timeZone;
  }

  matches(c: Condition, row: Row): boolean {
    return matchesCondition(c, row, { timeZone: this.tz });
  }

  /** The keys a row has for a dimension (several for a multi-select: one per value). */
  dimKeys(d: NormalizedDimension, row: Row): CellValue[] {
    const v = valueAt(row, d.field.path);
    switch (d.field.kind) {
      case 'text_array': {
        if (!Array.isArray(v) || v.length === 0) return [null];
        return v.map((x) => (x === null || x === undefined ? null : String(x)));
      }
      case 'date': {
        const date = dateValue(v);
        if (date === null) return [null];
        return [d.bucket === undefined ? date : bucketKey(bucketStart(date, d.bucket), d.bucket)];
      }
      case 'datetime': {
        const ms = parseInstant(v, this.tz);
        if (ms === null || v === null || v === undefined) return [null];
        const date = localDate(ms, this.tz);
        const bucket = d.bucket ?? 'day';
        return [bucketKey(bucketStart(date, bucket), bucket)];
      }
      case 'number': {
        const r = toRational(v);
        if (r === null) return [null];
        if (d.bin === undefined) return [toNumber(r)];
        const w = toRational(d.bin.width) as Rational;
        const o = toRational(d.bin.origin) as Rational;
        const k = floor(div(add(r, { num: -o.num, den: o.den }), w) as Rational);
        return [toNumber(add(mul(rational(k), w), o))];
      }
      default: {
        const c = comparable(d.field.kind, v, this.tz);
        return [c];
      }
    }
  }

  /** Adds one row to an aggregate. */
  feed(acc: Acc, m: NormalizedMeasure, row: Row): void {
    const value = m.field === undefined ? undefined : valueAt(row, m.field.path);
    switch (m.fn) {
      case 'count':
        if (m.field === undefined || (value !== null && value !== undefined)) acc.n += 1;
        return;
      case 'count_distinct': {
        if (value === null || value === undefined) return;
        const kind = m.field?.kind ?? 'text';
        const key =
          kind === 'number' ? exactKey(value) : canonical(comparable(kind, value, this.tz));
        if (key === 'null') return;
        if (acc.distinct === null) acc.distinct = new Set();
        acc.distinct.add(key);
        return;
      }
      case 'sum':
      case 'avg': {
        const r = toNumeric(value);
        if (r === null) return;
        acc.sum = acc.sum === null ? r : nAdd(acc.sum, r);
        acc.n += 1;
        return;
      }
      case 'weighted_sum': {
        const a = toNumeric(value);
        const w = toNumeric(valueAt(row, (m.weight as { path: string }).path));
        if (a === null || w === null) return;
        const p = nMul(a, w);
        acc.sum = acc.sum === null ? p : nAdd(acc.sum, p);
        return;
      }
      case 'min':
      case 'max': {
        const kind = m.field?.kind;
        let cmp: number | string | Rational | null = null;
        let out: CellValue = null;
        let numeric: Numeric | null = null;
        if (kind === 'number') {
          numeric = toNumeric(value);
          if (numeric !== null) {
            cmp = numeric.r;
            out = nToNumber(numeric);
          }
        } else if (kind === 'date') {
          const d = dateValue(value);
          if (d !== null) {
            cmp = d;
            out = d;
          }
        } else if (kind === 'datetime') {
          const ms = value === null || value === undefined ? null : parseInstant(value, this.tz);
          if (ms !== null) {
            cmp = ms;
            out = isoInstant(ms);
          }
        }
        if (cmp === null) return;
        if (acc.best === null) {
          acc.best = { cmp, out, numeric };
          return;
        }
        const c = compareExact(cmp, acc.best.cmp);
        if ((m.fn === 'min' && c < 0) || (m.fn === 'max' && c > 0))
          acc.best = { cmp, out, numeric };
        return;
      }
      case 'conversion': {
        const c = m.conversion;
        if (c === undefined) return;
        const stage = valueAt(row, c.field.path);
        if (typeof stage !== 'string') return;
        if (c.reachedTo.includes(stage)) acc.reachedTo += 1;
        if (c.reachedFrom.includes(stage)) acc.reachedFrom += 1;
        return;
      }
      default:
        return;
    }
  }

  finish(acc: Acc, m: NormalizedMeasure): Value {
    switch (m.fn) {
      case 'count':
        return ofNumeric(numericOfInteger(acc.n));
      case 'count_distinct':
        return ofNumeric(numericOfInteger(acc.distinct?.size ?? 0));
      case 'sum':
        return ofNumeric(acc.sum);
      case 'avg':
        return acc.sum === null || acc.n === 0
          ? NONE
          : ofNumeric(nDiv(acc.sum, numericOfInteger(acc.n)));
      case 'weighted_sum':
        if (acc.sum === null) return NONE;
        return ofNumeric(m.weightDivisor === 100 ? nDiv(acc.sum, numericOfInteger(100)) : acc.sum);
      case 'min':
      case 'max':
        if (acc.best === null) return NONE;
        if (acc.best.numeric !== null) return ofNumeric(acc.best.numeric);
        return { exact: acc.best.out as string, out: acc.best.out, numeric: null };
      case 'conversion':
        if (acc.reachedFrom === 0) return NONE;
        return ofNumeric(nDiv(numericOfInteger(acc.reachedTo), numericOfInteger(acc.reachedFrom)));
      default:
        return NONE;
    }
  }
}

/** DESC NULLS LAST. */
function descNullsLast(a: Exact, b: Exact): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return -compareExact(a, b);
}

function exactKey(value: unknown): string {
  const r = toRational(value);
  return r === null ? 'null' : `${r.num}/${r.den}`;
}

function compareExact(a: Exact | Rational, b: Exact | Rational): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (typeof a === 'object' && typeof b === 'object') return compareRational(a, b);
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  return compareCells(String(a), String(b));
}

type Group = {
  keys: CellValue[];
  other: boolean;
  stage: string | null;
  accs: Map<string, Acc>;
};

type OutRow = { raw: Record<string, unknown>; exact: Record<string, Exact> };

/** The rows the report's statement would return, computed in memory. */
export function memoryRows(
  report: NormalizedReport,
  rows: readonly Row[],
  options: RunInMemoryOptions = {},
): RawRow[] {
  const ev = new Evaluator(report);
  const plan = planReport(report);
  const maxGroups = options.maxGroups ?? DEFAULT_MAX_GROUPS;
  const p = report.period;
  const curCond: Condition | null =
    p === null
      ? null
      : { field: p.field.path, op: 'in_range', kind: p.field.kind, value: p.current };
  const prevCond: Condition | null =
    p === null || report.compare === null || p.previous === undefined
      ? null
      : { field: p.field.path, op: 'in_range', kind: p.field.kind, value: p.previous };

  const scanned = rows.filter((row) => {
    const deleted = valueAt(row, 'deleted_at');
    if (deleted !== null && deleted !== undefined) return false;
    if (options.excludeDrafts === true && valueAt(row, 'is_draft') === true) return false;
    if (options.rowScope !== undefined && !ev.matches(options.rowScope, row)) return false;
    if (report.filter !== null && !ev.matches(report.filter, row)) return false;
    if (curCond !== null) {
      const inCur = ev.matches(curCond, row);
      if (!inCur && !(prevCond !== null && ev.matches(prevCond, row))) return false;
    }
    if (report.kind === 'funnel' && report.funnel !== null) {
      const s = valueAt(row, report.funnel.field.path);
      if (typeof s !== 'string' || !report.funnel.stages.includes(s)) return false;
    }
    return true;
  });

  if (report.kind === 'table' && report.fields.length > 0)
    return detailRows(report, scanned, options);

  const variants: Variant[] = report.compare !== null ? ['cur', 'prev'] : ['all'];
  const inVariant = (row: Row, v: Variant): boolean =>
    v === 'all'
      ? true
      : v === 'cur'
        ? ev.matches(curCond as Condition, row)
        : ev.matches(prevCond as Condition, row);
  const filterOk = new Map<string, (row: Row) => boolean>();
  for (const m of report.measures) {
    const f = m.filter;
    if (f !== undefined) filterOk.set(m.id, (row) => ev.matches(f, row));
  }

  // Top N: rank the top dimension's values over the same rows.
  let topSet: Set<string> | null = null;
  if (report.top !== null && plan.topMode !== 'limit' && plan.topIndex >= 0) {
    const topDim = plan.groupDims[plan.topIndex] as NormalizedDimension;
    const byMeasure = report.measures.find((m) => m.id === report.top?.by) as NormalizedMeasure;
    const groups = new Map<string, { key: CellValue; accs: Map<string, Acc> }>();
    const variant: Variant = report.compare !== null ? 'cur' : 'all';
    for (const row of scanned) {
      for (const key of ev.dimKeys(topDim, row)) {
        const k = canonical(key);
        let g = groups.get(k);
        if (g === undefined) {
          g = { key, accs: new Map() };
          groups.set(k, g);
        }
        feedMeasures(ev, report, g.accs, row, variant, inVariant, filterOk);
      }
    }
    const ranked = [...groups.values()].map((g) => ({
      key: g.key,
      value: measureValue(ev, report, byMeasure, g.accs, variant, () => null).exact,
    }));
    ranked.sort((a, b) => descNullsLast(a.value, b.value) || compareCells(a.key, b.key));
    topSet = new Set(ranked.slice(0, report.top.n).map((r) => canonical(r.key)));
  }

  // Fan out rows into (keys, other) combinations.
  const dims = plan.groupDims;
  type Combo = { keys: CellValue[]; other: boolean; stage: string | null; row: Row };
  const combos: Combo[] = [];
  for (const row of scanned) {
    let lists = dims.map((d) => ev.dimKeys(d, row));
    let stage: string | null = null;
    if (report.kind === 'funnel' && report.funnel !== null) {
      stage = String(valueAt(row, report.funnel.field.path));
    }
    if (report.kind === 'leaderboard')
      lists = lists.map((l, i) => (i === 0 ? l.filter((k) => k !== null) : l));
    const product: CellValue[][] = lists.reduce<CellValue[][]>(
      (acc, list) => acc.flatMap((prefix) => list.map((k) => [...prefix, k])),
      [[]],
    );
    for (const keys of product) {
      let other = false;
      if (topSet !== null) {
        const hit = topSet.has(canonical(keys[plan.topIndex] ?? null));
        if (!hit && plan.topMode === 'filter') continue;
        if (!hit) {
          other = true;
          keys[plan.topIndex] = null;
        }
      }
      combos.push({ keys, other, stage, row });
    }
  }

  // Aggregate every grouping set.
  const sets: readonly GroupingSet[] = plan.sets ?? [dims.map((_, i) => i)];
  const out: OutRow[] = [];
  const n = dims.length;
  for (const set of sets) {
    const groups = new Map<string, Group>();
    const hasExtras =
      report.kind === 'funnel' || (plan.topMode === 'fold' && set.includes(plan.topIndex));
    if (set.length === 0 && !hasExtras) {
      const keys = dims.map(() => null);
      groups.set(canonical([keys, false, null]), {
        keys,
        other: false,
        stage: null,
        accs: new Map(),
      });
    }
    for (const c of combos) {
      const keys = dims.map((_, i) => (set.includes(i) ? (c.keys[i] ?? null) : null));
      const other = plan.topMode === 'fold' && set.includes(plan.topIndex) ? c.other : false;
      const k = canonical([keys, other, c.stage]);
      let g = groups.get(k);
      if (g === undefined) {
        g = { keys, other, stage: c.stage, accs: new Map() };
        groups.set(k, g);
      }
      for (const v of variants) feedMeasures(ev, report, g.accs, c.row, v, inVariant, filterOk);
    }
    const g = plan.sets === null ? null : groupingMask(set, n);
    const setRows: Array<{ group: Group; row: OutRow }> = [];
    for (const group of groups.values()) {
      const raw: Record<string, unknown> = {};
      const exact: Record<string, Exact> = {};
      dims.forEach((_, i) => {
        raw[`d${i}`] = group.keys[i] ?? null;
      });
      if (g !== null) raw['g'] = g;
      if (plan.topMode === 'fold') raw['o'] = set.includes(plan.topIndex) ? group.other : null;
      if (report.kind === 'funnel') raw['s'] = group.stage;
      setRows.push({ group, row: { raw, exact } });
    }
    // Measures (shares need the whole set first).
    for (const v of variants) {
      const prefix = v === 'prev' ? 'p' : 'm';
      const totals = new Map<string, Numeric | null>();
      for (const m of report.measures) {
        if (m.fn !== 'share') continue;
        const of = report.measures.find((x) => x.id === m.of) as NormalizedMeasure;
        let total: Numeric | null = null;
        for (const { group } of setRows) {
          const e = measureValue(ev, report, of, group.accs, v, () => null).numeric;
          if (e !== null) total = total === null ? e : nAdd(total, e);
        }
        totals.set(m.id, total);
      }
      for (const { group, row } of setRows) {
        report.measures.forEach((m, i) => {
          const val = measureValue(ev, report, m, group.accs, v, (id) => totals.get(id) ?? null);
          row.raw[`${prefix}${i}`] = val.out;
          row.exact[`${prefix}${i}`] = val.exact;
        });
      }
    }
    out.push(...setRows.map((r) => r.row));
  }

  if (report.kind === 'leaderboard') return leaderboardRows(report, out, options, ev);

  // ORDER BY and LIMIT as the statement does.
  const keys = orderKeys(report, plan);
  out.sort((a, b) => compareRows(a, b, keys));
  let limit: number | null = null;
  if (plan.topMode === 'limit' && report.top !== null) limit = report.top.n;
  if (report.limit !== null) limit = report.limit;
  let kept = out;
  if (limit !== null && plan.sets !== null) {
    let details = 0;
    kept = out.filter((r) => r.raw['g'] !== 0 || ++details <= (limit as number));
  } else if (limit !== null) kept = out.slice(0, limit);
  return kept.slice(0, maxGroups + 1).map((r) => r.raw);
}

function feedMeasures(
  ev: Evaluator,
  report: NormalizedReport,
  accs: Map<string, Acc>,
  row: Row,
  variant: Variant,
  inVariant: (row: Row, v: Variant) => boolean,
  filterOk: ReadonlyMap<string, (row: Row) => boolean>,
): void {
  if (!inVariant(row, variant)) return;
  for (const m of report.measures) {
    if (m.fn === 'ratio' || m.fn === 'share') continue;
    const f = filterOk.get(m.id);
    if (f !== undefined && !f(row)) continue;
    const key = `${variant}:${m.id}`;
    let acc = accs.get(key);
    if (acc === undefined) {
      acc = newAcc();
      accs.set(key, acc);
    }
    ev.feed(acc, m, row);
  }
}

function measureValue(
  ev: Evaluator,
  report: NormalizedReport,
  m: NormalizedMeasure,
  accs: Map<string, Acc>,
  variant: Variant,
  shareTotal: (id: string) => Numeric | null,
): Value {
  const base = (x: NormalizedMeasure): Value =>
    ev.finish(accs.get(`${variant}:${x.id}`) ?? newAcc(), x);
  const find = (id: string | undefined): NormalizedMeasure =>
    report.measures.find((x) => x.id === id) as NormalizedMeasure;
  if (m.fn === 'ratio') {
    const a = base(find(m.numerator)).numeric;
    const b = base(find(m.denominator)).numeric;
    return a === null || b === null ? NONE : ofNumeric(nDiv(a, b));
  }
  if (m.fn === 'share') {
    const a = base(find(m.of)).numeric;
    const total = shareTotal(m.id);
    return a === null || total === null ? NONE : ofNumeric(nDiv(a, total));
  }
  return base(m);
}

function compareRows(a: OutRow, b: OutRow, keys: readonly OrderKey[]): number {
  for (const k of keys) {
    const va = k.column in a.exact ? a.exact[k.column] : (a.raw[k.column] as Exact);
    const vb = k.column in b.exact ? b.exact[k.column] : (b.raw[k.column] as Exact);
    const an = va === null || va === undefined;
    const bn = vb === null || vb === undefined;
    if (an || bn) {
      if (an && bn) continue;
      return an ? 1 : -1;
    }
    let c: number;
    const ba = va as unknown;
    const bb = vb as unknown;
    if (typeof ba === 'boolean' || typeof bb === 'boolean')
      c = ba === bb ? 0 : ba === true ? 1 : -1;
    else if (typeof va === 'object' || typeof vb === 'object') {
      c = compareExact(
        typeof va === 'object' ? va : (toRational(va) ?? ZERO),
        typeof vb === 'object' ? vb : (toRational(vb) ?? ZERO),
      );
    } else c = compareCells(va as CellValue, vb as CellValue);
    if (c !== 0) return k.direction === 'desc' ? -c : c;
  }
  return 0;
}

function leaderboardRows(
  report: NormalizedReport,
  rows: OutRow[],
  options: RunInMemoryOptions,
  ev: Evaluator,
): RawRow[] {
  const lb = report.leaderboard as NonNullable<NormalizedReport['leaderboard']>;
  const i = report.measures.findIndex((m) => m.id === lb.by);
  const col = `m${i}`;
  const values = rows.map((r) => r.exact[col] ?? null);
  const distinct: Exact[] = [];
  for (const v of values)
    if (!distinct.some((d) => compareExact(d, v) === 0 && (d === null) === (v === null)))
      distinct.push(v);
  const desc = descNullsLast;
  for (const r of rows) {
    const v = r.exact[col] ?? null;
    const rank =
      lb.ties === 'dense'
        ? distinct.filter((d) => desc(d, v) < 0).length + 1
        : values.filter((x) => desc(x, v) < 0).length + 1;
    r.raw['rk'] = rank;
  }
  if (lb.target !== null) {
    const t = lb.target;
    const sums = new Map<string, Rational>();
    for (const row of options.targetRows ?? []) {
      const deleted = valueAt(row, 'deleted_at');
      if (deleted !== null && deleted !== undefined) continue;
      if (options.excludeDrafts === true && valueAt(row, 'is_draft') === true) continue;
      if (t.period !== undefined && t.range !== undefined) {
        const c: Condition = {
          field: t.period.path,
          op: 'in_range',
          kind: t.period.kind,
          value: t.range,
        };
        if (!ev.matches(c, row)) continue;
      }
      const key = comparable(t.entity.kind, valueAt(row, t.entity.path));
      const value = toRational(valueAt(row, t.value.path));
      if (key === null || value === null) continue;
      const k = canonical(key);
      sums.set(k, add(sums.get(k) ?? ZERO, value));
    }
    for (const r of rows) {
      const s = sums.get(canonical(r.raw['d0'] ?? null));
      r.raw['tg'] = s === undefined ? null : toNumber(s);
    }
  }
  return rows
    .filter((r) => (r.raw['rk'] as number) <= lb.limit)
    .sort(
      (a, b) =>
        (a.raw['rk'] as number) - (b.raw['rk'] as number) ||
        compareCells(a.raw['d0'] as CellValue, b.raw['d0'] as CellValue),
    )
    .map((r) => r.raw);
}

function detailRows(
  report: NormalizedReport,
  rows: readonly Row[],
  options: RunInMemoryOptions,
): RawRow[] {
  const tz = report.timeZone;
  const sortValue = (
    row: Row,
    path: string,
    kind: NormalizedDimension['field']['kind'],
  ): CellValue => comparable(kind, valueAt(row, path), tz) as CellValue;
  const sorts =
    report.sort.length > 0
      ? report.sort.map((s) => {
          const f = report.fields.find((x) => x.path === s.key);
          return { path: s.key, kind: f?.kind ?? 'text', desc: s.direction === 'desc' };
        })
      : [{ path: 'created_at', kind: 'datetime' as const, desc: true }];
  const sorted = [...rows].sort((a, b) => {
    for (const s of sorts) {
      const va = sortValue(a, s.path, s.kind);
      const vb = sortValue(b, s.path, s.kind);
      const an = va === null;
      const bn = vb === null;
      if (an || bn) {
        if (an && bn) continue;
        return an ? 1 : -1;
      }
      const c = compareCells(va, vb);
      if (c !== 0) return s.desc ? -c : c;
    }
    return compareCells(
      String(valueAt(a, 'id')).toLowerCase(),
      String(valueAt(b, 'id')).toLowerCase(),
    );
  });
  const limit = Math.min(report.limit ?? 1000, (options.maxGroups ?? DEFAULT_MAX_GROUPS) + 1);
  return sorted.slice(0, limit).map((row) => {
    const out: Record<string, unknown> = { id: String(valueAt(row, 'id')).toLowerCase() };
    report.fields.forEach((f, i) => {
      const v = valueAt(row, f.path);
      let cell: unknown;
      if (v === null || v === undefined) cell = null;
      else if (f.kind === 'date') cell = dateValue(v);
      else if (f.kind === 'datetime') {
        const ms = parseInstant(v, tz);
        cell = ms === null ? null : isoInstant(ms);
      } else if (f.kind === 'number') {
        const r = toRational(v);
        cell = r === null ? null : toNumber(r);
      } else cell = v;
      out[`f${i}`] = cell;
    });
    return out;
  });
}

/**
 * Runs a normalized report over plain rows (field ids as keys; related fields as `customer.level`
 * keys or nested objects): the same result PostgreSQL gives through toSql + toResult. For
 * previews, tests, and as the oracle of the property tests.
 */
export function runInMemory(
  report: NormalizedReport,
  rows: readonly Row[],
  options: RunInMemoryOptions = {},
): ReportResult {
  return toResult(report, memoryRows(report, rows, options), options);
}
