import type { CausalLM, Strategy } from '@decodekit/core';
import { InvalidArgumentError } from '@decodekit/core';
import { guidedDecoding } from '../internal/guided-decoding.js';
import { logSoftmaxInto, logSumExpFinite } from '../internal/probabilities.js';
import { checkNumber } from '../internal/validate.js';

/** Options of {@link contrastiveDecoding}. */
export interface ContrastiveDecodingOptions {
  /** The amateur: a smaller model with the same vocabulary (in practice the tiny draft model). */
  readonly amateur: CausalLM;
  /**
   * Adaptive plausibility constraint α in (0, 1]: only tokens with `p_expert(v) >= α · max p_expert`
   * can be chosen. Default 0.1. α = 1 keeps only the expert's argmax (greedy decoding).
   */
  readonly alpha?: number;
  /** Contrast strength β >= 0 of the logit form. Default 0.5 (O'Brien & Lewis, 2023). */
  readonly beta?: number;
  /**
   * `'logit'` (default, O'Brien & Lewis): `(1 + β)·z_e − β·z_a`. `'log-ratio'` (Li et al., 2023):
   * `log p_e − log p_a` with the amateur at `amateurTemperature`.
   */
  readonly form?: 'logit' | 'log-ratio';
  /** Temperature of the amateur's distribution in the log-ratio form (> 0). Default 0.5 (Li et al.). */
  readonly amateurTemperature?: number;
}

/**
 * Contrastive decoding (Li et al., ACL 2023; O'Brien & Lewis, 2023): scores tokens by how much
 * more the expert (the strategy's model) likes them than a small amateur model, restricted to the
 * expert's plausible head `V_head = {v : p_e(v) >= α·max p_e}`; other tokens get -Infinity. The
 * scores then go through the sampler chain (greedy by default in `generate`).
 *
 * Cost: one expert and one amateur forward per token; amateur time is reported as draft time.
 */
export function contrastiveDecoding(options: ContrastiveDecodingOptions): Strategy {
  if (!options?.amateur || typeof options.amateur.openSequence !== 'function') {
    throw new InvalidArgumentError('amateur', 'must be a CausalLM (the small model to contrast with)');
  }
  const alpha = checkNumber('alpha', options.alpha ?? 0.1, { min: 0, max: 1, minOpen: true });
  const beta = checkNumber('beta', options.beta ?? 0.5, { min: 0 });
  const form = options.form ?? 'logit';
  if (form !== 'logit' && form !== 'log-ratio') {
    throw new InvalidArgumentError('form', `must be 'logit' or 'log-ratio', got ${String(form)}`);
  }
  const amateurTemperature = checkNumber('amateurTemperature', options.amateurTemperature ?? 0.5, {
    min: 0,
    minOpen: true,
  });
  const logAlpha = Math.log(alpha);
  let scratch = new Float32Array(0);
  return guidedDecoding({
    name: 'contrastive-decoding',
    conditionalPrompt: (prompt) => prompt,
    secondaryPrompt: (prompt) => prompt,
    secondaryModel: options.amateur,
    combine(expert, amateur) {
      let max = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < expert.length; i++) if (expert[i] > max) max = expert[i];
      const floor = max + logAlpha; // p_e(v) >= α max p_e  <=>  z_e(v) >= max z_e + ln α
      if (form === 'log-ratio') {
        if (scratch.length !== expert.length) scratch = new Float32Array(expert.length);
        for (let i = 0; i < amateur.length; i++) scratch[i] = amateur[i] / amateurTemperature;
        logSoftmaxInto(scratch, scratch);
        const logNormaliser = logSumExpFinite(expert, max);
        for (let i = 0; i < expert.length; i++) {
          expert[i] = expert[i] >= floor ? expert[i] - logNormaliser - scratch[i] : Number.NEGATIVE_INFINITY;
        }
        return expert;
      }
      for (let i = 0; i < expert.length; i++) {
        expert[i] = expert[i] >= floor ? (1 + beta) * expert[i] - beta * amateur[i] : Number.NEGATIVE_INFINITY;
      }
      return expert;
    },
  });
}
