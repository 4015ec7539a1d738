// Roles (forms and fields they name exist, row-scope logic is valid, stage policies name flow
// states, masking fits the field) and the org chart (team parents exist, no cycles).
import { validateRule } from '@trellis/rule-engine';
import { checkUniqueKeys, type Report } from './check-forms.js';
import {
  asArray,
  isObject,
  join,
  type BundleIndex,
  type FormInfo,
  type Obj,
} from './form-index.js';

/** Field types whose values can be shown masked (138****8000). */
const MASKABLE = new Set(['text', 'phone', 'email', 'address', 'url']);

function checkFieldMap(
  report: Report,
  index: BundleIndex,
  form: FormInfo | undefined,
  fields: unknown,
  path: string,
): void {
  if (!isObject(fields)) return;
  for (const [fieldId, access] of Object.entries(fields)) {
    const at = join(path, fieldId);
    const candidates = form === undefined ? [...index.forms.values()] : [form];
    const found = candidates.map((f) => f.fields.get(fieldId)).filter((f) => f !== undefined);
    if (found.length === 0) {
      report(
        at,
        'unknown_field',
        form === undefined
          ? `no form has a field "${fieldId}"`
          : `form "${form.id}" has no field "${fieldId}"`,
      );
      continue;
    }
    if (access === 'masked' && found.every((f) => !MASKABLE.has(f.type))) {
      report(
        at,
        'not_maskable',
        `a ${found[0]?.type ?? ''} field cannot be masked (only ${[...MASKABLE].join(', ')})`,
      );
    }
  }
}

export function checkRoles(report: Report, bundle: Obj, index: BundleIndex): void {
  const roles = asArray(bundle['roles']);
  checkUniqueKeys(report, roles, 'roles', 'key', 'role');
  roles.forEach((role, i) => {
    if (!isObject(role) || !isObject(role['permissions'])) return;
    const forms = role['permissions']['forms'];
    if (!isObject(forms)) return;
    for (const [formKey, permission] of Object.entries(forms)) {
      const at = `roles.${i}.permissions.forms.${formKey}`;
      const form = formKey === '*' ? undefined : index.forms.get(formKey);
      if (formKey !== '*' && form === undefined) {
        report(at, 'unknown_form', `no form "${formKey}" in this bundle`);
        continue;
      }
      if (!isObject(permission)) continue;
      checkFieldMap(report, index, form, permission['fields'], join(at, 'fields'));
      const scope = permission['rowScope'];
      if (isObject(scope) && 'logic' in scope) {
        const fields = form === undefined ? undefined : [...form.fieldIds, '$user'];
        for (const issue of validateRule(scope['logic'], fields === undefined ? {} : { fields })) {
          report(join(join(at, 'rowScope.logic'), issue.path), issue.code, issue.message);
        }
      }
      const stages = permission['stages'];
      if (isObject(stages)) {
        for (const [stage, policy] of Object.entries(stages)) {
          const sp = join(at, `stages.${stage}`);
          if (form === undefined) {
            report(sp, 'not_applicable', 'stage policies belong to one form, not "*"');
            continue;
          }
          if (form.flow === undefined) report(sp, 'no_flow', `form "${form.id}" has no flow`);
          else if (!form.flow.states.includes(stage)) {
            report(sp, 'unknown_stage', `the flow of "${form.id}" has no state "${stage}"`);
          }
          if (isObject(policy))
            checkFieldMap(report, index, form, policy['fields'], join(sp, 'fields'));
        }
      }
      const actions = asArray(permission['actions']);
      if (
        actions.some((a) => a !== 'read') &&
        !actions.includes('read') &&
        !actions.includes('manage')
      ) {
        report(
          join(at, 'actions'),
          'write_without_read',
          'a role that writes a form must also read it',
        );
      }
    }
  });
}

export function checkTeams(report: Report, bundle: Obj): void {
  const teams = asArray(bundle['teams']);
  checkUniqueKeys(report, teams, 'teams', 'key', 'team');
  const parents = new Map<string, string>();
  teams.forEach((t) => {
    if (isObject(t) && typeof t['key'] === 'string' && typeof t['parent'] === 'string') {
      parents.set(t['key'], t['parent']);
    }
  });
  const keys = new Set(teams.filter(isObject).map((t) => t['key']));
  teams.forEach((t, i) => {
    if (!isObject(t) || typeof t['parent'] !== 'string' || typeof t['key'] !== 'string') return;
    if (!keys.has(t['parent'])) {
      report(`teams.${i}.parent`, 'unknown_team', `no team "${t['parent']}" in this bundle`);
      return;
    }
    const seen = new Set<string>([t['key']]);
    for (let p: string | undefined = t['parent']; p !== undefined; p = parents.get(p)) {
      if (seen.has(p)) {
        report(`teams.${i}.parent`, 'team_cycle', `team "${t['key']}" is its own ancestor`);
        break;
      }
      seen.add(p);
    }
  });
}
