// Field permissions: which fields a viewer cannot see or change, from a role policy with per-stage
// overrides (the same shape the API stores: README rule 7).
import type { FieldPermissions, FormSchema } from './types.js';

/** `masked`: shown masked (138****8000) unless the viewer owns the record; never writable. */
export type FieldAccess = 'hidden' | 'masked' | 'read_only';

export type FieldAccessMap = Readonly<Record<string, FieldAccess>>;

/** One role's field access, with overrides per flow stage (a stage's map replaces per field). */
export type RoleFieldPolicy = {
  fields?: FieldAccessMap;
  stages?: Readonly<Record<string, { fields: FieldAccessMap }>>;
};

export type FieldPermissionPolicy = {
  roles?: Readonly<Record<string, RoleFieldPolicy>>;
  /** For roles not listed in `roles` (absent: full access). */
  default?: RoleFieldPolicy;
};

export type FieldPermissionResult = FieldPermissions & {
  /** Fields shown masked (also listed in readOnly). */
  masked: readonly string[];
  /** The merged access per field id (`items.price` for a sub-table column); absent = full access. */
  access: Readonly<Record<string, FieldAccess>>;
};

const RESTRICTIVENESS: Record<FieldAccess | 'full', number> = {
  full: 0,
  read_only: 1,
  masked: 2,
  hidden: 3,
};

function accessFor(
  policy: RoleFieldPolicy | undefined,
  stage: string | null | undefined,
): FieldAccessMap {
  if (policy === undefined) return {};
  const stageFields =
    stage === null || stage === undefined ? undefined : policy.stages?.[stage]?.fields;
  return stageFields === undefined
    ? (policy.fields ?? {})
    : { ...(policy.fields ?? {}), ...stageFields };
}

/**
 * The fields hidden from and read-only for a viewer with `role` (one or several: a member with
 * several roles gets, per field, the least restrictive access any of them gives) at `stage`.
 * `owner: true` lifts masking (the owner sees and edits the real value). A hidden sub-table hides
 * its columns; policies may name columns as `<sub_table>.<column>`.
 */
export function applyFieldPermissions(
  schema: FormSchema,
  policy: FieldPermissionPolicy,
  viewer: { role: string | readonly string[]; stage?: string | null; owner?: boolean },
): FieldPermissionResult {
  const roles = typeof viewer.role === 'string' ? [viewer.role] : [...viewer.role];
  const maps = (roles.length === 0 ? [undefined] : roles).map((r) =>
    accessFor(
      r === undefined ? policy.default : (policy.roles?.[r] ?? policy.default),
      viewer.stage,
    ),
  );
  const keys: string[] = [];
  for (const field of schema.fields) {
    keys.push(field.id);
    for (const column of field.fields ?? []) keys.push(`${field.id}.${column.id}`);
  }
  const access: Record<string, FieldAccess> = {};
  for (const key of keys) {
    let least: FieldAccess | 'full' = 'hidden';
    for (const map of maps) {
      const a: FieldAccess | 'full' = map[key] ?? 'full';
      if (RESTRICTIVENESS[a] < RESTRICTIVENESS[least]) least = a;
    }
    if (least === 'masked' && viewer.owner === true) least = 'full';
    const parent = key.includes('.') ? access[key.split('.')[0] as string] : undefined;
    if (parent !== undefined && RESTRICTIVENESS[parent] > RESTRICTIVENESS[least])
      least = parent === 'masked' ? 'read_only' : parent;
    if (least !== 'full') access[key] = least;
  }
  const hidden = keys.filter((k) => access[k] === 'hidden');
  const masked = keys.filter((k) => access[k] === 'masked');
  const readOnly = keys.filter((k) => access[k] === 'read_only' || access[k] === 'masked');
  return { hidden, readOnly, masked, access };
}
