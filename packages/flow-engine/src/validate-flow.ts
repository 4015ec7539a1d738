// validateFlow: every problem with a definition at once, with dotted paths.
import type { Issue } from '@trellis/rule-engine';
import { normalizeFlow } from './normalize-flow.js';
import { ruleIssues, SYSTEM_FIELDS } from './rules.js';
import type {
  ApproverSpec,
  EffectSpec,
  FlowDefinition,
  Recipient,
  TimerDef,
  TransitionDef,
} from './types.js';

/** Fields the engine stamps itself on entry: a definition may not set them. */
const ENGINE_FIELDS = ['stage', 'stage_entered_at'];

const STATE_TIMER_ACTIONS = ['remind', 'escalate', 'fireEvent'];
const STEP_TIMER_ACTIONS = ['remind', 'escalate', 'autoApprove', 'return', 'reassign'];

export type ValidateFlowOptions = {
  /** The record's user field ids; when given, rules and field references are checked against them (system fields are always known). */
  fields?: readonly string[];
};

function sources(t: TransitionDef, def: FlowDefinition): string[] {
  const ids =
    t.from === '*'
      ? def.states.filter((s) => s.kind === 'normal' && s.id !== t.to).map((s) => s.id)
      : t.from;
  return [...new Set(ids)];
}

/**
 * Validates a definition (raw JSON or normalized): shape issues first (from
 * normalizeFlow); on a well-formed definition, every semantic issue: unknown
 * and duplicate ids, unreachable states, non-final dead ends, duplicate events
 * from one state, rules and field references naming unknown fields, approval
 * steps without approvers, timer actions that do not fit their place.
 */
