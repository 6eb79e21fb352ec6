import {
  CapabilityError,
  InvalidArgumentError,
  type Matrix,
  matrixRow,
  prefill,
  type Strategy,
  type StrategyRun,
  topK,
} from '@decodekit/core';
import { checkInteger, checkNumber } from '../internal/validate.js';

/** Next-token probabilities after a fixed-length context (a plain count table). */
export interface NgramTable {
  /** How many previous tokens a lookup uses. */
  readonly contextLength: number;
  /** Probabilities of the tokens seen after `context` (its last `contextLength` tokens), or undefined if unseen. */
  next(context: ArrayLike<number>): ReadonlyMap<number, number> | undefined;
}

/** Counts the (contextLength + 1)-grams of a token corpus: `P(v | ctx) = count(ctx, v) / count(ctx, ·)`. */
export function buildNgramTable(corpus: ArrayLike<number>, contextLength: number): NgramTable {
  checkInteger('contextLength', contextLength, 1);
  const counts = new Map<string, Map<number, number>>();
  for (let end = contextLength; end < corpus.length; end++) {
    const key = Array.prototype.slice.call(corpus, end - contextLength, end).join(',');
    let next = counts.get(key);
    if (!next) counts.set(key, (next = new Map()));
    next.set(corpus[end], (next.get(corpus[end]) ?? 0) + 1);
  }
  const probabilities = new Map<string, Map<number, number>>();
  for (const [key, next] of counts) {
    let total = 0;
    for (const c of next.values()) total += c;
    probabilities.set(key, new Map([...next].map(([token, c]) => [token, c / total])));
  }
  return {
    contextLength,
    next(context) {
      if (context.length < contextLength) return undefined;
      return probabilities.get(Array.prototype.slice.call(context, context.length - contextLength).join(','));
    },
  };
}

/** One output of superposed decoding. */
export interface SuperposedDraft {
  readonly tokens: number[];
  /** Cumulative log-score (LM and n-gram interpolation). */
  readonly score: number;
  /** `exp(−score / length)`: drafts are ranked by it, lowest first. */
  readonly perplexity: number;
  /** Ended with an end-of-sequence token. */
  readonly finished: boolean;
}

/** Options of {@link superposedDecoding}. Defaults are the reference's main config (`p15_d3_mixed`). */
export interface SuperposedDecodingOptions {
  /** Number of drafts k, integer >= 1. Default 3. */
  readonly drafts?: number;
  /** Softmax temperature on the LM logits (> 0). Default 0.06. */
  readonly temperature?: number;
  /** LM tokens kept per step before the n-gram filter (`n_token_sample`), integer >= 1. Default 9 (= k²). */
  readonly candidates?: number;
  /** Geometric interpolation weight α of the n-gram term, in [0, 1]. Default 0.54. */
  readonly alpha?: number;
  /** N-gram models with their weights (the reference: context lengths 1..5, weights 0.01, 0.04, 0.15, 0.18, 0.12). None: LM only. */
  readonly ngrams?: ReadonlyArray<{ readonly table: NgramTable; readonly weight: number }>;
  /** Log-penalty for a draft whose candidates all lack n-gram support. Default 200. */
  readonly penalty?: number;
  /** End-of-sequence ids that finish a draft. Default the model's. */
  readonly eos?: readonly number[];
  /** Receives every draft, best (lowest perplexity) first, when decoding ends. */
  readonly onDrafts?: (drafts: readonly SuperposedDraft[]) => void;
}

/**
 * Superposed decoding (Shen et al., 2024): k drafts for about the cost of one. One sequence is
 * fed, at every position, the superposition `Σ w_i·E[last token of draft i]` of the drafts' last
 * token embeddings (weights: softmax of the draft scores). The shared next-token distribution is
 * combined per draft with n-gram models, `ℓ_i(v) = (1 − α)·log p(v) + α·log q_i(v)`, and the best
 * k of the top-2k (draft, token) extensions survive; end-of-sequence extensions go to a finished
 * set. Commits the lowest-perplexity draft at the end; `onDrafts` receives all of them.
 *
 * Needs `capabilities.inputEmbeddings` and `embeddingMatrix()` (throws `CapabilityError` otherwise).
 * The sampler chain is not used (the method is deterministic). With k = 1 and no n-grams it is
 * greedy decoding. Cost: one forward of one position per token, for all k drafts together.
 */
