import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  byteVocabulary,
  ConstraintSyntaxError,
  compileRegex,
  type Dfa,
  gbnfConstraint,
  jsonSchemaConstraint,
  regexConstraint,
  sharedIndexCapacity,
} from '../src/index.js';
import { prng, randomWalk, smallVocabulary, tinyVocabulary } from './support.js';

function dfaMatches(dfa: Dfa, text: string): boolean {
  let state = 0;
  for (const byte of new TextEncoder().encode(text)) {
    state = dfa.next[state * 256 + byte];
    if (state < 0) return false;
  }
  return dfa.accepting[state] === 1;
}

const cases: [pattern: string, yes: string[], no: string[]][] = [
  ['abc', ['abc'], ['', 'ab', 'abcd', 'abd']],
  ['a|bc|', ['a', 'bc', ''], ['b', 'abc']],
  ['(ab)+c?', ['ab', 'ababc'], ['', 'a', 'abca', 'c']],
  ['(?:x|y)*z', ['z', 'xyxz'], ['xy', 'zz']],
  ['[a-c0-2_]{2,3}', ['a0', '_2c'], ['a', 'abcd', 'd0']],
  ['[^a-z]', ['A', '9', 'é', '😀'], ['a', 'z', 'AB', '']],
  ['\\d+\\.\\d{1,2}', ['3.14', '10.5'], ['3.', '.5', '3.141', 'a.1']],
  ['\\w+\\s\\W', ['ab_1 !', 'x\t-'], ['ab c', 'a b']],
  ['\\S\\D', ['ab', '!x'], [' a', 'a1']],
  ['.{3}', ['abc', 'é😀x'], ['ab', 'a\nb', 'a\rb', 'a\u2028b', 'abcd']],
  ['^x{2}$', ['xx'], ['x', 'xxx']],
  ['x{2,}', ['xx', 'xxxxx'], ['x']],
  ['a?b??c*?', ['', 'a', 'abccc', 'c'], ['aa', 'bb']],
  ['\\x41\\u00e9\\u{1F600}\\n', ['Aé😀\n'], ['Aé😀']],
  ['[\\-\\]a-]+', ['-]a-'], ['b']],
  ['[é-ë]', ['é', 'ê', 'ë'], ['e', 'ì']],
  ['[\\u0100-\\u{10FFFF}]', ['Ā', '😀', '\u{10FFFF}', '\uffff'], ['ÿ', 'a']],
  ['{a}', ['{a}'], ['a']],
  ['a[^]b', ['a\nb', 'aéb'], ['ab']],
  ['a[]?b', ['ab'], ['a]b', 'a[]b']],
];

