import {
  normalizeFlow,
  type ApprovalStepDef,
  type FlowDefinition,
  type StateDef,
  type StateKind,
  type TimerDef,
  type TransitionDef,
} from '@trellis/flow-engine';

/**
 * The flow designer's document: a flow-engine definition with every default filled in (what
 * `normalizeFlow` returns), plus where each stage sits on the canvas. Positions travel in the
 * draft under `ui` (the engine ignores unknown keys; a published version drops them).
 */
export type FlowDraft = {
  definition: FlowDefinition;
  positions: Record<string, { x: number; y: number }>;
};

/** The pseudo-node standing for `from: '*'` (every open stage). */
export const ANY_STATE = '__any__';

const ID = /^[a-z][a-z0-9_]{0,62}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function emptyFlow(formKey: string, label: FlowDefinition['label']): FlowDefinition {
  return {
    id: ID.test(formKey) ? formKey : 'flow',
    version: 1,
    label,
    initial: '',
    states: [],
    transitions: [],
  };
}

/** Where stages go when the draft has no positions: by order, the ends of the flow below. */
export function defaultPositions(def: FlowDefinition): Record<string, { x: number; y: number }> {
  const out: Record<string, { x: number; y: number }> = {};
  const open = [...def.states].filter((s) => s.kind === 'normal').sort((a, b) => a.order - b.order);
  const ends = [...def.states].filter((s) => s.kind !== 'normal').sort((a, b) => a.order - b.order);
  open.forEach((state, index) => (out[state.id] = { x: 40 + index * 230, y: 60 }));
  ends.forEach(
    (state, index) =>
      (out[state.id] = {
        x: 40 + (open.length - 1) * 230 - (ends.length - 1 - index) * 230,
        y: 260,
      }),
  );
  for (const [id, p] of Object.entries(out))
    if (p.x < 40) out[id] = { x: 40 + Math.abs(p.x), y: p.y };
  return out;
}

function positionsOf(raw: unknown): Record<string, { x: number; y: number }> {
  if (!isObject(raw) || !isObject(raw['ui']) || !isObject(raw['ui']['positions'])) return {};
  const out: Record<string, { x: number; y: number }> = {};
  for (const [id, p] of Object.entries(raw['ui']['positions'])) {
    if (isObject(p) && typeof p['x'] === 'number' && typeof p['y'] === 'number')
      out[id] = { x: p['x'], y: p['y'] };
  }
  return out;
}

/**
 * A saved draft as the designer edits it: normalized by the flow engine when it can be; a draft
 * the engine refuses (saved by another client) is read leniently so it can still be fixed here.
 */
export function draftFromDocument(
  raw: unknown,
  formKey: string,
  label: FlowDefinition['label'],
): FlowDraft {
  if (raw === null || raw === undefined)
    return { definition: emptyFlow(formKey, label), positions: {} };
  const normalized = normalizeFlow(isObject(raw) ? { ...raw, version: 1 } : raw);
  const definition = Array.isArray(normalized) ? lenientFlow(raw, formKey, label) : normalized;
  const saved = positionsOf(raw);
  return { definition, positions: { ...defaultPositions(definition), ...saved } };
}

function text(value: unknown): FlowDefinition['label'] {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value['zh-CN'] === 'string')
    return value as FlowDefinition['label'];
  return null;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function lenientFlow(
  raw: unknown,
  formKey: string,
  label: FlowDefinition['label'],
): FlowDefinition {
  if (!isObject(raw)) return emptyFlow(formKey, label);
  const states: StateDef[] = (Array.isArray(raw['states']) ? raw['states'] : [])
    .filter(isObject)
    .map((s, index) => ({
      id: typeof s['id'] === 'string' ? s['id'] : `stage_${index + 1}`,
      label: text(s['label']) ?? (typeof s['id'] === 'string' ? s['id'] : ''),
      kind: (['normal', 'won', 'lost', 'final'] as const).find((k) => k === s['kind']) ?? 'normal',
      order: typeof s['order'] === 'number' ? s['order'] : index + 1,
      probability: typeof s['probability'] === 'number' ? s['probability'] : null,
      requiredFields: strings(s['requiredFields']),
      onEnter: [],
      onExit: [],
      timers: [],
    }));
  const transitions: TransitionDef[] = (Array.isArray(raw['transitions']) ? raw['transitions'] : [])
    .filter(isObject)
    .map((t, index) => ({
      id: typeof t['id'] === 'string' ? t['id'] : `t_${index + 1}`,
      from:
        t['from'] === '*' ? '*' : typeof t['from'] === 'string' ? [t['from']] : strings(t['from']),
      to: typeof t['to'] === 'string' ? t['to'] : '',
      event: typeof t['event'] === 'string' ? t['event'] : `t_${index + 1}`,
      label: text(t['label']),
      guard: t['guard'] ?? null,
      guardMessage: text(t['guardMessage']),
      requiredFields: strings(t['requiredFields']),
      allowed: null,
      approval: null,
      effects: [],
    }));
  return {
    id: typeof raw['id'] === 'string' ? raw['id'] : formKey,
    version: 1,
    label: text(raw['label']) ?? label,
    initial: typeof raw['initial'] === 'string' ? raw['initial'] : (states[0]?.id ?? ''),
    states,
    transitions,
  };
}

