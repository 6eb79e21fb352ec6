import type {
  CausalLM,
  ForwardOptions,
  ForwardOutput,
  Matrix,
  MaybePromise,
  Sequence,
  TokenBlock,
} from '@decodekit/core';

/**
 * Running a range of decoder layers on their own (`capabilities.layerSplit`): the building blocks
 * of early-exit self-speculation. Layered runs read a sequence's cache but never change it.
 */
export interface OnnxLayerSplit {
  /** Number of decoder layers. */
  readonly count: number;
  /** Token embeddings of `tokens`, `[tokens.length, hiddenSize]` (the input of layer 0). */
  embed(tokens: ArrayLike<number>): Promise<Matrix>;
  /**
   * Runs layers `[from, to)` on `hidden` (`[block length, hiddenSize]`), the block placed after the
   * sequence's cached tokens (positions and tree mask as in `forward`; pass `parents` for a tree).
   * Each layer attends to the sequence's cached keys and values of that layer. Returns the hidden
   * states after layer `to - 1`; the sequence is unchanged.
   */
  runLayers(
    sequence: Sequence,
    hidden: Matrix,
    from: number,
    to: number,
    options?: { readonly parents?: ArrayLike<number>; readonly signal?: AbortSignal },
  ): Promise<Matrix>;
  /**
   * The final norm and LM head: `logits` `[rows, vocabSize]` and the normalized `hiddenStates`
   * (what `forward` returns as hidden states) for each row of `hidden`.
   */
  head(hidden: Matrix): Promise<{ readonly logits: Matrix; readonly hiddenStates: Matrix }>;
  /**
   * Opens a {@link OnnxLayeredSequence}: a sequence whose layers keep their own KV caches, so a
   * range of layers can run ahead (drafting) and the rest catch up later without recomputing them.
   * In worker mode this throws a `CapabilityError` (layered sequences run in-thread only).
   */
  openSequence(): OnnxLayeredSequence;
}

/** Options of {@link OnnxLayeredSequence.run}. */
export interface LayeredRunOptions {
  /**
   * Position of the block's first token: from the committed length (`length`) to the recorded
   * length (`recordedTokens().length`, default). Tokens the lower layers already hold at those
   * positions must match the block; from the first difference on they are dropped and recomputed.
   */
  readonly start?: number;
  /** Run layers `[0, to)` (default: every layer). Layers `>= to` keep their length. */
  readonly to?: number;
  /** Logits of the rows layer `to - 1` computed, through the final norm and LM head (default 'none'). */
  readonly logits?: 'all' | 'last' | 'none';
  /** Also return the normalized hidden states (the LM head's input) of those rows. */
  readonly hiddenStates?: boolean;
  /** Also return the raw (pre-norm) output of layer `to - 1` for those rows. */
  readonly exitHidden?: boolean;
  /** Also return each layer's output rows (intermediate hidden states, pre-norm). */
  readonly layerOutputs?: boolean;
  /**
   * Extra rows that join the block at layer `inject.layer` and run through the layers above it
   * (Hidden Transfer's pseudo hidden states). Their KV entries are discarded; their logits come back
   * in `injected`. Needs every layer at `start` and `to` = every layer.
   */
  readonly inject?: LayeredInjection;
  readonly signal?: AbortSignal;
}

/**
 * Rows injected into a layered run ({@link LayeredRunOptions.inject}): `rows` receives the block's
 * input of layer `layer` (the pre-norm output of layer `layer - 1`, one row per block token) and
 * returns the extra rows `[n, hiddenSize]` with what each attaches to: `parents[j]` is a block index,
 * `block length + k` (k < j) an earlier extra row, or -1 for the cached prefix. A row sits at its
 * parent's position + 1 and attends to the cache and its ancestors, as a tree block token does.
 */
export interface LayeredInjection {
  /** The first layer the extra rows run through, in `[1, numLayers)`. */
  readonly layer: number;
  rows(input: Matrix): MaybePromise<{ readonly hidden: Float32Array; readonly parents: ArrayLike<number> }>;
}

