import {
  type DraftSampling,
  InvalidArgumentError,
  isChain,
  TokenOutOfRangeError,
  treeChildren,
  type VerifyInput,
  validateParents,
} from '@decodekit/core';

/** What every verifier needs after checking its input once. */
export interface CheckedInput {
  /** Number of draft nodes. */
  readonly count: number;
  /** Vocabulary size (columns of the target logits). */
  readonly vocabSize: number;
  /** Children of a node, or of the root for -1, in index order. */
  readonly children: (node: number) => readonly number[];
}

/**
 * Checks the parts of a `VerifyInput` every verifier relies on: tokens and parents agree, the tree
 * is well formed, there is one target row per node plus the root, token ids fit the vocabulary,
 * and the draft's sampling kind is one the verifier handles. O(nodes); q rows are checked lazily.
 */
export function checkVerifyInput(
  input: VerifyInput,
  verifierName: string,
  supports: readonly DraftSampling[],
): CheckedInput {
  const { draft, targetLogits } = input;
  const count = draft.tokens.length;
  if (draft.parents.length !== count) {
    throw new InvalidArgumentError(
      `${verifierName} draft`,
      `the draft has ${count} tokens but ${draft.parents.length} parents; give one parent per token`,
    );
  }
  validateParents(draft.parents, `${verifierName} draft.parents`);
  if (targetLogits.rows < count + 1) {
    throw new InvalidArgumentError(
      `${verifierName} targetLogits`,
      `a draft of ${count} nodes needs ${count + 1} target rows (the root, then one per node), got ${targetLogits.rows}`,
    );
  }
  const vocabSize = targetLogits.columns;
  for (let i = 0; i < count; i++) {
    const token = draft.tokens[i];
    if (!Number.isInteger(token) || token < 0 || token >= vocabSize) {
      throw new TokenOutOfRangeError(token, vocabSize, `${verifierName} draft node ${i}`);
    }
  }
  if (!supports.includes(draft.sampling)) {
    throw new InvalidArgumentError(
      `${verifierName} draft.sampling`,
      `this verifier handles ${supports.map((s) => `"${s}"`).join(', ')} drafts, got "${draft.sampling}"; ` +
        'use defaultVerifier() to pick the exact verifier for each draft',
    );
  }
  if (draft.sampling !== 'deterministic' && !draft.q) {
    throw new InvalidArgumentError(
      `${verifierName} draft.q`,
      `a ${draft.sampling} draft must carry the q row each node was drawn from`,
    );
  }
  return { count, vocabSize, children: treeChildren(draft.parents) };
}

/** Throws unless the draft is a chain (parents = [-1, 0, 1, ...]). */
export function requireChain(input: VerifyInput, verifierName: string, suggestion: string): void {
  if (!isChain(input.draft.parents)) {
    throw new InvalidArgumentError(
      `${verifierName} draft.parents`,
      `this verifier handles chain drafts only; ${suggestion}`,
    );
  }
}

/**
 * The q row draft node `node` was drawn from, checked: present, one entry per vocabulary token, and
 * positive at the node's own token (a token with q = 0 cannot have been drawn). Returns undefined
 * for a deterministic draft (the caller treats the node as a point mass): its tokens were not drawn
 * from any q rows it may carry, so using them as proposals would bias the output.
 */
export function draftRow(
  input: VerifyInput,
  node: number,
  vocabSize: number,
  verifierName: string,
): Float32Array | undefined {
  const { draft } = input;
  if (draft.sampling === 'deterministic') return undefined;
  const row = draft.q?.[node];
  if (!row) {
    throw new InvalidArgumentError(
      `${verifierName} draft.q`,
      `node ${node} of a ${draft.sampling} draft has no q row; give every sampled node the distribution it was drawn from`,
    );
  }
  if (row.length !== vocabSize) {
    throw new InvalidArgumentError(
      `${verifierName} draft.q`,
      `q row of node ${node} has ${row.length} entries; the target vocabulary has ${vocabSize}`,
    );
  }
  const token = draft.tokens[node];
  if (!(row[token] > 0)) {
    throw new InvalidArgumentError(
      `${verifierName} draft.q`,
      `node ${node} (token ${token}) has probability ${row[token]} under its own q row, so it cannot have been drawn from it`,
    );
  }
  return row;
}
