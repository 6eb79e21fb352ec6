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
