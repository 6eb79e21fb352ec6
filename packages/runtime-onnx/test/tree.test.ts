import { CapabilityError, InvalidArgumentError, InvalidStateError, pathTo, rootToLeafPaths } from '@decodekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type OnnxCausalLM } from '../src/index.js';
import { maxAbsDifference, row, someTokens, tinyLm, tolerance } from './helpers.js';

// A tree over 8 nodes: two children of the root, branches of depth 3.
//        -1
//      0     1
//    2  3    4
//    5       6 7
const parents = [-1, -1, 0, 0, 1, 2, 4, 4];

describe('tree blocks on tiny-lm (decodekit/tree.onnx)', () => {
  let model: OnnxCausalLM;
  const prompt = someTokens(11, 41);
  const treeTokens = someTokens(parents.length, 42);
  beforeAll(async () => {
    model = await loadModel(tinyLm, { intraOpNumThreads: 1 });
  });
  afterAll(async () => {
    await model.dispose();
  });

  it('detects tree attention and hidden states from the graph', () => {
    expect(model.capabilities.treeAttention).toBe(true);
    expect(model.capabilities.hiddenStates).toBe(true);
  });

  it('a tree block scores every node as its root-to-leaf path would as a chain', async () => {
    const sequence = model.openSequence();
    await sequence.forward({ tokens: prompt });
    const tree = await sequence.forward({ tokens: treeTokens, parents });
    expect(tree.logits.rows).toBe(parents.length);
    for (const path of rootToLeafPaths(parents)) {
      const chain = model.openSequence();
      await chain.forward({ tokens: prompt });
      const output = await chain.forward({ tokens: path.map((node) => treeTokens[node]) });
      path.forEach((node, depth) => {
        expect(maxAbsDifference(row(tree.logits, node), row(output.logits, depth))).toBeLessThan(tolerance);
      });
    }
  });

  it('accept(path) gathers the path into the cache; decoding continues as on the chain', async () => {
    const leaf = 6;
    const path = pathTo(parents, leaf); // [1, 4, 6]
    const sequence = model.openSequence();
    await sequence.forward({ tokens: prompt });
    await sequence.forward({ tokens: treeTokens, parents });
    await sequence.accept(path);
    const accepted = path.map((node) => treeTokens[node]);
    expect(Array.from(sequence.tokens())).toEqual([...prompt, ...accepted]);
    const next = await sequence.forward({ tokens: [77, 78] });
    const chain = await model.openSequence().forward({ tokens: [...prompt, ...accepted, 77, 78] });
    const at = prompt.length + accepted.length;
    for (let i = 0; i < 2; i++)
      expect(maxAbsDifference(row(next.logits, i), row(chain.logits, at + i))).toBeLessThan(tolerance);
  });

  it('forward after an unaccepted tree throws InvalidStateError; a bad path throws InvalidArgumentError', async () => {
    const sequence = model.openSequence();
    await sequence.forward({ tokens: prompt });
    await sequence.forward({ tokens: treeTokens, parents });
    await expect(sequence.forward({ tokens: [5] })).rejects.toBeInstanceOf(InvalidStateError);
    expect(() => sequence.accept([0, 4])).toThrow(InvalidArgumentError);
    await sequence.accept([]);
    expect(sequence.length).toBe(prompt.length);
    await expect(sequence.forward({ tokens: [5] })).resolves.toBeDefined();
  });

  it('hidden states come back per block token, and a tree batch mixes with chains', async () => {
    const chainSequence = model.openSequence();
    const treeSequence = model.openSequence();
    await chainSequence.forward({ tokens: prompt.slice(0, 5) });
    await treeSequence.forward({ tokens: prompt });
    const [chainOut, treeOut] = await model.forwardBatch(
      [
        { sequence: chainSequence, block: { tokens: prompt.slice(5) } },
        { sequence: treeSequence, block: { tokens: treeTokens, parents } },
      ],
      { hiddenStates: true },
    );
    expect(chainOut.hiddenStates?.rows).toBe(prompt.length - 5);
    expect(treeOut.hiddenStates?.rows).toBe(parents.length);
    expect(treeOut.hiddenStates?.columns).toBe(model.hiddenSize);
    const single = model.openSequence();
    await single.forward({ tokens: prompt });
    const reference = await single.forward({ tokens: treeTokens, parents }, { hiddenStates: true });
    expect(maxAbsDifference(treeOut.logits.data, reference.logits.data)).toBeLessThan(tolerance);
    expect(maxAbsDifference(treeOut.hiddenStates?.data ?? [], reference.hiddenStates?.data ?? [])).toBeLessThan(
      tolerance,
    );
  });

  it('without extension graphs a branching block throws CapabilityError(treeAttention)', async () => {
    const plain = await loadModel(tinyLm, { extensions: false, intraOpNumThreads: 1 });
    try {
      expect(plain.capabilities).toMatchObject({
        treeAttention: false,
        hiddenStates: false,
        layerSplit: false,
        inputEmbeddings: false,
      });
      const sequence = plain.openSequence();
      await sequence.forward({ tokens: prompt });
      const error = await sequence.forward({ tokens: treeTokens, parents }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CapabilityError);
      expect((error as CapabilityError).capability).toBe('treeAttention');
      await expect(sequence.forward({ tokens: [3] }, { hiddenStates: true })).rejects.toMatchObject({
        capability: 'hiddenStates',
      });
      // Chains (including parents that form a chain) still work.
      await expect(sequence.forward({ tokens: [3, 4], parents: [-1, 0] })).resolves.toBeDefined();
    } finally {
      await plain.dispose();
    }
  });
});
