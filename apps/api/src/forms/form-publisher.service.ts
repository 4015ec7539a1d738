import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context.js';
import { ApiError } from '../common/errors/api-error.js';
import { DatabaseService, type Sql } from '../database/database.service.js';
import type { PublishResponse } from './dto/forms.dto.js';
import type { StoredFormSchema } from './form-catalog.service.js';
import { FormSchemas } from './form-schemas.js';
import { SharedCache } from '../common/cache/shared-cache.service.js';
import { formHeadKey } from './form-catalog.service.js';
import { FormsService } from './forms.service.js';
import {
  initialLayout,
  planChanges,
  PublishPlanError,
  type PublishField,
  type PublishStep,
  type RetypeStep,
} from './publish-plan.js';
import {
  createTableStatements,
  foreignKeyStatements,
  pgName,
  q,
  tableRef,
  type TableLayout,
} from './table-layout.js';

const BATCH = 5_000;
const SAMPLES = 5;

type LossyReport = PublishResponse['lossy'][number];

/**
 * Publishing turns a form's draft into a version and its table into the
 * shape of that version, in one transaction: the whole publish applies or
 * nothing does. `preview` computes the same plan and the conversion outcome
 * (which rows would be lossy) without changing anything.
 */
@Injectable()
export class FormPublisherService {
  constructor(
    private readonly db: DatabaseService,
    private readonly forms: FormsService,
    private readonly schemas: FormSchemas,
    private readonly cache: SharedCache,
  ) {}

  async publish(
    auth: AuthContext,
    formId: string,
    options: { preview: boolean },
    /** An open transaction to publish in (a template import publishes every form in one). */
    sql?: Sql,
  ): Promise<PublishResponse> {
    if (sql !== undefined) return this.publishIn(sql, auth, formId, options);
    return this.db.transaction((tx) => this.publishIn(tx, auth, formId, options));
  }

