import type { ConstrainedTokenSampler, TokenSample, TokenSamplerInput } from './token-sampler.js';
import { deadEnd, greedyLazy, WithoutReplacement } from './token-sampler.js';

/**
 * Adaptive rejection sampling (ARS; step 0 of Lipkin et al. 2025, "Fast Controlled Generation from
 * Language Models with Adaptive Weighted Rejection Sampling"): draw tokens from p without
 * replacement and test each against the constraint; the first allowed token is an exact sample of
 * g(x) ∝ p(x)·c(x). Rejected tokens are removed, so the loop ends after at most the number of
 * disallowed tokens with p > 0, and usually after one or two checks when the model already
 * mostly obeys the constraint.
 *
 * The weight is 1 (improper: no estimate of the local normaliser); use `awrs()` for SMC.
 */
export function rejectionSampling(): ConstrainedTokenSampler {
  return {
    name: 'ars',
    proper: false,
    sample<State>(input: TokenSamplerInput<State>): TokenSample {
      if (input.greedy) return greedyLazy(input);
      const { constraint, state, rng } = input;
      const order = new WithoutReplacement(input.probabilities);
      let evaluations = 0;
      for (;;) {
        const v = order.draw(rng);
        if (v < 0) return { ...deadEnd, evaluations };
        evaluations++;
        if (constraint.allows(state, v)) return { token: v, logWeight: 0, evaluations };
        order.remove(v);
      }
    },
  };
}
