import { createRng } from '@decodekit/core';
import { loadModel, type OnnxCausalLM } from '@decodekit/runtime-onnx';
import { chiSquareSurvival } from '@decodekit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodePng,
  generateNar,
  generateRaster,
  generateSjd,
  type ImageConfigFile,
  type ImageJudge,
  imageGrid,
  loadImageJudge,
  loadNarModel,
  loadVqDecoder,
  type NarModel,
  narSchedule,
  proximityMask,
  readImageLayout,
  type VqDecoder,
} from '../src/index.js';
import { imageModelDirs, readReference } from './real-models.js';

const dirs = imageModelDirs();
let ar: OnnxCausalLM;
let nar: NarModel;
let vq: VqDecoder;
let judge: ImageJudge;
let arLayout: ImageConfigFile;
let narLayout: ImageConfigFile;

beforeAll(async () => {
  ar = await loadModel(dirs.ar, { intraOpNumThreads: 1 });
  nar = await loadNarModel(dirs.nar);
  vq = await loadVqDecoder(dirs.vq);
  judge = await loadImageJudge(dirs.classifier);
  arLayout = await readImageLayout(dirs.ar);
  narLayout = await readImageLayout(dirs.nar);
});
afterAll(async () => {
  await ar?.dispose();
  await nar?.dispose();
  await vq?.dispose();
  await judge?.dispose();
});

