import type { FieldLike } from './column-types.js';
import {
  type ArchivedColumn,
  fieldStatements,
  type FieldStorage,
  isColumn,
  planField,
  q,
  tableRef,
  type TableLayout,
} from './table-layout.js';

export type PublishField = FieldLike & { readonly unique?: boolean };

/** A type change whose values are converted in JavaScript by form-engine's convertValue. */
export type RetypeStep = {
  readonly kind: 'retype';
  readonly fieldId: string;
  /** The table holding the column (the record table, or a sub-table's child table). */
  readonly table: string;
  readonly fromType: string;
  readonly toType: string;
  readonly fromColumn: string;
  readonly fromSqlType: string;
  readonly toColumn: string;
  readonly toSqlType: string;
};

export type PublishStep = { readonly kind: 'sql'; readonly text: string } | RetypeStep;

export type PublishPlan = {
  readonly layout: TableLayout;
  readonly steps: readonly PublishStep[];
  /** Steps to run after retype conversions (new indexes on converted columns). */
  readonly finalSteps: readonly PublishStep[];
};

export class PublishPlanError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const sql = (text: string): PublishStep => ({ kind: 'sql', text });

/** The initial layout of a form published for the first time. */
export function initialLayout(
  schema: string,
  table: string,
  fields: readonly PublishField[],
): TableLayout {
  const planned: Record<string, FieldStorage> = {};
  for (const field of fields) {
    const storage = planField(table, field, field.unique === true);
    if (storage !== null) planned[field.id] = storage;
  }
  return { schema, table, fields: planned, archived: [] };
}

/**
 * Compares the stored layout with the next version's fields and returns the
 * DDL (and value conversions) that bring the table there without losing a
 * value: removed fields keep their column (archived), retyped fields get a
 * new column filled by conversion while the old one is archived, and a field
 * re-added with its old type gets its archived column back.
 */
export function planChanges(
  previous: TableLayout,
  fields: readonly PublishField[],
  version: number,
  targetTables: ReadonlyMap<string, string>,
): PublishPlan {
  const table = tableRef(previous.schema, previous.table);
  const steps: PublishStep[] = [];
  const finalSteps: PublishStep[] = [];
  const next: Record<string, FieldStorage> = {};
  let archived: ArchivedColumn[] = [...previous.archived];
  const layoutFor = (fieldsMap: Record<string, FieldStorage>): TableLayout => ({
    ...previous,
    fields: fieldsMap,
    archived,
  });

  fields.forEach((field, index) => {
    const planned = planField(previous.table, field, field.unique === true);
    if (planned === null) return;
    const old = previous.fields[field.id];
    next[field.id] = planned;

    if (old === undefined) {
      const restorable = isColumn(planned)
        ? archived.find(
            (a) =>
              a.fieldId === field.id && a.sqlType === planned.sqlType && a.type === planned.type,
          )
        : undefined;
      if (restorable !== undefined && isColumn(planned)) {
        archived = archived.filter((a) => a !== restorable);
        if (restorable.column !== planned.column)
          steps.push(
            sql(
              `ALTER TABLE ${table} RENAME COLUMN ${q(restorable.column)} TO ${q(planned.column)}`,
            ),
          );
        steps.push(...fieldStatements(layoutFor(next), planned, targetTables).map(sql));
      } else {
        if (isColumn(planned) && archived.some((a) => a.column === planned.column)) {
          // an archived column of another type sits on the name: move it aside first
          const blocking = archived.find((a) => a.column === planned.column);
          if (blocking !== undefined) {
            const moved = `${blocking.column}__v${blocking.version}`;
            steps.push(
              sql(`ALTER TABLE ${table} RENAME COLUMN ${q(blocking.column)} TO ${q(moved)}`),
            );
            archived = archived.map((a) => (a === blocking ? { ...a, column: moved } : a));
          }
        }
        steps.push(
          ...fieldStatements(layoutFor(next), planned, targetTables, { addColumn: true }).map(sql),
        );
      }
      return;
    }

    if (old.storage === 'column' && planned.storage === 'column') {
      const relationTargetChanged = old.target !== planned.target;
      if (old.sqlType !== planned.sqlType || old.type !== planned.type || relationTargetChanged) {
        const archivedName = `${old.column}__v${version - 1}`;
        steps.push(...dropColumnExtras(previous, old).map(sql));
        steps.push(
          sql(`ALTER TABLE ${table} RENAME COLUMN ${q(old.column)} TO ${q(archivedName)}`),
        );
        steps.push(sql(`ALTER TABLE ${table} ADD COLUMN ${q(planned.column)} ${planned.sqlType}`));
        archived.push({
          fieldId: field.id,
          column: archivedName,
          sqlType: old.sqlType,
          type: old.type,
          version: version - 1,
        });
        if (!relationTargetChanged) {
          steps.push({
            kind: 'retype',
            fieldId: field.id,
            table: previous.table,
            fromType: old.type,
            toType: planned.type,
            fromColumn: archivedName,
            fromSqlType: old.sqlType,
            toColumn: planned.column,
            toSqlType: planned.sqlType,
          });
        }
        finalSteps.push(...fieldStatements(layoutFor(next), planned, targetTables).map(sql));
        return;
      }
      if (old.unique !== undefined && planned.unique === undefined)
        steps.push(sql(`DROP INDEX IF EXISTS ${q(previous.schema)}.${q(old.unique)}`));
      if (old.unique === undefined && planned.unique !== undefined) {
        steps.push(
          sql(
            `CREATE UNIQUE INDEX ${q(planned.unique)} ON ${table} (${q(planned.column)}) WHERE deleted_at IS NULL AND NOT is_draft`,
          ),
        );
      }
      next[field.id] = planned;
      return;
    }

    if (old.storage === 'child' && planned.storage === 'child') {
      const child = planChildChanges(previous.schema, old, planned, field, version);
      steps.push(...child.steps);
      next[field.id] = child.storage;
      return;
    }

    if (old.storage === 'join' && planned.storage === 'join' && old.target === planned.target)
      return;

    throw new PublishPlanError(
      `fields.${index}.type`,
      'STORAGE_CHANGE_UNSUPPORTED',
      `Changing "${field.id}" from ${describe(old)} to ${describe(planned)} cannot keep its values; add a new field instead`,
    );
  });

  for (const [fieldId, old] of Object.entries(previous.fields)) {
    if (next[fieldId] !== undefined) continue;
    if (old.storage === 'column') {
      steps.push(...dropColumnExtras(previous, old).map(sql));
      archived.push({
        fieldId,
        column: old.column,
        sqlType: old.sqlType,
        type: old.type,
        version: version - 1,
      });
    }
    // join and child tables stay in place with their rows; re-adding the field reuses them
  }

  return { layout: { ...previous, fields: next, archived }, steps, finalSteps };
}

