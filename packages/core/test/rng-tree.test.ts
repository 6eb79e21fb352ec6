import { describe, expect, it } from 'vitest';
import {
  ancestorMask,
  compactionIndices,
  createRng,
  firstChildPath,
  isChain,
  isTreePath,
  pathTo,
  rootToLeafPaths,
  treeDepths,
  treePositions,
  validateParents,
} from '../src/index.js';

describe('rng', () => {
  it('is reproducible from its seed and splits into independent streams', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    const child = createRng(42).split();
    const parentAfter = createRng(42);
    parentAfter.nextUint32();
    expect(child.nextUint32()).not.toBe(parentAfter.nextUint32());
    expect(createRng(1).next()).not.toBe(createRng(2).next());
  });
  it('is roughly uniform', () => {
    const rng = createRng(3);
    const bins = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) bins[Math.floor(rng.next() * 10)]++;
    for (const c of bins) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });
});

describe('draft trees', () => {
  // root -> 0 -> 2 -> 4 ; root -> 1 ; 0 -> 3
  const parents = [-1, -1, 0, 0, 2];
  it('derives depths, positions and paths', () => {
    expect(Array.from(treeDepths(parents))).toEqual([1, 1, 2, 2, 3]);
    expect(Array.from(treePositions(parents, 5, 10))).toEqual([10, 10, 11, 11, 12]);
    expect(Array.from(treePositions(undefined, 3, 4))).toEqual([4, 5, 6]);
    expect(pathTo(parents, 4)).toEqual([0, 2, 4]);
    expect(rootToLeafPaths(parents)).toEqual([[1], [0, 3], [0, 2, 4]]);
    expect(firstChildPath(parents)).toEqual([0, 2, 4]);
    expect(Array.from(compactionIndices([0, 2, 4], 10))).toEqual([10, 12, 14]);
  });
  it('builds the ancestor mask', () => {
    const mask = ancestorMask(parents);
    const row = (i: number) => Array.from(mask.subarray(i * 5, i * 5 + 5));
    expect(row(0)).toEqual([1, 0, 0, 0, 0]);
    expect(row(3)).toEqual([1, 0, 0, 1, 0]);
    expect(row(4)).toEqual([1, 0, 1, 0, 1]);
  });
  it('checks paths and parents', () => {
    expect(isTreePath(parents, [0, 2, 4], 5)).toBe(true);
    expect(isTreePath(parents, [0, 4], 5)).toBe(false);
    expect(isTreePath(undefined, [0, 1], 3)).toBe(true);
    expect(isChain([-1, 0, 1])).toBe(true);
    expect(isChain(parents)).toBe(false);
    expect(() => validateParents([-1, 1])).toThrow(/earlier node/);
  });
});
