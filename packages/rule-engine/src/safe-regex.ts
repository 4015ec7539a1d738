// A linear-time regular-expression matcher for `regex_match` (no catastrophic backtracking).
//
// Choice (README rule R8): rather than guessing which patterns are dangerous for the host's
// backtracking RegExp engine, user patterns run on a Pike VM (Thompson NFA simulation): every
// input position is visited once per program instruction, so time is O(input × pattern) whatever
// the pattern. The supported syntax is the JavaScript subset that needs no backtracking:
// literals, escapes, `.`, classes `[...]` / `\d \w \s` (and negations), anchors `^ $ \b \B`,
// groups `( )` `(?: )` `(?<name> )`, alternation, and the quantifiers `* + ? {n} {n,} {n,m}`
// (greedy or lazy). Backreferences and lookaround are refused with `regex_unsupported`.
// Flags: i, m, s, u (g and y are accepted and ignored). Results equal JavaScript's `RegExp#test`.
import { RuleError } from './rule-error.js';

export const REGEX_MAX_PATTERN = 1000;
export const REGEX_MAX_PROGRAM = 4000;
export const REGEX_MAX_INPUT = 10_000;

type Range = readonly [number, number];
type CharSet = { ranges: Range[]; negate: boolean };

type Node =
  | { t: 'char'; set: CharSet }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; options: Node[] }
  | { t: 'repeat'; node: Node; min: number; max: number }
  | { t: 'assert'; kind: 'bol' | 'eol' | 'wordb' | 'nwordb' };

type Inst =
  | { op: 'char'; set: CharSet }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; x: number }
  | { op: 'assert'; kind: 'bol' | 'eol' | 'wordb' | 'nwordb' }
  | { op: 'match' };

export type SafeRegex = {
  program: Inst[];
  ignoreCase: boolean;
  multiline: boolean;
  unicode: boolean;
};

const DIGIT: Range[] = [[48, 57]];
const WORD: Range[] = [
  [48, 57],
  [65, 90],
  [95, 95],
  [97, 122],
];
const SPACE: Range[] = [
  [9, 13],
  [32, 32],
  [160, 160],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];
const LINE_TERMINATORS: Range[] = [
  [10, 10],
  [13, 13],
  [0x2028, 0x2029],
];

function fail(code: string, message: string): never {
  throw new RuleError(code, message);
}

class Parser {
  private pos = 0;
  constructor(
    private readonly units: number[],
    private readonly dotAll: boolean,
  ) {}

  parse(): Node {
    const node = this.alternation();
    if (this.pos < this.units.length) fail('regex_invalid', 'unbalanced ")" in pattern');
    return node;
  }