/** What PUT /flow gets: the definition, with the canvas positions kept beside it. */
export function documentOf(draft: FlowDraft): Record<string, unknown> {
  const { version: _version, ...definition } = draft.definition;
  const positions = Object.fromEntries(
    Object.entries(draft.positions)
      .filter(([id]) => id === ANY_STATE || draft.definition.states.some((s) => s.id === id))
      .map(([id, p]) => [id, { x: Math.round(p.x), y: Math.round(p.y) }]),
  );
  return { ...definition, ui: { positions } };
}

/** A fresh id from a base (`stage_3`, `t_4`) not yet taken. */
export function freshId(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let n = 1; ; n += 1) {
    const id = `${base}_${n}`;
    if (!used.has(id)) return id;
  }
}

export function newState(
  def: FlowDefinition,
  label: FlowDefinition['label'],
  kind: StateKind = 'normal',
): StateDef {
  const order = def.states.reduce((max, s) => Math.max(max, s.order), 0) + 1;
  return {
    id: freshId(
      'stage',
      def.states.map((s) => s.id),
    ),
    label: label ?? '',
    kind,
    order,
    probability: null,
    requiredFields: [],
    onEnter: [],
    onExit: [],
    timers: [],
  };
}

export function newTransition(
  def: FlowDefinition,
  from: string[] | '*',
  to: string,
): TransitionDef {
  const taken = def.transitions.flatMap((t) => [t.id, t.event]);
  const base = `to_${to}`.slice(0, 50);
  const id = ID.test(base) && !taken.includes(base) ? base : freshId('t', taken);
  return {
    id,
    from,
    to,
    event: id,
    label: null,
    guard: null,
    guardMessage: null,
    requiredFields: [],
    allowed: null,
    approval: null,
    effects: [],
  };
}

export function newApprovalStep(existing: readonly ApprovalStepDef[]): ApprovalStepDef {
  return {
    id: freshId(
      'step',
      existing.map((s) => s.id),
    ),
    label: null,
    when: null,
    approvers: [{ kind: 'managerChain', levels: 1, of: 'submitter' }],
    mode: 'any',
    commentRequiredOn: ['reject', 'return'],
    timers: [],
  };
}

export function newTimer(existing: readonly TimerDef[]): TimerDef {
  return {
    id: freshId(
      'timer',
      existing.map((t) => t.id),
    ),
    label: null,
    after: 'PT4H',
    clock: 'working',
    action: { kind: 'remind', to: null },
  };
}

export function addState(
  draft: FlowDraft,
  state: StateDef,
  at?: { x: number; y: number },
): FlowDraft {
  const states = [...draft.definition.states, state];
  const count = draft.definition.states.length;
  return {
    definition: {
      ...draft.definition,
      states,
      initial: draft.definition.initial === '' ? state.id : draft.definition.initial,
    },
    positions: {
      ...draft.positions,
      [state.id]: at ?? { x: 40 + (count % 5) * 230, y: 60 + Math.floor(count / 5) * 200 },
    },
  };
}

