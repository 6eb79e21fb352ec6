import { createRng, type SamplingContext, sampleCategorical, softmax, temperature } from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import { minP, mirostat, repetitionPenalty, samplerChain, topK, topP, typicalP } from '../src/index.js';

const context: SamplingContext = { tokens: [1, 2, 3], promptLength: 1 };
const NEG = Number.NEGATIVE_INFINITY;

function randomRow(size: number, seed: number, quantum = 0): Float32Array {
  const rng = createRng(seed);
  const row = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    let z = (rng.next() + rng.next() + rng.next() - 1.5) * 6;
    if (quantum > 0) z = Math.round(z / quantum) * quantum; // creates many ties
    row[i] = z;
  }
  return row;
}

// Reference: sort by key descending (ties: lower id), keep the shortest prefix reaching the mass.
function referenceKeep(keys: number[], probabilities: number[], mass: number, minimum: number): number[] {
  const order = keys.map((_, i) => i).sort((a, b) => keys[b] - keys[a] || a - b);
  const kept: number[] = [];
  let cumulative = 0;
  for (const i of order) {
    kept.push(i);
    cumulative += probabilities[i];
    if (cumulative >= mass && kept.length >= minimum) break;
  }
  return kept.sort((a, b) => a - b);
}

function keptOf(row: Float32Array): number[] {
  const out: number[] = [];
  row.forEach((z, i) => {
    if (z !== NEG) out.push(i);
  });
  return out;
}

describe('selection matches a sort-based reference', () => {
  it('top-p, with and without ties, with minTokensToKeep', () => {
    for (let seed = 0; seed < 30; seed++) {
      const row = randomRow(200 + seed * 37, seed, seed % 2 === 0 ? 0.5 : 0);
      const probabilities = Array.from(softmax(row));
      const p = 0.05 + (seed % 10) * 0.1;
      const minimum = 1 + (seed % 4);
      const out = row.slice();
      topP(p, { minTokensToKeep: minimum }).process(out, context);
      const expected = referenceKeep(probabilities, probabilities, p - 1e-6, minimum);
      const got = keptOf(out);
      // Float sums may differ at the boundary by one token; the sets must agree otherwise.
      expect(Math.abs(got.length - expected.length)).toBeLessThanOrEqual(1);
      const shorter = got.length <= expected.length ? got : expected;
      const longer = got.length <= expected.length ? expected : got;
      for (const i of shorter) expect(longer).toContain(i);
    }
  });

  it('typical-p', () => {
    for (let seed = 0; seed < 20; seed++) {
      const row = randomRow(300, 100 + seed);
      const probabilities = Array.from(softmax(row));
      const entropy = -probabilities.reduce((s, q) => s + (q > 0 ? q * Math.log(q) : 0), 0);
      const keys = probabilities.map((q) => -Math.abs(-Math.log(q) - entropy));
      const mass = 0.2 + (seed % 8) * 0.1;
      const out = row.slice();
      typicalP(mass).process(out, context);
      const expected = referenceKeep(keys, probabilities, mass - 1e-6, 1);
      const got = keptOf(out);
      expect(Math.abs(got.length - expected.length)).toBeLessThanOrEqual(1);
    }
  });

  it('top-k keeps exactly the k largest on tie-free rows', () => {
    for (let seed = 0; seed < 10; seed++) {
      const row = randomRow(5000, 200 + seed);
      const k = 1 + seed * 13;
      const out = row.slice();
      topK(k).process(out, context);
      const expected = Array.from(row.keys())
        .sort((a, b) => row[b] - row[a])
        .slice(0, k)
        .sort((a, b) => a - b);
      expect(keptOf(out)).toEqual(expected);
    }
  });
});

