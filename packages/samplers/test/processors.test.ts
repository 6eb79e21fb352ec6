import { createRng, InvalidArgumentError, type LogitsProcessor, type SamplingContext, softmax } from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import {
  bannedTokens,
  classifierFreeGuidance,
  dry,
  epsilonCutoff,
  etaCutoff,
  frequencyPenalty,
  logitBias,
  minLength,
  minNewTokens,
  minP,
  mirostat,
  mirostatV2,
  noRepeatNgram,
  presencePenalty,
  repetitionPenalty,
  topK,
  topNSigma,
  topP,
  typicalP,
  xtc,
} from '../src/index.js';

const NEG = Number.NEGATIVE_INFINITY;
const emptyContext: SamplingContext = { tokens: [], promptLength: 0 };

function run(processor: LogitsProcessor, logits: number[], context: SamplingContext = emptyContext): Float32Array {
  const row = Float32Array.from(logits);
  processor.process(row, context);
  return row;
}

function kept(row: Float32Array): number[] {
  const out: number[] = [];
  row.forEach((z, i) => {
    if (z !== NEG) out.push(i);
  });
  return out;
}

function randomRow(size: number, seed: number, scale = 3): Float32Array {
  const rng = createRng(seed);
  const row = new Float32Array(size);
  for (let i = 0; i < size; i++) row[i] = (rng.next() + rng.next() + rng.next() - 1.5) * 2 * scale;
  return row;
}

function expectInvalid(make: () => unknown, setting: string): void {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).setting).toBe(setting);
    expect((error as Error).message).toMatch(/must/);
    return;
  }
  throw new Error(`expected an InvalidArgumentError for ${setting}`);
}

describe('neutral settings leave logits unchanged', () => {
  const row = [1.5, -2, 0.25, 3, 3, -0.5];
  const context: SamplingContext = { tokens: [0, 3, 3, 1], promptLength: 2 };
  const neutral: Array<[string, LogitsProcessor]> = [
    ['topK 0', topK(0)],
    ['topK V', topK(6)],
    ['topP 1', topP(1)],
    ['minP 0', minP(0)],
    ['typicalP 1', typicalP(1)],
    ['epsilon 0', epsilonCutoff(0)],
    ['eta 0', etaCutoff(0)],
    ['topNSigma Infinity', topNSigma(Number.POSITIVE_INFINITY)],
    ['xtc probability 0', xtc({ probability: 0 })],
    ['xtc threshold > 0.5', xtc({ threshold: 0.6, probability: 1 })],
    ['dry multiplier 0', dry({ multiplier: 0 })],
    ['repetition 1', repetitionPenalty(1)],
    ['presence 0', presencePenalty(0)],
    ['frequency 0', frequencyPenalty(0)],
    ['noRepeatNgram 0', noRepeatNgram(0)],
    ['logitBias {}', logitBias({})],
    ['bannedTokens []', bannedTokens([])],
    ['minLength 0', minLength(0, [5])],
    ['minNewTokens 0', minNewTokens(0, [5])],
  ];
  for (const [label, processor] of neutral) {
    it(label, () => {
      expect(Array.from(run(processor, row, context))).toEqual(Array.from(Float32Array.from(row)));
    });
  }
});

describe('invalid settings throw InvalidArgumentError naming the setting', () => {
  it.each([
    ['topK', () => topK(-1)],
    ['topK', () => topK(2.5)],
    ['topP', () => topP(0)],
    ['topP', () => topP(1.2)],
    ['minTokensToKeep', () => topP(0.5, { minTokensToKeep: 0 })],
    ['minP', () => minP(-0.1)],
    ['minP', () => minP(Number.NaN)],
    ['typicalP', () => typicalP(0)],
    ['epsilonCutoff', () => epsilonCutoff(1)],
    ['etaCutoff', () => etaCutoff(-1)],
    ['topNSigma', () => topNSigma(0)],
    ['xtc.threshold', () => xtc({ threshold: 2 })],
    ['xtc.probability', () => xtc({ probability: -0.5 })],
    ['mirostat.tau', () => mirostat({ tau: 0 })],
    ['mirostatV2.eta', () => mirostatV2({ eta: 2 })],
    ['dry.base', () => dry({ base: 0.5 })],
    ['dry.allowedLength', () => dry({ allowedLength: 0 })],
    ['repetitionPenalty', () => repetitionPenalty(0)],
    ['presencePenalty', () => presencePenalty(3)],
    ['frequencyPenalty', () => frequencyPenalty(-2.5)],
    ['frequencyPenalty.lastN', () => frequencyPenalty(1, { lastN: -1 })],
    ['noRepeatNgram', () => noRepeatNgram(-2)],
    ['logitBias', () => logitBias({ 1: Number.NaN })],
    ['logitBias', () => logitBias([[-1, 2]])],
    ['bannedTokens', () => bannedTokens([[]])],
    ['minNewTokens', () => minNewTokens(-1, [0])],
    ['eos', () => minLength(3, [-1])],
    [
      'classifierFreeGuidance.scale',
      () => classifierFreeGuidance(new Float32Array(2), new Float32Array(2), Number.NaN),
    ],
  ])('%s', (setting, make) => expectInvalid(make, setting));
});

