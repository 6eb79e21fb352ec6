import { sampleCategorical, targetDistribution, treeChildren, type Verifier } from '@decodekit/core';

/**
 * TEST ORACLE, not tuned for speed: sample-match verification. At each node it draws the next
 * token from the target distribution p; if a child of the node carries that token, it moves to the
 * child, otherwise it commits the drawn token and stops. Exact for any draft whose tokens do not
 * depend on the verifier's random draws (deterministic and sampled drafts alike), and greedy when
 * the sampler chain is greedy. Lower acceptance than rejection sampling for sampled drafts.
 */
export function referenceSampleMatchVerifier(): Verifier {
  return {
    name: 'reference-sample-match',
    exact: true,
    supports: ['deterministic', 'independent', 'without-replacement'],
    verify(input) {
      const children = treeChildren(input.draft.parents);
      const path: number[] = [];
      let node = -1;
      for (;;) {
        const token = sampleCategorical(targetDistribution(input, node), input.rng);
        const match = children(node).find((child) => input.draft.tokens[child] === token);
        if (match === undefined) return { path, next: token };
        path.push(match);
        node = match;
      }
    },
  };
}
