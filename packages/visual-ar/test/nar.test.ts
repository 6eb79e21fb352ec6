import { describe, expect, it } from 'vitest';
import {
  diagonalCells,
  generateNar,
  headSources,
  type NarModel,
  type NarStepInput,
  narSchedule,
  proximityMask,
} from '../src/index.js';
import { toyLayout } from './toy.js';

describe('NAR schedule', () => {
  it('has H + W − 1 steps; step d holds exactly the cells with i + j = d; the union covers the grid once', () => {
    for (const [h, w] of [
      [8, 8],
      [3, 5],
      [1, 4],
      [16, 16],
    ]) {
      const schedule = narSchedule(h, w);
      expect(schedule).toHaveLength(h + w - 1);
      const seen = new Set<number>();
      schedule.forEach((cells, d) => {
        for (const { i, j } of cells) {
          expect(i + j).toBe(d);
          expect(i >= 0 && i < h && j >= 0 && j < w).toBe(true);
          seen.add(i * w + j);
        }
        for (let k = 1; k < cells.length; k++) expect(cells[k].i).toBeGreaterThan(cells[k - 1].i);
      });
      expect(seen.size).toBe(h * w);
      expect(schedule.flat()).toHaveLength(h * w);
    }
    expect(narSchedule(16, 16)).toHaveLength(31);
    expect(narSchedule(8, 8).map((cells) => cells.length)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('feeds each cell of a 3×3 grid from the right head of its left neighbour and the below head of its upper one', () => {
    // Hand-computed: input diagonal d−1 rows ascending; R = index of (i, j−1), B = index of (i−1, j).
    const table = [0, 1, 2, 3, 4].map((d) => headSources(3, 3, d).map((s) => [s.cell.i, s.cell.j, s.right, s.below]));
    expect(table).toEqual([
      [[0, 0, 0, 0]],
      [
        [0, 1, 0, -1],
        [1, 0, -1, 0],
      ],
      [
        [0, 2, 0, -1],
        [1, 1, 1, 0],
        [2, 0, -1, 1],
      ],
      [
        [1, 2, 1, 0],
        [2, 1, 2, 1],
      ],
      [[2, 2, 1, 0]],
    ]);
    // The digest's form: first = R[0] while growing, middle = (B[:-1] + R[1:]) / 2, last = B[-1] while growing.
    for (const d of [1, 2, 3, 4]) {
      const sources = headSources(3, 3, d);
      const inputSize = diagonalCells(3, 3, d - 1).length;
      const growing = d < 3;
      const middle = sources.slice(growing ? 1 : 0, growing ? -1 : undefined);
      middle.forEach((s, m) => {
        expect(s.below).toBe(m);
        expect(s.right).toBe(m + 1);
      });
      if (growing) {
        expect(sources[0].right).toBe(0);
        expect(sources[0].below).toBe(-1);
        expect(sources.at(-1)?.below).toBe(inputSize - 1);
        expect(sources.at(-1)?.right).toBe(-1);
      }
    }
  });

  it('proximity mask: mask[a, b] = 1 iff dist(b) ≤ dist(a); the class token sees itself only', () => {
    const w = 4;
    const dists = [-1];
    for (let k = 0; k < 16; k++) dists.push(Math.floor(k / w) + (k % w));
    const mask = proximityMask(dists);
    const n = dists.length;
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) expect(mask[a * n + b]).toBe(dists[b] <= dists[a] ? 1 : 0);
    expect(Array.from(mask.subarray(0, n)).reduce((s, v) => s + v, 0)).toBe(1);
    for (let a = 0; a < n; a++) expect(mask[a * n]).toBe(1);
    // Decoding with a cache: every cached token and every token of the fed diagonal is visible.
    const fed = [2, 2, 2];
    expect(Array.from(proximityMask([-1, 0, 1, 1, ...fed], fed)).every((v) => v === 1)).toBe(true);
  });
});

/**
 * A mock NAR model: the right head at cell (i, j) puts logit 10 on target(i, j+1), the below head on
 * target(i+1, j), the class token's heads on target(0, 0). Greedy NAR must then reproduce `target`
 * exactly, which only happens if every cell reads the right head of the right input. It also
 * checks the positions and mask of every step.
 */
function mockNar(codebook: number, target: (i: number, j: number) => number, log: NarStepInput[]): NarModel {
  return {
    name: 'mock-nar',
    vocabSize: codebook + 3,
    outputSize: codebook,
    open(batch) {
      let length = 0;
      return {
        batch,
        get length() {
          return length;
        },
        async step(input) {
          log.push(input);
          const s = input.rowIds.length;
          const right = new Float32Array(batch * s * codebook);
          const below = new Float32Array(batch * s * codebook);
          for (let b = 0; b < batch; b++) {
            for (let t = 0; t < s; t++) {
              const i = input.rowIds[t] - 1;
              const j = input.colIds[t] - 1;
              const base = (b * s + t) * codebook;
              // The unconditional row (b = 1) prefers token 0 everywhere: CFG must push away from it.
              if (i < 0) {
                right[base + target(0, 0)] = 10;
                below[base + target(0, 0)] = 10;
              } else {
                right[base + target(i, j + 1)] = 10;
                below[base + target(i + 1, j)] = 10;
              }
              if (b === 1) {
                right[base] += 3;
                below[base] += 3;
              }
            }
          }
          length += s;
          return { right, below };
        },
        dispose() {},
      };
    },
    async dispose() {},
  };
}

describe('generateNar', () => {
  const layout = toyLayout(32, [5, 4]);
  const target = (i: number, j: number) => (7 * i + 3 * j + 1) % 32;

  it('greedy NAR reproduces the head-encoded grid in H + W − 1 steps, feeding diagonals with 2-D positions', async () => {
    const log: NarStepInput[] = [];
    const image = await generateNar(mockNar(32, target, log), { layout, classIndex: 1, sampling: { topK: 1 } });
    const expected = Array.from({ length: 20 }, (_, k) => target(Math.floor(k / 4), k % 4));
    expect(Array.from(image.tokens)).toEqual(expected);
    expect(image.forwardSteps).toBe(8);
    expect(image.cellsPerStep).toEqual([1, 2, 3, 4, 4, 3, 2, 1]);
    expect(log).toHaveLength(8);
    expect(Array.from(log[0].tokens[0])).toEqual([32 + 1]);
    let cached = 0;
    log.forEach((input, d) => {
      const s = input.rowIds.length;
      expect(Array.from(input.mask).every((v) => v === 1)).toBe(true);
      expect(input.mask.length).toBe(s * (cached + s));
      if (d > 0) {
        const cells = diagonalCells(5, 4, d - 1);
        expect(Array.from(input.rowIds)).toEqual(cells.map((c) => c.i + 1));
        expect(Array.from(input.colIds)).toEqual(cells.map((c) => c.j + 1));
        expect(Array.from(input.tokens[0])).toEqual(cells.map((c) => target(c.i, c.j)));
      }
      cached += s;
    });
    expect(image.modelTokens).toBe(1 + 20 - 1);
  });

  it('runs the CFG pair as a batch of 2 with the null token, and guidance overrides the unconditional preference', async () => {
    const log: NarStepInput[] = [];
    const image = await generateNar(mockNar(32, target, log), {
      layout,
      classIndex: 0,
      sampling: { topK: 1 },
      guidance: { scale: 2 },
    });
    expect(log[0].tokens.map((row) => Array.from(row))).toEqual([[32], [34]]);
    expect(Array.from(image.tokens)).toEqual(Array.from({ length: 20 }, (_, k) => target(Math.floor(k / 4), k % 4)));
  });

  it('samples within top-k and the codebook', async () => {
    const image = await generateNar(mockNar(32, target, []), {
      layout,
      classIndex: 0,
      seed: 5,
      sampling: { topK: 2, temperature: 1 },
    });
    for (const t of image.tokens) expect(t >= 0 && t < 32).toBe(true);
  });
});
