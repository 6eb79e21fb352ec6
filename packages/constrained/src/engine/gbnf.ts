import { ConstraintSyntaxError } from '../errors.js';
import type { Grammar, GrammarTerm } from './grammar.js';
import { maxRepeatBound } from './regex-parser.js';
import { complementRanges, normalizeRanges, type Range, utf8Sequences } from './utf8.js';

type Sequence = GrammarTerm[];

/** Builds grammars: named rules, helper rules for groups and repetitions, UTF-8 character sets. */
export class GrammarBuilder {
  /** Rule names by id (helper rules are named after the rule they were made for). */
  readonly names: string[] = [];
  /** Alternatives by rule id; undefined while a rule is referenced but not yet defined. */
  readonly rules: (Sequence[] | undefined)[] = [];
  readonly #ids = new Map<string, number>();
  readonly #helpers = new Map<string, number>();

  /** The id of the named rule (created undefined on first reference). */
  ruleId(name: string): number {
    let id = this.#ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.rules.push(undefined);
      this.#ids.set(name, id);
    }
    return id;
  }

  /** Whether the named rule has been given alternatives. */
  isDefined(name: string): boolean {
    const id = this.#ids.get(name);
    return id !== undefined && this.rules[id] !== undefined;
  }

  /** Gives a rule its alternatives. */
  define(id: number, alternatives: Sequence[]): void {
    this.rules[id] = alternatives;
  }

  /** A fresh helper rule named after `base` (`base#n`: `#` cannot occur in GBNF names, so no clash). */
  helper(base: string, alternatives: Sequence[]): number {
    const id = this.ruleId(`${base}#${this.names.length}`);
    this.rules[id] = alternatives;
    return id;
  }

  /** The sequence that matches one code point of `ranges` in UTF-8 (a helper rule when multi-byte). */
  characters(ranges: readonly Range[]): Sequence {
    const sequences = utf8Sequences(ranges);
    const single = sequences.every((s) => s.length === 1);
    if (single) {
      const set = new Uint8Array(256);
      for (const [[lo, hi]] of sequences) set.fill(1, lo, hi + 1);
      return [{ kind: 'bytes', set }];
    }
    const key = JSON.stringify(normalizeRanges(ranges));
    let id = this.#helpers.get(key);
    if (id === undefined) {
      // Merge sequences that share all but their last byte range into one set.
      const alternatives: Sequence[] = sequences.map((sequence) =>
        sequence.map(([lo, hi]) => {
          const set = new Uint8Array(256);
          set.fill(1, lo, hi + 1);
          return { kind: 'bytes', set } as GrammarTerm;
        }),
      );
      id = this.helper('char', alternatives);
      this.#helpers.set(key, id);
    }
    return [{ kind: 'rule', rule: id }];
  }

  /** The bytes of a literal string, one term per byte. */
  literal(text: string): Sequence {
    return Array.from(new TextEncoder().encode(text), (byte) => {
      const set = new Uint8Array(256);
      set[byte] = 1;
      return { kind: 'bytes', set } as GrammarTerm;
    });
  }

  /** `item{min,max}` (max may be Infinity) as a sequence, with helper rules named after `base`. */
  repeat(base: string, item: Sequence, min: number, max: number): Sequence {
    const out: Sequence = [];
    for (let i = 0; i < min; i++) out.push(...item);
    if (max === Infinity) {
      const star = this.ruleId(`${base}#${this.names.length}`);
      this.define(star, [[...item, { kind: 'rule', rule: star }], []]);
      out.push({ kind: 'rule', rule: star });
    } else if (max > min) {
      // Nested optionals: opt_k ::= item opt_(k-1) | ε, unambiguous.
      let inner: number | undefined;
      for (let k = 0; k < max - min; k++) {
        const tail: Sequence = inner === undefined ? [] : [{ kind: 'rule', rule: inner }];
        inner = this.helper(base, [[...item, ...tail], []]);
      }
      out.push({ kind: 'rule', rule: inner as number });
    }
    return out;
  }

  /** The finished grammar; throws if a referenced rule was never defined. */
  build(root: string, source: string): Grammar {
    if (!this.isDefined(root)) {
      throw new ConstraintSyntaxError(source, `the grammar has no "${root}" rule (the start symbol)`);
    }
    const missing = this.names.filter((_, id) => this.rules[id] === undefined);
    if (missing.length > 0) {
      throw new ConstraintSyntaxError(source, `undefined rule(s): ${missing.join(', ')}`);
    }
    return { names: [...this.names], rules: this.rules as Sequence[][], root: this.ruleId(root) };
  }
}

