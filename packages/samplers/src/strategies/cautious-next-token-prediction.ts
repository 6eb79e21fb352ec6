import {
  entropy,
  prefill,
  type Sequence,
  type Strategy,
  type StrategyRun,
  sampleCategorical,
  type TextTokenizer,
} from '@decodekit/core';
import { contextOf, forwardLast, requireStatelessSampler } from '../internal/decoding.js';
import { checkInteger, checkNumber, checkTokenIds } from '../internal/validate.js';

/** Options of {@link cautiousNextTokenPrediction}. Defaults are the official code's (wyzjack/CNTP). */
export interface CautiousNextTokenPredictionOptions {
  /** Most trials at one position, integer >= 1. Default 10. */
  readonly maxTrials?: number;
  /** Entropy (nats) at or below which one token is sampled as usual. Default 0.01. */
  readonly entropyLow?: number;
  /** Entropy (nats) at or above which `maxTrials` trials run. Default 1.5. */
  readonly entropyHigh?: number;
  /**
   * Token ids that end a trial (the paper: the first token of each of `. , \n ? ! : ; ) ] }`;
   * build them with {@link punctuationTokenIds}). A trial also ends at an end-of-sequence token,
   * the token budget or the context length.
   */
  readonly stopTokens: ArrayLike<number>;
  /** End-of-sequence ids that end a trial. Default the model's. */
  readonly eos?: readonly number[];
}

/**
 * The trial count of CNTP's official code:
 * `N = trunc(1 + (maxTrials − 1) · clamp((H − low) / (high − low), 0, 1))`.
 */
export function cautiousTrialCount(entropyNats: number, maxTrials = 10, low = 0.01, high = 1.5): number {
  const fraction = Math.min(1, Math.max(0, (entropyNats - low) / (high - low)));
  return Math.trunc(1 + (maxTrials - 1) * fraction);
}

/** The punctuation CNTP stops trials at. */
export const cautiousPunctuation: readonly string[] = ['.', ',', '\n', '?', '!', ':', ';', ')', ']', '}'];

/** The first token id of each punctuation string, as the official code derives its stop set. */
export function punctuationTokenIds(tokenizer: TextTokenizer, punctuation = cautiousPunctuation): number[] {
  const ids = new Set<number>();
  for (const text of punctuation) {
    const encoded = tokenizer.encode(text);
    if (encoded.length > 0) ids.add(encoded[0]);
  }
  return [...ids];
}

/**
 * Cautious Next Token Prediction (Wang et al., Findings of ACL 2025). At each position the
 * entropy H of the processed distribution decides how many trials N to run (see
 * {@link cautiousTrialCount}); with N = 1 one token is sampled as usual. Otherwise N independent
 * continuations are sampled from forks of the cache, each until a punctuation token (or EOS,
 * budget, context end), and the one with the lowest perplexity `exp(−mean log p)` is committed
 * as a whole chunk; its cache becomes the sequence.
 *
 * Uses the sampler chain for every draw (a greedy chain makes every trial identical). Cost: up to
 * N × chunk-length forwards at uncertain positions, one forward per token elsewhere.
 */
export function cautiousNextTokenPrediction(options: CautiousNextTokenPredictionOptions): Strategy {
  const maxTrials = checkInteger('maxTrials', options.maxTrials ?? 10, 1);
  const low = checkNumber('entropyLow', options.entropyLow ?? 0.01, { min: 0 });
  const high = checkNumber('entropyHigh', options.entropyHigh ?? 1.5, { min: low, minOpen: true });
  const stopTokens = new Set(checkTokenIds('stopTokens', options.stopTokens ?? []));
  return {
    name: 'cautious-next-token-prediction',
    async start(context) {
      const { model, sampler, prompt, rng } = context;
      requireStatelessSampler('CNTP', sampler);
      const endTokens = new Set(options.eos ?? model.specialTokens.eos);
      let sequence: Sequence = model.openSequence();
      let logits: Float32Array | undefined;
      try {
        logits = (await prefill(context, sequence)).logits;
      } catch (error) {
        await sequence.dispose();
        throw error;
      }
      const tokens = Array.from(prompt);
      // Invariant: `sequence` holds every committed token except possibly the last, which is run
      // at the next step (logits undefined) — the same lazy scheme as core's autoregressive loop.
      const ensureLogits = async (): Promise<Float32Array | undefined> => {
        if (logits) return logits;
        if (sequence.length + 1 > model.contextLength) return undefined;
        logits = (await forwardLast(context, sequence, [tokens[tokens.length - 1]])).logits;
        return logits;
      };
      const distribution = (row: Float32Array, history: number[]) =>
        sampler.distribution(row.slice(), contextOf(history, prompt.length));

      const run: StrategyRun = {
        async step(budget) {
          const row = await ensureLogits();
          if (!row) return { tokens: [], done: 'context-length' };
          const probabilities = await context.stats.time('sample', () => distribution(row, tokens));
          const trials = cautiousTrialCount(entropy(probabilities), maxTrials, low, high);
          if (trials === 1) {
            const token = sampleCategorical(probabilities, rng);
            sampler.accept(token);
            tokens.push(token);
            logits = undefined;
            return { tokens: [token] };
          }
          let best: { chunk: number[]; perplexity: number; fork: Sequence } | undefined;
          for (let trial = 0; trial < trials; trial++) {
            const fork = await sequence.fork();
            const chunk: number[] = [];
            let logSum = 0;
            let current = probabilities;
            for (;;) {
              const token = sampleCategorical(current, rng);
              chunk.push(token);
              logSum += Math.log(current[token]);
              const ends = stopTokens.has(token) || endTokens.has(token) || chunk.length >= budget;
              if (ends || fork.length + 1 > model.contextLength) break;
              const next = await forwardLast(context, fork, [token]);
              current = await context.stats.time('sample', () => distribution(next.logits, [...tokens, ...chunk]));
            }
            const perplexity = Math.exp(-logSum / chunk.length);
            if (!best || perplexity < best.perplexity) {
              if (best) await best.fork.dispose();
              best = { chunk, perplexity, fork };
            } else {
              await fork.dispose();
            }
          }
          const chosen = best as { chunk: number[]; fork: Sequence };
          await sequence.dispose();
          // The fork holds every chunk token but the last, matching the lazy invariant.
          sequence = chosen.fork;
          logits = undefined;
          for (const token of chosen.chunk) {
            sampler.accept(token);
            tokens.push(token);
          }
          return { tokens: chosen.chunk };
        },
        dispose: () => sequence.dispose(),
      };
      return run;
    },
  };
}