describe('topK', () => {
  it('keeps the k largest logits', () => {
    expect(kept(run(topK(2), [1, 5, 3, 4, 0]))).toEqual([1, 3]);
  });
  it('keeps ties with the k-th largest', () => {
    expect(kept(run(topK(2), [1, 5, 3, 3, 0]))).toEqual([1, 2, 3]);
  });
  it('matches a sort on a large random row', () => {
    const row = randomRow(5000, 7);
    const sorted = Array.from(row).sort((a, b) => b - a);
    const out = row.slice();
    topK(37).process(out, emptyContext);
    expect(kept(out).length).toBe(37);
    for (const i of kept(out)) expect(row[i]).toBeGreaterThanOrEqual(sorted[36]);
  });
});

describe('topP', () => {
  it('hand-computed case', () => {
    // probabilities 0.5, 0.3, 0.15, 0.05
    const logits = [0.5, 0.3, 0.15, 0.05].map(Math.log);
    expect(kept(run(topP(0.5), logits))).toEqual([0]);
    expect(kept(run(topP(0.6), logits))).toEqual([0, 1]);
    expect(kept(run(topP(0.79), logits))).toEqual([0, 1]);
    expect(kept(run(topP(0.81), logits))).toEqual([0, 1, 2]);
    expect(kept(run(topP(0.99), logits))).toEqual([0, 1, 2, 3]);
  });
  it('keeps the smallest set with mass >= p (invariant on random rows)', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const row = randomRow(3000, seed, 2);
      const p = 0.3 + 0.12 * seed;
      const probabilities = softmax(row);
      const out = row.slice();
      topP(p).process(out, emptyContext);
      const set = kept(out);
      const mass = set.reduce((s, i) => s + probabilities[i], 0);
      expect(mass).toBeGreaterThanOrEqual(p - 1e-6);
      // Smallest: without its least probable member the mass is < p ...
      const least = Math.min(...set.map((i) => probabilities[i]));
      expect(mass - least).toBeLessThan(p);
      // ... and every kept token is at least as probable as every dropped one.
      const droppedMax = Math.max(...Array.from(probabilities).filter((_, i) => out[i] === NEG));
      expect(least).toBeGreaterThanOrEqual(droppedMax);
    }
  });
  it('honours minTokensToKeep', () => {
    expect(kept(run(topP(0.1, { minTokensToKeep: 3 }), [5, 1, 0, -1]))).toEqual([0, 1, 2]);
  });
});

describe('minP', () => {
  it('threshold is relative to the most probable token', () => {
    // p = softmax; p_max = 0.5 for these logits: keep p >= 0.2 * 0.5 = 0.1
    const logits = [0.5, 0.25, 0.12, 0.08, 0.05].map(Math.log);
    expect(kept(run(minP(0.2), logits))).toEqual([0, 1, 2]);
    expect(kept(run(minP(1), logits))).toEqual([0]);
  });
  it('is invariant to shifting the logits', () => {
    const row = randomRow(1000, 3);
    const shifted = row.map((z) => z + 7);
    expect(kept(run(minP(0.05), Array.from(row)))).toEqual(kept(run(minP(0.05), Array.from(shifted))));
  });
});

describe('typicalP', () => {
  it('keeps the most typical tokens first', () => {
    // Entropy of [0.4, 0.3, 0.2, 0.1] is 1.2799 nats; |-log p - H|: 0.364, 0.076, 0.330, 1.023.
    const logits = [0.4, 0.3, 0.2, 0.1].map(Math.log);
    expect(kept(run(typicalP(0.29), logits))).toEqual([1]);
    expect(kept(run(typicalP(0.49), logits))).toEqual([1, 2]);
    expect(kept(run(typicalP(0.8), logits))).toEqual([0, 1, 2]);
  });
});

