// A deliberately small CausalLM for core's own loop tests (@decodekit/testing depends on core, so
// core cannot use its mocks). Logits are a fixed function of the previous token.
import {
  type CausalLM,
  ContextOverflowError,
  createMatrix,
  type ForwardOptions,
  type ForwardOutput,
  InvalidStateError,
  isChain,
  pathTo,
  type Sequence,
  type TokenBlock,
} from '../src/index.js';

export function toyLogits(previous: number, vocabSize: number): Float32Array {
  const row = new Float32Array(vocabSize);
  // A clear favourite that walks through the vocabulary, plus some structure in the rest.
  for (let v = 0; v < vocabSize; v++) row[v] = Math.sin(previous * 7.3 + v * 3.1) * 0.5;
  row[(previous * 3 + 1) % vocabSize] += 2;
  return row;
}

export function createToyModel(vocabSize = 7, contextLength = 64, eos: number[] = []): CausalLM & { forwards: number } {
  const model = {
    name: 'toy',
    vocabSize,
    contextLength,
    numLayers: 1,
    hiddenSize: 1,
    specialTokens: { eos },
    capabilities: {
      treeAttention: true,
      hiddenStates: false,
      layerSplit: false,
      inputEmbeddings: false,
      batchedForward: false,
    },
    forwards: 0,
    openSequence(): Sequence {
      let cached: number[] = [];
      let lastBlock: { start: number; parents?: number[]; tree: boolean } | undefined;
      const sequence: Sequence = {
        get length() {
          return cached.length;
        },
        tokens: () => Int32Array.from(cached),
        forward(block: TokenBlock, options?: ForwardOptions): ForwardOutput {
          if (lastBlock?.tree) throw new InvalidStateError('accept the previous tree block first');
          const n = block.tokens.length;
          if (cached.length + n > contextLength) throw new ContextOverflowError(cached.length + n, contextLength);
          model.forwards++;
          const out = createMatrix(n, vocabSize);
          for (let i = 0; i < n; i++) out.data.set(toyLogits(block.tokens[i], vocabSize), i * vocabSize);
          const parents = block.parents ? Array.from(block.parents) : undefined;
          lastBlock = { start: cached.length, parents, tree: !isChain(parents) };
          cached = cached.concat(Array.from(block.tokens));
          if (options?.logits === 'last')
            return { logits: createMatrix(1, vocabSize, out.data.slice((n - 1) * vocabSize)) };
          return { logits: out };
        },
        accept(path: ArrayLike<number>) {
          if (!lastBlock) throw new InvalidStateError('nothing to accept');
          const { start, parents } = lastBlock;
          if (parents && path.length > 0) pathTo(parents, path[path.length - 1]);
          const kept = Array.from(path, (i) => cached[start + i]);
          cached = cached.slice(0, start).concat(kept);
          lastBlock = undefined;
        },
        truncate(length: number) {
          cached = cached.slice(0, length);
          lastBlock = undefined;
        },
        fork() {
          const copy = model.openSequence();
          copy.forward({ tokens: cached });
          return copy;
        },
        dispose() {},
      };
      return sequence;
    },
    forwardBatch(items: readonly { sequence: Sequence; block: TokenBlock }[]) {
      return items.map((item) => item.sequence.forward(item.block) as ForwardOutput);
    },
    dispose() {},
  };
  return model;
}
