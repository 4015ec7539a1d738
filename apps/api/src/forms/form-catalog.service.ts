import { Injectable } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error.js';
import type { LocalizedText } from '../common/localized-text.js';
import { SharedCache } from '../common/cache/shared-cache.service.js';
import { DatabaseService, type Sql } from '../database/database.service.js';
import type { TableLayout } from './table-layout.js';

/** A form field as stored in a schema (form-engine's FieldSchema, read loosely). */
export type SchemaField = {
  readonly id: string;
  readonly type: string;
  readonly label?: LocalizedText;
  readonly unique?: boolean;
  readonly options?: ReadonlyArray<{ value: string; label?: LocalizedText }>;
  readonly relation?: { readonly formId: string; readonly multiple?: boolean };
  readonly fields?: readonly SchemaField[];
  readonly [key: string]: unknown;
};

export type StoredFormSchema = {
  readonly id: string;
  readonly name?: LocalizedText;
  readonly fields: readonly SchemaField[];
  readonly [key: string]: unknown;
};

/** A published version of a form: its schema and where its records live. */
export type PublishedForm = {
  readonly id: string;
  readonly workspaceId: string;
  readonly appId: string;
  readonly key: string;
  readonly name: LocalizedText;
  readonly version: number;
  readonly schema: StoredFormSchema;
  readonly layout: TableLayout;
};

type Row = {
  id: string;
  workspace_id: string;
  app_id: string;
  key: string;
  name: LocalizedText;
  version: number;
  schema: StoredFormSchema;
  columns: TableLayout;
};

/**
 * Reads published forms. Versions are immutable, so a process may cache them
 * by (form, version) forever; the current version is read per request, which
 * keeps several API processes consistent without cross-process invalidation.
 */
@Injectable()
export class FormCatalogService {
  private readonly versions = new Map<string, PublishedForm>();

  constructor(
    private readonly db: DatabaseService,
    private readonly cache: SharedCache,
  ) {}

  /**
   * The current published version of a form of this workspace. `lock` takes a
   * share lock on the form row so that a concurrent publish waits for the
   * caller's transaction (and vice versa).
   */
  async published(
    workspaceId: string,
    formId: string,
    sql: Sql = this.db,
    options: { lock?: boolean } = {},
  ): Promise<PublishedForm> {
    const readHead = () =>
      sql.query<{ published_version: number | null }>(
        `SELECT published_version FROM form WHERE workspace_id = $1 AND id = $2${options.lock === true ? ' FOR SHARE' : ''}`,
        [workspaceId, formId],
      );
    // plain reads may use the cached head; writes lock the row and read it fresh
    const [head] =
      sql === this.db && options.lock !== true
        ? await this.cache.get(formHeadKey(workspaceId, formId), readHead)
        : await readHead();
    if (head === undefined) throw ApiError.notFound('Form');
    if (head.published_version === null)
      throw new ApiError('CONFLICT', 'The form is not published yet', [
        {
          path: 'formId',
          code: 'FORM_NOT_PUBLISHED',
          message: 'Publish the form before working with its records',
        },
      ]);
    return this.version(formId, head.published_version, sql);
  }

  async version(formId: string, version: number, sql: Sql = this.db): Promise<PublishedForm> {
    const key = `${formId}@${version}`;
    const cached = this.versions.get(key);
    if (cached !== undefined) return cached;
    const [row] = await sql.query<Row>(
      `SELECT f.id, f.workspace_id, f.app_id, f.key, f.name, v.version, v.schema, v.columns
         FROM form f JOIN form_version v ON v.form_id = f.id WHERE f.id = $1 AND v.version = $2`,
      [formId, version],
    );
    if (row === undefined) throw ApiError.notFound('Form version');
    const form: PublishedForm = {
      id: row.id,
      workspaceId: row.workspace_id,
      appId: row.app_id,
      key: row.key,
      name: row.name,
      version: row.version,
      schema: row.schema,
      layout: row.columns,
    };
    this.versions.set(key, form);
    return form;
  }

  /** Published forms of an app, keyed by form key (relations and reports name forms by key). */
  async publishedInApp(
    workspaceId: string,
    appId: string,
    sql: Sql = this.db,
  ): Promise<Map<string, PublishedForm>> {
    const rows = await sql.query<{ id: string; published_version: number }>(
      `SELECT id, published_version FROM form WHERE workspace_id = $1 AND app_id = $2 AND published_version IS NOT NULL`,
      [workspaceId, appId],
    );
    const forms = await Promise.all(rows.map((r) => this.version(r.id, r.published_version, sql)));
    return new Map(forms.map((f) => [f.key, f]));
  }
}

/** Cache key of a form's published version number; publishing or deleting the form drops it. */
export function formHeadKey(workspaceId: string, formId: string): string {
  return `formhead:${workspaceId}:${formId}`;
}
