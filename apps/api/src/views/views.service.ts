import { Injectable } from '@nestjs/common';
import { normalizeCondition } from '@trellis/report-engine';
import type { AuthContext } from '../auth/auth-context.js';
import { ApiError, type ErrorDetail } from '../common/errors/api-error.js';
import { own } from '../common/own.js';
import { DatabaseService } from '../database/database.service.js';
import { FormCatalogService, type PublishedForm } from '../forms/form-catalog.service.js';
import type { FormAccess } from '../policy/policy-merge.js';
import { PolicyService } from '../policy/policy.service.js';
import { unreadableFields } from '../records/record-access.js';
import { SYSTEM_SORTS } from '../records/record-query.service.js';
import { reportFormOf } from '../reports/report-tables.js';
import type { CreateViewDto, UpdateViewDto, ViewResponse } from './dto/views.dto.js';

type ViewRow = {
  id: string;
  form_id: string;
  owner_member_id: string | null;
  name: string;
  shared: boolean;
  filter: Record<string, unknown> | null;
  sort: string | null;
  search: string | null;
  columns: string[] | null;
  mode: 'list' | 'kanban';
  created_at: Date;
  updated_at: Date;
};

const COLUMNS = `id, form_id, owner_member_id, name, shared, filter, sort, search, columns, mode, created_at, updated_at`;
const NOT_READABLE = 'FIELD_NOT_READABLE';

/**
 * Saved views of a form's record list. A view is its author's alone unless
 * shared; shared views are read by everyone who may read the form and changed
 * only with `manage` on it. What a view filters, sorts and shows is checked
 * against the published fields with the same rule as the list: a field the
 * viewer cannot read is refused with 403.
 */
@Injectable()
export class ViewsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly catalog: FormCatalogService,
    private readonly policy: PolicyService,
  ) {}

  async list(auth: AuthContext, formId: string): Promise<ViewResponse[]> {
    const { access } = await this.readable(auth, formId);
    const rows = await this.db.query<ViewRow>(
      `SELECT ${COLUMNS} FROM saved_view
        WHERE workspace_id = $1 AND form_id = $2 AND (shared OR owner_member_id = $3)
        ORDER BY shared DESC, created_at, id`,
      [auth.workspaceId, formId, auth.memberId],
    );
    const manages = access.actions.has('manage');
    return rows.map((row) => viewOf(row, canEdit(row, auth, manages)));
  }

  async create(auth: AuthContext, formId: string, dto: CreateViewDto): Promise<ViewResponse> {
    const { form, access } = await this.readable(auth, formId);
    if (dto.shared) this.policy.requireForm(access, 'manage', 'shared views of this form');
    checkView(form, access, dto);
    const [row] = await uniqueName(
      this.db.query<ViewRow>(
        `INSERT INTO saved_view (workspace_id, form_id, owner_member_id, name, shared, filter, sort, search, columns, mode)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
        [
          auth.workspaceId,
          form.id,
          auth.memberId,
          dto.name,
          dto.shared,
          dto.filter === null ? null : JSON.stringify(dto.filter),
          blankToNull(dto.sort),
          blankToNull(dto.search),
          dto.columns === null ? null : JSON.stringify(dto.columns),
          dto.mode,
        ],
      ),
    );
    if (row === undefined) throw new Error('saved_view insert returned nothing');
    return viewOf(row, true);
  }

  async update(auth: AuthContext, viewId: string, dto: UpdateViewDto): Promise<ViewResponse> {
    const current = await this.visible(auth, viewId);
    const { form, access } = await this.editable(auth, current, dto.shared === true);
    checkView(form, access, dto);
    const set = (value: unknown, json = false) =>
      value === undefined ? undefined : json && value !== null ? JSON.stringify(value) : value;
    const changes: Array<[string, unknown]> = [
      ['name', dto.name],
      ['shared', dto.shared],
      ['filter', set(dto.filter, true)],
      ['sort', dto.sort === undefined ? undefined : blankToNull(dto.sort)],
      ['search', dto.search === undefined ? undefined : blankToNull(dto.search)],
      ['columns', set(dto.columns, true)],
      ['mode', dto.mode],
    ];
    const values: unknown[] = [auth.workspaceId, viewId];
    const assignments = ['updated_at = now()'];
    for (const [column, value] of changes) {
      if (value === undefined) continue;
      values.push(value);
      assignments.push(`${column} = $${values.length}`);
    }
    const [row] = await uniqueName(
      this.db.query<ViewRow>(
        `UPDATE saved_view SET ${assignments.join(', ')} WHERE workspace_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        values,
      ),
    );
    if (row === undefined) throw ApiError.notFound('View');
    return viewOf(row, canEdit(row, auth, access.actions.has('manage')));
  }

  async remove(auth: AuthContext, viewId: string): Promise<void> {
    const current = await this.visible(auth, viewId);
    await this.editable(auth, current, false);
    const result = await this.db.execute(
      `DELETE FROM saved_view WHERE workspace_id = $1 AND id = $2`,
      [auth.workspaceId, viewId],
    );
    if (result.affected === 0) throw ApiError.notFound('View');
  }

  private async readable(
    auth: AuthContext,
    formId: string,
  ): Promise<{ form: PublishedForm; access: FormAccess }> {
    const form = await this.catalog.published(auth.workspaceId, formId);
    const access = await this.policy.formAccess(auth, form.id);
    this.policy.requireForm(access, 'read', 'views of this form');
    return { form, access };
  }

  /** A view of this workspace the viewer can see (their own, or shared); anything else is 404. */
  private async visible(auth: AuthContext, viewId: string): Promise<ViewRow> {
    const [row] = await this.db.query<ViewRow>(
      `SELECT ${COLUMNS} FROM saved_view
        WHERE workspace_id = $1 AND id = $2 AND (shared OR owner_member_id = $3)`,
      [auth.workspaceId, viewId, auth.memberId],
    );
    if (row === undefined) throw ApiError.notFound('View');
    return row;
  }

  /** Shared views (and sharing a view) need `manage` on the form; personal views are their author's. */
  private async editable(
    auth: AuthContext,
    row: ViewRow,
    sharing: boolean,
  ): Promise<{ form: PublishedForm; access: FormAccess }> {
    const found = await this.readable(auth, row.form_id);
    if (row.shared || sharing)
      this.policy.requireForm(found.access, 'manage', 'shared views of this form');
    return found;
  }
}

