// A report spec (raw JSON) -> a NormalizedReport, or every issue with its dotted path. Every
// identifier in every position is checked against the forms here, before any SQL exists.
import {
  convertRange,
  isRelativeDateOp,
  previousBounds,
  resolveRelative,
  toRangeValue,
} from './date-ranges.js';
import { type FormIndex, type Readability, indexForms, isProblem, resolveField } from './fields.js';
import { isId, isKeyId, show } from './identifiers.js';
import {
  type ConditionContext,
  DEFAULT_TIME_ZONE,
  normalizeConditionAt,
} from './normalize-condition.js';
import { isValidTimeZone, parseInstant } from './time-zone.js';
import type {
  CompareMode,
  Condition,
  DateBucket,
  FieldPolicy,
  FieldRef,
  Issue,
  LocalizedText,
  MeasureFn,
  MeasureFormat,
  NormalizedDimension,
  NormalizedMeasure,
  NormalizedPeriod,
  NormalizedReport,
  NormalizedSort,
  ReportForm,
  ReportKind,
  ValueKind,
} from './types.js';

export const REPORT_KINDS: readonly ReportKind[] = [
  'table',
  'pivot',
  'funnel',
  'leaderboard',
  'kpi',
  'time_series',
];
export const MEASURE_FUNCTIONS: readonly MeasureFn[] = [
  'count',
  'count_distinct',
  'sum',
  'avg',
  'min',
  'max',
  'weighted_sum',
  'conversion',
  'ratio',
  'share',
];
export const DATE_BUCKETS: readonly DateBucket[] = ['day', 'week', 'month', 'quarter', 'year'];

/** Caps that keep one report one bounded statement. */
export const REPORT_LIMITS = {
  rowDimensions: 4,
  columnDimensions: 3,
  measures: 12,
  fields: 50,
  limit: 10_000,
  top: 1000,
  stages: 20,
  leaderboard: 1000,
  labelLength: 200,
} as const;

const BASE_FNS: ReadonlySet<MeasureFn> = new Set([
  'count',
  'count_distinct',
  'sum',
  'avg',
  'min',
  'max',
  'weighted_sum',
  'conversion',
]);
const ADDITIVE_FNS: ReadonlySet<MeasureFn> = new Set(['count', 'sum', 'weighted_sum']);
const GROUPABLE: ReadonlySet<ValueKind> = new Set([
  'text',
  'number',
  'date',
  'datetime',
  'boolean',
  'uuid',
  'text_array',
]);

const SPEC_KEYS = new Set([
  'kind',
  'form',
  'title',
  'dimensions',
  'columns',
  'measures',
  'fields',
  'filter',
  'period',
  'compare',
  'sort',
  'limit',
  'top',
  'totals',
  'subtotals',
  'funnel',
  'leaderboard',
]);
const DIMENSION_KEYS = new Set(['id', 'field', 'bucket', 'bin', 'label']);
const MEASURE_KEYS = new Set([
  'id',
  'fn',
  'field',
  'weight',
  'numerator',
  'denominator',
  'of',
  'stages',
  'from',
  'to',
  'filter',
  'label',
  'hidden',
]);

