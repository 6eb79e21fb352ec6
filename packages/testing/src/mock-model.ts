import {
  type BatchItem,
  CapabilityError,
  type CausalLM,
  ContextOverflowError,
  createMatrix,
  DisposedError,
  type ForwardOptions,
  type ForwardOutput,
  InvalidArgumentError,
  InvalidStateError,
  isChain,
  isTreePath,
  type MaybePromise,
  type ModelCapabilities,
  type Sequence,
  type TokenBlock,
  TokenOutOfRangeError,
  throwIfAborted,
  validateParents,
} from '@decodekit/core';

/** What a mock model computes: everything is a pure function of the tokens before a position. */
export interface MockModelOptions {
  readonly name?: string;
  readonly vocabSize: number;
  /** Most tokens one sequence can hold (default 512). */
  readonly contextLength?: number;
  /** End-of-sequence tokens (default none, so generation runs to `maxNewTokens`). */
  readonly eos?: readonly number[];
  /** Length of the hidden state vectors (default 8). */
  readonly hiddenSize?: number;
  /** Writes the logits of the token after `context` into `out` (length `vocabSize`). */
  logitsFor(context: ArrayLike<number>, out: Float32Array): void;
  /** Writes the last hidden state at the last position of `context` into `out`; omit for a model without hidden states. */
  hiddenStateFor?(context: ArrayLike<number>, out: Float32Array): void;
  /** Whether `forward` accepts branching tree blocks (default true). Off: tree blocks throw `CapabilityError`. */
  readonly treeAttention?: boolean;
  /** Return promises from `forward`/`accept`/`truncate`/`fork`/`dispose`, like a worker-thread runtime (default false). */
  readonly asynchronous?: boolean;
}

/** A mock `CausalLM` that also exposes the function behind its logits. */
export interface MockModel extends CausalLM {
  /** The logits of the next token after `context` (a new row); equal to what a sequence holding `context` returns. */
  logitsFor(context: ArrayLike<number>): Float32Array;
  /** How many `forward` calls the model ran (every sequence, `forwardBatch` items included). */
  readonly forwardCalls: number;
  /** How many block tokens the model ran through `forward`. */
  readonly forwardTokens: number;
}

/**
 * A `CausalLM` whose logits are a pure function of the context, following the core `Sequence`
 * contract to the letter: tree blocks with `parents` (each node sees the prefix and its ancestors),
 * `accept(path)` keeping one root-to-node path of the last block, `truncate`, isolated `fork`s,
 * `dispose` (then `DisposedError`), `ContextOverflowError`, `TokenOutOfRangeError`, and
 * `InvalidStateError` for a `forward` over an unaccepted tree block. The building block of
 * `createNgramMockModel`; use it directly for a mock with your own logits function.
 */
export function createMockModel(options: MockModelOptions): MockModel {
  const vocabSize = options.vocabSize;
  if (!Number.isInteger(vocabSize) || vocabSize < 1) {
    throw new InvalidArgumentError('vocabSize', `must be an integer >= 1, got ${vocabSize}`);
  }
  const contextLength = options.contextLength ?? 512;
  if (!Number.isInteger(contextLength) || contextLength < 1) {
    throw new InvalidArgumentError('contextLength', `must be an integer >= 1, got ${contextLength}`);
  }
  const hiddenSize = options.hiddenSize ?? 8;
  const capabilities: ModelCapabilities = {
    treeAttention: options.treeAttention ?? true,
    hiddenStates: options.hiddenStateFor !== undefined,
    layerSplit: false,
    inputEmbeddings: false,
    batchedForward: false,
  };
  const wrap = options.asynchronous
    ? <T>(work: () => T): MaybePromise<T> => Promise.resolve().then(work)
    : <T>(work: () => T): MaybePromise<T> => work();
  const name = options.name ?? 'mock';
  let disposed = false;
  const counters = { forwardCalls: 0, forwardTokens: 0 };

  const logitsFor = (context: ArrayLike<number>) => {
    const out = new Float32Array(vocabSize);
    options.logitsFor(context, out);
    return out;
  };

  const model: MockModel = {
    name,
    vocabSize,
    contextLength,
    numLayers: 1,
    hiddenSize,
    specialTokens: { eos: [...(options.eos ?? [])] },
    capabilities,
    logitsFor,
    get forwardCalls() {
      return counters.forwardCalls;
    },
    get forwardTokens() {
      return counters.forwardTokens;
    },
    openSequence() {
      if (disposed) throw new DisposedError(`model "${name}"`);
      return new MockSequence(shared, [], undefined);
    },
    forwardBatch(items: readonly BatchItem[], forwardOptions?: ForwardOptions) {
      // Runs the items in turn; a mock sequence's forward is synchronous work inside `wrap`.
      return wrap(async () => {
        const outputs: ForwardOutput[] = [];
        for (const item of items) outputs.push(await item.sequence.forward(item.block, forwardOptions));
        return outputs;
      }) as MaybePromise<ForwardOutput[]>;
    },
    dispose() {
      disposed = true;
      return wrap(() => undefined);
    },
  };

  const shared: SharedState = {
    model: options,
    vocabSize,
    contextLength,
    hiddenSize,
    capabilities,
    wrap,
    counters,
    scratch: new Float32Array(vocabSize),
    isModelDisposed: () => disposed,
  };
  return model;
}

