// Roles are workspace-wide and keyed by form id; a bundle's roles are keyed by form key, with `*`
// for the bundle's forms not listed. These two translate between them for one app's forms.
import type { BundleRole, FormPermission } from '@trellis/app-bundle';
import type { RolePermissions } from '../policy/permissions.js';

type StoredPermission = NonNullable<RolePermissions['forms']>[string];

/** The bundle role's permission for every form of the app, keyed by the form's id. */
export function formPermissionsOf(
  role: BundleRole,
  formIds: ReadonlyMap<string, string>,
): Record<string, StoredPermission> {
  const fallback = role.permissions.forms['*'];
  const out: Record<string, StoredPermission> = {};
  for (const [key, id] of formIds) {
    const permission = role.permissions.forms[key] ?? fallback;
    if (permission !== undefined) out[id] = permission as StoredPermission;
  }
  return out;
}

/**
 * A stored role's permissions on the app's forms, keyed by form key: the most common permission
 * becomes `*` and only the forms that differ are listed (how a template writes them).
 */
export function bundlePermissionsOf(
  stored: RolePermissions,
  formKeys: ReadonlyMap<string, string>,
): Record<string, FormPermission> | undefined {
  const byKey = new Map<string, FormPermission>();
  for (const [id, key] of formKeys) {
    const permission = stored.forms?.[id];
    if (permission !== undefined) byKey.set(key, permission as FormPermission);
  }
  if (byKey.size === 0) return undefined;
  const tally = new Map<string, number>();
  for (const p of byKey.values()) {
    const text = JSON.stringify(p);
    tally.set(text, (tally.get(text) ?? 0) + 1);
  }
  const common = [...tally.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
  const out: Record<string, FormPermission> = {};
  const everyForm = byKey.size === formKeys.size;
  if (everyForm && common !== undefined) out['*'] = JSON.parse(common[0]) as FormPermission;
  for (const [key, p] of byKey) if (!everyForm || JSON.stringify(p) !== common?.[0]) out[key] = p;
  return out;
}
