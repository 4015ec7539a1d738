// @trellis/flow-engine — stage state machines: transition() computes, the host performs.
export { normalizeFlow, parseFlow } from './normalize-flow.js';
export { validateFlow, type ValidateFlowOptions } from './validate-flow.js';
export { startFlow, transition, availableTransitions } from './transition.js';
export { decide } from './approvals.js';
export { pendingTimers, fireTimer } from './timers.js';
export { migrateSnapshot } from './migrate-snapshot.js';
export { durationMs } from './duration.js';
export type {
  AllowedSpec,
  ApprovalDecisionRecord,
  ApprovalDef,
  ApprovalMode,
  ApprovalStepDef,
  ApprovalStepState,
  ApproverSpec,
  AvailableTransition,
  Clock,
  Decision,
  DecisionKind,
  Effect,
  EffectSpec,
  FlowContext,
  FlowDefinition,
  FlowDirectory,
  FlowEvent,
  FlowResult,
  FlowSnapshot,
  FlowUser,
  HistoryEntry,
  HistoryKind,
  JsonLogic,
  LocalizedText,
  PendingApproval,
  Recipient,
  RecipientRef,
  Refusal,
  RefusalCode,
  StateDef,
  StateKind,
  TimeOffset,
  TimerAction,
  TimerDef,
  TimerPlan,
  TransitionDef,
} from './types.js';
