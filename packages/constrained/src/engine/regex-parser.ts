import { ConstraintSyntaxError } from '../errors.js';
import { complementRanges, maxCodePoint, normalizeRanges, type Range } from './utf8.js';

/** A parsed regular expression (code point level). */
export type RegexNode =
  | { readonly kind: 'class'; readonly ranges: readonly Range[] }
  | { readonly kind: 'sequence'; readonly items: readonly RegexNode[] }
  | { readonly kind: 'alternation'; readonly items: readonly RegexNode[] }
  | { readonly kind: 'repeat'; readonly item: RegexNode; readonly min: number; readonly max: number };

/** Largest explicit repetition bound accepted in `{m,n}` (larger ones blow up the automaton). */
export const maxRepeatBound = 1000;

const digit: Range[] = [[0x30, 0x39]];
const word: Range[] = normalizeRanges([
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
]);
const space: Range[] = normalizeRanges([
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
]);
// What `.` does not match, as in JavaScript: \n, \r, U+2028, U+2029.
const lineTerminators: Range[] = [
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
];
const simpleEscapes: Record<string, number> = { n: 0x0a, r: 0x0d, t: 0x09, f: 0x0c, v: 0x0b, '0': 0 };

/** The empty sequence (matches the empty string). */
export const emptyNode: RegexNode = { kind: 'sequence', items: [] };

/**
 * Parses a regular expression in the common JavaScript/PCRE syntax: literals, `.`, classes
 * (`[a-z]`, `[^...]`, escapes inside), `\d \D \w \W \s \S`, `\n \t \r \f \v \0 \xHH \uHHHH \u{H...}`,
 * groups `( )` and `(?: )`, alternation `|`, quantifiers `? * + {m} {m,} {m,n}` (lazy `?` suffixes are
 * accepted and ignored: they do not change the language). The whole output must match: `^` at the
 * start and `$` at the end are accepted and implied anyway. `.` matches any code point except the
 * line terminators `\n`, `\r`, U+2028 and U+2029, as in JavaScript (everything with `dotAll`, the `s` flag).
 * Not supported (a `ConstraintSyntaxError` says so): backreferences, lookaround, flags, anchors
 * elsewhere, word boundaries, Unicode property escapes (`\p{...}`).
 */
