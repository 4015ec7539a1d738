import { createContext, useContext, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import type { AppFormSummary } from '../api/apps-api.js';
import { formsApi } from '../api/forms-api.js';
import { peopleApi } from '../api/people-api.js';
import { recordsApi, type TrellisRecord } from '../api/records-api.js';
import type { FormSchema } from './form-schema.js';

export type Choice = { id: string; label: string };

/** Where user, department and relation fields find their choices. */
export type FieldDataSource = {
  members(): Promise<Choice[]>;
  teams(): Promise<Choice[]>;
  /** Records of the form with this key (relation targets), matching the search text. */
  searchRecords(formKey: string, query: string): Promise<Choice[]>;
  /** The display label of one related record. */
  recordLabel(formKey: string, recordId: string): Promise<string>;
};

const once = <T,>(load: () => Promise<T>) => {
  let promise: Promise<T> | null = null;
  return () => {
    promise ??= load().catch((error: unknown) => {
      promise = null;
      throw error;
    });
    return promise;
  };
};

/** The label of a record: its first text-like field. */
export function recordTitle(
  record: TrellisRecord,
  schema: FormSchema | null,
  untitled: string,
): string {
  const fields = schema?.fields ?? [];
  const titleField =
    fields.find((f) => f.type === 'text') ?? fields.find((f) => f.type === 'serial');
  const value = titleField === undefined ? undefined : record.values[titleField.id];
  if (typeof value === 'string' && value.trim() !== '') return value;
  for (const field of fields) {
    const other = record.values[field.id];
    if (typeof other === 'string' && other.trim() !== '' && field.type !== 'rich_text')
      return other;
  }
  return `${untitled} · ${record.id.slice(0, 8)}`;
}

/** Choices from the API for the forms of one app. */
export function createApiDataSource(
  forms: readonly AppFormSummary[],
  untitled: string,
): FieldDataSource {
  const byKey = new Map(forms.map((form) => [form.key, form]));
  const schemas = new Map<string, Promise<FormSchema | null>>();
  const schemaOf = (formId: string) => {
    let schema = schemas.get(formId);
    if (schema === undefined) {
      schema = formsApi.get(formId).then(
        (form) => form.schema,
        () => null,
      );
      schemas.set(formId, schema);
    }
    return schema;
  };
  return {
    members: once(async () =>
      (await peopleApi.members())
        .filter((member) => member.status === 'active')
        .map((member) => ({ id: member.id, label: member.displayName })),
    ),
    teams: once(async () =>
      (await peopleApi.teams()).map((team) => ({ id: team.id, label: team.name })),
    ),
    async searchRecords(formKey, query) {
      const form = byKey.get(formKey);
      if (form === undefined || form.publishedVersion === null) return [];
      const [page, schema] = await Promise.all([
        recordsApi.list(form.id, { q: query.trim() === '' ? undefined : query.trim(), limit: 20 }),
        schemaOf(form.id),
      ]);
      return page.items.map((record) => ({
        id: record.id,
        label: recordTitle(record, schema, untitled),
      }));
    },
    async recordLabel(formKey, recordId) {
      const form = byKey.get(formKey);
      if (form === undefined) return recordId.slice(0, 8);
      try {
        const [record, schema] = await Promise.all([
          recordsApi.get(form.id, recordId),
          schemaOf(form.id),
        ]);
        return recordTitle(record, schema, untitled);
      } catch {
        return recordId.slice(0, 8);
      }
    },
  };
}

/** Sample choices for the designer's preview, which must not depend on live data. */
export const PREVIEW_DATA_SOURCE: FieldDataSource = {
  members: () =>
    Promise.resolve([
      { id: '00000000-0000-4000-8000-000000000001', label: '张伟' },
      { id: '00000000-0000-4000-8000-000000000002', label: '王芳' },
      { id: '00000000-0000-4000-8000-000000000003', label: '李娜' },
    ]),
  teams: () =>
    Promise.resolve([
      { id: '00000000-0000-4000-8000-000000000011', label: '华东销售部' },
      { id: '00000000-0000-4000-8000-000000000012', label: '华南销售部' },
    ]),
  searchRecords: () =>
    Promise.resolve([
      { id: '00000000-0000-4000-8000-000000000021', label: '上海启明信息技术有限公司' },
      { id: '00000000-0000-4000-8000-000000000022', label: '深圳华信科技有限公司' },
    ]),
  recordLabel: () => Promise.resolve('上海启明信息技术有限公司'),
};

const DataSourceContext = createContext<FieldDataSource>(PREVIEW_DATA_SOURCE);

export function FieldDataSourceProvider({
  source,
  children,
}: {
  source: FieldDataSource;
  children: ReactNode;
}) {
  return <DataSourceContext.Provider value={source}>{children}</DataSourceContext.Provider>;
}

export function useFieldDataSource(): FieldDataSource {
  return useContext(DataSourceContext);
}

/** Loads choices once per data source; an unreachable list leaves the choices empty. */
export function useChoices(
  load: ((source: FieldDataSource) => Promise<Choice[]>) | null,
): Choice[] {
  const source = useFieldDataSource();
  const [choices, setChoices] = useState<Choice[]>([]);
  useEffect(() => {
    if (load === null) return undefined;
    let live = true;
    load(source).then(
      (list) => {
        if (live) setChoices(list);
      },
      () => {
        if (live) setChoices([]);
      },
    );
    return () => {
      live = false;
    };
  }, [source, load]);
  return choices;
}
