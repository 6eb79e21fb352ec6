import { InvalidArgumentError } from '@decodekit/core';
import type { HeadTree } from './onnx-heads.js';

/**
 * A sparse tree in Medusa's convention: node i is the path of child ranks `choices[i]` from the
 * root, sorted by depth then lexicographically (so every parent comes before its children).
 */
export interface SparseTree {
  readonly choices: readonly (readonly number[])[];
  /** `parents[i]`: index of node i's parent, -1 under the root. */
  readonly parents: Int32Array;
  /** `depths[i]`: 1 for children of the root. */
  readonly depths: Int32Array;
  /** `ranks[i]`: the last entry of `choices[i]` (which of its parent's top-k tokens node i takes). */
  readonly ranks: Int32Array;
  readonly maxDepth: number;
}

function compare(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * Checks and indexes a list of choices: every prefix of a choice must be a choice, ranks must be
 * integers in `[0, topK)`, depths at most `maxDepth`.
 */
export function sparseTree(choices: readonly (readonly number[])[], topK: number, maxDepth: number): SparseTree {
  const sorted = [...choices].map((c) => [...c]).sort(compare);
  const index = new Map<string, number>();
  const parents = new Int32Array(sorted.length);
  const depths = new Int32Array(sorted.length);
  const ranks = new Int32Array(sorted.length);
  let deepest = 0;
  sorted.forEach((path, i) => {
    if (path.length === 0 || path.length > maxDepth) {
      throw new InvalidArgumentError('tree', `choice [${path}] must have 1 to ${maxDepth} entries (one per head)`);
    }
    for (const rank of path) {
      if (!Number.isInteger(rank) || rank < 0 || rank >= topK) {
        throw new InvalidArgumentError('tree', `choice [${path}] has rank ${rank}, outside [0, ${topK})`);
      }
    }
    const key = path.join(',');
    if (index.has(key)) throw new InvalidArgumentError('tree', `choice [${path}] is listed twice`);
    const parentKey = path.slice(0, -1).join(',');
    const parent = path.length === 1 ? -1 : index.get(parentKey);
    if (parent === undefined) {
      throw new InvalidArgumentError('tree', `choice [${path}] has no parent [${path.slice(0, -1)}] in the tree`);
    }
    index.set(key, i);
    parents[i] = parent;
    depths[i] = path.length;
    ranks[i] = path[path.length - 1];
    deepest = Math.max(deepest, path.length);
  });
  return { choices: sorted, parents, depths, ranks, maxDepth: deepest };
}

/**
 * The tree for a node budget: the largest of the validation-chosen `trees` with at most `size`
 * nodes; below the smallest, that tree's first `size` nodes in depth order (still prefix-closed).
 */
export function treeForSize(trees: Readonly<Record<string, HeadTree>>, size: number): (readonly number[])[] {
  const sizes = Object.keys(trees)
    .map(Number)
    .filter((s) => Number.isInteger(s) && s > 0)
    .sort((a, b) => a - b);
  if (sizes.length === 0) throw new InvalidArgumentError('tree', 'the heads manifest has no trees');
  const fitting = sizes.filter((s) => s <= size);
  if (fitting.length > 0) return trees[String(fitting[fitting.length - 1])].choices.map((c) => [...c]);
  return [...trees[String(sizes[0])].choices]
    .map((c) => [...c])
    .sort(compare)
    .slice(0, Math.max(0, size));
}

/** The first `count` nodes of a tree (prefix-closed: nodes are in depth order). */
export function truncateTree(tree: SparseTree, count: number): SparseTree {
  if (count >= tree.choices.length) return tree;
  const n = Math.max(0, count);
  const depths = tree.depths.slice(0, n);
  return {
    choices: tree.choices.slice(0, n),
    parents: tree.parents.slice(0, n),
    depths,
    ranks: tree.ranks.slice(0, n),
    maxDepth: depths.reduce((a, b) => Math.max(a, b), 0),
  };
}
