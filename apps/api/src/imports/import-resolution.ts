import type { Sql } from '../database/database.service.js';
import { SqlParams } from '../database/sql-params.js';
import { q } from '../forms/table-layout.js';
import type { ImportPlan, ImportSettings } from './import-plan.js';

/**
 * Decides what happens to every staged row, set-based over the whole file:
 * matches with existing records (through the keys table), duplicates inside
 * the file, and unique values already taken. Afterwards each row has an
 * action: create, update (with its target record), skip or reject (with
 * its reasons). Idempotent until the merge starts.
 */

/** SQL for a one-element reasons array with a message in both languages (templates use %s). */
function reason(
  params: SqlParams,
  code: string,
  zh: string,
  en: string,
  args: readonly string[] = [],
  field: string | null = null,
  column: string | null = null,
): string {
  const formatted = (template: string) =>
    args.length === 0
      ? `${params.add(template)}::text`
      : `format(${params.add(template)}::text, ${args.join(', ')})`;
  return `jsonb_build_array(jsonb_build_object('field', ${params.add(field)}::text, 'column', ${params.add(column)}::text, 'code', ${params.add(code)}::text, 'messages', jsonb_build_object('zh-CN', ${formatted(zh)}, 'en', ${formatted(en)})))`;
}

/**
 * A row's action. Rows are only written when resolution decides something
 * about them (a match, a duplicate, a clash): every other row is a new record
 * when it validated and rejected when it did not, so a file of new customers
 * costs no UPDATE of its (wide) staging rows.
 */
export function actionSql(alias = ''): string {
  const a = alias === '' ? '' : `${alias}.`;
  return `coalesce(${a}_action, CASE WHEN ${a}_ok THEN 'create' ELSE 'reject' END)`;
}

