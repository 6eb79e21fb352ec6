import {
  InvalidArgumentError,
  targetDistribution,
  type Verification,
  type Verifier,
  type VerifyInput,
} from '@decodekit/core';
import { verifyGreedy } from './greedy.js';
import { type CheckedInput, checkVerifyInput, draftRow } from './internal/checks.js';
import { acceptanceProbability, bernoulli, sampleToken, subtractResidual } from './internal/distribution.js';

const name = 'recursive-speculative';
const supports = ['without-replacement'] as const;

/**
 * Recursive Speculative Decoding's verifier (Jeon et al. 2024, "Recursive Speculative Decoding:
 * Accelerating LLM Inference via Sampling Without Replacement"; §8(b) of the digest): recursive
 * rejection sampling for siblings drawn WITHOUT replacement from their parent's q (Gumbel-top-k,
 * stochastic beam search). At a node with target `P = p` and draft `Q = q`, try the children in
 * draw order: accept child `c` with probability `min(1, P(c) / Q(c))`; after a rejection
 * `P ← norm(max(0, P − Q))` and `Q ← norm(Q with Q(c) = 0)`, the distribution of the next draw
 * without replacement; when no child is accepted the correction is drawn from `P`.
 *
 * Exact: each sibling is a valid speculative-sampling proposal for the residual target left by
 * the ones before it. Siblings must carry distinct tokens, be listed in the order they were drawn,
 * and share their parent's q row (the first child's row is used; the verifier never modifies it).
 *
 * Under a greedy sampler it runs the greedy kernel instead (deepest argmax-matching path, no random
 * draws): p is one-hot there, so that is exact and accepts at least as many tokens.
 *
 * @example
 * const strategy = speculative({ drafter, verifier: recursiveSpeculativeVerifier() });
 */
export function recursiveSpeculativeVerifier(): Verifier {
  return {
    name,
    exact: true,
    supports,
    verify(input) {
      return verifyRecursiveSpeculative(input, checkVerifyInput(input, name, supports));
    },
  };
}

/** The without-replacement recursive rejection kernel, shared with `defaultVerifier()`. */
export function verifyRecursiveSpeculative(input: VerifyInput, checked: CheckedInput): Verification {
  if (input.sampler.greedy) return verifyGreedy(input, checked);
  const { tokens } = input.draft;
  const path: number[] = [];
  let node = -1;
  for (;;) {
    const children = checked.children(node);
    const target = targetDistribution(input, node);
    let accepted = -1;
    if (children.length > 0) {
      checkDistinct(children, tokens, node);
      // Shared with the siblings (and maybe other nodes): work on a copy.
      const draft = Float32Array.from(draftRow(input, children[0], checked.vocabSize, name) as Float32Array);
      for (let j = 0; j < children.length; j++) {
        const child = children[j];
        const token = tokens[child];
        if (j > 0) draftRow(input, child, checked.vocabSize, name); // checks its own row is usable
        if (!(draft[token] > 0)) {
          throw new InvalidArgumentError(
            `${name} draft.q`,
            `sibling ${child} (token ${token}) has no mass in its parent's q row, so it cannot have been drawn from it`,
          );
        }
        if (bernoulli(acceptanceProbability(target[token], draft[token]), input.rng)) {
          accepted = child;
          break;
        }
        subtractResidual(target, draft);
        if (j + 1 < children.length) removeDrawn(draft, token);
      }
    }
    if (accepted < 0) return { path, next: sampleToken(target, input.rng) };
    path.push(accepted);
    node = accepted;
  }
}

// Draws without replacement never repeat a token.
function checkDistinct(children: readonly number[], tokens: ArrayLike<number>, node: number): void {
  if (children.length < 2) return;
  const seen = new Set<number>();
  for (const child of children) {
    if (seen.has(tokens[child])) {
      throw new InvalidArgumentError(
        `${name} draft`,
        `node ${node} has two children with token ${tokens[child]}; siblings drawn without replacement are distinct ` +
          '(for independent draws use recursiveRejectionVerifier())',
      );
    }
    seen.add(tokens[child]);
  }
}

// The distribution of the next draw without replacement: q with the drawn token removed.
function removeDrawn(draft: Float32Array, token: number): void {
  draft[token] = 0;
  let mass = 0;
  for (let i = 0; i < draft.length; i++) mass += draft[i];
  if (!(mass > 0)) {
    throw new InvalidArgumentError(
      `${name} draft.q`,
      'the siblings exhaust their q row, so a further sibling cannot have been drawn from it',
    );
  }
  const inverse = 1 / mass;
  for (let i = 0; i < draft.length; i++) draft[i] *= inverse;
}
