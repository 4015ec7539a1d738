// Forms through form-engine (each with the app's other forms known) and flows through
// flow-engine (with their form's field ids); plus what only the bundle can see: duplicate keys,
// one flow per form, roles and notification templates a flow names.
import {
  normalizeFlow,
  validateFlow,
  type Recipient,
  type FlowDefinition,
} from '@trellis/flow-engine';
import { validateFormSchema, type KnownField, type KnownForm } from '@trellis/form-engine';
import type { Issue } from '@trellis/rule-engine';
import { asArray, isObject, join, type BundleIndex, type Obj } from './form-index.js';

export type Report = (path: string, code: string, message: string) => void;

function prefixed(report: Report, prefix: string, issues: readonly Issue[]): void {
  for (const i of issues) report(join(prefix, i.path), i.code, i.message);
}

/** Reports every repeated key of a list (`forms.3.id duplicate_key`). */
export function checkUniqueKeys(
  report: Report,
  list: unknown,
  listPath: string,
  key: string,
  what: string,
): void {
  const seen = new Map<string, number>();
  asArray(list).forEach((item, i) => {
    if (!isObject(item) || typeof item[key] !== 'string') return;
    const value = item[key];
    const first = seen.get(value);
    if (first === undefined) seen.set(value, i);
    else
      report(
        join(join(listPath, i), key),
        'duplicate_key',
        `${what} "${value}" is already defined at ${join(listPath, first)}`,
      );
  });
}

function knownFields(fields: unknown): KnownField[] {
  return asArray(fields)
    .filter(isObject)
    .filter((f) => typeof f['id'] === 'string' && typeof f['type'] === 'string')
    .map((f) => {
      const out: KnownField = { id: f['id'] as string, type: f['type'] as string };
      const relation = f['relation'];
      if (isObject(relation) && typeof relation['formId'] === 'string') {
        out.relation = {
          formId: relation['formId'],
          ...(typeof relation['multiple'] === 'boolean' ? { multiple: relation['multiple'] } : {}),
        };
      }
      if (Array.isArray(f['fields'])) out.fields = knownFields(f['fields']);
      return out;
    });
}

export function checkForms(report: Report, bundle: Obj): void {
  const forms = asArray(bundle['forms']);
  checkUniqueKeys(report, forms, 'forms', 'id', 'form');
  const known: KnownForm[] = forms
    .filter(isObject)
    .filter((f) => typeof f['id'] === 'string')
    .map((f) => ({ id: f['id'] as string, fields: knownFields(f['fields']) }));
  forms.forEach((form, i) => {
    if (!isObject(form)) return;
    const others = known.filter((k) => k.id !== form['id']);
    prefixed(report, `forms.${i}`, validateFormSchema(form, { forms: others }));
  });
}

/** Role names a flow definition mentions, each with the path where it sits. */
function flowRoles(def: FlowDefinition): Array<{ role: string; path: string }> {
  const out: Array<{ role: string; path: string }> = [];
  const recipients = (list: readonly Recipient[] | null, path: string): void => {
    list?.forEach((r, i) => {
      if (r.kind === 'roles')
        r.roles.forEach((role, j) => out.push({ role, path: `${path}.${i}.roles.${j}` }));
    });
  };
  const effects = (list: FlowDefinition['states'][number]['onEnter'], path: string): void => {
    list.forEach((e, i) => {
      if (e.type === 'createTask') {
        const a = e.assignee;
        if (a.kind === 'roles')
          a.roles.forEach((role, j) =>
            out.push({ role, path: `${path}.${i}.assignee.roles.${j}` }),
          );
      } else if (e.type === 'notify') recipients(e.to, `${path}.${i}.to`);
    });
  };
  const timers = (list: FlowDefinition['states'][number]['timers'], path: string): void => {
    list.forEach((t, i) => {
      if (t.action.kind === 'remind') recipients(t.action.to, `${path}.${i}.action.to`);
      if (t.action.kind === 'reassign') {
        t.action.to.forEach((a, j) => {
          if (a.kind === 'roles')
            a.roles.forEach((role, k) =>
              out.push({ role, path: `${path}.${i}.action.to.${j}.roles.${k}` }),
            );
        });
      }
    });
  };
  def.states.forEach((s, i) => {
    effects(s.onEnter, `states.${i}.onEnter`);
    effects(s.onExit, `states.${i}.onExit`);
    timers(s.timers, `states.${i}.timers`);
  });
  def.transitions.forEach((t, i) => {
    const p = `transitions.${i}`;
    t.allowed?.roles.forEach((role, j) => out.push({ role, path: `${p}.allowed.roles.${j}` }));
    effects(t.effects, `${p}.effects`);
    t.approval?.steps.forEach((s, j) => {
      s.approvers.forEach((a, k) => {
        if (a.kind === 'roles')
          a.roles.forEach((role, l) =>
            out.push({ role, path: `${p}.approval.steps.${j}.approvers.${k}.roles.${l}` }),
          );
      });
      timers(s.timers, `${p}.approval.steps.${j}.timers`);
    });
  });
  return out;
}

/** Notification templates a flow's notify effects use, with their paths. */
export function flowTemplates(def: FlowDefinition): Array<{ template: string; path: string }> {
  const out: Array<{ template: string; path: string }> = [];
  const effects = (list: FlowDefinition['states'][number]['onEnter'], path: string): void => {
    list.forEach((e, i) => {
      if (e.type === 'notify') out.push({ template: e.template, path: `${path}.${i}.template` });
    });
  };
  def.states.forEach((s, i) => {
    effects(s.onEnter, `states.${i}.onEnter`);
    effects(s.onExit, `states.${i}.onExit`);
  });
  def.transitions.forEach((t, i) => effects(t.effects, `transitions.${i}.effects`));
  return out;
}

/** Templates the flow engine emits itself; the host supplies their text. */
const ENGINE_TEMPLATE_PREFIX = 'flow.';

export function checkFlows(report: Report, bundle: Obj, index: BundleIndex): void {
  const flows = asArray(bundle['flows']);
  checkUniqueKeys(report, flows, 'flows', 'formId', 'a flow for form');
  const translations = isObject(bundle['translations']) ? bundle['translations'] : {};
  const zh = isObject(translations['zh-CN']) ? translations['zh-CN'] : {};
  flows.forEach((flow, i) => {
    if (!isObject(flow)) return;
    const formId = flow['formId'];
    const form = typeof formId === 'string' ? index.forms.get(formId) : undefined;
    if (typeof formId === 'string' && form === undefined) {
      report(`flows.${i}.formId`, 'unknown_form', `no form "${formId}" in this bundle`);
    }
    const at = `flows.${i}.definition`;
    prefixed(
      report,
      at,
      validateFlow(flow['definition'], form === undefined ? {} : { fields: form.fieldIds }),
    );
    const def = normalizeFlow(flow['definition']);
    if (Array.isArray(def)) return;
    for (const { role, path } of flowRoles(def)) {
      if (!index.roles.has(role))
        report(join(at, path), 'unknown_role', `no role "${role}" in this bundle`);
    }
    for (const { template, path } of flowTemplates(def)) {
      if (template.startsWith(ENGINE_TEMPLATE_PREFIX)) continue;
      if (typeof zh[template] !== 'string') {
        report(
          join(at, path),
          'missing_translation',
          `notification template "${template}" has no text in translations["zh-CN"]`,
        );
      }
    }
  });
}
