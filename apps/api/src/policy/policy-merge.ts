import type {
  FieldAccess,
  FormAction,
  FormPermission,
  RolePermissions,
  RowScope,
  WorkspaceAction,
} from './permissions.js';

/** What one member may do with one form, merged over all of their roles. */
export type FormAccess = {
  readonly actions: ReadonlySet<FormAction>;
  /** Row scopes OR'ed together; `'all'` wins. Empty when the member cannot read. */
  readonly rowScopes: readonly RowScope[];
  /** Least restrictive access per field over the roles that can read the form. Absent = full access. */
  readonly fields: Readonly<Record<string, FieldAccess>>;
  readonly stages: Readonly<Record<string, Readonly<Record<string, FieldAccess>>>>;
};

const RESTRICTIVENESS: Record<FieldAccess | 'full', number> = {
  full: 0,
  read_only: 1,
  masked: 2,
  hidden: 3,
};

function permissionFor(role: RolePermissions, formId: string): FormPermission | undefined {
  return role.forms?.[formId] ?? role.forms?.['*'];
}

/**
 * Merges role permissions for a form. A member with several roles gets the
 * union of actions and row scopes, and for each field the least restrictive
 * access any of their reading roles allows.
 */
export function mergeFormAccess(
  roles: readonly RolePermissions[],
  formId: string,
  isOwner: boolean,
): FormAccess {
  if (isOwner)
    return {
      actions: new Set(['create', 'read', 'update', 'delete', 'export', 'import', 'manage']),
      rowScopes: ['all'],
      fields: {},
      stages: {},
    };
  const grants = roles
    .map((r) => permissionFor(r, formId))
    .filter((p): p is FormPermission => p !== undefined);
  const actions = new Set<FormAction>(grants.flatMap((g) => g.actions));
  const readers = grants.filter((g) => g.actions.includes('read') || g.actions.includes('manage'));
  const rowScopes: RowScope[] = readers.some((g) => g.rowScope === 'all')
    ? ['all']
    : readers.map((g) => g.rowScope);
  return {
    actions,
    rowScopes,
    fields: mergeFields(readers.map((g) => g.fields ?? {})),
    stages: mergeStages(readers),
  };
}

function mergeFields(
  policies: ReadonlyArray<Readonly<Record<string, FieldAccess>>>,
): Record<string, FieldAccess> {
  if (policies.length === 0) return {};
  const fieldIds = new Set(policies.flatMap((p) => Object.keys(p)));
  const merged: Record<string, FieldAccess> = {};
  for (const id of fieldIds) {
    let least = 'hidden' as FieldAccess | 'full';
    for (const policy of policies) {
      const access: FieldAccess | 'full' = policy[id] ?? 'full';
      if (RESTRICTIVENESS[access] < RESTRICTIVENESS[least]) least = access;
    }
    if (least !== 'full') merged[id] = least;
  }
  return merged;
}

function mergeStages(
  readers: readonly FormPermission[],
): Record<string, Record<string, FieldAccess>> {
  const stageIds = new Set(readers.flatMap((g) => Object.keys(g.stages ?? {})));
  const merged: Record<string, Record<string, FieldAccess>> = {};
  for (const stage of stageIds) {
    merged[stage] = mergeFields(
      readers.map((g) => ({ ...(g.fields ?? {}), ...(g.stages?.[stage]?.fields ?? {}) })),
    );
  }
  return merged;
}

/** The field policy in force for a record in the given stage. */
export function fieldAccessAt(
  access: FormAccess,
  stage: string | null | undefined,
): Readonly<Record<string, FieldAccess>> {
  if (stage !== null && stage !== undefined && access.stages[stage] !== undefined)
    return access.stages[stage];
  return access.fields;
}

export function mergeWorkspaceActions(
  roles: readonly RolePermissions[],
  isOwner: boolean,
): ReadonlySet<WorkspaceAction> {
  if (isOwner)
    return new Set(['manage_workspace', 'manage_members', 'manage_roles', 'manage_apps']);
  return new Set(roles.flatMap((r) => r.workspace ?? []));
}

/** 13812348000 -> 138****8000; e-mails keep the first letter and the domain. */
export function maskValue(value: unknown): unknown {
  if (typeof value !== 'string' || value === '') return value;
  const digits = value.replace(/\D/g, '');
  if (/^\+?[\d\s-]{7,}$/.test(value) && digits.length >= 7) {
    const tail = value.slice(-4);
    const head = value.startsWith('+86') ? value.slice(3, 6) : value.slice(0, 3);
    return `${head}****${tail}`;
  }
  const at = value.indexOf('@');
  if (at > 0) return `${value[0]}***${value.slice(at)}`;
  if (value.length <= 2) return `${value[0]}*`;
  return `${value[0]}${'*'.repeat(Math.min(value.length - 2, 6))}${value[value.length - 1]}`;
}