const namePattern = /[a-zA-Z0-9_-]/;

/**
 * Parses a grammar in GBNF, llama.cpp's grammar format (see docs/constrained.md for the
 * reference): `name ::= alternatives` rules, `|`, sequences, `"literals"`, `[character classes]`
 * (ranges, `^` negation), `.`, `( groups )`, `* + ? {m} {m,} {m,n}`, `# comments`. Rules may span
 * lines; a rule ends where the next `name ::=` begins. The start symbol is `root` unless told.
 */
export function parseGbnf(text: string, root = 'root'): Grammar {
  const source = 'gbnf';
  const builder = new GrammarBuilder();
  const chars = Array.from(text);
  let pos = 0;
  const fail = (message: string, at = pos): never => {
    throw new ConstraintSyntaxError(source, message, at);
  };

  const skipSpace = () => {
    for (;;) {
      const c = chars[pos];
      if (c === '#') {
        while (pos < chars.length && chars[pos] !== '\n') pos++;
      } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') pos++;
      else return;
    }
  };
  const readName = (): string => {
    const start = pos;
    while (pos < chars.length && namePattern.test(chars[pos])) pos++;
    return chars.slice(start, pos).join('');
  };
  // True when a rule definition `name ::=` starts at pos.
  const atDefinition = (): boolean => {
    const save = pos;
    const name = readName();
    skipSpace();
    const yes = name !== '' && chars[pos] === ':' && chars[pos + 1] === ':' && chars[pos + 2] === '=';
    pos = save;
    return yes;
  };
  const hex = (count: number): number => {
    let value = 0;
    for (let i = 0; i < count; i++) {
      const c = chars[pos];
      if (c === undefined || !/[0-9a-fA-F]/.test(c)) fail('expected a hexadecimal digit');
      value = value * 16 + Number.parseInt(c, 16);
      pos++;
    }
    return value;
  };
  const escapedChar = (): number => {
    // After a backslash.
    const c = chars[pos++];
    switch (c) {
      case 'x':
        return hex(2);
      case 'u':
        return hex(4);
      case 'U':
        return hex(8);
      case 'n':
        return 0x0a;
      case 't':
        return 0x09;
      case 'r':
        return 0x0d;
      case '\\':
      case '"':
      case '[':
      case ']':
      case '-':
      case '^':
        return c.codePointAt(0) as number;
      default:
        return fail(`unknown escape \\${c ?? ''}`, pos - 1);
    }
  };
  const classChar = (): number => {
    const c = chars[pos];
    if (c === undefined) return fail('unterminated character class');
    pos++;
    return c === '\\' ? escapedChar() : (c.codePointAt(0) as number);
  };

  const parsePrimary = (ruleName: string): Sequence | undefined => {
    const c = chars[pos];
    if (c === '"') {
      pos++;
      let value = '';
      for (;;) {
        const d = chars[pos];
        if (d === undefined || d === '\n') fail('unterminated string literal');
        pos++;
        if (d === '"') break;
        value += d === '\\' ? String.fromCodePoint(escapedChar()) : d;
      }
      return builder.literal(value);
    }
    if (c === '[') {
      pos++;
      const negate = chars[pos] === '^';
      if (negate) pos++;
      const ranges: Range[] = [];
      while (chars[pos] !== ']') {
        const lo = classChar();
        if (chars[pos] === '-' && chars[pos + 1] !== ']' && chars[pos + 1] !== undefined) {
          pos++;
          const hi = classChar();
          if (hi < lo) fail('character class range out of order');
          ranges.push([lo, hi]);
        } else ranges.push([lo, lo]);
      }
      pos++;
      return builder.characters(negate ? complementRanges(ranges) : ranges);
    }
    if (c === '.') {
      pos++;
      return builder.characters(complementRanges([]));
    }
    if (c === '(') {
      pos++;
      const alternatives = parseAlternatives(ruleName, true);
      skipSpace();
      if (chars[pos] !== ')') fail('missing )');
      pos++;
      if (alternatives.length === 1) return alternatives[0];
      return [{ kind: 'rule', rule: builder.helper(ruleName, alternatives) }];
    }
    if (c !== undefined && namePattern.test(c)) {
      if (atDefinition()) return undefined;
      return [{ kind: 'rule', rule: builder.ruleId(readName()) }];
    }
    return undefined;
  };

  const readNumber = (): number | undefined => {
    const start = pos;
    while (pos < chars.length && /[0-9]/.test(chars[pos])) pos++;
    return pos === start ? undefined : Number(chars.slice(start, pos).join(''));
  };

  const parseSequence = (ruleName: string): Sequence => {
    const sequence: Sequence = [];
    for (;;) {
      skipSpace();
      let item = parsePrimary(ruleName);
      if (item === undefined) return sequence;
      for (;;) {
        const q = chars[pos];
        let min: number;
        let max: number;
        if (q === '*') [min, max] = [0, Infinity];
        else if (q === '+') [min, max] = [1, Infinity];
        else if (q === '?') [min, max] = [0, 1];
        else if (q === '{') {
          const start = pos;
          pos++;
          skipSpace();
          min = readNumber() ?? fail('expected a number in {m,n}', start);
          skipSpace();
          max = min;
          if (chars[pos] === ',') {
            pos++;
            skipSpace();
            max = readNumber() ?? Infinity;
            skipSpace();
          }
          if (chars[pos] !== '}') fail('malformed {m,n}', start);
          if (max < min) fail('{m,n} with n < m', start);
          if (min > maxRepeatBound || (max !== Infinity && max > maxRepeatBound)) {
            fail(`repetition bounds above ${maxRepeatBound} are not supported`, start);
          }
        } else break;
        pos++;
        item = builder.repeat(ruleName, item, min, max);
      }
      sequence.push(...item);
    }
  };

  function parseAlternatives(ruleName: string, nested: boolean): Sequence[] {
    const alternatives = [parseSequence(ruleName)];
    skipSpace();
    while (chars[pos] === '|') {
      pos++;
      alternatives.push(parseSequence(ruleName));
      skipSpace();
    }
    if (!nested && pos < chars.length && !atDefinition()) {
      fail(`unexpected ${JSON.stringify(chars[pos])} in rule "${ruleName}"`);
    }
    return alternatives;
  }

  skipSpace();
  if (pos >= chars.length) fail('the grammar is empty');
  while (pos < chars.length) {
    const start = pos;
    const name = readName();
    if (name === '') fail(`expected a rule name, found ${JSON.stringify(chars[pos])}`);
    skipSpace();
    if (!(chars[pos] === ':' && chars[pos + 1] === ':' && chars[pos + 2] === '=')) {
      fail(`expected "::=" after rule name "${name}"`);
    }
    pos += 3;
    if (builder.isDefined(name)) fail(`rule "${name}" is defined twice`, start);
    const id = builder.ruleId(name);
    builder.define(id, parseAlternatives(name, false));
    skipSpace();
  }
  return builder.build(root, source);
}
