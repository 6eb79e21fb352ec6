import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConstraintSyntaxError,
  type Grammar,
  GrammarAutomaton,
  gbnfConstraint,
  parseGbnf,
  validateGrammar,
} from '../src/index.js';
import { prng, randomWalk, smallVocabulary, tinyVocabulary } from './support.js';

function recognizes(grammar: Grammar, text: string): boolean {
  const automaton = new GrammarAutomaton(grammar);
  let state = automaton.start;
  for (const byte of new TextEncoder().encode(text)) {
    state = automaton.step(state, byte);
    if (state < 0) return false;
  }
  return automaton.accepting(state);
}

const arithmetic = `
# Arithmetic expressions (right-recursive, no left recursion)
root   ::= expr
expr   ::= term (("+" | "-") term)*
term   ::= factor (("*" | "/") factor)*
factor ::= number | "(" expr ")"
number ::= [0-9]+
`;

const jsonish = `
root   ::= value
value  ::= object | array | string | number | ("true" | "false" | "null")
object ::= "{" ws ( string ":" ws value ("," ws string ":" ws value)* )? "}"
array  ::= "[" ws ( value ("," ws value)* )? "]"
string ::= "\\"" ( [^"\\\\\\x00-\\x1f] | "\\\\" ["\\\\/bfnrt] )* "\\""
number ::= "-"? ([0-9] | [1-9] [0-9]*) ("." [0-9]+)?
ws     ::= [ \\t\\n]?
`;

describe('GBNF parsing and recognition', () => {
  const cases: [grammar: string, yes: string[], no: string[]][] = [
    ['root ::= "yes" | "no"', ['yes', 'no'], ['', 'y', 'yesno']],
    [arithmetic, ['1', '12+3*(4-5)', '((7))'], ['', '1+', '(1', '1++2', 'a']],
    ['root ::= [a-c]{2,3} "!"?', ['ab', 'abc!', 'cc!'], ['a', 'abcd', 'ab!!']],
    ['root ::= x{3}\nx ::= "ab"', ['ababab'], ['abab', 'abababab']],
    ['root ::= [^a-z\\n]+', ['ABC', 'é😀', '12'], ['', 'a', 'A\n']],
    ['root ::= . .', ['aé', '😀!'], ['a', 'abc']],
    ['root ::= "\\x41\\u00e9\\U0001F600\\n\\t\\"\\\\"', ['Aé😀\n\t"\\'], ['Aé😀']],
    ['root ::= a b\na ::= "x"?\nb ::= "y"*', ['', 'x', 'yy', 'xyyy'], ['xx', 'yx']],
    ['root ::= ( "a" \n | "b" ) # comment\n  "c"', ['ac', 'bc'], ['c', 'abc']],
    ['root::="a"{0,2}"b"{1,}', ['b', 'aabbb'], ['aaab', 'a']],
    ['root ::= item ("," item)*\nitem ::= [é-ë] | "[" root "]"', ['é', 'é,ë', '[é,[ê]],ë'], ['é,', '[é', 'e']],
    ['root ::= ("a"? "b"?)* "c"', ['c', 'abc', 'bac', 'aabbc'], ['', 'ab', 'cc']],
    ['root ::= ("a"*)+ | root', ['', 'a', 'aaa'], ['b']],
  ];
  for (const [grammar, yes, no] of cases) {
    it(`recognizes exactly its language: ${grammar.trim().split('\n')[0]}`, () => {
      const parsed = parseGbnf(grammar);
      validateGrammar(parsed);
      for (const text of yes) expect(recognizes(parsed, text), `${JSON.stringify(text)} should be accepted`).toBe(true);
      for (const text of no) expect(recognizes(parsed, text), `${JSON.stringify(text)} should be rejected`).toBe(false);
    });
  }

  it('reports errors with ConstraintSyntaxError messages that say what to fix', () => {
    const vocabulary = smallVocabulary('ab');
    for (const [grammar, message] of [
      ['', /empty/],
      ['start ::= "a"', /no "root" rule/],
      ['root ::= missing', /undefined rule\(s\): missing/],
      ['root ::= "a"\nroot ::= "b"', /defined twice/],
      ['root ::= "a', /unterminated string/],
      ['root ::= ("a"', /missing \)/],
      ['root ::= [b-a]', /out of order/],
      ['root = "a"', /expected "::="/],
      ['root ::= root "a" | "b"', /left recursion \(root -> root\)/],
      ['root ::= x\nx ::= y? x "a" | "b"\ny ::= "c"', /left recursion \(x -> x\)/],
      ['root ::= a\na ::= b "x" | "y"\nb ::= "z"? a', /left recursion \(a -> b -> a\)/],
      ['root ::= ("a"? root "b")*', /left recursion/],
      ['root ::= loop\nloop ::= "a" loop', /derives no finite string/],
      ['root ::= "a"{3,1}', /n < m/],
      ['root ::= "a" ) "b"', /unexpected "\)"/],
      ['root ::= "\\q"', /unknown escape/],
    ] as const) {
      expect(() => gbnfConstraint(grammar, vocabulary), grammar).toThrow(ConstraintSyntaxError);
      expect(() => gbnfConstraint(grammar, vocabulary), grammar).toThrow(message);
    }
  });

  it('accepts another start rule', () => {
    const constraint = gbnfConstraint('root ::= "a"\nother ::= "b"+', smallVocabulary('ab'), { root: 'other' });
    expect(constraint.name).toBe('gbnf:other');
    const b = constraint.advance(constraint.start(), 2) as number;
    expect(constraint.isComplete(b)).toBe(true);
  });
});