describe('epsilon and eta cutoffs', () => {
  it('epsilon masks p < epsilon and always keeps the top token', () => {
    const logits = [0.6, 0.3, 0.07, 0.03].map(Math.log);
    expect(kept(run(epsilonCutoff(0.05), logits))).toEqual([0, 1, 2]);
    expect(kept(run(epsilonCutoff(0.9), logits))).toEqual([0]);
  });
  it('eta uses min(epsilon, sqrt(epsilon) exp(-H))', () => {
    const probabilities = [0.6, 0.3, 0.07, 0.03];
    const entropy = -probabilities.reduce((s, p) => s + p * Math.log(p), 0);
    const epsilon = 0.1;
    const eta = Math.min(epsilon, Math.sqrt(epsilon) * Math.exp(-entropy));
    const expected = probabilities.map((p, i) => (p >= eta ? i : -1)).filter((i) => i >= 0);
    expect(kept(run(etaCutoff(epsilon), probabilities.map(Math.log)))).toEqual(expected);
  });
});

describe('topNSigma', () => {
  it('masks logits below max - n sigma', () => {
    const logits = [4, 2, 0, -2, -4]; // mean 0, sigma sqrt(8) = 2.83
    expect(kept(run(topNSigma(1), logits))).toEqual([0, 1]);
    expect(kept(run(topNSigma(2), logits))).toEqual([0, 1, 2]);
  });
  it('is invariant to temperature', () => {
    const row = randomRow(500, 9);
    const tempered = row.map((z) => z / 0.7);
    expect(kept(run(topNSigma(1.5), Array.from(row)))).toEqual(kept(run(topNSigma(1.5), Array.from(tempered))));
  });
});

describe('xtc', () => {
  const logits = [0.4, 0.3, 0.2, 0.1].map(Math.log);
  it('with probability 1 removes every top choice except the least probable', () => {
    expect(kept(run(xtc({ threshold: 0.15, probability: 1 }), logits))).toEqual([2, 3]);
    // only one token above the threshold: nothing happens
    expect(kept(run(xtc({ threshold: 0.35, probability: 1 }), logits))).toEqual([0, 1, 2, 3]);
  });
  it('mixture form writes (1 - π) p + π p_xtc exactly', () => {
    const probabilities = [0.4, 0.3, 0.2, 0.1];
    const pi = 0.5;
    const removedMass = 0.7;
    const expected = probabilities.map((p, i) => (i < 2 ? (1 - pi) * p : p * (1 - pi + pi / (1 - removedMass))));
    const out = softmax(run(xtc({ threshold: 0.15, probability: pi }), logits));
    for (let i = 0; i < 4; i++) expect(out[i]).toBeCloseTo(expected[i], 6);
  });
  it('coin form with an rng is stateful and masks with frequency π', () => {
    const processor = xtc({ threshold: 0.15, probability: 0.3, rng: createRng(1) });
    expect(processor.stateful).toBe(true);
    let masked = 0;
    for (let i = 0; i < 4000; i++) if (run(processor, logits)[0] === NEG) masked++;
    expect(masked / 4000).toBeGreaterThan(0.27);
    expect(masked / 4000).toBeLessThan(0.33);
  });
});

describe('penalties', () => {
  const context: SamplingContext = { tokens: [0, 1, 1, 2, 2, 2], promptLength: 3 };
  it('repetition penalty divides positive and multiplies negative logits', () => {
    const out = run(repetitionPenalty(2), [4, -1, 3, 5], context);
    expect(Array.from(out)).toEqual([2, -2, 1.5, 5]);
  });
  it('presence penalty subtracts once per present token (generated scope by default)', () => {
    const out = run(presencePenalty(0.5), [0, 0, 0, 0], context);
    expect(Array.from(out)).toEqual([0, 0, -0.5, 0]);
    const all = run(presencePenalty(0.5, { scope: 'all' }), [0, 0, 0, 0], context);
    expect(Array.from(all)).toEqual([-0.5, -0.5, -0.5, 0]);
  });
  it('frequency penalty subtracts per occurrence, within lastN', () => {
    const out = run(frequencyPenalty(0.5, { scope: 'all' }), [0, 0, 0, 0], context);
    expect(Array.from(out)).toEqual([-0.5, -1, -1.5, 0]);
    const windowed = run(frequencyPenalty(0.5, { scope: 'all', lastN: 4 }), [0, 0, 0, 0], context);
    expect(Array.from(windowed)).toEqual([0, -0.5, -1.5, 0]);
  });
});

describe('dry', () => {
  it('penalises the token that would extend a repeat', () => {
    // tokens: 1 2 3 9 1 2 3 -> suffix "1 2 3" occurred before, followed by 9: match length 3.
    const context: SamplingContext = { tokens: [1, 2, 3, 9, 1, 2, 3], promptLength: 0 };
    const out = run(dry({ multiplier: 1, base: 2, allowedLength: 2 }), new Array(10).fill(0), context);
    expect(out[9]).toBeCloseTo(-(2 ** (3 - 2)));
    for (let i = 0; i < 9; i++) expect(out[i]).toBe(0);
  });
  it('sequence breakers interrupt the match', () => {
    const context: SamplingContext = { tokens: [1, 2, 3, 9, 1, 2, 3], promptLength: 0 };
    const out = run(
      dry({ multiplier: 1, base: 2, allowedLength: 2, sequenceBreakers: [2] }),
      new Array(10).fill(0),
      context,
    );
    // match is now only "3" (length 1) < allowedLength
    expect(out[9]).toBe(0);
  });
});

