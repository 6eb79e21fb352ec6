import {
  type BatchItem,
  type CausalLM,
  ContextOverflowError,
  createMatrix,
  createRng,
  DisposedError,
  type ForwardOptions,
  type ForwardOutput,
  InvalidStateError,
  type Matrix,
  type Sequence,
  type TokenBlock,
  TokenOutOfRangeError,
  throwIfAborted,
} from '@decodekit/core';

export interface RecurrentMockOptions {
  readonly vocabSize: number;
  readonly hiddenSize?: number;
  readonly seed?: number;
  readonly eos?: readonly number[];
  readonly contextLength?: number;
  /** Logit scale: larger gives peakier distributions. Default 3. */
  readonly scale?: number;
  readonly treeAttention?: boolean;
  readonly hiddenStates?: boolean;
  readonly inputEmbeddings?: boolean;
}

export interface RecurrentMockModel extends CausalLM {
  /** Next-token logits after `context`, computed from scratch. */
  logitsFor(context: ArrayLike<number>): Float32Array;
  readonly forwardCalls: number;
}

/**
 * A tiny recurrent "language model" behind the core CausalLM contract: the state after a token is
 * tanh(W·state + E[token]), logits are scale·E·state + bias. It supports tree blocks, hidden states
 * and input embeddings (superposed decoding), so every strategy can run on it.
 */