  private async publishIn(
    tx: Sql,
    auth: AuthContext,
    formId: string,
    options: { preview: boolean },
  ): Promise<PublishResponse> {
    const form = await this.forms.row(auth.workspaceId, formId, tx, true);
    const siblings = await this.forms.siblingForms(auth.workspaceId, form.app_id, form.key, tx);
    const issues = this.schemas.validate(form.draft, siblings);
    if (issues.length > 0)
      throw ApiError.validation(
        issues.map((i) => ({ ...i, path: i.path === '' ? 'schema' : `schema.${i.path}` })),
        'The draft has problems; fix them before publishing',
      );

    const [workspace] = await tx.query<{ schema_name: string }>(
      `SELECT schema_name FROM workspace WHERE id = $1`,
      [auth.workspaceId],
    );
    if (workspace === undefined) throw ApiError.notFound('Workspace');
    const [previous] = await tx.query<{
      version: number;
      schema: StoredFormSchema;
      columns: TableLayout;
    }>(
      `SELECT version, schema, columns FROM form_version WHERE form_id = $1 ORDER BY version DESC LIMIT 1`,
      [formId],
    );
    const version = (previous?.version ?? 0) + 1;
    const targets = await this.targetTables(tx, auth.workspaceId, form.app_id);
    const fields = form.draft.fields as readonly PublishField[];

    let layout: TableLayout;
    let steps: PublishStep[];
    let finalSteps: PublishStep[] = [];
    if (previous === undefined) {
      const table = pgName(form.key.slice(0, 40), formId.replaceAll('-', '').slice(0, 8));
      layout = initialLayout(workspace.schema_name, table, fields);
      steps = createTableStatements(layout, targets).map((text) => ({ kind: 'sql', text }));
    } else {
      try {
        const plan = planChanges(previous.columns, fields, version, targets);
        layout = plan.layout;
        steps = [...plan.steps];
        finalSteps = [...plan.finalSteps];
      } catch (error) {
        if (error instanceof PublishPlanError)
          throw ApiError.validation([
            { path: `schema.${error.path}`, code: error.code, message: error.message },
          ]);
        throw error;
      }
    }
    const diff =
      previous === undefined
        ? { added: fields.map((f) => f.id) }
        : this.schemas.diff(previous.schema, form.draft);
    const statements = [...steps, ...finalSteps].map((s) =>
      s.kind === 'sql' ? s.text : `-- convert ${s.fieldId}: ${s.fromType} -> ${s.toType}`,
    );

    if (options.preview) {
      const lossy: LossyReport[] = [];
      for (const step of steps)
        if (step.kind === 'retype' && previous !== undefined)
          lossy.push(await this.previewRetype(tx, previous.columns, step));
      return { preview: true, version, diff, lossy, statements };
    }

    if (previous !== undefined)
      await tx.query(
        `LOCK TABLE ${tableRef(layout.schema, layout.table)} IN SHARE ROW EXCLUSIVE MODE`,
      );
    const lossy: LossyReport[] = [];
    try {
      for (const step of steps) {
        if (step.kind === 'sql') await tx.query(step.text);
        else lossy.push(await this.convert(tx, layout, step, formId, version));
      }
      for (const step of finalSteps) if (step.kind === 'sql') await tx.query(step.text);
      await this.addForeignKeys(tx, auth.workspaceId, form.app_id, form.key, layout, targets);
    } catch (error) {
      const pg = error as { code?: string; message?: string };
      if (pg.code === '23505') {
        throw new ApiError(
          'UNIQUE_VIOLATION',
          'Existing records have duplicate values in a field that is now unique',
          [
            {
              path: 'schema.fields',
              code: 'DUPLICATES_EXIST',
              message: pg.message ?? 'duplicates exist',
            },
          ],
        );
      }
      throw error;
    }
    await tx.query(
      `INSERT INTO form_version (form_id, version, schema, columns, published_by) VALUES ($1, $2, $3, $4, $5)`,
      [formId, version, JSON.stringify(form.draft), JSON.stringify(layout), auth.memberId],
    );
    await tx.query(
      `UPDATE form SET published_version = $2, table_name = $3, updated_at = now() WHERE id = $1`,
      [formId, version, layout.table],
    );
    await this.cache.invalidate(tx, [formHeadKey(auth.workspaceId, formId)]);
    await tx.query(
      `INSERT INTO audit_log (workspace_id, actor_member_id, action, target) VALUES ($1, $2, 'form.publish', $3)`,
      [
        auth.workspaceId,
        auth.memberId,
        JSON.stringify({
          formId,
          version,
          lossy: lossy.map((l) => ({ fieldId: l.fieldId, lossy: l.lossy })),
        }),
      ],
    );
    return { preview: false, version, diff, lossy, statements };
  }

  /** Published tables of the app by form key (relation targets). */
  private async targetTables(
    tx: Sql,
    workspaceId: string,
    appId: string,
  ): Promise<Map<string, string>> {
    const rows = await tx.query<{ key: string; table_name: string }>(
      `SELECT key, table_name FROM form WHERE workspace_id = $1 AND app_id = $2 AND table_name IS NOT NULL`,
      [workspaceId, appId],
    );
    return new Map(rows.map((r) => [r.key, r.table_name]));
  }

  /** Foreign keys of this form's relations, and of other forms' relations that point at it. */
  private async addForeignKeys(
    tx: Sql,
    workspaceId: string,
    appId: string,
    key: string,
    layout: TableLayout,
    targets: Map<string, string>,
  ): Promise<void> {
    const withSelf = new Map(targets).set(key, layout.table);
    const layouts = await tx.query<{ columns: TableLayout }>(
      `SELECT v.columns FROM form f JOIN form_version v ON v.form_id = f.id AND v.version = f.published_version
        WHERE f.workspace_id = $1 AND f.app_id = $2 AND f.key <> $3`,
      [workspaceId, appId, key],
    );
    for (const candidate of [layout, ...layouts.map((l) => l.columns)]) {
      const existing = await tx.query<{ conname: string }>(
        `SELECT c.conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
          WHERE n.nspname = $1 AND t.relname = $2 AND c.contype = 'f'`,
        [candidate.schema, candidate.table],
      );
      for (const statement of foreignKeyStatements(
        candidate,
        withSelf,
        new Set(existing.map((e) => e.conname)),
      ))
        await tx.query(statement);
    }
  }

