import {
  argmax,
  InvalidArgumentError,
  targetDistribution,
  treeChildren,
  type Verifier,
  type VerifyInput,
} from '@decodekit/core';

/**
 * TEST ORACLE, not tuned for speed: greedy verification of a chain or tree. From the root, it
 * follows the child whose token is the target's argmax, choosing among duplicate children the
 * one that leads to the longest match, and adds the argmax after the last matched node as the
 * bonus token. Exact (token-identical to greedy decoding) for greedy sampler chains only; it
 * throws `InvalidArgumentError` for sampling chains.
 */
export function referenceGreedyVerifier(): Verifier {
  return {
    name: 'reference-greedy',
    exact: true,
    supports: ['deterministic', 'independent', 'without-replacement'],
    verify(input) {
      if (!input.sampler.greedy) {
        throw new InvalidArgumentError(
          'sampler',
          'referenceGreedyVerifier is exact only for greedy sampler chains; use referenceRejectionSamplingVerifier to sample',
        );
      }
      const children = treeChildren(input.draft.parents);
      return longestArgmaxPath(input, children, -1);
    },
  };
}

// Duplicate siblings share a context, so their argmax agrees; only their subtrees differ.
function longestArgmaxPath(
  input: VerifyInput,
  children: (node: number) => readonly number[],
  node: number,
): { path: number[]; next: number } {
  const best = argmax(targetDistribution(input, node));
  let result: { path: number[]; next: number } = { path: [], next: best };
  for (const child of children(node)) {
    if (input.draft.tokens[child] !== best) continue;
    const below = longestArgmaxPath(input, children, child);
    if (below.path.length + 1 > result.path.length) result = { path: [child, ...below.path], next: below.next };
  }
  return result;
}
