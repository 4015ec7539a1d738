import { createHash } from 'node:crypto';
import { type FieldLike, INDEXED_TYPES, storageOf } from './column-types.js';

/**
 * Where each field of a published form lives. Stored with every published
 * version (form_version.columns), so reports, records and imports map field
 * ids to quoted identifiers from here and never from user text.
 */
export type FieldStorage =
  | {
      readonly storage: 'column';
      readonly type: string;
      readonly column: string;
      readonly sqlType: string;
      readonly unique?: string;
      readonly index?: string;
      readonly foreignKey?: string;
      readonly target?: string;
    }
  | {
      readonly storage: 'join';
      readonly type: string;
      readonly table: string;
      readonly target: string;
    }
  | {
      readonly storage: 'child';
      readonly type: string;
      readonly table: string;
      readonly fields: Readonly<Record<string, FieldStorage>>;
    };

export type ArchivedColumn = {
  readonly fieldId: string;
  readonly column: string;
  readonly sqlType: string;
  readonly type: string;
  readonly version: number;
};

export type TableLayout = {
  readonly schema: string;
  readonly table: string;
  readonly fields: Readonly<Record<string, FieldStorage>>;
  /** Columns of removed or retyped fields, kept so nothing is lost and a change can be undone. */
  readonly archived: readonly ArchivedColumn[];
};

/** Columns every record table has. */
export const SYSTEM_COLUMNS = [
  'id',
  'owner_id',
  'created_by',
  'created_at',
  'updated_at',
  'version',
  'stage',
  'stage_entered_at',
  'flow_snapshot',
  'deleted_at',
  'is_draft',
  'submitted_at',
  'search_text',
  'search_grams',
] as const;

/** A PostgreSQL identifier of at most 63 bytes; long names keep a hash so they stay unique. */
export function pgName(...parts: string[]): string {
  const name = parts.join('_');
  if (name.length <= 63 && /^[a-z_][a-z0-9_]*$/.test(name)) return name;
  const safe = name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${safe.slice(0, 54)}_${hash}`;
}

export function q(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
    throw new Error(`unsafe identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}

export function tableRef(schema: string, table: string): string {
  return `${q(schema)}.${q(table)}`;
}

/** Storage of one field inside a table (column names are the field ids, which are validated identifiers). */
export function planField(
  tableName: string,
  field: FieldLike,
  unique: boolean,
): FieldStorage | null {
  const storage = storageOf(field);
  switch (storage.kind) {
    case 'none':
      return null;
    case 'column':
      return {
        storage: 'column',
        type: field.type,
        column: field.id,
        sqlType: storage.sqlType,
        ...(unique ? { unique: pgName('u', tableName, field.id) } : {}),
        ...(INDEXED_TYPES.has(field.type) ? { index: pgName('i', tableName, field.id) } : {}),
        ...(field.type === 'relation' && field.relation !== undefined
          ? { target: field.relation.formId, foreignKey: pgName('fk', tableName, field.id) }
          : {}),
      };
    case 'join':
      return {
        storage: 'join',
        type: field.type,
        table: pgName(tableName, '_', field.id),
        target: storage.targetFormKey,
      };
    case 'child': {
      const childTable = pgName(tableName, '_', field.id);
      const fields: Record<string, FieldStorage> = {};
      for (const sub of field.fields ?? []) {
        const planned = planField(childTable, sub, false);
        if (planned !== null && planned.storage === 'column') fields[sub.id] = planned;
      }
      return { storage: 'child', type: field.type, table: childTable, fields };
    }
    default:
      return null;
  }
}

/** Statements that create a fresh record table with its indexes, child and join tables. */
export function createTableStatements(
  layout: TableLayout,
  targetTables: ReadonlyMap<string, string>,
): string[] {
  const table = tableRef(layout.schema, layout.table);
  const columns = Object.values(layout.fields)
    .filter((f): f is Extract<FieldStorage, { storage: 'column' }> => f.storage === 'column')
    .map((f) => `${q(f.column)} ${f.sqlType}`);
  const statements = [
    `CREATE TABLE ${table} (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      owner_id uuid REFERENCES public.member(id) ON DELETE SET NULL,
      created_by uuid REFERENCES public.member(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      version integer NOT NULL DEFAULT 1,
      stage text,
      stage_entered_at timestamptz,
      flow_snapshot jsonb,
      deleted_at timestamptz,
      is_draft boolean NOT NULL DEFAULT false,
      submitted_at timestamptz,
      search_text text NOT NULL DEFAULT '',
      search_grams text[] NOT NULL DEFAULT '{}'${columns.map((c) => `,\n      ${c}`).join('')}
    )`,
    `CREATE INDEX ${q(pgName('i', layout.table, 'created'))} ON ${table} (created_at DESC, id DESC) WHERE deleted_at IS NULL`,
    `CREATE INDEX ${q(pgName('i', layout.table, 'owner'))} ON ${table} (owner_id)`,
    `CREATE INDEX ${q(pgName('i', layout.table, 'stage'))} ON ${table} (stage)`,
    `CREATE INDEX ${q(pgName('i', layout.table, 'search'))} ON ${table} USING gin (search_grams)`,
  ];
  for (const field of Object.values(layout.fields))
    statements.push(...fieldStatements(layout, field, targetTables));
  return statements;
}

