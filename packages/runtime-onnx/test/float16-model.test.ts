import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CapabilityError, NonFiniteLogitsError } from '@decodekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type OnnxCausalLM } from '../src/index.js';
import { countingWeights, writeCountingModel } from './fixtures/counting-model.js';
import { row } from './helpers.js';

/** What the counting model must return after `tokens`: weights times the running sum. */
function expectedRow(tokens: readonly number[]): number[] {
  const sum = tokens.reduce((total, token) => total + token, 0);
  return countingWeights.map((weight) => weight * sum);
}

describe('a float16 cache graph without position_ids (hand-written counting model)', () => {
  let directory: string;
  let model: OnnxCausalLM;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'runtime-onnx-counting-'));
    await writeCountingModel(directory);
    model = await loadModel(directory, { intraOpNumThreads: 1 });
  });
  afterAll(async () => {
    await model.dispose();
    await rm(directory, { recursive: true, force: true });
  });

  it('detects the float16 cache and the eos ids of generation_config.json', () => {
    expect(model.cacheType).toBe('float16');
    expect(model.specialTokens.eos).toEqual([7, 6]);
    expect(model.capabilities).toMatchObject({ treeAttention: false, hiddenStates: false, batchedForward: true });
  });

  it('returns float32 logits and keeps the float16 cache across steps, accept and truncate', async () => {
    const sequence = model.openSequence();
    const first = await sequence.forward({ tokens: [3, 1, 4] });
    expect(first.logits.data).toBeInstanceOf(Float32Array);
    expect(Array.from(row(first.logits, 0))).toEqual(expectedRow([3]));
    expect(Array.from(row(first.logits, 2))).toEqual(expectedRow([3, 1, 4]));
    const second = await sequence.forward({ tokens: [1, 5, 2] }, { logits: 'last' });
    expect(Array.from(row(second.logits, 0))).toEqual(expectedRow([3, 1, 4, 1, 5, 2]));
    await sequence.accept([0]); // keep only the 1
    const third = await sequence.forward({ tokens: [6] });
    expect(Array.from(row(third.logits, 0))).toEqual(expectedRow([3, 1, 4, 1, 6]));
    await sequence.truncate(2);
    const fourth = await sequence.forward({ tokens: [2] });
    expect(Array.from(row(fourth.logits, 0))).toEqual(expectedRow([3, 1, 2]));
    const fork = await sequence.fork();
    await fork.forward({ tokens: [5] });
    const fifth = await sequence.forward({ tokens: [1] });
    expect(Array.from(row(fifth.logits, 0))).toEqual(expectedRow([3, 1, 2, 1]));
  });

  it('pads a batch of float16 caches', async () => {
    const a = model.openSequence();
    const b = model.openSequence();
    await a.forward({ tokens: [2, 2, 2, 2] });
    const [outA, outB] = await model.forwardBatch([
      { sequence: a, block: { tokens: [1] } },
      { sequence: b, block: { tokens: [3, 3, 3] } },
    ]);
    expect(Array.from(row(outA.logits, 0))).toEqual(expectedRow([2, 2, 2, 2, 1]));
    expect(Array.from(row(outB.logits, 2))).toEqual(expectedRow([3, 3, 3]));
    const next = await a.forward({ tokens: [1] });
    expect(Array.from(row(next.logits, 0))).toEqual(expectedRow([2, 2, 2, 2, 1, 1]));
  });

  it('refuses trees and hidden states with CapabilityError', async () => {
    const sequence = model.openSequence();
    await expect(sequence.forward({ tokens: [1, 2, 3], parents: [-1, -1, 0] })).rejects.toBeInstanceOf(CapabilityError);
    await expect(sequence.forward({ tokens: [1] }, { hiddenStates: true })).rejects.toBeInstanceOf(CapabilityError);
  });

  it('float16 logits that overflow to Infinity raise NonFiniteLogitsError (unless checkFinite is off)', async () => {
    const overflowing = join(directory, 'overflow');
    // 30000 * (running sum >= 3) exceeds the float16 range (65504) and becomes Infinity.
    await writeCountingModel(overflowing, [1, 2, 3, 4, 5, 6, 7, 30000]);
    const checked = await loadModel(overflowing, { intraOpNumThreads: 1 });
    const unchecked = await loadModel(overflowing, { intraOpNumThreads: 1, checkFinite: false });
    try {
      const sequence = checked.openSequence();
      const finite = await sequence.forward({ tokens: [1] });
      expect(row(finite.logits, 0)[7]).toBe(30000);
      const error = await sequence.forward({ tokens: [2] }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(NonFiniteLogitsError);
      expect((error as Error).message).toContain('block token 0');
      const raw = await unchecked.openSequence().forward({ tokens: [1, 2] });
      expect(row(raw.logits, 1)[7]).toBe(Number.POSITIVE_INFINITY);
    } finally {
      await checked.dispose();
      await unchecked.dispose();
    }
  });

  it('feeds num_logits_to_keep where the graph declares it (1 for a last row, 0 for all rows)', async () => {
    const keeping = join(directory, 'keep');
    await writeCountingModel(keeping, countingWeights, { numLogitsToKeep: true });
    const keeper = await loadModel(keeping, { intraOpNumThreads: 1 });
    try {
      const sequence = keeper.openSequence();
      const last = await sequence.forward({ tokens: [3, 1, 4] }, { logits: 'last' });
      expect(last.logits.rows).toBe(1);
      expect(Array.from(row(last.logits, 0))).toEqual(expectedRow([3, 1, 4]));
      const all = await sequence.forward({ tokens: [1, 5] });
      expect(Array.from(row(all.logits, 0))).toEqual(expectedRow([3, 1, 4, 1]));
      expect(Array.from(row(all.logits, 1))).toEqual(expectedRow([3, 1, 4, 1, 5]));
      // Unequal rows in a batch cannot use the graph's tail cut: all rows come back and are picked.
      const other = keeper.openSequence();
      const [a, b] = await keeper.forwardBatch(
        [
          { sequence, block: { tokens: [2] } },
          { sequence: other, block: { tokens: [6, 6, 6] } },
        ],
        { logits: 'last' },
      );
      expect(Array.from(row(a.logits, 0))).toEqual(expectedRow([3, 1, 4, 1, 5, 2]));
      expect(Array.from(row(b.logits, 0))).toEqual(expectedRow([6, 6, 6]));
    } finally {
      await keeper.dispose();
    }
  });
});
