import type { Draft } from '@decodekit/core';

/**
 * A trie of candidate continuations after the draft root, with a weight per node (how many
 * continuations, or how much score, passed through it). Several drafters (PLD with several
 * matches, REST, ADED, the lookahead pool) merge their candidates here so shared prefixes become
 * one branch, then keep the heaviest nodes as the draft tree.
 * @internal
 */
export class ContinuationTrie {
  /** Token of each node; node 0 is the root (no token). */
  private readonly tokens: number[] = [-1];
  private readonly parents: number[] = [-1];
  private readonly weights: number[] = [0];
  private readonly children: (Map<number, number> | undefined)[] = [undefined];

  /** Number of nodes besides the root. */
  get size(): number {
    return this.tokens.length - 1;
  }

  /**
   * Adds `tokens[from..to)` as a path from the root, adding `weight` to every node on it.
   * Returns how many new nodes the path created (0: it was already a prefix of the trie).
   */
  insert(tokens: ArrayLike<number>, from = 0, to = tokens.length, weight = 1): number {
    let node = 0;
    let created = 0;
    for (let i = from; i < to; i++) {
      const token = tokens[i];
      let map = this.children[node];
      if (!map) {
        map = new Map();
        this.children[node] = map;
      }
      let child = map.get(token);
      if (child === undefined) {
        child = this.tokens.length;
        this.tokens.push(token);
        this.parents.push(node);
        this.weights.push(0);
        this.children.push(undefined);
        map.set(token, child);
        created++;
      }
      this.weights[child] += weight;
      node = child;
    }
    return created;
  }

  /**
   * The `maxNodes` heaviest nodes as a deterministic draft tree. Selection is best-first from the
   * root (heaviest frontier node next, the earlier-created one on ties), so parents come before
   * children and, among siblings, the heaviest child gets the lowest index: the loop's chain-only
   * fallback, which follows first children, walks the most likely continuation. Weights must not
   * grow from a node to its children (true when every insert adds the same weight along its path).
   */
  toDraft(maxNodes: number): Draft {
    const limit = Math.max(0, Math.min(maxNodes, this.size));
    const draftTokens = new Int32Array(limit);
    const draftParents = new Int32Array(limit);
    if (limit === 0) return { tokens: draftTokens, parents: draftParents, sampling: 'deterministic' };
    const indexInDraft = new Int32Array(this.tokens.length).fill(-1);
    const heap = new MaxHeap(
      (a, b) => this.weights[a] > this.weights[b] || (this.weights[a] === this.weights[b] && a < b),
    );
    for (const child of this.children[0]?.values() ?? []) heap.push(child);
    let count = 0;
    while (count < limit && heap.size > 0) {
      const node = heap.pop();
      draftTokens[count] = this.tokens[node];
      const parent = this.parents[node];
      draftParents[count] = parent === 0 ? -1 : indexInDraft[parent];
      indexInDraft[node] = count++;
      for (const child of this.children[node]?.values() ?? []) heap.push(child);
    }
    return { tokens: draftTokens, parents: draftParents, sampling: 'deterministic' };
  }
}

/** A binary max-heap of node ids under a strict "a before b" order. @internal */
export class MaxHeap {
  private readonly items: number[] = [];
  constructor(private readonly before: (a: number, b: number) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  push(item: number): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): number {
    const items = this.items;
    const top = items[0];
    const last = items.pop() as number;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let best = i;
        if (left < items.length && this.before(items[left], items[best])) best = left;
        if (right < items.length && this.before(items[right], items[best])) best = right;
        if (best === i) break;
        [items[i], items[best]] = [items[best], items[i]];
        i = best;
      }
    }
    return top;
  }
}