  /**
   * Converts every value of a retyped field with form-engine's convertValue,
   * in batches. Values that cannot convert become NULL in the new column and
   * their originals are kept in lossy_value (and in the archived column).
   */
  private async convert(
    tx: Sql,
    layout: TableLayout,
    step: RetypeStep,
    formId: string,
    version: number,
  ): Promise<LossyReport> {
    const table = tableRef(layout.schema, step.table);
    const report: LossyReport = {
      fieldId: step.fieldId,
      fromType: step.fromType,
      toType: step.toType,
      converted: 0,
      lossy: 0,
      samples: [],
    };
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await tx.query<{ id: string; value: unknown }>(
        `SELECT id, ${q(step.fromColumn)} AS value FROM ${table} WHERE id > $1 AND ${q(step.fromColumn)} IS NOT NULL ORDER BY id LIMIT ${BATCH}`,
        [after],
      );
      if (rows.length === 0) break;
      after = rows[rows.length - 1]?.id ?? after;
      const ids: string[] = [];
      const texts: Array<string | null> = [];
      const lost: Array<{ id: string; original: unknown }> = [];
      for (const row of rows) {
        const outcome = this.schemas.convert(
          fromStored(row.value, step.fromSqlType),
          step.fromType,
          step.toType,
        );
        if (outcome.ok) {
          ids.push(row.id);
          texts.push(toText(outcome.value, step.toSqlType));
          report.converted += 1;
          if (!outcome.exact) lost.push({ id: row.id, original: row.value });
        } else {
          lost.push({ id: row.id, original: row.value });
          report.lossy += 1;
          if (report.samples.length < SAMPLES)
            report.samples.push({ recordId: row.id, value: row.value });
        }
      }
      if (ids.length > 0) {
        await tx.query(
          `UPDATE ${table} AS t SET ${q(step.toColumn)} = v.value::${step.toSqlType} FROM unnest($1::uuid[], $2::text[]) AS v(id, value) WHERE t.id = v.id`,
          [ids, texts],
        );
      }
      if (lost.length > 0) {
        // originals of values that did not convert, or did not convert exactly: nothing is lost
        await tx.query(
          `INSERT INTO lossy_value (form_id, record_id, field_id, from_type, to_type, form_version, original)
           SELECT $1, l.id, $2, $3, $4, $5, l.original FROM unnest($6::uuid[], $7::jsonb[]) AS l(id, original)`,
          [
            formId,
            step.fieldId,
            step.fromType,
            step.toType,
            version,
            lost.map((l) => l.id),
            lost.map((l) => JSON.stringify(l.original)),
          ],
        );
      }
    }
    return report;
  }

  private async previewRetype(
    tx: Sql,
    layout: TableLayout,
    step: RetypeStep,
  ): Promise<LossyReport> {
    const table = tableRef(layout.schema, step.table);
    const current = step.fromColumn.replace(/__v\d+$/, '');
    const report: LossyReport = {
      fieldId: step.fieldId,
      fromType: step.fromType,
      toType: step.toType,
      converted: 0,
      lossy: 0,
      samples: [],
    };
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await tx.query<{ id: string; value: unknown }>(
        `SELECT id, ${q(current)} AS value FROM ${table} WHERE id > $1 AND ${q(current)} IS NOT NULL ORDER BY id LIMIT ${BATCH}`,
        [after],
      );
      if (rows.length === 0) break;
      after = rows[rows.length - 1]?.id ?? after;
      for (const row of rows) {
        if (
          this.schemas.convert(fromStored(row.value, step.fromSqlType), step.fromType, step.toType)
            .ok
        )
          report.converted += 1;
        else {
          report.lossy += 1;
          if (report.samples.length < SAMPLES)
            report.samples.push({ recordId: row.id, value: row.value });
        }
      }
    }
    return report;
  }
}

function fromStored(value: unknown, sqlType: string): unknown {
  if (value instanceof Date) return value.toISOString();
  if (sqlType === 'numeric' && typeof value === 'string') return value;
  return value;
}

function toText(value: unknown, sqlType: string): string | null {
  if (value === null || value === undefined) return null;
  if (sqlType === 'jsonb') return JSON.stringify(value);
  if (sqlType === 'text[]')
    return `{${(Array.isArray(value) ? value : [value]).map((v) => `"${String(v).replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
  return String(value);
}
