import type { Constraint, TokenVocabulary } from '../src/constraint.js';
import { StatsCounter } from '../src/constraint.js';
import { byteVocabulary } from '../src/vocabulary.js';

/** A toy vocabulary: id 0 is eos, then short ASCII strings. */
export const toyTokens = ['<eos>', 'a', 'b', 'ab', 'c', 'ba'];
export const toyVocabulary: TokenVocabulary = byteVocabulary(toyTokens, 0);

const done = '\u0000';

/**
 * A hand-written constraint over any byte vocabulary: the output must be a complete word of a
 * language given by a prefix test and a completeness test (states are the text so far; `eos`
 * moves to a final state). Not incremental-efficient: for tests only.
 */
export function predicateConstraint(
  vocabulary: TokenVocabulary,
  language: { isPrefix(text: string): boolean; isComplete(text: string): boolean },
  name = 'toy',
): Constraint<string> {
  const stats = new StatsCounter();
  const decoder = new TextDecoder('latin1');
  const texts = Array.from({ length: vocabulary.size }, (_, id) => decoder.decode(vocabulary.bytes(id)));
  const advance = (state: string, token: number): string | undefined => {
    if (state.endsWith(done)) return undefined;
    if (token === vocabulary.eos) return language.isComplete(state) ? state + done : undefined;
    const text = texts[token];
    if (!text) return undefined;
    const next = state + text;
    return language.isPrefix(next) ? next : undefined;
  };
  return {
    name,
    vocabulary,
    stats,
    start: () => '',
    advance(state, token) {
      stats.tokenChecks++;
      return advance(state, token);
    },
    allows(state, token) {
      stats.tokenChecks++;
      return advance(state, token) !== undefined;
    },
    isComplete: (state) => !state.endsWith(done) && language.isComplete(state),
    mask(state, out = new Uint8Array(vocabulary.size)) {
      stats.masks++;
      for (let v = 0; v < vocabulary.size; v++) out[v] = advance(state, v) === undefined ? 0 : 1;
      return out;
    },
  };
}

/** The output must be one of `words` exactly. */
export function wordsConstraint(vocabulary: TokenVocabulary, words: readonly string[]): Constraint<string> {
  return predicateConstraint(
    vocabulary,
    {
      isPrefix: (text) => words.some((word) => word.startsWith(text)),
      isComplete: (text) => words.includes(text),
    },
    `words:${words.join('|')}`,
  );
}

/** The output must match `pattern` (anchored); `prefix` tells whether a text can still be extended to a match. */
export function patternConstraint(
  vocabulary: TokenVocabulary,
  pattern: RegExp,
  prefix: (text: string) => boolean,
): Constraint<string> {
  return predicateConstraint(
    vocabulary,
    { isPrefix: prefix, isComplete: (text) => pattern.test(text) },
    `pattern:${pattern.source}`,
  );
}

/** The text of generated tokens (eos dropped). */
export function textOf(vocabulary: TokenVocabulary, tokens: readonly number[]): string {
  const decoder = new TextDecoder('latin1');
  return tokens
    .filter((t) => t !== vocabulary.eos)
    .map((t) => decoder.decode(vocabulary.bytes(t)))
    .join('');
}
