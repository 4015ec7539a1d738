import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context.js';
import { ApiError } from '../common/errors/api-error.js';
import type { LocalizedText } from '../common/localized-text.js';
import { DatabaseService, ident, type Sql } from '../database/database.service.js';
import type { AppResponse, CreateAppDto, UpdateAppDto } from './dto/apps.dto.js';

type AppRow = {
  id: string;
  name: LocalizedText;
  description: LocalizedText | null;
  icon: string | null;
  template_key: string | null;
  template_version: string | null;
  created_at: Date;
  updated_at: Date;
  forms: AppResponse['forms'] | null;
};

const SELECT_APP = `
  SELECT a.id, a.name, a.description, a.icon, a.template_key, a.template_version, a.created_at, a.updated_at,
         (SELECT json_agg(json_build_object('id', f.id, 'key', f.key, 'name', f.name, 'publishedVersion', f.published_version) ORDER BY f.created_at, f.id)
            FROM form f WHERE f.app_id = a.id) AS forms
    FROM app a`;

@Injectable()
export class AppsService {
  constructor(private readonly db: DatabaseService) {}

  async list(auth: AuthContext): Promise<AppResponse[]> {
    const rows = await this.db.query<AppRow>(
      `${SELECT_APP} WHERE a.workspace_id = $1 ORDER BY a.created_at, a.id`,
      [auth.workspaceId],
    );
    return rows.map(toResponse);
  }

  async get(
    auth: Pick<AuthContext, 'workspaceId'>,
    id: string,
    sql: Sql = this.db,
  ): Promise<AppResponse> {
    const [row] = await sql.query<AppRow>(`${SELECT_APP} WHERE a.workspace_id = $1 AND a.id = $2`, [
      auth.workspaceId,
      id,
    ]);
    if (row === undefined) throw ApiError.notFound('App');
    return toResponse(row);
  }

  async create(
    auth: AuthContext,
    dto: CreateAppDto,
    sql: Sql = this.db,
    template?: { key: string; version: string },
  ): Promise<AppResponse> {
    const [row] = await sql.query<{ id: string }>(
      `INSERT INTO app (workspace_id, name, description, icon, template_key, template_version) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [
        auth.workspaceId,
        JSON.stringify(dto.name),
        dto.description === undefined ? null : JSON.stringify(dto.description),
        dto.icon ?? null,
        template?.key ?? null,
        template?.version ?? null,
      ],
    );
    if (row === undefined) throw new Error('app insert returned nothing');
    return this.get(auth, row.id, sql);
  }

  async update(auth: AuthContext, id: string, dto: UpdateAppDto): Promise<AppResponse> {
    await this.get(auth, id);
    await this.db.query(
      `UPDATE app SET name = coalesce($3, name),
              description = CASE WHEN $4::boolean THEN $5::jsonb ELSE description END,
              icon = CASE WHEN $6::boolean THEN $7 ELSE icon END, updated_at = now()
        WHERE workspace_id = $1 AND id = $2`,
      [
        auth.workspaceId,
        id,
        dto.name === undefined ? null : JSON.stringify(dto.name),
        dto.description !== undefined,
        dto.description === undefined || dto.description === null
          ? null
          : JSON.stringify(dto.description),
        dto.icon !== undefined,
        dto.icon ?? null,
      ],
    );
    return this.get(auth, id);
  }

  /** Deletes the app, its forms and their record tables. */
  async remove(auth: AuthContext, id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.get(auth, id, tx);
      const tables = await tx.query<{ schema_name: string; table_name: string }>(
        `SELECT w.schema_name, f.table_name FROM form f JOIN workspace w ON w.id = f.workspace_id WHERE f.app_id = $1 AND f.table_name IS NOT NULL`,
        [id],
      );
      for (const t of tables)
        await tx.query(
          `DROP TABLE IF EXISTS ${ident(t.schema_name)}.${ident(t.table_name)} CASCADE`,
        );
      await tx.query(`DELETE FROM app WHERE workspace_id = $1 AND id = $2`, [auth.workspaceId, id]);
    });
  }
}

function toResponse(row: AppRow): AppResponse {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    icon: row.icon,
    templateKey: row.template_key,
    templateVersion: row.template_version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    forms: row.forms ?? [],
  };
}
