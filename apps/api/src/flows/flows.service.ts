import { Injectable } from '@nestjs/common';
import { type FlowDefinition, normalizeFlow, validateFlow } from '@trellis/flow-engine';
import type { AuthContext } from '../auth/auth-context.js';
import { ApiError } from '../common/errors/api-error.js';
import { SharedCache } from '../common/cache/shared-cache.service.js';
import { DatabaseService, type Sql } from '../database/database.service.js';
import type { FlowResponse } from './dto/flows.dto.js';

type FlowRow = {
  id: string;
  form_id: string;
  draft: unknown;
  published_version: number | null;
  definition: unknown;
};

const SYSTEM_FIELDS = [
  'id',
  'owner_id',
  'created_by',
  'created_at',
  'updated_at',
  'version',
  'stage',
  'stage_entered_at',
];

/** Flow definitions per form: a draft and immutable published versions (instances stay on theirs). */
@Injectable()
export class FlowsService {
  private readonly versions = new Map<string, FlowDefinition>();

  constructor(
    private readonly db: DatabaseService,
    private readonly cache: SharedCache,
  ) {}

  async get(auth: AuthContext, formId: string): Promise<FlowResponse> {
    await this.assertForm(auth.workspaceId, formId);
    const row = await this.row(this.db, formId);
    return {
      formId,
      draft: row?.draft ?? null,
      publishedVersion: row?.published_version ?? null,
      definition: row?.definition ?? null,
    };
  }

  async saveDraft(auth: AuthContext, formId: string, definition: unknown): Promise<FlowResponse> {
    const fields = await this.fieldIds(auth.workspaceId, formId);
    const issues = validateFlow(withVersion(definition, 1), { fields });
    if (issues.length > 0)
      throw ApiError.validation(
        issues.map((i) => ({ ...i, path: i.path === '' ? 'definition' : `definition.${i.path}` })),
        'The flow has problems',
      );
    await this.db.query(
      `INSERT INTO flow (workspace_id, form_id, draft) VALUES ($1, $2, $3)
       ON CONFLICT (form_id) DO UPDATE SET draft = EXCLUDED.draft, updated_at = now()`,
      [auth.workspaceId, formId, JSON.stringify(definition)],
    );
    await this.db.transaction((tx) => this.cache.invalidate(tx, [flowHeadKey(formId)]));
    return this.get(auth, formId);
  }

  /** Publishes the draft as the next version; new records start on it, running ones stay on theirs. */
  async publish(auth: AuthContext, formId: string, sql: Sql = this.db): Promise<FlowResponse> {
    const fields = await this.fieldIds(auth.workspaceId, formId, sql);
    const row = await this.row(sql, formId, true);
    if (row === undefined)
      throw ApiError.validation([
        { path: 'definition', code: 'NO_DRAFT', message: 'Save a flow draft first' },
      ]);
    const version = (row.published_version ?? 0) + 1;
    const issues = validateFlow(withVersion(row.draft, version), { fields });
    if (issues.length > 0)
      throw ApiError.validation(
        issues.map((i) => ({ ...i, path: `definition.${i.path}` })),
        'The flow has problems',
      );
    const normalized = normalizeFlow(withVersion(row.draft, version));
    if (Array.isArray(normalized))
      throw ApiError.validation(normalized.map((i) => ({ ...i, path: `definition.${i.path}` })));
    await sql.query(`INSERT INTO flow_version (flow_id, version, definition) VALUES ($1, $2, $3)`, [
      row.id,
      version,
      JSON.stringify(normalized),
    ]);
    await this.cache.invalidate(sql, [flowHeadKey(formId)]);
    await sql.query(`UPDATE flow SET published_version = $2, updated_at = now() WHERE id = $1`, [
      row.id,
      version,
    ]);
    return { formId, draft: row.draft, publishedVersion: version, definition: normalized };
  }

  /** The published definition new records of the form start on, or null when the form has no flow. */
  async currentFor(sql: Sql, formId: string): Promise<FlowDefinition | null> {
    const row = await this.head(sql, formId);
    if (row === null || row.published_version === null) return null;
    return this.version(sql, row.id, row.published_version);
  }

  /** The form's flow id and published version; cached, dropped when a draft is first saved or a version published. */
  private async head(
    sql: Sql,
    formId: string,
  ): Promise<{ id: string; published_version: number | null } | null> {
    return this.cache.get(flowHeadKey(formId), async () => {
      const [row] = await sql.query<{ id: string; published_version: number | null }>(
        `SELECT id, published_version FROM flow WHERE form_id = $1`,
        [formId],
      );
      return row ?? null;
    });
  }

  /** The definition a snapshot was started on. */
  async forSnapshot(sql: Sql, formId: string, version: number): Promise<FlowDefinition> {
    const row = await this.head(sql, formId);
    if (row === null) throw ApiError.notFound('Flow');
    return this.version(sql, row.id, version);
  }

  async version(sql: Sql, flowId: string, version: number): Promise<FlowDefinition> {
    const key = `${flowId}@${version}`;
    const cached = this.versions.get(key);
    if (cached !== undefined) return cached;
    const [row] = await sql.query<{ definition: FlowDefinition }>(
      `SELECT definition FROM flow_version WHERE flow_id = $1 AND version = $2`,
      [flowId, version],
    );
    if (row === undefined) throw ApiError.notFound('Flow version');
    this.versions.set(key, row.definition);
    return row.definition;
  }

  private async row(sql: Sql, formId: string, lock = false): Promise<FlowRow | undefined> {
    const [row] = await sql.query<FlowRow>(
      `SELECT f.id, f.form_id, f.draft, f.published_version, v.definition
         FROM flow f LEFT JOIN flow_version v ON v.flow_id = f.id AND v.version = f.published_version
        WHERE f.form_id = $1${lock ? ' FOR UPDATE OF f' : ''}`,
      [formId],
    );
    return row;
  }

  private async assertForm(workspaceId: string, formId: string, sql: Sql = this.db): Promise<void> {
    const rows = await sql.query(`SELECT 1 FROM form WHERE workspace_id = $1 AND id = $2`, [
      workspaceId,
      formId,
    ]);
    if (rows.length === 0) throw ApiError.notFound('Form');
  }

  /** Field ids a flow may name: the form's (draft) fields and the system fields. */
  private async fieldIds(
    workspaceId: string,
    formId: string,
    sql: Sql = this.db,
  ): Promise<string[]> {
    const [row] = await sql.query<{ ids: string[] }>(
      `SELECT coalesce((SELECT array_agg(x->>'id') FROM jsonb_array_elements(draft->'fields') x), '{}') AS ids FROM form WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, formId],
    );
    if (row === undefined) throw ApiError.notFound('Form');
    return [...row.ids, ...SYSTEM_FIELDS];
  }
}

/** Versions are the API's to give: a draft is validated as version 1, a publish stamps the next number. */
function withVersion(definition: unknown, version: number): unknown {
  return typeof definition === 'object' && definition !== null && !Array.isArray(definition)
    ? { ...definition, version }
    : definition;
}

export function flowHeadKey(formId: string): string {
  return `flowhead:${formId}`;
}
