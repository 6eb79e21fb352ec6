import { CapabilityError, DecodekitError, InvalidStateError, TokenOutOfRangeError } from '@decodekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type OnnxCausalLM } from '../src/index.js';
import { maxAbsDifference, someTokens, tinyLm, workerUrl } from './helpers.js';

const parents = [-1, -1, 0, 1, 1];

describe('worker mode', () => {
  let inThread: OnnxCausalLM;
  let worker: OnnxCausalLM;
  const prompt = someTokens(10, 71);
  const treeTokens = someTokens(parents.length, 72);
  beforeAll(async () => {
    [inThread, worker] = await Promise.all([
      loadModel(tinyLm, { intraOpNumThreads: 1 }),
      loadModel(tinyLm, { intraOpNumThreads: 1, worker: true, workerUrl }),
    ]);
  });
  afterAll(async () => {
    await inThread.dispose();
    await worker.dispose();
  });

  it('describes the same model', () => {
    expect(worker.worker).toBe(true);
    expect(worker.capabilities).toEqual(inThread.capabilities);
    expect(worker.vocabSize).toBe(inThread.vocabSize);
    expect(worker.specialTokens).toEqual(inThread.specialTokens);
  });

  it('gives identical logits for prompt, tree, accept and continuation', async () => {
    const run = async (model: OnnxCausalLM) => {
      const sequence = model.openSequence();
      const first = await sequence.forward({ tokens: prompt });
      const tree = await sequence.forward({ tokens: treeTokens, parents }, { hiddenStates: true });
      await sequence.accept([1, 3]);
      const fork = await sequence.fork();
      const next = await fork.forward({ tokens: [9] }, { logits: 'last' });
      await sequence.truncate(4);
      return { first, tree, next, tokens: Array.from(sequence.tokens()), forkTokens: Array.from(fork.tokens()) };
    };
    const [a, b] = [await run(inThread), await run(worker)];
    expect(maxAbsDifference(a.first.logits.data, b.first.logits.data)).toBe(0);
    expect(maxAbsDifference(a.tree.logits.data, b.tree.logits.data)).toBe(0);
    expect(maxAbsDifference(a.tree.hiddenStates?.data ?? [], b.tree.hiddenStates?.data ?? [])).toBe(0);
    expect(maxAbsDifference(a.next.logits.data, b.next.logits.data)).toBe(0);
    expect(b.tokens).toEqual(a.tokens);
    expect(b.forkTokens).toEqual([...prompt, treeTokens[1], treeTokens[3], 9]);
  });

  it('rebuilds typed errors from the worker', async () => {
    const sequence = worker.openSequence();
    await expect(sequence.forward({ tokens: [worker.vocabSize] })).rejects.toBeInstanceOf(TokenOutOfRangeError);
    await sequence.forward({ tokens: treeTokens, parents });
    await expect(sequence.forward({ tokens: [3] })).rejects.toBeInstanceOf(InvalidStateError);
  });

  it('runs the layer split and embeddings through the worker', async () => {
    const layers = worker.layers;
    if (!layers) throw new Error('layerSplit expected');
    // A sequence fresh from openSequence (its worker handle may still be on the way).
    const fresh = worker.openSequence();
    const prefill = await layers.head(
      await layers.runLayers(fresh, await layers.embed(prompt.slice(0, 4)), 0, layers.count),
    );
    const direct = await fresh.forward({ tokens: prompt.slice(0, 4) });
    expect(maxAbsDifference(prefill.logits.data, direct.logits.data)).toBeLessThan(1e-4);
    const sequence = worker.openSequence();
    await sequence.forward({ tokens: prompt.slice(0, 4) });
    const hidden = await layers.runLayers(sequence, await layers.embed(prompt.slice(4)), 0, layers.count);
    const head = await layers.head(hidden);
    const reference = await sequence.forward({ tokens: prompt.slice(4) });
    expect(maxAbsDifference(head.logits.data, reference.logits.data)).toBeLessThan(1e-4);
    const matrix = await worker.embeddingMatrix?.();
    expect(matrix?.rows).toBe(worker.vocabSize);
  });

  it('refuses layered sequences in worker mode with a CapabilityError', () => {
    expect(() => worker.layers?.openSequence()).toThrow(CapabilityError);
  });

  it('a crashed worker rejects pending calls with worker-crashed instead of hanging', async () => {
    const doomed = await loadModel(tinyLm, { intraOpNumThreads: 1, worker: true, workerUrl });
    const sequence = doomed.openSequence();
    const pending = sequence.forward({ tokens: someTokens(200, 73) });
    await (doomed as unknown as { thread: { terminate(): Promise<number> } }).thread.terminate();
    const error = await pending.catch((caught: unknown) => caught);
    expect(DecodekitError.is(error) && error.code).toBe('worker-crashed');
    await expect(sequence.forward({ tokens: [1] })).rejects.toMatchObject({ code: 'worker-crashed' });
    await doomed.dispose();
  });

  it('dispose terminates the worker', async () => {
    const model = await loadModel(tinyLm, { intraOpNumThreads: 1, worker: true, workerUrl });
    const thread = (model as unknown as { thread: { threadId: number } }).thread;
    expect(thread.threadId).toBeGreaterThan(0);
    await model.dispose();
    expect(thread.threadId).toBe(-1);
    await expect(model.forwardBatch([])).rejects.toMatchObject({ code: 'disposed' });
  });
});
