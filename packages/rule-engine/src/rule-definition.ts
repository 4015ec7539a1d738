// Automation rule definitions (the JSON the API stores) and their normalisation.
import { parseCron } from './cron.js';
import { isValidTimeZone } from './date-time.js';
import { RuleError } from './rule-error.js';
import { SYSTEM_FIELDS, validateRule } from './validate-rule.js';
import type { Issue, JsonLogic, RuleEngine } from './types.js';

/** Localized text: a string or `{ 'zh-CN': …, en?: … }`. */
export type LocalizedText =
  string | { 'zh-CN': string; en?: string; [locale: string]: string | undefined };

export type TimeOffsetUnit = 'minutes' | 'hours' | 'days';

export type RuleTrigger =
  | { type: 'record_created' }
  /** `fields`: only when at least one of them changed. */
  | { type: 'record_updated'; fields?: readonly string[] }
  | { type: 'record_deleted' }
  | { type: 'stage_entered'; stage: string }
  | { type: 'stage_left'; stage: string }
  /** Cron (`m h dom mon dow`) in an IANA time zone; the condition is checked per record the host passes. */
  | { type: 'schedule'; cron: string; timeZone: string }
  /**
   * N (working) minutes/hours/days after a date field of the record; when the timer fires the
   * condition is checked again ("if it still holds then").
   */
  | {
      type: 'relative_time';
      field: string;
      amount: number;
      unit: TimeOffsetUnit;
      working: boolean;
    };

export type NotifyTarget =
  | { type: 'owner' }
  | { type: 'owner_manager' }
  | { type: 'role'; role: string }
  | { type: 'user'; userId: string };

export type OwnerPool = { users?: readonly string[]; team?: string; role?: string };

export type RuleAction =
  /** `value` is JsonLogic evaluated against the record when the rule fires. */
  | { type: 'set_field'; field: string; value: JsonLogic }
  | { type: 'assign_owner'; strategy: 'round_robin' | 'least_open'; pool: OwnerPool }
  | { type: 'assign_owner'; strategy: 'fixed'; userId: string }
  | { type: 'assign_owner'; strategy: 'from_field'; field: string }
  /** Creates a record of another form (a task, a follow-up); `values` are JsonLogic per field. */
  | { type: 'create_record'; form: string; values: Readonly<Record<string, JsonLogic>> }
  | {
      type: 'notify';
      channel: 'in_app' | 'email';
      to: readonly NotifyTarget[];
      title: LocalizedText;
      body?: LocalizedText;
    }
  /** `payload`: JsonLogic per key, evaluated when the rule fires. */
  | { type: 'webhook'; url: string; payload?: Readonly<Record<string, JsonLogic>> }
  | { type: 'transition_stage'; stage: string }
  | { type: 'return_to_pool'; pool?: string; reason?: LocalizedText }
  | { type: 'escalate'; to: NotifyTarget; message?: LocalizedText };

export type RuleDefinition = {
  id: string;
  name: LocalizedText;
  /** The form (record type) the rule watches, e.g. `lead`. */
  form: string;
  enabled: boolean;
  trigger: RuleTrigger;
  /** JsonLogic over the record; null = always. */
  condition: JsonLogic | null;
  actions: readonly RuleAction[];
  /** Lower runs first (default 100); ties keep the order given. */
  priority: number;
};

export type NormalizeRuleOptions = {
  /** Field ids of the rule's form: enables unknown-field checks in conditions and triggers. */
  fields?: readonly string[];
  engine?: RuleEngine;
};

const ID = /^[a-z][a-z0-9_]{0,62}$/;
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Collector {
  readonly issues: Issue[] = [];
  add(path: string, code: string, message: string): void {
    this.issues.push({ path, code, message });
  }
  string(obj: Obj, key: string, path: string, pattern?: RegExp): string | undefined {
    const value = obj[key];
    const at = path === '' ? key : `${path}.${key}`;
    if (typeof value !== 'string' || value.trim() === '') {
      this.add(at, 'required', `${key} is required`);
      return undefined;
    }
    if (pattern !== undefined && !pattern.test(value)) {
      this.add(at, 'invalid_format', `${key} "${value}" must match ${pattern}`);
      return undefined;
    }
    return value;
  }
  text(value: unknown, path: string, required: boolean): LocalizedText | undefined {
    if (value === undefined && !required) return undefined;
    if (typeof value === 'string' && value.trim() !== '') return value;
    if (isObject(value) && typeof value['zh-CN'] === 'string' && value['zh-CN'] !== '') {
      const ok = Object.values(value).every((v) => v === undefined || typeof v === 'string');
      if (ok) return value as LocalizedText;
    }
    this.add(path, 'invalid_text', 'text is a non-empty string or { "zh-CN": …, "en"?: … }');
    return undefined;
  }
}

