// validateBundle: structure (JSON Schema, ajv) and semantics (the engines, and references between
// the parts), every issue at once with its full dotted path.
import type { Issue } from '@trellis/rule-engine';
import { BUNDLE_SCHEMA_VERSION } from './bundle-json-schema.js';
import { checkRoles, checkTeams } from './check-access.js';
import { checkFlows, checkForms, type Report } from './check-forms.js';
import { checkDashboards, checkReports } from './check-reports.js';
import { checkRules } from './check-rules.js';
import { indexBundle, isObject } from './form-index.js';
import { checkSampleData } from './sample/check-sample-data.js';
import { structureIssues } from './structure-issues.js';

const SECTION_ORDER = [
  '$schema',
  'schemaVersion',
  'key',
  'version',
  'name',
  'description',
  'icon',
  'forms',
  'flows',
  'rules',
  'reports',
  'dashboards',
  'roles',
  'teams',
  'translations',
  'sampleData',
];

function comparePaths(a: string, b: string): number {
  const sa = a.split('.');
  const sb = b.split('.');
  const rank = (s: string): number => {
    const i = SECTION_ORDER.indexOf(s);
    return i < 0 ? SECTION_ORDER.length : i;
  };
  const first = rank(sa[0] as string) - rank(sb[0] as string);
  if (first !== 0) return first;
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const x = sa[i] as string;
    const y = sb[i] as string;
    if (x === y) continue;
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) return nx - ny;
    return x < y ? -1 : 1;
  }
  return sa.length - sb.length;
}

const within = (path: string, ancestor: string): boolean =>
  ancestor !== '' && (path === ancestor || path.startsWith(`${ancestor}.`));

/**
 * Every problem of a bundle of the current schema version, each with its full path
 * (`forms.2.fields.5.options`): its structure against `bundleJsonSchema`, then every form through
 * form-engine, flow through flow-engine, rule through rule-engine, and the references between
 * parts (reports, dashboards, roles, teams, translations, sample data). Where the structure is
 * already wrong at a path, deeper reports about that path are left out. An older bundle yields one
 * `outdated_schema_version` issue: migrate it first (`migrateBundle`).
 */
export function validateBundle(raw: unknown): Issue[] {
  if (!isObject(raw))
    return [{ path: '', code: 'invalid_type', message: 'a bundle is a JSON object' }];
  const versionKey = 'schemaVersion' in raw ? 'schemaVersion' : 'schema_version';
  const version = raw[versionKey];
  if (
    typeof version === 'number' &&
    Number.isInteger(version) &&
    version !== BUNDLE_SCHEMA_VERSION
  ) {
    return version < BUNDLE_SCHEMA_VERSION
      ? [
          {
            path: versionKey,
            code: 'outdated_schema_version',
            message: `schema version ${version} is older than ${BUNDLE_SCHEMA_VERSION}: migrate it with migrateBundle first`,
          },
        ]
      : [
          {
            path: versionKey,
            code: 'unsupported_schema_version',
            message: `schema version ${version} is newer than this Trellis understands (${BUNDLE_SCHEMA_VERSION})`,
          },
        ];
  }
  const structural = structureIssues(raw);
  const semantic: Issue[] = [];
  const report: Report = (path, code, message) => semantic.push({ path, code, message });
  const index = indexBundle(raw);
  checkForms(report, raw);
  checkFlows(report, raw, index);
  checkRules(report, raw, index);
  const reports = checkReports(report, raw, index);
  checkDashboards(report, raw, index, reports);
  checkRoles(report, raw, index);
  checkTeams(report, raw);
  checkSampleData(report, raw, index);

  const seen = new Set<string>();
  const out: Issue[] = [];
  for (const issue of structural) {
    const key = `${issue.path}\u0000${issue.code}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(issue);
  }
  for (const issue of semantic) {
    if (structural.some((s) => within(issue.path, s.path))) continue;
    const key = `${issue.path}\u0000${issue.code}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(issue);
  }
  return out.sort((a, b) => comparePaths(a.path, b.path));
}
