// Public shapes of the flow engine: the definition (normalized), the snapshot
// the host stores on the record, the context passed into every call, the
// effects the host performs, the history entries it persists and the coded
// refusals it shows.
import type { ExplainNode, WorkingCalendar } from '@trellis/rule-engine';

/** Localized text, as everywhere in Trellis. */
export type LocalizedText =
  string | { 'zh-CN': string; en?: string; [locale: string]: string | undefined };

/** A JsonLogic rule, plain JSON, evaluated by @trellis/rule-engine. */
export type JsonLogic = unknown;

export type StateKind = 'normal' | 'won' | 'lost' | 'final';

/** `calendar`: wall-clock time. `working`: the working calendar (ctx.calendar or ctx.addWorkingTime). */
export type Clock = 'calendar' | 'working';

/** Who receives a notification, a task or an escalation (resolved by the engine where it can). */
export type Recipient =
  | { kind: 'owner' }
  | { kind: 'actor' }
  | { kind: 'submitter' }
  | { kind: 'assignees' }
  | { kind: 'users'; users: string[] }
  | { kind: 'roles'; roles: string[] }
  | { kind: 'userField'; field: string }
  | { kind: 'managerOf'; of: 'owner' | 'actor' | 'submitter' | 'assignees'; levels: number };

/** A resolved recipient in an emitted effect: a user, or something only the host can expand. */
export type RecipientRef =
  | { kind: 'user'; id: string }
  | { kind: 'role'; role: string }
  | { kind: 'managerOf'; user: string; levels: number };

/** Effects written in a definition (on enter, on exit, on a transition). */
export type EffectSpec =
  | {
      type: 'setField';
      field: string;
      /** A literal, used when valueFrom is null. */
      value: unknown;
      valueFrom: 'now' | 'actor' | null;
    }
  | {
      type: 'createTask';
      title: LocalizedText;
      description: LocalizedText | null;
      assignee: Recipient;
      due: { after: string; clock: Clock } | null;
    }
  | {
      type: 'notify';
      to: Recipient[];
      template: string;
      params: Record<string, unknown>;
    };

/** Who approves a step. `managerChain` takes the submitter's (or, for a reassign timer, the assignee's) managers, nearest first. */
export type ApproverSpec =
  | { kind: 'users'; users: string[] }
  | { kind: 'roles'; roles: string[] }
  | { kind: 'userField'; field: string }
  | { kind: 'managerChain'; levels: number; of: 'submitter' | 'assignee' };

/** 或签 any one, 会签 all, 逐级 sequential (one after another, in order). */
export type ApprovalMode = 'any' | 'all' | 'sequential';

export type DecisionKind =
  'approve' | 'reject' | 'return' | 'reassign' | 'addSigner' | 'withdraw' | 'resubmit';

export type TimerAction =
  | { kind: 'remind'; to: Recipient[] | null }
  | { kind: 'escalate'; levels: number }
  | { kind: 'fireEvent'; event: string }
  | { kind: 'autoApprove' }
  | { kind: 'return' }
  | { kind: 'reassign'; to: ApproverSpec[] };

export type TimerDef = {
  id: string;
  label: LocalizedText | null;
  /** ISO 8601 duration: `PT30M`, `PT4H`, `P2D`, `P1DT12H`. */
  after: string;
  clock: Clock;
  action: TimerAction;
};

export type StateDef = {
  id: string;
  label: LocalizedText;
  kind: StateKind;
  order: number;
  /** Default win probability in percent (0–100), stamped on entry; null leaves the field alone. */
  probability: number | null;
  /** Fields that must be filled to enter this state, by any transition. */
  requiredFields: string[];
  onEnter: EffectSpec[];
  onExit: EffectSpec[];
  timers: TimerDef[];
};

export type AllowedSpec = {
  roles: string[];
  owner: boolean;
  userField: string | null;
};

export type ApprovalStepDef = {
  id: string;
  label: LocalizedText | null;
  /** The step applies only when this rule is truthy for the record at submission (null: always). */
  when: JsonLogic | null;
  approvers: ApproverSpec[];
  mode: ApprovalMode;
  /** Decisions that must carry a comment (default: reject and return). */
  commentRequiredOn: DecisionKind[];
  timers: TimerDef[];
};

