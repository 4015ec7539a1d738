// NormalizedReport -> one PostgreSQL statement. Identifiers come from the table map only (quoted);
// every user value is a bind parameter; `deleted_at IS NULL` and the viewer's row scope are
// ANDed into every scan, including the top-N ranking and the joined forms.
import { compileCondition, subqueryResolver, walkPath } from './condition-sql.js';
import { quoteIdent } from './identifiers.js';
import { DEFAULT_MAX_GROUPS, type OrderKey, type Plan, orderKeys, planReport } from './plan.js';
import { ReportError } from './report-error.js';
import { castOf, columnOf, columnSql, relationColumn, tableSql } from './sql-columns.js';
import type {
  Condition,
  DateBucket,
  FieldRef,
  NormalizedDimension,
  NormalizedMeasure,
  NormalizedReport,
  RangeValue,
  RelationHop,
  SqlStatement,
  TableMap,
  ValueKind,
} from './types.js';

export type ToSqlOptions = {
  /** The viewer's row scope on the source form (normalized); ANDed into every scan. */
  rowScope?: Condition;
  /** Row scopes of related forms and the targets form: an unreadable related record counts as none. */
  rowScopes?: Readonly<Record<string, Condition>>;
  /**
   * The viewer's time zone; must be the one the report was normalized with (periods, buckets,
   * drill-downs and gap filling all use it). Given only as a check.
   */
  timeZone?: string;
  /** At most this many rows come back; one more signals truncation (default 10,000). */
  maxGroups?: number;
  /** Leave out drafts (`NOT is_draft`); the API passes true. */
  excludeDrafts?: boolean;
};

const BUCKET_FORMAT: Readonly<Record<DateBucket, string>> = {
  day: 'YYYY-MM-DD',
  week: 'YYYY-MM-DD',
  month: 'YYYY-MM',
  quarter: 'YYYY-"Q"Q',
  year: 'YYYY',
};

