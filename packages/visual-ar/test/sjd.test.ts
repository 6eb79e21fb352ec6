import { createRng } from '@decodekit/core';
import { chiSquareTest } from '@decodekit/testing';
import { describe, expect, it } from 'vitest';
import {
  generateRaster,
  generateSjd,
  guidanceScales,
  type ImageSamplingOptions,
  type ImageTokenLayout,
  imageDistribution,
  resolveSampling,
  type SjdInitialisation,
} from '../src/index.js';
import { toyImageModel, toyLayout } from './toy.js';

/** The exact joint law of raster AR sampling on a toy model (every sequence enumerated). */
function exactJoint(
  model: ReturnType<typeof toyImageModel>,
  layout: ImageTokenLayout,
  classIndex: number,
  samplingOptions: ImageSamplingOptions,
  scale: number,
): Float64Array {
  const c = layout.codebookSize;
  const n = layout.grid[0] * layout.grid[1];
  const sampling = resolveSampling(samplingOptions);
  const scales = guidanceScales({ scale }, n);
  const joint = new Float64Array(c ** n);
  const dist = new Float64Array(c);
  const walk = (prefix: number[], probability: number) => {
    if (prefix.length === n) {
      joint[prefix.reduce((index, t) => index * c + t, 0)] = probability;
      return;
    }
    const zc = model.logitsFor([layout.classTokenOffset + classIndex, ...prefix]);
    const zu = model.logitsFor([layout.nullClassToken, ...prefix]);
    imageDistribution(zc, zu, scales[prefix.length], sampling, dist);
    const row = dist.slice();
    for (let t = 0; t < c; t++) if (row[t] > 0) walk([...prefix, t], probability * row[t]);
  };
  walk([], 1);
  return joint;
}

const index = (tokens: Int32Array, c: number) => tokens.reduce((i, t) => i * c + t, 0);

describe('generateSjd', () => {
  it('with window 1 draws exactly the raster tokens from the same seed', async () => {
    const layout = toyLayout(16, [4, 4]);
    const model = toyImageModel(layout);
    for (const seed of [1, 2, 3, 4, 5]) {
      const options = {
        layout,
        classIndex: seed % 2,
        seed,
        guidance: { scale: 2.5 },
        sampling: { topK: 10, topP: 0.95 },
      };
      const raster = await generateRaster(model, options);
      const sjd = await generateSjd(model, { ...options, window: 1 });
      expect(Array.from(sjd.tokens)).toEqual(Array.from(raster.tokens));
      expect(sjd.forwardSteps).toBe(16);
      expect(sjd.verifiedDrafts).toBe(0);
    }
  });

  it('greedy SJD equals greedy raster for every window and initialisation, in fewer steps', async () => {
    const layout = toyLayout(8, [4, 4]);
    const model = toyImageModel(layout);
    for (const classIndex of [0, 1]) {
      const raster = await generateRaster(model, { layout, classIndex, sampling: { topK: 1 } });
      for (const initialisation of ['random', 'repeat-horizon', 'sample-horizon'] as SjdInitialisation[]) {
        for (const window of [2, 4, 16]) {
          const sjd = await generateSjd(model, {
            layout,
            classIndex,
            sampling: { topK: 1 },
            window,
            initialisation,
            seed: 3,
          });
          expect(Array.from(sjd.tokens)).toEqual(Array.from(raster.tokens));
          expect(sjd.committedPerStep.reduce((a, b) => a + b, 0)).toBe(16);
          expect(sjd.forwardSteps).toBeLessThanOrEqual(16);
          expect(Math.max(...sjd.committedPerStep)).toBeLessThanOrEqual(window);
        }
      }
    }
  });

  it('is lossless under sampling: the joint histogram of 3 positions matches the exact raster law (chi-square)', async () => {
    const layout = toyLayout(4, [1, 3]);
    const model = toyImageModel(layout, 2);
    const sampling = { temperature: 0.9, topK: 3 };
    const scale = 2;
    const exact = exactJoint(model, layout, 1, sampling, scale);
    const draws = 6000;
    for (const initialisation of ['random', 'repeat-horizon', 'sample-horizon'] as SjdInitialisation[]) {
      const counts = new Float64Array(exact.length);
      const rng = createRng(11);
      let steps = 0;
      for (let d = 0; d < draws; d++) {
        const image = await generateSjd(model, {
          layout,
          classIndex: 1,
          sampling,
          guidance: { scale },
          window: 3,
          initialisation,
          rng,
        });
        counts[index(image.tokens, 4)]++;
        steps += image.forwardSteps;
      }
      const result = chiSquareTest(counts, exact);
      expect(result.impossibleObservations).toBe(0);
      expect(result.pValue).toBeGreaterThan(1e-3);
      // Drafts are accepted often enough to save forward steps on this toy.
      expect(steps / draws).toBeLessThan(3);
    }
    // The same test on raster AR (the reference law itself).
    const counts = new Float64Array(exact.length);
    const rng = createRng(12);
    for (let d = 0; d < draws; d++) {
      const image = await generateRaster(model, { layout, classIndex: 1, sampling, guidance: { scale }, rng });
      counts[index(image.tokens, 4)]++;
    }
    expect(chiSquareTest(counts, exact).pValue).toBeGreaterThan(1e-3);
  });

  it('never samples class or null tokens and stays in the codebook', async () => {
    const layout = toyLayout(8, [3, 3]);
    const model = toyImageModel(layout);
    const image = await generateSjd(model, { layout, classIndex: 0, seed: 9, window: 5, guidance: { scale: 3 } });
    for (const t of image.tokens) expect(t >= 0 && t < 8).toBe(true);
  });

  it('rejects bad settings with the setting named', async () => {
    const layout = toyLayout(8, [2, 2]);
    const model = toyImageModel(layout);
    await expect(generateSjd(model, { layout, classIndex: 0, window: 0 })).rejects.toThrow(/window/);
    await expect(generateSjd(model, { layout, classIndex: 5 })).rejects.toThrow(/classIndex/);
    await expect(
      generateSjd(model, { layout, classIndex: 0, initialisation: 'diagonal' as SjdInitialisation }),
    ).rejects.toThrow(/initialisation/);
  });
});
