import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context.js';
import { ApiError } from '../common/errors/api-error.js';
import type { LocalizedText } from '../common/localized-text.js';
import { DatabaseService, type Sql } from '../database/database.service.js';
import type { FormAccess } from '../policy/policy-merge.js';
import { PolicyService } from '../policy/policy.service.js';
import type { CreateFormDto, FormResponse, SaveDraftDto } from './dto/forms.dto.js';
import type { SchemaField, StoredFormSchema } from './form-catalog.service.js';
import { FormSchemas } from './form-schemas.js';

type FormRow = {
  id: string;
  app_id: string;
  key: string;
  name: LocalizedText;
  draft: StoredFormSchema;
  draft_revision: number;
  published_version: number | null;
  schema: StoredFormSchema | null;
  has_flow: boolean;
};

const SELECT_FORM = `
  SELECT f.id, f.app_id, f.key, f.name, f.draft, f.draft_revision, f.published_version, v.schema,
         EXISTS (SELECT 1 FROM flow fl WHERE fl.form_id = f.id AND fl.published_version IS NOT NULL) AS has_flow
    FROM form f LEFT JOIN form_version v ON v.form_id = f.id AND v.version = f.published_version`;

@Injectable()
export class FormsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly policy: PolicyService,
    private readonly schemas: FormSchemas,
  ) {}

  async list(auth: AuthContext, appId: string): Promise<FormResponse[]> {
    await this.assertApp(auth, appId);
    const rows = await this.db.query<FormRow>(
      `${SELECT_FORM} WHERE f.workspace_id = $1 AND f.app_id = $2 ORDER BY f.created_at, f.id`,
      [auth.workspaceId, appId],
    );
    const canManage = await this.canManage(auth);
    return Promise.all(
      rows.map(async (row) =>
        this.toResponse(row, await this.policy.formAccess(auth, row.id), canManage),
      ),
    );
  }

  async get(auth: AuthContext, formId: string): Promise<FormResponse> {
    const row = await this.row(auth.workspaceId, formId);
    return this.toResponse(
      row,
      await this.policy.formAccess(auth, formId),
      await this.canManage(auth),
    );
  }

  async create(
    auth: AuthContext,
    appId: string,
    dto: CreateFormDto,
    sql: Sql = this.db,
  ): Promise<FormResponse> {
    await this.assertApp(auth, appId, sql);
    const draft = {
      fields: [],
      ...(dto.schema ?? {}),
      id: dto.key,
      name: dto.name,
    } as unknown as StoredFormSchema;
    const issues = this.schemas.validate(
      draft,
      await this.siblingForms(auth.workspaceId, appId, dto.key, sql),
    );
    if (issues.length > 0)
      throw ApiError.validation(
        issues.map((i) => ({ ...i, path: prefix('schema', i.path) })),
        'The form schema has problems',
      );
    try {
      const [row] = await sql.query<{ id: string }>(
        `INSERT INTO form (workspace_id, app_id, key, name, draft) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [auth.workspaceId, appId, dto.key, JSON.stringify(dto.name), JSON.stringify(draft)],
      );
      if (row === undefined) throw new Error('form insert returned nothing');
      return this.toResponse(
        await this.row(auth.workspaceId, row.id, sql),
        await this.policy.formAccess(auth, row.id, sql),
        true,
      );
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new ApiError('UNIQUE_VIOLATION', 'This app already has a form with that key', [
          {
            path: 'key',
            code: 'FORM_KEY_TAKEN',
            message: `The key "${dto.key}" is taken in this app`,
          },
        ]);
      }
      throw error;
    }
  }

  /** Saves the draft. Every problem in the schema comes back at once, each with its path. */
  async saveDraft(auth: AuthContext, formId: string, dto: SaveDraftDto): Promise<FormResponse> {
    return this.db.transaction(async (tx) => {
      const row = await this.row(auth.workspaceId, formId, tx, true);
      if (dto.revision !== undefined && dto.revision !== row.draft_revision) {
        throw new ApiError(
          'VERSION_CONFLICT',
          'The draft was changed by someone else; reload it',
          [
            {
              path: 'revision',
              code: 'STALE_REVISION',
              message: `The draft is at revision ${row.draft_revision}`,
            },
          ],
          { currentRevision: row.draft_revision },
        );
      }
      const draft = {
        ...dto.schema,
        id: row.key,
        name: (dto.schema as { name?: unknown }).name ?? row.name,
      } as unknown as StoredFormSchema;
      const issues = this.schemas.validate(
        draft,
        await this.siblingForms(auth.workspaceId, row.app_id, row.key, tx),
      );
      if (issues.length > 0)
        throw ApiError.validation(
          issues.map((i) => ({ ...i, path: prefix('schema', i.path) })),
          'The form schema has problems',
        );
      await tx.query(
        `UPDATE form SET draft = $2, name = $3, draft_revision = draft_revision + 1, updated_at = now() WHERE id = $1`,
        [formId, JSON.stringify(draft), JSON.stringify(draft.name ?? row.name)],
      );
      return this.toResponse(
        await this.row(auth.workspaceId, formId, tx),
        await this.policy.formAccess(auth, formId, tx),
        true,
      );
    });
  }

  async versions(
    auth: AuthContext,
    formId: string,
  ): Promise<Array<{ version: number; publishedAt: string; publishedBy: string | null }>> {
    await this.row(auth.workspaceId, formId);
    const rows = await this.db.query<{
      version: number;
      published_at: Date;
      published_by: string | null;
    }>(
      `SELECT version, published_at, published_by FROM form_version WHERE form_id = $1 ORDER BY version DESC`,
      [formId],
    );
    return rows.map((r) => ({
      version: r.version,
      publishedAt: r.published_at.toISOString(),
      publishedBy: r.published_by,
    }));
  }

  async row(
    workspaceId: string,
    formId: string,
    sql: Sql = this.db,
    lock = false,
  ): Promise<FormRow> {
    const [row] = await sql.query<FormRow>(
      `${SELECT_FORM} WHERE f.workspace_id = $1 AND f.id = $2${lock ? ' FOR UPDATE OF f' : ''}`,
      [workspaceId, formId],
    );
    if (row === undefined) throw ApiError.notFound('Form');
    return row;
  }

  /** The other forms of the app (key -> fields), for relation and lookup checks. */
  async siblingForms(
    workspaceId: string,
    appId: string,
    exceptKey: string,
    sql: Sql = this.db,
  ): Promise<Map<string, readonly SchemaField[]>> {
    const rows = await sql.query<{ key: string; draft: StoredFormSchema }>(
      `SELECT key, draft FROM form WHERE workspace_id = $1 AND app_id = $2`,
      [workspaceId, appId],
    );
    return new Map(
      rows.filter((r) => r.key !== exceptKey).map((r) => [r.key, r.draft.fields ?? []]),
    );
  }

  private async assertApp(auth: AuthContext, appId: string, sql: Sql = this.db): Promise<void> {
    const rows = await sql.query(`SELECT 1 FROM app WHERE workspace_id = $1 AND id = $2`, [
      auth.workspaceId,
      appId,
    ]);
    if (rows.length === 0) throw ApiError.notFound('App');
  }

  private async canManage(auth: AuthContext): Promise<boolean> {
    try {
      await this.policy.requireWorkspace(auth, 'manage_apps');
      return true;
    } catch {
      return false;
    }
  }

  /** Builders see the draft; everyone sees the published schema without the fields hidden from them. */
  private toResponse(row: FormRow, access: FormAccess, canManage: boolean): FormResponse {
    const hidden = new Set(
      Object.entries(access.fields)
        .filter(([, a]) => a === 'hidden')
        .map(([id]) => id),
    );
    const schema =
      row.schema === null
        ? null
        : { ...row.schema, fields: row.schema.fields.filter((f) => !hidden.has(f.id)) };
    return {
      id: row.id,
      appId: row.app_id,
      key: row.key,
      name: row.name,
      ...(canManage ? { draft: row.draft, draftRevision: row.draft_revision } : {}),
      publishedVersion: row.published_version,
      schema,
      fieldAccess: Object.fromEntries(
        Object.entries(access.fields).filter(([id]) => !hidden.has(id)),
      ),
      actions: [...access.actions].sort(),
      hasFlow: row.has_flow,
    };
  }
}

function prefix(base: string, path: string): string {
  return path === '' ? base : `${base}.${path}`;
}
