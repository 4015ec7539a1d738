// Structure: the bundle against its JSON Schema (ajv, every error), turned into located issues.
import Ajv2020 from 'ajv/dist/2020.js';
import type { Issue } from '@trellis/rule-engine';
import { bundleJsonSchema } from './bundle-json-schema.js';

type AjvError = {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
};
type Validate = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

let compiled: Validate | undefined;

/** Compiled once, on first use: the schema is ours, never user text. */
function validator(): Validate {
  if (compiled === undefined) {
    const ajv = new Ajv2020.default({
      allErrors: true,
      strict: true,
      strictRequired: false,
      allowUnionTypes: true,
    });
    compiled = ajv.compile(bundleJsonSchema) as unknown as Validate;
  }
  return compiled;
}

function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

const at = (path: string, key: unknown): string =>
  path === '' ? String(key) : `${path}.${String(key)}`;

/** One issue for a failed anyOf/oneOf, named after where it sits in the schema. */
const ALTERNATIVES: ReadonlyArray<{ suffix: string; code: string; message: string }> = [
  {
    suffix: '/localizedText/anyOf',
    code: 'invalid_text',
    message: 'a text is a non-empty string or { "zh-CN": "…", "en": "…" }',
  },
  {
    suffix: '/dashboardItem/oneOf',
    code: 'invalid_item',
    message: 'a dashboard item shows either a report (reportId) or a KPI (kpi), not both',
  },
  {
    suffix: '/rowScope/anyOf',
    code: 'invalid_row_scope',
    message: 'rowScope is all, own, team, department or { "logic": JsonLogic }',
  },
];

function list(values: unknown): string {
  const all = Array.isArray(values) ? values.map((v) => JSON.stringify(v)) : [];
  return all.length > 12 ? `${all.slice(0, 12).join(', ')}, …` : all.join(', ');
}

function convert(e: AjvError): Issue {
  const path = pointerToPath(e.instancePath);
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return {
        path: at(path, p['missingProperty']),
        code: 'required',
        message: `${String(p['missingProperty'])} is required`,
      };
    case 'additionalProperties':
      return {
        path: at(path, p['additionalProperty']),
        code: 'unknown_property',
        message: `unknown property "${String(p['additionalProperty'])}"`,
      };
    case 'propertyNames':
      return {
        path: at(path, p['propertyName']),
        code: 'invalid_key',
        message: `"${String(p['propertyName'])}" is not a valid key here`,
      };
    case 'enum':
      return { path, code: 'invalid_value', message: `must be one of ${list(p['allowedValues'])}` };
    case 'const':
      return {
        path,
        code: 'invalid_value',
        message: `must be ${JSON.stringify(p['allowedValue'])}`,
      };
    case 'type':
      return { path, code: 'invalid_type', message: `must be of type ${String(p['type'])}` };
    case 'pattern':
      return { path, code: 'invalid_format', message: `must match ${String(p['pattern'])}` };
    case 'minLength':
      return { path, code: 'required', message: 'must not be empty' };
    case 'maxLength':
      return { path, code: 'too_long', message: `at most ${String(p['limit'])} characters` };
    case 'minItems':
      return { path, code: 'too_few_items', message: `needs at least ${String(p['limit'])}` };
    case 'maxItems':
      return { path, code: 'too_many_items', message: `at most ${String(p['limit'])} items` };
    case 'minimum':
    case 'maximum':
      return {
        path,
        code: 'out_of_range',
        message: `must be ${String(p['comparison'])} ${String(p['limit'])}`,
      };
    case 'uniqueItems':
      return {
        path: at(path, p['j']),
        code: 'duplicate_item',
        message: `repeats item ${String(p['i'])}`,
      };
    default:
      return { path, code: 'invalid_value', message: e.message ?? e.keyword };
  }
}

/** Every structural issue of a bundle, each at its dotted path. */
export function structureIssues(raw: unknown): Issue[] {
  const validate = validator();
  if (validate(raw)) return [];
  const errors = validate.errors ?? [];
  const groups = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const inGroup = (e: AjvError): boolean =>
    groups.some(
      (g) =>
        g !== e &&
        e.schemaPath.startsWith(`${g.schemaPath}/`) &&
        (e.instancePath === g.instancePath || e.instancePath.startsWith(`${g.instancePath}/`)),
    );
  const issues: Issue[] = [];
  for (const e of errors) {
    if (inGroup(e) || e.schemaPath.includes('/propertyNames/')) continue;
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') {
      const known = ALTERNATIVES.find((a) => e.schemaPath.endsWith(a.suffix));
      issues.push({
        path: pointerToPath(e.instancePath),
        code: known?.code ?? 'invalid_value',
        message: known?.message ?? 'matches none of the allowed shapes',
      });
      continue;
    }
    issues.push(convert(e));
  }
  return issues;
}
