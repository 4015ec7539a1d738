// compileForm: a form schema becomes a validator, live field states and formulas.
//
// validate has two paths (README rule 4):
// - fast: ajv runs the form's strict JSON Schema (canonical values, unconditionally required fields
//   filled); when it passes and the few checks JSON Schema cannot express pass too, the values are
//   kept as they are and only the record-level work remains (defaults, rules, formulas, checks).
// - slow: anything else. Each value is checked against its field's lenient schema and turned into
//   its canonical form by the field's closure, with a located error for what cannot be.
// Nothing here generates code: ajv does, in-process on the server, or ahead of time as a standalone
// module for browsers (README rule 8).
import { referencedVars } from '@trellis/rule-engine';
import { ajvValidator, fingerprintOf, standaloneModule } from './ajv-compiler.js';
import { topologicalOrder } from './dependency-graph.js';
import { COMPUTED_TYPES, LIMITS, SYSTEM_FIELD_ID_SET } from './field-types.js';
import {
  describeSchemaError,
  isEmptyAddress,
  isEmptyValue,
  parseFieldValue,
  pointerSegments,
  valueAt,
  valueSpec,
  type ValueSpec,
} from './field-values.js';
import { FormEngineError } from './form-engine-error.js';
import { buildFormJsonSchema, isAlwaysRequired, type JsonSchema } from './json-schema.js';
import { messageLocale, textFor } from './localized-text.js';
import { makeError, type Labels, type MessageParams, type ValueErrorCode } from './messages.js';
import { compileRule, isLiteralRule, truthy, type Rule, type RuleTime } from './rules.js';
import type {
  CompiledForm,
  CompileOptions,
  FieldSchema,
  FieldState,
  FormError,
  FormRuntimeContext,
  FormSchema,
  JsonSchemaError,
  JsonSchemaValidateFunction,
  Locale,
  ValidationResult,
} from './types.js';
import { canonicalDatetime, dateInZone, isUuid, isValidDate } from './value-formats.js';
import { validateFormSchema } from './validate-form-schema.js';

type Plan = {
  readonly id: string;
  readonly index: number;
  readonly field: FieldSchema;
  readonly spec: ValueSpec;
  readonly labels: Labels;
  readonly computed: boolean;
  readonly formula: Rule | undefined;
  readonly requiredStatic: boolean;
  /** In the strict JSON Schema's `required` (no visible or read-only condition). */
  readonly alwaysRequired: boolean;
  readonly requiredRule: Rule | undefined;
  readonly visibleRule: Rule | undefined;
  readonly readOnlyRule: Rule | undefined;
  readonly hasDefault: boolean;
  readonly defaultLiteral: unknown;
  readonly defaultRule: Rule | undefined;
  readonly sub: Scope | undefined;
  readonly parent: Plan | undefined;
  /** Permission key: the id, or `<sub_table>.<column>`. */
  readonly key: string;
  /** What `required` rejects. */
  readonly isEmpty: (value: unknown) => boolean;
};

type Scope = {
  readonly plans: readonly Plan[];
  readonly byId: ReadonlyMap<string, Plan>;
  readonly subTables: readonly Plan[];
  /** Plans with a visibility rule or a formula, in dependency order. */
  readonly order: readonly Plan[];
  /** Every plan with a required flag or rule (the slow path checks them all). */
  readonly required: readonly Plan[];
  /** The required plans the strict JSON Schema does not check (the fast path checks these). */
  readonly finishRequired: readonly Plan[];
  readonly readOnlyRules: readonly Plan[];
  readonly hostComputed: readonly Plan[];
  readonly defaults: readonly Plan[];
  readonly relations: readonly Plan[];
  /** Plans whose canonical values still need a check the strict schema cannot express. */
  readonly extras: readonly Plan[];
  /** Any rule at all: rules need the data object. */
  readonly needsData: boolean;
  /** Anything to do once the values are canonical. */
  readonly needsFinish: boolean;
  readonly parent: Plan | undefined;
};

type Check = { id: string; rule: Rule; labels: Labels };

