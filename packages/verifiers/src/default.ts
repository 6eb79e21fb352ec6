import { isChain, type Verifier } from '@decodekit/core';
import { verifyGreedy } from './greedy.js';
import { checkVerifyInput } from './internal/checks.js';
import { verifyRecursiveRejection } from './recursive-rejection.js';
import { verifyRecursiveSpeculative } from './recursive-speculative.js';
import { verifySampleMatch } from './sample-match.js';
import { verifySpeculativeSampling } from './speculative-sampling.js';

const name = 'default';
const supports = ['deterministic', 'independent', 'without-replacement'] as const;

/**
 * The exact verifier for whatever the drafter proposes, chosen per call:
 *
 * | sampler / draft                  | kernel                                   |
 * |----------------------------------|------------------------------------------|
 * | greedy sampler (any draft)       | greedy (deepest argmax-matching path)    |
 * | `deterministic`                  | sample-match                             |
 * | `independent` chain              | speculative sampling                     |
 * | `independent` tree               | recursive rejection (SpecInfer)          |
 * | `without-replacement`            | recursive speculative (RSD)              |
 *
 * Always exact: the committed tokens are distributed as target sampling with the same chain
 * (identical to greedy decoding under a greedy sampler). SpecTr's K-SEQ is not chosen
 * automatically because it needs every level's candidates to share one q; use `specTrVerifier()`.
 *
 * @example
 * const result = await generate({ model, prompt, strategy: speculative({ drafter, verifier: defaultVerifier() }) });
 */
export function defaultVerifier(): Verifier {
  return {
    name,
    exact: true,
    supports,
    verify(input) {
      const checked = checkVerifyInput(input, name, supports);
      if (input.sampler.greedy) return verifyGreedy(input, checked);
      switch (input.draft.sampling) {
        case 'deterministic':
          return verifySampleMatch(input, checked);
        case 'independent':
          return isChain(input.draft.parents)
            ? verifySpeculativeSampling(input, checked)
            : verifyRecursiveRejection(input, checked);
        case 'without-replacement':
          return verifyRecursiveSpeculative(input, checked);
      }
    },
  };
}