function planChildChanges(
  schema: string,
  old: Extract<FieldStorage, { storage: 'child' }>,
  planned: Extract<FieldStorage, { storage: 'child' }>,
  field: PublishField,
  version: number,
) {
  const steps: PublishStep[] = [];
  const childTable = tableRef(schema, old.table);
  const fields: Record<string, FieldStorage> = { ...planned.fields };
  for (const [subId, sub] of Object.entries(planned.fields)) {
    if (sub.storage !== 'column') continue;
    const before = old.fields[subId];
    if (before === undefined || before.storage !== 'column') {
      steps.push(
        sql(`ALTER TABLE ${childTable} ADD COLUMN IF NOT EXISTS ${q(sub.column)} ${sub.sqlType}`),
      );
    } else if (before.sqlType !== sub.sqlType || before.type !== sub.type) {
      const archivedName = `${before.column}__v${version - 1}`;
      steps.push(
        sql(`ALTER TABLE ${childTable} RENAME COLUMN ${q(before.column)} TO ${q(archivedName)}`),
      );
      steps.push(sql(`ALTER TABLE ${childTable} ADD COLUMN ${q(sub.column)} ${sub.sqlType}`));
      steps.push({
        kind: 'retype',
        fieldId: `${field.id}.${subId}`,
        table: old.table,
        fromType: before.type,
        toType: sub.type,
        fromColumn: archivedName,
        fromSqlType: before.sqlType,
        toColumn: sub.column,
        toSqlType: sub.sqlType,
      });
    }
  }
  return { steps, storage: { ...planned, table: old.table, fields } as FieldStorage };
}

function dropColumnExtras(
  layout: TableLayout,
  field: Extract<FieldStorage, { storage: 'column' }>,
): string[] {
  const out: string[] = [];
  if (field.unique !== undefined)
    out.push(`DROP INDEX IF EXISTS ${q(layout.schema)}.${q(field.unique)}`);
  if (field.index !== undefined)
    out.push(`DROP INDEX IF EXISTS ${q(layout.schema)}.${q(field.index)}`);
  if (field.foreignKey !== undefined)
    out.push(
      `ALTER TABLE ${tableRef(layout.schema, layout.table)} DROP CONSTRAINT IF EXISTS ${q(field.foreignKey)}`,
    );
  return out;
}

function describe(storage: FieldStorage): string {
  return storage.storage === 'column'
    ? `a ${storage.type} column`
    : storage.storage === 'join'
      ? 'a multiple relation'
      : 'a sub-table';
}