describe('regex to DFA', () => {
  for (const [pattern, yes, no] of cases) {
    it(`/${pattern}/ matches exactly what it should`, () => {
      const dfa = compileRegex(pattern);
      for (const text of yes) expect(dfaMatches(dfa, text), `${JSON.stringify(text)} should match`).toBe(true);
      for (const text of no) expect(dfaMatches(dfa, text), `${JSON.stringify(text)} should not match`).toBe(false);
    });
  }

  it('agrees with JavaScript RegExp on random strings (differential property test)', () => {
    const patterns = [
      '(a|b)*abb',
      '[a-c]{1,3}(x|y)?',
      '\\d{2,4}-?\\w*',
      '(?:é|e)+[^e]',
      '.b.',
      '(ab|a)(bc|c)',
      '[^\\d\\s]+',
      'a{0,2}b{1}c{2,}',
    ];
    const alphabet = fc.constantFrom('a', 'b', 'c', 'e', 'é', 'x', 'y', '1', '2', '-', ' ', '\n', '\r', '😀', '_');
    for (const pattern of patterns) {
      const dfa = compileRegex(pattern);
      const js = new RegExp(`^(?:${pattern})$`, 'u');
      fc.assert(
        fc.property(fc.array(alphabet, { maxLength: 8 }), (parts) => {
          const text = parts.join('');
          expect(dfaMatches(dfa, text)).toBe(js.test(text));
        }),
        { numRuns: 300, seed: 11 },
      );
    }
  });

  it('rejects unsupported syntax with a ConstraintSyntaxError that says what', () => {
    for (const [pattern, message] of [
      ['(a', /missing \)/],
      ['a)', /unbalanced/],
      ['*a', /nothing to repeat/],
      ['(?=a)', /lookaround/],
      ['(a)\\1', /backreference/],
      ['a\\b', /word boundaries/],
      ['[z-a]', /out of order/],
      ['a{5,2}', /n < m/],
      ['a{2000}', /bounds above/],
      ['a^b', /\^ is only supported/],
      ['[^\\x00-\\u{10FFFF}]', /matches no string/],
    ] as const) {
      expect(() => compileRegex(pattern), pattern).toThrow(ConstraintSyntaxError);
      expect(() => compileRegex(pattern), pattern).toThrow(message);
    }
    expect(() => compileRegex(/a/i)).toThrow(/flags "i"/);
    expect(() => compileRegex(/a/m)).toThrow(/flags "m"/);
  });

  it('dotAll (the s flag) lets . match line terminators', () => {
    expect(dfaMatches(compileRegex(/a.b/s), 'a\nb')).toBe(true);
    expect(dfaMatches(compileRegex('a.b', { dotAll: true }), 'a\u2028b')).toBe(true);
    expect(dfaMatches(compileRegex(/a.b/), 'a\nb')).toBe(false);
  });

  it('refuses patterns whose automaton would be too large', () => {
    expect(() => compileRegex('(a|b)*a(a|b){12}', { maxStates: 1000 })).toThrow(/exceeds 1000 states/);
  });
});

