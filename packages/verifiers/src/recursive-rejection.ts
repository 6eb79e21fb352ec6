import { targetDistribution, type Verification, type Verifier, type VerifyInput } from '@decodekit/core';
import { verifyGreedy } from './greedy.js';
import { type CheckedInput, checkVerifyInput, draftRow } from './internal/checks.js';
import {
  acceptanceProbability,
  bernoulli,
  removeToken,
  sampleToken,
  subtractResidual,
} from './internal/distribution.js';

const name = 'recursive-rejection';
const supports = ['independent', 'deterministic'] as const;

/**
 * Recursive rejection sampling over a token tree, SpecInfer's multi-step speculative sampling
 * (Miao et al. 2024, "SpecInfer"): at the current node with target `p`, try its children in
 * index order; child `c` drawn from `q_c` is accepted with probability `min(1, p(c) / q_c(c))`
 * and the walk descends into it; after a rejection `p ← norm(max(0, p − q_c))` and the next child
 * is tried; when no child is accepted the correction is drawn from the final `p`. At a leaf the
 * bonus token is drawn from the target.
 *
 * Exact when siblings were drawn independently of each other (`independent`: k i.i.d. drafts, or
 * several draft models each with its own q row; duplicates are kept as separate nodes). For
 * siblings drawn without replacement use `recursiveSpeculativeVerifier()`. A `deterministic` tree
 * without q rows is verified with point masses (q = 1 at each child), which is EAGLE's exact tree
 * sampling (§0.2-6 of the digest).
 *
 * Under a greedy sampler it runs the greedy kernel instead (deepest argmax-matching path, no random
 * draws): p is one-hot there, so that is exact and accepts at least as many tokens.
 *
 * @example
 * const strategy = speculative({ drafter, verifier: recursiveRejectionVerifier() });
 */
export function recursiveRejectionVerifier(): Verifier {
  return {
    name,
    exact: true,
    supports,
    verify(input) {
      return verifyRecursiveRejection(input, checkVerifyInput(input, name, supports));
    },
  };
}

/** The recursive rejection kernel, shared with `defaultVerifier()`. */
export function verifyRecursiveRejection(input: VerifyInput, checked: CheckedInput): Verification {
  if (input.sampler.greedy) return verifyGreedy(input, checked);
  const { tokens } = input.draft;
  const path: number[] = [];
  let node = -1;
  for (;;) {
    // A fresh copy per node: residual updates overwrite it, never the logits or the q rows.
    const target = targetDistribution(input, node);
    let accepted = -1;
    for (const child of checked.children(node)) {
      const draft = draftRow(input, child, checked.vocabSize, name);
      const token = tokens[child];
      if (bernoulli(acceptanceProbability(target[token], draft ? draft[token] : 1), input.rng)) {
        accepted = child;
        break;
      }
      // A zero-mass residual means target = q up to rounding (rejection had probability ~0): keep target.
      if (draft) subtractResidual(target, draft);
      else removeToken(target, token);
    }
    if (accepted < 0) return { path, next: sampleToken(target, input.rng) };
    path.push(accepted);
    node = accepted;
  }
}
