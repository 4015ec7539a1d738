// Identifiers of generated SQL: only from the table map, always validated and double-quoted.
import { SYSTEM_COLUMN_TYPES, SYSTEM_FIELDS, kindOfColumnType } from './fields.js';
import { quoteIdent } from './identifiers.js';
import { ReportError } from './report-error.js';
import type { ColumnInfo, TableInfo, TableMap, ValueKind } from './types.js';

export function tableInfo(tables: TableMap, formId: string): TableInfo {
  const info = Object.hasOwn(tables, formId) ? tables[formId] : undefined;
  if (info === undefined) {
    throw new ReportError('UNMAPPED_FORM', `The table map has no table for form "${formId}"`);
  }
  return info;
}

/** `"schema"."table"` of a form. */
export function tableSql(tables: TableMap, formId: string): string {
  const info = tableInfo(tables, formId);
  return `${quoteIdent(info.schema)}.${quoteIdent(info.table)}`;
}

/** The column of a field; system fields default to their standard column names. */
export function columnOf(
  tables: TableMap,
  formId: string,
  fieldId: string,
  kind: ValueKind,
): ColumnInfo {
  const info = tableInfo(tables, formId);
  const mapped = Object.hasOwn(info.columns, fieldId) ? info.columns[fieldId] : undefined;
  let column: ColumnInfo;
  if (mapped !== undefined) column = mapped;
  else if (Object.hasOwn(SYSTEM_FIELDS, fieldId))
    column = { column: fieldId, type: SYSTEM_COLUMN_TYPES[kind] };
  else {
    throw new ReportError(
      'UNMAPPED_FIELD',
      `The table map has no column for field "${fieldId}" of form "${formId}"`,
    );
  }
  const stored = kindOfColumnType(column.type);
  if (stored !== kind) {
    throw new ReportError(
      'COLUMN_TYPE_MISMATCH',
      `Column for "${formId}.${fieldId}" is ${column.type}, but the form says ${kind}; republish the form`,
    );
  }
  return column;
}

/** The foreign-key column of a single relation field. */
export function relationColumn(tables: TableMap, formId: string, fieldId: string): string {
  const info = tableInfo(tables, formId);
  const rel =
    info.relations !== undefined && Object.hasOwn(info.relations, fieldId)
      ? info.relations[fieldId]
      : undefined;
  if (rel !== undefined) {
    if (rel.multiple === true) {
      throw new ReportError('MULTIPLE_RELATION', `Relation "${fieldId}" links several records`);
    }
    return quoteIdent(rel.column);
  }
  return quoteIdent(columnOf(tables, formId, fieldId, 'uuid').column);
}

/** `alias."column"`. */
export function columnSql(alias: string, column: string): string {
  return `${quoteIdent(alias)}.${quoteIdent(column)}`;
}

/** The SQL type a bind parameter of this kind is cast to. */
export function castOf(kind: ValueKind): string {
  switch (kind) {
    case 'text':
    case 'text_array':
      return 'text';
    case 'number':
      return 'numeric';
    case 'date':
      return 'date';
    case 'datetime':
      return 'timestamptz';
    case 'boolean':
      return 'boolean';
    case 'uuid':
      return 'uuid';
    case 'json':
      return 'jsonb';
    default:
      throw new ReportError('UNKNOWN_KIND', `unknown value kind ${String(kind)}`);
  }
}