  private peek(): number | undefined {
    return this.units[this.pos];
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.peek() === 0x7c /* | */) {
      this.pos++;
      options.push(this.sequence());
    }
    return options.length === 1 ? (options[0] as Node) : { t: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === 0x7c || c === 0x29 /* ) */) break;
      const atom = this.atom();
      items.push(this.quantified(atom));
    }
    return items.length === 1 ? (items[0] as Node) : { t: 'seq', items };
  }

  private quantified(atom: Node): Node {
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === 0x2a /* * */) [min, max] = [0, Infinity];
    else if (c === 0x2b /* + */) [min, max] = [1, Infinity];
    else if (c === 0x3f /* ? */) [min, max] = [0, 1];
    else if (c === 0x7b /* { */) {
      const counted = this.counted();
      if (counted === undefined) return atom;
      [min, max] = counted;
    } else return atom;
    this.pos++;
    if (this.peek() === 0x3f) this.pos++; // lazy: same boolean result
    if (atom.t === 'assert') fail('regex_invalid', 'nothing to repeat');
    if (this.peek() === 0x2a || this.peek() === 0x2b || this.peek() === 0x3f) {
      fail('regex_invalid', 'nothing to repeat');
    }
    return { t: 'repeat', node: atom, min, max };
  }

  /** Parses `{n}`, `{n,}`, `{n,m}` leaving pos on the closing brace; undefined = a literal `{`. */
  private counted(): [number, number] | undefined {
    const start = this.pos;
    let i = this.pos + 1;
    const digits = (): string => {
      let s = '';
      while (
        i < this.units.length &&
        (this.units[i] as number) >= 48 &&
        (this.units[i] as number) <= 57
      ) {
        s += String.fromCharCode(this.units[i] as number);
        i++;
      }
      return s;
    };
    const a = digits();
    if (a === '') return undefined;
    let b = a;
    if (this.units[i] === 0x2c /* , */) {
      i++;
      b = digits();
      if (b === '') b = 'inf';
    }
    if (this.units[i] !== 0x7d /* } */) {
      this.pos = start;
      return undefined;
    }
    this.pos = i;
    const min = Number(a);
    const max = b === 'inf' ? Infinity : Number(b);
    if (max < min) fail('regex_invalid', 'numbers out of order in {} quantifier');
    if (min > 1000 || (max !== Infinity && max > 1000)) {
      fail('regex_too_complex', 'repetition counts above 1000 are not supported');
    }
    return [min, max];
  }

  private atom(): Node {
    const c = this.units[this.pos++] as number;
    switch (c) {
      case 0x28 /* ( */: {
        if (this.peek() === 0x3f /* ? */) {
          const next = this.units[this.pos + 1];
          if (next === 0x3a /* : */) this.pos += 2;
          else if (
            next === 0x3c /* < */ &&
            this.units[this.pos + 2] !== 0x3d &&
            this.units[this.pos + 2] !== 0x21
          ) {
            // named group: skip the name
            let i = this.pos + 2;
            while (i < this.units.length && this.units[i] !== 0x3e /* > */) i++;
            if (i >= this.units.length) fail('regex_invalid', 'unterminated group name');
            this.pos = i + 1;
          } else fail('regex_unsupported', 'lookahead and lookbehind are not supported');
        }
        const inner = this.alternation();
        if (this.units[this.pos++] !== 0x29) fail('regex_invalid', 'unterminated group');
        return inner;
      }
      case 0x29:
        return fail('regex_invalid', 'unbalanced ")"');
      case 0x5b /* [ */:
        return { t: 'char', set: this.charClass() };
      case 0x2e /* . */:
        return { t: 'char', set: { ranges: this.dotAll ? [] : LINE_TERMINATORS, negate: true } };
      case 0x5e /* ^ */:
        return { t: 'assert', kind: 'bol' };
      case 0x24 /* $ */:
        return { t: 'assert', kind: 'eol' };
      case 0x5c /* \ */:
        return this.escape(false);
      case 0x2a:
      case 0x2b:
      case 0x3f:
        return fail('regex_invalid', 'nothing to repeat');
      default:
        return { t: 'char', set: { ranges: [[c, c]], negate: false } };
    }
  }

  private escape(inClass: boolean): Node & { t: 'char' | 'assert' } {
    const c = this.units[this.pos++];
    if (c === undefined) fail('regex_invalid', 'pattern ends with a backslash');
    const set = (ranges: Range[], negate = false): Node & { t: 'char' } => ({
      t: 'char',
      set: { ranges, negate },
    });
    const lit = (code: number): Node & { t: 'char' } => set([[code, code]]);
    switch (c) {
      case 0x64 /* d */:
        return set(DIGIT);
      case 0x44 /* D */:
        return set(DIGIT, true);
      case 0x77 /* w */:
        return set(WORD);
      case 0x57 /* W */:
        return set(WORD, true);
      case 0x73 /* s */:
        return set(SPACE);
      case 0x53 /* S */:
        return set(SPACE, true);
      case 0x62 /* b */:
        return inClass ? lit(8) : { t: 'assert', kind: 'wordb' };
      case 0x42 /* B */:
        if (inClass) fail('regex_invalid', 'invalid escape in class');
        return { t: 'assert', kind: 'nwordb' };
      case 0x6e:
        return lit(10);
      case 0x72:
        return lit(13);
      case 0x74:
        return lit(9);
      case 0x66:
        return lit(12);
      case 0x76:
        return lit(11);
      case 0x30 /* 0 */: {
        const n = this.peek();
        if (n !== undefined && n >= 48 && n <= 57)
          fail('regex_unsupported', 'octal escapes are not supported');
        return lit(0);
      }
      case 0x78 /* x */: {
        const hex = this.hex(2);
        return lit(hex);
      }
      case 0x75 /* u */: {
        if (this.peek() === 0x7b) fail('regex_unsupported', '\\u{…} escapes are not supported');
        return lit(this.hex(4));
      }
      case 0x6b /* k */:
        return fail('regex_unsupported', 'backreferences are not supported');
      case 0x63 /* c */:
      case 0x70 /* p */:
      case 0x50 /* P */:
        return fail('regex_unsupported', `\\${String.fromCharCode(c)} escapes are not supported`);
      default:
        if (c >= 0x31 && c <= 0x39) fail('regex_unsupported', 'backreferences are not supported');
        if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
          fail('regex_unsupported', `escape \\${String.fromCharCode(c)} is not supported`);
        }
        return lit(c);
    }
  }

  private hex(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i++) {
      const c = this.units[this.pos++];
      const d =
        c === undefined
          ? -1
          : c >= 48 && c <= 57
            ? c - 48
            : c >= 97 && c <= 102
              ? c - 87
              : c >= 65 && c <= 70
                ? c - 55
                : -1;
      if (d < 0) fail('regex_unsupported', 'malformed hexadecimal escape');
      value = value * 16 + d;
    }
    return value;
  }

  private classAtom(): { ranges: Range[]; negate: boolean; single?: number } {
    const c = this.units[this.pos++];
    if (c === undefined) fail('regex_invalid', 'unterminated character class');
    if (c !== 0x5c) return { ranges: [[c, c]], negate: false, single: c };
    if (this.peek() === 0x2d /* \- */) {
      this.pos++;
      return { ranges: [[0x2d, 0x2d]], negate: false, single: 0x2d };
    }
    const node = this.escape(true);
    if (node.t !== 'char') return fail('regex_invalid', 'invalid escape in class');
    const r = node.set.ranges;
    const single =
      !node.set.negate && r.length === 1 && r[0]?.[0] === r[0]?.[1] ? r[0]?.[0] : undefined;
    return single === undefined ? { ...node.set } : { ...node.set, single };
  }

  private charClass(): CharSet {
    let negate = false;
    if (this.peek() === 0x5e) {
      negate = true;
      this.pos++;
    }
    const ranges: Range[] = [];
    const negatedParts: Range[][] = [];
    while (this.peek() !== 0x5d /* ] */) {
      if (this.peek() === undefined) fail('regex_invalid', 'unterminated character class');
      const a = this.classAtom();
      if (
        this.peek() === 0x2d &&
        this.units[this.pos + 1] !== 0x5d &&
        this.units[this.pos + 1] !== undefined
      ) {
        this.pos++;
        const b = this.classAtom();
        if (a.single === undefined || b.single === undefined) {
          fail('regex_invalid', 'invalid character class range');
        }
        if (b.single < a.single) fail('regex_invalid', 'range out of order in character class');
        ranges.push([a.single, b.single]);
        continue;
      }
      if (a.negate) negatedParts.push(a.ranges);
      else ranges.push(...a.ranges);
    }
    this.pos++;
    // Fold negated escapes (\D, \W, \S inside a class) into plain ranges.
    for (const part of negatedParts) ranges.push(...complement(part));
    return { ranges, negate };
  }
}