describe('the tiny image models', () => {
  it('greedy raster AR (top-k 1, CFG 1) reproduces the torch reference grids exactly', async () => {
    const reference = readReference(dirs.ar);
    expect(reference.grids.length).toBeGreaterThan(0);
    for (const [n, classIndex] of reference.classes.entries()) {
      const image = await generateRaster(ar, { layout: arLayout, classIndex, sampling: { topK: 1 } });
      expect(Array.from(image.tokens)).toEqual(reference.grids[n]);
      expect(image.forwardSteps).toBe(64);
    }
  });

  it('greedy NAR (top-k 1, CFG 1) reproduces the torch reference grids exactly in H + W − 1 = 15 steps', async () => {
    const reference = readReference(dirs.nar);
    for (const [n, classIndex] of reference.classes.entries()) {
      const image = await generateNar(nar, { layout: narLayout, classIndex, sampling: { topK: 1 } });
      expect(Array.from(image.tokens)).toEqual(reference.grids[n]);
      expect(image.forwardSteps).toBe(15);
    }
  });

  it('greedy raster AR and NAR with CFG 3 (batched cond/uncond pair) reproduce the torch grids exactly', async () => {
    const arReference = readReference(dirs.ar);
    const narReference = readReference(dirs.nar);
    expect(arReference.cfg3?.grids.length).toBe(arReference.classes.length);
    expect(narReference.cfg3?.grids.length).toBe(narReference.classes.length);
    for (const [n, classIndex] of arReference.classes.entries()) {
      const guidance = { scale: arReference.cfg3?.cfgScale ?? 3 };
      const image = await generateRaster(ar, { layout: arLayout, classIndex, sampling: { topK: 1 }, guidance });
      expect(Array.from(image.tokens)).toEqual(arReference.cfg3?.grids[n]);
      // SJD is greedy-exact with guidance too.
      const sjd = await generateSjd(ar, { layout: arLayout, classIndex, sampling: { topK: 1 }, guidance, window: 8 });
      expect(Array.from(sjd.tokens)).toEqual(arReference.cfg3?.grids[n]);
    }
    for (const [n, classIndex] of narReference.classes.entries()) {
      const guidance = { scale: narReference.cfg3?.cfgScale ?? 3 };
      const image = await generateNar(nar, { layout: narLayout, classIndex, sampling: { topK: 1 }, guidance });
      expect(Array.from(image.tokens)).toEqual(narReference.cfg3?.grids[n]);
    }
  });

  it('SJD with window 1 draws exactly the raster tokens; greedy SJD equals greedy raster', async () => {
    for (const seed of [1, 2]) {
      const options = { layout: arLayout, classIndex: seed * 7, seed, guidance: { scale: 2 }, sampling: { topK: 100 } };
      const raster = await generateRaster(ar, options);
      const sjd = await generateSjd(ar, { ...options, window: 1 });
      expect(Array.from(sjd.tokens)).toEqual(Array.from(raster.tokens));
    }
    for (const classIndex of [3, 20]) {
      const greedy = { layout: arLayout, classIndex, sampling: { topK: 1 }, guidance: { scale: 2 } };
      const raster = await generateRaster(ar, greedy);
      const sjd = await generateSjd(ar, { ...greedy, window: 8 });
      expect(Array.from(sjd.tokens)).toEqual(Array.from(raster.tokens));
      expect(sjd.forwardSteps).toBeLessThanOrEqual(64);
    }
  });

  it('SJD samples the raster law on the real model: per-position marginals (two-sample chi-square) and class accuracy', async () => {
    // Small, to keep the suite fast: the rigorous law test is the toy chi-square; the bench scores 200+ images.
    // CFG 1 here (one branch, half the time): the guided law is covered by the toy chi-square (CFG 2) and by
    // the window-1 equality above (CFG 2).
    const count = 24;
    const settings = { layout: arLayout, guidance: { scale: 1 }, sampling: { topK: 8 } };
    const rasterRng = createRng(100);
    const sjdRng = createRng(200);
    const raster: Int32Array[] = [];
    const sjd: Int32Array[] = [];
    const labels: number[] = [];
    let sjdSteps = 0;
    for (let n = 0; n < count; n++) {
      const classIndex = n % 4;
      labels.push(classIndex);
      raster.push((await generateRaster(ar, { ...settings, classIndex, rng: rasterRng })).tokens);
      const image = await generateSjd(ar, { ...settings, classIndex, rng: sjdRng, window: 8 });
      sjd.push(image.tokens);
      sjdSteps += image.forwardSteps;
    }
    // Per position: two-sample chi-square on code counts, codes seen fewer than 8 times pooled.
    let smallest = 1;
    for (let k = 0; k < 64; k++) {
      const a = new Map<number, number>();
      const b = new Map<number, number>();
      for (let n = 0; n < count; n++) {
        a.set(raster[n][k], (a.get(raster[n][k]) ?? 0) + 1);
        b.set(sjd[n][k], (b.get(sjd[n][k]) ?? 0) + 1);
      }
      const cells: [number, number][] = [];
      let pooled: [number, number] = [0, 0];
      for (const code of new Set([...a.keys(), ...b.keys()])) {
        const cell: [number, number] = [a.get(code) ?? 0, b.get(code) ?? 0];
        if (cell[0] + cell[1] < 8) pooled = [pooled[0] + cell[0], pooled[1] + cell[1]];
        else cells.push(cell);
      }
      if (pooled[0] + pooled[1] > 0) cells.push(pooled);
      if (cells.length < 2) continue;
      let statistic = 0;
      for (const [x, y] of cells) {
        const expected = (x + y) / 2; // equal sample sizes
        statistic += (x - expected) ** 2 / expected + (y - expected) ** 2 / expected;
      }
      smallest = Math.min(smallest, chiSquareSurvival(statistic, cells.length - 1));
    }
    expect(smallest).toBeGreaterThan(0.001 / 64); // Bonferroni over the 64 positions
    expect(sjdSteps / count).toBeLessThanOrEqual(64);
    // Class accuracy of the decoded images: the two proportions agree (two-proportion z-test).
    const rasterQuality = await judge.evaluate(await vq.decode(raster), labels);
    const sjdQuality = await judge.evaluate(await vq.decode(sjd), labels);
    const p = (rasterQuality.classAccuracy + sjdQuality.classAccuracy) / 2;
    const se = Math.sqrt((2 * p * (1 - p)) / count) || 1;
    expect(Math.abs(rasterQuality.classAccuracy - sjdQuality.classAccuracy) / se).toBeLessThan(3.5);
    expect(Number.isFinite(sjdQuality.frechetDistance)).toBe(true);
  });

  it('NAR: the proximity-masked full sequence gives the same head logits as diagonal-by-diagonal decoding', async () => {
    const image = await generateNar(nar, { layout: narLayout, classIndex: 5, seed: 1, sampling: { topK: 16 } });
    const [h, w] = narLayout.grid;
    const classToken = narLayout.classTokenOffset + 5;
    // Full recompute: [class, cells in raster order] with the training-time proximity mask.
    const dists = [-1, ...Array.from({ length: h * w }, (_, k) => Math.floor(k / w) + (k % w))];
    const full = nar.open(1);
    const all = await full.step({
      tokens: [[classToken, ...image.tokens]],
      rowIds: [0, ...Array.from({ length: h * w }, (_, k) => Math.floor(k / w) + 1)],
      colIds: [0, ...Array.from({ length: h * w }, (_, k) => (k % w) + 1)],
      mask: proximityMask(dists),
    });
    full.dispose();
    // Cached: the class token, then each diagonal with an all-ones mask over cache + diagonal.
    const cached = nar.open(1);
    const size = nar.outputSize;
    let worst = 0;
    const compare = (out: { right: Float32Array; below: Float32Array }, s: number, fullIndex: number) => {
      for (let v = 0; v < size; v++) {
        worst = Math.max(worst, Math.abs(out.right[s * size + v] - all.right[fullIndex * size + v]));
        worst = Math.max(worst, Math.abs(out.below[s * size + v] - all.below[fullIndex * size + v]));
      }
    };
    compare(await cached.step({ tokens: [[classToken]], rowIds: [0], colIds: [0], mask: Uint8Array.of(1) }), 0, 0);
    for (let d = 0; d < h + w - 2; d++) {
      const cells = narSchedule(h, w)[d];
      const out = await cached.step({
        tokens: [cells.map((c) => image.tokens[c.i * w + c.j])],
        rowIds: cells.map((c) => c.i + 1),
        colIds: cells.map((c) => c.j + 1),
        mask: new Uint8Array(cells.length * (cached.length + cells.length)).fill(1),
      });
      for (const [s, c] of cells.entries()) compare(out, s, 1 + c.i * w + c.j);
    }
    cached.dispose();
    expect(worst).toBeLessThan(1e-3);
  });

  it('decodes tokens to 32×32 RGBA images and a PNG grid', async () => {
    const image = await generateNar(nar, { layout: narLayout, classIndex: 10, seed: 3, sampling: { topK: 32 } });
    const floats = await vq.decode([image.tokens]);
    expect(floats.data.length).toBe(3 * 32 * 32);
    for (const v of floats.data) expect(v >= 0 && v <= 1).toBe(true);
    const [rgba] = await vq.decodeRgba([image.tokens]);
    expect([rgba.width, rgba.height]).toEqual([32, 32]);
    const png = encodePng(imageGrid([rgba, rgba], { scale: 2 }));
    expect(Array.from(png.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]);
    await expect(vq.decode([new Int32Array(5)])).rejects.toThrow(/64/);
  });

  it('the judge has the reference statistics and scores a batch', async () => {
    expect(judge.classes).toHaveLength(arLayout.numClasses);
    const reference = readReference(dirs.ar);
    const floats = await vq.decode(reference.grids);
    const { predictions, features } = await judge.classify(floats);
    expect(predictions).toHaveLength(reference.grids.length);
    expect(features.length).toBe(reference.grids.length * judge.featureDim);
  });
});