export type ApprovalDef = { steps: ApprovalStepDef[] };

export type TransitionDef = {
  id: string;
  /** Source states; `'*'` means every state of kind `normal` except the target. */
  from: string[] | '*';
  to: string;
  event: string;
  label: LocalizedText | null;
  guard: JsonLogic | null;
  /** Message shown when the guard is false. */
  guardMessage: LocalizedText | null;
  requiredFields: string[];
  /** Who may fire it (any criterion matches); null: anyone. */
  allowed: AllowedSpec | null;
  approval: ApprovalDef | null;
  effects: EffectSpec[];
};

/** A normalized flow definition (what `normalizeFlow` returns; what every other function takes). */
export type FlowDefinition = {
  id: string;
  version: number;
  label: LocalizedText | null;
  initial: string;
  states: StateDef[];
  transitions: TransitionDef[];
};

export type ApprovalDecisionRecord = {
  step: string;
  by: string;
  decision: DecisionKind;
  at: string;
  comment: string | null;
  /** reassign: the new approver; addSigner: the added signer. */
  target: string | null;
  /** true when a timer decided. */
  auto: boolean;
};

export type ApprovalStepState = {
  stepId: string;
  mode: ApprovalMode;
  /** Resolved approvers, in order (the order matters for sequential). */
  assignees: string[];
  approvedBy: string[];
};

export type PendingApproval = {
  id: string;
  transitionId: string;
  event: string;
  from: string;
  to: string;
  /** `returned`: sent back to the submitter, who may resubmit or withdraw. */
  status: 'pending' | 'returned';
  submittedBy: string;
  submittedAt: string;
  comment: string | null;
  /** The applicable steps, resolved at submission. */
  steps: ApprovalStepState[];
  current: number;
  /** When the current approver slot started (timers count from here). */
  slotSince: string;
  /** Bumped whenever the slot changes; part of approval timer keys. */
  slotSeq: number;
  decisions: ApprovalDecisionRecord[];
};

/** The plain-JSON instance state the host stores on the record. */
export type FlowSnapshot = {
  flowId: string;
  version: number;
  state: string;
  enteredAt: string;
  /** Number of history entries so far; the next entry gets seq + 1. */
  seq: number;
  /** The history seq that entered the current state (part of state timer keys). */
  entrySeq: number;
  approval: PendingApproval | null;
  /** Timer keys already fired in the current state or approval slot. */
  firedTimers: readonly string[];
};

export type FlowUser = {
  id: string;
  roles: readonly string[];
  /** The user's managers, nearest first. */
  managerChain?: readonly string[];
};

/** Optional look-ups the host can pass so the engine resolves roles and managers itself. */
export type FlowDirectory = {
  usersWithRole?: (role: string) => readonly string[];
  managerChainOf?: (userId: string) => readonly string[];
};

export type FlowContext = {
  /** ISO 8601 instant. */
  now: string;
  user: FlowUser;
  record: Readonly<Record<string, unknown>>;
  directory?: FlowDirectory;
  /** Adds an ISO 8601 duration in working time (the host binds its calendar); wins over `calendar`. */
  addWorkingTime?: (startIso: string, duration: string) => string;
  /** The working calendar for working-time timers and due dates (via the rule engine's addWorkingTime). */
  calendar?: WorkingCalendar;
};

/** Fire by event name, or by target state (a kanban drop). */
export type FlowEvent = { event: string; comment?: string } | { to: string; comment?: string };

export type Decision =
  | {
      kind: 'approve' | 'reject' | 'return' | 'withdraw' | 'resubmit';
      comment?: string;
      approvalId?: string;
    }
  | { kind: 'reassign' | 'addSigner'; user: string; comment?: string; approvalId?: string };

export type TimeOffset = { from: string; after: string; clock: Clock };

export type TimerPlan = {
  key: string;
  scope: 'state' | 'approval';
  timerId: string;
  label: LocalizedText | null;
  action: TimerAction;
  from: string;
  after: string;
  clock: Clock;
  /** Computed for calendar timers, and for working timers when a calendar (or addWorkingTime) is given; else null (compute from `from` + `after`). */
  dueAt: string | null;
  /** The host cancels it when the state is left (`stateExit`) or the approval slot ends (`approvalSlot`). */
  cancelWhen: 'stateExit' | 'approvalSlot';
  approvalId: string | null;
  stepId: string | null;
};