interface SharedState {
  readonly model: MockModelOptions;
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly hiddenSize: number;
  readonly capabilities: ModelCapabilities;
  readonly wrap: <T>(work: () => T) => MaybePromise<T>;
  readonly counters: { forwardCalls: number; forwardTokens: number };
  /** One logits row of scratch space, reused by every forward. */
  readonly scratch: Float32Array;
  isModelDisposed(): boolean;
}

/** The last forwarded block, kept until `accept`/`truncate`/the next chain forward settles it. */
interface LastBlock {
  readonly start: number;
  readonly tokens: Int32Array;
  /** Undefined for a chain block. */
  readonly parents: Int32Array | undefined;
}

class MockSequence implements Sequence {
  private disposed = false;

  constructor(
    private readonly shared: SharedState,
    /** Cached tokens; a pending tree block is listed as given (block order) at the end. */
    private cache: number[],
    private lastBlock: LastBlock | undefined,
  ) {}

  get length(): number {
    return this.cache.length;
  }

  tokens(): Int32Array {
    this.checkUsable('tokens');
    return Int32Array.from(this.cache);
  }

  forward(block: TokenBlock, options: ForwardOptions = {}): MaybePromise<ForwardOutput> {
    return this.shared.wrap(() => this.forwardNow(block, options));
  }

  accept(path: ArrayLike<number>): MaybePromise<void> {
    return this.shared.wrap(() => {
      this.checkUsable('accept');
      const last = this.lastBlock;
      if (!last) {
        throw new InvalidStateError('accept: there is no block to settle; call it once after each forward');
      }
      if (!isTreePath(last.parents, path, last.tokens.length)) {
        throw new InvalidArgumentError(
          'path',
          `[${Array.from(path)}] is not a root-to-node path of the last block (${last.tokens.length} tokens)`,
        );
      }
      const kept: number[] = [];
      for (let k = 0; k < path.length; k++) kept.push(last.tokens[path[k]]);
      this.cache = this.cache.slice(0, last.start).concat(kept);
      this.lastBlock = undefined;
    });
  }

  truncate(length: number): MaybePromise<void> {
    return this.shared.wrap(() => {
      this.checkUsable('truncate');
      if (!Number.isInteger(length) || length < 0 || length > this.cache.length) {
        throw new InvalidArgumentError('length', `must be an integer in [0, ${this.cache.length}], got ${length}`);
      }
      const last = this.lastBlock;
      if (last?.parents && length > last.start) {
        throw new InvalidStateError(
          `truncate(${length}) would keep part of an unaccepted tree block; accept a path first or truncate to ${last.start} or less`,
        );
      }
      this.cache.length = length;
      // Truncation settles the last block: there is nothing left to accept.
      this.lastBlock = undefined;
    });
  }

