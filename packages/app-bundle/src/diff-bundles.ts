// What an upgrade of an installed app to a newer bundle changes, part by part, so the API can
// apply it while keeping the data (form changes field by field through form-engine).
import { diffFormSchemas, type FormSchema, type FormSchemaDiff } from '@trellis/form-engine';
import { asArray, isObject } from './form-index.js';
import type { Bundle } from './types.js';

export type KeyedChanges = { added: string[]; removed: string[]; changed: string[] };

export type BundleDiff = {
  key: { from: string; to: string };
  version: { from: string; to: string };
  forms: {
    added: string[];
    removed: string[];
    /** Forms present in both whose schema differs, with form-engine's field-by-field diff. */
    changed: Array<{ id: string; diff: FormSchemaDiff }>;
  };
  flows: {
    added: string[];
    removed: string[];
    /** By form id; a changed flow needs a new flow version (instances keep the old one or migrate). */
    changed: Array<{
      formId: string;
      fromVersion: unknown;
      toVersion: unknown;
      statesAdded: string[];
      statesRemoved: string[];
    }>;
  };
  rules: KeyedChanges;
  reports: KeyedChanges;
  dashboards: KeyedChanges;
  roles: KeyedChanges;
  teams: KeyedChanges;
  translationsChanged: boolean;
  /** True when stored data needs attention: a removed form, or a form diff flagged breaking. */
  breaking: boolean;
  /** Readable notes for whoever confirms the upgrade. */
  warnings: string[];
};

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function keyed(
  before: unknown,
  after: unknown,
  key: string,
): { changes: KeyedChanges; pairs: Array<[unknown, unknown]> } {
  const index = (list: unknown): Map<string, unknown> => {
    const map = new Map<string, unknown>();
    for (const item of asArray(list)) {
      if (isObject(item) && typeof item[key] === 'string' && !map.has(item[key]))
        map.set(item[key], item);
    }
    return map;
  };
  const a = index(before);
  const b = index(after);
  const changes: KeyedChanges = {
    added: [...b.keys()].filter((k) => !a.has(k)),
    removed: [...a.keys()].filter((k) => !b.has(k)),
    changed: [...b.keys()].filter((k) => a.has(k) && !same(a.get(k), b.get(k))),
  };
  return { changes, pairs: changes.changed.map((k) => [a.get(k), b.get(k)]) };
}

function stateIds(definition: unknown): string[] {
  if (!isObject(definition)) return [];
  return asArray(definition['states'])
    .filter(isObject)
    .map((s) => s['id'])
    .filter((id): id is string => typeof id === 'string');
}

/**
 * Differences between the installed bundle and the next one (both valid, current schema version):
 * added / removed / changed forms (with the field diff), flows, rules, reports, dashboards,
 * roles and teams, and whether the upgrade can lose data.
 */
export function diffBundles(installed: Bundle, next: Bundle): BundleDiff {
  const warnings: string[] = [];
  const forms = keyed(installed.forms, next.forms, 'id');
  const formChanges = forms.pairs.map(([a, b]) => {
    const diff = diffFormSchemas(a as FormSchema, b as FormSchema);
    return { id: (b as FormSchema).id, diff };
  });
  for (const id of forms.changes.removed)
    warnings.push(`form "${id}" is removed: its records would be lost`);
  for (const { id, diff } of formChanges) {
    for (const f of diff.removed)
      warnings.push(`field "${id}.${f.id}" is removed: its values would be lost`);
    for (const f of diff.retyped) {
      if (!f.lossless)
        warnings.push(
          `field "${id}.${f.id}" changes from ${f.fromType} to ${f.toType}: some values may not convert`,
        );
    }
    for (const o of diff.options) {
      if (o.removed.length > 0)
        warnings.push(`field "${id}.${o.id}" loses options ${o.removed.join(', ')}`);
    }
  }
  const flows = keyed(installed.flows, next.flows, 'formId');
  const flowChanges = flows.pairs.map(([a, b]) => {
    const before = isObject(a) ? a['definition'] : undefined;
    const after = isObject(b) ? b['definition'] : undefined;
    const sa = stateIds(before);
    const sb = stateIds(after);
    const removed = sa.filter((s) => !sb.includes(s));
    const formId = (b as { formId: string }).formId;
    if (removed.length > 0)
      warnings.push(
        `flow of "${formId}" drops states ${removed.join(', ')}: records there need a state mapping`,
      );
    return {
      formId,
      fromVersion: isObject(before) ? before['version'] : undefined,
      toVersion: isObject(after) ? after['version'] : undefined,
      statesAdded: sb.filter((s) => !sa.includes(s)),
      statesRemoved: removed,
    };
  });
  return {
    key: { from: installed.key, to: next.key },
    version: { from: installed.version, to: next.version },
    forms: { added: forms.changes.added, removed: forms.changes.removed, changed: formChanges },
    flows: { added: flows.changes.added, removed: flows.changes.removed, changed: flowChanges },
    rules: keyed(installed.rules, next.rules, 'id').changes,
    reports: keyed(installed.reports, next.reports, 'id').changes,
    dashboards: keyed(installed.dashboards, next.dashboards, 'id').changes,
    roles: keyed(installed.roles, next.roles, 'key').changes,
    teams: keyed(installed.teams ?? [], next.teams ?? [], 'key').changes,
    translationsChanged: !same(installed.translations ?? {}, next.translations ?? {}),
    breaking:
      forms.changes.removed.length > 0 ||
      formChanges.some((c) => c.diff.breaking) ||
      flowChanges.some((f) => f.statesRemoved.length > 0),
    warnings,
  };
}
