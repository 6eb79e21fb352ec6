import { InvalidArgumentError, prefill, type Sequence, type Strategy, type StrategyRun, topK } from '@decodekit/core';
import { contextOf, forwardLast, requireStatelessSampler } from '../internal/decoding.js';
import { checkInteger, checkNumber } from '../internal/validate.js';

/** Resistance R(L) for a move that would complete a repeated n-gram of length L (0: new token). */
export type ResistanceFunction = (length: number) => number;

/** The official code's active resistance ("ours"): free up to 3, 5.0 at 4, impossible from 5. */
export const defaultResistance: ResistanceFunction = (length) =>
  length >= 5 ? Number.POSITIVE_INFINITY : length === 4 ? 5 : 0;

/** Options of {@link momentumDecoding}. Defaults are the official code's (gmftbyGMFTBY/MomentumDecoding). */
export interface MomentumDecodingOptions {
  /** Resistance weight α >= 0. Default 0.2. α = 0 is greedy decoding. */
  readonly alpha?: number;
  /** Candidates per step (top k by probability), integer >= 1. Default 2000 (capped at the vocabulary). */
  readonly k?: number;
  /** Longest repeated n-gram looked for, integer >= 2. Default 5. */
  readonly maxLength?: number;
  /** R(L); default {@link defaultResistance}. */
  readonly resistance?: ResistanceFunction;
}

/**
 * How long a repeated n-gram appending `candidate` to `history` would complete (momentum decoding's
 * `find_max_repetition_length`): 0 if the token never occurred, else the largest n ≤ maxLength
 * such that the last n − 1 tokens followed by the candidate occur earlier, else 1.
 */
export function repetitionLength(history: ArrayLike<number>, candidate: number, maxLength = 5): number {
  const end = history.length;
  let seen = false;
  let longest = 1;
  for (let i = 0; i < end; i++) {
    if (history[i] !== candidate) continue;
    seen = true;
    // Count how many tokens before position i match the tokens before the end.
    let n = 1;
    while (n < maxLength && i - n >= 0 && end - n >= 0 && history[i - n] === history[end - n]) n++;
    if (n > longest) longest = n;
    if (longest === maxLength) break;
  }
  return seen ? longest : 0;
}

/**
 * Momentum decoding (Lan et al., 2022): greedy decoding that treats generation as a walk on the
 * graph of tokens already produced and resists walking loops: among the top-k tokens it picks
 * `argmax_v p(v) − α·R(L(v))` with L(v) = {@link repetitionLength}. With the default resistance
 * it is greedy plus a soft 4-gram and a hard 5-gram block. p is the processed distribution (the
 * chain's processors, not its selection). Cost: one forward per token, like greedy decoding.
 */
export function momentumDecoding(options: MomentumDecodingOptions = {}): Strategy {
  const alpha = checkNumber('alpha', options.alpha ?? 0.2, { min: 0 });
  const k = checkInteger('k', options.k ?? 2000, 1);
  const maxLength = checkInteger('maxLength', options.maxLength ?? 5, 2);
  const resistance = options.resistance ?? defaultResistance;
  if (typeof resistance !== 'function')
    throw new InvalidArgumentError('resistance', 'must be a function of the length');
  return {
    name: 'momentum-decoding',
    async start(context) {
      const { model, sampler, prompt } = context;
      requireStatelessSampler('momentum decoding', sampler);
      const sequence: Sequence = model.openSequence();
      let logits: Float32Array | undefined;
      try {
        logits = (await prefill(context, sequence)).logits;
      } catch (error) {
        await sequence.dispose();
        throw error;
      }
      const tokens = Array.from(prompt);
      const run: StrategyRun = {
        async step() {
          if (!logits) {
            if (sequence.length + 1 > model.contextLength) return { tokens: [], done: 'context-length' };
            logits = (await forwardLast(context, sequence, [tokens[tokens.length - 1]])).logits;
          }
          const row = logits;
          const token = await context.stats.time('sample', () => {
            const probabilities = row.slice();
            for (const processor of sampler.processors)
              processor.process(probabilities, contextOf(tokens, prompt.length));
            softmaxInPlace(probabilities);
            let best = -1;
            let bestScore = Number.NEGATIVE_INFINITY;
            for (const v of topK(probabilities, Math.min(k, probabilities.length))) {
              if (!(probabilities[v] > 0)) continue;
              const penalty = alpha === 0 ? 0 : alpha * resistance(repetitionLength(tokens, v, maxLength));
              const score = probabilities[v] - penalty;
              if (best < 0 || score > bestScore) {
                best = v;
                bestScore = score;
              }
            }
            return best;
          });
          logits = undefined;
          sampler.accept(token);
          tokens.push(token);
          return { tokens: [token] };
        },
        dispose: () => sequence.dispose(),
      };
      return run;
    },
  };
}

function softmaxInPlace(row: Float32Array): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  let sum = 0;
  for (let i = 0; i < row.length; i++) {
    const e = row[i] === Number.NEGATIVE_INFINITY ? 0 : Math.exp(row[i] - max);
    row[i] = e;
    sum += e;
  }
  for (let i = 0; i < row.length; i++) row[i] /= sum;
}
