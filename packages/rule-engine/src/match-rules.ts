// matchRules: which rules an event triggers and the actions to perform, returned as data.
// The engine never performs actions; the host does, and feeds resulting events back in with
// the `cascade` state of the match that caused them (bounded depth, cycle check).
import { addCalendar, DAY, HOUR, MINUTE, parseInstant, toIso } from './date-time.js';
import { compileCore, explain as explainRule } from './evaluate.js';
import { truthy } from './json-logic-core.js';
import { resolveLimits } from './limits.js';
import { getInternals } from './rule-engine.js';
import { RuleError } from './rule-error.js';
import { createRuntime } from './runtime.js';
import type {
  LocalizedText,
  NotifyTarget,
  OwnerPool,
  RuleAction,
  RuleDefinition,
} from './rule-definition.js';
import type {
  EvaluateOptions,
  ExplainNode,
  JsonLogic,
  RuleEngine,
  RuleLimits,
  WorkingCalendar,
} from './types.js';
import { addWorkingMs, prepareCalendar } from './working-calendar.js';

export type RecordData = Readonly<Record<string, unknown>>;

/** What happened. `form` is the record's form id; `id` (optional) makes idempotency keys. */
export type RuleEvent =
  | { type: 'record_created'; form: string; record: RecordData; id?: string }
  | { type: 'record_updated'; form: string; record: RecordData; before: RecordData; id?: string }
  | { type: 'record_deleted'; form: string; record: RecordData; id?: string }
  /** A cron tick of a schedule rule, evaluated for one record of its form. */
  | { type: 'schedule'; form: string; record: RecordData; ruleId: string; id?: string }
  /** A relative-time timer (from `timers` of an earlier match) came due. */
  | { type: 'timer'; form: string; record: RecordData; ruleId: string; id?: string };

/** Cascade position: how many rule-caused events led here, and which rule@record fired. */
export type CascadeState = { depth: number; chain: readonly string[] };

export type MatchContext = {
  /** The current instant (ISO or Date); the engine has no clock. */
  now: string | Date;
  timeZone?: string;
  calendar?: WorkingCalendar;
  engine?: RuleEngine;
  limits?: Partial<RuleLimits>;
  /** Explain each condition (default true). */
  explain?: boolean;
  /** From the match whose action caused this event; omitted for user-caused events. */
  cascade?: CascadeState;
  /** Maximum cascade depth (default 5). */
  maxCascadeDepth?: number;
};

/** A rule action with its JsonLogic values evaluated against the record. */
export type ResolvedRuleAction =
  | { type: 'set_field'; field: string; value: unknown }
  | { type: 'assign_owner'; strategy: 'round_robin' | 'least_open'; pool: OwnerPool }
  | { type: 'assign_owner'; strategy: 'fixed'; userId: string }
  | { type: 'assign_owner'; strategy: 'from_field'; field: string; userId: unknown }
  | { type: 'create_record'; form: string; values: Record<string, unknown> }
  | {
      type: 'notify';
      channel: 'in_app' | 'email';
      to: readonly NotifyTarget[];
      title: LocalizedText;
      body?: LocalizedText;
    }
  | { type: 'webhook'; url: string; payload: Record<string, unknown> }
  | { type: 'transition_stage'; stage: string }
  | { type: 'return_to_pool'; pool?: string; reason?: LocalizedText }
  | { type: 'escalate'; to: NotifyTarget; message?: LocalizedText };

export type RuleMatch = {
  ruleId: string;
  recordId: unknown;
  actions: ResolvedRuleAction[];
  /** Why the condition held (null when there is no condition or explain is off). */
  explanation: ExplainNode | null;
  /** Pass as `ctx.cascade` when matching events these actions cause. */
  cascade: CascadeState;
  /** `${event.id}:${ruleId}` when the event has an id: a key for at-least-once delivery. */
  idempotencyKey?: string;
};

/** A timer to (re)schedule: replaces any timer with the same key. */
export type RuleTimer = {
  key: string;
  ruleId: string;
  form: string;
  recordId: unknown;
  dueAt: string;
};

