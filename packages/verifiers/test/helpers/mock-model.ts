// A small CausalLM whose logits are a fixed function of the last two tokens of each position's
// context (tree blocks see their own ancestors), for end-to-end tests through core's loop.
import {
  type CausalLM,
  ContextOverflowError,
  createMatrix,
  type ForwardOptions,
  type ForwardOutput,
  InvalidStateError,
  pathTo,
  type Sequence,
  type TokenBlock,
} from '@decodekit/core';

export function mockLogits(previous: number, beforePrevious: number, vocabSize: number): Float32Array {
  const row = new Float32Array(vocabSize);
  for (let v = 0; v < vocabSize; v++) {
    row[v] = 2.5 * Math.sin(previous * 1.7 + beforePrevious * 0.61 + v * 2.3) + Math.cos(v * previous + 0.4);
  }
  return row;
}

export function createMockModel(vocabSize = 9, contextLength = 512): CausalLM {
  const model: CausalLM = {
    name: 'verifiers-mock',
    vocabSize,
    contextLength,
    numLayers: 1,
    hiddenSize: 1,
    specialTokens: { eos: [] },
    capabilities: {
      treeAttention: true,
      hiddenStates: false,
      layerSplit: false,
      inputEmbeddings: false,
      batchedForward: false,
    },
    openSequence(): Sequence {
      let cached: number[] = [];
      let pending: { start: number; parents?: number[] } | undefined;
      const sequence: Sequence = {
        get length() {
          return cached.length;
        },
        tokens: () => Int32Array.from(cached),
        forward(block: TokenBlock, options?: ForwardOptions): ForwardOutput {
          if (pending?.parents) throw new InvalidStateError('accept the previous tree block first');
          const n = block.tokens.length;
          if (cached.length + n > contextLength) throw new ContextOverflowError(cached.length + n, contextLength);
          const parents = block.parents ? Array.from(block.parents) : undefined;
          const out = createMatrix(n, vocabSize);
          for (let i = 0; i < n; i++) {
            const context = [
              ...cached,
              ...(parents ? pathTo(parents, i) : [...Array(i + 1).keys()]).map((j) => block.tokens[j]),
            ];
            const last = context[context.length - 1];
            const beforeLast = context.length > 1 ? context[context.length - 2] : 0;
            out.data.set(mockLogits(last, beforeLast, vocabSize), i * vocabSize);
          }
          pending = { start: cached.length, parents };
          cached = cached.concat(Array.from(block.tokens));
          if (options?.logits === 'last')
            return { logits: createMatrix(1, vocabSize, out.data.slice((n - 1) * vocabSize)) };
          return { logits: out };
        },
        accept(path: ArrayLike<number>) {
          if (!pending) throw new InvalidStateError('nothing to accept');
          const { start } = pending;
          cached = cached.slice(0, start).concat(Array.from(path, (i) => cached[start + i]));
          pending = undefined;
        },
        truncate(length: number) {
          cached = cached.slice(0, length);
          pending = undefined;
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
    forwardBatch(items) {
      return items.map((item) => item.sequence.forward(item.block) as ForwardOutput);
    },
    dispose() {},
  };
  return model;
}