export async function resolveRows(
  tx: Sql,
  staging: string,
  keys: string | null,
  plan: ImportPlan,
  settings: ImportSettings,
  targetTable: string,
): Promise<void> {
  await tx.query(
    `UPDATE ${staging} SET _action = NULL, _reason = NULL, _target = NULL, _match_count = 0, _dup_of = NULL
      WHERE _action IS NOT NULL OR _target IS NOT NULL OR _dup_of IS NOT NULL OR _match_count <> 0 OR _reason IS NOT NULL`,
  );

  // 1. existing records: the first match key (in the configured order) that finds one decides
  if (keys !== null && plan.keys.length > 0) {
    const hits = plan.keys
      .map(
        (_, i) =>
          `SELECT s._line, ${i} AS kind, k.record_id FROM ${staging} s JOIN ${keys} k ON k.kind = ${i} AND k.value = s._k${i}`,
      )
      .join(' UNION ALL ');
    await tx.query(
      `WITH hits AS (${hits}),
       per AS (SELECT _line, kind, min(record_id::text) AS target, count(DISTINCT record_id)::int AS n FROM hits GROUP BY _line, kind),
       best AS (SELECT DISTINCT ON (_line) _line, target, n FROM per ORDER BY _line, kind)
       UPDATE ${staging} s SET _target = best.target::uuid, _match_count = best.n FROM best WHERE s._line = best._line`,
    );
  }

  // 2. rows that match an existing record (the others keep the default action)
  {
    const p = new SqlParams();
    const onMatch = p.add(settings.onMatch);
    await tx.query(
      `UPDATE ${staging} SET
         _action = CASE
           WHEN _match_count > 1 THEN 'reject'
           WHEN ${onMatch} = 'skip' THEN 'skip'
           WHEN ${onMatch} = 'update' THEN CASE WHEN _patch IS NULL THEN 'reject' ELSE 'update' END
           END,
         _reason = CASE
           WHEN _match_count > 1 THEN ${reason(p, 'AMBIGUOUS_MATCH', '匹配到 %s 条已有记录，无法确定更新哪一条', 'Matches %s existing records; it is unclear which one to update', ['_match_count'])}
           WHEN ${onMatch} = 'skip' THEN ${reason(p, 'MATCHES_EXISTING', '与已有记录 %s 重复，已跳过', 'Matches existing record %s; skipped', ['_target::text'])}
           END,
         _target = CASE WHEN _match_count = 1 AND ${onMatch} <> 'create' THEN _target END
       WHERE _match_count > 0`,
      p.values,
    );
  }

  // 3. duplicates inside the file: rows sharing a match key (or a matched record) with an earlier row
  if (settings.onDuplicateInFile !== 'create' && plan.keys.length > 0) {
    const roots = [
      ...plan.keys.map(
        (_, i) =>
          `CASE WHEN _k${i} IS NULL THEN _line ELSE min(_line) OVER (PARTITION BY _k${i}) END`,
      ),
      `CASE WHEN _target IS NULL THEN _line ELSE min(_line) OVER (PARTITION BY _target) END`,
    ];
    await tx.query(
      `WITH c AS (SELECT _line, least(${roots.join(', ')}) AS root FROM ${staging} WHERE ${actionSql()} IN ('create', 'update', 'skip'))
       UPDATE ${staging} s SET _dup_of = c.root FROM c WHERE s._line = c._line AND c.root < c._line`,
    );
    // follow chains (C duplicates B by e-mail, B duplicates A by phone) to the first row
    for (let i = 0; i < 20; i++) {
      const { affected } = await tx.execute(
        `UPDATE ${staging} s SET _dup_of = p._dup_of FROM ${staging} p WHERE s._dup_of = p._line AND p._dup_of IS NOT NULL`,
      );
      if (affected === 0) break;
    }
    const p = new SqlParams();
    const policy = p.add(settings.onDuplicateInFile);
    const dupArgs = ['s._dup_of'];
    await tx.query(
      `UPDATE ${staging} s SET
         _action = CASE
           WHEN ${actionSql('r')} = 'skip' OR ${policy} = 'skip' THEN 'skip'
           WHEN ${policy} = 'reject' THEN 'reject'
           WHEN s._patch IS NULL THEN 'reject'
           ELSE 'update' END,
         _reason = CASE
           WHEN ${actionSql('r')} = 'skip' OR ${policy} = 'skip' THEN ${reason(p, 'DUPLICATE_IN_FILE', '与第 %s 行重复，已跳过', 'Duplicates line %s of the file; skipped', dupArgs)}
           WHEN ${policy} = 'reject' THEN ${reason(p, 'DUPLICATE_IN_FILE', '与第 %s 行重复', 'Duplicates line %s of the file', dupArgs)}
           WHEN s._patch IS NULL THEN s._errors
           ELSE NULL END,
         _target = CASE WHEN ${actionSql('r')} = 'create' THEN r._id ELSE r._target END
       FROM ${staging} r
       WHERE s._dup_of = r._line AND ${actionSql('s')} IN ('create', 'update', 'skip')`,
      p.values,
    );
  }

  // 4. unique fields: a new record may not take a value another record (or an earlier row) has
  for (const [fieldId, storage] of plan.stageFields) {
    if (storage.unique === undefined) continue;
    const column = q(storage.column);
    const header = plan.headerOf.get(fieldId) ?? null;
    const p = new SqlParams();
    await tx.query(
      `UPDATE ${staging} s SET _action = 'reject', _reason = ${reason(p, 'UNIQUE', '已有记录使用了这个值：%s', 'Another record already has this value: %s', [`s.${column}::text`], fieldId, header)}
        FROM ${targetTable} t
       WHERE ${actionSql('s')} = 'create' AND s.${column} IS NOT NULL AND t.${column} = s.${column}
         AND t.deleted_at IS NULL AND NOT t.is_draft`,
      p.values,
    );
    const p2 = new SqlParams();
    await tx.query(
      `WITH d AS (SELECT _line, min(_line) OVER (PARTITION BY ${column}) AS first FROM ${staging} WHERE ${actionSql()} = 'create' AND ${column} IS NOT NULL)
       UPDATE ${staging} s SET _action = 'reject', _reason = ${reason(p2, 'UNIQUE', '与第 %s 行的值相同，这个字段不允许重复', 'Has the same value as line %s; this field must be unique', ['d.first'], fieldId, header)}
         FROM d WHERE s._line = d._line AND d.first < d._line`,
      p2.values,
    );
  }
}

export type ImportCounts = {
  readonly total: number;
  readonly new: number;
  readonly updated: number;
  readonly skipped: number;
  readonly rejected: number;
};

export async function countActions(tx: Sql, staging: string): Promise<ImportCounts> {
  const [row] = await tx.query<{
    total: number;
    created: number;
    updated: number;
    skipped: number;
    rejected: number;
  }>(
    `SELECT count(*)::int AS total,
            count(*) FILTER (WHERE ${actionSql()} = 'create')::int AS created,
            count(*) FILTER (WHERE ${actionSql()} = 'update')::int AS updated,
            count(*) FILTER (WHERE ${actionSql()} = 'skip')::int AS skipped,
            count(*) FILTER (WHERE ${actionSql()} = 'reject')::int AS rejected
       FROM ${staging}`,
  );
  return {
    total: row?.total ?? 0,
    new: row?.created ?? 0,
    updated: row?.updated ?? 0,
    skipped: row?.skipped ?? 0,
    rejected: row?.rejected ?? 0,
  };
}
