import type {
  ChimeraDecoder,
  ChimeraDecoderInput,
  CloverDecoder,
  ContextLayer,
  ContextLayerInput,
  FeatureCache,
  FeatureDrafter,
  HydraHeads,
  MedusaHeads,
  PrefixKeyValues,
  TopTokens,
} from '../src/index.js';

/** A seeded pseudo-random number in [-1, 1) for (seed, i). */
function noise(seed: number, i: number): number {
  let h = (seed * 0x9e3779b1 + i * 0x85ebca6b) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39) >>> 0;
  h ^= h >>> 15;
  return (h >>> 0) / 2 ** 31 - 1;
}

/** Top-k with log-softmax of each row of `logits` (`[rows, vocab]`). */
export function topOf(logits: Float32Array, rows: number, vocab: number, k: number): TopTokens {
  const ids = new Int32Array(rows * k);
  const logprobs = new Float32Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const row = logits.subarray(r * vocab, (r + 1) * vocab);
    let max = -Infinity;
    for (const v of row) max = Math.max(max, v);
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    const order = Array.from(row.keys()).sort((a, b) => row[b] - row[a] || a - b);
    for (let j = 0; j < k; j++) {
      ids[r * k + j] = order[j];
      logprobs[r * k + j] = row[order[j]] - max - Math.log(sum);
    }
  }
  return { rows, k, ids, logprobs };
}

/** Linear mock Medusa heads: head h's logits are a seeded random projection of the hidden state. */
export function mockMedusaHeads(hiddenSize: number, vocab: number, numHeads = 3, topK = 4): MedusaHeads {
  return {
    hiddenSize,
    numHeads,
    topK,
    run(hidden, rows) {
      const logits = new Float32Array(rows * numHeads * vocab);
      for (let r = 0; r < rows; r++)
        for (let h = 0; h < numHeads; h++)
          for (let v = 0; v < vocab; v++) {
            let s = 0;
            for (let d = 0; d < hiddenSize; d++) s += noise(h * 7 + 1, v * hiddenSize + d) * hidden[r * hiddenSize + d];
            logits[(r * numHeads + h) * vocab + v] = 3 * s;
          }
      return topOf(logits, rows * numHeads, vocab, topK);
    },
  };
}

/** Mock Hydra heads: a projection of the hidden state plus a token-pair table over the path's last two tokens. */
export function mockHydraHeads(hiddenSize: number, vocab: number, numHeads = 3, topK = 4): HydraHeads {
  return {
    hiddenSize,
    numHeads,
    topK,
    run(head, hidden, paths, rows) {
      const logits = new Float32Array(rows * vocab);
      const width = head + 1;
      for (let r = 0; r < rows; r++) {
        const last = paths[r * width + width - 1];
        const before = width > 1 ? paths[r * width + width - 2] : -1;
        for (let v = 0; v < vocab; v++) {
          let s = 3 * noise(31 + head, (last * 64 + before + 1) * vocab + v);
          for (let d = 0; d < hiddenSize; d++) s += noise(head + 11, v * hiddenSize + d) * hidden[r * hiddenSize + d];
          logits[r * vocab + v] = 2 * s;
        }
      }
      return topOf(logits, rows, vocab, topK);
    },
  };
}

/**
 * A mock feature drafter with one key/value head of size 1: the next feature mixes the input
 * feature, the token and the mean of the attended values, so a wrong mask changes the drafts.
 */
export function mockFeatureDrafter(hiddenSize: number, vocab: number, topK = 4): FeatureDrafter & { calls: number } {
  const drafter = {
    hiddenSize,
    numKeyValueHeads: 1,
    headDim: 1,
    topK,
    calls: 0,
    run(input: {
      features: Float32Array;
      tokens: Int32Array;
      positions: Int32Array;
      mask: Uint8Array;
      past: FeatureCache;
    }) {
      drafter.calls++;
      const rows = input.tokens.length;
      const total = input.past.length + rows;
      const key = new Float32Array(total);
      const value = new Float32Array(total);
      key.set(input.past.key);
      value.set(input.past.value);
      for (let r = 0; r < rows; r++) {
        const t = input.tokens[r];
        key[input.past.length + r] = noise(3, t);
        value[input.past.length + r] = noise(4, t) + 0.1 * input.features[r * hiddenSize];
      }
      const features = new Float32Array(rows * hiddenSize);
      for (let r = 0; r < rows; r++) {
        let attended = 0;
        let count = 0;
        for (let j = 0; j < total; j++)
          if (input.mask[r * total + j]) {
            attended += value[j];
            count++;
          }
        const context = count > 0 ? attended / count : 0;
        for (let d = 0; d < hiddenSize; d++) {
          features[r * hiddenSize + d] = Math.tanh(
            input.features[r * hiddenSize + ((d + 1) % hiddenSize)] + noise(5 + d, input.tokens[r]) + context,
          );
        }
      }
      const logits = new Float32Array(rows * vocab);
      for (let r = 0; r < rows; r++)
        for (let v = 0; v < vocab; v++) {
          let s = 0;
          for (let d = 0; d < hiddenSize; d++) s += noise(99, v * hiddenSize + d) * features[r * hiddenSize + d];
          logits[r * vocab + v] = 3 * s;
        }
      return { features, top: topOf(logits, rows, vocab, topK), present: { length: total, key, value } };
    },
  };
  return drafter;
}

