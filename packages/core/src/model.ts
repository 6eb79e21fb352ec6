import type { Matrix } from './matrix.js';

/** A value or a promise of it: sync where the work is sync, async where it is not (worker mode). */
export type MaybePromise<T> = T | Promise<T>;

/** What a model graph supports. Methods that need a missing capability fail early with a `CapabilityError`. */
export interface ModelCapabilities {
  /** `forward` accepts blocks whose `parents` branch (a tree attention mask). Chains always work. */
  readonly treeAttention: boolean;
  /** `forward` can return the last hidden state (the LM head's input) for each block token. */
  readonly hiddenStates: boolean;
  /** The model can run a range of decoder layers against its shared cache (early-exit self-speculation). */
  readonly layerSplit: boolean;
  /** `forward` accepts input embeddings instead of token ids, and `embeddingMatrix()` works. */
  readonly inputEmbeddings: boolean;
  /** `forwardBatch` runs several sequences in one model call (otherwise it runs them one after another). */
  readonly batchedForward: boolean;
}

/** Token ids with a special meaning for generation. */
export interface SpecialTokens {
  /** Tokens that end generation (end of text, end of turn). */
  readonly eos: readonly number[];
  readonly bos?: number;
  readonly pad?: number;
}

/**
 * A causal language model: describes itself and opens KV-cached sequences.
 * Implementations: `@decodekit/runtime-onnx` (real models), `@decodekit/testing` (mocks).
 */
export interface CausalLM {
  /** A short name for logs and statistics (usually the model directory's base name). */
  readonly name: string;
  readonly vocabSize: number;
  /** The most tokens one sequence can hold (prompt + generated + draft block). */
  readonly contextLength: number;
  readonly numLayers: number;
  readonly hiddenSize: number;
  readonly specialTokens: SpecialTokens;
  readonly capabilities: ModelCapabilities;
  /** Opens an empty sequence. Feed the prompt with `forward`. */
  openSequence(): Sequence;
  /**
   * Runs one block on each of several sequences. Where `capabilities.batchedForward` is set this is
   * a single model call (CFG pairs, beams, SMC particles, multi-draft); otherwise it runs them in turn.
   */
  forwardBatch(items: readonly BatchItem[], options?: ForwardOptions): MaybePromise<ForwardOutput[]>;
  /** The input embedding matrix, row-major `[vocabSize, hiddenSize]` (needs `inputEmbeddings`). */
  embeddingMatrix?(): MaybePromise<Matrix>;
  /** Frees sessions and workers. Sequences of a disposed model cannot be used. */
  dispose(): MaybePromise<void>;
}

export interface BatchItem {
  readonly sequence: Sequence;
  readonly block: TokenBlock;
}

/**
 * A block of new tokens to run after a sequence's cached tokens. Without `parents` it is a chain.
 * With `parents` it is a tree: `parents[i]` is the index (inside this block) of token i's parent,
 * or -1 when token i attaches directly to the cached prefix. Parents come before children.
 * Token i sits at position `sequence.length + depth(i)` and attends to the prefix and its ancestors.
 */
export interface TokenBlock {
  readonly tokens: ArrayLike<number>;
  readonly parents?: ArrayLike<number>;
  /**
   * Input embeddings instead of token embeddings, row-major `[tokens.length, hiddenSize]`
   * (needs `inputEmbeddings`). `tokens` still names the tokens for the sequence's record; use -1
   * for positions that are no vocabulary token (superposed embeddings).
   */
  readonly embeddings?: Float32Array;
}

export interface ForwardOptions {
  readonly signal?: AbortSignal;
  /** Which logits rows to return: every block token (default), only the last, or none. */
  readonly logits?: 'all' | 'last' | 'none';
  /** Also return the last hidden state of every block token (needs `hiddenStates`). */
  readonly hiddenStates?: boolean;
}

export interface ForwardOutput {
  /** One row per returned block token, `[rows, vocabSize]`. Rows are raw logits (no processor applied). */
  readonly logits: Matrix;
  /** `[block length, hiddenSize]` when `hiddenStates` was asked for. */
  readonly hiddenStates?: Matrix;
}

/**
 * One KV-cached context. `forward` appends a block to the cache; `accept` keeps a root-to-node path
 * of the last block and drops the rest; `truncate` drops tokens from the end.
 */
export interface Sequence {
  /** Tokens in the cache, including the last block until `accept` or `truncate` trims it. */
  readonly length: number;
  /** A copy of the cached token ids, in order (a tree block is listed as given until accepted). */
  tokens(): Int32Array;
  /**
   * Runs `block` after the cached tokens and appends it to the cache. A tree block must be settled
   * with `accept` before the next `forward`. Throws `ContextOverflowError` when the block does not
   * fit, `TokenOutOfRangeError` for bad ids, `NonFiniteLogitsError` for NaN/Inf logits.
   */
  forward(block: TokenBlock, options?: ForwardOptions): MaybePromise<ForwardOutput>;
  /**
   * Keeps the block tokens at `path` (indices into the last block, each the parent of the next,
   * the first attached to the prefix) and drops the rest of the block. For a chain this is a prefix
   * `[0, 1, ..., k-1]`; for a tree, a gather of the cache along the sequence axis.
   */
  accept(path: ArrayLike<number>): MaybePromise<void>;
  /** Drops cached tokens after the first `length`. */
  truncate(length: number): MaybePromise<void>;
  /** An independent copy of this sequence (copy-on-write where the runtime can). */
  fork(): MaybePromise<Sequence>;
  /** Frees the cache. Using a disposed sequence throws `DisposedError`. */
  dispose(): MaybePromise<void>;
}