const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** Text of a SQL string literal from our own constants (never user text). */
function lit(text: string): string {
  if (!/^[A-Za-z0-9"_:.\-T ]*$/.test(text))
    throw new ReportError('UNSAFE_LITERAL', 'unexpected literal');
  return `'${text}'`;
}

const Q = quoteIdent;

class Builder {
  readonly values: unknown[] = [];
  private readonly joinAliases = new Map<string, string>();
  readonly joins: string[] = [];
  readonly laterals = new Map<number, string>();
  private tz: string | null = null;

  constructor(
    readonly report: NormalizedReport,
    readonly tables: TableMap,
    readonly options: ToSqlOptions,
  ) {}

  add = (value: unknown): string => {
    this.values.push(value);
    return `$${this.values.length}`;
  };

  param(value: unknown, cast: string): string {
    return `${this.add(value)}::${cast}`;
  }

  tzParam(): string {
    if (this.tz === null) this.tz = this.param(this.report.timeZone, 'text');
    return this.tz;
  }

  private joinFor(hops: readonly RelationHop[]): string {
    let alias = 't';
    hops.forEach((hop, i) => {
      const key = hops
        .slice(0, i + 1)
        .map((h) => h.field)
        .join('.');
      let next = this.joinAliases.get(key);
      if (next === undefined) {
        next = `j${this.joinAliases.size + 1}`;
        this.joinAliases.set(key, next);
        const on = [
          `${Q(next)}."id" = ${Q(alias)}.${relationColumn(this.tables, hop.formId, hop.field)}`,
          `${Q(next)}."deleted_at" IS NULL`,
        ];
        const scope = this.options.rowScopes?.[hop.target];
        if (scope !== undefined && Object.hasOwn(this.options.rowScopes ?? {}, hop.target)) {
          const resolve = subqueryResolver(
            { alias: next, formId: hop.target, tables: this.tables },
            { add: this.add },
          );
          on.push(compileCondition(scope, resolve, { add: this.add }));
        }
        this.joins.push(
          `LEFT JOIN ${tableSql(this.tables, hop.target)} ${Q(next)} ON ${on.join(' AND ')}`,
        );
      }
      alias = next;
    });
    return alias;
  }

  /** The SQL value of a field path (joins along relations are added once). */
  field = (path: string, kind: ValueKind): string => {
    const ref: FieldRef | undefined = Object.hasOwn(this.report.refs, path)
      ? this.report.refs[path]
      : undefined;
    if (ref !== undefined) {
      const alias = this.joinFor(ref.via);
      return columnSql(alias, columnOf(this.tables, ref.formId, ref.fieldId, kind).column);
    }
    const walked = walkPath(path, this.report.formId, this.tables);
    const alias = this.joinFor(walked.hops);
    return columnSql(alias, columnOf(this.tables, walked.formId, walked.fieldId, kind).column);
  };

  condition(c: Condition): string {
    return compileCondition(c, this.field, { add: this.add });
  }

  rangeCondition(ref: FieldRef, range: RangeValue): string {
    return this.condition({ field: ref.path, op: 'in_range', kind: ref.kind, value: range });
  }
}

/** A dimension's GROUP BY expression, its output, and whether the expression is text (COLLATE "C"). */
type DimSql = { group: string; format: (group: string) => string; text: boolean };

const same = (g: string): string => g;

function dimensionSql(b: Builder, d: NormalizedDimension, index: number): DimSql {
  const col = b.field(d.field.path, d.field.kind);
  switch (d.field.kind) {
    case 'text_array': {
      const alias = `u${index}`;
      b.laterals.set(index, `LEFT JOIN LATERAL unnest(${col}) AS ${Q(alias)}("v") ON TRUE`);
      return { group: `${Q(alias)}."v"`, format: same, text: true };
    }
    case 'date':
    case 'datetime': {
      if (d.bucket === undefined) {
        return { group: col, format: (g) => `to_char(${g}, ${lit('YYYY-MM-DD')})`, text: false };
      }
      const local =
        d.field.kind === 'date' ? `${col}::timestamp` : `(${col} AT TIME ZONE ${b.tzParam()})`;
      const group = `date_trunc(${lit(d.bucket)}, ${local})`;
      const fmt = lit(BUCKET_FORMAT[d.bucket]);
      return { group, format: (g) => `to_char(${g}, ${fmt})`, text: false };
    }
    case 'number': {
      if (d.bin === undefined) return { group: col, format: same, text: false };
      const w = b.param(d.bin.width, 'numeric');
      const o = b.param(d.bin.origin, 'numeric');
      const group = `(floor((${col} - ${o}) / ${w}) * ${w} + ${o})`;
      return { group, format: same, text: false };
    }
    case 'text':
      return { group: col, format: same, text: true };
    case 'boolean':
    case 'uuid':
      return { group: col, format: same, text: false };
    default:
      throw new ReportError('NOT_GROUPABLE', `cannot group by ${d.field.kind}`);
  }
}

type Variant = 'all' | 'cur' | 'prev';

class Measures {
  private readonly filters = new Map<string, string>();
  private readonly variantSql: Record<Variant, string | null>;
  private readonly conversionParams = new Map<string, { to: string; from: string; col: string }>();

  constructor(
    private readonly b: Builder,
    private readonly report: NormalizedReport,
    private readonly partition: () => string,
  ) {
    const p = report.period;
    this.variantSql = {
      all: null,
      cur: report.compare !== null && p !== null ? b.rangeCondition(p.field, p.current) : null,
      prev:
        report.compare !== null && p?.previous !== undefined
          ? b.rangeCondition(p.field, p.previous)
          : null,
    };
    for (const m of report.measures) {
      if (m.filter !== undefined) this.filters.set(m.id, b.condition(m.filter));
      if (m.conversion !== undefined) {
        const c = m.conversion;
        this.conversionParams.set(m.id, {
          col: b.field(c.field.path, c.field.kind),
          to: b.param(c.reachedTo, 'text[]'),
          from: b.param(c.reachedFrom, 'text[]'),
        });
      }
    }
  }

  byId(id: string): NormalizedMeasure {
    const m = this.report.measures.find((x) => x.id === id);
    if (m === undefined) throw new ReportError('UNKNOWN_MEASURE', `no measure ${id}`);
    return m;
  }

  private filterClause(m: NormalizedMeasure, variant: Variant, extra?: string): string {
    const conds = [this.filters.get(m.id), this.variantSql[variant], extra].filter(
      (c): c is string => c !== undefined && c !== null,
    );
    return conds.length === 0 ? '' : ` FILTER (WHERE ${conds.join(' AND ')})`;
  }

  /** The aggregate of a plain measure (numbers stay numeric; dates are formatted outside). */
  base(m: NormalizedMeasure, variant: Variant): string {
    const f = m.field === undefined ? null : this.b.field(m.field.path, m.field.kind);
    switch (m.fn) {
      case 'count':
        return `count(${f ?? '*'})${this.filterClause(m, variant)}`;
      case 'count_distinct':
        return `count(DISTINCT ${f})${this.filterClause(m, variant)}`;
      case 'sum':
      case 'avg':
      case 'min':
      case 'max':
        return `${m.fn}(${f})${this.filterClause(m, variant)}`;
      case 'weighted_sum': {
        const w = this.b.field((m.weight as FieldRef).path, 'number');
        const sum = `sum(${f} * ${w})${this.filterClause(m, variant)}`;
        return m.weightDivisor === 100 ? `(${sum} / 100)` : sum;
      }
      case 'conversion': {
        const c = this.conversionParams.get(m.id) as { to: string; from: string; col: string };
        const reached = (arr: string): string =>
          `count(*)${this.filterClause(m, variant, `${c.col} = ANY(${arr})`)}`;
        return `(${reached(c.to)}::numeric / NULLIF(${reached(c.from)}, 0))`;
      }
      default:
        throw new ReportError('NOT_BASE', `${m.fn} is not a plain aggregate`);
    }
  }

  /** The value of any measure (ratio and share built from plain ones). */
  value(m: NormalizedMeasure, variant: Variant): string {
    if (m.fn === 'ratio') {
      const n = this.base(this.byId(m.numerator as string), variant);
      const d = this.base(this.byId(m.denominator as string), variant);
      return `(${n})::numeric / NULLIF(${d}, 0)`;
    }
    if (m.fn === 'share') {
      const of = this.base(this.byId(m.of as string), variant);
      return `(${of})::numeric / NULLIF(sum(${of}) OVER (${this.partition()}), 0)`;
    }
    return this.base(m, variant);
  }

  /** The output column: dates of min/max as text. */
  output(m: NormalizedMeasure, variant: Variant): string {
    const v = this.value(m, variant);
    if ((m.fn === 'min' || m.fn === 'max') && m.field?.kind === 'date')
      return `to_char(${v}, ${lit('YYYY-MM-DD')})`;
    if ((m.fn === 'min' || m.fn === 'max') && m.field?.kind === 'datetime') {
      return `to_char(${v} AT TIME ZONE 'UTC', ${ISO_UTC})`;
    }
    return v;
  }
}

function orderSql(keys: readonly OrderKey[], alias: string): string {
  return keys
    .map(
      (k) =>
        `${Q(alias)}.${Q(k.column)}${k.text ? ' COLLATE "C"' : ''} ${k.direction.toUpperCase()} NULLS LAST`,
    )
    .join(', ');
}

function whereParts(b: Builder, report: NormalizedReport, options: ToSqlOptions): string[] {
  const where = [`"t"."deleted_at" IS NULL`];
  if (options.excludeDrafts === true) where.push(`NOT "t"."is_draft"`);
  if (options.rowScope !== undefined) where.push(b.condition(options.rowScope));
  if (report.filter !== null) where.push(b.condition(report.filter));
  const p = report.period;
  if (p !== null) {
    const cur = b.rangeCondition(p.field, p.current);
    if (report.compare !== null && p.previous !== undefined) {
      where.push(`(${cur} OR ${b.rangeCondition(p.field, p.previous)})`);
    } else where.push(cur);
  }
  return where;
}

function maxGroupsOf(options: ToSqlOptions): number {
  const m = options.maxGroups ?? DEFAULT_MAX_GROUPS;
  if (!Number.isInteger(m) || m < 1 || m > 1_000_000) {
    throw new ReportError('INVALID_MAX_GROUPS', 'maxGroups is a whole number from 1 to 1,000,000');
  }
  return m;
}

function detailSql(b: Builder, report: NormalizedReport, options: ToSqlOptions): string {
  const outs = report.fields.map((f, i) => {
    const col = b.field(f.path, f.kind);
    const out =
      f.kind === 'date'
        ? `to_char(${col}, ${lit('YYYY-MM-DD')})`
        : f.kind === 'datetime'
          ? `to_char(${col} AT TIME ZONE 'UTC', ${ISO_UTC})`
          : col;
    return `${out} AS ${Q(`f${i}`)}`;
  });
  const where = whereParts(b, report, options);
  const order: string[] = [];
  const sorts = report.sort.length > 0 ? report.sort : [];
  for (const s of sorts) {
    const f = report.fields.find((x) => x.path === s.key) as FieldRef;
    const col = b.field(f.path, f.kind);
    order.push(
      `${col}${f.kind === 'text' ? ' COLLATE "C"' : ''} ${s.direction.toUpperCase()} NULLS LAST`,
    );
  }
  if (sorts.length === 0) order.push(`"t"."created_at" DESC NULLS LAST`);
  order.push(`"t"."id" ASC`);
  const limit = Math.min(report.limit ?? 1000, maxGroupsOf(options) + 1);
  const from = [`${tableSql(b.tables, report.formId)} "t"`, ...b.joins].join(' ');
  return `SELECT "t"."id"::text AS "id"${outs.map((o) => `, ${o}`).join('')} FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${order.join(', ')} LIMIT ${b.param(limit, 'integer')}`;
}

function groupedSql(
  b: Builder,
  report: NormalizedReport,
  plan: Plan,
  options: ToSqlOptions,
): string {
  const maxGroups = maxGroupsOf(options);
  const dims = plan.groupDims.map((d, i) => dimensionSql(b, d, i));
  const where = whereParts(b, report, options);

  // Funnel: grouped by the stage itself; toResult orders the stages and adds them up.
  let stage: string | null = null;
  if (report.kind === 'funnel' && report.funnel !== null) {
    const col = b.field(report.funnel.field.path, 'text');
    where.push(`${col} = ANY(${b.param(report.funnel.stages, 'text[]')})`);
    stage = col;
  }
  if (report.kind === 'leaderboard' && dims[0] !== undefined)
    where.push(`${dims[0].group} IS NOT NULL`);

  // Top N: a ranking over the same scan
  let topCte: string | null = null;
  let other: string | null = null;
  const topDim = plan.topIndex >= 0 ? dims[plan.topIndex] : undefined;
  const groupingArgs = (): string => dims.map((d) => d.group).join(', ');
  const partition = (): string =>
    plan.sets === null ? '' : `PARTITION BY GROUPING(${groupingArgs()})`;
  const measures = new Measures(b, report, partition);
  const variant: Variant = report.compare !== null ? 'cur' : 'all';
  if (report.top !== null && topDim !== undefined && plan.topMode !== 'limit') {
    const by = measures.byId(report.top.by);
    const rank = measures.value(by, variant);
    const lateral = b.laterals.get(plan.topIndex);
    const from = [
      `${tableSql(b.tables, report.formId)} "t"`,
      ...b.joins,
      ...(lateral !== undefined ? [lateral] : []),
    ].join(' ');
    topCte = `"top" AS (SELECT ${topDim.group} AS "k" FROM ${from} WHERE ${where.join(' AND ')} GROUP BY ${topDim.group} ORDER BY ${rank} DESC NULLS LAST, ${topDim.group}${topDim.text ? ' COLLATE "C"' : ''} ASC NULLS LAST LIMIT ${b.param(report.top.n, 'integer')})`;
    const hit = `(${topDim.group} IN (SELECT "k" FROM "top") OR (${topDim.group} IS NULL AND EXISTS (SELECT 1 FROM "top" WHERE "k" IS NULL)))`;
    if (plan.topMode === 'filter') where.push(hit);
    else {
      other = `(${hit}) IS NOT TRUE`;
      const folded = `CASE WHEN ${hit} THEN ${topDim.group} END`;
      dims[plan.topIndex] = { ...topDim, group: folded };
    }
  }

  // Select list
  const select: string[] = dims.map((d, i) => `${d.format(d.group)} AS ${Q(`d${i}`)}`);
  if (plan.sets !== null) select.push(`GROUPING(${groupingArgs()}) AS "g"`);
  if (other !== null) select.push(`${other} AS "o"`);
  if (stage !== null) select.push(`${stage} AS "s"`);
  report.measures.forEach((m, i) => select.push(`${measures.output(m, variant)} AS ${Q(`m${i}`)}`));
  if (report.compare !== null) {
    report.measures.forEach((m, i) =>
      select.push(`${measures.output(m, 'prev')} AS ${Q(`p${i}`)}`),
    );
  }

  // Grouping
  const withExtras = (exprs: string[], keepTop: boolean): string[] => {
    const out = [...exprs];
    if (other !== null && keepTop) out.push(other);
    if (stage !== null) out.unshift(stage);
    return out;
  };
  let groupBy = '';
  if (plan.sets !== null) {
    const sets = plan.sets.map((set) => {
      const exprs = withExtras(
        set.map((i) => (dims[i] as DimSql).group),
        set.includes(plan.topIndex),
      );
      return `(${exprs.join(', ')})`;
    });
    groupBy = ` GROUP BY GROUPING SETS (${sets.join(', ')})`;
  } else {
    const exprs = withExtras(
      dims.map((d) => d.group),
      true,
    );
    if (exprs.length > 0) groupBy = ` GROUP BY ${exprs.join(', ')}`;
  }

  const laterals = [...b.laterals.entries()].sort((a, c) => a[0] - c[0]).map(([, l]) => l);
  const from = [`${tableSql(b.tables, report.formId)} "t"`, ...b.joins, ...laterals].join(' ');
  const inner = `SELECT ${select.join(', ')} FROM ${from} WHERE ${where.join(' AND ')}${groupBy}`;
  const withClause = topCte === null ? '' : `WITH ${topCte} `;

  if (report.kind === 'leaderboard' && report.leaderboard !== null) {
    return withClause + leaderboardSql(b, report, inner, dims[0] as DimSql);
  }

  const keys = orderKeys(report, plan);
  let limit: number | null = null;
  if (plan.topMode === 'limit' && report.top !== null) limit = report.top.n;
  if (report.limit !== null) limit = report.limit;
  if (limit !== null && plan.sets !== null) {
    // Grand total kept; the limit applies to the detail rows.
    const rn = `row_number() OVER (PARTITION BY "x0"."g" ORDER BY ${orderSql(keys, 'x0')}) AS "rn"`;
    return `${withClause}SELECT "x".* FROM (SELECT "x0".*, ${rn} FROM (${inner}) "x0") "x" WHERE "x"."g" <> 0 OR "x"."rn" <= ${b.param(limit, 'integer')} ORDER BY ${orderSql(keys, 'x')} LIMIT ${b.param(maxGroups + 1, 'integer')}`;
  }
  const cap = limit === null ? maxGroups + 1 : Math.min(limit, maxGroups + 1);
  const order = keys.length === 0 ? '' : ` ORDER BY ${orderSql(keys, 'x')}`;
  return `${withClause}SELECT "x".* FROM (${inner}) "x"${order} LIMIT ${b.param(cap, 'integer')}`;
}

function leaderboardSql(
  b: Builder,
  report: NormalizedReport,
  inner: string,
  entity: DimSql,
): string {
  const lb = report.leaderboard as NonNullable<NormalizedReport['leaderboard']>;
  const byIndex = report.measures.findIndex((m) => m.id === lb.by);
  const rankFn = lb.ties === 'dense' ? 'dense_rank()' : 'rank()';
  let targetJoin = '';
  let targetCol = '';
  const t = lb.target;
  if (t !== null) {
    const tt = 'tt';
    const entityCol = columnSql(
      tt,
      columnOf(b.tables, t.formId, t.entity.fieldId, t.entity.kind).column,
    );
    const valueCol = columnSql(tt, columnOf(b.tables, t.formId, t.value.fieldId, 'number').column);
    const where = [`${Q(tt)}."deleted_at" IS NULL`];
    if (b.options.excludeDrafts === true) where.push(`NOT ${Q(tt)}."is_draft"`);
    const scope = b.options.rowScopes?.[t.formId];
    if (scope !== undefined && Object.hasOwn(b.options.rowScopes ?? {}, t.formId)) {
      where.push(
        compileCondition(
          scope,
          subqueryResolver({ alias: tt, formId: t.formId, tables: b.tables }, { add: b.add }),
          { add: b.add },
        ),
      );
    }
    if (t.period !== undefined && t.range !== undefined) {
      const periodCol = columnSql(
        tt,
        columnOf(b.tables, t.formId, t.period.fieldId, t.period.kind).column,
      );
      const cast = castOf(t.period.kind);
      if (t.range.from !== undefined) where.push(`${periodCol} >= ${b.param(t.range.from, cast)}`);
      if (t.range.to !== undefined) where.push(`${periodCol} < ${b.param(t.range.to, cast)}`);
    }
    targetJoin = ` LEFT JOIN (SELECT ${entityCol} AS "k", sum(${valueCol}) AS "v" FROM ${tableSql(b.tables, t.formId)} ${Q(tt)} WHERE ${where.join(' AND ')} GROUP BY ${entityCol}) "tg" ON "tg"."k" = "x"."d0"`;
    targetCol = `, "tg"."v" AS "tg"`;
  }
  const ranked = `SELECT "x".*, ${rankFn} OVER (ORDER BY "x".${Q(`m${byIndex}`)} DESC NULLS LAST) AS "rk"${targetCol} FROM (${inner}) "x"${targetJoin}`;
  return `SELECT "y".* FROM (${ranked}) "y" WHERE "y"."rk" <= ${b.param(lb.limit, 'integer')} ORDER BY "y"."rk" ASC, "y"."d0"${entity.text ? ' COLLATE "C"' : ''} ASC NULLS LAST`;
}

/**
 * Compiles a normalized report to one statement for PostgreSQL: `{ text, values }`. Every
 * identifier comes from `tables` (quoted), every value is a `$n` parameter, and the row scope is
 * ANDed in so no aggregate counts a row the viewer cannot read.
 */
export function toSql(
  report: NormalizedReport,
  tables: TableMap,
  options: ToSqlOptions = {},
): SqlStatement {
  if (options.timeZone !== undefined && options.timeZone !== report.timeZone) {
    throw new ReportError(
      'TIME_ZONE_MISMATCH',
      `The report was normalized for ${report.timeZone}, not ${options.timeZone}`,
    );
  }
  const b = new Builder(report, tables, options);
  const plan = planReport(report);
  const text =
    report.kind === 'table' && report.fields.length > 0
      ? detailSql(b, report, options)
      : groupedSql(b, report, plan, options);
  return { text, values: b.values };
}
