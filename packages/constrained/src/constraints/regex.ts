import type { TokenVocabulary } from '../constraint.js';
import { AutomatonConstraint, type ByteAutomaton, sharedIndex } from '../engine/automaton-constraint.js';
import { compileDfa, type Dfa, defaultMaxDfaStates } from '../engine/dfa.js';
import { parseRegex } from '../engine/regex-parser.js';
import { ConstraintSyntaxError } from '../errors.js';

/** Options of `regexConstraint` and `compileRegex`. */
export interface RegexOptions {
  /** Cap on DFA states; compilation throws `ConstraintSyntaxError` beyond it (default 50 000). */
  readonly maxStates?: number;
  /** `.` matches line terminators too (what the `s` flag of a `RegExp` does; default false). */
  readonly dotAll?: boolean;
  /**
   * Reuse the DFA and token index of an earlier constraint with the same pattern and options over
   * the same vocabulary object (default true); false compiles and indexes afresh.
   */
  readonly shareIndex?: boolean;
}

/**
 * Compiles a regular expression to a byte-level DFA that matches the UTF-8 encoding of exactly the
 * strings the pattern matches in full (see `parseRegex` for the syntax). A `RegExp` is read from
 * its `source` (the `s` flag sets `dotAll`); flags `i` and `m` are rejected.
 */
export function compileRegex(pattern: string | RegExp, options: RegexOptions = {}): Dfa {
  let source: string;
  let dotAll = options.dotAll ?? false;
  if (typeof pattern === 'string') source = pattern;
  else {
    dotAll ||= pattern.flags.includes('s');
    const unsupported = pattern.flags.replace(/[gyudvs]/g, '');
    if (unsupported !== '') {
      throw new ConstraintSyntaxError(
        'regex',
        `flags "${unsupported}" are not supported; rewrite the pattern without them`,
      );
    }
    source = pattern.source;
  }
  const dfa = compileDfa(parseRegex(source, { dotAll }), options.maxStates ?? defaultMaxDfaStates);
  if (dfa.states === 0) throw new ConstraintSyntaxError('regex', `/${source}/ matches no string`);
  return dfa;
}

/** A DFA as a `ByteAutomaton` (table lookups). */
export function dfaAutomaton(dfa: Dfa): ByteAutomaton {
  const { next, accepting } = dfa;
  return {
    finiteStateCount: dfa.states,
    start: dfa.states > 0 ? 0 : -1,
    step: (state, byte) => next[state * 256 + byte],
    accepting: (state) => accepting[state] === 1,
  };
}

/**
 * A constraint that the whole output matches `pattern` (implicitly anchored at both ends), over
 * `vocabulary`. States are DFA state numbers; the token index is built lazily per visited state.
 *
 * @example
 * const constraint = regexConstraint(/\d{3}-\d{4}/, tokenizerVocabulary(tokenizer));
 */
export function regexConstraint(
  pattern: string | RegExp,
  vocabulary: TokenVocabulary,
  options: RegexOptions = {},
): AutomatonConstraint {
  const source = typeof pattern === 'string' ? pattern : pattern.source;
  const name = `regex:/${source}/`;
  const build = () => dfaAutomaton(compileRegex(pattern, options));
  if (options.shareIndex === false) return new AutomatonConstraint(name, build(), vocabulary);
  const flags = typeof pattern === 'string' ? '' : pattern.flags;
  const key = `regex\u0000${source}\u0000${flags}\u0000${options.dotAll ?? ''}\u0000${options.maxStates ?? ''}`;
  const { automaton, rows } = sharedIndex(vocabulary, key, build);
  return new AutomatonConstraint(name, automaton, vocabulary, rows);
}
