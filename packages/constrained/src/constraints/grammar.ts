import type { TokenVocabulary } from '../constraint.js';
import { AutomatonConstraint } from '../engine/automaton-constraint.js';
import { parseGbnf } from '../engine/gbnf.js';
import { type Grammar, GrammarAutomaton, validateGrammar } from '../engine/grammar.js';

/** Options of `gbnfConstraint`. */
export interface GbnfOptions {
  /** The start rule (default `root`). */
  readonly root?: string;
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
  return grammarConstraint(parseGbnf(grammar, root), vocabulary, `gbnf:${root}`);
}
