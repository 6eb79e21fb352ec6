import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ContextOverflowError,
  DecodekitError,
  DisposedError,
  InvalidArgumentError,
  ModelFormatError,
  TokenOutOfRangeError,
} from '@decodekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type OnnxCausalLM } from '../src/index.js';
import { someTokens, tinyLm } from './helpers.js';

describe('typed errors', () => {
  let model: OnnxCausalLM;
  let scratch: string;
  beforeAll(async () => {
    model = await loadModel(tinyLm, { intraOpNumThreads: 1, extensions: false });
    scratch = await mkdtemp(join(tmpdir(), 'runtime-onnx-'));
  });
  afterAll(async () => {
    await model.dispose();
    await rm(scratch, { recursive: true, force: true });
  });

  it('bad options are InvalidArgumentErrors naming the setting', async () => {
    await expect(loadModel(tinyLm, { intraOpNumThreads: 0 })).rejects.toMatchObject({ setting: 'intraOpNumThreads' });
    await expect(loadModel(tinyLm, { graphOptimizationLevel: 'fast' as unknown as 'all' })).rejects.toMatchObject({
      setting: 'graphOptimizationLevel',
    });
  });

  it('a missing directory is a ModelFormatError that names it', async () => {
    const missing = join(scratch, 'no-such-model');
    const error = await loadModel(missing).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelFormatError);
    expect((error as Error).message).toContain(missing);
  });

  it('a directory without onnx/model.onnx names the file and the export to run', async () => {
    const directory = join(scratch, 'config-only');
    await cp(join(tinyLm, 'config.json'), join(directory, 'config.json'));
    const error = await loadModel(directory).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelFormatError);
    expect((error as Error).message).toContain(join(directory, 'onnx', 'model.onnx'));
    expect((error as Error).message).toContain('text-generation-with-past');
  });

  it('a corrupt config.json and a config without vocab_size are ModelFormatErrors', async () => {
    const corrupt = join(scratch, 'corrupt');
    await cp(join(tinyLm, 'onnx'), join(corrupt, 'onnx'), { recursive: true });
    await writeFile(join(corrupt, 'config.json'), '{ "hidden_size": 192,');
    await expect(loadModel(corrupt)).rejects.toThrow(/config\.json is not a valid JSON object/);
    await writeFile(join(corrupt, 'config.json'), JSON.stringify({ hidden_size: 192, num_attention_heads: 6 }));
    await expect(loadModel(corrupt)).rejects.toThrow(/vocab_size/);
  });

  it('a graph that is not an ONNX model is a ModelFormatError naming the file', async () => {
    const broken = join(scratch, 'broken-graph');
    await cp(join(tinyLm, 'config.json'), join(broken, 'config.json'));
    await cp(join(tinyLm, 'config.json'), join(broken, 'onnx', 'model.onnx'));
    const error = await loadModel(broken).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelFormatError);
    expect((error as Error).message).toContain('model.onnx');
  });

  it('detection follows the graphs: a corrupt tree.onnx is named, a missing layer graph drops only layerSplit', async () => {
    const copy = join(scratch, 'edited-extensions');
    await cp(tinyLm, copy, { recursive: true });
    await rm(join(copy, 'decodekit', 'layer.1.onnx'));
    const partial = await loadModel(copy, { intraOpNumThreads: 1 });
    try {
      expect(partial.capabilities).toMatchObject({
        treeAttention: true,
        hiddenStates: true,
        inputEmbeddings: true,
        layerSplit: false,
      });
      expect(partial.layers).toBeUndefined();
    } finally {
      await partial.dispose();
    }
    await writeFile(join(copy, 'decodekit', 'tree.onnx'), 'not a graph');
    const error = await loadModel(copy).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelFormatError);
    expect((error as Error).message).toContain(join('decodekit', 'tree.onnx'));
    // Without extensions the same directory still loads as a chain-only model.
    const plain = await loadModel(copy, { extensions: false, intraOpNumThreads: 1 });
    expect(plain.capabilities.treeAttention).toBe(false);
    await plain.dispose();
  });

  it('token ids outside the vocabulary throw TokenOutOfRangeError before running', async () => {
    const sequence = model.openSequence();
    for (const bad of [-1, model.vocabSize, 1.5]) {
      const error = await sequence.forward({ tokens: [3, bad] }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TokenOutOfRangeError);
      expect(DecodekitError.is(error) && error.code).toBe('token-out-of-range');
    }
    expect(sequence.length).toBe(0);
    await expect(sequence.forward({ tokens: [] })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('blocks past max_position_embeddings throw ContextOverflowError', async () => {
    const sequence = model.openSequence();
    await sequence.forward({ tokens: someTokens(model.contextLength - 2, 61) }, { logits: 'none' });
    const error = await sequence.forward({ tokens: [5, 6, 7] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ContextOverflowError);
    expect((error as ContextOverflowError).required).toBe(model.contextLength + 1);
    await expect(sequence.forward({ tokens: [5, 6] }, { logits: 'last' })).resolves.toBeDefined();
    expect(sequence.length).toBe(model.contextLength);
  });

  it('a disposed sequence or model throws DisposedError', async () => {
    const sequence = model.openSequence();
    await sequence.forward({ tokens: [4, 5] });
    await sequence.dispose();
    await expect(sequence.forward({ tokens: [6] })).rejects.toBeInstanceOf(DisposedError);
    expect(() => sequence.tokens()).toThrow(DisposedError);
    expect(() => sequence.truncate(0)).toThrow(DisposedError);
    const other = await loadModel(tinyLm, { intraOpNumThreads: 1, extensions: false });
    const open = other.openSequence();
    await other.dispose();
    expect(() => other.openSequence()).toThrow(DisposedError);
    await expect(open.forward({ tokens: [1] })).rejects.toBeInstanceOf(DisposedError);
  });

  it('concurrent forwards on one sequence are refused, truncate past the end is rejected', async () => {
    const sequence = model.openSequence();
    const first = sequence.forward({ tokens: [4, 5] });
    await expect(sequence.forward({ tokens: [6] })).rejects.toMatchObject({ code: 'invalid-state' });
    await first;
    expect(() => sequence.truncate(3)).toThrow(InvalidArgumentError);
    expect(() => sequence.accept([0, 1, 2])).toThrow(InvalidArgumentError);
  });
});
