import { chainDraft, type Draft, emptyDraft } from '@decodekit/core';
import { ContinuationTrie } from './continuation-trie.js';
import { NgramIndex } from './ngram-index.js';
import { integerOption } from './options.js';
import type { SynchronousDrafter } from './synchronous-drafter.js';

/** Options of {@link promptLookup}. */
export interface PromptLookupOptions {
  /** Shortest n-gram to look up (default 1). */
  readonly minNgram?: number;
  /** Longest n-gram to look up; longer matches are tried first (default 3). */
  readonly maxNgram?: number;
  /** Most tokens copied from one match (default 10). */
  readonly maxDraftTokens?: number;
  /**
   * Distinct continuations to propose (default 1: a chain). Above 1 the continuations of the most
   * recent matches are merged into a tree (shared prefixes become one branch), which needs a target
   * with tree attention; on a chain-only target the loop verifies the first (best) branch.
   */
  readonly maxMatches?: number;
}

/**
 * Prompt lookup decoding (PLD; Saxena 2023, `apoorvumang/prompt-lookup-decoding`): the draft is
 * what followed the most recent earlier occurrence of the context's last n tokens (longest n
 * first) in the committed tokens, prompt and generated text alike. Training-free and model-free;
 * pays off when the output copies from the input (summaries, code edits, retrieval QA).
 *
 * An incremental n-gram index keeps each step O(maxNgram²) plus the draft length, however long
 * the context. Lossless with an exact verifier (the draft is deterministic).
 */
export function promptLookup(options: PromptLookupOptions = {}): SynchronousDrafter {
  const minNgram = integerOption('minNgram', options.minNgram, 1, 1);
  const maxNgram = integerOption('maxNgram', options.maxNgram, Math.max(3, minNgram), minNgram);
  const maxDraftTokens = integerOption('maxDraftTokens', options.maxDraftTokens, 10, 1);
  const maxMatches = integerOption('maxMatches', options.maxMatches, 1, 1);
  const index = new NgramIndex(minNgram, maxNgram);
  // How many earlier occurrences one lookup inspects: enough to find maxMatches distinct continuations.
  const scanLimit = 8 * maxMatches;

  return {
    name: 'pld',
    requires: maxMatches > 1 ? { treeDrafts: true } : undefined,
    start() {
      index.clear();
    },
    propose(context): Draft {
      if (context.maxTokens <= 0) return emptyDraft;
      index.sync(context.tokens);
      const length = index.size;
      const perMatch = Math.min(maxDraftTokens, context.maxTokens);
      if (maxMatches === 1) {
        for (let n = maxNgram; n >= minNgram; n--) {
          const [end] = index.latestMatches(n, 1);
          if (end === undefined) continue;
          const stop = Math.min(end + perMatch, length);
          const continuation = new Int32Array(stop - end);
          for (let i = end; i < stop; i++) continuation[i - end] = index.at(i);
          return chainDraft(continuation);
        }
        return emptyDraft;
      }
      const trie = new ContinuationTrie();
      const continuation = new Int32Array(perMatch);
      const used = new Set<number>(); // a shorter n-gram finds the longer one's occurrences again
      let distinct = 0;
      let rank = 0;
      for (let n = maxNgram; n >= minNgram && distinct < maxMatches; n--) {
        for (const end of index.latestMatches(n, scanLimit)) {
          if (used.has(end)) continue;
          used.add(end);
          const stop = Math.min(end + perMatch, length);
          for (let i = end; i < stop; i++) continuation[i - end] = index.at(i);
          // Each match counts 1 (shared prefixes add up); a tiny bonus keeps longer and more recent
          // matches first among equally supported siblings.
          const weight = 1 + 1e-6 * (scanLimit * (maxNgram + 1) - rank++);
          if (trie.insert(continuation, 0, stop - end, weight) > 0) distinct++;
          if (distinct >= maxMatches) break;
        }
      }
      return trie.toDraft(context.maxTokens);
    },
  };
}