/** Per-call state. */
type Run = {
  locale: Locale;
  draft: boolean;
  time: RuleTime;
  ctx: FormRuntimeContext;
  hidden: ReadonlySet<string> | undefined;
  readOnly: ReadonlySet<string> | undefined;
  errors: FormError[];
  /** Paths whose values failed (their required check and rules are skipped). */
  bad: Set<string>;
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const NO_LABEL: Labels = { 'zh-CN': '', en: '' };

function labelsOf(field: FieldSchema): Labels {
  return { 'zh-CN': textFor(field.label, 'zh-CN'), en: textFor(field.label, 'en') };
}

function cellLabels(plan: Plan, row: number): Labels {
  const parent = plan.parent;
  if (parent === undefined) return plan.labels;
  return {
    'zh-CN': `${parent.labels['zh-CN']} › 第 ${row + 1} 行 › ${plan.labels['zh-CN']}`,
    en: `${parent.labels.en} › row ${row + 1} › ${plan.labels.en}`,
  };
}

function requiredOf(field: FieldSchema): { fixed: boolean; rule: Rule | undefined } {
  const r = field.required;
  if (r === undefined || r === false || r === null) return { fixed: false, rule: undefined };
  if (r === true) return { fixed: true, rule: undefined };
  if (isLiteralRule(r)) return { fixed: truthy(r), rule: undefined };
  return { fixed: false, rule: compileRule(r) };
}

function isLogicDefault(value: unknown): value is { $logic: unknown } {
  return isRecord(value) && Object.keys(value).length === 1 && '$logic' in value;
}

function buildScope(
  fields: readonly FieldSchema[],
  parent: Plan | undefined,
  topLevelChecks: number,
): Scope {
  const plans: Plan[] = fields.map((field, index) => {
    const computed = COMPUTED_TYPES.has(field.type);
    const required = computed ? { fixed: false, rule: undefined } : requiredOf(field);
    const visibleRule =
      field.visible === undefined || (isLiteralRule(field.visible) && truthy(field.visible))
        ? undefined
        : compileRule(field.visible);
    const hasDefault = field.default !== undefined && !computed;
    const plan: Plan = {
      id: field.id,
      index,
      field,
      spec: valueSpec(field),
      labels: labelsOf(field),
      computed,
      formula:
        field.type === 'formula' && field.formula !== undefined
          ? compileRule(field.formula)
          : undefined,
      requiredStatic: required.fixed,
      alwaysRequired: isAlwaysRequired(field),
      requiredRule: required.rule,
      visibleRule,
      readOnlyRule: field.readOnly === undefined ? undefined : compileRule(field.readOnly),
      hasDefault,
      defaultLiteral: hasDefault && !isLogicDefault(field.default) ? field.default : undefined,
      defaultRule:
        hasDefault && isLogicDefault(field.default) ? compileRule(field.default.$logic) : undefined,
      sub: undefined,
      parent,
      key: parent === undefined ? field.id : `${parent.id}.${field.id}`,
      isEmpty: field.type === 'address' ? isEmptyAddress : isEmptyValue,
    };
    if (field.type === 'sub_table')
      (plan as { sub: Scope | undefined }).sub = buildScope(field.fields ?? [], plan, 0);
    return plan;
  });
  const byId = new Map(plans.map((p) => [p.id, p]));
  const reads = (logic: unknown): string[] =>
    referencedVars(logic)
      .map((r) => r.split('.')[0] as string)
      .filter((id) => byId.has(id));
  const deps = new Map<string, string[]>();
  for (const p of plans) {
    const d: string[] = [];
    if (p.field.visible !== undefined) d.push(...reads(p.field.visible));
    if (p.formula !== undefined) d.push(...reads(p.field.formula));
    deps.set(p.id, d);
  }
  const dynamic = plans
    .filter((p) => p.visibleRule !== undefined || p.formula !== undefined)
    .map((p) => p.id);
  const order = topologicalOrder(dynamic, deps).order.map((id) => byId.get(id) as Plan);
  const defaultDeps = new Map<string, string[]>();
  for (const p of plans)
    if (isLogicDefault(p.field.default)) defaultDeps.set(p.id, reads(p.field.default.$logic));
  const defaults = topologicalOrder(
    plans.filter((p) => p.hasDefault).map((p) => p.id),
    defaultDeps,
  ).order.map((id) => byId.get(id) as Plan);
  const subTables = plans.filter((p) => p.sub !== undefined);
  const hostComputed = plans.filter((p) => p.computed && p.field.type !== 'formula');
  const finishRequired = plans.filter(
    (p) => p.requiredRule !== undefined || (p.requiredStatic && !p.alwaysRequired),
  );
  const needsData = plans.some(
    (p) =>
      p.visibleRule !== undefined ||
      p.formula !== undefined ||
      p.requiredRule !== undefined ||
      p.readOnlyRule !== undefined,
  );
  return {
    plans,
    byId,
    subTables,
    order,
    required: plans.filter((p) => p.requiredStatic || p.requiredRule !== undefined),
    finishRequired,
    readOnlyRules: plans.filter((p) => p.readOnlyRule !== undefined && !p.computed),
    hostComputed,
    defaults,
    relations: plans.filter((p) => p.field.type === 'relation'),
    extras: plans.filter((p) => p.spec.extra !== undefined),
    needsData,
    needsFinish:
      needsData ||
      hostComputed.length > 0 ||
      defaults.length > 0 ||
      finishRequired.length > 0 ||
      topLevelChecks > 0 ||
      subTables.some((p) => p.sub?.needsFinish === true),
    parent,
  };
}

/** Deep equality of JSON values (absent and null are the same). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => sameJson(v, bb[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined && ra[k] !== null);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined && rb[k] !== null);
  return ka.length === kb.length && ka.every((k) => sameJson(ra[k], rb[k]));
}

/** A stored value in canonical form (as validate would produce it), or as is when it does not parse. */
function canonicalStored(plan: Plan, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  const parsed = parseFieldValue(plan.spec, value);
  return parsed.ok ? parsed.value : value;
}

function formulaValue(plan: Plan, value: unknown, time: RuleTime): unknown {
  switch (plan.field.resultType ?? 'number') {
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isFinite(n) ? n : null;
    }
    case 'boolean':
      return truthy(value);
    case 'text':
      if (value === null || value === undefined) return null;
      if (typeof value === 'string') return value.trim() === '' ? null : value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return null;
    case 'date': {
      if (typeof value !== 'string') return null;
      if (isValidDate(value)) return value;
      const instant = canonicalDatetime(value);
      return instant === undefined ? null : dateInZone(instant, time.timeZone);
    }
  }
}

