import type { TokenVocabulary } from '../constraint.js';
import { AutomatonConstraint, sharedIndex } from '../engine/automaton-constraint.js';
import { parseGbnf } from '../engine/gbnf.js';
import { type Grammar, GrammarAutomaton, validateGrammar } from '../engine/grammar.js';

/** Options of `gbnfConstraint`. */
export interface GbnfOptions {
  /** The start rule (default `root`). */
  readonly root?: string;
  /**
   * Reuse the recognizer and token index of an earlier constraint with the same grammar text and
   * root over the same vocabulary object (default true); false builds afresh.
   */
  readonly shareIndex?: boolean;
}

/**
 * A constraint that the whole output is a sentence of `grammar` (already parsed and validated by
 * `parseGbnf` or built by the JSON Schema compiler), recognized by a memoizing pushdown automaton.
 */
export function grammarConstraint(
  grammar: Grammar,
  vocabulary: TokenVocabulary,
  name = 'grammar',
): AutomatonConstraint {
  validateGrammar(grammar);
  return new AutomatonConstraint(name, new GrammarAutomaton(grammar), vocabulary);
}

/**
 * A constraint from a GBNF grammar (llama.cpp's format; see `parseGbnf` and docs/constrained.md).
 * Throws `ConstraintSyntaxError` for syntax errors, undefined or unproductive rules, and left
 * recursion.
 *
 * @example
 * const constraint = gbnfConstraint('root ::= "yes" | "no"', tokenizerVocabulary(tokenizer));
 */
export function gbnfConstraint(
  grammar: string,
  vocabulary: TokenVocabulary,
  options: GbnfOptions = {},
): AutomatonConstraint {
  const root = options.root ?? 'root';
  const name = `gbnf:${root}`;
  if (options.shareIndex === false) return grammarConstraint(parseGbnf(grammar, root), vocabulary, name);
  return sharedGrammarConstraint(`gbnf\u0000${root}\u0000${grammar}`, () => parseGbnf(grammar, root), vocabulary, name);
}

/** A grammar constraint whose recognizer and token index are shared under `key` (see `sharedIndex`). */
export function sharedGrammarConstraint(
  key: string,
  grammar: () => Grammar,
  vocabulary: TokenVocabulary,
  name: string,
): AutomatonConstraint {
  const { automaton, rows } = sharedIndex(vocabulary, key, () => {
    const parsed = grammar();
    validateGrammar(parsed);
    return new GrammarAutomaton(parsed);
  });
  return new AutomatonConstraint(name, automaton, vocabulary, rows);
}
