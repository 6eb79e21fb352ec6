import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type OnnxCausalLM } from '../src/index.js';
import { maxAbsDifference, row, someTokens, tinyLm, tinyLmDraft, tolerance } from './helpers.js';

describe('KV-cached decoding on tiny-lm (fp32)', () => {
  let model: OnnxCausalLM;
  beforeAll(async () => {
    model = await loadModel(tinyLm, { intraOpNumThreads: 1, executionProviders: ['cpu'] });
  });
  afterAll(async () => {
    await model.dispose();
  });

  it('reads config.json and generation_config.json', () => {
    expect(model.vocabSize).toBe(4096);
    expect(model.contextLength).toBe(512);
    expect(model.numLayers).toBeGreaterThan(0);
    expect(model.specialTokens.eos.length).toBeGreaterThan(0);
    expect(model.cacheType).toBe('float32');
    expect(model.name).toBe('tiny-lm');
  });

  it('incremental decoding with the cache equals full recomputation', async () => {
    const tokens = someTokens(24, 7);
    const full = await model.openSequence().forward({ tokens });
    expect(full.logits.rows).toBe(tokens.length);
    const sequence = model.openSequence();
    // Uneven blocks: a prompt, single tokens, a 4-token chain.
    const splits = [9, 1, 1, 4, 1, 8];
    let at = 0;
    for (const size of splits) {
      const output = await sequence.forward({ tokens: tokens.slice(at, at + size) });
      expect(output.logits.rows).toBe(size);
      for (let i = 0; i < size; i++) {
        expect(maxAbsDifference(row(output.logits, i), row(full.logits, at + i))).toBeLessThan(tolerance);
      }
      at += size;
    }
    expect(sequence.length).toBe(tokens.length);
    expect(Array.from(sequence.tokens())).toEqual(tokens);
  });

  it("logits: 'last' returns the last row and 'none' returns no rows", async () => {
    const tokens = someTokens(6, 11);
    const full = await model.openSequence().forward({ tokens });
    const last = await model.openSequence().forward({ tokens }, { logits: 'last' });
    expect(last.logits.rows).toBe(1);
    expect(maxAbsDifference(row(last.logits, 0), row(full.logits, 5))).toBeLessThan(tolerance);
    const none = await model.openSequence().forward({ tokens }, { logits: 'none' });
    expect(none.logits.rows).toBe(0);
  });

  it('truncate and re-forward equals a fresh run; fork shares nothing observable', async () => {
    const tokens = someTokens(12, 3);
    const sequence = model.openSequence();
    await sequence.forward({ tokens: tokens.slice(0, 10) });
    const fork = await sequence.fork();
    await sequence.truncate(6);
    expect(sequence.length).toBe(6);
    const again = await sequence.forward({ tokens: tokens.slice(6, 12) });
    const fresh = await model.openSequence().forward({ tokens });
    for (let i = 0; i < 6; i++)
      expect(maxAbsDifference(row(again.logits, i), row(fresh.logits, 6 + i))).toBeLessThan(tolerance);
    // The fork still holds its 10 tokens and continues from them.
    expect(fork.length).toBe(10);
    const next = await fork.forward({ tokens: tokens.slice(10, 12) });
    expect(maxAbsDifference(row(next.logits, 1), row(fresh.logits, 11))).toBeLessThan(tolerance);
  });

  it('accepting a chain prefix keeps exactly that prefix', async () => {
    const tokens = someTokens(10, 5);
    const sequence = model.openSequence();
    await sequence.forward({ tokens: tokens.slice(0, 4) });
    await sequence.forward({ tokens: [...tokens.slice(4, 7), 99, 98] });
    await sequence.accept([0, 1, 2]);
    expect(Array.from(sequence.tokens())).toEqual(tokens.slice(0, 7));
    const output = await sequence.forward({ tokens: tokens.slice(7, 10) });
    const fresh = await model.openSequence().forward({ tokens });
    for (let i = 0; i < 3; i++)
      expect(maxAbsDifference(row(output.logits, i), row(fresh.logits, 7 + i))).toBeLessThan(tolerance);
  });

  it('forwardBatch with different cache and block lengths equals separate runs', async () => {
    const a = someTokens(13, 21);
    const b = someTokens(7, 22);
    const c = someTokens(4, 23);
    const sequences = [model.openSequence(), model.openSequence(), model.openSequence()];
    await sequences[0].forward({ tokens: a.slice(0, 10) });
    await sequences[1].forward({ tokens: b.slice(0, 2) });
    // sequences[2] starts empty.
    const outputs = await model.forwardBatch([
      { sequence: sequences[0], block: { tokens: a.slice(10) } },
      { sequence: sequences[1], block: { tokens: b.slice(2) } },
      { sequence: sequences[2], block: { tokens: c } },
    ]);
    const expected = await Promise.all([a, b, c].map((tokens) => model.openSequence().forward({ tokens })));
    const starts = [10, 2, 0];
    outputs.forEach((output, k) => {
      const length = [a, b, c][k].length - starts[k];
      expect(output.logits.rows).toBe(length);
      for (let i = 0; i < length; i++) {
        expect(maxAbsDifference(row(output.logits, i), row(expected[k].logits, starts[k] + i))).toBeLessThan(tolerance);
      }
    });
    // The caches continue correctly after the padded run.
    const next = await sequences[1].forward({ tokens: [42] });
    const reference = await model.openSequence().forward({ tokens: [...b, 42] }, { logits: 'last' });
    expect(maxAbsDifference(row(next.logits, 0), row(reference.logits, 0))).toBeLessThan(tolerance);
    expect(model.capabilities.batchedForward).toBe(true);
  });

  it("forwardBatch with logits: 'last' returns each item's last row", async () => {
    const a = someTokens(5, 31);
    const b = someTokens(9, 32);
    const outputs = await model.forwardBatch(
      [
        { sequence: model.openSequence(), block: { tokens: a } },
        { sequence: model.openSequence(), block: { tokens: b } },
      ],
      { logits: 'last' },
    );
    const lastA = await model.openSequence().forward({ tokens: a }, { logits: 'last' });
    const lastB = await model.openSequence().forward({ tokens: b }, { logits: 'last' });
    expect(maxAbsDifference(outputs[0].logits.data, lastA.logits.data)).toBeLessThan(tolerance);
    expect(maxAbsDifference(outputs[1].logits.data, lastB.logits.data)).toBeLessThan(tolerance);
  });
});

describe('the draft model tiny-lm-draft', () => {
  it('loads with the target vocabulary and decodes incrementally like a full recomputation', async () => {
    const draft = await loadModel(tinyLmDraft, { intraOpNumThreads: 1 });
    try {
      expect(draft.vocabSize).toBe(4096);
      expect(draft.numLayers).toBeGreaterThan(0);
      expect(draft.capabilities.treeAttention).toBe(true);
      const tokens = someTokens(10, 91);
      const full = await draft.openSequence().forward({ tokens });
      const sequence = draft.openSequence();
      await sequence.forward({ tokens: tokens.slice(0, 6) });
      const rest = await sequence.forward({ tokens: tokens.slice(6) });
      for (let i = 0; i < 4; i++)
        expect(maxAbsDifference(row(rest.logits, i), row(full.logits, 6 + i))).toBeLessThan(tolerance);
    } finally {
      await draft.dispose();
    }
  });
});
