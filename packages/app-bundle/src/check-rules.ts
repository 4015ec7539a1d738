// Rules through rule-engine (normalizeRuleDefinition with the form's fields), plus the references
// only the bundle can check: forms, flow stages, teams, roles, fields through relations, and the
// values a create_record action gives its target form.
import { normalizeRuleDefinition, referencedVars } from '@trellis/rule-engine';
import { checkUniqueKeys, type Report } from './check-forms.js';
import {
  asArray,
  COMPUTED_TYPES,
  fieldOf,
  isDateType,
  isObject,
  join,
  resolvePath,
  valueType,
  type BundleIndex,
  type FormInfo,
  type Obj,
} from './form-index.js';

/** Dotted var paths of a JsonLogic value that do not resolve from `form` (undotted ones are the rule engine's job). */
export function checkDottedVars(
  report: Report,
  index: BundleIndex,
  form: FormInfo,
  logic: unknown,
  path: string,
): void {
  let vars: string[];
  try {
    vars = referencedVars(logic);
  } catch {
    return; // the rule engine reports malformed logic
  }
  for (const v of vars) {
    if (!v.includes('.') || v.startsWith('$')) continue;
    const resolved = resolvePath(index, form.id, v);
    if (!resolved.ok) report(path, 'unknown_field', `"${v}": ${resolved.message}`);
  }
}

function checkStage(
  report: Report,
  form: FormInfo,
  stage: unknown,
  path: string,
  what: string,
): void {
  if (typeof stage !== 'string') return;
  if (form.flow === undefined) {
    report(path, 'no_flow', `form "${form.id}" has no flow, so it has no ${what} "${stage}"`);
  } else if (!form.flow.states.includes(stage)) {
    report(
      path,
      'unknown_stage',
      `the flow of "${form.id}" has no state "${stage}" (states: ${form.flow.states.join(', ')})`,
    );
  }
}

function checkTarget(report: Report, index: BundleIndex, target: unknown, path: string): void {
  if (!isObject(target) || target['type'] !== 'role' || typeof target['role'] !== 'string') return;
  if (!index.roles.has(target['role'])) {
    report(join(path, 'role'), 'unknown_role', `no role "${target['role']}" in this bundle`);
  }
}

function checkSetField(
  report: Report,
  index: BundleIndex,
  form: FormInfo,
  field: unknown,
  path: string,
): void {
  if (typeof field !== 'string') return;
  const resolved = resolvePath(index, form.id, field);
  if (!resolved.ok) {
    if (field.includes('.')) report(path, 'unknown_field', `"${field}": ${resolved.message}`);
    return;
  }
  const segments = field.split('.');
  if (segments.length > 2 || resolved.attribute !== undefined || resolved.viaMultiple) {
    report(
      path,
      'invalid_target',
      `"${field}": a rule writes a field of its record or of one record a single relation points at`,
    );
    return;
  }
  if (COMPUTED_TYPES.has(resolved.field.type)) {
    report(path, 'computed_field', `"${field}" is a ${resolved.field.type} field: it is computed`);
  }
}

function checkCreateRecord(
  report: Report,
  index: BundleIndex,
  source: FormInfo,
  action: Obj,
  path: string,
): void {
  const formId = action['form'];
  if (typeof formId !== 'string') return;
  const target = index.forms.get(formId);
  if (target === undefined) {
    report(join(path, 'form'), 'unknown_form', `no form "${formId}" in this bundle`);
    return;
  }
  const values = isObject(action['values']) ? action['values'] : {};
  for (const [key, value] of Object.entries(values)) {
    const field = fieldOf(target, key);
    if (field === undefined) {
      report(
        join(path, `values.${key}`),
        'unknown_field',
        `form "${formId}" has no field "${key}"`,
      );
      continue;
    }
    if (COMPUTED_TYPES.has(field.type)) {
      report(join(path, `values.${key}`), 'computed_field', `"${key}" is computed`);
    }
    checkDottedVars(report, index, source, value, join(path, `values.${key}`));
  }
  const missing = [...target.fields.values()]
    .filter((f) => f.required === true && f.hasDefault !== true && f.conditional !== true)
    .filter((f) => !COMPUTED_TYPES.has(f.type))
    .filter((f) => !(f.id in values))
    .map((f) => f.id);
  if (missing.length > 0) {
    report(
      join(path, 'values'),
      'missing_required_value',
      `form "${formId}" requires ${missing.join(', ')}`,
    );
  }
}

