// normalizeFlow: parse raw JSON into a FlowDefinition with every default
// filled in, or return the shape issues (all of them, with paths). It checks
// shapes only; what the definition means (reachability, unknown states and
// fields, duplicate events) is validateFlow's job.
import type { Issue } from '@trellis/rule-engine';
import { durationMs } from './duration.js';
import type {
  AllowedSpec,
  ApprovalDef,
  ApprovalMode,
  ApprovalStepDef,
  ApproverSpec,
  Clock,
  DecisionKind,
  EffectSpec,
  FlowDefinition,
  LocalizedText,
  Recipient,
  StateDef,
  StateKind,
  TimerAction,
  TimerDef,
  TransitionDef,
} from './types.js';

const ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const FIELD_ID = /^[a-z][a-z0-9_]{0,62}$/;
const STATE_KINDS: readonly StateKind[] = ['normal', 'won', 'lost', 'final'];
const MODES: readonly ApprovalMode[] = ['any', 'all', 'sequential'];
const CLOCKS: readonly Clock[] = ['calendar', 'working'];
const DECISIONS: readonly DecisionKind[] = [
  'approve',
  'reject',
  'return',
  'reassign',
  'addSigner',
  'withdraw',
  'resubmit',
];

type Obj = Record<string, unknown>;

class Reader {
  readonly issues: Issue[] = [];

  issue(path: string, code: string, message: string): void {
    this.issues.push({ path, code, message });
  }

  object(value: unknown, path: string): Obj | null {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Obj;
    this.issue(path, 'invalid_type', 'Expected an object.');
    return null;
  }

  array(value: unknown, path: string, optional = true): unknown[] {
    if (value === undefined && optional) return [];
    if (Array.isArray(value)) return value;
    this.issue(path, 'invalid_type', 'Expected an array.');
    return [];
  }

  id(value: unknown, path: string, pattern: RegExp = ID): string {
    if (typeof value === 'string' && pattern.test(value)) return value;
    if (value === undefined) this.issue(path, 'required', 'Required.');
    else
      this.issue(
        path,
        'invalid_id',
        `Expected an identifier matching ${pattern.source}, got ${JSON.stringify(value)}.`,
      );
    return typeof value === 'string' ? value : '';
  }

  fieldId(value: unknown, path: string): string {
    return this.id(value, path, FIELD_ID);
  }

  fieldList(value: unknown, path: string): string[] {
    return this.array(value, path).map((f, i) => this.fieldId(f, `${path}.${i}`));
  }

  text(value: unknown, path: string, optional: true): LocalizedText | null;
  text(value: unknown, path: string, optional: false): LocalizedText;
  text(value: unknown, path: string, optional: boolean): LocalizedText | null {
    if (value === undefined || value === null) {
      if (!optional) this.issue(path, 'required', 'Required.');
      return optional ? null : '';
    }
    if (typeof value === 'string') return value;
    if (typeof value === 'object' && !Array.isArray(value)) {
      const o = value as Obj;
      let ok = typeof o['zh-CN'] === 'string';
      for (const v of Object.values(o)) if (v !== undefined && typeof v !== 'string') ok = false;
      if (ok) return o as LocalizedText;
    }
    this.issue(path, 'invalid_type', "Expected a string or { 'zh-CN': string, en?: string }.");
    return optional ? null : '';
  }

  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[], fallback: T): T {
    if (value === undefined) return fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
      return value as T;
    this.issue(path, 'invalid_value', `Expected one of ${allowed.join(', ')}.`);
    return fallback;
  }

  number(value: unknown, path: string, min: number, max: number): number | null {
    if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max)
      return value;
    this.issue(path, 'invalid_value', `Expected a number from ${min} to ${max}.`);
    return null;
  }

  integer(value: unknown, path: string, min: number, fallback: number): number {
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isInteger(value) && value >= min) return value;
    this.issue(path, 'invalid_value', `Expected an integer >= ${min}.`);
    return fallback;
  }

  duration(value: unknown, path: string): string {
    if (typeof value === 'string' && durationMs(value) !== null) return value;
    this.issue(
      path,
      'invalid_duration',
      'Expected an ISO 8601 duration in weeks, days, hours, minutes or seconds (PT4H, P2D, P1DT12H).',
    );
    return 'PT0S';
  }

  stringList(value: unknown, path: string): string[] {
    const out: string[] = [];
    this.array(value, path, false).forEach((v, i) => {
      if (typeof v === 'string' && v !== '') out.push(v);
      else this.issue(`${path}.${i}`, 'invalid_type', 'Expected a non-empty string.');
    });
    return out;
  }
}