function complement(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff]);
  return out;
}

function emit(node: Node, program: Inst[]): void {
  if (program.length > REGEX_MAX_PROGRAM) {
    fail('regex_too_complex', `pattern expands to more than ${REGEX_MAX_PROGRAM} instructions`);
  }
  switch (node.t) {
    case 'char':
      program.push({ op: 'char', set: node.set });
      return;
    case 'assert':
      program.push({ op: 'assert', kind: node.kind });
      return;
    case 'seq':
      for (const item of node.items) emit(item, program);
      return;
    case 'alt': {
      const jumps: { op: 'jmp'; x: number }[] = [];
      for (let i = 0; i < node.options.length; i++) {
        if (i < node.options.length - 1) {
          const split: Inst = { op: 'split', x: program.length + 1, y: 0 };
          program.push(split);
          emit(node.options[i] as Node, program);
          const jmp = { op: 'jmp' as const, x: 0 };
          program.push(jmp);
          jumps.push(jmp);
          split.y = program.length;
        } else emit(node.options[i] as Node, program);
      }
      for (const j of jumps) j.x = program.length;
      return;
    }
    case 'repeat': {
      for (let i = 0; i < node.min; i++) emit(node.node, program);
      if (node.max === Infinity) {
        const split: Inst = { op: 'split', x: program.length + 1, y: 0 };
        const at = program.length;
        program.push(split);
        emit(node.node, program);
        program.push({ op: 'jmp', x: at });
        split.y = program.length;
      } else {
        const splits: Inst[] = [];
        for (let i = node.min; i < node.max; i++) {
          const split: Inst = { op: 'split', x: program.length + 1, y: 0 };
          program.push(split);
          splits.push(split);
          emit(node.node, program);
          if (program.length > REGEX_MAX_PROGRAM) break;
        }
        for (const s of splits) if (s.op === 'split') s.y = program.length;
      }
      return;
    }
  }
}

function toUnits(text: string, unicode: boolean): number[] {
  const out: number[] = [];
  if (unicode) for (const ch of text) out.push(ch.codePointAt(0) as number);
  else for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i));
  return out;
}

const compiledCache = new Map<string, SafeRegex>();

