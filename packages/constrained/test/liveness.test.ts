import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteVocabulary, ConstraintDeadEndError, gbnfConstraint, regexConstraint } from '../src/index.js';

function allStrings(alphabet: readonly string[], n: number): string[] {
  const out: string[] = [''];
  let layer = [''];
  for (let i = 0; i < n; i++) {
    layer = layer.flatMap((s) => alphabet.map((c) => s + c));
    out.push(...layer);
  }
  return out;
}

describe('masks are exact: a token is allowed iff some completion of the output stays valid', () => {
  // Brute-force oracle: prefix p is viable iff p + s matches for some s of length ≤ depth.
  const alphabet = ['a', 'b', 'é'];
  const tokens = ['a', 'b', 'é', 'ab', 'ba', 'bé', 'aa', 'éa', '\u00c3'];
  // The last token is the lone lead byte of é (0xC3): half a character.
  const vocabulary = byteVocabulary(['<eos>', ...tokens.slice(0, -1), new Uint8Array([0xc3])], 0);
  const completions = allStrings(alphabet, 5);
  const patterns = ['(ab)*é?', 'a{2,3}b|ba+', '[^a]a*b', '(a|é)(b|é)*a', 'aéb|éa'];
  const grammars = [
    'root ::= "a" root "b" | "é"',
    'root ::= x+\nx ::= "ab" | "é" "a"?',
    'root ::= [ab]{1,2} ("é" root)?',
  ];

  // Prefixes stay short enough that the depth-5 oracle sees a completion whenever one exists.
  const check = (
    name: string,
    constraint: ReturnType<typeof regexConstraint>,
    matches: (text: string) => boolean,
    maxPrefix = 4,
    tokenLevel = false,
  ) => {
    const viable = (prefix: string) => completions.some((s) => matches(prefix + s));
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: maxPrefix }), (parts) => {
        const prefix = parts.join('');
        let state: number | undefined = constraint.start();
        for (const byte of new TextEncoder().encode(prefix)) {
          const token = byte === 0x61 ? 1 : byte === 0x62 ? 2 : undefined;
          if (token === undefined) {
            // é is one token of two bytes.
            if (byte === 0xc3) state = state === undefined ? undefined : constraint.advance(state, 3);
            continue;
          }
          state = state === undefined ? undefined : constraint.advance(state, token);
        }
        expect(state !== undefined, `${name}: prefix ${prefix}`).toBe(viable(prefix));
        if (state === undefined) return;
        const mask = constraint.mask(state);
        for (let t = 1; t < vocabulary.size; t++) {
          const text = tokens[t - 1];
          // The lone byte 0xC3 can only be completed by 0xA9, which no token spells: refused where
          // liveness is token-level (finite automata over a vocabulary without every single byte);
          // the grammar recognizer is byte-level and allows it iff some valid completion starts with é.
          const expected = text === '\u00c3' ? !tokenLevel && viable(`${prefix}é`) : viable(prefix + text);
          expect(mask[t] === 1, `${name}: ${prefix} + ${JSON.stringify(text)}`).toBe(expected);
          expect(constraint.allows(state, t)).toBe(expected);
        }
        expect(mask[0] === 1, `${name}: eos after ${prefix}`).toBe(matches(prefix));
        expect(constraint.isComplete(state)).toBe(matches(prefix));
      }),
      { numRuns: 60, seed: 4 },
    );
  };

  for (const pattern of patterns) {
    it(`regex /${pattern}/`, () => {
      const js = new RegExp(`^(?:${pattern})$`, 'u');
      check(pattern, regexConstraint(pattern, vocabulary), (text) => js.test(text), 4, true);
    });
  }
  for (const grammar of grammars) {
    it(`gbnf ${grammar.split('\n')[0]}`, () => {
      const constraint = gbnfConstraint(grammar, vocabulary);
      // Oracle: the same grammar's recognizer on the whole text (checked separately in gbnf.test.ts).
      const accepts = (text: string) => {
        let state: number | undefined = constraint.start();
        for (const byte of new TextEncoder().encode(text)) {
          const token = byte === 0x61 ? 1 : byte === 0x62 ? 2 : byte === 0xc3 ? 3 : undefined;
          if (token === undefined) continue;
          state = state === undefined ? undefined : constraint.advance(state, token);
        }
        return state !== undefined && constraint.isComplete(state);
      };
      check(grammar, constraint, accepts, grammar.includes('root "b"') ? 2 : 4);
    });
  }
});

describe('dead ends that only the vocabulary causes', () => {
  it('regexes prune them: tokens that cannot be completed by whole tokens are never allowed', () => {
    // "ab" needs a "b" the vocabulary cannot spell.
    const vocabulary = byteVocabulary(['<eos>', 'a', 'c'], 0);
    const constraint = regexConstraint('ab|c', vocabulary);
    expect([...constraint.mask(constraint.start())]).toEqual([0, 0, 1]);
    expect(constraint.advance(constraint.start(), 1)).toBeUndefined();
    expect(() => regexConstraint('a+b', vocabulary)).toThrow(ConstraintDeadEndError);
    expect(() => regexConstraint('a+b', vocabulary)).toThrow(/no sequence of tokens/);
  });

  it('grammars show them as an empty mask on an incomplete state, which samplers report with ConstraintDeadEndError', () => {
    const vocabulary = byteVocabulary(['<eos>', 'a', 'c'], 0);
    const constraint = gbnfConstraint('root ::= "a" "b" | "c"', vocabulary);
    const afterA = constraint.advance(constraint.start(), 1) as number;
    expect(afterA).toBeDefined();
    expect(constraint.isComplete(afterA)).toBe(false);
    expect([...constraint.mask(afterA)]).toEqual([0, 0, 0]);
  });
});
