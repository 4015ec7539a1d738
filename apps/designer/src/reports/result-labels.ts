// People-facing labels of report results, in one place: the engine labels rows with what it
// knows (option labels of the source form, buckets); here the designer adds what only the API
// knows: members' display names for user values, the flow's stage labels, option labels of
// related forms, and local date-times. Tables, pivots, charts and drill-down all read the result
// this returns, so a chart element and its row keep matching labels.
import { useMemo } from 'react';
import type { CellValue, ReportResult, ResultDimension, ResultRow } from '@trellis/report-engine';
import { flowsApi } from '../api/flows-api.js';
import { formsApi, type FormDetail } from '../api/forms-api.js';
import { peopleApi } from '../api/people-api.js';
import { useResource } from '../api/use-resource.js';
import type { AppFormSummary } from '../api/apps-api.js';
import type { FieldSchema } from '../forms/form-schema.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { LocalizedText } from '../i18n/localized-text.js';
import { useCurrentApp } from '../runtime/app-context.js';
import { parseFlowDefinition } from '../workflow/flow-definition.js';
import { formatDateValue } from './result-format.js';

/** What labels are looked up in. */
export type LabelSources = {
  /** Member id (and user id) -> display name. */
  members: ReadonlyMap<string, string>;
  /** Form key -> its published schema and whether it has a flow. */
  forms: ReadonlyMap<string, FormDetail>;
  /** Form key -> stage id -> the flow state's label. */
  stages: ReadonlyMap<string, ReadonlyMap<string, LocalizedText>>;
};

const USER_SYSTEM_FIELDS = new Set(['owner_id', 'created_by', 'updated_by']);

type Resolved = { formKey: string; fieldId: string; field: FieldSchema | undefined };

/** Walks a field path (`amount`, `customer.level`) through relation fields of loaded forms. */
function resolvePath(
  path: string,
  formKey: string,
  forms: ReadonlyMap<string, FormDetail>,
): Resolved | null {
  const parts = path.split('.');
  let current = formKey;
  for (let i = 0; i < parts.length - 1; i += 1) {
    const hop = forms.get(current)?.schema?.fields.find((f) => f.id === parts[i]);
    if (hop?.relation === undefined) return null;
    current = hop.relation.formId;
  }
  const fieldId = parts[parts.length - 1] ?? '';
  return {
    formKey: current,
    fieldId,
    field: forms.get(current)?.schema?.fields.find((f) => f.id === fieldId),
  };
}

/** The form keys a result's paths walk through (what must be loaded to resolve them). */
export function formKeysOf(
  result: ReportResult,
  forms: ReadonlyMap<string, FormDetail>,
): { known: string[]; missing: string[] } {
  const keys = new Set<string>([result.formId]);
  for (const d of [...result.dimensions, ...result.fields]) {
    const parts = d.field.split('.');
    let current = result.formId;
    for (let i = 0; i < parts.length - 1; i += 1) {
      const hop = forms.get(current)?.schema?.fields.find((f) => f.id === parts[i]);
      if (hop?.relation === undefined) break;
      current = hop.relation.formId;
      keys.add(current);
    }
  }
  const all = [...keys];
  return { known: all.filter((k) => forms.has(k)), missing: all.filter((k) => !forms.has(k)) };
}

type Labeller = (key: CellValue, current: LocalizedText | undefined) => LocalizedText | undefined;

/** How one dimension's (or detail field's) values are labelled; null leaves the engine's labels. */
function labellerOf(
  d: ResultDimension,
  formKey: string,
  sources: LabelSources,
  locale: string,
): Labeller | null {
  const resolved = resolvePath(d.field, formKey, sources.forms);
  const fieldId = resolved?.fieldId ?? d.field;
  const type = resolved?.field?.type;
  const asText = (key: CellValue) => (typeof key === 'string' ? key : null);
  if (type === 'user' || USER_SYSTEM_FIELDS.has(fieldId) || d.kind === 'uuid')
    return (key) => {
      const id = asText(key);
      return id === null ? undefined : sources.members.get(id);
    };
  if (resolved?.field === undefined && fieldId === 'stage') {
    const stages = sources.stages.get(resolved?.formKey ?? formKey);
    if (stages === undefined) return null;
    return (key) => {
      const id = asText(key);
      return id === null ? undefined : stages.get(id);
    };
  }
  const options = resolved?.field?.options;
  if (options !== undefined && options.length > 0)
    return (key, current) => {
      const id = asText(key);
      if (id === null || (current !== undefined && current !== id)) return undefined;
      return options.find((o) => o.value === id)?.label;
    };
  if (d.bucket === undefined && (d.kind === 'date' || d.kind === 'datetime'))
    return (key) => {
      const value = asText(key);
      return value === null ? undefined : formatDateValue(value, locale, d.kind === 'date');
    };
  return null;
}