describe('noRepeatNgram', () => {
  it('bans tokens that complete an existing n-gram', () => {
    const context: SamplingContext = { tokens: [5, 6, 7, 5, 6], promptLength: 0 };
    expect(kept(run(noRepeatNgram(3), new Array(9).fill(0), context))).toEqual([0, 1, 2, 3, 4, 5, 6, 8]);
    expect(kept(run(noRepeatNgram(2), new Array(9).fill(0), context))).toEqual([0, 1, 2, 3, 4, 5, 6, 8]);
    expect(kept(run(noRepeatNgram(1), new Array(9).fill(0), context))).toEqual([0, 1, 2, 3, 4, 8]);
  });
});

describe('bias, bans and minimum lengths', () => {
  it('logitBias adds biases from a record, a map or pairs', () => {
    expect(Array.from(run(logitBias({ 1: 2, 3: NEG }), [0, 0, 0, 0]))).toEqual([0, 2, 0, NEG]);
    expect(Array.from(run(logitBias(new Map([[0, -1]])), [0, 0]))).toEqual([-1, 0]);
    expect(Array.from(run(logitBias([[1, 0.5]]), [0, 0]))).toEqual([0, 0.5]);
  });
  it('bannedTokens masks single ids and sequence endings', () => {
    const context: SamplingContext = { tokens: [4, 1, 2], promptLength: 0 };
    expect(kept(run(bannedTokens([0, [1, 2, 3], [2, 4]]), [0, 0, 0, 0, 0], context))).toEqual([1, 2]);
  });
  it('minLength and minNewTokens mask eos until reached', () => {
    const short: SamplingContext = { tokens: [1, 2, 3], promptLength: 2 };
    expect(kept(run(minLength(4, [0]), [0, 0, 0], short))).toEqual([1, 2]);
    expect(kept(run(minLength(3, [0]), [0, 0, 0], short))).toEqual([0, 1, 2]);
    expect(kept(run(minNewTokens(2, [0, 2]), [0, 0, 0], short))).toEqual([1]);
    expect(kept(run(minNewTokens(1, [0, 2]), [0, 0, 0], short))).toEqual([0, 1, 2]);
  });
});

describe('classifierFreeGuidance', () => {
  it('computes z_u + s (z_c - z_u)', () => {
    const out = classifierFreeGuidance(Float32Array.from([2, 0, 1]), Float32Array.from([0, 1, 1]), 3);
    expect(Array.from(out)).toEqual([6, -2, 1]);
  });
  it('scale 1 returns the conditional row', () => {
    const conditional = randomRow(50, 4);
    expect(Array.from(classifierFreeGuidance(conditional, randomRow(50, 5), 1))).toEqual(Array.from(conditional));
  });
  it('rejects rows of different lengths', () => {
    expectInvalidLengths();
  });
});

function expectInvalidLengths() {
  expect(() => classifierFreeGuidance(new Float32Array(2), new Float32Array(3), 2)).toThrow(InvalidArgumentError);
}

describe('mirostat', () => {
  it('v2 masks tokens with surprise above mu and learns mu from accepted tokens', () => {
    const processor = mirostatV2({ tau: 1, eta: 0.5 }); // mu starts at 2 bits: keep p >= 0.25
    const logits = [0.5, 0.3, 0.15, 0.05].map(Math.log);
    expect(kept(run(processor, logits))).toEqual([0, 1]);
    // accepted token 1 had p' = 0.3 / 0.8 after truncation: surprise = -log2(0.375) = 1.415 bits
    processor.accept?.(1);
    const out = run(processor, logits);
    const expectedMu = 2 - 0.5 * (-Math.log2(0.375) - 1);
    expect(kept(out)).toEqual([0.5, 0.3, 0.15, 0.05].flatMap((p, i) => (-Math.log2(p) <= expectedMu ? [i] : [])));
    processor.reset?.();
    expect(kept(run(processor, logits))).toEqual([0, 1]);
  });
  it('v1 keeps a top-k set that grows with mu', () => {
    const low = mirostat({ tau: 0.5 });
    const high = mirostat({ tau: 8 });
    const row = randomRow(2000, 11, 2);
    const lowKept = kept(run(low, Array.from(row))).length;
    const highKept = kept(run(high, Array.from(row))).length;
    expect(lowKept).toBeGreaterThanOrEqual(1);
    expect(highKept).toBeGreaterThan(lowKept);
    expect(low.stateful).toBe(true);
  });
});
