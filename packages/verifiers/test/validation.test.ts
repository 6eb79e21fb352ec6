import {
  createMatrix,
  createRng,
  type Draft,
  InvalidArgumentError,
  multinomialSampler,
  TokenOutOfRangeError,
  type Verifier,
} from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import {
  defaultVerifier,
  greedyVerifier,
  recursiveRejectionVerifier,
  recursiveSpeculativeVerifier,
  sampleMatchVerifier,
  specTrVerifier,
  speculativeSamplingVerifier,
  typicalAcceptanceVerifier,
} from '../src/index.js';
import { randomTable, verifyInputFor } from './helpers/kernel.js';

const vocab = 4;
const target = randomTable(vocab, 1);
const uniform = new Float32Array(vocab).fill(0.25);
const rng = createRng(0);
const input = (draft: Draft) => verifyInputFor(target, draft, rng);

const all: [string, Verifier][] = [
  ['greedy', greedyVerifier()],
  ['sample-match', sampleMatchVerifier()],
  ['speculative-sampling', speculativeSamplingVerifier()],
  ['recursive-rejection', recursiveRejectionVerifier()],
  ['recursive-speculative', recursiveSpeculativeVerifier()],
  ['spectr', specTrVerifier()],
  ['typical-acceptance', typicalAcceptanceVerifier()],
  ['default', defaultVerifier()],
];

describe('every verifier', () => {
  for (const [name, verifier] of all) {
    it(`${name}: declares itself and rejects malformed drafts with typed errors`, () => {
      expect(verifier.name).toMatch(/^[a-z-]+$/);
      expect(verifier.supports.length).toBeGreaterThan(0);
      const sampling = verifier.supports[0];
      const q = sampling === 'deterministic' ? undefined : [uniform, uniform];
      const ok: Draft = { tokens: [1, 2], parents: [-1, 0], sampling, q };
      const sampler = name === 'greedy' ? multinomialSampler(0) : multinomialSampler(1);
      expect(() => verifier.verify(verifyInputFor(target, ok, rng, sampler))).not.toThrow();
      // The target rows are built for the well-formed draft; only the draft handed over is broken.
      const okInput = verifyInputFor(target, ok, rng, sampler);
      const bad = (draft: Partial<Draft>) => () => verifier.verify({ ...okInput, draft: { ...ok, ...draft } });
      expect(bad({ parents: [-1] })).toThrow(InvalidArgumentError);
      expect(bad({ parents: [-1, 1] })).toThrow(InvalidArgumentError);
      expect(bad({ tokens: [1, vocab] })).toThrow(TokenOutOfRangeError);
      // Too few target rows for the draft.
      const short = { ...verifyInputFor(target, ok, rng, sampler), targetLogits: createMatrix(2, vocab) };
      expect(() => verifier.verify(short)).toThrow(InvalidArgumentError);
    });
  }
});

