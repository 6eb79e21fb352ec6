import {
  InvalidArgumentError,
  sampleCategorical,
  targetDistribution,
  treeChildren,
  type Verifier,
  type VerifyInput,
} from '@decodekit/core';

/**
 * TEST ORACLE, not tuned for speed: speculative sampling by (recursive) rejection, for chains and
 * trees of every draft kind. At a node with target distribution P it tries the children in order:
 * child c is accepted with probability min(1, P(c) / Q(c)), otherwise P becomes the residual
 * normalise(max(0, P − Q)) and the next child is tried. Q is the child's draft row for
 * `independent` drafts (SpecInfer's multi-round rejection), the parent's row with earlier siblings
 * removed for `without-replacement` drafts (RSD's recursive rejection), and a point mass on the
 * child's token for `deterministic` drafts. When no child is accepted the correction is drawn from
 * the final P; after the last accepted node the bonus is drawn from its p. On a chain this is the
 * speculative sampling of Leviathan et al. and Chen et al.
 */
export function referenceRejectionSamplingVerifier(): Verifier {
  return {
    name: 'reference-rejection-sampling',
    exact: true,
    supports: ['deterministic', 'independent', 'without-replacement'],
    verify(input) {
      const { draft, rng } = input;
      const children = treeChildren(draft.parents);
      const path: number[] = [];
      let node = -1;
      for (;;) {
        const target = Float64Array.from(targetDistribution(input, node));
        const kids = children(node);
        let accepted = -1;
        // Without replacement: one running copy of the parent's q, with tried siblings removed.
        let remaining: Float64Array | undefined;
        for (const child of kids) {
          const token = draft.tokens[child];
          const draftRow = proposalRow(input, child, remaining);
          if (draft.sampling === 'without-replacement') remaining = draftRow;
          const pc = target[token];
          const qc = draftRow ? draftRow[token] : 1;
          const ratio = qc > 0 ? pc / qc : pc > 0 ? 1 : 0;
          if (rng.next() < ratio) {
            accepted = child;
            break;
          }
          subtractResidual(target, draftRow, token);
          if (remaining) {
            remaining[token] = 0;
            normalise(remaining);
          }
        }
        if (accepted < 0) return { path, next: sampleCategorical(target, rng) };
        path.push(accepted);
        node = accepted;
      }
    },
  };
}

/** Q for `child`: undefined means a point mass on its token (deterministic drafts). */
function proposalRow(input: VerifyInput, child: number, remaining: Float64Array | undefined): Float64Array | undefined {
  const { draft } = input;
  if (draft.sampling === 'deterministic') return undefined;
  if (remaining) return remaining;
  const row = draft.q?.[child];
  if (!row) {
    throw new InvalidArgumentError('draft.q', `the ${draft.sampling} draft has no q row for node ${child}`);
  }
  const copy = Float64Array.from(row);
  normalise(copy);
  return copy;
}

/** P := normalise(max(0, P − Q)); Q undefined is a point mass on `token`. */
function subtractResidual(target: Float64Array, draftRow: Float64Array | undefined, token: number): void {
  const before = target.slice();
  if (draftRow) for (let i = 0; i < target.length; i++) target[i] = Math.max(0, target[i] - draftRow[i]);
  else target[token] = 0;
  if (normalise(target) === 0) {
    // P == Q up to rounding, so the rejection itself was a rounding event: keep P without the token.
    target.set(before);
    target[token] = 0;
    if (normalise(target) === 0) target.set(before);
  }
}

function normalise(row: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += row[i];
  if (sum > 0) for (let i = 0; i < row.length; i++) row[i] /= sum;
  return sum;
}