  fork(): MaybePromise<Sequence> {
    return this.shared.wrap(() => {
      this.checkUsable('fork');
      return new MockSequence(this.shared, this.cache.slice(), this.lastBlock);
    });
  }

  dispose(): MaybePromise<void> {
    return this.shared.wrap(() => {
      this.disposed = true;
      this.cache = [];
      this.lastBlock = undefined;
    });
  }

  private checkUsable(what: string): void {
    if (this.disposed) throw new DisposedError(`sequence (${what})`);
    if (this.shared.isModelDisposed()) throw new DisposedError(`the model of this sequence (${what})`);
  }

  private forwardNow(block: TokenBlock, options: ForwardOptions): ForwardOutput {
    this.checkUsable('forward');
    throwIfAborted(options.signal);
    const { vocabSize, contextLength, hiddenSize, capabilities } = this.shared;
    const count = block.tokens.length;
    if (count === 0) throw new InvalidArgumentError('block', 'the block is empty; give at least one token');
    if (this.lastBlock?.parents) {
      throw new InvalidStateError(
        'forward: the last block was a tree and is not settled; call accept(path) (or truncate) before the next forward',
      );
    }
    if (block.embeddings) {
      throw new CapabilityError('inputEmbeddings', 'mock models take token ids only, not input embeddings');
    }
    if (options.hiddenStates && !capabilities.hiddenStates) {
      throw new CapabilityError('hiddenStates', 'this mock model was created without hidden states');
    }
    if (this.cache.length + count > contextLength) {
      throw new ContextOverflowError(this.cache.length + count, contextLength);
    }
    for (let i = 0; i < count; i++) {
      const token = block.tokens[i];
      if (!Number.isInteger(token) || token < 0 || token >= vocabSize) {
        throw new TokenOutOfRangeError(token, vocabSize, `block token ${i}`);
      }
    }
    let parents: Int32Array | undefined;
    if (block.parents) {
      if (block.parents.length !== count) {
        throw new InvalidArgumentError('parents', `has ${block.parents.length} entries for ${count} block tokens`);
      }
      validateParents(block.parents, 'block parents');
      if (!isChain(block.parents)) {
        if (!capabilities.treeAttention) {
          throw new CapabilityError(
            'treeAttention',
            'this mock model was created with treeAttention: false; send chain blocks (parents omitted)',
          );
        }
        parents = Int32Array.from(block.parents);
      }
    }
    const start = this.cache.length;
    const tokens = Int32Array.from(block.tokens);
    const which = options.logits ?? 'all';
    const rows = which === 'all' ? count : which === 'last' ? 1 : 0;
    const logits = createMatrix(rows, vocabSize);
    const hidden = options.hiddenStates ? createMatrix(count, hiddenSize) : undefined;
    // Context of each block token: the prefix plus the token's ancestors and itself. A chain grows
    // the cache itself one token at a time (restored if a logits function throws); only rows that
    // are returned are computed.
    const context = parents ? this.cache.slice() : this.cache;
    const { scratch } = this.shared;
    try {
      for (let i = 0; i < count; i++) {
        if (parents) {
          context.length = start;
          const path: number[] = [];
          for (let node = i; node >= 0; node = parents[node]) path.push(tokens[node]);
          for (let k = path.length - 1; k >= 0; k--) context.push(path[k]);
        } else {
          context.push(tokens[i]);
        }
        const row = which === 'all' ? i : which === 'last' && i === count - 1 ? 0 : -1;
        if (row >= 0) {
          scratch.fill(0);
          this.shared.model.logitsFor(context, scratch);
          logits.data.set(scratch, row * vocabSize);
        }
        if (hidden) {
          this.shared.model.hiddenStateFor?.(context, hidden.data.subarray(i * hiddenSize, (i + 1) * hiddenSize));
        }
      }
    } catch (error) {
      this.cache.length = start;
      throw error;
    }
    this.shared.counters.forwardCalls++;
    this.shared.counters.forwardTokens += count;
    if (parents) for (let i = 0; i < count; i++) this.cache.push(tokens[i]);
    this.lastBlock = { start, tokens, parents };
    return hidden ? { logits, hiddenStates: hidden } : { logits };
  }
}