function checkAction(
  report: Report,
  index: BundleIndex,
  form: FormInfo,
  action: unknown,
  path: string,
): void {
  if (!isObject(action)) return;
  switch (action['type']) {
    case 'set_field':
      checkSetField(report, index, form, action['field'], join(path, 'field'));
      checkDottedVars(report, index, form, action['value'], join(path, 'value'));
      break;
    case 'assign_owner': {
      const pool = action['pool'];
      if (isObject(pool)) {
        if (typeof pool['team'] === 'string' && !index.teams.has(pool['team'])) {
          report(
            join(path, 'pool.team'),
            'unknown_team',
            `no team "${pool['team']}" in this bundle`,
          );
        }
        if (typeof pool['role'] === 'string' && !index.roles.has(pool['role'])) {
          report(
            join(path, 'pool.role'),
            'unknown_role',
            `no role "${pool['role']}" in this bundle`,
          );
        }
      }
      if (action['strategy'] === 'from_field' && typeof action['field'] === 'string') {
        const f = fieldOf(form, action['field']);
        if (f !== undefined && f.type !== 'user') {
          report(
            join(path, 'field'),
            'not_a_user_field',
            `"${action['field']}" is not a user field`,
          );
        }
      }
      break;
    }
    case 'create_record':
      checkCreateRecord(report, index, form, action, path);
      break;
    case 'notify':
      asArray(action['to']).forEach((t, i) => checkTarget(report, index, t, join(path, `to.${i}`)));
      break;
    case 'escalate':
      checkTarget(report, index, action['to'], join(path, 'to'));
      break;
    case 'transition_stage':
      checkStage(report, form, action['stage'], join(path, 'stage'), 'stage');
      break;
    case 'webhook':
      if (isObject(action['payload'])) {
        for (const [key, value] of Object.entries(action['payload'])) {
          checkDottedVars(report, index, form, value, join(path, `payload.${key}`));
        }
      }
      break;
    default:
      break;
  }
}

export function checkRules(report: Report, bundle: Obj, index: BundleIndex): void {
  const rules = asArray(bundle['rules']);
  checkUniqueKeys(report, rules, 'rules', 'id', 'rule');
  rules.forEach((rule, i) => {
    if (!isObject(rule)) return;
    const at = `rules.${i}`;
    const formId = rule['form'];
    const form = typeof formId === 'string' ? index.forms.get(formId) : undefined;
    if (typeof formId === 'string' && form === undefined) {
      report(join(at, 'form'), 'unknown_form', `no form "${formId}" in this bundle`);
    }
    const { description: _description, ...definition } = rule;
    const result = normalizeRuleDefinition(
      definition,
      form === undefined ? {} : { fields: form.fieldIds },
    );
    for (const issue of result.issues ?? [])
      report(join(at, issue.path), issue.code, issue.message);
    if (form === undefined) return;
    const trigger = rule['trigger'];
    if (isObject(trigger)) {
      if (trigger['type'] === 'stage_entered' || trigger['type'] === 'stage_left') {
        checkStage(report, form, trigger['stage'], join(at, 'trigger.stage'), 'stage');
      }
      if (trigger['type'] === 'relative_time' && typeof trigger['field'] === 'string') {
        const resolved = resolvePath(index, form.id, trigger['field']);
        if (resolved.ok && !isDateType(valueType(resolved))) {
          report(
            join(at, 'trigger.field'),
            'not_a_date_field',
            `"${trigger['field']}" is not a date or datetime field`,
          );
        }
      }
    }
    if (rule['condition'] !== undefined && rule['condition'] !== null) {
      checkDottedVars(report, index, form, rule['condition'], join(at, 'condition'));
    }
    asArray(rule['actions']).forEach((a, j) =>
      checkAction(report, index, form, a, join(at, `actions.${j}`)),
    );
  });
}
