import type {
  ChartSpec,
  ChartType,
  ChartTypeInfo,
  DateBucket,
  MeasureFn,
  ReportKind,
  ReportSpec,
} from '@trellis/report-engine';
import type { FieldSchema } from '../forms/form-schema.js';
import type { LocalizedText } from '../i18n/localized-text.js';

/** A field a report can use: the form's fields and the system fields every record has. */
export type ReportField = {
  id: string;
  label: LocalizedText;
  kind: 'text' | 'number' | 'date' | 'choice' | 'user' | 'other';
  options?: ReadonlyArray<{ value: string; label: LocalizedText }>;
};

export type WellDimension = { field: string; bucket?: DateBucket };
export type WellMeasure = { id: string; fn: MeasureFn; field?: string };
export type WellFilter = { field: string; op: string; value?: unknown };

/** The report designer's document: fields dropped in wells, and a chart. */
export type ReportDraft = {
  form: string;
  kind: ReportKind | 'auto';
  rows: WellDimension[];
  columns: WellDimension[];
  values: WellMeasure[];
  filters: WellFilter[];
  chart: ChartType;
  /** Funnel: the ordered stages (values of the first row field). */
  stages?: string[];
};

export type Well = 'rows' | 'columns' | 'values' | 'filters';

const KIND_OF_TYPE: Readonly<Record<string, ReportField['kind']>> = {
  text: 'text',
  textarea: 'text',
  phone: 'text',
  email: 'text',
  url: 'text',
  serial: 'text',
  number: 'number',
  currency: 'number',
  percent: 'number',
  rating: 'number',
  date: 'date',
  datetime: 'date',
  select: 'choice',
  radio: 'choice',
  multi_select: 'choice',
  boolean: 'choice',
  user: 'user',
  department: 'other',
};

export function reportFields(
  fields: readonly FieldSchema[],
  system: { created: LocalizedText; owner: LocalizedText; stage: LocalizedText },
  stages: ReadonlyArray<{ value: string; label: LocalizedText }> | null,
): ReportField[] {
  const own: ReportField[] = fields
    .filter((field) => KIND_OF_TYPE[field.type] !== undefined)
    .map((field) => ({
      id: field.id,
      label: field.label,
      kind: KIND_OF_TYPE[field.type] ?? 'other',
      ...(field.options === undefined ? {} : { options: field.options }),
    }));
  return [
    ...own,
    ...(stages === null
      ? []
      : [{ id: 'stage', label: system.stage, kind: 'choice' as const, options: stages }]),
    { id: 'owner_id', label: system.owner, kind: 'user' },
    { id: 'created_at', label: system.created, kind: 'date' },
  ];
}

export function emptyDraft(form: string): ReportDraft {
  return { form, kind: 'auto', rows: [], columns: [], values: [], filters: [], chart: 'bar' };
}

/** The kind a draft runs as ("auto" reads it from the wells). */
export function effectiveKind(draft: ReportDraft, fields: readonly ReportField[]): ReportKind {
  if (draft.kind !== 'auto') return draft.kind;
  if (draft.columns.length > 0) return 'pivot';
  if (draft.rows.length === 0) return 'kpi';
  const first = fields.find((f) => f.id === draft.rows[0]?.field);
  if (first?.kind === 'date' && draft.rows.length === 1) return 'time_series';
  return 'table';
}

/** The report-engine spec the API runs. */
export function toSpec(
  draft: ReportDraft,
  fields: readonly ReportField[],
  title?: LocalizedText,
): ReportSpec {
  const kind = effectiveKind(draft, fields);
  const measures = (
    draft.values.length === 0 ? [{ id: 'records', fn: 'count' as const }] : draft.values
  ).map((m) =>
    m.field === undefined || m.fn === 'count'
      ? { id: m.id, fn: m.fn }
      : { id: m.id, fn: m.fn, field: m.field },
  );
  const dim = (d: WellDimension) =>
    d.bucket === undefined ? { field: d.field } : { field: d.field, bucket: d.bucket };
  const filters = draft.filters.filter((f) => f.field !== '');
  const spec: ReportSpec = {
    kind,
    form: draft.form,
    ...(title === undefined ? {} : { title }),
    measures,
    ...(filters.length === 0
      ? {}
      : { filter: filters.length === 1 ? filters[0] : { and: filters } }),
  };
  if (kind === 'funnel') {
    const stageField = draft.rows[0]?.field ?? 'stage';
    const options = fields.find((f) => f.id === stageField)?.options ?? [];
    return {
      ...spec,
      measures: measures.slice(0, 1),
      funnel: { field: stageField, stages: draft.stages ?? options.map((o) => o.value) },
    };
  }
  if (kind === 'kpi') return spec;
  const withDims: ReportSpec = {
    ...spec,
    dimensions: draft.rows.map(dim),
    ...(kind === 'pivot' ? { columns: draft.columns.map(dim) } : {}),
    ...(kind === 'table' || kind === 'pivot' ? { totals: true } : {}),
  };
  if (kind === 'leaderboard')
    return { ...withDims, leaderboard: { by: measures[0]?.id ?? 'records', limit: 10 } };
  return withDims;
}

/** Reads a saved spec back into wells (what the designer does not model is dropped). */
export function fromSpec(spec: ReportSpec, chart: ChartSpec | null): ReportDraft {
  const dims = (list: ReportSpec['dimensions']) =>
    (list ?? []).map((d) =>
      d.bucket === undefined ? { field: d.field } : { field: d.field, bucket: d.bucket },
    );
  const filter = spec.filter as ({ and?: WellFilter[] } & Partial<WellFilter>) | undefined;
  const filters: WellFilter[] =
    filter === undefined || filter === null
      ? []
      : Array.isArray(filter.and)
        ? filter.and.filter((f) => typeof f.field === 'string')
        : typeof filter.field === 'string'
          ? [{ field: filter.field, op: filter.op ?? 'eq', value: filter.value }]
          : [];
  return {
    form: spec.form,
    kind: spec.kind,
    rows:
      spec.kind === 'funnel' && spec.funnel !== undefined
        ? [{ field: spec.funnel.field }]
        : dims(spec.dimensions),
    columns: dims(spec.columns),
    values: (spec.measures ?? []).map((m) => ({
      id: m.id,
      fn: m.fn,
      ...(m.field === undefined ? {} : { field: m.field }),
    })),
    filters,
    chart: chart?.type ?? 'bar',
    ...(spec.funnel === undefined ? {} : { stages: [...spec.funnel.stages] }),
  };
}

/** Does a chart type fit the report (kind, number of dimensions and measures)? */
export function chartFits(
  info: ChartTypeInfo,
  kind: ReportKind,
  dimensions: number,
  measures: number,
): boolean {
  if (!info.kinds.includes(kind)) return false;
  if (
    kind !== 'funnel' &&
    kind !== 'kpi' &&
    (dimensions < info.dimensions.min || dimensions > info.dimensions.max)
  )
    return false;
  return measures >= info.measures.min && measures <= Math.max(info.measures.max, 1);
}

export function nextMeasureId(
  values: readonly WellMeasure[],
  fn: MeasureFn,
  field?: string,
): string {
  const base = `${fn}${field === undefined ? '' : `_${field}`}`.slice(0, 50);
  let id = base;
  for (let n = 2; values.some((m) => m.id === id); n += 1) id = `${base}_${n}`;
  return id;
}
