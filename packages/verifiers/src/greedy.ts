import {
  InvalidArgumentError,
  targetDistribution,
  type Verification,
  type Verifier,
  type VerifyInput,
} from '@decodekit/core';
import { type CheckedInput, checkVerifyInput } from './internal/checks.js';
import { mostLikelyToken } from './internal/distribution.js';

const name = 'greedy';
const supports = ['deterministic', 'independent', 'without-replacement'] as const;

/**
 * Greedy verification (§0.2-1 chain, §0.2-4 tree of the speculative digest): a draft node is
 * accepted when its token is the target's argmax after its parent and its parent was accepted;
 * the verifier keeps the deepest accepted node (the lowest node index among equally deep ones,
 * which is the first path in Medusa's leaf order) and adds the target's argmax after it.
 *
 * Exact for greedy decoding: the committed tokens are identical to autoregressive greedy decoding
 * with the same sampler chain (its processors, such as a repetition penalty, still apply). Any
 * draft kind works, since q rows are ignored.
 *
 * It refuses a sampler that samples at random (`sampler.greedy === false`) with an
 * `InvalidArgumentError`: committing argmax tokens there would silently ignore the temperature
 * the caller asked for. Use `defaultVerifier()` or `sampleMatchVerifier()` for sampling.
 *
 * @example
 * const strategy = speculative({ drafter, verifier: greedyVerifier() });
 */
export function greedyVerifier(): Verifier {
  return {
    name,
    exact: true,
    supports,
    verify(input) {
      const checked = checkVerifyInput(input, name, supports);
      if (!input.sampler.greedy) {
        throw new InvalidArgumentError(
          'sampler',
          'greedyVerifier() commits argmax tokens, but this sampler draws at random; ' +
            'use defaultVerifier() or sampleMatchVerifier() to verify sampled decoding exactly, or a greedy sampler',
        );
      }
      return verifyGreedy(input, checked);
    },
  };
}

/** The greedy kernel, shared with the verifiers that reduce to it under a greedy sampler. */
export function verifyGreedy(input: VerifyInput, checked: CheckedInput): Verification {
  const { count } = checked;
  const { tokens, parents } = input.draft;
  // argmax of the target after each node (index node + 1; index 0 is the root), computed lazily:
  // only accepted nodes (and the root) need their row processed.
  const best = new Int32Array(count + 1).fill(-1);
  const argmaxAfter = (node: number): number => {
    if (best[node + 1] < 0) best[node + 1] = mostLikelyToken(targetDistribution(input, node));
    return best[node + 1];
  };
  // Parents come before children, so one pass in index order decides every node.
  const depth = new Int32Array(count); // 0: rejected; else depth of an accepted node
  let end = -1;
  let endDepth = 0;
  for (let i = 0; i < count; i++) {
    const parent = parents[i];
    const parentDepth = parent < 0 ? 0 : depth[parent];
    if (parent >= 0 && parentDepth === 0) continue;
    if (tokens[i] !== argmaxAfter(parent)) continue;
    depth[i] = parentDepth + 1;
    if (depth[i] > endDepth) {
      endDepth = depth[i];
      end = i;
    }
  }
  const path: number[] = new Array(endDepth);
  for (let node = end, k = endDepth - 1; node >= 0; node = parents[node], k--) path[k] = node;
  return { path, next: argmaxAfter(end) };
}