export type Effect =
  | { type: 'setField'; field: string; value: unknown }
  | {
      type: 'createTask';
      key: string;
      title: LocalizedText;
      description: LocalizedText | null;
      assignees: RecipientRef[];
      dueAt: string | null;
      due: TimeOffset | null;
    }
  | {
      type: 'notify';
      key: string;
      to: RecipientRef[];
      template: string;
      params: Record<string, unknown>;
    }
  | { type: 'scheduleTimer'; key: string; timer: TimerPlan }
  | { type: 'cancelTimer'; key: string }
  | {
      type: 'requestApproval';
      approvalId: string;
      transitionId: string;
      stepId: string;
      mode: ApprovalMode;
      /** Who must decide now (sequential: one; all: those who have not approved; any: all). */
      assignees: string[];
    }
  | {
      type: 'approvalClosed';
      approvalId: string;
      outcome: 'approved' | 'rejected' | 'returned' | 'withdrawn' | 'cancelled';
    }
  | {
      type: 'escalate';
      key: string;
      scope: 'state' | 'approval';
      about: string;
      to: RecipientRef[];
    };

export type HistoryKind =
  'start' | 'transition' | 'approvalSubmitted' | 'approvalDecision' | 'timer' | 'migration';

export type HistoryEntry = {
  seq: number;
  kind: HistoryKind;
  flowId: string;
  version: number;
  /** State before (null for start). */
  from: string | null;
  /** State after (the same state for a decision that does not move). */
  to: string;
  transitionId: string | null;
  event: string | null;
  by: string;
  at: string;
  comment: string | null;
  decision: DecisionKind | null;
  approvalId: string | null;
  /** For approval entries and approved transitions: the approval's decisions so far. */
  decisions: ApprovalDecisionRecord[] | null;
  timerKey: string | null;
};

export type RefusalCode =
  | 'FLOW_MISMATCH'
  | 'UNKNOWN_STATE'
  | 'NO_SUCH_TRANSITION'
  | 'AMBIGUOUS_TRANSITION'
  | 'NOT_ALLOWED'
  | 'MISSING_REQUIRED_FIELDS'
  | 'GUARD_FALSE'
  | 'GUARD_ERROR'
  | 'APPROVAL_PENDING'
  | 'NO_APPROVERS'
  | 'APPROVERS_UNRESOLVED'
  | 'NO_PENDING_APPROVAL'
  | 'APPROVAL_STALE'
  | 'APPROVAL_RETURNED'
  | 'NOT_AN_APPROVER'
  | 'NOT_SUBMITTER'
  | 'COMMENT_REQUIRED'
  | 'INVALID_DECISION'
  | 'TIMER_STALE'
  | 'TIMER_NOT_DUE'
  | 'UNMAPPED_STATE'
  | 'PENDING_APPROVAL_UNMAPPED';

export type Refusal = {
  code: RefusalCode;
  message: string;
  path?: string;
  transitionId?: string;
  /** MISSING_REQUIRED_FIELDS: the empty fields. GUARD_FALSE: the fields the guard reads. */
  fields?: string[];
  /** GUARD_FALSE: the rule engine's evaluation tree, each node with its value. */
  explanation?: ExplainNode;
  approvalId?: string;
  /** NO_APPROVERS / APPROVERS_UNRESOLVED: the step; AMBIGUOUS_TRANSITION: candidates. */
  stepId?: string;
  candidates?: string[];
  /** The definition's message for a false guard. */
  guardMessage?: LocalizedText;
};

export type FlowResult =
  | { ok: true; snapshot: FlowSnapshot; effects: Effect[]; history: HistoryEntry[] }
  | { ok: false; reasons: Refusal[] };

export type AvailableTransition = {
  transitionId: string;
  event: string;
  to: string;
  label: LocalizedText | null;
  toLabel: LocalizedText;
  enabled: boolean;
  /** True when firing it starts an approval for this record (step conditions evaluated). */
  needsApproval: boolean;
  /** All fields required to enter `to` (UI prompts for these). */
  requiredFields: string[];
  /** Why it is disabled (empty when enabled). */
  reasons: Refusal[];
};