export function superposedDecoding(options: SuperposedDecodingOptions = {}): Strategy {
  const k = checkInteger('drafts', options.drafts ?? 3, 1);
  const temperature = checkNumber('temperature', options.temperature ?? 0.06, { min: 0, minOpen: true });
  const candidates = checkInteger('candidates', options.candidates ?? 9, 1);
  const alpha = checkNumber('alpha', options.alpha ?? 0.54, { min: 0, max: 1 });
  const penalty = checkNumber('penalty', options.penalty ?? 200, { min: 0 });
  const ngrams = options.ngrams ?? [];
  for (const { table, weight } of ngrams) {
    checkNumber('ngrams.weight', weight, { min: 0 });
    if (!table || typeof table.next !== 'function')
      throw new InvalidArgumentError('ngrams.table', 'must be an NgramTable');
  }
  return {
    name: 'superposed-decoding',
    async start(context) {
      const { model } = context;
      if (!model.capabilities.inputEmbeddings || !model.embeddingMatrix) {
        throw new CapabilityError(
          'inputEmbeddings',
          `superposed decoding feeds mixed token embeddings, but model "${model.name}" has no input-embeddings entry point; export the model with an inputs_embeds input`,
        );
      }
      const embeddings: Matrix = await model.embeddingMatrix();
      const eos = new Set(options.eos ?? model.specialTokens.eos);
      const sequence = model.openSequence();
      let result: number[] | undefined;
      const run: StrategyRun = {
        async step() {
          if (result) return { tokens: [], done: 'context-length' };
          const drafts = await decode();
          options.onDrafts?.(drafts);
          result = drafts[0]?.tokens ?? [];
          return result.length > 0 ? { tokens: result } : { tokens: [], done: 'context-length' };
        },
        dispose: () => sequence.dispose(),
      };

      async function decode(): Promise<SuperposedDraft[]> {
        const prompt = Array.from(context.prompt);
        let logits = (await prefill(context, sequence)).logits;
        let alive: Array<{ tokens: number[]; score: number }> = [{ tokens: [], score: 0 }];
        const finished: SuperposedDraft[] = [];
        const hiddenSize = embeddings.columns;
        for (let t = 0; t < context.maxNewTokens; t++) {
          // Shared LM distribution: softmax(z / temperature) restricted to the top `candidates` tokens.
          const top = Array.from(topK(logits, Math.min(candidates, logits.length)));
          let max = Number.NEGATIVE_INFINITY;
          for (const v of top) max = Math.max(max, logits[v] / temperature);
          let sum = 0;
          for (const v of top) sum += Math.exp(logits[v] / temperature - max);
          const logP = top.map((v) => logits[v] / temperature - max - Math.log(sum));
          const extensions: Array<{ parent: number; token: number; score: number }> = [];
          alive.forEach((draft, parent) => {
            const scores = draftScores(prompt.concat(draft.tokens), top, logP);
            top.forEach((token, j) => {
              if (scores[j] !== Number.NEGATIVE_INFINITY)
                extensions.push({ parent, token, score: draft.score + scores[j] });
            });
          });
          extensions.sort((a, b) => b.score - a.score);
          const next: Array<{ tokens: number[]; score: number }> = [];
          for (const extension of extensions.slice(0, 2 * k)) {
            const tokens = [...alive[extension.parent].tokens, extension.token];
            if (eos.has(extension.token)) {
              finished.push({ tokens, score: extension.score, perplexity: 0, finished: true });
            } else if (next.length < k) {
              next.push({ tokens, score: extension.score });
            }
          }
          finished.sort((a, b) => b.score - a.score);
          if (finished.length > k) finished.length = k;
          alive = next;
          if (alive.length === 0 || t === context.maxNewTokens - 1) break;
          if (sequence.length + 1 > model.contextLength) break;
          // Superposed input: softmax of the draft scores over their last tokens' embeddings.
          const best = Math.max(...alive.map((d) => d.score));
          const weights = alive.map((d) => Math.exp(d.score - best));
          const total = weights.reduce((a, b) => a + b, 0);
          const input = new Float32Array(hiddenSize);
          alive.forEach((draft, i) => {
            const row = matrixRow(embeddings, draft.tokens[draft.tokens.length - 1]);
            const w = weights[i] / total;
            for (let c = 0; c < hiddenSize; c++) input[c] += w * row[c];
          });
          const lastTokens = new Set(alive.map((d) => d.tokens[d.tokens.length - 1]));
          const label = lastTokens.size === 1 ? [...lastTokens][0] : -1;
          const output = await context.stats.time('verify', () =>
            sequence.forward({ tokens: [label], embeddings: input }, { logits: 'last', signal: context.signal }),
          );
          context.stats.targetForwards++;
          logits = matrixRow(output.logits, 0).slice();
        }
        const pool: SuperposedDraft[] = [
          ...alive.map((d) => ({ tokens: d.tokens, score: d.score, perplexity: 0, finished: false })),
          ...finished,
        ].map((d) => ({ ...d, perplexity: Math.exp(-d.score / Math.max(1, d.tokens.length)) }));
        return pool.sort((a, b) => a.perplexity - b.perplexity);
      }

      // ℓ_i(v) for the shared top tokens, given draft i's history.
      function draftScores(history: number[], top: number[], logP: number[]): number[] {
        if (ngrams.length === 0 || alpha === 0) return logP;
        const q = top.map(() => 0);
        for (const { table, weight } of ngrams) {
          const next = table.next(history);
          if (!next) continue;
          top.forEach((token, j) => {
            q[j] += weight * (next.get(token) ?? 0);
          });
        }
        const scores = logP.map((lp, j) =>
          q[j] > 0 ? (1 - alpha) * lp + alpha * Math.log(q[j]) : Number.NEGATIVE_INFINITY,
        );
        if (scores.every((s) => s === Number.NEGATIVE_INFINITY)) return logP.map((lp) => (1 - alpha) * lp - penalty);
        return scores;
      }
      return run;
    },
  };
}
