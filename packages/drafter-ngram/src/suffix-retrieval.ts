import { type Draft, emptyDraft, InvalidArgumentError } from '@decodekit/core';
import { ContinuationTrie } from './continuation-trie.js';
import { corpusDocuments, type TokenCorpus } from './corpus.js';
import { integerOption } from './options.js';
import { buildSuffixArray, suffixRange } from './suffix-array.js';
import type { SynchronousDrafter } from './synchronous-drafter.js';

/**
 * A token corpus indexed by a suffix array, for REST retrieval. Documents are concatenated with a
 * separator so no match or continuation crosses a document boundary. Internally token t is stored
 * as t + 1 and the separator as 0. Memory: 8 bytes per corpus token (text and suffix array, both
 * int32); the SA-IS build needs about 2.5x that at its peak.
 */
export class SuffixIndex {
  /** Corpus tokens shifted by one, 0 between documents. */
  readonly text: Int32Array;
  readonly suffixArray: Int32Array;
  /** Milliseconds the suffix array took to build. */
  readonly buildTimeMs: number;

  constructor(documents: readonly ArrayLike<number>[]) {
    let total = 0;
    for (const document of documents) total += document.length + 1;
    const text = new Int32Array(Math.max(0, total - 1));
    let at = 0;
    let upper = 0;
    documents.forEach((document, d) => {
      if (d > 0) text[at++] = 0;
      for (let i = 0; i < document.length; i++) {
        const token = document[i];
        if (!Number.isInteger(token) || token < 0 || token >= 2 ** 31 - 1) {
          throw new InvalidArgumentError(
            'corpus',
            `document ${d} has token id ${token} at ${i}; ids must be integers >= 0`,
          );
        }
        text[at++] = token + 1;
        if (token + 1 > upper) upper = token + 1;
      }
    });
    const started = performance.now();
    this.text = text;
    this.suffixArray = buildSuffixArray(text, upper);
    this.buildTimeMs = performance.now() - started;
  }

  /** Corpus tokens, separators included. */
  get length(): number {
    return this.text.length;
  }

  /** Bytes held by the index (text and suffix array). */
  get byteLength(): number {
    return this.text.byteLength + this.suffixArray.byteLength;
  }

  /**
   * Occurrences of `tokens[from..to)` (token ids, unshifted) in the corpus: the range of the
   * suffix array whose suffixes start with it.
   */
  find(tokens: ArrayLike<number>, from = 0, to = tokens.length): { start: number; end: number } {
    const shifted = new Int32Array(to - from);
    for (let i = from; i < to; i++) shifted[i - from] = tokens[i] + 1;
    return suffixRange(this.text, this.suffixArray, shifted);
  }

  /**
   * Writes the continuation after the match at suffix-array entry `entry` (a match of `matchLength`
   * tokens) into `out`, stopping at a document end; returns its length.
   */
  continuation(entry: number, matchLength: number, out: Int32Array): number {
    const start = this.suffixArray[entry] + matchLength;
    let length = 0;
    while (length < out.length && start + length < this.text.length) {
      const value = this.text[start + length];
      if (value === 0) break;
      out[length++] = value - 1;
    }
    return length;
  }
}

/** Builds a {@link SuffixIndex} over a corpus (text documents need `encode`). */
export function buildSuffixIndex(corpus: TokenCorpus, encode?: (text: string) => ArrayLike<number>): SuffixIndex {
  return new SuffixIndex(corpusDocuments(corpus, encode, 'corpus'));
}

/** Options of {@link suffixRetrieval}. Give `corpus` or a prebuilt `index`. */
export interface SuffixRetrievalOptions {
  /** Datastore tokens (target tokenizer): one document or several, ids or text (with `encode`). */
  readonly corpus?: TokenCorpus;
  /** The target tokenizer's encode, for text documents in `corpus`. */
  readonly encode?: (text: string) => ArrayLike<number>;
  /** A prebuilt index, shared between drafters (built once by {@link buildSuffixIndex}). */
  readonly index?: SuffixIndex;
  /** Longest context suffix matched (default 16, the reference `max_token_span`). */
  readonly maxSuffixLength?: number;
  /** Shortest context suffix matched (default 2). */
  readonly minSuffixLength?: number;
  /** Tokens taken after each occurrence (default 10). */
  readonly continuationLength?: number;
  /** Most occurrences read per step (default 5000). */
  readonly maxCandidates?: number;
  /** Most draft nodes: the most frequent trie prefixes (default 64, the reference `choices`). */
  readonly maxDraftTokens?: number;
}

/**
 * REST, retrieval-based speculative decoding (He et al., arXiv 2311.08252): the draft comes from
 * a datastore. The longest suffix of the context (from `maxSuffixLength` tokens down to
 * `minSuffixLength`) that occurs in the corpus is found by binary search over a suffix array;
 * the continuations after up to `maxCandidates` of its occurrences are merged into a trie with a
 * count per prefix, and the `maxDraftTokens` most frequent prefixes form the draft tree (most
 * frequent child first). Deterministic: lossless with any exact verifier.
 */
export function suffixRetrieval(options: SuffixRetrievalOptions): SynchronousDrafter {
  if (!options || (options.corpus === undefined && options.index === undefined)) {
    throw new InvalidArgumentError(
      'corpus',
      'REST retrieves drafts from a datastore: pass `corpus` (token ids or text with `encode`) or a prebuilt `index`',
    );
  }
  const maxSuffixLength = integerOption('maxSuffixLength', options.maxSuffixLength, 16, 1);
  const minSuffixLength = integerOption(
    'minSuffixLength',
    options.minSuffixLength,
    Math.min(2, maxSuffixLength),
    1,
    maxSuffixLength,
  );
  const continuationLength = integerOption('continuationLength', options.continuationLength, 10, 1);
  const maxCandidates = integerOption('maxCandidates', options.maxCandidates, 5000, 1);
  const maxDraftTokens = integerOption('maxDraftTokens', options.maxDraftTokens, 64, 1);
  const index = options.index ?? buildSuffixIndex(options.corpus as TokenCorpus, options.encode);
  const continuation = new Int32Array(continuationLength);

  return {
    name: 'rest',
    requires: { treeDrafts: true },
    propose(context): Draft {
      if (context.maxTokens <= 0) return emptyDraft;
      const tokens = context.tokens;
      const length = tokens.length;
      for (let suffix = Math.min(maxSuffixLength, length); suffix >= minSuffixLength; suffix--) {
        const range = index.find(tokens, length - suffix, length);
        if (range.end === range.start) continue;
        const trie = new ContinuationTrie();
        const stop = Math.min(range.end, range.start + maxCandidates);
        for (let entry = range.start; entry < stop; entry++) {
          const taken = index.continuation(entry, suffix, continuation);
          if (taken > 0) trie.insert(continuation, 0, taken, 1);
        }
        if (trie.size === 0) continue; // every occurrence ended its document
        return trie.toDraft(Math.min(context.maxTokens, maxDraftTokens));
      }
      return emptyDraft;
    },
  };
}
