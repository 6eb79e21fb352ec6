import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Grammar, GrammarAutomaton, parseGbnf, validateGrammar } from '../src/index.js';

type Expr =
  | { kind: 'literal'; text: string }
  | { kind: 'class'; negate: boolean; chars: string }
  | { kind: 'seq'; items: Expr[] }
  | { kind: 'alt'; items: Expr[] }
  | { kind: 'repeat'; item: Expr; op: '*' | '+' | '?' | [number, number] }
  | { kind: 'rule'; item: Expr };

const letters = ['a', 'b', 'é', '😀'];

const exprArbitrary = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .array(fc.constantFrom(...letters), { minLength: 1, maxLength: 3 })
      .map((cs) => ({ kind: 'literal', text: cs.join('') }) as Expr),
    fc
      .record({
        negate: fc.boolean(),
        chars: fc.uniqueArray(fc.constantFrom(...letters), { minLength: 1, maxLength: 2 }),
      })
      .map(({ negate, chars }) => ({ kind: 'class', negate, chars: chars.join('') }) as Expr),
    fc.array(tie('expr'), { minLength: 2, maxLength: 3 }).map((items) => ({ kind: 'seq', items }) as Expr),
    fc.array(tie('expr'), { minLength: 2, maxLength: 3 }).map((items) => ({ kind: 'alt', items }) as Expr),
    fc
      .record({
        item: tie('expr'),
        op: fc.oneof(
          fc.constantFrom<'*' | '+' | '?'>('*', '+', '?'),
          fc
            .tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }))
            .map(([a, b]) => [a, a + b] as [number, number]),
        ),
      })
      .map(({ item, op }) => ({ kind: 'repeat', item, op }) as Expr),
    tie('expr').map((item) => ({ kind: 'rule', item }) as Expr),
  ),
})).expr;

// Renders an expression as GBNF (named rules for `rule` nodes) and as a JavaScript regex.
function render(expr: Expr): { gbnf: string; regex: string } {
  const rules: string[] = [];
  const gbnf = (e: Expr): string => {
    switch (e.kind) {
      case 'literal':
        return JSON.stringify(e.text);
      case 'class':
        return `[${e.negate ? '^' : ''}${e.chars}]`;
      case 'seq':
        return `(${e.items.map(gbnf).join(' ')})`;
      case 'alt':
        return `(${e.items.map(gbnf).join(' | ')})`;
      case 'repeat':
        return `(${gbnf(e.item)})${typeof e.op === 'string' ? e.op : `{${e.op[0]},${e.op[1]}}`}`;
      case 'rule': {
        const name = `r${rules.length}`;
        rules.push('');
        rules[Number(name.slice(1))] = `${name} ::= ${gbnf(e.item)}`;
        return name;
      }
    }
  };
  const regex = (e: Expr): string => {
    switch (e.kind) {
      case 'literal':
        return `(?:${e.text})`;
      case 'class':
        return `[${e.negate ? '^' : ''}${e.chars}]`;
      case 'seq':
        return `(?:${e.items.map(regex).join('')})`;
      case 'alt':
        return `(?:${e.items.map(regex).join('|')})`;
      case 'repeat':
        return `(?:${regex(e.item)})${typeof e.op === 'string' ? e.op : `{${e.op[0]},${e.op[1]}}`}`;
      case 'rule':
        return regex(e.item);
    }
  };
  const root = `root ::= ${gbnf(expr)}`;
  return { gbnf: [root, ...rules].join('\n'), regex: regex(expr) };
}

function recognizes(grammar: Grammar, text: string): boolean {
  const automaton = new GrammarAutomaton(grammar);
  let state = automaton.start;
  for (const byte of new TextEncoder().encode(text)) {
    state = automaton.step(state, byte);
    if (state < 0) return false;
  }
  return automaton.accepting(state);
}

describe('the GBNF recognizer agrees with JavaScript RegExp on random regular grammars', () => {
  it('for random expressions, nested rules and random strings', () => {
    fc.assert(
      fc.property(
        exprArbitrary,
        fc.array(fc.array(fc.constantFrom(...letters, 'c'), { maxLength: 7 }), { minLength: 10, maxLength: 10 }),
        (expr, inputs) => {
          const { gbnf, regex } = render(expr);
          const grammar = parseGbnf(gbnf);
          validateGrammar(grammar); // repetitions of nullable items must pass
          const js = new RegExp(`^${regex}$`, 'u');
          for (const parts of inputs) {
            const text = parts.join('');
            expect(recognizes(grammar, text), `${JSON.stringify(text)} with\n${gbnf}\n/${regex}/`).toBe(js.test(text));
          }
        },
      ),
      { numRuns: 300, seed: 8 },
    );
  });

  it('for a recursive grammar, against a counter (balanced brackets)', () => {
    const grammar = parseGbnf('root ::= ( "(" root ")" | "[" root "]" )*');
    const balanced = (text: string) => {
      const stack: string[] = [];
      for (const c of text) {
        if (c === '(' || c === '[') stack.push(c);
        else if (stack.pop() !== (c === ')' ? '(' : '[')) return false;
      }
      return stack.length === 0;
    };
    fc.assert(
      fc.property(fc.array(fc.constantFrom('(', ')', '[', ']'), { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        expect(recognizes(grammar, text), text).toBe(balanced(text));
      }),
      { numRuns: 500, seed: 2 },
    );
  });
});
