import { InvalidArgumentError, type Strategy } from '@decodekit/core';
import { beamSearchStrategy } from '../internal/beam-search-core.js';
import { checkInteger, checkNumber } from '../internal/validate.js';
import type { BeamSearchOptions } from './beam-search.js';

/** Options of {@link diverseBeamSearch}. */
export interface DiverseBeamSearchOptions extends BeamSearchOptions {
  /** Number of groups, integer >= 1 that divides `beams`. Default 2. */
  readonly groups?: number;
  /** Subtracted from a token's log-probability once per earlier group that chose it at this step, >= 0. Default 0.5. */
  readonly diversityPenalty?: number;
}

/**
 * Diverse beam search (Vijayakumar et al., 2018; Hugging Face's group beam search with the
 * Hamming diversity penalty): splits the beams into `groups` searched in turn at every step; a
 * group's log-probabilities lose `diversityPenalty · count(v)` for each token v already chosen by
 * earlier groups at this step. Returns the best hypothesis over all groups; `onHypotheses` gets them all.
 *
 * Cost: as beam search with `beams` beams. `diversityPenalty: 0` makes each group an independent
 * beam search of `beams / groups` beams.
 */
export function diverseBeamSearch(options: DiverseBeamSearchOptions = {}): Strategy {
  const beams = checkInteger('beams', options.beams ?? 4, 1);
  const groups = checkInteger('groups', options.groups ?? 2, 1, beams);
  if (beams % groups !== 0) {
    throw new InvalidArgumentError('groups', `must divide beams (${beams}), got ${groups}`);
  }
  const diversityPenalty = checkNumber('diversityPenalty', options.diversityPenalty ?? 0.5, { min: 0 });
  const lengthPenalty = checkNumber('lengthPenalty', options.lengthPenalty ?? 1, {});
  return beamSearchStrategy('diverse-beam-search', {
    beams,
    groups,
    diversityPenalty,
    lengthPenalty,
    earlyStopping: options.earlyStopping ?? false,
    eos: options.eos,
    onHypotheses: options.onHypotheses,
  });
}
