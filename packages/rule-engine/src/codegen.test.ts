// Rule R9: generated code is built from fixed templates only, and falls back to closures where
// `new Function` is refused (a browser CSP without 'unsafe-eval').
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { generateRuleSource } from './codegen.js';
import { isGeneratedCode } from './evaluate.js';
import { clearCompileCache, compile, evaluate } from './index.js';
import { getInternals } from './rule-engine.js';

const { eager } = getInternals(undefined);

type Token = { kind: 'string' | 'number' | 'identifier' | 'punctuation'; text: string };

/** A tokenizer for the JavaScript the generator writes (strings are JSON, numbers are JSON). */
function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '"') {
      let j = i + 1;
      while (j < source.length && source[j] !== '"') j += source[j] === '\\' ? 2 : 1;
      assert.ok(j < source.length, 'unterminated string literal in generated code');
      tokens.push({ kind: 'string', text: source.slice(i, j + 1) });
      i = j + 1;
    } else if (/[0-9]/.test(ch)) {
      const m = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'number', text: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_$]/.test(ch)) {
      const m = /^[A-Za-z_$][\w$]*/.exec(source.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'identifier', text: m[0] });
      i += m[0].length;
    } else {
      tokens.push({ kind: 'punctuation', text: ch });
      i++;
    }
  }
  return tokens;
}

/** The structure of generated code: every token, with literal contents blanked. */
function skeleton(source: string): string {
  return tokenize(source)
    .map((t) => (t.kind === 'string' ? 'STR' : t.kind === 'number' ? 'NUM' : t.text))
    .join(' ');
}

const ALLOWED_IDENTIFIERS = new Set([
  'use',
  'strict',
  'const',
  'let',
  'h',
  'k',
  'c',
  'd',
  'rt',
  'return',
  'function',
  'rule',
  'bind',
  'if',
  'else',
  'for',
  'break',
  'new',
  'typeof',
  'undefined',
  'null',
  'true',
  'false',
  'Array',
  'isArray',
  'length',
  'push',
  'slice',
  'indexOf',
  'current',
  'accumulator',
  'truthy',
  'toFloat',
  'inOp',
  'catOp',
  'plusOp',
  'timesOp',
  'substrOp',
  'mergeOp',
  'charge',
  'unknownOperator',
  'dateDiffFast',
  'nowIso',
]);

/** Replaces user values by harmless ones of the same kind (what may legitimately shape code). */
function harmless(rule: unknown, inVar = false): unknown {
  if (typeof rule === 'string') {
    if (inVar) {
      return rule
        .split('.')
        .map((s) =>
          ['__proto__', 'constructor', 'prototype'].includes(s) ? s : s === '' ? '' : 'x',
        )
        .join('.');
    }
    return ['days', 'hours', 'minutes', 'seconds', 'weeks'].includes(rule) ? rule : 'x';
  }
  if (typeof rule === 'number') {
    if (!Number.isFinite(rule)) return rule;
    return rule < 0 || Object.is(rule, -0) ? -1 : 1;
  }
  if (Array.isArray(rule)) return rule.map((r) => harmless(r, inVar));
  if (typeof rule === 'object' && rule !== null) {
    const entries = Object.entries(rule);
    // Object.fromEntries keeps a "__proto__" key as an own property, like JSON.parse.
    return Object.fromEntries(
      entries.map(([key, value]) => {
        if (entries.length === 1 && key === 'var') {
          const args = Array.isArray(value) ? value : [value];
          return [
            key,
            Array.isArray(value)
              ? [harmless(args[0], true), ...args.slice(1).map((a) => harmless(a))]
              : harmless(value, true),
          ];
        }
        return [key, harmless(value)];
      }),
    );
  }
  return rule;
}

const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom(
    '"); process.exit(1); ("',
    '\\", rt.steps = 1e9, "',
    '\u2028\u2029',
    '*/ throw 1 /*',
    '${globalThis}',
    '</script><script>alert(1)</script>',
    "'; return d; '",
    '\\u0022',
    '\n}); (function(){',
    '__proto__',
    'constructor',
    '上海启明信息技术有限公司',
  ),
);
const hostileNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(-0, 1e21, -1e-7, Number.MAX_VALUE),
);
const hostilePath = fc.array(hostileString, { minLength: 1, maxLength: 3 }).map((s) => s.join('.'));
const value = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null));

