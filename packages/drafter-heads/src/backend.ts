import type { MaybePromise } from '@decodekit/core';

/**
 * The `k` best tokens of each of `rows` rows: `ids[r * k + j]` is the j-th most likely token of row r
 * and `logprobs[r * k + j]` its log-probability (log-softmax over the whole vocabulary).
 */
export interface TopTokens {
  readonly rows: number;
  readonly k: number;
  readonly ids: Int32Array;
  readonly logprobs: Float32Array;
}

/**
 * Medusa heads: every head reads the target's last hidden state at the position before the root
 * and predicts one future offset (head h predicts the token at depth h + 1 below the root).
 */
export interface MedusaHeads {
  readonly hiddenSize: number;
  readonly numHeads: number;
  /** The most children a node can have (the top-k the heads return). */
  readonly topK: number;
  /**
   * Runs all heads on `rows` hidden states (row-major `[rows, hiddenSize]`). The result has
   * `rows * numHeads` rows: row `r * numHeads + h` is head h on hidden state r.
   */
  run(hidden: Float32Array, rows: number): MaybePromise<TopTokens>;
  dispose?(): MaybePromise<void>;
}

/**
 * Hydra heads: head h reads the hidden state and the tokens of the path so far (the root and the
 * h drafted tokens above the node it expands) and predicts that node's children.
 */
export interface HydraHeads {
  readonly hiddenSize: number;
  readonly numHeads: number;
  readonly topK: number;
  /**
   * Runs head `head` on `rows` rows: `hidden` is `[rows, hiddenSize]`, `paths` is `[rows, head + 1]`
   * (root token first).
   */
  run(head: number, hidden: Float32Array, paths: Int32Array, rows: number): MaybePromise<TopTokens>;
  dispose?(): MaybePromise<void>;
}

/** The key/value cache of a one-layer feature drafter, row-major `[numKeyValueHeads, length, headDim]` each. */
export interface FeatureCache {
  readonly length: number;
  readonly key: Float32Array;
  readonly value: Float32Array;
}

/** One call of a feature drafter over a block of `(feature, token)` pairs. */
export interface FeatureDrafterInput {
  /** `[rows, hiddenSize]`: the feature each pair reads (the target's, or a predicted one). */
  readonly features: Float32Array;
  /** The token of each pair (the token that follows the feature's position). */
  readonly tokens: Int32Array;
  /** Rotary position of each pair. */
  readonly positions: Int32Array;
  /** `[rows, past.length + rows]`: 1 where pair r may attend to cache entry / block pair j. */
  readonly mask: Uint8Array;
  readonly past: FeatureCache;
}

/** The output of a feature drafter call. */
export interface FeatureDrafterOutput {
  /** `[rows, hiddenSize]`: the predicted next feature of each pair. */
  readonly features: Float32Array;
  /** The next-token top-k of each predicted feature (through the target's LM head). */
  readonly top: TopTokens;
  /** The cache followed by this block's entries. */
  readonly present: FeatureCache;
}

/**
 * An EAGLE-style feature drafter: `fc(concat(E(token), feature))` through one decoder layer with its
 * own KV cache gives the next feature; the target's LM head gives its tokens.
 */
export interface FeatureDrafter {
  readonly hiddenSize: number;
  readonly numKeyValueHeads: number;
  readonly headDim: number;
  readonly topK: number;
  run(input: FeatureDrafterInput): MaybePromise<FeatureDrafterOutput>;
  dispose?(): MaybePromise<void>;
}

/** An empty feature cache for a drafter of this shape. */
export function emptyFeatureCache(): FeatureCache {
  return { length: 0, key: new Float32Array(0), value: new Float32Array(0) };
}

/** One call of a context layer over committed target features (causal within the block, after its cache). */
export interface ContextLayerInput {
  /** `[rows, hiddenSize]`: the target's last hidden states of consecutive committed positions. */
  readonly features: Float32Array;
  /** Rotary position of each row. */
  readonly positions: Int32Array;
  readonly past: FeatureCache;
}

/** The output of a context layer call. */
export interface ContextLayerOutput {
  /** `[rows, hiddenSize]`: the layer's output of each row. */
  readonly hidden: Float32Array;
  /** The cache followed by this block's entries. */
  readonly present: FeatureCache;
  /**
   * Clover only: the attention decoder's keys and values of these rows, row-major
   * `[numKeyValueHeads, rows, headDim]` each.
   */
  readonly context?: { readonly key: Float32Array; readonly value: Float32Array };
}

/**
 * A decoder layer with its own KV cache that runs over the target's committed hidden states (Hydra++'s
 * prefix-attention layer, Clover's augmenting block, Chimera's full-context decoder).
 */
export interface ContextLayer {
  readonly hiddenSize: number;
  readonly numKeyValueHeads: number;
  readonly headDim: number;
  run(input: ContextLayerInput): MaybePromise<ContextLayerOutput>;
  dispose?(): MaybePromise<void>;
}

/** Keys and values over the committed prefix, row-major `[numKeyValueHeads, length, headDim]` each. */
export interface PrefixKeyValues {
  readonly length: number;
  readonly key: Float32Array;
  readonly value: Float32Array;
}

/**
 * Clover's recurrent draft step: reads a token and the state of the path above it, attends to the
 * augmented prefix (`context`), and returns the next state and its next-token top-k.
 */
export interface CloverDecoder {
  readonly hiddenSize: number;
  readonly numKeyValueHeads: number;
  readonly headDim: number;
  readonly topK: number;
  /** `states` `[rows, hiddenSize]`; `tokens` and `positions` one per row. */
  run(
    states: Float32Array,
    tokens: Int32Array,
    positions: Int32Array,
    context: PrefixKeyValues,
  ): MaybePromise<{ readonly states: Float32Array; readonly top: TopTokens }>;
  dispose?(): MaybePromise<void>;
}

/** One call of Chimera's draft graph over a block of query rows (one per expanded tree node). */
export interface ChimeraDecoderInput {
  /** `[rows, 3]`: the trigram (x_{p−2}, x_{p−1}, x_p) ending at each row's token. */
  readonly trigrams: Int32Array;
  /** `[hiddenSize]`: the target's hidden state before the root (the residual heads' input). */
  readonly anchor: Float32Array;
  /** Residual head of each row: the depth of its token below the root (0 for the root). */
  readonly heads: Int32Array;
  readonly positions: Int32Array;
  /** `[rows, past.length + rows]`: 1 where row r may attend to cache entry / block row j. */
  readonly mask: Uint8Array;
  readonly past: FeatureCache;
}

/** Chimera's trigram encoder + full-context decoder + residual heads (the draft rows). */
export interface ChimeraDecoder {
  readonly hiddenSize: number;
  readonly numKeyValueHeads: number;
  readonly headDim: number;
  readonly numHeads: number;
  readonly topK: number;
  run(input: ChimeraDecoderInput): MaybePromise<{ readonly top: TopTokens; readonly present: FeatureCache }>;
  dispose?(): MaybePromise<void>;
}