describe('q rows', () => {
  const sampled: [string, Verifier, Draft['sampling']][] = [
    ['speculative-sampling', speculativeSamplingVerifier(), 'independent'],
    ['recursive-rejection', recursiveRejectionVerifier(), 'independent'],
    ['recursive-speculative', recursiveSpeculativeVerifier(), 'without-replacement'],
    ['spectr', specTrVerifier(), 'independent'],
    ['default', defaultVerifier(), 'independent'],
  ];
  for (const [name, verifier, sampling] of sampled) {
    it(`${name}: a sampled draft without q, a missing row, a short row or q = 0 at its token is refused`, () => {
      const draft = (q: Draft['q']): Draft => ({ tokens: [1, 2], parents: [-1, 0], sampling, q });
      expect(() => verifier.verify(input(draft(undefined)))).toThrow(/q row/);
      // Rows are checked when a node is reached; make the first node the bad one.
      expect(() => verifier.verify(input(draft([undefined, uniform])))).toThrow(InvalidArgumentError);
      expect(() => verifier.verify(input(draft([new Float32Array(3).fill(1 / 3), uniform])))).toThrow(
        InvalidArgumentError,
      );
      expect(() => verifier.verify(input(draft([Float32Array.of(0.5, 0, 0.5, 0), uniform])))).toThrow(
        /cannot have been drawn/,
      );
    });
  }

  it('verifiers refuse draft kinds they cannot verify exactly', () => {
    const withoutReplacement: Draft = {
      tokens: [1, 2],
      parents: [-1, -1],
      sampling: 'without-replacement',
      q: [uniform, uniform],
    };
    expect(() => recursiveRejectionVerifier().verify(input(withoutReplacement))).toThrow(/without-replacement/);
    expect(() => specTrVerifier().verify(input(withoutReplacement))).toThrow(InvalidArgumentError);
    const deterministic: Draft = { tokens: [1], parents: [-1], sampling: 'deterministic' };
    expect(() => recursiveSpeculativeVerifier().verify(input(deterministic))).toThrow(InvalidArgumentError);
  });

  it('speculative sampling refuses trees; RSD refuses duplicate siblings', () => {
    const tree: Draft = { tokens: [1, 2], parents: [-1, -1], sampling: 'independent', q: [uniform, uniform] };
    expect(() => speculativeSamplingVerifier().verify(input(tree))).toThrow(/recursiveRejectionVerifier/);
    const duplicate: Draft = {
      tokens: [1, 1],
      parents: [-1, -1],
      sampling: 'without-replacement',
      q: [uniform, uniform],
    };
    expect(() => recursiveSpeculativeVerifier().verify(input(duplicate))).toThrow(/distinct/);
  });
});

describe('q rows of particular kinds', () => {
  it('SpecTr refuses candidates of one level drawn from different q rows', () => {
    const other = Float32Array.of(0.7, 0.1, 0.1, 0.1);
    const draft: Draft = { tokens: [1, 2], parents: [-1, -1], sampling: 'independent', q: [uniform, other] };
    expect(() => specTrVerifier().verify(input(draft))).toThrow(/different q rows/);
    // Equal rows in different arrays (one draft model, two forks) are fine.
    const copy: Draft = { ...draft, q: [uniform, uniform.slice()] };
    expect(() => specTrVerifier().verify(input(copy))).not.toThrow();
  });

  it('q rows on a deterministic draft are ignored (its tokens were not drawn from them)', () => {
    // q = 0 at the drafted token would be refused for a sampled draft.
    const zeroAtToken = Float32Array.of(1, 0, 0, 0);
    const draft: Draft = { tokens: [1, 2], parents: [-1, 0], sampling: 'deterministic', q: [zeroAtToken, zeroAtToken] };
    for (const verifier of [speculativeSamplingVerifier(), recursiveRejectionVerifier(), defaultVerifier()]) {
      expect(() => verifier.verify(input(draft))).not.toThrow();
    }
  });
});

describe('options', () => {
  it('specTrVerifier validates rho', () => {
    expect(() => specTrVerifier({ rho: 0.5 })).toThrow(InvalidArgumentError);
    expect(() => specTrVerifier({ rho: Number.NaN })).toThrow(InvalidArgumentError);
    expect(() => specTrVerifier({ rho: 2 })).not.toThrow();
  });
  it('typicalAcceptanceVerifier validates its thresholds', () => {
    expect(() => typicalAcceptanceVerifier({ posteriorThreshold: -1 })).toThrow(InvalidArgumentError);
    expect(() => typicalAcceptanceVerifier({ posteriorAlpha: Number.POSITIVE_INFINITY })).toThrow(InvalidArgumentError);
    expect(() => typicalAcceptanceVerifier({ bonusToken: 'best' as 'argmax' })).toThrow(InvalidArgumentError);
  });
  it('exactness flags: only typical acceptance is lossy', () => {
    for (const [name, verifier] of all) expect(verifier.exact, name).toBe(name !== 'typical-acceptance');
    expect(typicalAcceptanceVerifier().name).toMatch(/lossy/);
  });
});