export function parseRegex(pattern: string, options: { readonly dotAll?: boolean } = {}): RegexNode {
  const chars = Array.from(pattern);
  // Offsets in code points; report them as such.
  let pos = 0;
  const fail = (message: string, at = pos): never => {
    throw new ConstraintSyntaxError('regex', `${message} in /${pattern}/`, at);
  };
  const peek = () => chars[pos];
  const eat = (c: string) => {
    if (chars[pos] === c) {
      pos++;
      return true;
    }
    return false;
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

  // After a backslash: either a class escape (ranges) or a single code point.
  const parseEscape = (inClass: boolean): Range[] => {
    const c = chars[pos++];
    if (c === undefined) return fail('pattern ends with a backslash');
    switch (c) {
      case 'd':
        return digit;
      case 'D':
        return complementRanges(digit);
      case 'w':
        return word;
      case 'W':
        return complementRanges(word);
      case 's':
        return space;
      case 'S':
        return complementRanges(space);
      case 'x':
        return single(hex(2));
      case 'u': {
        if (eat('{')) {
          let value = 0;
          let digits = 0;
          while (peek() !== '}') {
            value = value * 16 + hex(1);
            digits++;
          }
          pos++;
          if (digits === 0 || value > maxCodePoint) fail('invalid \\u{...} escape');
          return single(value);
        }
        return single(hex(4));
      }
      case 'b':
        if (inClass) return single(0x08);
        return fail('word boundaries (\\b) are not supported in constraints', pos - 1);
      case 'B':
        return fail('word boundaries (\\B) are not supported in constraints', pos - 1);
      default:
        if (c in simpleEscapes) return single(simpleEscapes[c]);
        if (/[1-9]/.test(c)) return fail('backreferences are not supported in constraints', pos - 1);
        if (/[a-zA-Z]/.test(c)) return fail(`unknown escape \\${c}`, pos - 1);
        return single(c.codePointAt(0) as number);
    }
  };

  const parseClass = (): RegexNode => {
    // '[' already consumed.
    const negate = eat('^');
    const ranges: Range[] = [];
    // As in JavaScript, `]` right after `[` or `[^` closes the class: `[]` matches nothing, `[^]` anything.
    while (peek() !== ']') {
      if (peek() === undefined) fail('unterminated character class');
      let lo: Range[];
      if (eat('\\')) lo = parseEscape(true);
      else lo = single((chars[pos++] as string).codePointAt(0) as number);
      if (peek() === '-' && chars[pos + 1] !== ']' && chars[pos + 1] !== undefined) {
        pos++;
        let hi: Range[];
        if (eat('\\')) hi = parseEscape(true);
        else hi = single((chars[pos++] as string).codePointAt(0) as number);
        if (lo.length !== 1 || hi.length !== 1 || lo[0][0] !== lo[0][1] || hi[0][0] !== hi[0][1]) {
          fail('a class range needs single characters at both ends');
        }
        if (lo[0][0] > hi[0][0]) fail('class range out of order');
        ranges.push([lo[0][0], hi[0][0]]);
      } else ranges.push(...lo);
    }
    pos++;
    return { kind: 'class', ranges: negate ? complementRanges(ranges) : normalizeRanges(ranges) };
  };

  const parseAtom = (): RegexNode | undefined => {
    const c = peek();
    if (c === undefined || c === '|' || c === ')') return undefined;
    pos++;
    switch (c) {
      case '(': {
        if (eat('?')) {
          if (!eat(':')) fail('only non-capturing groups (?:...) are supported; no lookaround or flags', pos - 1);
        }
        const inner = parseAlternation();
        if (!eat(')')) fail('missing )');
        return inner;
      }
      case '[':
        return parseClass();
      case '.':
        return { kind: 'class', ranges: complementRanges(options.dotAll ? [] : lineTerminators) };
      case '\\':
        return { kind: 'class', ranges: parseEscape(false) };
      case '^':
        if (pos === 1) return emptyNode;
        return fail('^ is only supported at the start of the pattern', pos - 1);
      case '$':
        if (pos === chars.length) return emptyNode;
        return fail('$ is only supported at the end of the pattern', pos - 1);
      case '*':
      case '+':
      case '?':
        return fail(`nothing to repeat before ${c}`, pos - 1);
      default:
        return { kind: 'class', ranges: single(c.codePointAt(0) as number) };
    }
  };

  const number = (): number | undefined => {
    const start = pos;
    while (peek() !== undefined && /[0-9]/.test(peek() as string)) pos++;
    return pos === start ? undefined : Number(chars.slice(start, pos).join(''));
  };

  const parseQuantified = (): RegexNode | undefined => {
    let atom = parseAtom();
    if (atom === undefined) return undefined;
    for (;;) {
      let min: number;
      let max: number;
      const c = peek();
      if (c === '*') [min, max] = [0, Infinity];
      else if (c === '+') [min, max] = [1, Infinity];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{' && /[0-9]/.test(chars[pos + 1] ?? '')) {
        const start = pos;
        pos++;
        min = number() as number;
        max = min;
        if (eat(',')) max = number() ?? Infinity;
        if (!eat('}')) fail('malformed {m,n} quantifier', start);
        if (max < min) fail('{m,n} with n < m', start);
        if (min > maxRepeatBound || (max !== Infinity && max > maxRepeatBound)) {
          fail(`repetition bounds above ${maxRepeatBound} are not supported`, start);
        }
        pos--;
      } else return atom;
      pos++;
      eat('?'); // lazy: same language
      atom = { kind: 'repeat', item: atom, min, max };
    }
  };

  const parseSequence = (): RegexNode => {
    const items: RegexNode[] = [];
    for (;;) {
      const item = parseQuantified();
      if (item === undefined) break;
      items.push(item);
    }
    return items.length === 1 ? items[0] : { kind: 'sequence', items };
  };

  function parseAlternation(): RegexNode {
    const items = [parseSequence()];
    while (eat('|')) items.push(parseSequence());
    return items.length === 1 ? items[0] : { kind: 'alternation', items };
  }

  const tree = parseAlternation();
  if (pos < chars.length) fail(chars[pos] === ')' ? 'unbalanced )' : 'unexpected character');
  return tree;
}

function single(codePoint: number): Range[] {
  return [[codePoint, codePoint]];
}
