import { InvalidArgumentError, type Strategy } from '@decodekit/core';
import { type BeamHypothesis, beamSearchStrategy } from '../internal/beam-search-core.js';
import { checkInteger, checkNumber } from '../internal/validate.js';

export type { BeamHypothesis } from '../internal/beam-search-core.js';

/** Options of {@link beamSearch}. */
export interface BeamSearchOptions {
  /** Number of beams, integer >= 1. Default 4. One beam is greedy decoding. */
  readonly beams?: number;
  /**
   * Exponent on the length in the hypothesis score `Σ log p / length^lengthPenalty` (Hugging
   * Face's `length_penalty`). > 0 favours longer outputs, < 0 shorter ones. Default 1.
   */
  readonly lengthPenalty?: number;
  /**
   * Stop as soon as `beams` hypotheses have finished (true), or when no running beam can still
   * beat the worst finished one by Hugging Face's heuristic (false, the default).
   */
  readonly earlyStopping?: boolean;
  /** End-of-sequence ids that finish a beam. Default the model's. */
  readonly eos?: readonly number[];
  /** Receives every final hypothesis, best first, when the search ends. */
  readonly onHypotheses?: (hypotheses: readonly BeamHypothesis[]) => void;
}

/**
 * Beam search: keeps the `beams` most probable partial outputs, extending each by its best
 * tokens at every step; finished hypotheses are ranked by `Σ log p / length^lengthPenalty`.
 * Log-probabilities are taken after the sampler chain's processors (penalties, bans, temperature
 * shape the scores); the chain's own selection is not used. The search runs in the first step and
 * commits the best hypothesis at once, so streaming shows it only at the end.
 *
 * Cost: one forward of up to `beams` sequences per token (batched where the runtime can), and
 * `beams` forked KV caches.
 */
export function beamSearch(options: BeamSearchOptions = {}): Strategy {
  const beams = checkInteger('beams', options.beams ?? 4, 1);
  const lengthPenalty = checkNumber('lengthPenalty', options.lengthPenalty ?? 1, {});
  if (options.earlyStopping !== undefined && typeof options.earlyStopping !== 'boolean') {
    throw new InvalidArgumentError('earlyStopping', `must be a boolean, got ${String(options.earlyStopping)}`);
  }
  return beamSearchStrategy('beam-search', {
    beams,
    groups: 1,
    diversityPenalty: 0,
    lengthPenalty,
    earlyStopping: options.earlyStopping ?? false,
    eos: options.eos,
    onHypotheses: options.onHypotheses,
  });
}