describe('top-k in one pass', () => {
  const reference = (row: Float32Array, k: number) => {
    const threshold = Array.from(row).sort((a, b) => b - a)[k - 1];
    return Array.from(row.keys()).filter((i) => row[i] >= threshold);
  };
  it('handles ascending, descending, constant and tied rows like a sort', () => {
    const rows = [
      Float32Array.from({ length: 300 }, (_, i) => i / 10),
      Float32Array.from({ length: 300 }, (_, i) => -i / 10),
      new Float32Array(300).fill(2),
      Float32Array.from({ length: 300 }, (_, i) => i % 7),
      randomRow(300, 9, 1),
    ];
    for (const row of rows) {
      for (const k of [1, 2, 5, 40, 299]) {
        const out = row.slice();
        topK(k).process(out, context);
        expect(keptOf(out)).toEqual(reference(row, k));
      }
    }
  });
  it('keeps everything when fewer than k tokens are unmasked', () => {
    const row = Float32Array.from([NEG, 1, NEG, 3, NEG]);
    const out = row.slice();
    topK(3).process(out, context);
    expect(keptOf(out)).toEqual([1, 3]);
  });
});

describe('samplerChain draws like a dense softmax + sampleCategorical', () => {
  it('same tokens for the same seed and processors; same distribution', () => {
    const processors = [repetitionPenalty(1.2), topK(30), topP(0.9), minP(0.02), temperature(0.7)];
    const ours = samplerChain({ repetitionPenalty: 1.2, topK: 30, topP: 0.9, minP: 0.02, temperature: 0.7 });
    // The reference: the same processors, then a full softmax over the vocabulary and core's walk.
    const dense = (row: Float32Array, rng: ReturnType<typeof createRng>) => {
      for (const processor of processors) processor.process(row, context);
      return sampleCategorical(softmax(row), rng);
    };
    const rngA = createRng(77);
    const rngB = createRng(77);
    for (let r = 0; r < 200; r++) {
      const row = randomRow(1000, 300 + r);
      expect(ours.sample(row.slice(), context, rngA)).toBe(dense(row.slice(), rngB));
      const a = ours.distribution(row.slice(), context);
      const b = row.slice();
      for (const processor of processors) processor.process(b, context);
      const p = softmax(b);
      for (let i = 0; i < a.length; i += 7) expect(a[i]).toBeCloseTo(p[i], 7);
    }
  });
});

describe('xtc: the mixture form is the coin form in distribution', () => {
  it('chi-square of coin-form draws against the mixture distribution', () => {
    const logits = Float32Array.from([0.35, 0.25, 0.2, 0.12, 0.08].map(Math.log));
    const mixture = samplerChain({ xtc: { threshold: 0.15, probability: 0.4 } }).distribution(logits.slice(), context);
    const coin = samplerChain({ xtc: { threshold: 0.15, probability: 0.4, rng: createRng(3) } });
    const rng = createRng(4);
    const draws = 50000;
    const counts = new Array(5).fill(0);
    for (let n = 0; n < draws; n++) counts[coin.sample(logits.slice(), context, rng)]++;
    let chiSquare = 0;
    for (let i = 0; i < 5; i++) chiSquare += (counts[i] - draws * mixture[i]) ** 2 / (draws * mixture[i]);
    // 4 degrees of freedom: 99.9% quantile 18.47.
    expect(chiSquare).toBeLessThan(18.47);
  });
});

describe('mirostat v1 on an exact Zipf row', () => {
  it('estimates the exponent exactly and keeps floor(k) tokens', () => {
    const vocabulary = 1000;
    const s = 1.2;
    const tau = 3;
    const row = new Float32Array(vocabulary).map((_, i) => -s * Math.log(i + 1));
    const mu = 2 * tau;
    const epsilon = s - 1;
    const k = Math.floor(((epsilon * 2 ** mu) / (1 - vocabulary ** -epsilon)) ** (1 / s));
    const out = row.slice();
    mirostat({ tau }).process(out, context);
    expect(keptOf(out)).toEqual(Array.from({ length: k }, (_, i) => i));
  });
});