export type NormalizeReportOptions = {
  /** Per form, the fields the viewer may not read; referencing one anywhere is refused. */
  fieldPolicy?: FieldPolicy;
  /** The current instant (relative date ranges). */
  now?: string | number | Date;
  /** IANA time zone of the viewer's workspace (default Asia/Shanghai). */
  timeZone?: string;
};

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function at(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`;
}

class Ctx {
  readonly issues: Issue[] = [];
  readonly refs: Record<string, FieldRef> = {};
  constructor(
    readonly sourceFormId: string,
    readonly forms: FormIndex,
    readonly readability: Readability,
    readonly timeZone: string,
    readonly now: number | null,
  ) {}

  fail(path: string, code: string, message: string): null {
    this.issues.push({ path, code, message });
    return null;
  }

  field(raw: unknown, path: string, fromForm = this.sourceFormId): FieldRef | null {
    const ref = resolveField(raw, fromForm, this.forms, this.readability);
    if (isProblem(ref)) return this.fail(path, ref.code, ref.message);
    if (fromForm === this.sourceFormId) this.refs[ref.path] = ref;
    return ref;
  }

  condition(raw: unknown, path: string): Condition | null {
    const ctx: ConditionContext = {
      sourceFormId: this.sourceFormId,
      forms: this.forms,
      readability: this.readability,
      timeZone: this.timeZone,
      now: this.now,
    };
    const before = this.issues.length;
    const c = normalizeConditionAt(raw, path, ctx, { issues: this.issues, nodes: 0 });
    if (c !== null) this.collectRefs(c);
    return this.issues.length > before ? null : c;
  }

  collectRefs(c: Condition): void {
    if ('and' in c) c.and.forEach((x) => this.collectRefs(x));
    else if ('or' in c) c.or.forEach((x) => this.collectRefs(x));
    else if ('not' in c) this.collectRefs(c.not);
    else if (this.refs[c.field] === undefined) {
      const ref = resolveField(c.field, this.sourceFormId, this.forms, this.readability);
      if (!isProblem(ref)) this.refs[ref.path] = ref;
    }
  }

  label(raw: unknown, path: string, fallback: LocalizedText): LocalizedText {
    if (raw === undefined) return fallback;
    if (typeof raw === 'string' && raw.length <= REPORT_LIMITS.labelLength) return raw;
    if (
      isObj(raw) &&
      typeof raw['zh-CN'] === 'string' &&
      Object.values(raw).every(
        (v) => typeof v === 'string' && v.length <= REPORT_LIMITS.labelLength,
      )
    ) {
      return raw as LocalizedText;
    }
    this.fail(path, 'INVALID_LABEL', 'A label is text, or { "zh-CN": text, en?: text }');
    return fallback;
  }

  unknownKeys(raw: Obj, allowed: ReadonlySet<string>, path: string): void {
    for (const key of Object.keys(raw)) {
      if (!allowed.has(key))
        this.fail(at(path, key), 'UNKNOWN_PROPERTY', `Unknown property ${show(key)}`);
    }
  }

  int(raw: unknown, path: string, min: number, max: number): number | null {
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max) {
      return this.fail(
        path,
        'INVALID_NUMBER',
        `Expected a whole number from ${min} to ${max}, got ${show(raw)}`,
      );
    }
    return raw;
  }

  bool(raw: unknown, path: string, fallback: boolean): boolean {
    if (raw === undefined) return fallback;
    if (typeof raw !== 'boolean') {
      this.fail(path, 'INVALID_BOOLEAN', `Expected true or false, got ${show(raw)}`);
      return fallback;
    }
    return raw;
  }
}

function bucketLabel(label: LocalizedText, bucket: DateBucket | undefined): LocalizedText {
  if (bucket === undefined) return label;
  const zh = { day: '日', week: '周', month: '月', quarter: '季度', year: '年' }[bucket];
  const base = typeof label === 'string' ? { 'zh-CN': label, en: label } : label;
  return { 'zh-CN': `${base['zh-CN']}（${zh}）`, en: `${base.en ?? base['zh-CN']} (${bucket})` };
}

function dimension(
  ctx: Ctx,
  raw: unknown,
  path: string,
  axis: 'row' | 'column',
): NormalizedDimension | null {
  if (typeof raw === 'string') raw = { field: raw };
  if (!isObj(raw))
    return ctx.fail(path, 'INVALID_DIMENSION', 'A dimension is { field, bucket?, bin? }');
  ctx.unknownKeys(raw, DIMENSION_KEYS, path);
  const ref = ctx.field(raw['field'], at(path, 'field'));
  let ok = ref !== null;
  let bucket: DateBucket | undefined;
  let bin: { width: number; origin: number } | undefined;
  if (ref !== null && !GROUPABLE.has(ref.kind)) {
    ok = false;
    ctx.fail(
      at(path, 'field'),
      'FIELD_NOT_GROUPABLE',
      `Field "${ref.path}" (${ref.type}) cannot be a dimension`,
    );
  }
  if (raw['bucket'] !== undefined) {
    if (typeof raw['bucket'] !== 'string' || !DATE_BUCKETS.includes(raw['bucket'] as DateBucket)) {
      ok = false;
      ctx.fail(
        at(path, 'bucket'),
        'INVALID_BUCKET',
        `Bucket is one of ${DATE_BUCKETS.join(', ')}, got ${show(raw['bucket'])}`,
      );
    } else if (ref !== null && ref.kind !== 'date' && ref.kind !== 'datetime') {
      ok = false;
      ctx.fail(
        at(path, 'bucket'),
        'BUCKET_NEEDS_DATE',
        `Only date fields are bucketed; "${ref.path}" is ${ref.type}`,
      );
    } else bucket = raw['bucket'] as DateBucket;
  } else if (ref?.kind === 'datetime') bucket = 'day';
  if (raw['bin'] !== undefined) {
    const b = raw['bin'];
    if (
      !isObj(b) ||
      typeof b['width'] !== 'number' ||
      !Number.isFinite(b['width']) ||
      b['width'] <= 0 ||
      (b['origin'] !== undefined &&
        (typeof b['origin'] !== 'number' || !Number.isFinite(b['origin'])))
    ) {
      ok = false;
      ctx.fail(at(path, 'bin'), 'INVALID_BIN', 'bin is { width > 0, origin? } (numbers)');
    } else if (ref !== null && ref.kind !== 'number') {
      ok = false;
      ctx.fail(
        at(path, 'bin'),
        'BIN_NEEDS_NUMBER',
        `Only number fields are binned; "${ref.path}" is ${ref.type}`,
      );
    } else {
      for (const k of Object.keys(b)) {
        if (k !== 'width' && k !== 'origin')
          ctx.fail(at(at(path, 'bin'), k), 'UNKNOWN_PROPERTY', `Unknown property ${show(k)}`);
      }
      bin = { width: b['width'] as number, origin: (b['origin'] as number | undefined) ?? 0 };
    }
    if (bucket !== undefined && bin !== undefined) {
      ok = false;
      ctx.fail(
        path,
        'BUCKET_AND_BIN',
        'A dimension is bucketed (dates) or binned (numbers), not both',
      );
    }
  }
  let id: string | null = null;
  if (raw['id'] !== undefined) {
    if (!isKeyId(raw['id']))
      ctx.fail(
        at(path, 'id'),
        'INVALID_IDENTIFIER',
        `Dimension id ${show(raw['id'])} is not an id`,
      );
    else id = raw['id'];
  } else if (ref !== null) {
    id = ref.path.replaceAll('.', '__');
    if (!isKeyId(id)) {
      ctx.fail(at(path, 'id'), 'ID_REQUIRED', 'Give this dimension an id of its own');
      id = null;
    }
  }
  if (!ok || ref === null || id === null) return null;
  const label = ctx.label(
    raw['label'],
    at(path, 'label'),
    bucketLabel(
      ref.label,
      ref.kind === 'datetime' || raw['bucket'] !== undefined ? bucket : undefined,
    ),
  );
  return {
    id,
    field: ref,
    axis,
    ...(bucket !== undefined ? { bucket } : {}),
    ...(bin !== undefined ? { bin } : {}),
    label,
  };
}

function formatOf(fn: MeasureFn, field: FieldRef | undefined): MeasureFormat {
  switch (fn) {
    case 'count':
    case 'count_distinct':
      return 'integer';
    case 'ratio':
    case 'share':
    case 'conversion':
      return 'percent';
    default:
      if (field?.kind === 'date') return 'date';
      if (field?.kind === 'datetime') return 'datetime';
      if (field?.type === 'currency') return 'currency';
      return 'number';
  }
}

const DEFAULT_MEASURE_LABELS: Readonly<Record<MeasureFn, { zh: string; en: string }>> = {
  count: { zh: '记录数', en: 'Count' },
  count_distinct: { zh: '去重计数', en: 'Distinct count' },
  sum: { zh: '合计', en: 'Sum' },
  avg: { zh: '平均', en: 'Average' },
  min: { zh: '最小', en: 'Min' },
  max: { zh: '最大', en: 'Max' },
  weighted_sum: { zh: '加权合计', en: 'Weighted sum' },
  conversion: { zh: '转化率', en: 'Conversion' },
  ratio: { zh: '比率', en: 'Ratio' },
  share: { zh: '占比', en: 'Share' },
};

function measureLabel(fn: MeasureFn, field: FieldRef | undefined): LocalizedText {
  const d = DEFAULT_MEASURE_LABELS[fn];
  if (field === undefined || fn === 'count') return { 'zh-CN': d.zh, en: d.en };
  const l =
    typeof field.label === 'string' ? { 'zh-CN': field.label, en: field.label } : field.label;
  return { 'zh-CN': `${l['zh-CN']}${d.zh}`, en: `${d.en} of ${l.en ?? l['zh-CN']}` };
}

function stageList(ctx: Ctx, raw: unknown, path: string): string[] | null {
  if (!Array.isArray(raw) || raw.length < 2 || raw.length > REPORT_LIMITS.stages) {
    return ctx.fail(
      path,
      'INVALID_STAGES',
      `Stages are a list of 2 to ${REPORT_LIMITS.stages} stage values`,
    );
  }
  const out: string[] = [];
  let ok = true;
  raw.forEach((s, i) => {
    if (typeof s !== 'string' || s.length === 0 || s.length > 200) {
      ok = false;
      ctx.fail(at(path, i), 'INVALID_STAGE', `A stage is a non-empty text value, got ${show(s)}`);
    } else if (out.includes(s)) {
      ok = false;
      ctx.fail(at(path, i), 'DUPLICATE_STAGE', `Stage ${show(s)} is listed twice`);
    } else out.push(s);
  });
  return ok ? out : null;
}

function measure(ctx: Ctx, raw: unknown, path: string): (NormalizedMeasure & { raw: Obj }) | null {
  if (!isObj(raw)) return ctx.fail(path, 'INVALID_MEASURE', 'A measure is { id, fn, field? }');
  ctx.unknownKeys(raw, MEASURE_KEYS, path);
  const before = ctx.issues.length;
  const id = raw['id'];
  if (!isKeyId(id))
    ctx.fail(at(path, 'id'), 'INVALID_IDENTIFIER', `Measure id ${show(id)} is not an id`);
  const fn = raw['fn'];
  if (typeof fn !== 'string' || !MEASURE_FUNCTIONS.includes(fn as MeasureFn)) {
    ctx.fail(
      at(path, 'fn'),
      'UNKNOWN_FUNCTION',
      `Function ${show(fn)} is not one of ${MEASURE_FUNCTIONS.join(', ')}`,
    );
    return null;
  }
  const f = fn as MeasureFn;
  const out: NormalizedMeasure & { raw: Obj } = {
    id: isKeyId(id) ? id : 'invalid',
    fn: f,
    label: '',
    hidden: ctx.bool(raw['hidden'], at(path, 'hidden'), false),
    format: 'number',
    raw,
  };
  const refuse = (key: string): void => {
    if (raw[key] !== undefined)
      ctx.fail(at(path, key), 'UNEXPECTED_PROPERTY', `${f} does not take ${key}`);
  };
  const needField = (kinds: readonly ValueKind[] | null): FieldRef | null => {
    if (raw['field'] === undefined)
      return ctx.fail(at(path, 'field'), 'FIELD_REQUIRED', `${f} needs a field`);
    const ref = ctx.field(raw['field'], at(path, 'field'));
    if (ref !== null && kinds !== null && !kinds.includes(ref.kind)) {
      return ctx.fail(
        at(path, 'field'),
        'FIELD_TYPE_MISMATCH',
        `${f} cannot use field "${ref.path}" (${ref.type})`,
      );
    }
    return ref;
  };
  switch (f) {
    case 'count':
      if (raw['field'] !== undefined) {
        const ref = ctx.field(raw['field'], at(path, 'field'));
        if (ref !== null) out.field = ref;
      }
      break;
    case 'count_distinct': {
      const ref = needField(['text', 'number', 'date', 'datetime', 'boolean', 'uuid']);
      if (ref !== null) out.field = ref;
      break;
    }
    case 'sum':
    case 'avg': {
      const ref = needField(['number']);
      if (ref !== null) out.field = ref;
      break;
    }
    case 'min':
    case 'max': {
      const ref = needField(['number', 'date', 'datetime']);
      if (ref !== null) out.field = ref;
      break;
    }
    case 'weighted_sum': {
      const ref = needField(['number']);
      if (ref !== null) out.field = ref;
      if (raw['weight'] === undefined)
        ctx.fail(at(path, 'weight'), 'FIELD_REQUIRED', 'weighted_sum needs a weight field');
      else {
        const w = ctx.field(raw['weight'], at(path, 'weight'));
        if (w !== null && w.kind !== 'number') {
          ctx.fail(
            at(path, 'weight'),
            'FIELD_TYPE_MISMATCH',
            `The weight "${w.path}" is not a number field`,
          );
        } else if (w !== null) {
          out.weight = w;
          out.weightDivisor = w.type === 'percent' ? 100 : 1;
        }
      }
      break;
    }
    case 'conversion': {
      const ref = needField(['text']);
      const stages = stageList(ctx, raw['stages'], at(path, 'stages'));
      if (ref !== null && stages !== null) {
        const from = stages.indexOf(String(raw['from']));
        const to = stages.indexOf(String(raw['to']));
        if (typeof raw['from'] !== 'string' || from < 0)
          ctx.fail(
            at(path, 'from'),
            'UNKNOWN_STAGE',
            `from must be one of the stages, got ${show(raw['from'])}`,
          );
        if (typeof raw['to'] !== 'string' || to < 0)
          ctx.fail(
            at(path, 'to'),
            'UNKNOWN_STAGE',
            `to must be one of the stages, got ${show(raw['to'])}`,
          );
        if (from >= 0 && to >= 0 && from >= to)
          ctx.fail(at(path, 'to'), 'STAGE_ORDER', 'to must come after from');
        if (from >= 0 && to > from)
          out.conversion = {
            field: ref,
            reachedFrom: stages.slice(from),
            reachedTo: stages.slice(to),
          };
      }
      break;
    }
    case 'ratio':
      for (const key of ['numerator', 'denominator']) {
        if (!isId(raw[key]))
          ctx.fail(
            at(path, key),
            'INVALID_IDENTIFIER',
            `${key} names another measure, got ${show(raw[key])}`,
          );
      }
      if (isId(raw['numerator'])) out.numerator = raw['numerator'];
      if (isId(raw['denominator'])) out.denominator = raw['denominator'];
      break;
    case 'share':
      if (!isId(raw['of']))
        ctx.fail(
          at(path, 'of'),
          'INVALID_IDENTIFIER',
          `of names another measure, got ${show(raw['of'])}`,
        );
      else out.of = raw['of'];
      break;
    default:
      break;
  }
  if (f !== 'weighted_sum') refuse('weight');
  if (f !== 'ratio') {
    refuse('numerator');
    refuse('denominator');
  }
  if (f !== 'share') refuse('of');
  if (f !== 'conversion') {
    refuse('stages');
    refuse('from');
    refuse('to');
  }
  if ((f === 'ratio' || f === 'share') && raw['field'] !== undefined) refuse('field');
  if (raw['filter'] !== undefined) {
    if (!BASE_FNS.has(f))
      ctx.fail(
        at(path, 'filter'),
        'UNEXPECTED_PROPERTY',
        `${f} takes the filters of the measures it uses`,
      );
    else {
      const c = ctx.condition(raw['filter'], at(path, 'filter'));
      if (c !== null) out.filter = c;
    }
  }
  out.format = formatOf(f, out.field);
  out.label = ctx.label(raw['label'], at(path, 'label'), measureLabel(f, out.field));
  return ctx.issues.length > before ? null : out;
}

function periodOf(
  ctx: Ctx,
  raw: unknown,
  compare: CompareMode | null,
  path: string,
): NormalizedPeriod | null {
  if (!isObj(raw)) return ctx.fail(path, 'INVALID_PERIOD', 'period is { field, op, value? }');
  ctx.unknownKeys(raw, new Set(['field', 'op', 'value']), path);
  const ref = ctx.field(raw['field'], at(path, 'field'));
  if (ref === null) return null;
  if (ref.kind !== 'date' && ref.kind !== 'datetime') {
    return ctx.fail(
      at(path, 'field'),
      'PERIOD_NEEDS_DATE',
      `The period field "${ref.path}" is not a date field`,
    );
  }
  const op = raw['op'];
  if (!isRelativeDateOp(op))
    return ctx.fail(at(path, 'op'), 'UNKNOWN_OPERATOR', `Unknown date range ${show(op)}`);
  if (ctx.now === null)
    return ctx.fail(at(path, 'op'), 'NOW_REQUIRED', 'A report period needs the current time (now)');
  const current = resolveRelative(op, raw['value'], ctx.now, ctx.timeZone);
  if ('code' in current) return ctx.fail(at(path, 'value'), current.code, current.message);
  const out: NormalizedPeriod = {
    field: ref,
    current: toRangeValue(current, ref.kind, ctx.timeZone),
  };
  if (compare !== null) {
    const prev = previousBounds(op, current, compare, ctx.timeZone);
    if ('code' in prev) return ctx.fail(at(path, 'value'), prev.code, prev.message);
    out.previous = toRangeValue(prev, ref.kind, ctx.timeZone);
  }
  return out;
}

/**
 * Normalizes a report spec against the form schemas: `NormalizedReport`, or all issues at once.
 * Field ids must exist (and be readable under `fieldPolicy`), functions, buckets, operators and
 * sorts come from fixed lists; nothing from the spec reaches SQL text except through the map.
 */
export function normalizeReport(
  spec: unknown,
  forms: readonly ReportForm[],
  options: NormalizeReportOptions = {},
): NormalizedReport | Issue[] {
  if (!isObj(spec))
    return [{ path: '', code: 'INVALID_REPORT', message: 'A report spec is an object' }];
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  if (!isValidTimeZone(timeZone)) {
    return [
      {
        path: 'timeZone',
        code: 'INVALID_TIME_ZONE',
        message: `Unknown time zone ${show(timeZone)}`,
      },
    ];
  }
  let now: number | null = null;
  const early: Issue[] = [];
  if (options.now !== undefined) {
    now = parseInstant(options.now, 'UTC');
    if (now === null)
      early.push({ path: 'now', code: 'INVALID_NOW', message: 'now is not an instant' });
  }
  const index = indexForms(Array.isArray(forms) ? forms : []);
  const formId = spec['form'];
  if (!isId(formId)) {
    return [
      ...early,
      { path: 'form', code: 'INVALID_IDENTIFIER', message: `Form id ${show(formId)} is not an id` },
    ];
  }
  if (!index.has(formId))
    return [
      ...early,
      { path: 'form', code: 'UNKNOWN_FORM', message: `Form "${formId}" is not available` },
    ];
  const ctx = new Ctx(
    formId,
    index,
    {
      sourceFormId: formId,
      ...(options.fieldPolicy !== undefined ? { policy: options.fieldPolicy } : {}),
    },
    timeZone,
    now,
  );
  ctx.issues.push(...early);
  ctx.unknownKeys(spec, SPEC_KEYS, '');

  const kind = spec['kind'] as ReportKind;
  if (typeof kind !== 'string' || !REPORT_KINDS.includes(kind)) {
    ctx.fail(
      'kind',
      'UNKNOWN_KIND',
      `kind is one of ${REPORT_KINDS.join(', ')}, got ${show(spec['kind'])}`,
    );
  }

  const list = (key: string): unknown[] => {
    const v = spec[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      ctx.fail(key, 'INVALID_LIST', `${key} is a list`);
      return [];
    }
    return v;
  };

  // Dimensions
  const rowRaw = list('dimensions');
  const colRaw = list('columns');
  if (rowRaw.length > REPORT_LIMITS.rowDimensions)
    ctx.fail(
      'dimensions',
      'TOO_MANY_DIMENSIONS',
      `At most ${REPORT_LIMITS.rowDimensions} row dimensions`,
    );
  if (colRaw.length > REPORT_LIMITS.columnDimensions)
    ctx.fail(
      'columns',
      'TOO_MANY_DIMENSIONS',
      `At most ${REPORT_LIMITS.columnDimensions} column dimensions`,
    );
  const dims: NormalizedDimension[] = [];
  rowRaw.slice(0, REPORT_LIMITS.rowDimensions).forEach((d, i) => {
    const n = dimension(ctx, d, `dimensions.${i}`, 'row');
    if (n !== null) dims.push(n);
  });
  colRaw.slice(0, REPORT_LIMITS.columnDimensions).forEach((d, i) => {
    const n = dimension(ctx, d, `columns.${i}`, 'column');
    if (n !== null) dims.push(n);
  });

  // Measures
  const measureRaw = list('measures');
  if (measureRaw.length > REPORT_LIMITS.measures)
    ctx.fail('measures', 'TOO_MANY_MEASURES', `At most ${REPORT_LIMITS.measures} measures`);
  let measures: Array<NormalizedMeasure & { raw: Obj }> = [];
  measureRaw.slice(0, REPORT_LIMITS.measures).forEach((m, i) => {
    const n = measure(ctx, m, `measures.${i}`);
    if (n !== null) measures.push(n);
  });
  if (kind === 'funnel' && measureRaw.length === 0) {
    measures = [
      {
        id: 'count',
        fn: 'count',
        label: { 'zh-CN': '记录数', en: 'Count' },
        hidden: false,
        format: 'integer',
        raw: {},
      },
    ];
  }

  // Unique ids across dimensions and measures
  const seen = new Map<string, string>();
  const claim = (id: string, path: string): void => {
    const other = seen.get(id);
    if (other !== undefined)
      ctx.fail(
        path,
        'DUPLICATE_ID',
        `Id "${id}" is already used by ${other}; give one an id of its own`,
      );
    else seen.set(id, path);
  };
  seen.set('funnel_stage', 'the funnel stage');
  const dimPath = (d: NormalizedDimension): string =>
    `${d.axis === 'row' ? 'dimensions' : 'columns'}.${dims.filter((x) => x.axis === d.axis).indexOf(d)}`;
  const shapes = new Map<string, string>();
  dims.forEach((d) => {
    claim(d.id, `${dimPath(d)}.id`);
    // The same grouping twice would make its subtotals indistinguishable.
    const shape = JSON.stringify([d.field.path, d.bucket ?? null, d.bin ?? null]);
    const first = shapes.get(shape);
    if (first !== undefined) {
      ctx.fail(`${dimPath(d)}.field`, 'DUPLICATE_DIMENSION', `The same grouping as ${first}`);
    } else shapes.set(shape, dimPath(d));
  });
  measures.forEach((m, i) =>
    claim(m.id, `measures.${measureRaw.indexOf(m.raw) >= 0 ? measureRaw.indexOf(m.raw) : i}.id`),
  );

  // Measure references (ratio, share)
  const byId = new Map(measures.map((m) => [m.id, m]));
  measures.forEach((m) => {
    const i = measureRaw.indexOf(m.raw);
    const path = `measures.${i}`;
    for (const key of ['numerator', 'denominator', 'of'] as const) {
      const target = m[key];
      if (target === undefined) continue;
      const t = byId.get(target);
      if (t === undefined)
        ctx.fail(at(path, key), 'UNKNOWN_MEASURE', `No measure "${target}" in this report`);
      else if (!BASE_FNS.has(t.fn))
        ctx.fail(
          at(path, key),
          'MEASURE_NOT_BASE',
          `"${target}" must be a plain aggregate, not ${t.fn}`,
        );
      else if (key === 'of' && !ADDITIVE_FNS.has(t.fn))
        ctx.fail(
          at(path, key),
          'SHARE_NEEDS_ADDITIVE',
          'A share is of a count, sum or weighted_sum',
        );
      else if (t.format === 'date' || t.format === 'datetime')
        ctx.fail(
          at(path, key),
          'MEASURE_NOT_NUMERIC',
          `"${target}" is a date; a ratio divides numbers`,
        );
    }
  });

  // Detail fields (table kind)
  const fieldsRaw = list('fields');
  const fields: FieldRef[] = [];
  if (fieldsRaw.length > REPORT_LIMITS.fields)
    ctx.fail('fields', 'TOO_MANY_FIELDS', `At most ${REPORT_LIMITS.fields} fields`);
  fieldsRaw.slice(0, REPORT_LIMITS.fields).forEach((f, i) => {
    const ref = ctx.field(f, `fields.${i}`);
    if (ref === null) return;
    if (fields.some((x) => x.path === ref.path))
      ctx.fail(`fields.${i}`, 'DUPLICATE_FIELD', `Field "${ref.path}" is listed twice`);
    else fields.push(ref);
  });

  // Filter, compare, period
  const filter =
    spec['filter'] === undefined || spec['filter'] === null
      ? null
      : ctx.condition(spec['filter'], 'filter');
  let compare: CompareMode | null = null;
  if (spec['compare'] !== undefined && spec['compare'] !== null) {
    if (spec['compare'] === 'previous_period' || spec['compare'] === 'previous_year')
      compare = spec['compare'];
    else
      ctx.fail(
        'compare',
        'INVALID_COMPARE',
        `compare is previous_period or previous_year, got ${show(spec['compare'])}`,
      );
  }
  const period =
    spec['period'] === undefined || spec['period'] === null
      ? null
      : periodOf(ctx, spec['period'], compare, 'period');
  if (compare !== null && spec['period'] === undefined)
    ctx.fail(
      'compare',
      'PERIOD_REQUIRED',
      'Comparing with a previous period needs a report period',
    );

  // Sort
  const sortRaw = list('sort');
  const sort: NormalizedSort[] = [];
  const detail = fieldsRaw.length > 0;
  sortRaw.slice(0, 8).forEach((s, i) => {
    const path = `sort.${i}`;
    if (!isObj(s)) return void ctx.fail(path, 'INVALID_SORT', 'A sort is { by, direction? }');
    ctx.unknownKeys(s, new Set(['by', 'direction']), path);
    const by = s['by'];
    const direction = s['direction'] ?? 'asc';
    if (direction !== 'asc' && direction !== 'desc')
      ctx.fail(
        at(path, 'direction'),
        'INVALID_DIRECTION',
        `direction is asc or desc, got ${show(direction)}`,
      );
    if (!isId(by) && !(detail && typeof by === 'string' && fields.some((f) => f.path === by))) {
      return void ctx.fail(
        at(path, 'by'),
        'INVALID_IDENTIFIER',
        `sort.by ${show(by)} is not an id`,
      );
    }
    const target = detail
      ? fields.some((f) => f.path === by)
        ? 'dimension'
        : null
      : dims.some((d) => d.id === by)
        ? 'dimension'
        : measures.some((m) => m.id === by)
          ? 'measure'
          : null;
    if (target === null)
      return void ctx.fail(
        at(path, 'by'),
        'UNKNOWN_SORT_KEY',
        `Sort by ${show(by)}: not a ${detail ? 'listed field' : 'dimension or measure of this report'}`,
      );
    if (sort.some((x) => x.key === by))
      return void ctx.fail(at(path, 'by'), 'DUPLICATE_SORT_KEY', `Sorted by "${String(by)}" twice`);
    const listed = detail ? fields.find((f) => f.path === by) : undefined;
    if (listed !== undefined && (listed.kind === 'text_array' || listed.kind === 'json')) {
      return void ctx.fail(
        at(path, 'by'),
        'NOT_SORTABLE',
        `Field "${listed.path}" (${listed.type}) cannot be sorted`,
      );
    }
    sort.push({ key: by as string, target, direction: direction === 'desc' ? 'desc' : 'asc' });
  });
  if (sortRaw.length > 8) ctx.fail('sort', 'TOO_MANY_SORTS', 'At most 8 sort keys');

  const limit =
    spec['limit'] === undefined || spec['limit'] === null
      ? null
      : ctx.int(spec['limit'], 'limit', 1, REPORT_LIMITS.limit);
  const totals = ctx.bool(spec['totals'], 'totals', kind === 'pivot');
  const subtotals = ctx.bool(spec['subtotals'], 'subtotals', false);

  const rows = dims.filter((d) => d.axis === 'row');
  const cols = dims.filter((d) => d.axis === 'column');

  // Top N
  let top: NormalizedReport['top'] = null;
  if (spec['top'] !== undefined && spec['top'] !== null) {
    const t = spec['top'];
    if (!isObj(t)) ctx.fail('top', 'INVALID_TOP', 'top is { n, by?, dimension?, other? }');
    else {
      ctx.unknownKeys(t, new Set(['n', 'by', 'dimension', 'other']), 'top');
      const n = ctx.int(t['n'], 'top.n', 1, REPORT_LIMITS.top);
      const by = t['by'] ?? measures[0]?.id;
      const m = measures.find((x) => x.id === by);
      if (!isId(by))
        ctx.fail('top.by', 'INVALID_IDENTIFIER', `top.by ${show(by)} is not a measure id`);
      else if (m === undefined)
        ctx.fail('top.by', 'UNKNOWN_MEASURE', `No measure "${by}" in this report`);
      else if (m.fn === 'share')
        ctx.fail('top.by', 'MEASURE_NOT_BASE', 'Rank by the measure the share is of');
      const defaultDim =
        rows.find((d) => d.bucket === undefined && d.field.kind !== 'date') ?? rows[0];
      const dimId = t['dimension'] ?? defaultDim?.id;
      if (!isId(dimId))
        ctx.fail(
          'top.dimension',
          'INVALID_IDENTIFIER',
          `top.dimension ${show(dimId)} is not a dimension id`,
        );
      else if (!rows.some((d) => d.id === dimId))
        ctx.fail('top.dimension', 'UNKNOWN_DIMENSION', `No row dimension "${dimId}"`);
      const other = ctx.bool(t['other'], 'top.other', true);
      if (
        n !== null &&
        isId(by) &&
        m !== undefined &&
        isId(dimId) &&
        rows.some((d) => d.id === dimId)
      ) {
        top = { n, by, dimension: dimId, other };
      }
    }
  }

  // Funnel
  let funnel: NormalizedReport['funnel'] = null;
  if (spec['funnel'] !== undefined) {
    const f = spec['funnel'];
    if (!isObj(f)) ctx.fail('funnel', 'INVALID_FUNNEL', 'funnel is { field, stages, mode? }');
    else {
      ctx.unknownKeys(f, new Set(['field', 'stages', 'mode']), 'funnel');
      const ref = ctx.field(f['field'], 'funnel.field');
      if (ref !== null && ref.kind !== 'text')
        ctx.fail(
          'funnel.field',
          'FIELD_TYPE_MISMATCH',
          `Funnel stages come from a text, select or stage field; "${ref.path}" is ${ref.type}`,
        );
      const stages = stageList(ctx, f['stages'], 'funnel.stages');
      const mode = f['mode'] ?? 'reached';
      if (mode !== 'reached' && mode !== 'current')
        ctx.fail('funnel.mode', 'INVALID_MODE', `mode is reached or current, got ${show(mode)}`);
      if (
        ref !== null &&
        ref.kind === 'text' &&
        stages !== null &&
        (mode === 'reached' || mode === 'current')
      ) {
        funnel = { field: ref, stages, mode };
      }
    }
  }

  // Leaderboard
  let leaderboard: NormalizedReport['leaderboard'] = null;
  if (spec['leaderboard'] !== undefined) {
    const l = spec['leaderboard'];
    if (!isObj(l))
      ctx.fail(
        'leaderboard',
        'INVALID_LEADERBOARD',
        'leaderboard is { by, limit?, ties?, target? }',
      );
    else {
      ctx.unknownKeys(l, new Set(['by', 'limit', 'ties', 'target']), 'leaderboard');
      const by = l['by'] ?? measures[0]?.id;
      const m = measures.find((x) => x.id === by);
      if (!isId(by))
        ctx.fail(
          'leaderboard.by',
          'INVALID_IDENTIFIER',
          `leaderboard.by ${show(by)} is not a measure id`,
        );
      else if (m === undefined)
        ctx.fail('leaderboard.by', 'UNKNOWN_MEASURE', `No measure "${by}" in this report`);
      const lim =
        l['limit'] === undefined
          ? 10
          : ctx.int(l['limit'], 'leaderboard.limit', 1, REPORT_LIMITS.leaderboard);
      const ties = l['ties'] ?? 'competition';
      if (ties !== 'competition' && ties !== 'dense')
        ctx.fail(
          'leaderboard.ties',
          'INVALID_TIES',
          `ties is competition or dense, got ${show(ties)}`,
        );
      let target: NonNullable<NormalizedReport['leaderboard']>['target'] = null;
      if (l['target'] !== undefined) {
        const t = l['target'];
        if (!isObj(t))
          ctx.fail(
            'leaderboard.target',
            'INVALID_TARGET',
            'target is { form, entityField, valueField, periodField? }',
          );
        else {
          ctx.unknownKeys(
            t,
            new Set(['form', 'entityField', 'valueField', 'periodField']),
            'leaderboard.target',
          );
          const tf = t['form'];
          if (!isId(tf))
            ctx.fail(
              'leaderboard.target.form',
              'INVALID_IDENTIFIER',
              `Form id ${show(tf)} is not an id`,
            );
          else if (!index.has(tf))
            ctx.fail('leaderboard.target.form', 'UNKNOWN_FORM', `Form "${tf}" is not available`);
          else {
            const entity = ctx.field(t['entityField'], 'leaderboard.target.entityField', tf);
            const value = ctx.field(t['valueField'], 'leaderboard.target.valueField', tf);
            const per =
              t['periodField'] === undefined
                ? undefined
                : ctx.field(t['periodField'], 'leaderboard.target.periodField', tf);
            const entityDim = rows[0];
            if (entity !== null && entity.via.length > 0)
              ctx.fail(
                'leaderboard.target.entityField',
                'PATH_NOT_ALLOWED',
                'Target fields are fields of the targets form itself',
              );
            if (
              entityDim !== undefined &&
              (entityDim.bucket !== undefined ||
                entityDim.bin !== undefined ||
                entityDim.field.kind === 'date' ||
                entityDim.field.kind === 'datetime' ||
                entityDim.field.kind === 'text_array')
            ) {
              ctx.fail(
                'leaderboard.target',
                'TARGET_NEEDS_ENTITY',
                'Targets are matched to a person, team or value, not to dates, bins or multi-select values',
              );
            } else if (
              entity !== null &&
              entityDim !== undefined &&
              entity.kind !== entityDim.field.kind
            ) {
              ctx.fail(
                'leaderboard.target.entityField',
                'FIELD_TYPE_MISMATCH',
                `The target's entity "${entity.path}" is ${entity.kind}, the ranked dimension is ${entityDim.field.kind}`,
              );
            }
            if (value !== null && value.kind !== 'number')
              ctx.fail(
                'leaderboard.target.valueField',
                'FIELD_TYPE_MISMATCH',
                `Target value "${value.path}" is not a number field`,
              );
            if (
              per !== null &&
              per !== undefined &&
              per.kind !== 'date' &&
              per.kind !== 'datetime'
            ) {
              ctx.fail(
                'leaderboard.target.periodField',
                'FIELD_TYPE_MISMATCH',
                `Target period "${per.path}" is not a date field`,
              );
            }
            if (entity !== null && value !== null && per !== null) {
              target = { formId: tf, entity, value, ...(per !== undefined ? { period: per } : {}) };
            }
          }
        }
      }
      if (
        isId(by) &&
        m !== undefined &&
        lim !== null &&
        (ties === 'competition' || ties === 'dense')
      ) {
        leaderboard = { by, limit: lim, ties, target };
      }
    }
  }

  // Kind rules
  const kindFail = (path: string, message: string): null =>
    ctx.fail(path, 'KIND_MISMATCH', message);
  if (kind !== 'funnel' && spec['funnel'] !== undefined)
    kindFail('funnel', 'funnel applies to funnel reports');
  if (kind !== 'leaderboard' && spec['leaderboard'] !== undefined)
    kindFail('leaderboard', 'leaderboard applies to leaderboard reports');
  if (kind !== 'table' && fieldsRaw.length > 0)
    kindFail('fields', 'Listing fields applies to table reports');
  if (kind !== 'pivot' && colRaw.length > 0)
    kindFail('columns', 'Column dimensions apply to pivot reports');
  const needMeasure = (): void => {
    if (measureRaw.length === 0)
      ctx.fail('measures', 'MEASURE_REQUIRED', 'Add at least one measure');
  };
  switch (kind) {
    case 'table':
      if (detail) {
        if (rowRaw.length > 0 || measureRaw.length > 0)
          kindFail('fields', 'A table lists fields or groups by dimensions, not both');
        if (top !== null) kindFail('top', 'Top N applies to grouped tables');
        if (totals || subtotals) kindFail('totals', 'A field list has no totals');
      } else needMeasure();
      break;
    case 'pivot':
      if (rowRaw.length === 0)
        ctx.fail('dimensions', 'DIMENSION_REQUIRED', 'A pivot needs at least one row dimension');
      if (colRaw.length === 0)
        ctx.fail('columns', 'DIMENSION_REQUIRED', 'A pivot needs at least one column dimension');
      needMeasure();
      if (limit !== null)
        kindFail('limit', 'A pivot is not limited; use top N on its row dimension');
      break;
    case 'time_series': {
      needMeasure();
      const first = rows[0];
      if (rowRaw.length === 0)
        ctx.fail('dimensions', 'DIMENSION_REQUIRED', 'A time series needs a date dimension first');
      else if (first !== undefined && first.bucket === undefined && first.field.kind !== 'date') {
        ctx.fail(
          'dimensions.0',
          'TIME_DIMENSION_REQUIRED',
          'The first dimension of a time series is a bucketed date',
        );
      }
      if (rowRaw.length > 2)
        ctx.fail(
          'dimensions',
          'TOO_MANY_DIMENSIONS',
          'A time series has a date dimension and at most one series dimension',
        );
      if (limit !== null) kindFail('limit', 'A time series covers its whole range');
      if (top !== null && top.dimension === first?.id)
        ctx.fail('top.dimension', 'TOP_ON_TIME', 'Top N ranks the series dimension, not time');
      if (subtotals) kindFail('subtotals', 'A time series has no subtotals');
      break;
    }
    case 'funnel':
      if (spec['funnel'] === undefined)
        ctx.fail('funnel', 'FUNNEL_REQUIRED', 'A funnel report needs { field, stages }');
      if (rowRaw.length > 1)
        ctx.fail(
          'dimensions',
          'TOO_MANY_DIMENSIONS',
          'A funnel has at most one breakdown dimension',
        );
      if (funnel !== null && rows[0]?.field.path === funnel.field.path) {
        ctx.fail(
          'dimensions.0.field',
          'BREAKDOWN_IS_STAGE',
          'A funnel is already split by its stages; break it down by another field',
        );
      }
      measures.forEach((m) => {
        if (!ADDITIVE_FNS.has(m.fn))
          ctx.fail(
            `measures.${measureRaw.indexOf(m.raw)}.fn`,
            'FUNNEL_MEASURE',
            'Funnel steps add up counts, sums and weighted sums only',
          );
      });
      if (top !== null || limit !== null || subtotals)
        kindFail('funnel', 'A funnel shows every stage (no top, limit or subtotals)');
      break;
    case 'leaderboard':
      if (spec['leaderboard'] === undefined)
        ctx.fail('leaderboard', 'LEADERBOARD_REQUIRED', 'A leaderboard needs { by }');
      if (rowRaw.length !== 1)
        ctx.fail(
          'dimensions',
          'DIMENSION_REQUIRED',
          'A leaderboard ranks exactly one dimension (usually the owner)',
        );
      needMeasure();
      if (top !== null || limit !== null || subtotals || totals)
        kindFail(
          'leaderboard',
          'A leaderboard is limited by leaderboard.limit (no top, limit or totals)',
        );
      break;
    case 'kpi':
      needMeasure();
      if (rowRaw.length > 0) kindFail('dimensions', 'A KPI card has no dimensions');
      if (top !== null || limit !== null || subtotals || sortRaw.length > 0)
        kindFail('kpi', 'A KPI card is one row (no top, limit, sort or subtotals)');
      break;
    default:
      break;
  }
  if (subtotals && (top !== null || limit !== null))
    ctx.fail(
      'subtotals',
      'SUBTOTALS_WITH_LIMIT',
      'Subtotals cover every group; they cannot be combined with top N or a limit',
    );
  if (top !== null && limit !== null)
    ctx.fail('limit', 'TOP_WITH_LIMIT', 'Top N already limits the rows');
  if (limit !== null && kind === 'table' && detail === false && rows.length === 0)
    kindFail('limit', 'A table without dimensions has one row');
  if (subtotals && kind === 'table' && rows.length < 2)
    kindFail('subtotals', 'Subtotals need at least two row dimensions (use totals for one)');

  const target = leaderboard?.target;
  if (target?.period !== undefined && period !== null) {
    const pk = period.field.kind as 'date' | 'datetime';
    target.range = convertRange(
      period.current,
      pk,
      target.period.kind as 'date' | 'datetime',
      timeZone,
    );
  }

  let title: LocalizedText | undefined;
  if (spec['title'] !== undefined) title = ctx.label(spec['title'], 'title', '');

  if (ctx.issues.length > 0) return ctx.issues;
  const ordered = [...rows, ...cols];
  return {
    kind,
    formId,
    ...(title !== undefined ? { title } : {}),
    timeZone,
    dimensions: ordered,
    measures: measures.map(({ raw: _raw, ...m }) => m),
    fields,
    filter,
    period,
    compare,
    sort,
    limit: kind === 'table' && detail && limit === null ? 1000 : limit,
    top,
    totals,
    subtotals,
    funnel,
    refs: ctx.refs,
    leaderboard,
  };
}