describe('gbnfConstraint over tokens', () => {
  it('random walks over allowed tiny-lm tokens are accepted sentences (and JSON for a JSON grammar)', async () => {
    const { vocabulary } = await tinyVocabulary();
    const grammars: [string, (text: string) => void][] = [
      [
        arithmetic,
        (text) => {
          expect(text).toMatch(/^[0-9+\-*/()]+$/);
          expect(recognizes(parseGbnf(arithmetic), text)).toBe(true);
        },
      ],
      [
        jsonish,
        (text) => {
          expect(() => JSON.parse(text), text).not.toThrow();
        },
      ],
    ];
    for (const [grammar, check] of grammars) {
      const constraint = gbnfConstraint(grammar, vocabulary);
      fc.assert(
        fc.property(fc.integer(), (seed) => {
          const walk = randomWalk(constraint, prng(seed), { maxSteps: 15, stopBias: 0.3, checkAgreement: true });
          expect(walk.completed).toBe(true);
          check(walk.text);
        }),
        { numRuns: 20, seed: 3 },
      );
    }
  });

  it('follows the tokenizer encoding of a sentence and refuses a broken one', async () => {
    const { tokenizer, vocabulary } = await tinyVocabulary();
    const constraint = gbnfConstraint(jsonish, vocabulary);
    const run = (text: string) => {
      let state: number | undefined = constraint.start();
      for (const token of tokenizer.encode(text, { addSpecialTokens: false })) {
        state = constraint.advance(state, token);
        if (state === undefined) return false;
      }
      return constraint.isComplete(state);
    };
    expect(run('{"name":\n"Moses","ages":[120, -3.5, true],"x":{}}')).toBe(true);
    expect(run('{"name": "Moses"')).toBe(false);
    expect(run('{"name" "Moses"}')).toBe(false);
  });
});

describe('the GBNF example of docs/constrained.md', () => {
  it('parses and recognizes JSON objects', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../../docs/constrained.md', import.meta.url), 'utf8');
    const example = /```gbnf\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const grammar = parseGbnf(example as string);
    expect(recognizes(grammar, '{"a": {"b": -1.5}, "c":\n"d\\n"}')).toBe(true);
    expect(recognizes(grammar, '{"a" 1}')).toBe(false);
  });
});

describe('helper rules', () => {
  it('never clash with rule names a user can write', () => {
    const grammar = 'root ::= ("a" | "b")+ root_1?\nroot_1 ::= "c"\nroot_2 ::= "d"';
    const parsed = parseGbnf(grammar);
    expect(recognizes(parsed, 'abac')).toBe(true);
    expect(recognizes(parsed, 'abd')).toBe(false);
    expect(parsed.names.filter((name) => name.includes('#')).length).toBeGreaterThan(0);
  });
});
