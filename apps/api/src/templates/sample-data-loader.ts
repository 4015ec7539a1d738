import { Injectable } from '@nestjs/common';
import { type Bundle, generateSampleData, SampleDataError } from '@trellis/app-bundle';
import type { AuthContext } from '../auth/auth-context.js';
import { ApiError, type ErrorDetail } from '../common/errors/api-error.js';
import type { Sql } from '../database/database.service.js';
import { FormCatalogService } from '../forms/form-catalog.service.js';
import { FormRuntimeService } from '../forms/form-runtime.service.js';
import { type FieldStorage, tableRef } from '../forms/table-layout.js';
import { toDbParam } from '../records/record-codec.js';
import { searchGrams, searchText } from '../records/record-search.js';

/** Rows per INSERT statement (the rows travel as one jsonb parameter). */
const BATCH = 2_000;

type Column = Extract<FieldStorage, { storage: 'column' }>;

/**
 * Inserts the bundle's generated sample records (crm-sample-v1) into the app's tables in bulk, in
 * the import's transaction. Every record is validated by the form's compiled validator first and
 * stored with the canonical values it returns. The generator's people are not created as accounts:
 * every record is owned and created by the member importing the template.
 */
@Injectable()
export class SampleDataLoader {
  constructor(
    private readonly catalog: FormCatalogService,
    private readonly runtimes: FormRuntimeService,
  ) {}

  async load(
    tx: Sql,
    auth: AuthContext,
    bundle: Bundle,
    formIds: ReadonlyMap<string, string>,
    options: { now: string; scale: number; progress: (done: number, total: number) => void },
  ): Promise<Record<string, number>> {
    if (bundle.sampleData === undefined) return {};
    let data;
    try {
      data = generateSampleData(bundle, { now: options.now, scale: options.scale });
    } catch (error) {
      if (error instanceof SampleDataError)
        throw ApiError.validation(
          error.issues.length > 0
            ? error.issues.map((i) => ({ path: i.path, code: i.code, message: i.message }))
            : [{ path: 'sampleData', code: error.code, message: error.message }],
        );
      throw error;
    }
    const people = new Set(data.members.map((m) => m.id));
    const person = (value: unknown): unknown =>
      typeof value === 'string' && people.has(value)
        ? auth.memberId
        : Array.isArray(value)
          ? value.map(person)
          : value;
    const total = Object.values(data.plan.counts).reduce((a, b) => a + b, 0);
    const counts: Record<string, number> = {};
    let done = 0;
    options.progress(done, total);
    for (const key of data.plan.order) {
      const formId = formIds.get(key);
      if (formId === undefined) continue;
      const form = await this.catalog.published(auth.workspaceId, formId, tx);
      const runtime = this.runtimes.runtime(form);
      const columns = Object.entries(form.layout.fields).filter(
        (e): e is [string, Column] => e[1].storage === 'column',
      );
      const table = tableRef(form.layout.schema, form.layout.table);
      const names = ['id', 'owner_id', 'created_by', 'created_at', 'updated_at', 'stage']
        .concat(['stage_entered_at', 'search_text', 'search_grams'])
        .concat(columns.map(([, c]) => c.column));
      const list = names.map((n) => `"${n}"`).join(', ');
      let rows: Array<Record<string, unknown>> = [];
      const flush = async () => {
        if (rows.length === 0) return;
        await tx.query(
          `INSERT INTO ${table} (${list}) SELECT ${list} FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)`,
          [JSON.stringify(rows)],
        );
        options.progress((done += rows.length), total);
        rows = [];
      };
      let index = 0;
      counts[key] = 0;
      for (const record of data.records(key)) {
        const values = Object.fromEntries(
          Object.entries(record.values).map(([id, value]) => [id, person(value)]),
        );
        // as stored values (`previous`): read-only fields the generator fills are not writes
        const outcome = runtime.validate({
          values,
          previous: values,
          stage: record.stage,
          mode: 'submit',
          locale: 'zh-CN',
          hidden: new Set(),
          readOnly: new Set(),
          now: record.createdAt,
          timeZone: 'Asia/Shanghai',
          user: { id: auth.memberId },
        });
        if (!outcome.ok)
          throw ApiError.validation(
            outcome.errors.map((e): ErrorDetail => ({
              ...e,
              path: `sampleData.${key}.${index}.${e.path}`,
            })),
            `Sample record ${index} of "${key}" does not pass the form's validation`,
          );
        const canonical = outcome.values;
        const row: Record<string, unknown> = {
          id: record.id,
          owner_id: auth.memberId,
          created_by: auth.memberId,
          created_at: record.createdAt,
          updated_at: record.updatedAt,
          stage: record.stage,
          stage_entered_at: record.stageEnteredAt,
        };
        const text = searchText(Object.values(canonical).filter((v) => typeof v === 'string'));
        row['search_text'] = text;
        row['search_grams'] = searchGrams(text);
        for (const [fieldId, column] of columns) {
          const value = canonical[fieldId];
          row[column.column] =
            column.sqlType === 'jsonb' ? (value ?? null) : toDbParam(column, value);
        }
        rows.push(row);
        index += 1;
        if (rows.length >= BATCH) await flush();
      }
      await flush();
      counts[key] = index;
    }
    return counts;
  }
}
