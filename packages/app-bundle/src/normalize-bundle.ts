import type { Issue } from '@trellis/rule-engine';
import { migrateBundle } from './migrate-bundle.js';
import type { Bundle } from './types.js';
import { validateBundle } from './validate-bundle.js';

/**
 * Parse, don't validate: migrates a bundle of any known schema version to the current one and
 * validates it. Returns the bundle (safe to import) with the migrations applied, or every issue
 * (paths refer to the migrated bundle).
 */
export function normalizeBundle(raw: unknown): { bundle: Bundle; applied: string[] } | Issue[] {
  const migrated = migrateBundle(raw);
  if (Array.isArray(migrated)) return migrated;
  const issues = validateBundle(migrated.bundle);
  return issues.length > 0 ? issues : migrated;
}