function join(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`;
}

function checkField(
  c: Collector,
  field: unknown,
  path: string,
  fields: ReadonlySet<string> | undefined,
): string | undefined {
  if (typeof field !== 'string' || !/^[a-z][a-z0-9_]{0,62}(\.[a-z][a-z0-9_]{0,62})*$/.test(field)) {
    c.add(path, 'invalid_field', 'a field id such as "phone" or "customer.level"');
    return undefined;
  }
  if (fields !== undefined && !fields.has(field) && !fields.has(field.split('.')[0] as string)) {
    c.add(path, 'unknown_field', `unknown field "${field}"`);
  }
  return field;
}

function logic(
  c: Collector,
  value: unknown,
  path: string,
  options: NormalizeRuleOptions,
  fields?: readonly string[],
): void {
  for (const issue of validateRule(value, { engine: options.engine, fields })) {
    c.add(issue.path === '' ? path : join(path, issue.path), issue.code, issue.message);
  }
}

function trigger(
  c: Collector,
  raw: unknown,
  fields: ReadonlySet<string> | undefined,
): RuleTrigger | undefined {
  const path = 'trigger';
  if (!isObject(raw)) {
    c.add(path, 'required', 'trigger is required');
    return undefined;
  }
  switch (raw.type) {
    case 'record_created':
    case 'record_deleted':
      return { type: raw.type };
    case 'record_updated': {
      if (raw.fields === undefined) return { type: 'record_updated' };
      if (!Array.isArray(raw.fields) || raw.fields.length === 0) {
        c.add('trigger.fields', 'invalid_fields', 'fields is a non-empty list of field ids');
        return undefined;
      }
      const list = raw.fields.map((f, i) => checkField(c, f, `trigger.fields.${i}`, fields));
      return list.every((f) => f !== undefined)
        ? { type: 'record_updated', fields: list as string[] }
        : undefined;
    }
    case 'stage_entered':
    case 'stage_left': {
      const stage = c.string(raw, 'stage', path, ID);
      return stage === undefined ? undefined : { type: raw.type, stage };
    }
    case 'schedule': {
      const cron = c.string(raw, 'cron', path);
      if (cron !== undefined) {
        try {
          parseCron(cron);
        } catch (error) {
          if (!(error instanceof RuleError)) throw error;
          c.add('trigger.cron', error.code, error.message);
        }
      }
      const timeZone = raw.timeZone;
      if (!isValidTimeZone(timeZone))
        c.add('trigger.timeZone', 'invalid_time_zone', 'timeZone must be an IANA time zone');
      return cron !== undefined && isValidTimeZone(timeZone)
        ? { type: 'schedule', cron, timeZone: timeZone as string }
        : undefined;
    }
    case 'relative_time': {
      const field = checkField(c, raw.field, 'trigger.field', fields);
      const amount = raw.amount;
      if (
        typeof amount !== 'number' ||
        !Number.isFinite(amount) ||
        amount < 0 ||
        amount > 100_000
      ) {
        c.add('trigger.amount', 'invalid_amount', 'amount is a number from 0 to 100000');
      }
      const unit = raw.unit;
      if (unit !== 'minutes' && unit !== 'hours' && unit !== 'days') {
        c.add('trigger.unit', 'invalid_unit', 'unit is minutes, hours or days');
      }
      const working = raw.working ?? false;
      if (typeof working !== 'boolean')
        c.add('trigger.working', 'invalid_type', 'working is true or false');
      if (working === true && unit === 'days' && !Number.isInteger(amount)) {
        c.add('trigger.amount', 'invalid_amount', 'working days are whole numbers');
      }
      if (field === undefined || typeof amount !== 'number' || typeof working !== 'boolean')
        return undefined;
      if (unit !== 'minutes' && unit !== 'hours' && unit !== 'days') return undefined;
      return { type: 'relative_time', field, amount, unit, working };
    }
    default:
      c.add('trigger.type', 'invalid_trigger', `unknown trigger type ${JSON.stringify(raw.type)}`);
      return undefined;
  }
}

function target(c: Collector, raw: unknown, path: string): NotifyTarget | undefined {
  if (!isObject(raw)) {
    c.add(path, 'invalid_target', 'a recipient is { type: owner | owner_manager | role | user }');
    return undefined;
  }
  switch (raw.type) {
    case 'owner':
    case 'owner_manager':
      return { type: raw.type };
    case 'role': {
      const role = c.string(raw, 'role', path);
      return role === undefined ? undefined : { type: 'role', role };
    }
    case 'user': {
      const userId = c.string(raw, 'userId', path);
      return userId === undefined ? undefined : { type: 'user', userId };
    }
    default:
      c.add(
        join(path, 'type'),
        'invalid_target',
        'a recipient is owner, owner_manager, role or user',
      );
      return undefined;
  }
}

function logicMap(
  c: Collector,
  raw: unknown,
  path: string,
  options: NormalizeRuleOptions,
  keyPattern: RegExp,
): Record<string, JsonLogic> | undefined {
  if (!isObject(raw)) {
    c.add(path, 'invalid_values', 'an object of field → value (JsonLogic)');
    return undefined;
  }
  const out: Record<string, JsonLogic> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!keyPattern.test(key))
      c.add(join(path, key), 'invalid_field', `"${key}" is not a valid key`);
    logic(c, value, join(path, key), options, options.fields);
    out[key] = value;
  }
  return out;
}

function action(
  c: Collector,
  raw: unknown,
  path: string,
  options: NormalizeRuleOptions,
  fields: ReadonlySet<string> | undefined,
): RuleAction | undefined {
  if (!isObject(raw)) {
    c.add(path, 'invalid_action', 'an action is an object with a type');
    return undefined;
  }
  const before = c.issues.length;
  let out: RuleAction | undefined;
  switch (raw.type) {
    case 'set_field': {
      const field = checkField(c, raw.field, join(path, 'field'), fields);
      if (!('value' in raw))
        c.add(join(path, 'value'), 'required', 'value is required (JsonLogic)');
      else logic(c, raw.value, join(path, 'value'), options, options.fields);
      if (field !== undefined) out = { type: 'set_field', field, value: raw.value };
      break;
    }
    case 'assign_owner': {
      const strategy = raw.strategy;
      if (strategy === 'round_robin' || strategy === 'least_open') {
        const pool = raw.pool;
        if (!isObject(pool)) {
          c.add(join(path, 'pool'), 'required', 'pool is { users?, team?, role? }');
          break;
        }
        const users = pool.users;
        if (
          users !== undefined &&
          (!Array.isArray(users) ||
            users.length === 0 ||
            !users.every((u) => typeof u === 'string' && u !== ''))
        ) {
          c.add(join(path, 'pool.users'), 'invalid_users', 'users is a non-empty list of user ids');
        }
        for (const key of ['team', 'role'] as const) {
          if (pool[key] !== undefined && (typeof pool[key] !== 'string' || pool[key] === '')) {
            c.add(join(path, `pool.${key}`), 'invalid_type', `${key} is an id`);
          }
        }
        if (users === undefined && pool.team === undefined && pool.role === undefined) {
          c.add(join(path, 'pool'), 'required', 'a pool names users, a team or a role');
        }
        out = { type: 'assign_owner', strategy, pool: pool as OwnerPool };
      } else if (strategy === 'fixed') {
        const userId = c.string(raw, 'userId', path);
        if (userId !== undefined) out = { type: 'assign_owner', strategy, userId };
      } else if (strategy === 'from_field') {
        const field = checkField(c, raw.field, join(path, 'field'), fields);
        if (field !== undefined) out = { type: 'assign_owner', strategy, field };
      } else {
        c.add(
          join(path, 'strategy'),
          'invalid_strategy',
          'strategy is round_robin, least_open, fixed or from_field',
        );
      }
      break;
    }
    case 'create_record': {
      const form = c.string(raw, 'form', path, ID);
      const values = logicMap(
        c,
        raw.values ?? {},
        join(path, 'values'),
        { ...options, fields: undefined },
        ID,
      );
      if (form !== undefined && values !== undefined) out = { type: 'create_record', form, values };
      break;
    }
    case 'notify': {
      const channel = raw.channel;
      if (channel !== 'in_app' && channel !== 'email')
        c.add(join(path, 'channel'), 'invalid_channel', 'channel is in_app or email');
      const to = Array.isArray(raw.to)
        ? raw.to.map((t, i) => target(c, t, join(path, `to.${i}`)))
        : [];
      if (!Array.isArray(raw.to) || raw.to.length === 0)
        c.add(join(path, 'to'), 'required', 'at least one recipient');
      const title = c.text(raw.title, join(path, 'title'), true);
      const body = c.text(raw.body, join(path, 'body'), false);
      if (
        (channel === 'in_app' || channel === 'email') &&
        title !== undefined &&
        to.every((t) => t !== undefined)
      ) {
        out = {
          type: 'notify',
          channel,
          to: to as NotifyTarget[],
          title,
          ...(body === undefined ? {} : { body }),
        };
      }
      break;
    }
    case 'webhook': {
      const url = raw.url;
      let ok = false;
      if (typeof url === 'string') {
        try {
          const u = new URL(url);
          ok = u.protocol === 'https:' || u.protocol === 'http:';
        } catch {
          ok = false;
        }
      }
      if (!ok) c.add(join(path, 'url'), 'invalid_url', 'url is an absolute http(s) URL');
      const payload =
        raw.payload === undefined
          ? undefined
          : logicMap(
              c,
              raw.payload,
              join(path, 'payload'),
              options,
              /^[A-Za-z_][A-Za-z0-9_]{0,62}$/,
            );
      if (ok)
        out = {
          type: 'webhook',
          url: url as string,
          ...(payload === undefined ? {} : { payload }),
        };
      break;
    }
    case 'transition_stage': {
      const stage = c.string(raw, 'stage', path, ID);
      if (stage !== undefined) out = { type: 'transition_stage', stage };
      break;
    }
    case 'return_to_pool': {
      if (raw.pool !== undefined && (typeof raw.pool !== 'string' || raw.pool === '')) {
        c.add(join(path, 'pool'), 'invalid_type', 'pool is an id');
      }
      const reason = c.text(raw.reason, join(path, 'reason'), false);
      out = {
        type: 'return_to_pool',
        ...(typeof raw.pool === 'string' ? { pool: raw.pool } : {}),
        ...(reason === undefined ? {} : { reason }),
      };
      break;
    }
    case 'escalate': {
      const to = target(c, raw.to, join(path, 'to'));
      const message = c.text(raw.message, join(path, 'message'), false);
      if (to !== undefined)
        out = { type: 'escalate', to, ...(message === undefined ? {} : { message }) };
      break;
    }
    default:
      c.add(
        join(path, 'type'),
        'invalid_action',
        `unknown action type ${JSON.stringify(raw.type)}`,
      );
  }
  return c.issues.length === before ? out : undefined;
}

/**
 * Parses a stored rule definition. Returns `{ rule }` (normalized: defaults filled in) or
 * `{ issues }` with every problem found, each with a dotted path.
 */
export function normalizeRuleDefinition(
  raw: unknown,
  options: NormalizeRuleOptions = {},
): { rule: RuleDefinition; issues?: undefined } | { rule?: undefined; issues: Issue[] } {
  const c = new Collector();
  if (!isObject(raw))
    return {
      issues: [{ path: '', code: 'invalid_rule', message: 'a rule definition is an object' }],
    };
  const fields =
    options.fields === undefined ? undefined : new Set([...SYSTEM_FIELDS, ...options.fields]);
  const id = c.string(raw, 'id', '', RULE_ID);
  const name = c.text(raw.name, 'name', true);
  const form = c.string(raw, 'form', '', ID);
  const enabled = raw.enabled ?? true;
  if (typeof enabled !== 'boolean') c.add('enabled', 'invalid_type', 'enabled is true or false');
  const priority = raw.priority ?? 100;
  if (typeof priority !== 'number' || !Number.isInteger(priority))
    c.add('priority', 'invalid_type', 'priority is an integer');
  const trig = trigger(c, raw.trigger, fields);
  const condition = raw.condition === undefined ? null : raw.condition;
  if (condition !== null) logic(c, condition, 'condition', options, options.fields);
  const actions: RuleAction[] = [];
  if (!Array.isArray(raw.actions) || raw.actions.length === 0) {
    c.add('actions', 'required', 'at least one action');
  } else {
    raw.actions.forEach((a, i) => {
      const parsed = action(c, a, `actions.${i}`, options, fields);
      if (parsed !== undefined) actions.push(parsed);
    });
  }
  if (
    c.issues.length > 0 ||
    id === undefined ||
    name === undefined ||
    form === undefined ||
    trig === undefined
  ) {
    return { issues: c.issues };
  }
  return {
    rule: {
      id,
      name,
      form,
      enabled: enabled as boolean,
      trigger: trig,
      condition,
      actions,
      priority: priority as number,
    },
  };
}
