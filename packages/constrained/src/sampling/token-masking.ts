import type { ConstrainedTokenSampler, TokenSample, TokenSamplerInput } from './token-sampler.js';
import { deadEnd } from './token-sampler.js';

/**
 * Token masking, the classic baseline (Outlines, llama.cpp grammars, transformers.js): evaluate
 * the constraint on the whole vocabulary, zero the disallowed tokens and draw from the
 * renormalised distribution g(x) = p(x)·c(x)/Z. Exact; costs |V| constraint evaluations per token.
 *
 * The weight is the exact local normaliser Z = Σ_x p(x)·c(x) (a proper weight, so SMC can run on
 * masking too). Greedy chains take the allowed token with the largest processed logit (weight 1).
 */
export function tokenMasking(): ConstrainedTokenSampler {
  let scratch: Uint8Array | undefined;
  return {
    name: 'mask',
    proper: true,
    sample<State>(input: TokenSamplerInput<State>): TokenSample {
      const { constraint, state, probabilities, logits } = input;
      const size = probabilities.length;
      if (!scratch || scratch.length < constraint.vocabulary.size) scratch = new Uint8Array(constraint.vocabulary.size);
      const allowed = constraint.mask(state, scratch);
      const evaluations = constraint.vocabulary.size;
      if (input.greedy) {
        let best = -1;
        let bestValue = Number.NEGATIVE_INFINITY;
        for (let v = 0; v < size; v++) {
          if (allowed[v] === 1 && logits[v] > bestValue) {
            bestValue = logits[v];
            best = v;
          }
        }
        return best < 0 ? { ...deadEnd, evaluations } : { token: best, logWeight: 0, evaluations };
      }
      let z = 0;
      for (let v = 0; v < size; v++) if (allowed[v] === 1) z += probabilities[v];
      if (!(z > 0)) return { ...deadEnd, evaluations };
      const target = input.rng.next() * z;
      let acc = 0;
      let last = -1;
      for (let v = 0; v < size; v++) {
        if (allowed[v] !== 1 || !(probabilities[v] > 0)) continue;
        acc += probabilities[v];
        last = v;
        if (acc > target) return { token: v, logWeight: Math.log(z), evaluations };
      }
      return { token: last, logWeight: Math.log(z), evaluations };
    },
  };
}
