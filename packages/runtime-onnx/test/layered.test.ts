import { CapabilityError, InvalidArgumentError, InvalidStateError, type Matrix } from '@decodekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type OnnxCausalLM, type OnnxLayeredSequence } from '../src/index.js';
import { maxAbsDifference, row, someTokens, tinyLm, tolerance } from './helpers.js';

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

describe('layered sequences (per-layer KV caches) on tiny-lm', () => {
  let model: OnnxCausalLM;
  let L: number;
  const prompt = someTokens(12, 77);
  const open = (): OnnxLayeredSequence => {
    const layers = model.layers;
    if (!layers) throw new Error('layerSplit expected');
    return layers.openSequence();
  };
  beforeAll(async () => {
    model = await loadModel(tinyLm, { intraOpNumThreads: 1 });
    L = model.numLayers;
  });
  afterAll(async () => {
    await model.dispose();
  });

  it('composing layer ranges with the shared cache equals the full model', async () => {
    const reference = model.openSequence();
    const full = await reference.forward({ tokens: prompt });
    const layered = open();
    // Layers [0, 3) over the first 7 tokens, [0, 5) over the rest, then catch up every layer.
    await layered.run({ tokens: prompt.slice(0, 7) }, { to: 3 });
    expect(layered.layerLengths()).toEqual([7, 7, 7, 0, 0, 0, 0, 0]);
    expect(layered.length).toBe(0);
    await layered.run({ tokens: prompt.slice(7) }, { to: 5 });
    expect(layered.layerLengths()).toEqual([12, 12, 12, 12, 12, 0, 0, 0]);
    const caught = await layered.forward({ tokens: prompt }, { logits: 'all' });
    expect(layered.layerLengths()).toEqual(Array(L).fill(12));
    expect(maxAbsDifference(caught.logits.data, full.logits.data)).toBeLessThan(tolerance);
    // The next step from the shared cache matches the reference's next step.
    const next = await layered.forward({ tokens: [5, 6] });
    const expected = await reference.forward({ tokens: [5, 6] });
    expect(maxAbsDifference(next.logits.data, expected.logits.data)).toBeLessThan(tolerance);
  });

  it('drafting with layers [0, E) then finishing [E, L) equals the full forward, for every E', async () => {
    for (let E = 1; E < L; E++) {
      const reference = model.openSequence();
      const layered = open();
      const prefillA = await reference.forward({ tokens: prompt }, { logits: 'last' });
      const prefillB = await layered.forward({ tokens: prompt }, { logits: 'last' });
      expect(maxAbsDifference(prefillA.logits.data, prefillB.logits.data)).toBeLessThan(tolerance);
      // Draft three tokens greedily from the exit layer (root first), as LayerSkip does.
      const root = argmax(row(prefillB.logits, 0));
      const draft: number[] = [];
      let token = root;
      for (let j = 0; j < 3; j++) {
        const out = await layered.run({ tokens: [token] }, { to: E, logits: 'last', exitHidden: true });
        expect(out.outputStart).toBe(prompt.length + j);
        token = argmax(row(out.logits as Matrix, 0));
        draft.push(token);
      }
      expect(layered.layerLengths().slice(0, E)).toEqual(Array(E).fill(prompt.length + 3));
      expect(layered.length).toBe(prompt.length);
      const block = [root, ...draft];
      const verified = await layered.forward({ tokens: block });
      const expected = await reference.forward({ tokens: block });
      expect(maxAbsDifference(verified.logits.data, expected.logits.data)).toBeLessThan(tolerance);
      // Accept the root and one draft token; the rollback leaves every layer level.
      layered.accept([0, 1]);
      reference.accept([0, 1]);
      expect(layered.layerLengths()).toEqual(Array(L).fill(prompt.length + 2));
      const after = await layered.forward({ tokens: [9] });
      const afterReference = await reference.forward({ tokens: [9] });
      expect(maxAbsDifference(after.logits.data, afterReference.logits.data)).toBeLessThan(tolerance);
    }
  });

  it('a block that differs from the drafted positions drops them and recomputes', async () => {
    const reference = model.openSequence();
    const layered = open();
    await reference.forward({ tokens: prompt });
    await layered.forward({ tokens: prompt });
    await layered.run({ tokens: [3, 4, 5] }, { to: 4 });
    // Position 1 of the block differs from the drafted token 4.
    const verified = await layered.forward({ tokens: [3, 8, 5, 6] });
    const expected = await reference.forward({ tokens: [3, 8, 5, 6] });
    expect(maxAbsDifference(verified.logits.data, expected.logits.data)).toBeLessThan(tolerance);
    // truncate rolls every layer back, including positions only lower layers hold.
    await layered.run({ tokens: [7, 7] }, { to: 2 });
    layered.truncate(prompt.length + 1);
    reference.truncate(prompt.length + 1);
    expect(layered.layerLengths()).toEqual(Array(L).fill(prompt.length + 1));
    expect(Array.from(layered.tokens())).toEqual(Array.from(reference.tokens()));
    const a = await layered.forward({ tokens: [11] });
    const b = await reference.forward({ tokens: [11] });
    expect(maxAbsDifference(a.logits.data, b.logits.data)).toBeLessThan(tolerance);
  });

  it('layer outputs are the intermediate hidden states: the last one through the head gives the logits', async () => {
    const layered = open();
    const out = await layered.run({ tokens: prompt }, { logits: 'all', layerOutputs: true, hiddenStates: true });
    const outputs = out.layerOutputs ?? [];
    expect(outputs.length).toBe(L);
    for (const entry of outputs) {
      expect(entry?.start).toBe(0);
      expect(entry?.hidden.rows).toBe(prompt.length);
    }
    const layers = model.layers;
    if (!layers) throw new Error('layerSplit expected');
    const head = await layers.head(outputs[L - 1]?.hidden as Matrix);
    expect(maxAbsDifference(head.logits.data, (out.logits as Matrix).data)).toBeLessThan(tolerance);
    // Layer 2's output from a [0, 3) run equals layer 2's output inside the full run.
    const partial = await open().run({ tokens: prompt }, { to: 3, exitHidden: true });
    const layerTwo = outputs[2]?.hidden as Matrix;
    expect(maxAbsDifference((partial.exitHidden as Matrix).data, layerTwo.data)).toBeLessThan(tolerance);
    // The normalized states match the tree graph's hidden-state output.
    const viaTree = await model.openSequence().forward({ tokens: prompt }, { hiddenStates: true });
    expect(maxAbsDifference((out.hiddenStates as Matrix).data, (viaTree.hiddenStates as Matrix).data)).toBeLessThan(
      tolerance,
    );
  });

  it('tree blocks on a level cache: forward, accept a branch, continue', async () => {
    const reference = model.openSequence();
    const layered = open();
    await reference.forward({ tokens: prompt.slice(0, 6) });
    await layered.forward({ tokens: prompt.slice(0, 6) });
    const tree = { tokens: [20, 21, 22, 23, 24], parents: [-1, 0, 0, 1, 2] };
    const a = await layered.forward(tree);
    const b = await reference.forward(tree);
    expect(maxAbsDifference(a.logits.data, b.logits.data)).toBeLessThan(tolerance);
    await expect(layered.run({ tokens: [1] }, { to: 2 })).rejects.toBeInstanceOf(InvalidStateError);
    layered.accept([0, 2, 4]);
    reference.accept([0, 2, 4]);
    const c = await layered.forward({ tokens: [30] });
    const d = await reference.forward({ tokens: [30] });
    expect(maxAbsDifference(c.logits.data, d.logits.data)).toBeLessThan(tolerance);
    // The per-layer path handles trees too (layer outputs force it).
    const e = await layered.run(tree, { logits: 'all', layerOutputs: true });
    const f = await reference.forward(tree);
    expect(maxAbsDifference((e.logits as Matrix).data, f.logits.data)).toBeLessThan(tolerance);
  });

  it('injected rows: the block and the cache are unchanged, the rows equal running them after the accepted path', async () => {
    const layers = model.layers;
    if (!layers) throw new Error('layerSplit expected');
    const at = 3;
    const tree = { tokens: [20, 21, 22, 23], parents: [-1, 0, 0, 1] };
    const reference = model.openSequence();
    await reference.forward({ tokens: prompt });
    const plain = await reference.forward(tree, { hiddenStates: true });
    const layered = open();
    await layered.forward({ tokens: prompt });
    let extraInputs = new Float32Array(0);
    const out = await layered.run(tree, {
      logits: 'all',
      hiddenStates: true,
      inject: {
        layer: at,
        rows(input) {
          expect(input.rows).toBe(tree.tokens.length);
          // Two chained rows under node 1 (a perturbed copy of its layer input), one under node 2.
          const H = input.columns;
          extraInputs = new Float32Array(3 * H);
          for (let d = 0; d < H; d++) {
            extraInputs[d] = input.data[H + d] * 0.9 + 0.1;
            extraInputs[H + d] = input.data[H + d] - 0.2;
            extraInputs[2 * H + d] = input.data[2 * H + d] * 1.1;
          }
          return { hidden: extraInputs, parents: [1, 4, 2] };
        },
      },
    });
    expect(maxAbsDifference((out.logits as Matrix).data, plain.logits.data)).toBeLessThan(tolerance);
    expect(maxAbsDifference((out.hiddenStates as Matrix).data, (plain.hiddenStates as Matrix).data)).toBeLessThan(
      tolerance,
    );
    expect(out.injected?.logits?.rows).toBe(3);
    expect(out.injected?.hiddenStates?.rows).toBe(3);
    expect(layered.layerLengths()).toEqual(Array(L).fill(prompt.length + tree.tokens.length));
    // Keep root -> node 1 in both; the next step (without injection) matches the reference.
    layered.accept([0, 1]);
    reference.accept([0, 1]);
    // The rows under node 1, run after the accepted path through layers [at, L), give the same logits.
    const H = model.hiddenSize;
    const alone = await layers.runLayers(reference, { rows: 2, columns: H, data: extraInputs.slice(0, 2 * H) }, at, L);
    const head = await layers.head(alone);
    const injected = out.injected?.logits as Matrix;
    expect(maxAbsDifference(injected.data.subarray(0, 2 * injected.columns), head.logits.data)).toBeLessThan(tolerance);
    const c = await layered.forward({ tokens: [30, 31] });
    const d = await reference.forward({ tokens: [30, 31] });
    expect(maxAbsDifference(c.logits.data, d.logits.data)).toBeLessThan(tolerance);
    // Typed errors: a layer outside [1, L), an unlevel sequence, bad rows.
    const inject = (layer: number, parents: number[]) => ({
      layer,
      rows: (input: Matrix) => ({ hidden: new Float32Array(parents.length * input.columns), parents }),
    });
    await expect(layered.run({ tokens: [5] }, { inject: inject(0, [0]) })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(layered.run({ tokens: [5] }, { inject: inject(at, [3]) })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await layered.run({ tokens: [5] }, { to: 2 });
    await expect(
      layered.run({ tokens: [5] }, { start: layered.length, inject: inject(at, [0]) }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('fork shares the caches; invalid calls throw typed errors', async () => {
    const layered = open();
    await layered.forward({ tokens: prompt.slice(0, 5) });
    await layered.run({ tokens: [3, 4] }, { to: 2 });
    const copy = layered.fork();
    expect(copy.layerLengths()).toEqual(layered.layerLengths());
    const a = await copy.forward({ tokens: [3, 4] });
    const b = await layered.forward({ tokens: [3, 4] });
    expect(maxAbsDifference(a.logits.data, b.logits.data)).toBe(0);
    await expect(layered.run({ tokens: [1] }, { to: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(layered.run({ tokens: [1] }, { start: 1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await layered.run({ tokens: [1, 2] }, { to: 3 });
    await expect(layered.run({ tokens: [1, 2], parents: [-1, -1] }, { to: 3 })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(() => layered.accept([0])).toThrow(InvalidStateError);
    expect(CapabilityError).toBeDefined();
  });
});
