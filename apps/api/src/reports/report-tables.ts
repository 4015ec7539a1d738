import type { RelationInfo, ReportForm, TableInfo, TableMap } from '@trellis/report-engine';
import type { PublishedForm } from '../forms/form-catalog.service.js';
import { tableRef } from '../forms/table-layout.js';

/** A published form as report-engine sees it (forms are named by their key inside an app). */
export function reportFormOf(form: PublishedForm): ReportForm {
  return { id: form.key, name: form.name, fields: form.schema.fields as ReportForm['fields'] };
}

/**
 * Field id -> quoted-identifier source for the report SQL compiler, built only
 * from the published layout: no identifier in a report ever comes from a
 * request.
 */
export function tableInfoOf(form: PublishedForm): TableInfo {
  const columns: Record<string, { column: string; type: string }> = {};
  const relations: Record<string, RelationInfo> = {};
  for (const [fieldId, storage] of Object.entries(form.layout.fields)) {
    if (storage.storage === 'column') {
      columns[fieldId] = { column: storage.column, type: storage.sqlType };
      if (storage.type === 'relation' && storage.target !== undefined)
        relations[fieldId] = { formId: storage.target, column: storage.column };
    } else if (storage.storage === 'join') {
      relations[fieldId] = {
        formId: storage.target,
        column: 'id',
        multiple: true,
        joinTable: {
          schema: form.layout.schema,
          table: storage.table,
          sourceColumn: 'record_id',
          targetColumn: 'target_id',
        },
      };
    }
  }
  return { schema: form.layout.schema, table: form.layout.table, columns, relations };
}

export function tableMapOf(forms: Iterable<PublishedForm>): TableMap {
  const map: Record<string, TableInfo> = {};
  for (const form of forms) map[form.key] = tableInfoOf(form);
  return map;
}

/** For messages: the quoted table, never used to build report SQL. */
export function describeTable(form: PublishedForm): string {
  return tableRef(form.layout.schema, form.layout.table);
}
