import { argmax, type Draft, type DraftFeedback, emptyDraft, matrixRow } from '@decodekit/core';
import { ContinuationTrie } from './continuation-trie.js';
import { integerOption, seededUniform } from './options.js';
import type { SynchronousDrafter } from './synchronous-drafter.js';

/** Options of {@link lookahead}. */
export interface LookaheadOptions {
  /** Lookahead window width W: Jacobi guesses per level (default 7, as the README and Spec-Bench). */
  readonly window?: number;
  /** n-gram size N: the window keeps N - 1 levels and the pool stores (N - 1)-token continuations (default 5). */
  readonly ngram?: number;
  /** G: pool capacity per first token, and most n-grams verified per step (default 7). */
  readonly guesses?: number;
  /** Seed the pool with the prompt's own n-grams at `start` (default false; the reference's `POOL_FROM_PROMPT`). */
  readonly poolFromPrompt?: boolean;
  /** Seed of the private generator that fills the first window level with prompt tokens (default 0). */
  readonly seed?: number;
}

/**
 * The n-gram pool of lookahead decoding: first token -> up to `capacity` continuations of
 * `ngram - 1` tokens, oldest first. Inserting a continuation that is already there moves it to the
 * back; a full list drops its oldest entry (the reference's FIFO policy).
 */
export class NgramPool {
  private readonly entries = new Map<number, Int32Array[]>();

  constructor(readonly capacity: number) {}

  /** Adds `tokens[from + 1 .. from + length)` under key `tokens[from]`. */
  insert(tokens: ArrayLike<number>, from: number, length: number): void {
    const key = tokens[from];
    const continuation = new Int32Array(length - 1);
    for (let i = 1; i < length; i++) continuation[i - 1] = tokens[from + i];
    let list = this.entries.get(key);
    if (!list) {
      list = [];
      this.entries.set(key, list);
    }
    const existing = list.findIndex((entry) => sameTokens(entry, continuation));
    if (existing >= 0) list.splice(existing, 1);
    else if (list.length >= this.capacity) list.shift();
    list.push(continuation);
  }

  /** Continuations stored under `token`, most recent first. */
  lookup(token: number): Int32Array[] {
    return [...(this.entries.get(token) ?? [])].reverse();
  }

  /** Empties the pool. */
  clear(): void {
    this.entries.clear();
  }
}

