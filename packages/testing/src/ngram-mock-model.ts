import { InvalidArgumentError } from '@decodekit/core';
import { combineHash, hashToUnit, mix32 } from './hash.js';
import { createMockModel, type MockModel } from './mock-model.js';

export interface NgramMockModelOptions {
  readonly vocabSize: number;
  /** The next-token logits depend on the last `order - 1` tokens (default 2: a bigram model). */
  readonly order?: number;
  /** Seed of the hashed logits table (default 0). Different seeds give unrelated models. */
  readonly seed?: number;
  /** Default 512. */
  readonly contextLength?: number;
  /** Standard deviation of the logits (default 3): larger is peakier. */
  readonly scale?: number;
  /** End-of-sequence tokens (default none). */
  readonly eos?: readonly number[];
  /** Hidden state length (default 8). */
  readonly hiddenSize?: number;
  /** Whether the model outputs hidden states (default true). */
  readonly hiddenStates?: boolean;
  /** Whether tree blocks are accepted (default true); false tests chain-only fallbacks. */
  readonly treeAttention?: boolean;
  /** Return promises from sequence methods, like a worker-thread runtime (default false). */
  readonly asynchronous?: boolean;
  readonly name?: string;
}

/** An n-gram mock model: its order and seed are public so tests can reason about it. */
export interface NgramMockModel extends MockModel {
  readonly order: number;
  readonly seed: number;
}

/**
 * A mock `CausalLM` whose next-token logits are a seeded hash of the last `order - 1` tokens
 * (shorter contexts are padded with a virtual start token), roughly Gaussian with standard
 * deviation `scale`. Every probability is known exactly through `model.logitsFor(context)`, so
 * `sequenceProbabilities` gives the exact joint distribution of generated tokens.
 * Hidden states are a decaying sum of hashed token embeddings over the same window.
 */
export function createNgramMockModel(options: NgramMockModelOptions): NgramMockModel {
  const vocabSize = options.vocabSize;
  const order = options.order ?? 2;
  const seed = options.seed ?? 0;
  const scale = options.scale ?? 3;
  const hiddenSize = options.hiddenSize ?? 8;
  if (!Number.isInteger(order) || order < 1)
    throw new InvalidArgumentError('order', `must be an integer >= 1, got ${order}`);
  if (!Number.isFinite(scale) || scale < 0)
    throw new InvalidArgumentError('scale', `must be a finite number >= 0, got ${scale}`);
  const window = order - 1;
  const seedHash = mix32(seed ^ 0x6a09e667);
  // Rows are cached by window; a numeric key while it stays exact, else a string.
  const numericKeys = (vocabSize + 1) ** window < 2 ** 52;
  const cache = new Map<number | string, Float32Array>();
  const maxCached = 1 << 16;

  const windowHash = (context: ArrayLike<number>) => {
    let h = seedHash;
    for (let k = window; k >= 1; k--) {
      const index = context.length - k;
      h = combineHash(h, index >= 0 ? context[index] + 1 : 0);
    }
    return h;
  };
  const windowKey = (context: ArrayLike<number>): number | string => {
    if (numericKeys) {
      let key = 0;
      for (let k = window; k >= 1; k--) {
        const index = context.length - k;
        key = key * (vocabSize + 1) + (index >= 0 ? context[index] + 1 : 0);
      }
      return key;
    }
    const parts: number[] = [];
    for (let k = window; k >= 1; k--) parts.push(context.length - k >= 0 ? context[context.length - k] : -1);
    return parts.join(',');
  };
  const computeRow = (context: ArrayLike<number>) => {
    const row = new Float32Array(vocabSize);
    const h = windowHash(context);
    for (let v = 0; v < vocabSize; v++) {
      // Box-Muller from two hashed uniforms: a standard normal per (window, token).
      const a = combineHash(h, 2 * v);
      const b = combineHash(h, 2 * v + 1);
      const u1 = (hashToUnit(a) * 4294967295 + 1) / 4294967296; // in (0, 1]
      const u2 = hashToUnit(b);
      row[v] = scale * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
    return row;
  };
  const embeddingSeed = mix32(seed ^ 0x3c6ef372);

  const model = createMockModel({
    name: options.name ?? `ngram-mock(order=${order},seed=${seed})`,
    vocabSize,
    contextLength: options.contextLength ?? 512,
    eos: options.eos,
    hiddenSize,
    treeAttention: options.treeAttention ?? true,
    asynchronous: options.asynchronous ?? false,
    logitsFor(context, out) {
      const key = windowKey(context);
      let row = cache.get(key);
      if (!row) {
        row = computeRow(context);
        if (cache.size >= maxCached) cache.clear();
        cache.set(key, row);
      }
      out.set(row);
    },
    hiddenStateFor:
      options.hiddenStates === false
        ? undefined
        : (context, out) => {
            out.fill(0);
            // Window of max(order - 1, 1) tokens, so even a unigram model has informative hidden states.
            const span = Math.max(window, 1);
            for (let k = 1; k <= span; k++) {
              const index = context.length - k;
              const token = index >= 0 ? context[index] + 1 : 0;
              const weight = 0.5 ** (k - 1);
              const h = combineHash(embeddingSeed, token);
              for (let j = 0; j < out.length; j++) out[j] += weight * (2 * hashToUnit(combineHash(h, j)) - 1);
            }
          },
  });
  return Object.assign(model, { order, seed }) as NgramMockModel;
}