export function createRecurrentMockModel(options: RecurrentMockOptions): RecurrentMockModel {
  const vocabSize = options.vocabSize;
  const hiddenSize = options.hiddenSize ?? 8;
  const scale = options.scale ?? 3;
  const contextLength = options.contextLength ?? 256;
  const rng = createRng(options.seed ?? 0);
  const gaussian = () => rng.next() + rng.next() + rng.next() - 1.5;
  const embeddings = new Float32Array(vocabSize * hiddenSize).map(() => gaussian() * 1.2);
  const weights = new Float32Array(hiddenSize * hiddenSize).map(() => (gaussian() * 1.6) / Math.sqrt(hiddenSize));
  const bias = new Float32Array(vocabSize).map(() => gaussian());
  const counters = { forwardCalls: 0 };
  let modelDisposed = false;

  const step = (state: Float32Array, input: Float32Array): Float32Array => {
    const out = new Float32Array(hiddenSize);
    for (let r = 0; r < hiddenSize; r++) {
      let sum = input[r];
      for (let c = 0; c < hiddenSize; c++) sum += weights[r * hiddenSize + c] * state[c];
      out[r] = Math.tanh(sum);
    }
    return out;
  };
  const logitsOf = (state: Float32Array, out: Float32Array) => {
    for (let v = 0; v < vocabSize; v++) {
      let sum = 0;
      for (let c = 0; c < hiddenSize; c++) sum += embeddings[v * hiddenSize + c] * state[c];
      out[v] = scale * sum * 0.5 + bias[v];
    }
  };
  const embeddingOf = (token: number) => embeddings.subarray(token * hiddenSize, (token + 1) * hiddenSize);
  const initial = new Float32Array(hiddenSize);

  class MockSequence implements Sequence {
    disposed = false;
    pending: { start: number; parents: Int32Array } | undefined;
    lastBlock: { start: number; length: number } | undefined;
    constructor(
      public cachedTokens: number[],
      public states: Float32Array[],
    ) {}
    get length() {
      return this.cachedTokens.length;
    }
    tokens() {
      return Int32Array.from(this.cachedTokens);
    }
    private check() {
      if (this.disposed || modelDisposed) throw new DisposedError('sequence');
    }
    forward(block: TokenBlock, forwardOptions: ForwardOptions = {}): ForwardOutput {
      this.check();
      throwIfAborted(forwardOptions.signal);
      if (this.pending) throw new InvalidStateError('accept the last tree block first');
      counters.forwardCalls++;
      const n = block.tokens.length;
      if (this.length + n > contextLength) throw new ContextOverflowError(this.length + n, contextLength);
      const start = this.length;
      const last = start > 0 ? this.states[start - 1] : initial;
      const blockStates: Float32Array[] = [];
      const parents = block.parents ? Int32Array.from(block.parents) : undefined;
      for (let i = 0; i < n; i++) {
        const token = block.tokens[i];
        let input: Float32Array;
        if (block.embeddings) {
          if (options.inputEmbeddings === false) throw new Error('mock built without inputEmbeddings');
          input = block.embeddings.subarray(i * hiddenSize, (i + 1) * hiddenSize);
        } else {
          if (!Number.isInteger(token) || token < 0 || token >= vocabSize)
            throw new TokenOutOfRangeError(token, vocabSize);
          input = embeddingOf(token);
        }
        const parent = parents ? parents[i] : i - 1;
        blockStates.push(step(parent >= 0 ? blockStates[parent] : last, input));
      }
      this.cachedTokens.push(...Array.from(block.tokens));
      this.states.push(...blockStates);
      this.lastBlock = { start, length: n };
      const branching = parents?.some((p, i) => p !== i - 1);
      if (branching) this.pending = { start, parents: parents as Int32Array };
      const which = forwardOptions.logits ?? 'all';
      const rows = which === 'all' ? n : which === 'last' ? Math.min(1, n) : 0;
      const logits = createMatrix(rows, vocabSize);
      for (let r = 0; r < rows; r++) {
        logitsOf(blockStates[which === 'last' ? n - 1 : r], logits.data.subarray(r * vocabSize, (r + 1) * vocabSize));
      }
      let hidden: Matrix | undefined;
      if (forwardOptions.hiddenStates) {
        if (!options.hiddenStates && options.hiddenStates !== undefined)
          throw new Error('mock built without hidden states');
        const matrix = createMatrix(n, hiddenSize);
        blockStates.forEach((s, i) => {
          matrix.data.set(s, i * hiddenSize);
        });
        hidden = matrix;
      }
      return { logits, hiddenStates: hidden };
    }
    accept(path: ArrayLike<number>) {
      this.check();
      const start = this.pending ? this.pending.start : (this.lastBlock?.start ?? this.length);
      const tokens = Array.from(path, (i) => this.cachedTokens[start + i]);
      const states = Array.from(path, (i) => this.states[start + i]);
      this.cachedTokens = this.cachedTokens.slice(0, start).concat(tokens);
      this.states = this.states.slice(0, start).concat(states);
      this.pending = undefined;
      this.lastBlock = undefined;
    }
    truncate(length: number) {
      this.check();
      this.cachedTokens = this.cachedTokens.slice(0, length);
      this.states = this.states.slice(0, length);
      this.pending = undefined;
    }
    fork() {
      this.check();
      if (this.pending) throw new InvalidStateError('accept the last tree block before fork');
      return new MockSequence([...this.cachedTokens], [...this.states]);
    }
    dispose() {
      this.disposed = true;
    }
  }

  return {
    name: 'recurrent-mock',
    vocabSize,
    contextLength,
    numLayers: 1,
    hiddenSize,
    specialTokens: { eos: [...(options.eos ?? [])] },
    capabilities: {
      treeAttention: options.treeAttention ?? true,
      hiddenStates: options.hiddenStates ?? true,
      layerSplit: false,
      inputEmbeddings: options.inputEmbeddings ?? true,
      batchedForward: false,
    },
    get forwardCalls() {
      return counters.forwardCalls;
    },
    openSequence: () => new MockSequence([], []),
    forwardBatch: (items: readonly BatchItem[], forwardOptions?: ForwardOptions) =>
      items.map((item) => item.sequence.forward(item.block, forwardOptions) as ForwardOutput),
    embeddingMatrix: () => createMatrix(vocabSize, hiddenSize, embeddings.slice()),
    logitsFor(context) {
      let state: Float32Array = initial;
      for (let i = 0; i < context.length; i++) state = step(state, embeddingOf(context[i]));
      const out = new Float32Array(vocabSize);
      logitsOf(state, out);
      return out;
    },
    dispose() {
      modelDisposed = true;
    },
  };
}