/** Parses and compiles a pattern; throws `regex_invalid` / `regex_unsupported` / `regex_too_complex`. */
export function compileSafeRegex(pattern: string, flags = ''): SafeRegex {
  const key = `${flags}/${pattern}`;
  const cached = compiledCache.get(key);
  if (cached !== undefined) return cached;
  if (pattern.length > REGEX_MAX_PATTERN) {
    fail('regex_too_complex', `patterns are limited to ${REGEX_MAX_PATTERN} characters`);
  }
  for (const f of flags) {
    if (!'imsugy'.includes(f) || flags.indexOf(f) !== flags.lastIndexOf(f)) {
      fail('regex_invalid', `invalid regular expression flags "${flags}"`);
    }
  }
  const unicode = flags.includes('u');
  const ast = new Parser(toUnits(pattern, unicode), flags.includes('s')).parse();
  const program: Inst[] = [];
  emit(ast, program);
  program.push({ op: 'match' });
  if (program.length > REGEX_MAX_PROGRAM) {
    fail('regex_too_complex', `pattern expands to more than ${REGEX_MAX_PROGRAM} instructions`);
  }
  const compiled: SafeRegex = {
    program,
    ignoreCase: flags.includes('i'),
    multiline: flags.includes('m'),
    unicode,
  };
  if (compiledCache.size >= 500) compiledCache.delete(compiledCache.keys().next().value as string);
  compiledCache.set(key, compiled);
  return compiled;
}

function inRanges(c: number, ranges: readonly Range[]): boolean {
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i] as Range;
    if (c >= r[0] && c <= r[1]) return true;
  }
  return false;
}

function caseVariants(c: number, unicode: boolean): number[] {
  const s = unicode ? String.fromCodePoint(c) : String.fromCharCode(c);
  const out = [c];
  for (const v of [s.toLowerCase(), s.toUpperCase()]) {
    if (v.length === s.length) {
      const code = unicode ? (v.codePointAt(0) as number) : v.charCodeAt(0);
      // Like JavaScript, never map a non-ASCII character to an ASCII one.
      if (!(c >= 128 && code < 128) && !out.includes(code)) out.push(code);
    }
  }
  return out;
}

function matchesSet(set: CharSet, c: number, re: SafeRegex): boolean {
  let found = inRanges(c, set.ranges);
  if (!found && re.ignoreCase) {
    for (const v of caseVariants(c, re.unicode)) {
      if (inRanges(v, set.ranges)) {
        found = true;
        break;
      }
    }
  }
  return found !== set.negate;
}

function isWordUnit(c: number | undefined): boolean {
  return c !== undefined && inRanges(c, WORD);
}

function isLineTerminator(c: number | undefined): boolean {
  return c !== undefined && inRanges(c, LINE_TERMINATORS);
}

/** Does `text` contain a match of `re`? O(text × program). */
export function safeRegexTest(re: SafeRegex, text: string): boolean {
  const units = toUnits(text, re.unicode);
  if (units.length > REGEX_MAX_INPUT) {
    fail('regex_input_too_long', `regex_match input is limited to ${REGEX_MAX_INPUT} characters`);
  }
  const program = re.program;
  const size = program.length;
  const mark = new Int32Array(size).fill(-1);
  let current: number[] = [];
  let next: number[] = [];
  const stack: number[] = [];

  // Adds the epsilon closure of `pc` at position `pos` to `list`; returns true on a match.
  const add = (list: number[], start: number, pos: number, gen: number): boolean => {
    stack.push(start);
    while (stack.length > 0) {
      const pc = stack.pop() as number;
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      const inst = program[pc] as Inst;
      switch (inst.op) {
        case 'match':
          stack.length = 0;
          return true;
        case 'jmp':
          stack.push(inst.x);
          break;
        case 'split':
          stack.push(inst.y, inst.x);
          break;
        case 'assert': {
          const prev = units[pos - 1];
          const cur = units[pos];
          let ok: boolean;
          if (inst.kind === 'bol') ok = pos === 0 || (re.multiline && isLineTerminator(prev));
          else if (inst.kind === 'eol')
            ok = pos === units.length || (re.multiline && isLineTerminator(cur));
          else {
            const boundary = isWordUnit(prev) !== isWordUnit(cur);
            ok = inst.kind === 'wordb' ? boundary : !boundary;
          }
          if (ok) stack.push(pc + 1);
          break;
        }
        case 'char':
          list.push(pc);
          break;
      }
    }
    return false;
  };

  for (let pos = 0; pos <= units.length; pos++) {
    // Start a new attempt at every position (an unanchored search).
    if (add(current, 0, pos, pos * 2)) return true;
    if (pos === units.length) break;
    const c = units[pos] as number;
    next.length = 0;
    const gen = pos * 2 + 2;
    for (let i = 0; i < current.length; i++) {
      const pc = current[i] as number;
      const inst = program[pc] as Inst & { op: 'char' };
      if (matchesSet(inst.set, c, re) && add(next, pc + 1, pos + 1, gen)) return true;
    }
    [current, next] = [next, current];
  }
  return false;
}