const { rule: hostileRule } = fc.letrec((tie) => ({
  rule: fc.oneof(
    { depthSize: 'small' },
    value,
    tie('var'),
    tie('op'),
    tie('op'),
    fc.array(tie('rule'), { maxLength: 3 }),
  ),
  var: fc.oneof(
    hostilePath.map((p) => ({ var: p })),
    fc.tuple(hostilePath, value).map((a) => ({ var: a })),
  ),
  op: fc.oneof(
    fc
      .tuple(
        fc.constantFrom(
          '==',
          '===',
          '!=',
          '<',
          '<=',
          '>',
          'and',
          'or',
          'if',
          '!',
          '!!',
          '+',
          '-',
          '*',
          '/',
          '%',
          'in',
          'cat',
          'map',
          'filter',
          'all',
          'some',
          'reduce',
          'now',
          'date_diff',
          'contains',
          'lower',
          'missing',
        ),
        fc.array(tie('rule'), { maxLength: 3 }),
      )
      .map(([op, args]) => ({ [op]: args })),
    fc
      .tuple(tie('var'), fc.array(value, { maxLength: 12 }))
      .map(([a, list]) => ({ in: [a, list] })),
    fc
      .tuple(tie('var'), tie('var'), fc.constantFrom('days', 'hours', 'fortnights'))
      .map(([a, b, u]) => ({ date_diff: [a, b, u] })),
    fc
      .tuple(hostileString, fc.array(tie('rule'), { maxLength: 2 }))
      .map(([op, args]) => ({ [op]: args })),
  ),
}));

describe('R9 generated code', () => {
  it('no user value changes the structure of the generated code (fuzz)', () => {
    fc.assert(
      fc.property(hostileRule, (rule) => {
        const hostile = generateRuleSource(rule, eager).source;
        const safe = generateRuleSource(harmless(rule), eager).source;
        assert.equal(skeleton(hostile), skeleton(safe));
        for (const token of tokenize(hostile)) {
          if (token.kind === 'identifier') {
            assert.ok(
              ALLOWED_IDENTIFIERS.has(token.text) || /^t\d+$/.test(token.text),
              `identifier ${token.text}`,
            );
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('hostile strings stay data: the generated rule returns them, it does not run them', () => {
    const key = '"); globalThis["pwned"] = ("';
    const rule = {
      if: [
        { '==': [{ var: key }, 1] },
        '"); globalThis.pwned = 1; ("',
        { cat: ['\u2028', { var: '\\' }] },
      ],
    };
    const data = { [key]: 1, '\\': 'x' };
    assert.equal(compile(rule)(data), '"); globalThis.pwned = 1; ("');
    assert.equal(compile(rule)({ '\\': 'x' }), '\u2028x');
    assert.equal((globalThis as Record<string, unknown>).pwned, undefined);
  });

  it('the server compile uses generated code where it is allowed', () => {
    assert.equal(isGeneratedCode(compile({ '>': [{ var: 'amount' }, 10000] })), true);
    assert.equal(
      isGeneratedCode(compile({ '>': [{ var: 'amount' }, 10000] }, { codegen: false })),
      false,
    );
  });

  it('falls back to closures when new Function throws EvalError (CSP without unsafe-eval)', () => {
    const original = globalThis.Function;
    let attempts = 0;
    const refuse = function refuse(): never {
      attempts++;
      throw new EvalError(
        "Refused to evaluate a string as JavaScript because 'unsafe-eval' is not an allowed source",
      );
    };
    clearCompileCache();
    (globalThis as { Function: unknown }).Function = refuse;
    try {
      const rule = {
        and: [{ '==': [{ var: 'status' }, 'new'] }, { '>': [{ var: 'customer.level' }, 2] }],
      };
      const fn = compile(rule);
      assert.equal(fn({ status: 'new', customer: { level: 3 } }), true);
      assert.equal(fn({ status: 'won', customer: { level: 3 } }), false);
      assert.equal(isGeneratedCode(fn), false);
      assert.equal(attempts, 1);
      // Closures never try code generation at all.
      compile({ '<': [{ var: 'amount' }, 5] }, { codegen: false });
      assert.equal(attempts, 1);
    } finally {
      (globalThis as { Function: unknown }).Function = original;
      clearCompileCache();
    }
    assert.equal(isGeneratedCode(compile({ '==': [1, 1] })), true);
  });

  it('generated code and the interpreter agree on CRM rules with dates', () => {
    const rule = {
      and: [
        { '>': [{ date_diff: [{ var: 'created_at' }, { now: [] }, 'hours'] }, 2] },
        { '==': [{ var: 'contacted_at' }, null] },
      ],
    };
    const options = { now: '2026-11-23T10:00:00+08:00', timeZone: 'Asia/Shanghai' };
    for (const created_at of [
      '2026-11-23T07:59:00+08:00',
      '2026-11-23T01:00:00.000Z',
      '2026-11-23T08:30:00',
      null,
      'not a date',
    ]) {
      const data = { created_at, contacted_at: null };
      assert.equal(compile(rule, options)(data), evaluate(rule, data, options), String(created_at));
    }
  });
});
