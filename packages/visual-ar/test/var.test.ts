import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, InvalidArgumentError } from '@decodekit/core';
import * as tiny from '@decodekit/models-tiny';
import { chiSquareSurvival } from '@decodekit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateCode,
  generateVar,
  loadMultiScaleVq,
  loadVarModel,
  type MultiScaleVq,
  type VarModel,
  type VarSession,
} from '../src/index.js';

// The VAR directories sit next to imageVq in @decodekit/models-tiny (VISUAL_AR_MODELS overrides the folder).
const root = process.env.VISUAL_AR_MODELS ?? join(tiny.imageVq, '..');
const dirs = {
  vq: join(root, 'image-var-vq'),
  large: join(root, 'image-var-large'),
  small: join(root, 'image-var-small'),
};
let large: VarModel;
let small: VarModel;
let vq: MultiScaleVq;

beforeAll(async () => {
  large = await loadVarModel(dirs.large);
  small = await loadVarModel(dirs.small);
  vq = await loadMultiScaleVq(dirs.vq);
});
afterAll(async () => {
  await large?.dispose();
  await small?.dispose();
  await vq?.dispose();
});

interface VarReference {
  classes: number[];
  labels: string[];
  grids: number[][];
  cfg3: { cfgScale: number; schedule: 'linear'; grids: number[][] };
  code?: { cfgScale: number; splits: Record<string, number[][]> };
}
const readReference = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'reference-greedy.json'), 'utf8')) as VarReference;

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

describe('residual accumulation between scales (float32, as torch computes it)', () => {
  it('f̂, the next-scale inputs and the decoded images equal the torch reference of two real test images', async () => {
    const ref = JSON.parse(readFileSync(join(dirs.vq, 'reference-residual.json'), 'utf8')) as {
      codes: number[][];
      fHat: number[][];
      nextInputs: number[][];
      images: number[][];
    };
    const { schedule } = vq;
    for (const [n, codes] of ref.codes.entries()) {
      expect(maxDiff(vq.reconstruct(codes), ref.fHat[n])).toBeLessThan(1e-6);
      const state = vq.start();
      const inputs: number[] = [];
      for (let k = 0; k < schedule.scales.length - 1; k++) {
        vq.addScale(state, codes.slice(schedule.begin[k], schedule.begin[k] + schedule.sizes[k]));
        inputs.push(...vq.nextInput(state));
      }
      expect(maxDiff(inputs, ref.nextInputs[n])).toBeLessThan(1e-6);
    }
    const images = await vq.decode(ref.codes);
    expect(maxDiff(images.data, ref.images.flat())).toBeLessThan(1e-4);
  });
});

