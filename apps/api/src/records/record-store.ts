import type { Sql } from '../database/database.service.js';
import { own } from '../common/own.js';
import type { SqlParams } from '../database/sql-params.js';
import type { PublishedForm } from '../forms/form-catalog.service.js';
import { type FieldStorage, q, tableRef } from '../forms/table-layout.js';
import { fromDbValue, toDbParam } from './record-codec.js';
import type { StoredRecord } from './record-access.js';
import { searchGrams, searchText } from './record-search.js';
import { SEARCHABLE_TYPES } from '../forms/column-types.js';

type Row = Record<string, unknown>;
type ColumnField = Extract<FieldStorage, { storage: 'column' }>;
type JoinField = Extract<FieldStorage, { storage: 'join' }>;
type ChildField = Extract<FieldStorage, { storage: 'child' }>;

/** How a published form's records are read and written; every identifier comes from the stored layout. */
export class RecordStore {
  readonly table: string;
  // a published form's layout never changes: split it once, not once per row
  private readonly columnFields: Array<[string, ColumnField]>;
  private readonly joinFields: Array<[string, JoinField]>;
  private readonly childFields: Array<[string, ChildField]>;

  constructor(readonly form: PublishedForm) {
    this.table = tableRef(form.layout.schema, form.layout.table);
    const fields = Object.entries(form.layout.fields);
    this.columnFields = fields.filter((e): e is [string, ColumnField] => e[1].storage === 'column');
    this.joinFields = fields.filter((e): e is [string, JoinField] => e[1].storage === 'join');
    this.childFields = fields.filter((e): e is [string, ChildField] => e[1].storage === 'child');
  }

  columns(): Array<[string, ColumnField]> {
    return this.columnFields;
  }

  joins(): Array<[string, JoinField]> {
    return this.joinFields;
  }

  children(): Array<[string, ChildField]> {
    return this.childFields;
  }

  /** The SELECT list for a record: system columns, field columns, and ids of multiple relations. */
  selectList(alias = 't'): string {
    const a = q(alias);
    const system = `${a}.id, ${a}.version, ${a}.owner_id, ${a}.created_by, ${a}.created_at, ${a}.updated_at, ${a}.stage, ${a}.stage_entered_at, ${a}.is_draft, ${a}.submitted_at, ${a}.deleted_at, ${a}.flow_snapshot`;
    const fields = this.columns().map(([id, f]) => `${a}.${q(f.column)} AS ${q(`f_${id}`)}`);
    const joins = this.joins().map(
      ([id, f]) =>
        `(SELECT coalesce(array_agg(j.target_id ORDER BY j.position), '{}') FROM ${tableRef(this.form.layout.schema, f.table)} j WHERE j.record_id = ${a}.id) AS ${q(`f_${id}`)}`,
    );
    return [system, ...fields, ...joins].join(', ');
  }

  toRecord(row: Row): StoredRecord {
    const values: Record<string, unknown> = {};
    for (const [id, f] of this.columns()) values[id] = fromDbValue(f, row[`f_${id}`]);
    for (const [id] of this.joins()) values[id] = row[`f_${id}`] ?? [];
    return {
      id: String(row['id']),
      version: Number(row['version']),
      ownerId: (row['owner_id'] as string | null) ?? null,
      createdBy: (row['created_by'] as string | null) ?? null,
      createdAt: iso(row['created_at']) ?? '',
      updatedAt: iso(row['updated_at']) ?? '',
      stage: (row['stage'] as string | null) ?? null,
      stageEnteredAt: iso(row['stage_entered_at']),
      isDraft: row['is_draft'] === true,
      submittedAt: iso(row['submitted_at']),
      deletedAt: iso(row['deleted_at']),
      flowSnapshot: row['flow_snapshot'] ?? null,
      values,
    };
  }

