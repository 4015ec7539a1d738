import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context.js';
import { DatabaseService } from '../database/database.service.js';
import { SqlParams } from '../database/sql-params.js';
import { FormCatalogService } from '../forms/form-catalog.service.js';
import { q, tableRef } from '../forms/table-layout.js';
import { RecordStore } from './record-store.js';
import { RecordsService } from './records.service.js';

/** Field types that can hold personal data (names, contact details, places, free text, files). */
const PERSONAL_TYPES = new Set([
  'text',
  'textarea',
  'rich_text',
  'phone',
  'email',
  'url',
  'address',
  'location',
  'attachment',
  'image',
]);

export type PersonalDataExport = {
  exportedAt: string;
  form: { id: string; key: string };
  record: Record<string, unknown>;
  history: Array<Record<string, unknown>>;
  referencedBy: Array<{
    formId: string;
    formKey: string;
    field: string;
    recordId: string;
    values: Record<string, unknown>;
  }>;
};

/**
 * PIPL / GDPR requests about one person: export everything stored about a
 * record, and erase (anonymise) its personal fields everywhere they are kept —
 * the record, its field history and the originals kept by type changes —
 * with the erasure itself audited (which fields, by whom; never the values).
 */
@Injectable()
export class PersonalDataService {
  constructor(
    private readonly db: DatabaseService,
    private readonly catalog: FormCatalogService,
    private readonly records: RecordsService,
  ) {}

  async export(auth: AuthContext, formId: string, recordId: string): Promise<PersonalDataExport> {
    return this.db.transaction(async (tx) => {
      const ctx = await this.records.context(tx, auth, formId, 'manage');
      const record = await this.records.findVisible(ctx, auth, recordId, { includeDeleted: true });
      const history = await tx.query(
        `SELECT version, kind, actor_member_id, at, changes FROM record_history WHERE form_id = $1 AND record_id = $2 ORDER BY id`,
        [formId, recordId],
      );
      const referencedBy: PersonalDataExport['referencedBy'] = [];
      const siblings = await this.catalog.publishedInApp(auth.workspaceId, ctx.form.appId, tx);
      for (const other of siblings.values()) {
        const store = new RecordStore(other);
        for (const field of other.schema.fields) {
          if (field.type !== 'relation' || field.relation?.formId !== ctx.form.key) continue;
          const storage = other.layout.fields[field.id];
          const params = new SqlParams();
          let where: string;
          if (storage?.storage === 'column')
            where = `t.${q(storage.column)} = ${params.add(recordId)}::uuid`;
          else if (storage?.storage === 'join')
            where = `t.id IN (SELECT record_id FROM ${tableRef(other.layout.schema, storage.table)} WHERE target_id = ${params.add(recordId)}::uuid)`;
          else continue;
          const rows = await tx.query(
            `SELECT ${store.selectList('t')} FROM ${store.table} t WHERE ${where} LIMIT 10000`,
            params.values,
          );
          for (const row of rows) {
            const related = store.toRecord(row);
            referencedBy.push({
              formId: other.id,
              formKey: other.key,
              field: field.id,
              recordId: related.id,
              values: related.values as Record<string, unknown>,
            });
          }
        }
      }
      await tx.query(
        `INSERT INTO audit_log (workspace_id, actor_member_id, action, target) VALUES ($1, $2, 'record.personal_data_export', $3)`,
        [auth.workspaceId, auth.memberId, JSON.stringify({ formId, recordId })],
      );
      return {
        exportedAt: new Date().toISOString(),
        form: { id: ctx.form.id, key: ctx.form.key },
        record: {
          id: record.id,
          ownerId: record.ownerId,
          createdAt: record.createdAt,
          updatedAt: record.updatedAt,
          stage: record.stage,
          values: record.values,
        },
        history,
        referencedBy,
      };
    });
  }

  async erase(
    auth: AuthContext,
    formId: string,
    recordId: string,
    requested?: readonly string[],
  ): Promise<{ erased: string[] }> {
    return this.db.transaction(async (tx) => {
      const ctx = await this.records.context(tx, auth, formId, 'manage');
      const record = await this.records.findVisible(ctx, auth, recordId, { includeDeleted: true });
      const fields = ctx.form.schema.fields
        .filter((f) =>
          requested === undefined ? PERSONAL_TYPES.has(f.type) : requested.includes(f.id),
        )
        .map((f) => f.id)
        .filter((id) => ctx.form.layout.fields[id]?.storage === 'column');
      const params = new SqlParams();
      const nulls = Object.fromEntries(fields.map((f) => [f, null]));
      const search = ctx.store.searchColumns({ ...record.values, ...nulls });
      const sets = [
        ...fields.map(
          (f) => `${q((ctx.form.layout.fields[f] as { column: string }).column)} = NULL`,
        ),
        `search_text = ${params.add(search.text)}`,
        `search_grams = ${params.add(search.grams)}::text[]`,
        'version = version + 1',
        'updated_at = now()',
      ];
      await tx.query(
        `UPDATE ${ctx.store.table} SET ${sets.join(', ')} WHERE id = ${params.add(recordId)}::uuid`,
        params.values,
      );
      await tx.query(
        `UPDATE record_history SET changes = (
           SELECT coalesce(jsonb_agg(CASE WHEN c->>'field' = ANY($3::text[]) THEN jsonb_build_object('field', c->>'field', 'from', NULL, 'to', NULL, 'erased', true) ELSE c END), '[]'::jsonb)
             FROM jsonb_array_elements(changes) c)
         WHERE form_id = $1 AND record_id = $2`,
        [formId, recordId, fields],
      );
      await tx.query(
        `DELETE FROM lossy_value WHERE form_id = $1 AND record_id = $2 AND field_id = ANY($3::text[])`,
        [formId, recordId, fields],
      );
      const after = await this.records.load(tx, ctx.store, recordId);
      await this.records.writeHistory(
        tx,
        ctx.form,
        after,
        auth,
        'erase',
        fields.map((field) => ({ field, from: null, to: null })),
      );
      await tx.query(
        `INSERT INTO audit_log (workspace_id, actor_member_id, action, target) VALUES ($1, $2, 'record.erase', $3)`,
        [auth.workspaceId, auth.memberId, JSON.stringify({ formId, recordId, fields })],
      );
      return { erased: fields };
    });
  }
}