function sameTokens(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Lookahead decoding (Fu et al., "Break the Sequential Dependency of LLM Inference Using
 * Lookahead Decoding", arXiv 2402.02057): Jacobi iteration over a window of future guesses
 * generates n-grams into a pool; the pool's n-grams that start with the last committed token are
 * verified. No draft model, no datastore.
 *
 * How it maps onto decodekit's loop (one target forward per step over a draft tree): the
 * lookahead branch's window tokens are draft nodes too. Level r, column c of the window hangs
 * under level r - 1, column c - 1 (level 0 under column c - 1 of itself; column 0 under the root),
 * so every window token sees the committed text, then the diagonal of earlier iterates leading to
 * it, at position root + c + 1: the attention pattern of the reference's multilevel mask (which
 * shifts each level one column to the right, where decodekit keeps all levels on columns
 * 0 … W - 1). `observe` reads the target rows of the deepest level: their
 * argmax is the next Jacobi level, and each diagonal plus its new token is an n-gram for the pool.
 * The draft lists the verification branch first (pool n-grams merged into a trie, the most recent
 * first), then the window, so truncation drops window columns first and a chain-only target
 * verifies the best pool n-gram.
 *
 * Differences from the reference: window tokens are also verified as draft paths (a harmless
 * extra chance of acceptance; they count in `drafted`); the window follows the root rather than
 * being shifted by the accepted length (as the reference, whose window positions are relative);
 * the new level takes the argmax of the raw target rows even when sampling; on a target without
 * tree attention the loop verifies one chain and drops the window, so only `poolFromPrompt`
 * n-grams are ever proposed. Lossless with any exact verifier: every draft is deterministic.
 */
export function lookahead(options: LookaheadOptions = {}): SynchronousDrafter {
  const width = integerOption('window', options.window, 7, 1);
  const ngram = integerOption('ngram', options.ngram, 5, 2);
  const guesses = integerOption('guesses', options.guesses, 7, 0);
  const poolFromPrompt = options.poolFromPrompt ?? false;
  const seed = integerOption('seed', options.seed, 0, 0);
  const levelsWanted = ngram - 1;
  const pool = new NgramPool(Math.max(1, guesses));
  let levels: Int32Array[] = [];
  // The last proposal's window nodes: draft index of (level, column), -1 when not in the draft.
  let lastDraft: Draft | undefined;
  let windowIndex = new Int32Array(0);

  return {
    name: 'lookahead',
    requires: { treeDrafts: true },
    start(context) {
      pool.clear();
      lastDraft = undefined;
      const prompt = context.prompt;
      // The reference starts the first level with random prompt tokens and fills the others one
      // Jacobi step at a time.
      const uniform = seededUniform(seed);
      const first = new Int32Array(width);
      for (let c = 0; c < width; c++) first[c] = prompt[Math.floor(uniform() * prompt.length)];
      levels = [first];
      if (poolFromPrompt) for (let i = 0; i + ngram <= prompt.length; i++) pool.insert(prompt, i, ngram);
    },
    propose(context): Draft {
      lastDraft = undefined;
      if (context.maxTokens <= 0) return emptyDraft;
      const root = context.tokens[context.tokens.length - 1];
      const trie = new ContinuationTrie();
      const candidates = guesses > 0 ? pool.lookup(root).slice(0, guesses) : [];
      candidates.forEach((continuation, rank) => {
        trie.insert(continuation, 0, continuation.length, 1 + 1e-6 * (candidates.length - rank));
      });
      const verification = trie.toDraft(context.maxTokens);
      const tokens = Array.from(verification.tokens);
      const parents = Array.from(verification.parents);
      const levelCount = levels.length;
      windowIndex = new Int32Array(levelCount * width).fill(-1);
      for (let c = 0; c < width; c++) {
        for (let r = 0; r < levelCount && tokens.length < context.maxTokens; r++) {
          let parent = -1;
          if (c > 0) {
            parent = windowIndex[(r === 0 ? 0 : r - 1) * width + c - 1];
            if (parent < 0) continue; // its parent did not fit
          }
          windowIndex[r * width + c] = tokens.length;
          tokens.push(levels[r][c]);
          parents.push(parent);
        }
      }
      if (tokens.length === 0) return emptyDraft;
      lastDraft = { tokens: Int32Array.from(tokens), parents: Int32Array.from(parents), sampling: 'deterministic' };
      return lastDraft;
    },
    observe(feedback: DraftFeedback) {
      // A chain-only target verified a restricted copy of the draft: the window rows are gone.
      if (!lastDraft || feedback.draft !== lastDraft) return;
      const { targetLogits, tokens, acceptedPath } = feedback;
      const contextLength = tokens.length - acceptedPath.length - 1; // committed tokens up to the root
      const last = levels.length - 1;
      const next = new Int32Array(width);
      const diagonal = new Int32Array(ngram);
      for (let c = 0; c < width; c++) {
        // Column c of the new level is predicted after the deepest level's column c - 1 (the root for c = 0).
        const from = c === 0 ? -1 : windowIndex[last * width + c - 1];
        if (c > 0 && from < 0) {
          next[c] = levels[last][c]; // not verified this step: keep the old guess
          continue;
        }
        next[c] = argmax(matrixRow(targetLogits, from + 1));
        if (levels.length < levelsWanted) continue;
        // The n-gram: the last N - 1 tokens of the context that predicted it, then the new token.
        let filled = ngram - 1;
        diagonal[filled] = next[c];
        for (let node = from; node >= 0 && filled > 0; node = lastDraft.parents[node]) {
          diagonal[--filled] = lastDraft.tokens[node];
        }
        for (let i = contextLength - 1; i >= 0 && filled > 0; i--) diagonal[--filled] = tokens[i];
        if (filled === 0) pool.insert(diagonal, 0, ngram);
      }
      if (levels.length < levelsWanted) levels.push(next);
      else levels = [...levels.slice(1), next];
      lastDraft = undefined;
    },
  };
}
