import { InvalidArgumentError } from './errors.js';

/**
 * Draft trees are flat arrays: `parents[i]` is the index of node i's parent, or -1 for a node
 * attached to the root (the last committed token). Parents always come before their children.
 */

/** Checks the flat-tree invariants; throws `InvalidArgumentError` naming `what` otherwise. */
export function validateParents(parents: ArrayLike<number>, what = 'parents'): void {
  for (let i = 0; i < parents.length; i++) {
    const p = parents[i];
    if (!Number.isInteger(p) || p < -1 || p >= i) {
      throw new InvalidArgumentError(
        what,
        `node ${i} has parent ${p}; a parent must be -1 (the root) or an earlier node index`,
      );
    }
  }
}

/** True when the tree is a single chain 0 <- 1 <- 2 ... (parents = [-1, 0, 1, ...]). */
export function isChain(parents: ArrayLike<number> | undefined): boolean {
  if (!parents) return true;
  for (let i = 0; i < parents.length; i++) if (parents[i] !== i - 1) return false;
  return true;
}

/** Depth of every node: 1 for children of the root, 2 for their children, ... */
export function treeDepths(parents: ArrayLike<number>): Int32Array {
  const depths = new Int32Array(parents.length);
  for (let i = 0; i < parents.length; i++) depths[i] = parents[i] < 0 ? 1 : depths[parents[i]] + 1;
  return depths;
}

/** Position ids of the block's tokens when the block follows `prefixLength` cached tokens. */
export function treePositions(parents: ArrayLike<number> | undefined, count: number, prefixLength: number): Int32Array {
  const positions = new Int32Array(count);
  if (!parents) {
    for (let i = 0; i < count; i++) positions[i] = prefixLength + i;
    return positions;
  }
  const depths = treeDepths(parents);
  for (let i = 0; i < count; i++) positions[i] = prefixLength + depths[i] - 1;
  return positions;
}

/**
 * Ancestor mask of the block: `mask[i * n + j] = 1` when node j is node i itself or one of its
 * ancestors (so token i may attend to token j). Row-major `n x n`.
 */
export function ancestorMask(parents: ArrayLike<number>): Uint8Array {
  const n = parents.length;
  const mask = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    mask[i * n + i] = 1;
    const p = parents[i];
    if (p >= 0) {
      // Parents come first, so the parent's row is already complete: copy it.
      const row = i * n;
      const parentRow = p * n;
      for (let j = 0; j <= p; j++) if (mask[parentRow + j]) mask[row + j] = 1;
    }
  }
  return mask;
}

/** Indices of the nodes that have no children. */
export function treeLeaves(parents: ArrayLike<number>): number[] {
  const hasChild = new Uint8Array(parents.length);
  for (let i = 0; i < parents.length; i++) if (parents[i] >= 0) hasChild[parents[i]] = 1;
  const leaves: number[] = [];
  for (let i = 0; i < parents.length; i++) if (!hasChild[i]) leaves.push(i);
  return leaves;
}

/** The path from the root's child down to `node` (inclusive), as node indices. */
export function pathTo(parents: ArrayLike<number>, node: number): number[] {
  const path: number[] = [];
  for (let i = node; i >= 0; i = parents[i]) path.push(i);
  return path.reverse();
}

/** Every root-to-leaf path, in leaf order (the Medusa `retrieve_indices`, without padding). */
export function rootToLeafPaths(parents: ArrayLike<number>): number[][] {
  return treeLeaves(parents).map((leaf) => pathTo(parents, leaf));
}

/** Children of each node and of the root (`children(-1)`), in index order. */
export function treeChildren(parents: ArrayLike<number>): (node: number) => readonly number[] {
  const rootChildren: number[] = [];
  const lists: number[][] = Array.from({ length: parents.length }, () => []);
  for (let i = 0; i < parents.length; i++) (parents[i] < 0 ? rootChildren : lists[parents[i]]).push(i);
  return (node: number) => (node < 0 ? rootChildren : lists[node]);
}

/**
 * KV compaction indices after accepting `path` of a block that starts at `prefixLength`:
 * `sourcePositions[k]` is the cache position to copy into position `prefixLength + k`.
 * For a chain prefix these are the identity, and a plain truncation suffices.
 */
export function compactionIndices(path: ArrayLike<number>, prefixLength: number): Int32Array {
  const out = new Int32Array(path.length);
  for (let k = 0; k < path.length; k++) out[k] = prefixLength + path[k];
  return out;
}

/** Checks that `path` is a root-to-node path of the tree (each node the parent of the next). */
export function isTreePath(parents: ArrayLike<number> | undefined, path: ArrayLike<number>, count: number): boolean {
  let previous = -1;
  for (let k = 0; k < path.length; k++) {
    const node = path[k];
    if (!Number.isInteger(node) || node < 0 || node >= count) return false;
    const parent = parents ? parents[node] : node - 1;
    if (parent !== previous) return false;
    previous = node;
  }
  return true;
}

/**
 * The path a chain-only model verifies for a tree draft: from the root, always the first child.
 * Drafters list the most likely child first, so this is their best guess.
 */
export function firstChildPath(parents: ArrayLike<number>): number[] {
  const children = treeChildren(parents);
  const path: number[] = [];
  let node = -1;
  for (;;) {
    const next = children(node);
    if (next.length === 0) return path;
    node = next[0];
    path.push(node);
  }
}
