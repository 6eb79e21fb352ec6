import { createMatrix } from '@decodekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type OnnxCausalLM } from '../src/index.js';
import { maxAbsDifference, row, someTokens, tinyLm, tolerance } from './helpers.js';

describe('embeddings and per-layer graphs on tiny-lm', () => {
  let model: OnnxCausalLM;
  const prompt = someTokens(9, 51);
  beforeAll(async () => {
    model = await loadModel(tinyLm, { intraOpNumThreads: 1 });
  });
  afterAll(async () => {
    await model.dispose();
  });

  it('embeddingMatrix() is [vocab, hidden] and matches layers.embed', async () => {
    expect(model.capabilities.inputEmbeddings).toBe(true);
    const matrix = await model.embeddingMatrix?.();
    expect(matrix?.rows).toBe(model.vocabSize);
    expect(matrix?.columns).toBe(model.hiddenSize);
    const embedded = await model.layers?.embed([prompt[0], prompt[1]]);
    expect(maxAbsDifference(row(embedded ?? createMatrix(0, 0), 1), row(matrix ?? createMatrix(0, 0), prompt[1]))).toBe(
      0,
    );
    // Cached: the same object comes back.
    expect(await model.embeddingMatrix?.()).toBe(matrix);
  });

  it('a block of input embeddings equals the same block of token ids', async () => {
    const matrix = await model.embeddingMatrix?.();
    if (!matrix) throw new Error('no embedding matrix');
    const embeddings = new Float32Array(prompt.length * model.hiddenSize);
    prompt.forEach((token, i) => {
      embeddings.set(row(matrix, token), i * model.hiddenSize);
    });
    const viaEmbeddings = await model.openSequence().forward({ tokens: prompt, embeddings }, { hiddenStates: true });
    const viaTokens = await model.openSequence().forward({ tokens: prompt }, { hiddenStates: true });
    expect(maxAbsDifference(viaEmbeddings.logits.data, viaTokens.logits.data)).toBeLessThan(tolerance);
    // Placeholder ids (-1) are allowed with embeddings; the sequence records them.
    const sequence = model.openSequence();
    await sequence.forward({ tokens: [-1, -1], embeddings: embeddings.subarray(0, 2 * model.hiddenSize) });
    expect(Array.from(sequence.tokens())).toEqual([-1, -1]);
  });

  it('a tree block of embeddings equals the tree block of token ids', async () => {
    const matrix = await model.embeddingMatrix?.();
    if (!matrix) throw new Error('no embedding matrix');
    const treeTokens = prompt.slice(0, 5);
    const parents = [-1, -1, 0, 0, 1];
    const embeddings = new Float32Array(treeTokens.length * model.hiddenSize);
    treeTokens.forEach((token, i) => {
      embeddings.set(row(matrix, token), i * model.hiddenSize);
    });
    const viaEmbeddings = model.openSequence();
    const viaTokens = model.openSequence();
    await viaEmbeddings.forward({ tokens: [7, 8] });
    await viaTokens.forward({ tokens: [7, 8] });
    const a = await viaEmbeddings.forward({ tokens: treeTokens, parents, embeddings });
    const b = await viaTokens.forward({ tokens: treeTokens, parents });
    expect(maxAbsDifference(a.logits.data, b.logits.data)).toBeLessThan(tolerance);
    await viaEmbeddings.accept([1, 4]);
    await viaTokens.accept([1, 4]);
    const nextA = await viaEmbeddings.forward({ tokens: [9] });
    const nextB = await viaTokens.forward({ tokens: [9] });
    expect(maxAbsDifference(nextA.logits.data, nextB.logits.data)).toBeLessThan(tolerance);
  });

  it('embed -> runLayers(0, L) -> head equals forward after a cached prefix', async () => {
    const layers = model.layers;
    if (!layers) throw new Error('layerSplit expected');
    expect(model.capabilities.layerSplit).toBe(true);
    expect(layers.count).toBe(model.numLayers);
    const sequence = model.openSequence();
    await sequence.forward({ tokens: prompt.slice(0, 5) });
    const block = prompt.slice(5);
    const embedded = await layers.embed(block);
    const half = Math.floor(layers.count / 2);
    const middle = await layers.runLayers(sequence, embedded, 0, half);
    const top = await layers.runLayers(sequence, middle, half, layers.count);
    const head = await layers.head(top);
    expect(sequence.length).toBe(5); // layered runs leave the cache alone
    const reference = await sequence.forward({ tokens: block }, { hiddenStates: true });
    expect(maxAbsDifference(head.logits.data, reference.logits.data)).toBeLessThan(tolerance);
    expect(maxAbsDifference(head.hiddenStates.data, reference.hiddenStates?.data ?? [])).toBeLessThan(tolerance);
  });

  it('runLayers on an empty sequence equals a prefill', async () => {
    const layers = model.layers;
    if (!layers) throw new Error('layerSplit expected');
    const sequence = model.openSequence();
    const hidden = await layers.runLayers(sequence, await layers.embed(prompt), 0, layers.count);
    const head = await layers.head(hidden);
    const reference = await sequence.forward({ tokens: prompt });
    expect(maxAbsDifference(head.logits.data, reference.logits.data)).toBeLessThan(tolerance);
  });

  it('runLayers rejects a bad layer range', async () => {
    const layers = model.layers;
    if (!layers) throw new Error('layerSplit expected');
    const embedded = await layers.embed([5]);
    await expect(layers.runLayers(model.openSequence(), embedded, 2, 1)).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    await expect(layers.runLayers(model.openSequence(), embedded, 0, layers.count + 1)).rejects.toMatchObject({
      code: 'invalid-argument',
    });
  });
});
