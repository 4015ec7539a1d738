import { z } from 'zod';

export const FORM_ACTIONS = [
  'create',
  'read',
  'update',
  'delete',
  'export',
  'import',
  'manage',
] as const;
export type FormAction = (typeof FORM_ACTIONS)[number];

export const WORKSPACE_ACTIONS = [
  'manage_workspace',
  'manage_members',
  'manage_roles',
  'manage_apps',
] as const;
export type WorkspaceAction = (typeof WORKSPACE_ACTIONS)[number];

/** Which records of a form a role sees: all, its own, its team's, its department subtree's, or a JsonLogic predicate. */
export type RowScope = 'all' | 'own' | 'team' | 'department' | { readonly logic: unknown };

/** hidden: never sent; masked: 138****8000 unless the viewer owns the record; read_only: visible, never writable. */
export type FieldAccess = 'hidden' | 'masked' | 'read_only';

export type FormPermission = {
  readonly actions: readonly FormAction[];
  readonly rowScope: RowScope;
  readonly fields?: Readonly<Record<string, FieldAccess>>;
  /** Field policy that applies only while the record is in the given flow stage. */
  readonly stages?: Readonly<
    Record<string, { readonly fields: Readonly<Record<string, FieldAccess>> }>
  >;
};

export type RolePermissions = {
  readonly workspace?: readonly WorkspaceAction[];
  /** Keyed by form id; '*' is the default for forms not listed. */
  readonly forms?: Readonly<Record<string, FormPermission>>;
};

const FieldAccessSchema = z.enum(['hidden', 'masked', 'read_only']);
const FieldIdSchema = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a field id');

export const RowScopeSchema = z.union([
  z.enum(['all', 'own', 'team', 'department']),
  z.strictObject({ logic: z.unknown() }),
]);

export const FormPermissionSchema = z.strictObject({
  actions: z.array(z.enum(FORM_ACTIONS)).max(FORM_ACTIONS.length),
  rowScope: RowScopeSchema,
  fields: z.record(FieldIdSchema, FieldAccessSchema).optional(),
  stages: z
    .record(
      z.string().min(1).max(64),
      z.strictObject({ fields: z.record(FieldIdSchema, FieldAccessSchema) }),
    )
    .optional(),
});

export const RolePermissionsSchema = z.strictObject({
  workspace: z.array(z.enum(WORKSPACE_ACTIONS)).optional(),
  forms: z.record(z.union([z.literal('*'), z.uuid()]), FormPermissionSchema).optional(),
});

/** The roles every workspace starts with. */
export const SYSTEM_ROLES: ReadonlyArray<{
  key: string;
  name: { 'zh-CN': string; en: string };
  permissions: RolePermissions;
}> = [
  {
    key: 'owner',
    name: { 'zh-CN': '所有者', en: 'Owner' },
    permissions: {
      workspace: [...WORKSPACE_ACTIONS],
      forms: { '*': { actions: [...FORM_ACTIONS], rowScope: 'all' } },
    },
  },
  {
    key: 'admin',
    name: { 'zh-CN': '管理员', en: 'Admin' },
    permissions: {
      workspace: ['manage_members', 'manage_roles', 'manage_apps'],
      forms: { '*': { actions: [...FORM_ACTIONS], rowScope: 'all' } },
    },
  },
  {
    key: 'manager',
    name: { 'zh-CN': '销售经理', en: 'Sales manager' },
    permissions: {
      forms: {
        '*': {
          actions: ['create', 'read', 'update', 'delete', 'export', 'import'],
          rowScope: 'department',
        },
      },
    },
  },
  {
    key: 'member',
    name: { 'zh-CN': '成员', en: 'Member' },
    permissions: { forms: { '*': { actions: ['create', 'read', 'update'], rowScope: 'own' } } },
  },
  {
    key: 'viewer',
    name: { 'zh-CN': '只读', en: 'Viewer' },
    permissions: { forms: { '*': { actions: ['read'], rowScope: 'all' } } },
  },
];