/** Seeded projection logits of `rows` states (`[rows, hiddenSize]`) onto a `vocab`-token vocabulary. */
function project(states: Float32Array, rows: number, hiddenSize: number, vocab: number, seed: number): Float32Array {
  const logits = new Float32Array(rows * vocab);
  for (let r = 0; r < rows; r++)
    for (let v = 0; v < vocab; v++) {
      let s = 0;
      for (let d = 0; d < hiddenSize; d++) s += noise(seed, v * hiddenSize + d) * states[r * hiddenSize + d];
      logits[r * vocab + v] = 3 * s;
    }
  return logits;
}

/**
 * A mock context layer with one key/value head of size 1, causal over its cache: each row's output
 * mixes its feature with the mean of the values it attends to, so a cache out of step with the
 * committed prefix changes the drafts. With `withContext` it also returns Clover-style keys/values.
 */
export function mockContextLayer(hiddenSize: number, withContext = false): ContextLayer & { rows: number } {
  const layer = {
    hiddenSize,
    numKeyValueHeads: 1,
    headDim: 1,
    rows: 0,
    run(input: ContextLayerInput) {
      const rows = input.positions.length;
      layer.rows += rows;
      const past = input.past.length;
      const key = new Float32Array(past + rows);
      const value = new Float32Array(past + rows);
      key.set(input.past.key);
      value.set(input.past.value);
      for (let r = 0; r < rows; r++) {
        key[past + r] = input.features[r * hiddenSize];
        value[past + r] = Math.tanh(input.features[r * hiddenSize + 1] + 0.01 * input.positions[r]);
      }
      const hidden = new Float32Array(rows * hiddenSize);
      for (let r = 0; r < rows; r++) {
        let mean = 0;
        for (let j = 0; j <= past + r; j++) mean += value[j];
        mean /= past + r + 1;
        for (let d = 0; d < hiddenSize; d++)
          hidden[r * hiddenSize + d] = Math.tanh(input.features[r * hiddenSize + d] + mean * noise(17, d));
      }
      const context = withContext
        ? { key: hidden.filter((_, i) => i % hiddenSize === 0), value: hidden.filter((_, i) => i % hiddenSize === 2) }
        : undefined;
      return { hidden, present: { length: past + rows, key, value }, context };
    },
  };
  return layer;
}

/** A mock Clover step: the next state mixes the state, the token and the mean attended context value. */
export function mockCloverDecoder(hiddenSize: number, vocab: number, topK = 4): CloverDecoder {
  return {
    hiddenSize,
    numKeyValueHeads: 1,
    headDim: 1,
    topK,
    run(states: Float32Array, tokens: Int32Array, positions: Int32Array, context: PrefixKeyValues) {
      const rows = tokens.length;
      let mean = 0;
      for (let j = 0; j < context.length; j++) mean += context.value[j] * (1 + 0.1 * context.key[j]);
      mean /= Math.max(1, context.length);
      const out = new Float32Array(rows * hiddenSize);
      for (let r = 0; r < rows; r++)
        for (let d = 0; d < hiddenSize; d++)
          out[r * hiddenSize + d] = Math.tanh(
            states[r * hiddenSize + ((d + 3) % hiddenSize)] + noise(40 + d, tokens[r]) + mean + 0.01 * positions[r],
          );
      return { states: out, top: topOf(project(out, rows, hiddenSize, vocab, 77), rows, vocab, topK) };
    },
  };
}

/** A mock Chimera draft graph with one key/value head of size 1 under the tree mask. */
export function mockChimeraDecoder(hiddenSize: number, vocab: number, numHeads = 4, topK = 4): ChimeraDecoder {
  return {
    hiddenSize,
    numKeyValueHeads: 1,
    headDim: 1,
    numHeads,
    topK,
    run(input: ChimeraDecoderInput) {
      const rows = input.heads.length;
      const total = input.past.length + rows;
      const key = new Float32Array(total);
      const value = new Float32Array(total);
      key.set(input.past.key);
      value.set(input.past.value);
      for (let r = 0; r < rows; r++) {
        const [a, b, c] = [input.trigrams[r * 3], input.trigrams[r * 3 + 1], input.trigrams[r * 3 + 2]];
        key[input.past.length + r] = noise(5, c);
        value[input.past.length + r] = noise(6, a * 1024 + b * 32 + c);
      }
      const out = new Float32Array(rows * hiddenSize);
      for (let r = 0; r < rows; r++) {
        let attended = 0;
        let count = 0;
        for (let j = 0; j < total; j++)
          if (input.mask[r * total + j]) {
            attended += value[j];
            count++;
          }
        const context = count > 0 ? attended / count : 0;
        for (let d = 0; d < hiddenSize; d++)
          out[r * hiddenSize + d] =
            input.anchor[d] + Math.tanh(context + noise(60 + input.heads[r], d + input.trigrams[r * 3 + 2]));
      }
      return {
        top: topOf(project(out, rows, hiddenSize, vocab, 88), rows, vocab, topK),
        present: { length: total, key, value },
      };
    },
  };
}
