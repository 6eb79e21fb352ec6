import {
  type Draft,
  type DraftFeedback,
  emptyDraft,
  InvalidArgumentError,
  matrixRow,
  topK as topKIndices,
} from '@decodekit/core';
import { integerOption } from './options.js';
import type { SynchronousDrafter } from './synchronous-drafter.js';

/**
 * The static draft tree of Token Recycling (`tree_version = "2.2.2"` in
 * `Luowaterbi/TokenRecycling:model/recycling/tree_template_.py`): 80 nodes over 6 levels
 * (8 / 21 / 25 / 15 / 8 / 3 nodes per depth). Each node is its path of candidate ranks from the
 * root: `[0, 1]` means "the root's top-1 candidate, then that token's top-2 candidate". The tree
 * is skewed towards rank 0 because top-1 candidates are accepted far more often. Nodes are in
 * breadth-first order (by depth, then lexicographically), as the drafter requires.
 */
// biome-ignore format: one line per depth keeps the paper's template readable
export const tokenRecyclingTreeTemplate: readonly (readonly number[])[] = Object.freeze([
  // depth 1
  [0], [1], [2], [3], [4], [5], [6], [7],
  // depth 2
  [0, 0], [0, 1], [0, 2], [0, 3], [0, 4], [0, 5], [0, 6], [0, 7], [1, 0], [1, 1], [1, 2], [1, 3],
  [2, 0], [2, 1], [2, 2], [3, 0], [3, 1], [4, 0], [5, 0], [6, 0], [7, 0],
  // depth 3
  [0, 0, 0], [0, 0, 1], [0, 0, 2], [0, 0, 3], [0, 0, 4], [0, 0, 5], [0, 0, 6], [0, 0, 7],
  [0, 1, 0], [0, 1, 1], [0, 1, 2], [0, 2, 0], [0, 2, 1], [0, 3, 0], [0, 4, 0], [0, 5, 0], [0, 6, 0],
  [0, 7, 0], [1, 0, 0], [1, 0, 1], [1, 1, 0], [2, 0, 0], [3, 0, 0], [4, 0, 0], [5, 0, 0],
  // depth 4
  [0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 2], [0, 0, 0, 3], [0, 0, 0, 4], [0, 0, 1, 0], [0, 0, 1, 1],
  [0, 0, 2, 0], [0, 0, 3, 0], [0, 0, 4, 0], [0, 1, 0, 0], [0, 2, 0, 0], [1, 0, 0, 0], [2, 0, 0, 0],
  [3, 0, 0, 0],
  // depth 5
  [0, 0, 0, 0, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 2], [0, 0, 0, 1, 0], [0, 0, 0, 2, 0], [0, 0, 1, 0, 0],
  [0, 1, 0, 0, 0], [1, 0, 0, 0, 0],
  // depth 6
  [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1], [0, 0, 0, 1, 0, 0],
].map((path) => Object.freeze(path)));

/** Options of {@link tokenRecycling}. */
export interface TokenRecyclingOptions {
  /** Candidates kept per token, the adjacency matrix's width (default 8, as the paper). */
  readonly topK?: number;
  /**
   * The static draft tree as candidate-rank paths in breadth-first order (default
   * {@link tokenRecyclingTreeTemplate}). Every rank must be below `topK`.
   */
  readonly treeTemplate?: readonly (readonly number[])[];
  /**
   * Clear the adjacency matrix at every `start` (default false). The paper keeps it for the whole
   * process ("hot start"): what was learnt on one prompt helps the next.
   */
  readonly resetOnStart?: boolean;
}

/**
 * The adjacency matrix of Token Recycling: for every vocabulary token, the target's top-k next
 * tokens the last time the target scored that token (in any context, accepted or not).
 * `vocabSize × topK` int32 ids: 128 KiB for a 4,096-token vocabulary and k = 8.
 */
export class CandidateMatrix {
  /** Row-major `[vocabSize, topK]` candidate ids, best first. */
  readonly candidates: Int32Array;
  /** 1 where a token's row has been written. */
  readonly known: Uint8Array;

  constructor(
    readonly vocabSize: number,
    readonly topK: number,
  ) {
    this.candidates = new Int32Array(vocabSize * topK);
    this.known = new Uint8Array(vocabSize);
  }

  /** Bytes held by the matrix. */
  get byteLength(): number {
    return this.candidates.byteLength + this.known.byteLength;
  }

  /** Candidate `rank` of `token` (0 = top-1), or -1 when the token's row was never written. */
  candidate(token: number, rank: number): number {
    return this.known[token] ? this.candidates[token * this.topK + rank] : -1;
  }

  /** Overwrites `token`'s row with the top-k of a logits row (selection, no full sort). */
  update(token: number, logits: Float32Array): void {
    const best = topKIndices(logits, this.topK);
    this.candidates.set(best, token * this.topK);
    this.known[token] = 1;
  }

  /** Forgets every row. */
  clear(): void {
    this.candidates.fill(0);
    this.known.fill(0);
  }
}