describe('VAR and CoDe on the tiny VAR models', () => {
  it('greedy VAR (top-k 1) reproduces the torch reference grids exactly, CFG 1 and CFG 3 (linear ramp)', async () => {
    for (const [model, dir] of [
      [large, dirs.large],
      [small, dirs.small],
    ] as const) {
      const ref = readReference(dir);
      expect(ref.grids.length).toBeGreaterThan(0);
      for (const [n, classIndex] of ref.classes.entries()) {
        const plain = await generateVar(model, vq, { classIndex, sampling: { topK: 1 } });
        expect(Array.from(plain.tokens)).toEqual(ref.grids[n]);
        expect(plain.forwardSteps).toBe(6);
        expect(plain.modelTokens).toEqual([130]);
        const guided = await generateVar(model, vq, {
          classIndex,
          sampling: { topK: 1 },
          guidance: { scale: ref.cfg3.cfgScale, schedule: 'linear' },
        });
        expect(Array.from(guided.tokens)).toEqual(ref.cfg3.grids[n]);
      }
    }
  });

  it('greedy CoDe (large drafter, small refiner) reproduces the torch reference at splits 1, 3, 5', async () => {
    const ref = readReference(dirs.large);
    expect(ref.code).toBeDefined();
    for (const [split, grids] of Object.entries(ref.code?.splits ?? {})) {
      for (const [n, classIndex] of ref.classes.entries()) {
        const image = await generateCode(large, small, vq, {
          classIndex,
          split: Number(split),
          sampling: { topK: 1 },
          guidance: { scale: ref.code?.cfgScale ?? 3 },
        });
        expect(Array.from(image.tokens)).toEqual(grids[n]);
        const begin = vq.schedule.begin[Number(split)];
        // the drafter runs the first `split` scales, the refiner re-encodes them and runs the rest
        expect(image.modelTokens).toEqual([begin, 130]);
      }
    }
  });

  it('CoDe with the same model as drafter and refiner equals plain VAR for every split (same seed, sampled)', async () => {
    for (const model of [large, small]) {
      for (let seed = 0; seed < 3; seed++) {
        const options = {
          classIndex: (seed * 7 + 3) % 36,
          guidance: { scale: 3 },
          sampling: { temperature: 1, topP: 0.95 },
        };
        const plain = await generateVar(model, vq, { ...options, rng: createRng(seed) });
        for (let split = 1; split <= 5; split++) {
          const code = await generateCode(model, model, vq, { ...options, split, rng: createRng(seed) });
          expect(Array.from(code.tokens)).toEqual(Array.from(plain.tokens));
        }
      }
    }
  });

  it('CoDe holds less KV cache than VAR-large (the drafter only caches the small scales)', async () => {
    const plain = await generateVar(large, vq, { classIndex: 4, seed: 1, guidance: { scale: 2 } });
    const code = await generateCode(large, small, vq, { classIndex: 4, seed: 1, guidance: { scale: 2 }, split: 4 });
    expect(code.peakCacheBytes).toBeLessThan(plain.peakCacheBytes);
    const c = large.config;
    // VAR-large's peak: all 130 positions, 2 branches, key + value per layer
    expect(plain.peakCacheBytes).toBe(130 * 2 * 2 * c.numLayers * c.numHeads * c.headDim * 4);
  });

  it('validates the split and the class', async () => {
    await expect(generateCode(large, small, vq, { classIndex: 0, split: 0 })).rejects.toThrow(InvalidArgumentError);
    await expect(generateCode(large, small, vq, { classIndex: 0, split: 6 })).rejects.toThrow(InvalidArgumentError);
    await expect(generateVar(large, vq, { classIndex: 36 })).rejects.toThrow(InvalidArgumentError);
  });
});

describe('sampling law of generateVar (a mock transformer with fixed logits, the real VQ)', () => {
  // Conditional and unconditional logits over the first 6 codes (the rest far below): every token of scale k is
  // an independent draw from softmax(z_u + s_k (z_c − z_u)), s_k = 1 + (3 − 1) k / 5 under the default linear ramp.
  const zc = [2, 1.5, 1, 0.5, 0, -0.5];
  const zu = [0, 1, 0.5, 1, 0.5, 0];
  const mock = (): VarModel => {
    const config = { ...large.config };
    return {
      name: 'mock',
      config,
      open(batch: number): VarSession {
        let length = 0;
        return {
          batch,
          get length() {
            return length;
          },
          cacheBytes: 0,
          async step(input) {
            const S = input.positions.length;
            const K = config.codebookSize;
            const out = new Float32Array(batch * S * K).fill(-40);
            for (let b = 0; b < batch; b++) {
              const z = input.classIds[b] === config.nullClass ? zu : zc;
              for (let p = 0; p < S; p++) out.set(z, (b * S + p) * K);
            }
            length += S;
            return out;
          },
          dispose() {},
        };
      },
      async dispose() {},
    };
  };

  it('draws every scale from the guided softmax with the linear CFG ramp (chi-square, 120 images)', async () => {
    const model = mock();
    const rng = createRng(11);
    const counts = vq.schedule.scales.map(() => new Array(6).fill(0));
    for (let n = 0; n < 120; n++) {
      const image = await generateVar(model, vq, { classIndex: 3, guidance: { scale: 3 }, rng: rng.split() });
      vq.schedule.levels.forEach((k, position) => {
        counts[k][image.tokens[position]]++;
      });
    }
    for (const k of [2, 4, 5]) {
      const s = 1 + (2 * k) / 5;
      const z = zc.map((c, v) => zu[v] + s * (c - zu[v]));
      const max = Math.max(...z);
      const e = z.map((v) => Math.exp(v - max));
      const total = counts[k].reduce((a: number, b: number) => a + b, 0);
      const sum = e.reduce((a, b) => a + b, 0);
      let statistic = 0;
      e.forEach((v, i) => {
        const expected = (total * v) / sum;
        statistic += (counts[k][i] - expected) ** 2 / expected;
      });
      expect(chiSquareSurvival(statistic, 5)).toBeGreaterThan(1e-3);
    }
    // scale 0 is unguided (s = 1): the conditional softmax, whose top code has probability ~0.35
    expect(counts[0][0] / 120).toBeGreaterThan(0.2);
  });
});