const RECIPIENT_SHORTHANDS = ['owner', 'actor', 'submitter', 'assignees'] as const;

function recipient(r: Reader, value: unknown, path: string): Recipient | null {
  if (typeof value === 'string') {
    if ((RECIPIENT_SHORTHANDS as readonly string[]).includes(value))
      return { kind: value as (typeof RECIPIENT_SHORTHANDS)[number] };
    r.issue(path, 'invalid_value', `Expected ${RECIPIENT_SHORTHANDS.join(', ')} or an object.`);
    return null;
  }
  const o = r.object(value, path);
  if (o === null) return null;
  switch (o.kind) {
    case 'owner':
    case 'actor':
    case 'submitter':
    case 'assignees':
      return { kind: o.kind };
    case 'users':
      return { kind: 'users', users: r.stringList(o.users, `${path}.users`) };
    case 'roles':
      return { kind: 'roles', roles: r.stringList(o.roles, `${path}.roles`) };
    case 'userField':
      return { kind: 'userField', field: r.fieldId(o.field, `${path}.field`) };
    case 'managerOf':
      return {
        kind: 'managerOf',
        of: r.oneOf(o.of, `${path}.of`, RECIPIENT_SHORTHANDS, 'owner'),
        levels: r.integer(o.levels, `${path}.levels`, 1, 1),
      };
    default:
      r.issue(
        `${path}.kind`,
        'invalid_value',
        'Expected owner, actor, submitter, assignees, users, roles, userField or managerOf.',
      );
      return null;
  }
}

function recipients(r: Reader, value: unknown, path: string): Recipient[] {
  const list = Array.isArray(value) ? value : [value];
  const out: Recipient[] = [];
  list.forEach((v, i) => {
    const rec = recipient(r, v, Array.isArray(value) ? `${path}.${i}` : path);
    if (rec !== null) out.push(rec);
  });
  return out;
}

function approver(r: Reader, value: unknown, path: string): ApproverSpec | null {
  const o = r.object(value, path);
  if (o === null) return null;
  switch (o.kind) {
    case 'users':
      return { kind: 'users', users: r.stringList(o.users, `${path}.users`) };
    case 'roles':
      return { kind: 'roles', roles: r.stringList(o.roles, `${path}.roles`) };
    case 'userField':
      return { kind: 'userField', field: r.fieldId(o.field, `${path}.field`) };
    case 'managerChain':
      return {
        kind: 'managerChain',
        levels: r.integer(o.levels, `${path}.levels`, 1, 1),
        of: r.oneOf(o.of, `${path}.of`, ['submitter', 'assignee'] as const, 'submitter'),
      };
    default:
      r.issue(`${path}.kind`, 'invalid_value', 'Expected users, roles, userField or managerChain.');
      return null;
  }
}

function approvers(r: Reader, value: unknown, path: string): ApproverSpec[] {
  const out: ApproverSpec[] = [];
  r.array(value, path, false).forEach((v, i) => {
    const a = approver(r, v, `${path}.${i}`);
    if (a !== null) out.push(a);
  });
  return out;
}

function effect(r: Reader, value: unknown, path: string): EffectSpec | null {
  const o = r.object(value, path);
  if (o === null) return null;
  switch (o.type) {
    case 'setField': {
      const field = r.fieldId(o.field, `${path}.field`);
      if (o.valueFrom !== undefined && o.valueFrom !== null) {
        return {
          type: 'setField',
          field,
          value: null,
          valueFrom: r.oneOf(o.valueFrom, `${path}.valueFrom`, ['now', 'actor'] as const, 'now'),
        };
      }
      if (!('value' in o)) r.issue(`${path}.value`, 'required', 'Give value or valueFrom.');
      return { type: 'setField', field, value: o.value ?? null, valueFrom: null };
    }
    case 'createTask': {
      let due: { after: string; clock: Clock } | null = null;
      if (o.due !== undefined && o.due !== null) {
        const d = r.object(o.due, `${path}.due`);
        if (d !== null)
          due = {
            after: r.duration(d.after, `${path}.due.after`),
            clock: r.oneOf(d.clock, `${path}.due.clock`, CLOCKS, 'calendar'),
          };
      }
      return {
        type: 'createTask',
        title: r.text(o.title, `${path}.title`, false),
        description: r.text(o.description, `${path}.description`, true),
        assignee: recipient(r, o.assignee ?? 'owner', `${path}.assignee`) ?? { kind: 'owner' },
        due,
      };
    }
    case 'notify': {
      let params: Record<string, unknown> = {};
      if (o.params !== undefined) params = r.object(o.params, `${path}.params`) ?? {};
      if (typeof o.template !== 'string' || o.template === '')
        r.issue(`${path}.template`, 'required', 'A notification template id is required.');
      return {
        type: 'notify',
        to: recipients(r, o.to ?? 'owner', `${path}.to`),
        template: typeof o.template === 'string' ? o.template : '',
        params,
      };
    }
    default:
      r.issue(`${path}.type`, 'invalid_value', 'Expected setField, createTask or notify.');
      return null;
  }
}