export function validateFlow(raw: unknown, options: ValidateFlowOptions = {}): Issue[] {
  const normalized = normalizeFlow(raw);
  if (Array.isArray(normalized)) return normalized;
  const def = normalized;
  const issues: Issue[] = [];
  const add = (path: string, code: string, message: string): void => {
    issues.push({ path, code, message });
  };
  const known =
    options.fields === undefined ? null : new Set([...SYSTEM_FIELDS, ...options.fields]);
  const field = (name: string, path: string): void => {
    if (known !== null && !known.has(name)) add(path, 'unknown_field', `Unknown field ${name}.`);
  };
  const rule = (logic: unknown, path: string): void => {
    for (const i of ruleIssues(logic, options.fields)) {
      add(i.path === '' ? path : `${path}.${i.path}`, i.code, i.message);
    }
  };
  const recipient = (r: Recipient, path: string): void => {
    if (r.kind === 'userField') field(r.field, `${path}.field`);
  };
  const approver = (a: ApproverSpec, path: string): void => {
    if (a.kind === 'userField') field(a.field, `${path}.field`);
  };
  const effects = (list: readonly EffectSpec[], path: string): void => {
    list.forEach((e, i) => {
      const p = `${path}.${i}`;
      if (e.type === 'setField') {
        if (ENGINE_FIELDS.includes(e.field)) {
          add(`${p}.field`, 'reserved_field', `${e.field} is stamped by the flow engine itself.`);
        } else field(e.field, `${p}.field`);
      } else if (e.type === 'createTask') recipient(e.assignee, `${p}.assignee`);
      else e.to.forEach((r, j) => recipient(r, `${p}.to.${j}`));
    });
  };
  const timers = (list: readonly TimerDef[], path: string, allowed: string[]): void => {
    const seen = new Set<string>();
    list.forEach((t, i) => {
      const p = `${path}.${i}`;
      if (seen.has(t.id)) add(`${p}.id`, 'duplicate_timer', `Timer ${t.id} is defined twice here.`);
      seen.add(t.id);
      if (!allowed.includes(t.action.kind)) {
        add(
          `${p}.action`,
          'invalid_timer_action',
          `${t.action.kind} is not available here (use ${allowed.join(', ')}).`,
        );
      }
      if (t.action.kind === 'remind')
        t.action.to?.forEach((r, j) => recipient(r, `${p}.action.to.${j}`));
      if (t.action.kind === 'reassign') {
        if (t.action.to.length === 0) add(`${p}.action.to`, 'no_approvers', 'Reassign to whom?');
        t.action.to.forEach((a, j) => approver(a, `${p}.action.to.${j}`));
      }
    });
  };

  // States.
  const stateIndex = new Map<string, number>();
  def.states.forEach((s, i) => {
    if (stateIndex.has(s.id))
      add(`states.${i}.id`, 'duplicate_state', `State ${s.id} is defined twice.`);
    else stateIndex.set(s.id, i);
    s.requiredFields.forEach((f, j) => field(f, `states.${i}.requiredFields.${j}`));
    effects(s.onEnter, `states.${i}.onEnter`);
    effects(s.onExit, `states.${i}.onExit`);
    timers(s.timers, `states.${i}.timers`, STATE_TIMER_ACTIONS);
  });
  if (def.states.length === 0) add('states', 'no_states', 'A flow needs at least one state.');
  if (def.states.length > 0 && !stateIndex.has(def.initial)) {
    add('initial', 'unknown_state', `Initial state ${def.initial} is not defined.`);
  }

  // Transitions.
  const transitionIds = new Set<string>();
  const eventsByState = new Map<string, Map<string, string>>();
  const edges = new Map<string, string[]>();
  def.transitions.forEach((t, i) => {
    const p = `transitions.${i}`;
    if (transitionIds.has(t.id))
      add(`${p}.id`, 'duplicate_transition', `Transition ${t.id} is defined twice.`);
    transitionIds.add(t.id);
    if (!stateIndex.has(t.to)) add(`${p}.to`, 'unknown_state', `State ${t.to} is not defined.`);
    if (t.from !== '*') {
      t.from.forEach((f, j) => {
        if (!stateIndex.has(f))
          add(`${p}.from.${j}`, 'unknown_state', `State ${f} is not defined.`);
      });
    }
    for (const s of sources(t, def)) {
      if (!stateIndex.has(s)) continue;
      const events = eventsByState.get(s) ?? new Map<string, string>();
      eventsByState.set(s, events);
      const other = events.get(t.event);
      if (other !== undefined) {
        add(
          `${p}.event`,
          'duplicate_event',
          `Event ${t.event} from ${s} is already used by transition ${other}.`,
        );
      } else events.set(t.event, t.id);
      if (stateIndex.has(t.to)) edges.set(s, [...(edges.get(s) ?? []), t.to]);
    }
    if (t.guard !== null) rule(t.guard, `${p}.guard`);
    t.requiredFields.forEach((f, j) => field(f, `${p}.requiredFields.${j}`));
    if (t.allowed !== null) {
      if (t.allowed.userField !== null) field(t.allowed.userField, `${p}.allowed.userField`);
      if (t.allowed.roles.length === 0 && !t.allowed.owner && t.allowed.userField === null) {
        add(`${p}.allowed`, 'nobody_allowed', 'Nobody may fire this transition.');
      }
    }
    effects(t.effects, `${p}.effects`);
    if (t.approval !== null) {
      if (t.approval.steps.length === 0) {
        add(`${p}.approval.steps`, 'no_steps', 'An approval needs at least one step.');
      }
      const stepIds = new Set<string>();
      t.approval.steps.forEach((s, j) => {
        const sp = `${p}.approval.steps.${j}`;
        if (stepIds.has(s.id)) add(`${sp}.id`, 'duplicate_step', `Step ${s.id} is defined twice.`);
        stepIds.add(s.id);
        if (s.when !== null) rule(s.when, `${sp}.when`);
        if (s.approvers.length === 0)
          add(`${sp}.approvers`, 'no_approvers', 'Who approves this step?');
        s.approvers.forEach((a, k) => approver(a, `${sp}.approvers.${k}`));
        timers(s.timers, `${sp}.timers`, STEP_TIMER_ACTIONS);
      });
    }
  });

  // Timers that fire an event need that event from their state.
  def.states.forEach((s, i) => {
    s.timers.forEach((t, j) => {
      if (t.action.kind === 'fireEvent' && eventsByState.get(s.id)?.has(t.action.event) !== true) {
        add(
          `states.${i}.timers.${j}.action.event`,
          'unknown_event',
          `No transition for ${t.action.event} leaves ${s.id}.`,
        );
      }
    });
  });

  // Reachability from the initial state, dead ends, and states with no way to an end.
  const reached = new Set<string>();
  if (stateIndex.has(def.initial)) {
    const queue = [def.initial];
    reached.add(def.initial);
    for (let q = 0; q < queue.length; q++) {
      for (const next of edges.get(queue[q] as string) ?? []) {
        if (!reached.has(next)) {
          reached.add(next);
          queue.push(next);
        }
      }
    }
  }
  const terminals = def.states.filter((s) => s.kind !== 'normal').map((s) => s.id);
  const canEnd = new Set<string>(terminals);
  for (let changed = true; changed;) {
    changed = false;
    for (const [s, targets] of edges) {
      if (!canEnd.has(s) && targets.some((t) => canEnd.has(t))) {
        canEnd.add(s);
        changed = true;
      }
    }
  }
  def.states.forEach((s, i) => {
    if (stateIndex.get(s.id) !== i) return;
    if (stateIndex.has(def.initial) && !reached.has(s.id)) {
      add(`states.${i}`, 'unreachable_state', `No path leads from ${def.initial} to ${s.id}.`);
    }
    if (s.kind === 'normal' && (edges.get(s.id) ?? []).length === 0) {
      add(
        `states.${i}`,
        'dead_end',
        `${s.id} is not final (won, lost or final) but nothing leaves it.`,
      );
    } else if (s.kind === 'normal' && terminals.length > 0 && !canEnd.has(s.id)) {
      add(`states.${i}`, 'no_way_out', `No path leads from ${s.id} to a final state.`);
    }
  });
  return issues;
}
