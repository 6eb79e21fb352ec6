import { targetDistribution, type Verification, type Verifier, type VerifyInput } from '@decodekit/core';
import { verifyGreedy } from './greedy.js';
import { type CheckedInput, checkVerifyInput, draftRow, requireChain } from './internal/checks.js';
import {
  acceptanceProbability,
  bernoulli,
  removeToken,
  sampleToken,
  subtractResidual,
} from './internal/distribution.js';

const name = 'speculative-sampling';
const supports = ['independent', 'deterministic'] as const;

/**
 * Speculative sampling over a chain (Leviathan, Kalman, Matias 2023; Chen et al. 2023): draft
 * token `d_i` drawn from `q_i` is accepted with probability `min(1, p_i(d_i) / q_i(d_i))`; at the
 * first rejection the correction is drawn from `norm(max(0, p_i − q_i))` and the step ends; when
 * every token is accepted the bonus token is drawn from the target after the last one.
 *
 * Exact: each committed token is distributed as the target's. For `independent` chain drafts
 * that carry their q rows (SpS, SpecDec++, PEARL). A `deterministic` chain without q rows is
 * treated as a point mass (q = 1 at each token: accept with probability p(d), correct from p
 * without d), which is also exact. Tree drafts are refused: use `recursiveRejectionVerifier()`.
 *
 * Under a greedy sampler it runs the greedy kernel instead (deepest argmax-matching path, no random
 * draws): p is one-hot there, so that is exact and accepts at least as many tokens.
 *
 * @example
 * const strategy = speculative({ drafter, verifier: speculativeSamplingVerifier() });
 */
export function speculativeSamplingVerifier(): Verifier {
  return {
    name,
    exact: true,
    supports,
    verify(input) {
      const checked = checkVerifyInput(input, name, supports);
      requireChain(input, name, 'use recursiveRejectionVerifier() or defaultVerifier() for tree drafts');
      return verifySpeculativeSampling(input, checked);
    },
  };
}

/** The chain rejection-sampling kernel, shared with `defaultVerifier()`. The draft must be a chain. */
export function verifySpeculativeSampling(input: VerifyInput, checked: CheckedInput): Verification {
  if (input.sampler.greedy) return verifyGreedy(input, checked);
  const { tokens } = input.draft;
  const path: number[] = [];
  for (let i = 0; i < checked.count; i++) {
    // A fresh copy: the residual below may overwrite it.
    const target = targetDistribution(input, i - 1);
    const draft = draftRow(input, i, checked.vocabSize, name);
    const token = tokens[i];
    const accept = acceptanceProbability(target[token], draft ? draft[token] : 1);
    if (bernoulli(accept, input.rng)) {
      path.push(i);
      continue;
    }
    // q rows may be shared with other nodes: only the target copy is modified.
    if (draft) subtractResidual(target, draft);
    else removeToken(target, token);
    return { path, next: sampleToken(target, input.rng) };
  }
  return { path, next: sampleToken(targetDistribution(input, checked.count - 1), input.rng) };
}