  /** Loads sub-table rows into the records (in place, by field id). */
  async loadChildren(sql: Sql, records: StoredRecord[]): Promise<StoredRecord[]> {
    if (records.length === 0 || this.children().length === 0) return records;
    const ids = records.map((r) => r.id);
    const byRecord = new Map(records.map((r) => [r.id, { ...r, values: { ...r.values } }]));
    for (const [id, child] of this.children()) {
      const subColumns = Object.entries(child.fields).filter(
        (e): e is [string, ColumnField] => e[1].storage === 'column',
      );
      const select = subColumns
        .map(([subId, f]) => `${q(f.column)} AS ${q(`s_${subId}`)}`)
        .join(', ');
      const rows = await sql.query(
        `SELECT id, parent_id${select === '' ? '' : `, ${select}`} FROM ${tableRef(this.form.layout.schema, child.table)} WHERE parent_id = ANY($1::uuid[]) ORDER BY parent_id, position`,
        [ids],
      );
      for (const record of byRecord.values()) record.values[id] = [];
      for (const row of rows) {
        const record = byRecord.get(String(row['parent_id']));
        if (record === undefined) continue;
        const line: Record<string, unknown> = { id: row['id'] };
        for (const [subId, f] of subColumns) line[subId] = fromDbValue(f, row[`s_${subId}`]);
        (record.values[id] as unknown[]).push(line);
      }
    }
    return records.map((r) => byRecord.get(r.id) ?? r);
  }

  /** Column assignments (column -> param placeholder) for the given values. */
  assignments(
    values: Readonly<Record<string, unknown>>,
    fieldIds: Iterable<string>,
    params: SqlParams,
  ): string[] {
    const out: string[] = [];
    for (const id of fieldIds) {
      const f = own(this.form.layout.fields, id);
      if (f?.storage !== 'column') continue;
      out.push(`${q(f.column)} = ${params.add(toDbParam(f, values[id]))}::${f.sqlType}`);
    }
    return out;
  }

  /** search_text and search_grams from the searchable fields. */
  searchColumns(values: Readonly<Record<string, unknown>>): { text: string; grams: string[] } {
    const searchable = this.form.schema.fields
      .filter((f) => SEARCHABLE_TYPES.has(f.type))
      .map((f) => values[f.id]);
    const text = searchText(searchable);
    return { text, grams: searchGrams(text) };
  }

  /** Replaces multiple-relation and sub-table rows of a record for the fields written. */
  async writeRelated(
    sql: Sql,
    recordId: string,
    values: Readonly<Record<string, unknown>>,
    written: ReadonlySet<string>,
  ): Promise<void> {
    for (const [id, f] of this.joins()) {
      if (!written.has(id)) continue;
      const table = tableRef(this.form.layout.schema, f.table);
      await sql.query(`DELETE FROM ${table} WHERE record_id = $1`, [recordId]);
      const targets = Array.isArray(values[id]) ? (values[id] as unknown[]).map(String) : [];
      if (targets.length > 0) {
        await sql.query(
          `INSERT INTO ${table} (record_id, target_id, position) SELECT $1, t, o - 1 FROM unnest($2::uuid[]) WITH ORDINALITY AS x(t, o) ON CONFLICT DO NOTHING`,
          [recordId, targets],
        );
      }
    }
    for (const [id, child] of this.children()) {
      if (!written.has(id)) continue;
      const table = tableRef(this.form.layout.schema, child.table);
      await sql.query(`DELETE FROM ${table} WHERE parent_id = $1`, [recordId]);
      const lines = Array.isArray(values[id]) ? (values[id] as Array<Record<string, unknown>>) : [];
      const subColumns = Object.entries(child.fields).filter(
        (e): e is [string, ColumnField] => e[1].storage === 'column',
      );
      for (const [position, line] of lines.entries()) {
        const params: unknown[] = [recordId, position];
        const columns = subColumns.map(([subId, f]) => {
          params.push(toDbParam(f, line[subId]));
          return [q(f.column), `$${params.length}::${f.sqlType}`];
        });
        await sql.query(
          `INSERT INTO ${table} (parent_id, position${columns.map((c) => `, ${c[0]}`).join('')}) VALUES ($1, $2${columns.map((c) => `, ${c[1]}`).join('')})`,
          params,
        );
      }
    }
  }

  /** Maps a unique index name from a 23505 error back to the field it guards. */
  fieldOfConstraint(constraint: string | undefined): string | null {
    if (constraint === undefined) return null;
    for (const [id, f] of this.columns()) if (f.unique === constraint) return id;
    return null;
  }
}

function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : String(value);
}