function effects(r: Reader, value: unknown, path: string): EffectSpec[] {
  const out: EffectSpec[] = [];
  r.array(value, path).forEach((v, i) => {
    const e = effect(r, v, `${path}.${i}`);
    if (e !== null) out.push(e);
  });
  return out;
}

function timerAction(r: Reader, value: unknown, path: string): TimerAction {
  const o: Obj | null = typeof value === 'string' ? { kind: value } : r.object(value, path);
  if (o === null) return { kind: 'remind', to: null };
  switch (o.kind) {
    case 'remind':
      return {
        kind: 'remind',
        to: o.to === undefined || o.to === null ? null : recipients(r, o.to, `${path}.to`),
      };
    case 'escalate':
      return { kind: 'escalate', levels: r.integer(o.levels, `${path}.levels`, 1, 1) };
    case 'fireEvent':
      return { kind: 'fireEvent', event: r.id(o.event, `${path}.event`) };
    case 'autoApprove':
    case 'return':
      return { kind: o.kind };
    case 'reassign':
      return { kind: 'reassign', to: approvers(r, o.to, `${path}.to`) };
    default:
      r.issue(
        typeof value === 'string' ? path : `${path}.kind`,
        'invalid_value',
        'Expected remind, escalate, fireEvent, autoApprove, return or reassign.',
      );
      return { kind: 'remind', to: null };
  }
}

function timers(r: Reader, value: unknown, path: string): TimerDef[] {
  const out: TimerDef[] = [];
  r.array(value, path).forEach((v, i) => {
    const p = `${path}.${i}`;
    const o = r.object(v, p);
    if (o === null) return;
    out.push({
      id: r.id(o.id, `${p}.id`),
      label: r.text(o.label, `${p}.label`, true),
      after: r.duration(o.after, `${p}.after`),
      clock: r.oneOf(o.clock, `${p}.clock`, CLOCKS, 'calendar'),
      action: timerAction(r, o.action, `${p}.action`),
    });
  });
  return out;
}

function state(r: Reader, value: unknown, path: string, index: number): StateDef | null {
  const o = r.object(value, path);
  if (o === null) return null;
  const probability =
    o.probability === undefined || o.probability === null
      ? null
      : r.number(o.probability, `${path}.probability`, 0, 100);
  return {
    id: r.id(o.id, `${path}.id`),
    label: r.text(o.label, `${path}.label`, false),
    kind: r.oneOf(o.kind, `${path}.kind`, STATE_KINDS, 'normal'),
    order: o.order === undefined ? index + 1 : (r.number(o.order, `${path}.order`, -1e9, 1e9) ?? 0),
    probability,
    requiredFields: r.fieldList(o.requiredFields, `${path}.requiredFields`),
    onEnter: effects(r, o.onEnter, `${path}.onEnter`),
    onExit: effects(r, o.onExit, `${path}.onExit`),
    timers: timers(r, o.timers, `${path}.timers`),
  };
}

function allowed(r: Reader, value: unknown, path: string): AllowedSpec | null {
  if (value === undefined || value === null) return null;
  const o = r.object(value, path);
  if (o === null) return null;
  if (o.owner !== undefined && typeof o.owner !== 'boolean')
    r.issue(`${path}.owner`, 'invalid_type', 'Expected true or false.');
  return {
    roles: o.roles === undefined ? [] : r.stringList(o.roles, `${path}.roles`),
    owner: o.owner === true,
    userField:
      o.userField === undefined || o.userField === null
        ? null
        : r.fieldId(o.userField, `${path}.userField`),
  };
}