/** Sorts errors by where their field sits in the form (unknown keys first), keeping ties stable. */
function sortErrors(errors: FormError[], top: Scope): FormError[] {
  const key = (path: string): number[] => {
    const out: number[] = [];
    let scope: Scope | undefined = top;
    for (const s of path.split('.')) {
      const plan: Plan | undefined = scope?.byId.get(s);
      if (plan !== undefined) {
        out.push(plan.index);
        scope = plan.sub;
      } else if (/^\d+$/.test(s)) out.push(Number(s));
      else {
        out.push(-1);
        break;
      }
    }
    return out;
  };
  const keyed = errors.map((e, i) => ({ e, k: key(e.path), i }));
  keyed.sort((a, b) => {
    for (let j = 0; j < Math.min(a.k.length, b.k.length); j++) {
      const d = (a.k[j] as number) - (b.k[j] as number);
      if (d !== 0) return d;
    }
    return a.k.length - b.k.length || a.i - b.i;
  });
  return keyed.map((x) => x.e);
}

const formCache = new Map<string, CompiledForm>();
const identityCache = new WeakMap<object, Map<string, CompiledForm>>();
const FORM_CACHE_SIZE = 128;

/** The JSON Schema and its fingerprint, for a schema already known to be valid. */
function jsonSchemaOf(schema: FormSchema): {
  jsonSchema: JsonSchema;
  text: string;
  fingerprint: string;
} {
  const jsonSchema = buildFormJsonSchema(schema);
  const text = JSON.stringify(jsonSchema);
  return { jsonSchema, text, fingerprint: fingerprintOf(text) };
}

function assertValid(schema: FormSchema): void {
  const issues = validateFormSchema(schema);
  if (issues.length > 0) {
    const first = issues[0];
    throw new FormEngineError(
      'INVALID_FORM_SCHEMA',
      `the form schema has ${issues.length} issue(s), first: ${first?.path} ${first?.code} ${first?.message}`,
      issues,
    );
  }
}

/**
 * The JSON Schema (2020-12) of a form's records in canonical form (README rule 4): what the API
 * stores and returns. compileForm validates with it.
 */
export function formJsonSchema(schema: FormSchema): JsonSchema {
  assertValid(schema);
  return buildFormJsonSchema(schema);
}

/**
 * ESM source text of the form's validator, generated by ajv's standalone code (no imports, no
 * eval): serve it from the API's origin; the browser `import()`s it and passes the module to
 * `compileForm(schema, { jsonSchemaValidator })`.
 */
export function standaloneValidatorModule(schema: FormSchema): string {
  assertValid(schema);
  const { jsonSchema, text, fingerprint } = jsonSchemaOf(schema);
  return standaloneModule(text, jsonSchema, fingerprint);
}

/**
 * Compiles a form. Cached: the same schema (by content) and options give the same compiled form;
 * ajv compiles each distinct JSON Schema once (`cache: false` compiles afresh). Throws
 * `FormEngineError`: `INVALID_FORM_SCHEMA` for a schema with issues, `VALIDATOR_MISMATCH` for a
 * precompiled validator generated from another schema.
 */
export function compileForm(schema: FormSchema, options: CompileOptions = {}): CompiledForm {
  const useCache = options.cache !== false && options.jsonSchemaValidator === undefined;
  const optionKey = `${options.locale ?? ''}\u0000${options.timeZone ?? ''}`;
  if (useCache && typeof schema === 'object' && schema !== null) {
    const byIdentity = identityCache.get(schema)?.get(optionKey);
    if (byIdentity !== undefined) return byIdentity;
  }
  const textKey = useCache ? `${optionKey}\u0000${JSON.stringify(schema)}` : '';
  if (useCache) {
    const hit = formCache.get(textKey);
    if (hit !== undefined) {
      formCache.delete(textKey);
      formCache.set(textKey, hit);
      remember(schema, optionKey, hit);
      return hit;
    }
  }
  const compiled = compileUncached(schema, options, options.cache !== false);
  if (useCache) {
    formCache.set(textKey, compiled);
    if (formCache.size > FORM_CACHE_SIZE) formCache.delete(formCache.keys().next().value as string);
    remember(schema, optionKey, compiled);
  }
  return compiled;
}

