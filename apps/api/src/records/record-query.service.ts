import { Injectable } from '@nestjs/common';
import { own } from '../common/own.js';
import type { AuthContext } from '../auth/auth-context.js';
import { ApiError } from '../common/errors/api-error.js';
import { DatabaseService } from '../database/database.service.js';
import { SqlParams } from '../database/sql-params.js';
import { SEARCHABLE_TYPES } from '../forms/column-types.js';
import { FormCatalogService, type PublishedForm } from '../forms/form-catalog.service.js';
import { q } from '../forms/table-layout.js';
import { PolicyService } from '../policy/policy.service.js';
import { ReportBridge } from '../reports/report-bridge.js';
import type { ListRecordsQuery } from './dto/records.dto.js';
import { presentRecord, unreadableFields, unsearchableFields } from './record-access.js';
import { likePattern, queryGrams } from './record-search.js';
import type { RecordListResponse } from './record-shape.js';
import { RecordStore } from './record-store.js';
import { RowScopeSql } from './row-scope-sql.js';

type SortKey = {
  readonly field: string;
  readonly expression: string;
  readonly descending: boolean;
  readonly sqlType: string;
};
type Cursor = { v: unknown; n: boolean; id: string };

/** Record columns every form table has that a list may sort by, with their SQL types. */
export const SYSTEM_SORTS: Readonly<Record<string, string>> = {
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  stage: 'text',
  stage_entered_at: 'timestamptz',
  owner_id: 'uuid',
};

/**
 * Lists with filters, one sort field, search and keyset pagination. The
 * viewer's row scope is always ANDed in; filtering, sorting or searching on a
 * field the viewer cannot read is refused with 403 even when nothing matches.
 */
@Injectable()
export class RecordQueryService {
  constructor(
    private readonly db: DatabaseService,
    private readonly catalog: FormCatalogService,
    private readonly policy: PolicyService,
    private readonly rowScopes: RowScopeSql,
    private readonly reports: ReportBridge,
  ) {}

