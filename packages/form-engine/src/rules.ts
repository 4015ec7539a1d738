// The form engine's use of @trellis/rule-engine: conditions, formulas and defaults are compiled to
// closures once per form (never to generated code: `codegen: false`, README rule 8); `now` and the
// time zone are bound per call (the rule engine has no clock).
import { compile, truthy } from '@trellis/rule-engine';
import type { JsonLogic } from './types.js';

export type RuleTime = { now: string | undefined; timeZone: string };

/** A compiled rule: `(data, time) => result`; throws the rule engine's coded errors. */
export type Rule = (data: unknown, time: RuleTime) => unknown;

/** A rule that is a plain literal needs no evaluation. */
export function isLiteralRule(logic: JsonLogic): boolean {
  return logic === null || typeof logic !== 'object';
}

export function compileRule(logic: JsonLogic): Rule {
  let bound: ((data: unknown) => unknown) | undefined;
  let boundNow: string | undefined;
  let boundZone = '';
  return (data, time) => {
    if (bound === undefined || time.now !== boundNow || time.timeZone !== boundZone) {
      bound = compile(logic, { now: time.now, timeZone: time.timeZone, codegen: false });
      boundNow = time.now;
      boundZone = time.timeZone;
    }
    return bound(data);
  };
}

export { truthy };
