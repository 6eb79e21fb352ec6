import { describe, expect, it } from 'vitest';
import { sparseTree, treeForSize } from '../src/index.js';

describe('sparse trees (Medusa convention)', () => {
  it('indexes choices in depth order with parents, depths and ranks', () => {
    const tree = sparseTree([[1, 0], [0], [0, 0], [1], [0, 0, 2]], 4, 4);
    expect(tree.choices).toEqual([[0], [1], [0, 0], [1, 0], [0, 0, 2]]);
    expect(Array.from(tree.parents)).toEqual([-1, -1, 0, 1, 2]);
    expect(Array.from(tree.depths)).toEqual([1, 1, 2, 2, 3]);
    expect(Array.from(tree.ranks)).toEqual([0, 1, 0, 0, 2]);
    expect(tree.maxDepth).toBe(3);
  });

  it('rejects a choice without its parent, a rank outside the top-k, too deep or repeated choices', () => {
    expect(() => sparseTree([[0, 1]], 4, 4)).toThrow(/no parent/);
    expect(() => sparseTree([[5]], 4, 4)).toThrow(/outside/);
    expect(() => sparseTree([[0], [0, 0], [0, 0, 0]], 4, 2)).toThrow(/1 to 2 entries/);
    expect(() => sparseTree([[0], [0]], 4, 4)).toThrow(/twice/);
  });

  it('picks the largest stored tree within a size, and a depth-ordered prefix below the smallest', () => {
    const trees = {
      '2': { choices: [[0], [0, 0]], expected_tau: 1.5 },
      '4': { choices: [[0], [1], [0, 0], [0, 0, 0]], expected_tau: 1.7 },
    };
    expect(treeForSize(trees, 3)).toEqual([[0], [0, 0]]);
    expect(treeForSize(trees, 10)).toEqual([[0], [1], [0, 0], [0, 0, 0]]);
    expect(treeForSize(trees, 1)).toEqual([[0]]);
  });
});
