import { targetDistribution, type Verification, type Verifier, type VerifyInput } from '@decodekit/core';
import { verifyGreedy } from './greedy.js';
import { type CheckedInput, checkVerifyInput } from './internal/checks.js';
import { sampleToken } from './internal/distribution.js';

const name = 'sample-match';
const supports = ['deterministic', 'independent', 'without-replacement'] as const;

/**
 * Sample-match verification (§0.2-6 of the speculative digest; the exact form of EAGLE's tree
 * sampling for deterministic proposals): at the current node draw `t ~ p`; if a child of the node
 * carries `t`, descend into it (the first such child) and repeat; otherwise commit `t` and stop.
 *
 * Exact for any draft whose tokens were fixed before the verifier's draws, which covers every
 * deterministic drafter (prompt lookup, Token Recycling, heads, greedy draft models), chain or
 * tree: each committed token is a plain draw from the target. q rows are ignored, so it is also
 * exact (but accepts less than rejection sampling would) for sampled drafts.
 *
 * With a greedy sampler `t` is the argmax, and the verifier runs the greedy kernel (deepest
 * matching path, no random draws).
 *
 * @example
 * const strategy = speculative({ drafter, verifier: sampleMatchVerifier() });
 */
export function sampleMatchVerifier(): Verifier {
  return {
    name,
    exact: true,
    supports,
    verify(input) {
      return verifySampleMatch(input, checkVerifyInput(input, name, supports));
    },
  };
}

/** The sample-match kernel, shared with `defaultVerifier()`. */
export function verifySampleMatch(input: VerifyInput, checked: CheckedInput): Verification {
  if (input.sampler.greedy) return verifyGreedy(input, checked);
  const { tokens } = input.draft;
  const path: number[] = [];
  let node = -1;
  for (;;) {
    const token = sampleToken(targetDistribution(input, node), input.rng);
    const child = checked.children(node).find((c) => tokens[c] === token);
    if (child === undefined) return { path, next: token };
    path.push(child);
    node = child;
  }
}
