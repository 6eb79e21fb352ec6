import type { Draft, DraftSampling } from './drafter.js';
import type { Matrix } from './matrix.js';
import { matrixRow } from './matrix.js';
import type { Rng } from './rng.js';
import type { SamplerChain } from './sampler.js';
import { pathTo } from './tree.js';

export interface VerifyInput {
  readonly draft: Draft;
  /** Raw target logits: row 0 after the root, row i + 1 after draft node i. Read-only: use `targetDistribution`. */
  readonly targetLogits: Matrix;
  /** Committed tokens (prompt, generated); the last one is the root. */
  readonly tokens: Int32Array;
  readonly promptLength: number;
  readonly sampler: SamplerChain;
  readonly rng: Rng;
}

export interface Verification {
  /** Accepted draft node indices, root to node (each node the parent of the next). */
  readonly path: readonly number[];
  /** The target's token after the path: the bonus token, or the correction after a rejection. */
  readonly next: number;
}

/**
 * Accept/reject kernel. `exact` verifiers commit tokens distributed exactly as target sampling
 * would (greedy: identical tokens); lossy ones (typical acceptance) say so.
 */
export interface Verifier {
  readonly name: string;
  readonly exact: boolean;
  /** Draft kinds this verifier handles. */
  readonly supports: readonly DraftSampling[];
  verify(input: VerifyInput): Verification;
}

/** Committed tokens followed by the draft tokens on the path to `node` (-1: the root, nothing added). */
export function nodeContextTokens(input: Pick<VerifyInput, 'draft' | 'tokens'>, node: number): Int32Array {
  if (node < 0) return input.tokens;
  const path = pathTo(input.draft.parents, node);
  const out = new Int32Array(input.tokens.length + path.length);
  out.set(input.tokens);
  for (let k = 0; k < path.length; k++) out[input.tokens.length + k] = input.draft.tokens[path[k]];
  return out;
}

/**
 * The target distribution after draft node `node` (-1 for the root): a copy of its logits row
 * through the sampler chain, in the context of the committed tokens plus the path to the node.
 * Never modifies `input.targetLogits`.
 */
export function targetDistribution(input: VerifyInput, node: number): Float32Array {
  const row = matrixRow(input.targetLogits, node + 1).slice();
  return input.sampler.distribution(
    row,
    { tokens: nodeContextTokens(input, node), promptLength: input.promptLength },
    row,
  );
}
