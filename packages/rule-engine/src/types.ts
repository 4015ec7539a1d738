/** A validation finding: `path` is dotted (`and.1.var`), `code` is stable, `message` is for people. */
export type Issue = { path: string; code: string; message: string };

/** A JsonLogic rule: any JSON value. Objects with exactly one key are operations. */
export type JsonLogic = unknown;

/** Bounds applied to every evaluation; overruns throw a `RuleError` with a coded reason. */
export type RuleLimits = {
  /**
   * Maximum nesting depth of a rule in JSON levels (an operation with an argument list counts
   * two), also applied to logic found in data by `missing`.
   */
  maxDepth: number;
  /** Maximum number of JSON values in a rule. */
  maxNodes: number;
  /** Maximum length of an array iterated by map/filter/reduce/all/none/some or built by merge. */
  maxArraySize: number;
  /** Maximum work per evaluation: each iteration costs the size of the iterated rule body. */
  maxSteps: number;
  /** Maximum length of a string built by `cat` or tested by `regex_match`. */
  maxStringLength: number;
};

/** A weekday, ISO numbering: 1 = Monday … 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** One working period of a day, local wall-clock time `HH:mm` (end exclusive, `24:00` allowed). */
export type WorkingPeriod = { start: string; end: string };

/**
 * When people work: periods on each working day, in `timeZone`.
 * A date in `holidays` is never a working day; a date in `workingDays` (China 调休 make-up days)
 * is always one, whatever its weekday. Dates are local `YYYY-MM-DD`.
 */
export type WorkingCalendar = {
  timeZone: string;
  /** Periods worked on a working day, e.g. 09:00–12:00 and 13:30–18:00. */
  periods: readonly WorkingPeriod[];
  /** Regular working weekdays (default Monday–Friday). */
  weekdays?: readonly IsoWeekday[];
  /** Public holidays and other days off (`YYYY-MM-DD`). */
  holidays?: readonly string[];
  /** Make-up working days (调休上班), worked even on a weekend (`YYYY-MM-DD`). */
  workingDays?: readonly string[];
};

/** What a custom operator sees besides its (already evaluated) arguments. */
export type OperatorContext = {
  /** The data the operator is evaluated against (the current item inside map/filter/…). */
  data: unknown;
  /** The record the rule was started with. */
  root: unknown;
  /** `options.now` as an ISO string, or undefined when not given. */
  now: string | undefined;
  timeZone: string;
  calendar: WorkingCalendar | undefined;
};

/** A custom operator: eager (its arguments are evaluated first) and pure. */
export type OperatorDefinition = {
  evaluate: (args: readonly unknown[], context: OperatorContext) => unknown;
  /** Argument count bounds, checked by `validateRule`. */
  minArgs?: number;
  maxArgs?: number;
  description?: string;
};

/** Built-in operator metadata for validation and documentation. */
export type OperatorInfo = {
  name: string;
  kind: 'standard' | 'crm' | 'custom';
  minArgs: number;
  maxArgs: number;
  description: string;
};

/** An operator registry (built-ins plus custom operators); immutable once created. */
export type RuleEngine = {
  readonly id: number;
  /** Every operator name this engine accepts, with arity. */
  readonly operators: ReadonlyMap<string, OperatorInfo>;
  /** A new engine with more operators; a name already present throws `operator_duplicate`. */
  extend(config: { operators?: Record<string, OperatorDefinition> }): RuleEngine;
};

/** A sink that receives the argument of every `log` operation (nothing is written to the console). */
export type LogSink = { push(value: unknown): unknown };

export type EvaluateOptions = {
  /** The current instant for date operators (`now`, `date_diff` against now, …). The engine has no clock. */
  now?: string | Date;
  /** IANA time zone for local-date operators (start_of, calendar days); default 'UTC'. */
  timeZone?: string;
  /** Working calendar for `working_time_diff` / `add_working_time`. */
  calendar?: WorkingCalendar;
  limits?: Partial<RuleLimits>;
  engine?: RuleEngine;
  /** The record before an update: enables `changed`, `old` and `new`. */
  before?: unknown;
  /** Receives `log` arguments. */
  logSink?: LogSink;
  /**
   * compile only: use a generated function where `new Function` is allowed (default true; it
   * falls back to closures by itself under a CSP without 'unsafe-eval'); false forces closures.
   */
  codegen?: boolean;
};

/** One node of an evaluation tree, as returned by `explain`. */
export type ExplainNode = {
  /** The operator, `'literal'` for a plain value or `'array'` for an array of rules. */
  op: string;
  /** Dotted path of this node inside the rule (`''` for the root). */
  path: string;
  args: ExplainNode[];
  /** The value this node produced (undefined when it was not evaluated). */
  value: unknown;
  /** False when the node was skipped by short-circuiting (and/or/if) or never reached. */
  evaluated: boolean;
  /** For var: the path read. */
  var?: string;
  /** For map/filter/all/none/some/reduce: the body evaluated per item (first items only). */
  items?: ExplainNode[];
  /** Set when this node threw. */
  error?: { code: string; message: string };
};