export type MatchResult = {
  matches: RuleMatch[];
  timers: RuleTimer[];
  /** Timers to cancel (the record was deleted, or its date field was cleared). */
  cancelTimers: { key: string; ruleId: string; recordId: unknown }[];
  /** Rules that could not be evaluated or were stopped by the cycle check. */
  errors: { ruleId: string; code: string; message: string; path: string }[];
};

export const DEFAULT_MAX_CASCADE_DEPTH = 5;

function triggered(rule: RuleDefinition, event: RuleEvent): boolean {
  const t = rule.trigger;
  switch (event.type) {
    case 'record_created':
      return (
        t.type === 'record_created' ||
        (t.type === 'stage_entered' && event.record.stage === t.stage)
      );
    case 'record_updated': {
      if (t.type === 'record_updated') {
        if (t.fields === undefined) return true;
        return t.fields.some(
          (f) => !sameJson(readField(event.before, f), readField(event.record, f)),
        );
      }
      const from = event.before.stage;
      const to = event.record.stage;
      if (from === to) return false;
      if (t.type === 'stage_entered') return to === t.stage;
      if (t.type === 'stage_left') return from === t.stage;
      return false;
    }
    case 'record_deleted':
      return t.type === 'record_deleted';
    case 'schedule':
      return t.type === 'schedule' && event.ruleId === rule.id;
    case 'timer':
      return t.type === 'relative_time' && event.ruleId === rule.id;
  }
}

function readField(record: RecordData | undefined, path: string): unknown {
  let current: unknown = record;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment))
      return null;
    current = (current as Record<string, unknown>)[segment];
  }
  return current === undefined ? null : current;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date || b instanceof Date) {
    return parseInstant(a, 'UTC') !== null && parseInstant(a, 'UTC') === parseInstant(b, 'UTC');
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** When a relative-time rule's timer is due for a record, or null when the date field is empty. */
export function relativeDueAt(
  rule: RuleDefinition,
  record: RecordData,
  ctx: { timeZone?: string; calendar?: WorkingCalendar },
): string | null {
  const t = rule.trigger;
  if (t.type !== 'relative_time') return null;
  const timeZone = ctx.timeZone ?? ctx.calendar?.timeZone ?? 'UTC';
  const start = parseInstant(readField(record, t.field), timeZone);
  if (start === null) return null;
  if (t.working) {
    const calendar = prepareCalendar(ctx.calendar);
    if (t.unit === 'days') {
      return toIso(addWorkingMs(calendar, start, t.amount * calendar.minutesPerDay * MINUTE));
    }
    return toIso(addWorkingMs(calendar, start, t.amount * (t.unit === 'hours' ? HOUR : MINUTE)));
  }
  if (t.unit === 'days' && Number.isInteger(t.amount))
    return toIso(addCalendar(start, t.amount, 'days', timeZone));
  return toIso(start + t.amount * (t.unit === 'hours' ? HOUR : t.unit === 'days' ? DAY : MINUTE));
}

function resolveActions(
  actions: readonly RuleAction[],
  run: (logic: JsonLogic) => unknown,
  record: RecordData,
): ResolvedRuleAction[] {
  const map = (
    values: Readonly<Record<string, JsonLogic>> | undefined,
  ): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values ?? {})) out[key] = run(value);
    return out;
  };
  return actions.map((a): ResolvedRuleAction => {
    switch (a.type) {
      case 'set_field':
        return { type: 'set_field', field: a.field, value: run(a.value) };
      case 'create_record':
        return { type: 'create_record', form: a.form, values: map(a.values) };
      case 'webhook':
        return { type: 'webhook', url: a.url, payload: map(a.payload) };
      case 'assign_owner':
        if (a.strategy === 'from_field') return { ...a, userId: readField(record, a.field) };
        return { ...a };
      default:
        return { ...a };
    }
  });
}

/**
 * Matches `rules` (normalized definitions) against one event. Returns the actions to perform
 * (values evaluated), with an explanation; timers to schedule for relative-time rules; and
 * per-rule errors. Throws `cascade_depth_exceeded` when `ctx.cascade` is deeper than allowed.
 */