/** Statements that add one field (column plus index/unique/foreign key, or its join/child table). */
export function fieldStatements(
  layout: TableLayout,
  field: FieldStorage,
  targetTables: ReadonlyMap<string, string>,
  options: { addColumn?: boolean } = {},
): string[] {
  const table = tableRef(layout.schema, layout.table);
  const out: string[] = [];
  switch (field.storage) {
    case 'column': {
      if (options.addColumn === true)
        out.push(`ALTER TABLE ${table} ADD COLUMN ${q(field.column)} ${field.sqlType}`);
      if (field.index !== undefined)
        out.push(
          `CREATE INDEX ${q(field.index)} ON ${table} (${q(field.column)}, id) WHERE deleted_at IS NULL`,
        );
      if (field.unique !== undefined) {
        out.push(
          `CREATE UNIQUE INDEX ${q(field.unique)} ON ${table} (${q(field.column)}) WHERE deleted_at IS NULL AND NOT is_draft`,
        );
      }
      // foreign keys of relation columns are added by ensureForeignKeys once the target table exists
      return out;
    }
    case 'join': {
      const target = targetTables.get(field.target);
      out.push(`CREATE TABLE IF NOT EXISTS ${tableRef(layout.schema, field.table)} (
        record_id uuid NOT NULL REFERENCES ${table}(id) ON DELETE CASCADE,
        target_id uuid NOT NULL${target === undefined ? '' : ` REFERENCES ${tableRef(layout.schema, target)}(id) ON DELETE CASCADE`},
        position integer NOT NULL DEFAULT 0,
        PRIMARY KEY (record_id, target_id)
      )`);
      out.push(
        `CREATE INDEX IF NOT EXISTS ${q(pgName('i', field.table, 'target'))} ON ${tableRef(layout.schema, field.table)} (target_id)`,
      );
      return out;
    }
    case 'child': {
      const columns = Object.values(field.fields)
        .filter((f): f is Extract<FieldStorage, { storage: 'column' }> => f.storage === 'column')
        .map((f) => `,\n        ${q(f.column)} ${f.sqlType}`);
      out.push(`CREATE TABLE IF NOT EXISTS ${tableRef(layout.schema, field.table)} (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        parent_id uuid NOT NULL REFERENCES ${table}(id) ON DELETE CASCADE,
        position integer NOT NULL${columns.join('')}
      )`);
      out.push(
        `CREATE INDEX IF NOT EXISTS ${q(pgName('i', field.table, 'parent'))} ON ${tableRef(layout.schema, field.table)} (parent_id, position)`,
      );
      return out;
    }
    default:
      return out;
  }
}

/**
 * Relation columns get their foreign key as soon as the target form is
 * published; forms that point at each other (customer <-> contact) get them
 * in whichever order they are published.
 */
export function foreignKeyStatements(
  layout: TableLayout,
  targetTables: ReadonlyMap<string, string>,
  existing: ReadonlySet<string>,
): string[] {
  const out: string[] = [];
  for (const field of Object.values(layout.fields)) {
    if (field.storage !== 'column' || field.foreignKey === undefined || field.target === undefined)
      continue;
    const target = targetTables.get(field.target);
    if (target === undefined || existing.has(field.foreignKey)) continue;
    out.push(
      `ALTER TABLE ${tableRef(layout.schema, layout.table)} ADD CONSTRAINT ${q(field.foreignKey)} FOREIGN KEY (${q(field.column)}) REFERENCES ${tableRef(layout.schema, target)}(id) ON DELETE SET NULL`,
    );
  }
  return out;
}

export function isColumn(
  field: FieldStorage | undefined,
): field is Extract<FieldStorage, { storage: 'column' }> {
  return field?.storage === 'column';
}