  async list(
    auth: AuthContext,
    formId: string,
    query: ListRecordsQuery,
  ): Promise<RecordListResponse> {
    const form = await this.catalog.published(auth.workspaceId, formId);
    const access = await this.policy.formAccess(auth, form.id);
    this.policy.requireForm(access, 'read', 'records of this form');
    if (query.deleted === 'true')
      this.policy.requireForm(access, 'delete', 'deleted records of this form');
    const scope = await this.policy.rowScope(auth, access);
    const store = new RecordStore(form);
    const unreadable = unreadableFields(access);

    const params = new SqlParams();
    const where: string[] = [
      query.deleted === 'true' ? 't.deleted_at IS NOT NULL' : 't.deleted_at IS NULL',
      `(NOT t.is_draft OR t.created_by = ${params.add(auth.memberId)}::uuid)`,
      this.rowScopes.where(scope, form, params, 't'),
    ];
    if (query.filter !== undefined)
      where.push(
        this.reports.filterSql(parseJson(query.filter, 'filter'), form, unreadable, params, 't'),
      );
    if (query.q !== undefined && query.q.trim() !== '')
      where.push(searchWhere(form, query.q, unsearchableFields(access), params));

    const sort = sortKey(form, query.sort, unreadable);
    const countWhere = [...where];
    const countValues = [...params.values];
    if (query.cursor !== undefined)
      where.push(cursorWhere(sort, decodeCursor(query.cursor), params));
    const direction = sort.descending ? 'DESC' : 'ASC';
    const rows = await this.db.query(
      `SELECT ${store.selectList('t')}, ${sort.expression} AS "__sort" FROM ${store.table} t WHERE ${where.join(' AND ')}
        ORDER BY ${sort.expression} ${direction}, t.id ${direction} LIMIT ${query.limit + 1}`,
      params.values,
    );
    const page = rows.slice(0, query.limit);
    const records = await store.loadChildren(
      this.db,
      page.map((r) => store.toRecord(r)),
    );
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > query.limit && last !== undefined
        ? encodeCursor({
            v: serialiseSortValue(last['__sort']),
            n: last['__sort'] === null,
            id: String(last['id']),
          })
        : null;
    const response: RecordListResponse = {
      items: records.map((r) => presentRecord(form, r, access, auth)),
      nextCursor,
    };
    if (query.count === 'true') {
      const [row] = await this.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${store.table} t WHERE ${countWhere.join(' AND ')}`,
        countValues,
      );
      response.total = row?.n ?? 0;
    }
    return response;
  }
}

function parseJson(raw: string, name: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw ApiError.validation([
      { path: name, code: 'INVALID_JSON', message: `${name} must be JSON` },
    ]);
  }
}

function sortKey(
  form: PublishedForm,
  raw: string | undefined,
  unreadable: ReadonlySet<string>,
): SortKey {
  if (raw === undefined || raw.trim() === '')
    return {
      field: 'created_at',
      expression: 't.created_at',
      descending: true,
      sqlType: 'timestamptz',
    };
  const parts = raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length > 1)
    throw ApiError.validation([
      {
        path: 'sort',
        code: 'ONE_SORT_FIELD',
        message: 'Sort by one field (records with equal values keep a stable order)',
      },
    ]);
  const part = parts[0] as string;
  const descending = part.startsWith('-');
  const field = descending ? part.slice(1) : part;
  if (unreadable.has(field))
    throw ApiError.forbidden('You cannot sort by a field you cannot read', [
      {
        path: 'sort',
        code: 'FIELD_NOT_READABLE',
        message: `Field "${field}" is not readable for your role`,
      },
    ]);
  const system = own(SYSTEM_SORTS, field);
  if (system !== undefined)
    return { field, expression: `t.${q(field)}`, descending, sqlType: system };
  const storage = own(form.layout.fields, field);
  if (storage?.storage !== 'column' || storage.sqlType === 'jsonb') {
    throw ApiError.validation([
      {
        path: 'sort',
        code: 'UNKNOWN_SORT_FIELD',
        message: `Cannot sort by "${field}": it is not a sortable field of this form`,
      },
    ]);
  }
  return { field, expression: `t.${q(storage.column)}`, descending, sqlType: storage.sqlType };
}

/**
 * Keyset condition after the cursor. Empty values sort as the largest (the
 * PostgreSQL default): last when ascending, first when descending, so one
 * b-tree index on (column, id) serves both directions.
 */
function cursorWhere(sort: SortKey, cursor: Cursor, params: SqlParams): string {
  const id = `${params.add(cursor.id)}::uuid`;
  const e = sort.expression;
  if (!sort.descending) {
    if (cursor.n) return `(${e} IS NULL AND t.id > ${id})`;
    const value = `${params.add(cursor.v)}::${sort.sqlType}`;
    return `(${e} > ${value} OR (${e} = ${value} AND t.id > ${id}) OR ${e} IS NULL)`;
  }
  if (cursor.n) return `((${e} IS NULL AND t.id < ${id}) OR ${e} IS NOT NULL)`;
  const value = `${params.add(cursor.v)}::${sort.sqlType}`;
  return `(${e} < ${value} OR (${e} = ${value} AND t.id < ${id}))`;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(raw: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (
      typeof parsed.id !== 'string' ||
      !/^[0-9a-f-]{36}$/.test(parsed.id) ||
      typeof parsed.n !== 'boolean'
    )
      throw new Error('bad cursor');
    return { v: parsed.v ?? null, n: parsed.n, id: parsed.id };
  } catch {
    throw ApiError.validation([
      {
        path: 'cursor',
        code: 'INVALID_CURSOR',
        message: 'The cursor is not one this API gave out',
      },
    ]);
  }
}

function serialiseSortValue(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/**
 * Search through the gram index when every searchable field is readable;
 * otherwise only over the fields the viewer may read in full (so a search
 * cannot probe hidden or masked values).
 */
function searchWhere(
  form: PublishedForm,
  query: string,
  unsearchable: ReadonlySet<string>,
  params: SqlParams,
): string {
  const pattern = params.add(likePattern(query));
  const searchable = form.schema.fields.filter((f) => SEARCHABLE_TYPES.has(f.type));
  if (!searchable.some((f) => unsearchable.has(f.id))) {
    return `(t.search_grams @> ${params.add(queryGrams(query))}::text[] AND t.search_text LIKE ${pattern})`;
  }
  const columns = searchable
    .filter((f) => !unsearchable.has(f.id))
    .map((f) => form.layout.fields[f.id])
    .filter((s) => s?.storage === 'column')
    .map((s) =>
      s !== undefined && s.storage === 'column'
        ? s.sqlType === 'text[]'
          ? `lower(array_to_string(t.${q(s.column)}, ' '))`
          : `lower(t.${q(s.column)})`
        : 'NULL',
    );
  if (columns.length === 0) return 'FALSE';
  return `(${columns.map((c) => `${c} LIKE ${pattern}`).join(' OR ')})`;
}
