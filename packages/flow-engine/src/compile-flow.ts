// The indexed, precompiled form of a definition, built once per definition
// object (WeakMap cache) so a transition is a couple of map look-ups, a
// compiled guard call and a few allocations. Definitions are treated as
// immutable once passed in.
import { durationMs } from './duration.js';
import { compileRule, type CompiledRule } from './rules.js';
import type {
  ApprovalStepDef,
  Effect,
  FlowDefinition,
  StateDef,
  TimerDef,
  TransitionDef,
} from './types.js';

export type CompiledTimer = {
  def: TimerDef;
  ms: number;
  /** State timers: key = keyHead + entrySeq + keyTail. */
  keyHead: string;
  keyTail: string;
};

export type CompiledRuleSlot = { rule: CompiledRule | null; error: string | null };

export type CompiledStep = {
  def: ApprovalStepDef;
  when: CompiledRuleSlot | null;
  timers: CompiledTimer[];
};

export type CompiledTransition = {
  def: TransitionDef;
  /** Position in def.transitions (for refusal paths). */
  index: number;
  id: string;
  event: string;
  to: CompiledState;
  guard: CompiledRuleSlot | null;
  /** The transition's required fields plus the target state's. */
  required: string[];
  steps: CompiledStep[] | null;
};

export type CompiledState = {
  def: StateDef;
  id: string;
  /** Null-prototype dictionary: faster than a Map for a handful of string keys. */
  byEvent: Record<string, CompiledTransition | undefined>;
  /** The same, as parallel arrays (first transition per event). */
  eventNames: string[];
  eventTargets: CompiledTransition[];
  byTarget: Map<string, CompiledTransition[]>;
  outgoing: CompiledTransition[];
  timers: CompiledTimer[];
  /** No onEnter effects and no timers: entering it is only the stage stamps. */
  plainEntry: boolean;
  /** No onExit effects and no timers: leaving it emits nothing. */
  plainExit: boolean;
  /** Shared, frozen: setField stage and probability. */
  stageEffect: Effect;
  probabilityEffect: Effect | null;
};

export type CompiledFlow = {
  def: FlowDefinition;
  id: string;
  version: number;
  keyPrefix: string;
  states: Map<string, CompiledState>;
  /** The same states as a null-prototype dictionary, for the hot path. */
  stateIndex: Record<string, CompiledState | undefined>;
  transitions: Map<string, CompiledTransition>;
};

const cache = new WeakMap<FlowDefinition, CompiledFlow>();

function slot(logic: unknown): CompiledRuleSlot | null {
  if (logic === null || logic === undefined) return null;
  try {
    return { rule: compileRule(logic), error: null };
  } catch (error) {
    return { rule: null, error: error instanceof Error ? error.message : String(error) };
  }
}

function timers(defs: TimerDef[], keyHead: string): CompiledTimer[] {
  return defs.map((def) => ({
    def,
    ms: durationMs(def.after) ?? 0,
    keyHead,
    keyTail: `:${def.id}`,
  }));
}

function build(def: FlowDefinition): CompiledFlow {
  const states = new Map<string, CompiledState>();
  const keyPrefix = `${def.id}@${def.version}`;
  for (const s of def.states) {
    if (states.has(s.id)) continue;
    states.set(s.id, {
      def: s,
      id: s.id,
      byEvent: Object.create(null) as Record<string, CompiledTransition | undefined>,
      eventNames: [],
      eventTargets: [],
      byTarget: new Map(),
      outgoing: [],
      timers: timers(s.timers, `${keyPrefix}:state:${s.id}:`),
      plainEntry: s.onEnter.length === 0 && s.timers.length === 0,
      plainExit: s.onExit.length === 0 && s.timers.length === 0,
      stageEffect: Object.freeze({ type: 'setField', field: 'stage', value: s.id }),
      probabilityEffect:
        s.probability === null
          ? null
          : Object.freeze({ type: 'setField', field: 'probability', value: s.probability }),
    });
  }
  const transitions = new Map<string, CompiledTransition>();
  for (const [index, t] of def.transitions.entries()) {
    const to = states.get(t.to);
    if (to === undefined || transitions.has(t.id)) continue;
    const required = [...new Set([...t.requiredFields, ...to.def.requiredFields])];
    const ct: CompiledTransition = {
      def: t,
      index,
      id: t.id,
      event: t.event,
      to,
      guard: slot(t.guard),
      required,
      steps:
        t.approval === null
          ? null
          : t.approval.steps.map((s) => ({
              def: s,
              when: slot(s.when),
              timers: timers(s.timers, ''),
            })),
    };
    transitions.set(t.id, ct);
    const sources = new Set(
      t.from === '*'
        ? def.states.filter((s) => s.kind === 'normal' && s.id !== t.to).map((s) => s.id)
        : t.from,
    );
    for (const sid of sources) {
      const source = states.get(sid);
      if (source === undefined) continue;
      if (source.byEvent[t.event] === undefined) {
        source.byEvent[t.event] = ct;
        source.eventNames.push(t.event);
        source.eventTargets.push(ct);
      }
      const list = source.byTarget.get(t.to);
      if (list === undefined) source.byTarget.set(t.to, [ct]);
      else list.push(ct);
      source.outgoing.push(ct);
    }
  }
  const stateIndex = Object.create(null) as Record<string, CompiledState | undefined>;
  for (const [id, cs] of states) stateIndex[id] = cs;
  return {
    def,
    stateIndex,
    id: def.id,
    version: def.version,
    keyPrefix,
    states,
    transitions,
  };
}

// Hosts reuse one definition object for many records: remember the last one.
let lastDef: FlowDefinition | null = null;
let lastCompiled: CompiledFlow | null = null;

export function compiled(def: FlowDefinition): CompiledFlow {
  if (def === lastDef && lastCompiled !== null) return lastCompiled;
  let cf = cache.get(def);
  if (cf === undefined) {
    cf = build(def);
    cache.set(def, cf);
  }
  lastDef = def;
  lastCompiled = cf;
  return cf;
}

/** The transition for `event` out of `cs`: a linear scan beats hashing for the few edges a state has. */
export function byEvent(cs: CompiledState, event: string): CompiledTransition | undefined {
  const names = cs.eventNames;
  if (names.length <= 8) {
    for (let i = 0; i < names.length; i++) if (names[i] === event) return cs.eventTargets[i];
    return undefined;
  }
  return cs.byEvent[event];
}