export function matchRules(
  rules: readonly RuleDefinition[],
  event: RuleEvent,
  ctx: MatchContext,
): MatchResult {
  const result: MatchResult = { matches: [], timers: [], cancelTimers: [], errors: [] };
  const cascade = ctx.cascade ?? { depth: 0, chain: [] };
  const maxDepth = ctx.maxCascadeDepth ?? DEFAULT_MAX_CASCADE_DEPTH;
  if (cascade.depth > maxDepth) {
    throw new RuleError(
      'cascade_depth_exceeded',
      `rules triggered each other more than ${maxDepth} levels deep: ${cascade.chain.join(' → ')}`,
    );
  }
  const limits = resolveLimits(ctx.limits);
  const { eager } = getInternals(ctx.engine);
  const timeZone = ctx.timeZone ?? ctx.calendar?.timeZone ?? 'UTC';
  const nowMs = parseInstant(ctx.now, timeZone);
  if (nowMs === null) throw new RuleError('invalid_now', 'ctx.now is not a valid instant');
  const options: EvaluateOptions = {
    now: ctx.now,
    timeZone,
    ...(ctx.calendar === undefined ? {} : { calendar: ctx.calendar }),
    ...(ctx.engine === undefined ? {} : { engine: ctx.engine }),
    ...(ctx.limits === undefined ? {} : { limits: ctx.limits }),
    ...(event.type === 'record_updated' ? { before: event.before } : {}),
  };
  const rt = createRuntime(options, eager);
  const record = event.record;
  const recordId = record.id ?? null;
  const run = (logic: JsonLogic): unknown => {
    rt.steps = 0;
    rt.root = record;
    return compileCore(logic, ctx.engine, limits)(record, rt);
  };
  const ordered = rules
    .map((rule, index) => ({ rule, index }))
    .filter(({ rule }) => rule.enabled && rule.form === event.form)
    .sort((a, b) => a.rule.priority - b.rule.priority || a.index - b.index);

  for (const { rule } of ordered) {
    const key = `${rule.id}:${String(recordId)}`;
    try {
      // Relative-time rules schedule timers on create/update and cancel them on delete.
      if (
        rule.trigger.type === 'relative_time' &&
        event.type !== 'timer' &&
        event.type !== 'schedule'
      ) {
        if (event.type === 'record_deleted') {
          result.cancelTimers.push({ key, ruleId: rule.id, recordId });
        } else if (
          event.type === 'record_created' ||
          !sameJson(
            readField(event.before, rule.trigger.field),
            readField(record, rule.trigger.field),
          )
        ) {
          const dueAt = relativeDueAt(rule, record, ctx);
          if (dueAt === null) result.cancelTimers.push({ key, ruleId: rule.id, recordId });
          else result.timers.push({ key, ruleId: rule.id, form: rule.form, recordId, dueAt });
        }
      }
      if (!triggered(rule, event)) continue;
      if (event.type === 'timer') {
        // A stale timer (the date field moved later) is not due yet.
        const dueAt = relativeDueAt(rule, record, ctx);
        if (dueAt === null || Date.parse(dueAt) > nowMs) continue;
      }
      let explanation: ExplainNode | null = null;
      if (rule.condition !== null) {
        const holds = truthy(run(rule.condition));
        if (!holds) continue;
        if (ctx.explain !== false) explanation = explainRule(rule.condition, record, options);
      }
      const link = `${rule.id}@${String(recordId)}`;
      if (cascade.chain.includes(link)) {
        result.errors.push({
          ruleId: rule.id,
          code: 'cascade_cycle',
          message: `rule "${rule.id}" would fire again on record ${String(recordId)} in one cascade: ${[...cascade.chain, link].join(' → ')}`,
          path: '',
        });
        continue;
      }
      const match: RuleMatch = {
        ruleId: rule.id,
        recordId,
        actions: resolveActions(rule.actions, run, record),
        explanation,
        cascade: { depth: cascade.depth + 1, chain: [...cascade.chain, link] },
      };
      if (event.id !== undefined) match.idempotencyKey = `${event.id}:${rule.id}`;
      result.matches.push(match);
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      result.errors.push({
        ruleId: rule.id,
        code: error.code,
        message: error.message,
        path: error.path,
      });
    }
  }
  return result;
}
