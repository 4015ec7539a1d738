// The public door of @trellis/rule-engine.
export type {
  EvaluateOptions,
  ExplainNode,
  Issue,
  IsoWeekday,
  JsonLogic,
  LogSink,
  OperatorContext,
  OperatorDefinition,
  OperatorInfo,
  RuleEngine,
  RuleLimits,
  WorkingCalendar,
  WorkingPeriod,
} from './types.js';
export { RuleError } from './rule-error.js';
export { DEFAULT_RULE_LIMITS } from './limits.js';
export { evaluate, compile, explain, clearCompileCache } from './evaluate.js';
export { validateRule, SYSTEM_FIELDS, type ValidateRuleOptions } from './validate-rule.js';
export { referencedVars } from './referenced-vars.js';
export { createRuleEngine, DEFAULT_ENGINE } from './rule-engine.js';
export { truthy } from './json-logic-core.js';
export {
  addWorkingTime,
  workingTimeBetween,
  isWorkingTime,
  validateWorkingCalendar,
  type WorkingDuration,
} from './working-calendar.js';
export {
  CHINA_MAINLAND_CALENDAR_2026_2027,
  CHINA_MAINLAND_HOLIDAY_SCHEDULE_2026_2027,
  type HolidayScheduleEntry,
} from './china-mainland-calendar.js';
export { parseInstant } from './date-time.js';
export { nextCronOccurrence } from './cron.js';
export {
  normalizeRuleDefinition,
  type LocalizedText,
  type NormalizeRuleOptions,
  type NotifyTarget,
  type OwnerPool,
  type RuleAction,
  type RuleDefinition,
  type RuleTrigger,
  type TimeOffsetUnit,
} from './rule-definition.js';
export {
  matchRules,
  relativeDueAt,
  DEFAULT_MAX_CASCADE_DEPTH,
  type CascadeState,
  type MatchContext,
  type MatchResult,
  type RecordData,
  type ResolvedRuleAction,
  type RuleEvent,
  type RuleMatch,
  type RuleTimer,
} from './match-rules.js';
