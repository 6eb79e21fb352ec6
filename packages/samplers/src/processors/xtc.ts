import type { LogitsProcessor, Rng } from '@decodekit/core';
import { logSumExpFinite } from '../internal/probabilities.js';
import { maxLogit } from '../internal/row.js';
import { checkNumber } from '../internal/validate.js';

/** Options of {@link xtc}. */
export interface XtcOptions {
  /** Tokens with probability >= threshold are "top choices". In [0, 1]; above 0.5 it never acts. Default 0.1. */
  readonly threshold?: number;
  /** Chance that the top choices are removed at a position. In [0, 1]; 0 disables it. Default 0.5. */
  readonly probability?: number;
  /**
   * Draw the per-position coin from this generator (llama.cpp's behaviour). Without it the
   * processor writes the coin's expected outcome, the exact mixture distribution (see below).
   */
  readonly rng?: Rng;
}

/**
 * Exclude Top Choices (XTC, from text-generation-webui / llama.cpp): when at least two tokens have
 * probability >= `threshold`, removes all of them except the least probable one, so the text
 * avoids the most predictable continuation, with chance `probability` per position.
 *
 * Two forms, chosen by whether `rng` is given:
 * - **Mixture (default, no rng)**: writes logits of the distribution `(1 - π)·p + π·p_xtc`, which is
 *   exactly the marginal distribution of a token drawn after the coin. It is a pure function of
 *   the row, so it stays exact under speculative verification, which applies processors out of
 *   order and more than once. It equals llama.cpp's XTC in distribution when no later processor
 *   reshapes the row (run temperature before XTC, or keep temperature 1).
 * - **Coin (rng given)**: draws `rng.next() < probability` per call and masks outright, like
 *   llama.cpp. The output depends on the call sequence, so the processor declares `stateful`
 *   and speculative strategies refuse it.
 */
export function xtc(options: XtcOptions = {}): LogitsProcessor {
  const threshold = checkNumber('xtc.threshold', options.threshold ?? 0.1, { min: 0, max: 1 });
  const probability = checkNumber('xtc.probability', options.probability ?? 0.5, { min: 0, max: 1 });
  const rng = options.rng;
  // Exactly two tokens can reach 0.5 at most; above it, no two tokens can both be top choices.
  const inactive = probability === 0 || threshold > 0.5;
  return {
    name: 'xtc',
    stateful: rng !== undefined && probability > 0 && probability < 1 ? true : undefined,
    process(logits) {
      if (inactive) return;
      if (rng && probability < 1 && !(rng.next() < probability)) return;
      const max = maxLogit(logits);
      const logSumExp = logSumExpFinite(logits, max);
      const cut = Math.log(threshold) + logSumExp;
      // Find the top choices and the least probable among them (ties: the higher id survives).
      let count = 0;
      let lowest = -1;
      for (let i = 0; i < logits.length; i++) {
        const z = logits[i];
        if (z >= cut) {
          count++;
          if (lowest < 0 || z <= logits[lowest]) lowest = i;
        }
      }
      if (count < 2) return;
      if (rng || probability === 1) {
        for (let i = 0; i < logits.length; i++)
          if (i !== lowest && logits[i] >= cut) logits[i] = Number.NEGATIVE_INFINITY;
        return;
      }
      // Mixture: removed tokens get (1 - π)·p, kept ones p·((1 - π) + π / (1 - R)), R = removed mass.
      let removedMass = 0;
      for (let i = 0; i < logits.length; i++) {
        if (i !== lowest && logits[i] >= cut) removedMass += Math.exp(logits[i] - logSumExp);
      }
      const keptScale = 1 - probability + probability / Math.max(1 - removedMass, Number.MIN_VALUE);
      const shift = Math.log(1 - probability) - Math.log(keptScale);
      for (let i = 0; i < logits.length; i++) if (i !== lowest && logits[i] >= cut) logits[i] += shift;
    },
  };
}