/** The result with people-facing labels (keys, values and drill-down conditions unchanged). */
export function labelResult(
  result: ReportResult,
  sources: LabelSources,
  locale: string,
): ReportResult {
  const labellers = [...result.dimensions, ...result.fields]
    .map((d) => ({ id: d.id, labeller: labellerOf(d, result.formId, sources, locale) }))
    .filter((x): x is { id: string; labeller: Labeller } => x.labeller !== null);
  if (labellers.length === 0) return result;
  const relabel = (row: ResultRow): ResultRow => {
    let labels: ResultRow['labels'] | null = null;
    for (const { id, labeller } of labellers) {
      if (row.rolledUp.includes(id) || (row.other === true && row.otherDimension === id)) continue;
      const key = row.keys[id];
      if (key === undefined || key === null) continue;
      const next = labeller(key, row.labels[id]);
      if (next === undefined) continue;
      labels ??= { ...row.labels };
      labels[id] = next;
    }
    return labels === null ? row : { ...row, labels };
  };
  const rows = result.rows.map(relabel);
  const totalIndex = result.total === null ? -1 : result.rows.indexOf(result.total);
  return {
    ...result,
    rows,
    // Keep `total` the same object as its row when it is one of the rows (tables rely on it).
    total:
      result.total === null
        ? null
        : totalIndex >= 0
          ? (rows[totalIndex] as ResultRow)
          : relabel(result.total),
  };
}

// ---------------------------------------------------------------------------
// Loading, cached for the page: every tile of a dashboard shares one request per resource.
// ---------------------------------------------------------------------------

const TTL_MS = 60_000;
const cache = new Map<string, { at: number; value: Promise<unknown> }>();

function cached<T>(key: string, load: () => Promise<T>): Promise<T | null> {
  const hit = cache.get(key);
  if (hit !== undefined && Date.now() - hit.at < TTL_MS) return hit.value as Promise<T | null>;
  const value = load().catch(() => {
    // Not readable (or offline): labels fall back to the engine's, and a later render retries.
    cache.delete(key);
    return null;
  });
  cache.set(key, { at: Date.now(), value });
  return value;
}

async function loadSources(
  result: ReportResult,
  appForms: readonly AppFormSummary[],
): Promise<LabelSources> {
  const membersLoad = cached('members', () => peopleApi.members());
  const forms = new Map<string, FormDetail>();
  // Relation hops are only known once their forms are loaded: load level by level.
  for (let depth = 0; depth < 4; depth += 1) {
    const { missing } = formKeysOf(result, forms);
    const loadable = missing
      .map((key) => ({ key, id: appForms.find((f) => f.key === key)?.id }))
      .filter((x): x is { key: string; id: string } => x.id !== undefined);
    if (loadable.length === 0) break;
    const details = await Promise.all(
      loadable.map(({ id }) => cached(`form:${id}`, () => formsApi.get(id))),
    );
    loadable.forEach(({ key }, i) => {
      const detail = details[i];
      if (detail !== null && detail !== undefined) forms.set(key, detail);
    });
    if (details.every((d) => d === null)) break;
  }
  const stages = new Map<string, ReadonlyMap<string, LocalizedText>>();
  const usesStage = [...result.dimensions, ...result.fields].some(
    (d) => d.field === 'stage' || d.field.endsWith('.stage'),
  );
  if (usesStage) {
    const flowForms = [...forms.values()].filter((f) => f.hasFlow);
    const flows = await Promise.all(
      flowForms.map((f) =>
        cached(`flow:${f.id}`, () =>
          flowsApi.get(f.id).then((doc) => parseFlowDefinition(doc.definition)),
        ),
      ),
    );
    flowForms.forEach((f, i) => {
      const flow = flows[i];
      if (flow !== null && flow !== undefined)
        stages.set(f.key, new Map(flow.states.map((s) => [s.id, s.label])));
    });
  }
  const members = new Map<string, string>();
  for (const m of (await membersLoad) ?? []) {
    members.set(m.id, m.displayName);
    if (!members.has(m.userId)) members.set(m.userId, m.displayName);
  }
  return { members, forms, stages };
}

/**
 * The result labelled for people (see labelResult); `ready` is false while the names, schemas
 * and flows load (a failed load falls back to the engine's labels).
 */
export function useLabelledResult(result: ReportResult): { result: ReportResult; ready: boolean } {
  const { locale } = useI18n();
  const { app } = useCurrentApp();
  const sources = useResource(() => loadSources(result, app.forms), [result, app.id]);
  const labelled = useMemo(
    () => (sources.data === undefined ? result : labelResult(result, sources.data, locale)),
    [result, sources.data, locale],
  );
  return {
    result: labelled,
    ready: sources.data !== undefined || sources.error !== undefined,
  };
}