export function updateState(draft: FlowDraft, index: number, next: StateDef): FlowDraft {
  const before = draft.definition.states[index];
  if (before === undefined) return draft;
  const renamed = before.id !== next.id;
  const rename = (id: string) => (renamed && id === before.id ? next.id : id);
  const positions = { ...draft.positions };
  if (renamed) {
    const at = positions[before.id];
    delete positions[before.id];
    if (at !== undefined) positions[next.id] = at;
  }
  return {
    definition: {
      ...draft.definition,
      initial: rename(draft.definition.initial),
      states: draft.definition.states.map((s, i) => (i === index ? next : s)),
      transitions: renamed
        ? draft.definition.transitions.map((t) => ({
            ...t,
            from: t.from === '*' ? '*' : t.from.map(rename),
            to: rename(t.to),
          }))
        : draft.definition.transitions,
    },
    positions,
  };
}

/** Removes a stage and every transition into it; transitions out of it lose it as a source. */
export function removeState(draft: FlowDraft, index: number): FlowDraft {
  const state = draft.definition.states[index];
  if (state === undefined) return draft;
  const states = draft.definition.states.filter((_, i) => i !== index);
  const transitions = draft.definition.transitions
    .filter((t) => t.to !== state.id)
    .map((t) => (t.from === '*' ? t : { ...t, from: t.from.filter((f) => f !== state.id) }))
    .filter((t) => t.from === '*' || t.from.length > 0);
  const positions = { ...draft.positions };
  delete positions[state.id];
  return {
    definition: {
      ...draft.definition,
      states,
      transitions,
      initial:
        draft.definition.initial === state.id ? (states[0]?.id ?? '') : draft.definition.initial,
    },
    positions,
  };
}

export function addTransition(draft: FlowDraft, transition: TransitionDef): FlowDraft {
  return {
    ...draft,
    definition: { ...draft.definition, transitions: [...draft.definition.transitions, transition] },
  };
}

export function updateTransition(draft: FlowDraft, index: number, next: TransitionDef): FlowDraft {
  return {
    ...draft,
    definition: {
      ...draft.definition,
      transitions: draft.definition.transitions.map((t, i) => (i === index ? next : t)),
    },
  };
}

export function removeTransition(draft: FlowDraft, index: number): FlowDraft {
  return {
    ...draft,
    definition: {
      ...draft.definition,
      transitions: draft.definition.transitions.filter((_, i) => i !== index),
    },
  };
}

/** Is there already a transition from `from` to `to` (a second one would need its own event)? */
export function hasTransition(def: FlowDefinition, from: string, to: string): boolean {
  return def.transitions.some(
    (t) =>
      t.to === to &&
      (from === ANY_STATE ? t.from === '*' : t.from !== '*' && t.from.includes(from)),
  );
}

/** What a located issue (`definition.transitions.2.guard`) points at. */
export type IssueTarget =
  | { kind: 'state'; index: number; rest: string }
  | { kind: 'transition'; index: number; rest: string }
  | { kind: 'flow'; rest: string };

export function issueTarget(path: string): IssueTarget {
  const bare = path.replace(/^definition\.?/, '');
  const match = /^(states|transitions)\.(\d+)\.?(.*)$/.exec(bare);
  if (match === null) return { kind: 'flow', rest: bare };
  const index = Number(match[2]);
  return match[1] === 'states'
    ? { kind: 'state', index, rest: match[3] ?? '' }
    : { kind: 'transition', index, rest: match[3] ?? '' };
}

/** ISO 8601 durations the designer writes: minutes, hours or days. */
export type DurationParts = { amount: number; unit: 'minutes' | 'hours' | 'days' };

export function parseDuration(iso: string): DurationParts | null {
  const m = /^PT(\d+)M$/.exec(iso) ?? null;
  if (m !== null) return { amount: Number(m[1]), unit: 'minutes' };
  const h = /^PT(\d+)H$/.exec(iso);
  if (h !== null) return { amount: Number(h[1]), unit: 'hours' };
  const d = /^P(\d+)D$/.exec(iso);
  if (d !== null) return { amount: Number(d[1]), unit: 'days' };
  return null;
}

export function formatDuration(parts: DurationParts): string {
  const n = Math.max(0, Math.round(parts.amount));
  return parts.unit === 'minutes' ? `PT${n}M` : parts.unit === 'hours' ? `PT${n}H` : `P${n}D`;
}