/** What {@link OnnxLayeredSequence.run} returns. */
export interface LayeredRunOutput {
  /**
   * Position of the first row of `logits`, `hiddenStates` and `exitHidden`: the length layer
   * `to - 1` had before the run (the block's start unless that layer already held part of it).
   */
  readonly outputStart: number;
  readonly logits?: Matrix;
  readonly hiddenStates?: Matrix;
  readonly exitHidden?: Matrix;
  /**
   * Per layer in `[0, to)`: the rows it computed in this run (`start` = position of the first row,
   * pre-norm outputs), or undefined when it had nothing to compute.
   */
  readonly layerOutputs?: readonly ({ readonly start: number; readonly hidden: Matrix } | undefined)[];
  /** With `inject`: the extra rows' logits (every row, unless `logits` is 'none') and, with `hiddenStates`, their normalized states. */
  readonly injected?: { readonly logits?: Matrix; readonly hiddenStates?: Matrix };
}

/**
 * A sequence over the per-layer graphs with one KV cache per layer and per-layer committed lengths
 * (early-exit self-speculation: LayerSkip, DEL). Layer `i + 1` never holds more positions than
 * layer `i`; rows a lower layer produced that the next layer has not consumed are kept, so the
 * next run of the upper layers starts from them instead of recomputing the lower layers.
 * `length` is the top layer's length; `forward`, `accept`, `truncate` and `fork` follow the
 * `Sequence` contract (a forward runs every layer, catching up the ones that are behind).
 * `truncate(n)` may cut below the recorded length of the lower layers (rollback of drafts).
 */
export interface OnnxLayeredSequence extends OnnxModelSequence {
  /** Number of layers. */
  readonly layerCount: number;
  /** Cached positions of each layer (non-increasing with depth). */
  layerLengths(): number[];
  /** Tokens of every position layer 0 holds (committed tokens plus positions only lower layers hold). */
  recordedTokens(): Int32Array;
  /** Runs `block` through layers `[0, to)`, writing their KV entries (see {@link LayeredRunOptions}). */
  run(block: TokenBlock, options?: LayeredRunOptions): Promise<LayeredRunOutput>;
  fork(): OnnxLayeredSequence;
}

/** Which graph files a loaded model uses (absolute paths); absent entries were not found or are disabled. */
export interface OnnxGraphFiles {
  readonly model: string;
  readonly tree?: string;
  readonly embeds?: string;
  readonly embedTokens?: string;
  readonly head?: string;
  readonly layers: readonly string[];
}

/** A sequence of an onnx model: `forward` always returns a promise (the graph run is asynchronous). */
export interface OnnxModelSequence extends Sequence {
  forward(block: TokenBlock, options?: ForwardOptions): Promise<ForwardOutput>;
  fork(): MaybePromise<OnnxModelSequence>;
}

/**
 * A `CausalLM` backed by onnxruntime-node. Every method that runs a graph returns a promise, so the
 * in-thread and worker modes share this type.
 */
export interface OnnxCausalLM extends CausalLM {
  /** The model directory (absolute). */
  readonly directory: string;
  /** Whether the sessions live in a worker thread. */
  readonly worker: boolean;
  /** Graph files in use. */
  readonly graphs: OnnxGraphFiles;
  /** KV cache element type of the standard graph. */
  readonly cacheType: 'float32' | 'float16';
  /** The per-layer API; present when `capabilities.layerSplit` is true. */
  readonly layers?: OnnxLayerSplit;
  openSequence(): OnnxModelSequence;
  forwardBatch(
    items: Parameters<CausalLM['forwardBatch']>[0],
    options?: Parameters<CausalLM['forwardBatch']>[1],
  ): Promise<ForwardOutput[]>;
  embeddingMatrix?(): Promise<Matrix>;
  dispose(): Promise<void>;
}