describe('regexConstraint over tokens', () => {
  it('masks, allows and advances consistently on a small vocabulary with multi-byte tokens', () => {
    const vocabulary = smallVocabulary('ab01-é', ['ab', '01', 'b0', 'é-', '\u00c3']);
    const constraint = regexConstraint('a+b?[0-9]{2}(-é)?', vocabulary);
    const allowedText = (state: number) =>
      [...constraint.mask(state)].flatMap((bit, t) =>
        bit ? [t === vocabulary.eos ? '<eos>' : new TextDecoder().decode(vocabulary.bytes(t))] : [],
      );
    const id = (text: string) => {
      for (let t = 0; t < vocabulary.size; t++) {
        if (new TextDecoder().decode(vocabulary.bytes(t)) === text && vocabulary.bytes(t).length > 0) return t;
      }
      throw new Error(text);
    };
    let state = constraint.start();
    expect(allowedText(state).sort()).toEqual(['a', 'ab']);
    state = constraint.advance(state, id('ab')) as number;
    expect(allowedText(state).sort()).toEqual(['0', '01', '1']);
    expect(constraint.allows(state, id('a'))).toBe(false);
    state = constraint.advance(state, id('01')) as number;
    expect(constraint.isComplete(state)).toBe(true);
    expect(allowedText(state).sort()).toEqual(['-', '<eos>']);
    // The lone lead byte of é (0xC3) is not allowed after "ab01"; "-" then "é" is.
    const lead = [...Array(vocabulary.size).keys()].find((t) => vocabulary.bytes(t).join() === '195') as number;
    expect(constraint.allows(state, lead)).toBe(false);
    const dash = constraint.advance(state, id('-')) as number;
    expect(constraint.allows(dash, lead)).toBe(true);
    expect(constraint.isComplete(constraint.advance(dash, lead) as number)).toBe(false);
    const final = constraint.advance(state, vocabulary.eos) as number;
    expect(constraint.isComplete(final)).toBe(true);
    expect([...constraint.mask(final)].every((bit) => bit === 0)).toBe(true);
    expect(constraint.advance(final, id('a'))).toBeUndefined();
    expect(constraint.stats.masks).toBe(4);
    expect(constraint.stats.tokenChecks).toBeGreaterThan(3);
  });

  it('random walks over allowed tokens of the tiny-lm vocabulary always give matching strings', async () => {
    const { vocabulary } = await tinyVocabulary();
    const patterns = [
      '[A-Z][a-z]+ \\d{1,3}:\\d{1,3}',
      '(def|class) [a-z_]+\\((self)?\\):',
      '\\{"name": "[^"\\\\]{0,12}", "age": \\d{1,2}\\}',
      '(yes|no|maybe)',
      '[a-zé😀]{2,6}(, [a-z]+)*\\.',
    ];
    for (const pattern of patterns) {
      const constraint = regexConstraint(pattern, vocabulary);
      const js = new RegExp(`^(?:${pattern})$`, 'u');
      fc.assert(
        fc.property(fc.integer(), (seed) => {
          const walk = randomWalk(constraint, prng(seed), { maxSteps: 12, checkAgreement: true });
          expect(walk.completed).toBe(true);
          expect(js.test(walk.text), `${walk.text} !~ /${pattern}/`).toBe(true);
        }),
        { numRuns: 25, seed: 5 },
      );
      expect(constraint.indexedStates).toBeGreaterThan(0);
    }
  });

  it('shares the compiled automaton and token index between constraints over the same vocabulary', () => {
    // Every single byte is a token, so rows are built lazily (no pruning pass).
    const vocabulary = byteVocabulary(
      ['<eos>', ...Array.from({ length: 256 }, (_, b) => new Uint8Array([b])), 'ab'],
      0,
    );
    const first = regexConstraint('a+b', vocabulary);
    first.mask(first.start());
    const again = regexConstraint('a+b', vocabulary);
    expect(again.indexedStates).toBe(1);
    expect(again.stats.masks).toBe(0);
    expect(regexConstraint('a+b', vocabulary, { shareIndex: false }).indexedStates).toBe(0);
    expect(regexConstraint(/a+b/s, vocabulary).indexedStates).toBe(0);
    // A vocabulary without every single byte indexes every DFA state up front (token-level pruning).
    expect(regexConstraint('a+b', smallVocabulary('ab01')).indexedStates).toBe(compileRegex('a+b').states);
    const grammar = gbnfConstraint('root ::= "a"+', vocabulary);
    grammar.mask(grammar.start());
    expect(gbnfConstraint('root ::= "a"+', vocabulary).indexedStates).toBe(1);
    const json = jsonSchemaConstraint({ type: 'boolean' }, vocabulary);
    json.mask(json.start());
    expect(jsonSchemaConstraint({ type: 'boolean' }, vocabulary).indexedStates).toBe(1);
    expect(jsonSchemaConstraint({ type: 'boolean' }, vocabulary, { whitespace: 'compact' }).indexedStates).toBe(0);
    // Least recently used entries leave once the cache is full.
    for (let i = 0; i < sharedIndexCapacity; i++) regexConstraint(`x{${i + 1}}`, vocabulary);
    expect(regexConstraint('a+b', vocabulary).indexedStates).toBe(0);
  });

  it('accepts the tokenizer encoding of matching text and refuses others', async () => {
    const { tokenizer, vocabulary } = await tinyVocabulary();
    const constraint = regexConstraint('The (LORD|Lord) (is|was) [a-z ]+\\.', vocabulary);
    const run = (text: string) => {
      let state: number | undefined = constraint.start();
      for (const token of tokenizer.encode(text, { addSpecialTokens: false })) {
        state = constraint.advance(state, token);
        if (state === undefined) return false;
      }
      return constraint.isComplete(state);
    };
    expect(run('The LORD is my shepherd.')).toBe(true);
    expect(run('The Lord was with him.')).toBe(true);
    expect(run('The LORD is my shepherd')).toBe(false);
    expect(run('The lord is here.')).toBe(false);
  });
});