function remember(schema: FormSchema, optionKey: string, compiled: CompiledForm): void {
  let byOptions = identityCache.get(schema);
  if (byOptions === undefined) {
    byOptions = new Map();
    identityCache.set(schema, byOptions);
  }
  byOptions.set(optionKey, compiled);
}

function resolveValidator(
  option: CompileOptions['jsonSchemaValidator'],
  fingerprint: string,
): JsonSchemaValidateFunction | undefined {
  if (option === undefined) return undefined;
  if (typeof option === 'function') return option;
  if (option.fingerprint !== undefined && option.fingerprint !== fingerprint) {
    throw new FormEngineError(
      'VALIDATOR_MISMATCH',
      `the precompiled validator was generated for another schema (fingerprint ${option.fingerprint}, expected ${fingerprint})`,
    );
  }
  if (typeof option.default !== 'function') {
    throw new FormEngineError(
      'VALIDATOR_MISMATCH',
      'the precompiled validator module has no default export',
    );
  }
  return option.default;
}

function compileUncached(
  schema: FormSchema,
  options: CompileOptions,
  ajvCache: boolean,
): CompiledForm {
  assertValid(schema);
  const { jsonSchema, text, fingerprint } = jsonSchemaOf(schema);
  const jsv =
    resolveValidator(options.jsonSchemaValidator, fingerprint) ??
    ajvValidator(text, jsonSchema, ajvCache);
  const checks: Check[] = (schema.checks ?? []).map((c) => ({
    id: c.id,
    rule: compileRule(c.rule),
    labels: { 'zh-CN': textFor(c.message, 'zh-CN'), en: textFor(c.message, 'en') },
  }));
  const top = buildScope(schema.fields, undefined, checks.length);
  const defaultLocale = messageLocale(options.locale);
  const defaultZone = options.timeZone ?? 'UTC';

  let checkedNow: string | undefined;
  /** Resets `run` for a call with `ctx` (validate reuses one Run: calls never nest). */
  const resetRun = (run: Run, ctx: FormRuntimeContext): Run => {
    if (ctx.now !== undefined && ctx.now !== checkedNow) {
      if (canonicalDatetime(ctx.now) === undefined) {
        throw new FormEngineError(
          'INVALID_CONTEXT',
          `ctx.now must be an ISO instant with a time zone, got ${JSON.stringify(ctx.now)}`,
        );
      }
      checkedNow = ctx.now;
    }
    run.locale =
      ctx.locale === undefined ? defaultLocale : messageLocale(ctx.locale, defaultLocale);
    run.draft = ctx.mode === 'draft';
    const zone = ctx.timeZone ?? defaultZone;
    if (run.time.now !== ctx.now || run.time.timeZone !== zone)
      run.time = { now: ctx.now, timeZone: zone };
    run.ctx = ctx;
    const permissions = ctx.permissions;
    run.hidden =
      permissions !== undefined && permissions.hidden.length > 0
        ? new Set(permissions.hidden)
        : undefined;
    run.readOnly =
      permissions !== undefined && permissions.readOnly.length > 0
        ? new Set(permissions.readOnly)
        : undefined;
    run.errors = [];
    if (run.bad.size > 0) run.bad = new Set();
    return run;
  };
  const newRun = (ctx: FormRuntimeContext): Run =>
    resetRun(
      {
        locale: defaultLocale,
        draft: false,
        time: { now: undefined, timeZone: defaultZone },
        ctx,
        hidden: undefined,
        readOnly: undefined,
        errors: [],
        bad: new Set(),
      },
      ctx,
    );
  const shared = newRun({});
  const EMPTY_CTX: FormRuntimeContext = {};

  const fieldError = (
    run: Run,
    plan: Plan,
    path: string,
    row: number,
    code: ValueErrorCode,
    params?: MessageParams,
  ): void => {
    run.errors.push(makeError(path, code, cellLabels(plan, row), run.locale, params));
  };

  /** Maps strict JSON-Schema errors to value errors (a safety net: the slow path should never leave any). */
  const mapSchemaErrors = (
    run: Run,
    errors: readonly JsonSchemaError[],
    values: Record<string, unknown>,
  ): void => {
    const seen = new Set<string>();
    for (const error of errors) {
      const segments = pointerSegments(error.instancePath);
      let plan =
        segments.length === 0 && error.keyword === 'required'
          ? top.byId.get(String(error.params['missingProperty']))
          : top.byId.get(segments[0] ?? '');
      if (plan === undefined) continue;
      let rel = segments.slice(1);
      let path = plan.id;
      let row = -1;
      const column =
        plan.sub !== undefined && rel.length >= 2 ? plan.sub.byId.get(rel[1] as string) : undefined;
      if (column !== undefined) {
        row = Number(rel[0]);
        path = `${plan.id}.${rel[0]}.${column.id}`;
        plan = column;
        rel = rel.slice(2);
      }
      const problem =
        segments.length === 0
          ? { code: 'REQUIRED' as const, subPath: '' }
          : describeSchemaError(plan.field, error, rel, valueAt(values, segments));
      const errorPath = problem.subPath === '' ? path : `${path}.${problem.subPath}`;
      if (seen.has(errorPath)) continue;
      seen.add(errorPath);
      fieldError(
        run,
        plan,
        errorPath,
        row,
        problem.code,
        'params' in problem ? problem.params : undefined,
      );
    }
  };

  /** The data rules read: the values, system fields, `$now`, `$user`, related records. */
  const buildData = (
    scope: Scope,
    values: Record<string, unknown>,
    run: Run,
  ): Record<string, unknown> => {
    const data: Record<string, unknown> = { ...values };
    const ctx = run.ctx;
    if (scope.parent === undefined) {
      if (ctx.system !== undefined)
        for (const [k, v] of Object.entries(ctx.system)) if (!(k in data)) data[k] = v;
      if (ctx.stage !== undefined) data['stage'] = ctx.stage;
      if (ctx.related !== undefined) {
        for (const p of scope.relations) {
          const related = ctx.related[p.id];
          if (related !== undefined)
            data[p.id] = { ...related, id: values[p.id] ?? related['id'] ?? null };
        }
      }
    }
    data['$now'] = run.time.now ?? null;
    data['$user'] = ctx.user ?? null;
    return data;
  };

  const evalBool = (rule: Rule, data: unknown, run: Run, onError: boolean): boolean => {
    try {
      return truthy(rule(data, run.time));
    } catch {
      return onError;
    }
  };

  /** Visibility and formulas in dependency order; returns the fields hidden by their condition. */
  const evaluateDynamic = (
    scope: Scope,
    data: Record<string, unknown>,
    run: Run,
    out: Record<string, unknown> | undefined,
  ): Set<string> | undefined => {
    let hidden: Set<string> | undefined;
    for (const plan of scope.order) {
      if (plan.visibleRule !== undefined && !evalBool(plan.visibleRule, data, run, true)) {
        (hidden ??= new Set()).add(plan.id);
        data[plan.id] = null;
        if (plan.formula !== undefined && out !== undefined) out[plan.id] = null;
        continue;
      }
      if (plan.formula !== undefined) {
        let value: unknown;
        try {
          value = formulaValue(plan, plan.formula(data, run.time), run.time);
        } catch {
          value = null;
        }
        data[plan.id] = value;
        if (out !== undefined) out[plan.id] = value;
      }
    }
    return hidden;
  };

  const defaultValue = (plan: Plan, data: Record<string, unknown>, run: Run): unknown => {
    let raw: unknown;
    if (plan.defaultRule !== undefined) {
      try {
        raw = plan.defaultRule(data, run.time);
      } catch {
        return undefined;
      }
    } else
      raw =
        plan.defaultLiteral === undefined
          ? undefined
          : JSON.parse(JSON.stringify(plan.defaultLiteral));
    if (raw === undefined || raw === null) return undefined;
    const parsed = parseFieldValue(plan.spec, raw);
    return parsed.ok && parsed.value !== null ? parsed.value : undefined;
  };

  const applyDefaults = (scope: Scope, out: Record<string, unknown>, run: Run): void => {
    let data: Record<string, unknown> | undefined;
    for (const plan of scope.defaults) {
      if (out[plan.id] !== undefined) continue;
      if (plan.defaultRule !== undefined) data ??= buildData(scope, out, run);
      const value = defaultValue(plan, data ?? out, run);
      if (value !== undefined) {
        out[plan.id] = value;
        if (data !== undefined) data[plan.id] = value;
      }
    }
  };

  /**
   * Record-level work on canonical values: host-computed fields, defaults, visibility, formulas,
   * read-only writes, required fields and checks. `fast`: the strict schema passed (so the
   * unconditionally required fields are filled). `firstError`: where this scope's errors start.
   */
  const finishScope = (
    scope: Scope,
    out: Record<string, unknown>,
    input: Record<string, unknown>,
    prefix: string,
    row: number,
    run: Run,
    previous: Readonly<Record<string, unknown>> | undefined,
    create: boolean,
    fast: boolean,
    firstError: number,
  ): Record<string, unknown> => {
    if (fast) {
      for (const plan of scope.subTables) {
        const rows = out[plan.id];
        if (plan.sub?.needsFinish !== true || !Array.isArray(rows)) continue;
        const before = previousRows(plan, previous);
        out[plan.id] = rows.map((r: Record<string, unknown>, i) => {
          const prior = typeof r['id'] === 'string' ? before.get(r['id']) : undefined;
          return finishScope(
            plan.sub as Scope,
            { ...r },
            r,
            `${prefix}${plan.id}.${i}.`,
            i,
            run,
            prior,
            prior === undefined,
            true,
            run.errors.length,
          );
        });
      }
    }
    // Host-computed fields (serial, lookup, rollup) keep their stored value; input is ignored.
    for (const plan of scope.hostComputed) {
      if (previous !== undefined && previous[plan.id] !== undefined)
        out[plan.id] = previous[plan.id];
      else if (out[plan.id] !== undefined) delete out[plan.id];
    }
    if (create && scope.defaults.length > 0) applyDefaults(scope, out, run);

    let data: Record<string, unknown> | undefined;
    let hidden: Set<string> | undefined;
    if (scope.needsData) {
      data = buildData(scope, out, run);
      hidden = evaluateDynamic(scope, data, run, out);
      if (hidden !== undefined) {
        for (const id of hidden) {
          if (
            input[id] !== undefined ||
            (previous !== undefined && previous[id] !== undefined && previous[id] !== null)
          )
            out[id] = null;
        }
        // Values of hidden fields are discarded, and so are their errors.
        if (run.errors.length > firstError) {
          const kept = run.errors
            .slice(firstError)
            .filter((e) => !hidden?.has(e.path.slice(prefix.length).split('.')[0] as string));
          run.errors.length = firstError;
          run.errors.push(...kept);
        }
      }
    }

    // Writes to fields the viewer may not change (README rule 7).
    let readOnlyByRule: Set<string> | undefined;
    for (const plan of scope.readOnlyRules) {
      if (hidden?.has(plan.id)) continue;
      if (evalBool(plan.readOnlyRule as Rule, data, run, true))
        (readOnlyByRule ??= new Set()).add(plan.id);
    }
    if (run.hidden !== undefined || run.readOnly !== undefined || readOnlyByRule !== undefined) {
      for (const plan of scope.plans) {
        if (plan.computed || input[plan.id] === undefined || hidden?.has(plan.id)) continue;
        const code: ValueErrorCode | undefined = run.hidden?.has(plan.key)
          ? 'FIELD_HIDDEN'
          : run.readOnly?.has(plan.key) || readOnlyByRule?.has(plan.id)
            ? 'FIELD_READ_ONLY'
            : undefined;
        if (code === undefined) continue;
        const kept =
          previous !== undefined
            ? previous[plan.id]
            : plan.hasDefault
              ? defaultValue(plan, out, run)
              : undefined;
        if (sameJson(canonicalStored(plan, out[plan.id]), canonicalStored(plan, kept))) continue;
        if (kept === undefined) delete out[plan.id];
        else out[plan.id] = kept;
        // The write is refused: what was wrong with the value no longer matters.
        const path = prefix + plan.id;
        const others = run.errors
          .slice(firstError)
          .filter((e) => e.path !== path && !e.path.startsWith(`${path}.`));
        run.errors.length = firstError;
        run.errors.push(...others);
        fieldError(
          run,
          plan,
          path,
          row,
          code,
          code === 'FIELD_HIDDEN' ? { key: plan.key } : undefined,
        );
      }
    }

    if (!run.draft) {
      for (const plan of fast ? scope.finishRequired : scope.required) {
        if (
          hidden?.has(plan.id) ||
          run.hidden?.has(plan.key) ||
          run.readOnly?.has(plan.key) ||
          readOnlyByRule?.has(plan.id)
        )
          continue;
        const path = prefix + plan.id;
        if (run.bad.has(path) || !plan.isEmpty(out[plan.id])) continue;
        if (plan.requiredStatic || evalBool(plan.requiredRule as Rule, data, run, false))
          fieldError(run, plan, path, row, 'REQUIRED');
      }
      if (scope.parent === undefined && checks.length > 0) {
        data ??= buildData(scope, out, run);
        for (const check of checks) {
          let passed: boolean;
          try {
            passed = truthy(check.rule(data, run.time));
          } catch {
            run.errors.push(
              makeError('', 'RULE_FAILED', { 'zh-CN': check.id, en: check.id }, run.locale, {
                check: check.id,
              }),
            );
            continue;
          }
          if (!passed) {
            run.errors.push(
              makeError('', 'CHECK_FAILED', NO_LABEL, run.locale, {
                check: check.id,
                'text.zh-CN': check.labels['zh-CN'],
                'text.en': check.labels.en,
              }),
            );
          }
        }
      }
    }
    return out;
  };

  const previousRows = (
    plan: Plan,
    previous: Readonly<Record<string, unknown>> | undefined,
  ): Map<string, Record<string, unknown>> => {
    const out = new Map<string, Record<string, unknown>>();
    const stored = previous?.[plan.id];
    if (Array.isArray(stored))
      for (const r of stored) if (isRecord(r) && typeof r['id'] === 'string') out.set(r['id'], r);
    return out;
  };

  /** The slow path of one scope: every value checked leniently and made canonical, then finished. */
  const slowScope = (
    scope: Scope,
    input: Record<string, unknown>,
    prefix: string,
    row: number,
    run: Run,
    previous: Readonly<Record<string, unknown>> | undefined,
    create: boolean,
  ): Record<string, unknown> => {
    const firstError = run.errors.length;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(input)) {
      const v = input[key];
      const path = prefix + key;
      const plan = scope.byId.get(key);
      if (plan === undefined) {
        if (scope.parent !== undefined && key === 'id') {
          if (typeof v === 'string' && isUuid(v)) out['id'] = v.toLowerCase();
          else {
            run.errors.push(
              makeError(
                path,
                'INVALID_ID',
                {
                  'zh-CN': `${scope.parent.labels['zh-CN']} › 第 ${row + 1} 行`,
                  en: `${scope.parent.labels.en} › row ${row + 1}`,
                },
                run.locale,
              ),
            );
            out['id'] = v;
          }
          continue;
        }
        const code: ValueErrorCode =
          scope.parent === undefined && SYSTEM_FIELD_ID_SET.has(key)
            ? 'SYSTEM_FIELD'
            : 'UNKNOWN_FIELD';
        run.errors.push(makeError(path, code, NO_LABEL, run.locale, { key }));
        continue;
      }
      if (v === undefined) continue;
      if (plan.computed || v === null) {
        out[key] = v;
        continue;
      }
      if (plan.sub !== undefined) {
        out[key] = slowRows(plan, v, path, run, previous);
        continue;
      }
      const parsed = parseFieldValue(plan.spec, v);
      if (parsed.ok) {
        out[key] = parsed.value;
        continue;
      }
      out[key] = v;
      run.bad.add(path);
      for (const p of parsed.problems) {
        if (p.code === 'UNKNOWN_FIELD')
          run.errors.push(
            makeError(`${path}.${p.subPath}`, 'UNKNOWN_FIELD', NO_LABEL, run.locale, p.params),
          );
        else
          fieldError(
            run,
            plan,
            p.subPath === '' ? path : `${path}.${p.subPath}`,
            row,
            p.code,
            p.params,
          );
      }
    }
    return finishScope(scope, out, input, prefix, row, run, previous, create, false, firstError);
  };

  const slowRows = (
    plan: Plan,
    value: unknown,
    path: string,
    run: Run,
    previous: Readonly<Record<string, unknown>> | undefined,
  ): unknown => {
    if (!Array.isArray(value)) {
      run.bad.add(path);
      fieldError(run, plan, path, -1, 'INVALID_TYPE', { expected: 'rows' });
      return value;
    }
    const { min, max } = plan.field;
    const cap = Math.min(typeof max === 'number' ? max : LIMITS.subTableRows, LIMITS.subTableRows);
    if (value.length > cap) {
      run.bad.add(path);
      fieldError(run, plan, path, -1, 'TOO_MANY_ITEMS', { limit: cap });
      return value;
    }
    if (value.length > 0 && typeof min === 'number' && value.length < min)
      fieldError(run, plan, path, -1, 'TOO_FEW_ITEMS', { limit: min });
    const before = previousRows(plan, previous);
    return value.map((r: unknown, i) => {
      if (!isRecord(r)) {
        run.bad.add(`${path}.${i}`);
        fieldError(run, plan, `${path}.${i}`, -1, 'INVALID_TYPE', { expected: 'row' });
        return r;
      }
      const prior = typeof r['id'] === 'string' ? before.get(r['id']) : undefined;
      return slowScope(plan.sub as Scope, r, `${path}.${i}.`, i, run, prior, prior === undefined);
    });
  };

  /** The checks the strict schema cannot express, for values it accepted. */
  const extrasPass = (scope: Scope, values: Record<string, unknown>): boolean => {
    const extras = scope.extras;
    for (let i = 0; i < extras.length; i++) {
      const plan = extras[i] as Plan;
      const v = values[plan.id];
      if (v !== undefined && v !== null && !(plan.spec.extra as (value: unknown) => boolean)(v))
        return false;
    }
    if (scope.subTables.length === 0) return true;
    for (const plan of scope.subTables) {
      const rows = values[plan.id];
      if (plan.sub === undefined || plan.sub.extras.length === 0 || !Array.isArray(rows)) continue;
      for (const r of rows as Record<string, unknown>[]) if (!extrasPass(plan.sub, r)) return false;
    }
    return true;
  };

  const validate = (values: unknown, ctx: FormRuntimeContext = EMPTY_CTX): ValidationResult => {
    const run = resetRun(shared, ctx);
    if (!isRecord(values))
      return { ok: false, errors: [makeError('', 'NOT_AN_OBJECT', NO_LABEL, run.locale)] };
    const previous = ctx.previous;
    const create = previous === undefined;
    const unrestricted = run.hidden === undefined && run.readOnly === undefined;
    let out: Record<string, unknown>;
    if (jsv(values) && (top.extras.length === 0 || extrasPass(top, values))) {
      // Already canonical: nothing to copy unless the record-level work writes (README rule 4).
      if (!top.needsFinish && unrestricted) return { ok: true, values };
      out = finishScope(top, { ...values }, values, '', -1, run, previous, create, true, 0);
    } else {
      out = slowScope(top, values, '', -1, run, previous, create);
      // A safety net: what the slow path accepts is canonical (drafts and restricted viewers may
      // leave required fields empty, so the check only holds without them).
      if (!run.draft && unrestricted && run.errors.length === 0 && !jsv(out)) {
        mapSchemaErrors(run, jsv.errors ?? [], out);
      }
    }
    if (run.errors.length > 0) return { ok: false, errors: sortErrors(run.errors, top) };
    return { ok: true, values: out };
  };

  /** Values as rules see them while the user types: parsed where they parse, raw otherwise. */
  const parsedValues = (
    scope: Scope,
    values: Readonly<Record<string, unknown>>,
  ): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...values };
    for (const plan of scope.plans) {
      const v = values[plan.id];
      if (v === undefined || v === null) continue;
      if (plan.sub !== undefined) {
        if (Array.isArray(v))
          out[plan.id] = v.map((r: unknown) =>
            isRecord(r) ? parsedValues(plan.sub as Scope, r) : r,
          );
        continue;
      }
      const parsed = parseFieldValue(plan.spec, v);
      if (parsed.ok) out[plan.id] = parsed.value;
    }
    return out;
  };

  const statesOf = (
    scope: Scope,
    values: Readonly<Record<string, unknown>>,
    run: Run,
    parentHidden: boolean,
    parentReadOnly: boolean,
  ): Record<string, FieldState> => {
    const data = buildData(scope, parsedValues(scope, values), run);
    const hidden = evaluateDynamic(scope, data, run, undefined);
    const states: Record<string, FieldState> = {};
    for (const plan of scope.plans) {
      const visible = !parentHidden && !run.hidden?.has(plan.key) && !hidden?.has(plan.id);
      const readOnly =
        parentReadOnly ||
        plan.computed ||
        run.readOnly?.has(plan.key) === true ||
        (plan.readOnlyRule !== undefined && evalBool(plan.readOnlyRule, data, run, true));
      const required =
        visible &&
        !readOnly &&
        (plan.requiredStatic ||
          (plan.requiredRule !== undefined && evalBool(plan.requiredRule, data, run, false)));
      const state: FieldState = { visible, required, readOnly };
      if (plan.sub !== undefined) {
        const rows = values[plan.id];
        state.rows = Array.isArray(rows)
          ? rows.map((r: unknown) =>
              statesOf(plan.sub as Scope, isRecord(r) ? r : {}, run, !visible, readOnly),
            )
          : [];
      }
      states[plan.id] = state;
    }
    return states;
  };

  const fieldStates = (
    values: Readonly<Record<string, unknown>>,
    ctx: FormRuntimeContext = EMPTY_CTX,
  ): Record<string, FieldState> =>
    statesOf(top, isRecord(values) ? values : {}, newRun(ctx), false, false);

  const formulasOf = (
    scope: Scope,
    values: Readonly<Record<string, unknown>>,
    run: Run,
  ): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...values };
    for (const plan of scope.subTables) {
      const rows = values[plan.id];
      if (Array.isArray(rows))
        out[plan.id] = rows.map((r: unknown) =>
          isRecord(r) ? formulasOf(plan.sub as Scope, r, run) : r,
        );
    }
    if (scope.order.length === 0) return out;
    const data = buildData(scope, parsedValues(scope, out), run);
    const computed: Record<string, unknown> = {};
    evaluateDynamic(scope, data, run, computed);
    return Object.assign(out, computed);
  };

  const computeFormulas = (
    values: Readonly<Record<string, unknown>>,
    ctx: FormRuntimeContext = EMPTY_CTX,
  ): Record<string, unknown> => formulasOf(top, isRecord(values) ? values : {}, newRun(ctx));

  const initialValues = (ctx: FormRuntimeContext = EMPTY_CTX): Record<string, unknown> => {
    const run = newRun(ctx);
    const out: Record<string, unknown> = {};
    applyDefaults(top, out, run);
    return formulasOf(top, out, run);
  };

  return Object.freeze({
    schema,
    fingerprint,
    validate,
    fieldStates,
    computeFormulas,
    initialValues,
  });
}
