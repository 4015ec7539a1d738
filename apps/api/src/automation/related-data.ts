import { Injectable } from '@nestjs/common';
import { DatabaseService, type Sql } from '../database/database.service.js';
import { FormCatalogService } from '../forms/form-catalog.service.js';
import { RecordStore } from '../records/record-store.js';
import { recordData } from './record-data.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type RelationField = { id: string; type?: string; relation?: { formId?: string } };

/**
 * Rule data one relation deep: a relation field that holds a record id becomes that record's
 * rule data (`{ id, ...fields, owner_id, ... }`), so rules read `customer.level`,
 * `source_lead.contact_name` or `customer.owner_id` and texts say `{customer.company_name}`.
 * Values written back by actions turn such objects into their id again (`relationIdOf`).
 */
@Injectable()
export class RelatedData {
  constructor(
    private readonly db: DatabaseService,
    private readonly forms: FormCatalogService,
  ) {}

  /**
   * `uses` is what reads the data (the rules' definitions): only relations it names with a path
   * (`customer.`) are loaded, so rules that never look across a relation cost nothing more.
   */
  async expand(
    rule: { readonly workspaceId: string; readonly appId: string; readonly formId: string },
    data: Readonly<Record<string, unknown>>,
    uses: unknown,
    sql: Sql = this.db,
  ): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = { ...data };
    const text = JSON.stringify(uses);
    const form = await this.forms.published(rule.workspaceId, rule.formId, sql);
    for (const field of form.schema.fields as readonly RelationField[]) {
      if (field.type !== 'relation' || typeof field.relation?.formId !== 'string') continue;
      if (!text.includes(`${field.id}.`)) continue;
      const id = relationIdOf(out[field.id]);
      if (id === null || !UUID.test(id)) continue;
      const [target] = await sql.query<{ id: string }>(
        `SELECT id FROM form WHERE workspace_id = $1 AND app_id = $2 AND (key = $3 OR id::text = $3)
            AND published_version IS NOT NULL`,
        [rule.workspaceId, rule.appId, field.relation.formId],
      );
      if (target === undefined) continue;
      const related = await this.forms.published(rule.workspaceId, target.id, sql);
      const store = new RecordStore(related);
      const [row] = await sql.query(
        `SELECT ${store.selectList('t')} FROM ${store.table} t WHERE t.id = $1 AND t.deleted_at IS NULL`,
        [id],
      );
      if (row === undefined) continue;
      const [record] = await store.loadChildren(sql, [store.toRecord(row)]);
      if (record !== undefined) out[field.id] = recordData(record);
    }
    return out;
  }
}

/** The id a relation value points at: an id, an expanded record `{ id, ... }`, or the first of a list. */
export function relationIdOf(value: unknown): string | null {
  const first = Array.isArray(value) ? (value[0] as unknown) : value;
  if (typeof first === 'string' && first !== '') return first;
  if (typeof first === 'object' && first !== null) {
    const id = (first as { id?: unknown }).id;
    if (typeof id === 'string') return id;
  }
  return null;
}

/** Action values with expanded related records put back to their ids (addresses and the like stay). */
export function collapseRelations(
  values: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) out[key] = collapseValue(value);
  return out;
}

export function collapseValue(value: unknown): unknown {
  if (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { id?: unknown }).id === 'string' &&
    UUID.test((value as { id: string }).id)
  )
    return (value as { id: string }).id;
  return value;
}
