import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context.js';
import { ApiError, type ErrorDetail } from '../common/errors/api-error.js';
import { SharedCache } from '../common/cache/shared-cache.service.js';
import { DatabaseService, type Sql } from '../database/database.service.js';
import type { RolePermissions } from '../policy/permissions.js';
import type { CreateRoleDto, RoleResponse, UpdateRoleDto } from './dto/roles.dto.js';

type RoleRow = {
  id: string;
  key: string;
  name: RoleResponse['name'];
  is_system: boolean;
  permissions: RolePermissions;
};

@Injectable()
export class RolesService {
  constructor(
    private readonly db: DatabaseService,
    private readonly cache: SharedCache,
  ) {}

  async list(auth: AuthContext): Promise<RoleResponse[]> {
    const rows = await this.db.query<RoleRow>(
      `SELECT id, key, name, is_system, permissions FROM role WHERE workspace_id = $1 ORDER BY is_system DESC, key`,
      [auth.workspaceId],
    );
    return rows.map(toResponse);
  }

  async get(auth: AuthContext, id: string, sql: Sql = this.db): Promise<RoleResponse> {
    const [row] = await sql.query<RoleRow>(
      `SELECT id, key, name, is_system, permissions FROM role WHERE workspace_id = $1 AND id = $2`,
      [auth.workspaceId, id],
    );
    if (row === undefined) throw ApiError.notFound('Role');
    return toResponse(row);
  }

  async create(auth: AuthContext, dto: CreateRoleDto): Promise<RoleResponse> {
    await this.assertPermissions(auth, dto.permissions);
    try {
      const [row] = await this.db.query<RoleRow>(
        `INSERT INTO role (workspace_id, key, name, permissions) VALUES ($1, $2, $3, $4) RETURNING id, key, name, is_system, permissions`,
        [auth.workspaceId, dto.key, JSON.stringify(dto.name), JSON.stringify(dto.permissions)],
      );
      if (row === undefined) throw new Error('role insert returned nothing');
      return toResponse(row);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new ApiError('UNIQUE_VIOLATION', 'A role with this key exists', [
          { path: 'key', code: 'ROLE_KEY_TAKEN', message: `The key "${dto.key}" is taken` },
        ]);
      }
      throw error;
    }
  }

  async update(auth: AuthContext, id: string, dto: UpdateRoleDto): Promise<RoleResponse> {
    const current = await this.get(auth, id);
    if (current.key === 'owner')
      throw ApiError.validation([
        { path: 'id', code: 'OWNER_ROLE_FIXED', message: 'The owner role cannot be changed' },
      ]);
    if (dto.permissions !== undefined) await this.assertPermissions(auth, dto.permissions);
    const [row] = await this.db.query<RoleRow>(
      `UPDATE role SET name = coalesce($3, name), permissions = coalesce($4, permissions), updated_at = now()
        WHERE workspace_id = $1 AND id = $2 RETURNING id, key, name, is_system, permissions`,
      [
        auth.workspaceId,
        id,
        dto.name === undefined ? null : JSON.stringify(dto.name),
        dto.permissions === undefined ? null : JSON.stringify(dto.permissions),
      ],
    );
    if (row === undefined) throw ApiError.notFound('Role');
    await this.dropCachedRoles();
    return toResponse(row);
  }

  async remove(auth: AuthContext, id: string): Promise<void> {
    const role = await this.get(auth, id);
    if (role.isSystem)
      throw ApiError.validation([
        { path: 'id', code: 'SYSTEM_ROLE', message: 'System roles cannot be deleted' },
      ]);
    await this.db.query(`DELETE FROM role WHERE workspace_id = $1 AND id = $2`, [
      auth.workspaceId,
      id,
    ]);
    await this.dropCachedRoles();
  }

  /** Every process forgets cached role permissions (they are re-read on the next request). */
  private async dropCachedRoles(): Promise<void> {
    await this.db.transaction((tx) => this.cache.invalidate(tx, ['roles:*']));
  }

  /** Form ids must be this workspace's forms; field ids must exist on their current draft. */
  private async assertPermissions(auth: AuthContext, permissions: RolePermissions): Promise<void> {
    const formIds = Object.keys(permissions.forms ?? {}).filter((id) => id !== '*');
    if (formIds.length === 0) return;
    const rows = await this.db.query<{ id: string; field_ids: string[] }>(
      `SELECT f.id, coalesce((SELECT array_agg(x->>'id') FROM jsonb_array_elements(f.draft->'fields') x), '{}') AS field_ids
         FROM form f WHERE f.workspace_id = $1 AND f.id = ANY($2::uuid[])`,
      [auth.workspaceId, formIds],
    );
    const fields = new Map(rows.map((r) => [r.id, new Set(r.field_ids)]));
    const errors: ErrorDetail[] = [];
    for (const formId of formIds) {
      const known = fields.get(formId);
      if (known === undefined) {
        errors.push({
          path: `permissions.forms.${formId}`,
          code: 'UNKNOWN_FORM',
          message: 'No such form in this workspace',
        });
        continue;
      }
      const permission = permissions.forms?.[formId];
      for (const fieldId of Object.keys(permission?.fields ?? {})) {
        if (!known.has(fieldId))
          errors.push({
            path: `permissions.forms.${formId}.fields.${fieldId}`,
            code: 'UNKNOWN_FIELD',
            message: `The form has no field "${fieldId}"`,
          });
      }
    }
    if (errors.length > 0) throw ApiError.validation(errors);
  }
}

function toResponse(row: RoleRow): RoleResponse {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    isSystem: row.is_system,
    permissions: row.permissions,
  };
}