/**
 * Token Recycling (Luo et al., "Turning Trash into Treasure", arXiv 2408.08696, ACL 2025): a
 * training-free drafter that recycles the candidate tokens the target scored during verification.
 * After every verification, each scored position, accepted or rejected, overwrites its token's
 * row of an adjacency matrix with the target's top-k next tokens. Each draft walks a static
 * breadth-first tree template over that matrix: node `[r1, r2, ...]` is the r1-th candidate of the
 * root, then the r2-th candidate of that token, and so on.
 *
 * Needs only the target logits rows (every verified position). Drafts are deterministic, so the
 * method is lossless with any exact verifier. Nodes whose parent token has no row yet are left
 * out (the reference drafts token 0 there, which is always wasted).
 */
export function tokenRecycling(options: TokenRecyclingOptions = {}): SynchronousDrafter {
  const topK = integerOption('topK', options.topK, 8, 1);
  const template = compileTemplate(options.treeTemplate ?? tokenRecyclingTreeTemplate, topK);
  const resetOnStart = options.resetOnStart ?? false;
  let matrix: CandidateMatrix | undefined;

  const ensureMatrix = (vocabSize: number): CandidateMatrix => {
    if (!matrix || matrix.vocabSize !== vocabSize) matrix = new CandidateMatrix(vocabSize, topK);
    return matrix;
  };

  return {
    name: 'token-recycling',
    requires: { treeDrafts: true },
    start(context) {
      const current = ensureMatrix(context.target.vocabSize);
      if (resetOnStart) current.clear();
    },
    propose(context): Draft {
      if (context.maxTokens <= 0 || !matrix) return emptyDraft;
      const root = context.tokens[context.tokens.length - 1];
      const count = template.parents.length;
      const nodeToken = new Int32Array(count);
      const nodeIndex = new Int32Array(count).fill(-1); // template node -> draft index (-1: left out)
      const tokens: number[] = [];
      const parents: number[] = [];
      for (let i = 0; i < count && tokens.length < context.maxTokens; i++) {
        const parent = template.parents[i];
        if (parent >= 0 && nodeIndex[parent] < 0) continue; // its parent was left out
        const parentToken = parent < 0 ? root : nodeToken[parent];
        const token = parentToken < matrix.vocabSize ? matrix.candidate(parentToken, template.ranks[i]) : -1;
        if (token < 0) continue;
        nodeToken[i] = token;
        nodeIndex[i] = tokens.length;
        tokens.push(token);
        parents.push(parent < 0 ? -1 : nodeIndex[parent]);
      }
      return { tokens: Int32Array.from(tokens), parents: Int32Array.from(parents), sampling: 'deterministic' };
    },
    observe(feedback: DraftFeedback) {
      const logits = feedback.targetLogits;
      const current = ensureMatrix(logits.columns);
      const { draft, acceptedPath, tokens } = feedback;
      // Committed = before + accepted path + next token, so the root sits just before the path.
      const root = tokens[tokens.length - acceptedPath.length - 2];
      if (logits.rows !== draft.tokens.length + 1) {
        throw new InvalidArgumentError(
          'feedback.targetLogits',
          `token-recycling expected ${draft.tokens.length + 1} rows (root + draft), got ${logits.rows}`,
        );
      }
      // Root first, then nodes in index order: when a token occurs at several nodes, the last one wins.
      current.update(root, matrixRow(logits, 0));
      for (let i = 0; i < draft.tokens.length; i++) current.update(draft.tokens[i], matrixRow(logits, i + 1));
    },
  };
}

interface CompiledTemplate {
  readonly parents: Int32Array;
  readonly ranks: Int32Array;
}

/** Checks a candidate-rank template and turns it into parent indices and per-node ranks. */
export function compileTemplate(template: readonly (readonly number[])[], topK: number): CompiledTemplate {
  const indexOfPath = new Map<string, number>();
  const parents = new Int32Array(template.length);
  const ranks = new Int32Array(template.length);
  template.forEach((path, i) => {
    if (path.length === 0) throw new InvalidArgumentError('treeTemplate', `node ${i} is an empty path`);
    for (const rank of path) {
      if (!Number.isInteger(rank) || rank < 0 || rank >= topK) {
        throw new InvalidArgumentError(
          'treeTemplate',
          `node ${i} [${path}] has rank ${rank}; ranks must be in [0, topK=${topK})`,
        );
      }
    }
    const key = path.join(',');
    if (indexOfPath.has(key)) throw new InvalidArgumentError('treeTemplate', `node [${path}] is listed twice`);
    const parentKey = path.slice(0, -1).join(',');
    const parent = path.length === 1 ? -1 : indexOfPath.get(parentKey);
    if (parent === undefined) {
      throw new InvalidArgumentError(
        'treeTemplate',
        `node [${path}] comes before its parent [${path.slice(0, -1)}]; list parents first`,
      );
    }
    indexOfPath.set(key, i);
    parents[i] = parent;
    ranks[i] = path[path.length - 1];
  });
  return { parents, ranks };
}