/** A name already used by another view in the same scope (shared, or the author's own) is a 409 on `name`. */
async function uniqueName<T>(query: Promise<T>): Promise<T> {
  try {
    return await query;
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    throw new ApiError('UNIQUE_VIOLATION', 'Another view already has this name', [
      {
        path: 'name',
        code: 'DUPLICATE_NAME',
        message: 'Another view of this form already has this name',
      },
    ]);
  }
}

function canEdit(row: ViewRow, auth: AuthContext, manages: boolean): boolean {
  return row.shared ? manages : row.owner_member_id === auth.memberId;
}

function blankToNull(value: string | null): string | null {
  return value === null || value.trim() === '' ? null : value.trim();
}

/**
 * Every problem of a view's filter, sort and columns, located. A field the
 * viewer may not read makes it a 403 (as on the list); anything else a 400.
 */
function checkView(
  form: PublishedForm,
  access: FormAccess,
  view: Pick<UpdateViewDto, 'filter' | 'sort' | 'columns'>,
): void {
  const unreadable = unreadableFields(access);
  const errors: ErrorDetail[] = [];
  if (view.filter !== undefined && view.filter !== null) {
    const readable = form.schema.fields.map((f) => f.id).filter((id) => !unreadable.has(id));
    const condition = normalizeCondition(view.filter, reportFormOf(form), {
      readableFields: readable,
      timeZone: 'Asia/Shanghai',
    });
    if (Array.isArray(condition))
      for (const issue of condition)
        errors.push({ ...issue, path: issue.path === '' ? 'filter' : `filter.${issue.path}` });
  }
  if (view.sort !== undefined && view.sort !== null && view.sort.trim() !== '')
    errors.push(...sortIssues(form, view.sort.trim(), unreadable));
  if (view.columns !== undefined && view.columns !== null) {
    const known = new Set(form.schema.fields.map((f) => f.id));
    const seen = new Set<string>();
    view.columns.forEach((id, index) => {
      const path = `columns.${index}`;
      if (!known.has(id))
        errors.push({ path, code: 'UNKNOWN_FIELD', message: `Unknown field "${id}"` });
      else if (unreadable.has(id))
        errors.push({
          path,
          code: NOT_READABLE,
          message: `Field "${id}" is not readable for your role`,
        });
      else if (seen.has(id))
        errors.push({ path, code: 'DUPLICATE_COLUMN', message: `Column "${id}" appears twice` });
      seen.add(id);
    });
  }
  if (errors.length === 0) return;
  const forbidden = errors.filter((e) => e.code === NOT_READABLE);
  if (forbidden.length > 0)
    throw ApiError.forbidden('You cannot use a field you cannot read', forbidden);
  throw ApiError.validation(errors, 'The view has problems');
}

/** The list's sort rule: one field, a system column or a field stored in one ordinary column. */
function sortIssues(
  form: PublishedForm,
  raw: string,
  unreadable: ReadonlySet<string>,
): ErrorDetail[] {
  if (raw.includes(','))
    return [{ path: 'sort', code: 'ONE_SORT_FIELD', message: 'Sort by one field' }];
  const field = raw.startsWith('-') ? raw.slice(1) : raw;
  if (unreadable.has(field))
    return [
      {
        path: 'sort',
        code: NOT_READABLE,
        message: `Field "${field}" is not readable for your role`,
      },
    ];
  if (own(SYSTEM_SORTS, field) !== undefined) return [];
  const storage = own(form.layout.fields, field);
  if (storage?.storage !== 'column' || storage.sqlType === 'jsonb')
    return [
      {
        path: 'sort',
        code: 'UNKNOWN_SORT_FIELD',
        message: `Cannot sort by "${field}": it is not a sortable field of this form`,
      },
    ];
  return [];
}

function viewOf(row: ViewRow, editable: boolean): ViewResponse {
  return {
    id: row.id,
    formId: row.form_id,
    name: row.name,
    shared: row.shared,
    ownerId: row.owner_member_id,
    filter: row.filter,
    sort: row.sort,
    search: row.search,
    columns: row.columns,
    mode: row.mode,
    canEdit: editable,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