function approval(r: Reader, value: unknown, path: string): ApprovalDef | null {
  if (value === undefined || value === null) return null;
  const o = r.object(value, path);
  if (o === null) return null;
  const steps: ApprovalStepDef[] = [];
  r.array(o.steps, `${path}.steps`, false).forEach((v, i) => {
    const p = `${path}.steps.${i}`;
    const s = r.object(v, p);
    if (s === null) return;
    const commentRequiredOn =
      s.commentRequiredOn === undefined
        ? (['reject', 'return'] as DecisionKind[])
        : r
            .array(s.commentRequiredOn, `${p}.commentRequiredOn`)
            .map((d, j) => r.oneOf(d, `${p}.commentRequiredOn.${j}`, DECISIONS, 'reject'));
    steps.push({
      id: r.id(s.id, `${p}.id`),
      label: r.text(s.label, `${p}.label`, true),
      when: s.when === undefined ? null : s.when,
      approvers: approvers(r, s.approvers, `${p}.approvers`),
      mode: r.oneOf(s.mode, `${p}.mode`, MODES, 'any'),
      commentRequiredOn,
      timers: timers(r, s.timers, `${p}.timers`),
    });
  });
  return { steps };
}

function transition(r: Reader, value: unknown, path: string): TransitionDef | null {
  const o = r.object(value, path);
  if (o === null) return null;
  let from: string[] | '*';
  if (o.from === '*') from = '*';
  else if (typeof o.from === 'string') from = [r.id(o.from, `${path}.from`)];
  else if (Array.isArray(o.from)) from = o.from.map((f, i) => r.id(f, `${path}.from.${i}`));
  else {
    r.issue(`${path}.from`, 'required', "Expected a state id, a list of state ids or '*'.");
    from = [];
  }
  return {
    id: r.id(o.id, `${path}.id`),
    from,
    to: r.id(o.to, `${path}.to`),
    event: r.id(o.event, `${path}.event`),
    label: r.text(o.label, `${path}.label`, true),
    guard: o.guard === undefined ? null : (o.guard as unknown),
    guardMessage: r.text(o.guardMessage, `${path}.guardMessage`, true),
    requiredFields: r.fieldList(o.requiredFields, `${path}.requiredFields`),
    allowed: allowed(r, o.allowed, `${path}.allowed`),
    approval: approval(r, o.approval, `${path}.approval`),
    effects: effects(r, o.effects, `${path}.effects`),
  };
}

/**
 * Parses a raw definition (JSON.parse output) into a FlowDefinition with all
 * defaults filled in, or returns every shape issue found.
 */
export function normalizeFlow(raw: unknown): FlowDefinition | Issue[] {
  const r = new Reader();
  const o = r.object(raw, '');
  if (o === null) return r.issues;
  const states: StateDef[] = [];
  r.array(o.states, 'states', false).forEach((v, i) => {
    const s = state(r, v, `states.${i}`, i);
    if (s !== null) states.push(s);
  });
  const transitions: TransitionDef[] = [];
  r.array(o.transitions, 'transitions').forEach((v, i) => {
    const t = transition(r, v, `transitions.${i}`);
    if (t !== null) transitions.push(t);
  });
  const version = r.integer(o.version, 'version', 1, 1);
  if (o.version === undefined) r.issue('version', 'required', 'Required.');
  const def: FlowDefinition = {
    id: r.id(o.id, 'id'),
    version,
    label: r.text(o.label, 'label', true),
    // Without `initial`, the first state by order (the states issue covers a flow without states).
    initial:
      o.initial === undefined
        ? ([...states].sort((a, b) => a.order - b.order)[0]?.id ?? '')
        : r.id(o.initial, 'initial'),
    states,
    transitions,
  };
  return r.issues.length > 0 ? r.issues : def;
}

/** Normalizes or throws (code FLOW_INVALID, issues attached): for fixtures and trusted input. */
export function parseFlow(raw: unknown): FlowDefinition {
  const result = normalizeFlow(raw);
  if (Array.isArray(result)) {
    const error = new Error(
      `Invalid flow definition: ${result.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    ) as Error & { code: string; issues: Issue[] };
    error.code = 'FLOW_INVALID';
    error.issues = result;
    throw error;
  }
  return result;
}
