import { createMockModel, type MockModel } from '@decodekit/testing';
import type { ImageTokenLayout } from '../src/index.js';

/** A toy class-conditional image layout: `codebook` image tokens, 2 classes, a null token. */
export function toyLayout(codebook: number, grid: [number, number]): ImageTokenLayout {
  return {
    codebookSize: codebook,
    numClasses: 2,
    classes: ['a', 'b'],
    classTokenOffset: codebook,
    nullClassToken: codebook + 2,
    grid,
  };
}

// A deterministic hash of small integers to [0, 1).
function unit(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    h = Math.imul(h ^ (v + 0x7f4a7c15), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return (h >>> 0) / 4294967296;
}

/**
 * A toy AR image model: a second-order Markov chain over the image tokens that also depends on the
 * class token (the null token gives a different, flatter chain), with logits for the class and
 * null tokens too (samplers must ignore them).
 */
export function toyImageModel(layout: ImageTokenLayout, sharpness = 3): MockModel {
  const vocab = layout.nullClassToken + 1;
  return createMockModel({
    vocabSize: vocab,
    contextLength: 256,
    logitsFor(context, out) {
      const cls = context[0];
      const a = context.length >= 2 ? context[context.length - 1] : -1;
      const b = context.length >= 3 ? context[context.length - 2] : -1;
      const scale = cls === layout.nullClassToken ? sharpness / 3 : sharpness;
      for (let v = 0; v < vocab; v++) out[v] = scale * 2 * (unit(cls, a, b, v) - 0.5);
      // Non-image tokens get big logits: a sampler that forgets to restrict would pick them.
      for (let v = layout.codebookSize; v < vocab; v++) out[v] = 50;
    },
  });
}
