import {
  argmax,
  autoregressive,
  type CausalLM,
  type Drafter,
  type ForwardOutput,
  type GenerateResult,
  generate,
  matrixRow,
  type Sequence,
  speculative,
  type TokenBlock,
  treeChildren,
  type Verifier,
} from '@decodekit/core';

/**
 * A mock causal LM whose logits are a seeded hash of the last `order - 1` tokens. With a small
 * vocabulary its greedy output falls into short cycles, so copying drafters get accepted.
 */
export function markovModel(options: {
  vocabSize: number;
  order?: number;
  seed?: number;
  treeAttention?: boolean;
  contextLength?: number;
}): CausalLM & { logitsFor(context: ArrayLike<number>): Float32Array } {
  const { vocabSize } = options;
  const window = (options.order ?? 2) - 1;
  const seed = options.seed ?? 1;
  const logitsFor = (context: ArrayLike<number>) => {
    let h = seed * 0x9e3779b1;
    for (let k = window; k >= 1; k--) {
      const index = context.length - k;
      h = Math.imul(h ^ (index >= 0 ? context[index] + 1 : 0), 0x85ebca6b);
      h ^= h >>> 13;
    }
    const row = new Float32Array(vocabSize);
    for (let v = 0; v < vocabSize; v++) {
      let x = Math.imul(h ^ (v * 0x27d4eb2d), 0xc2b2ae35);
      x ^= x >>> 16;
      x = Math.imul(x, 0x165667b1);
      x ^= x >>> 15;
      row[v] = ((x >>> 0) / 4294967296) * 6;
    }
    return row;
  };
  const contextLength = options.contextLength ?? 4096;
  const model: CausalLM & { logitsFor(context: ArrayLike<number>): Float32Array } = {
    name: 'markov-mock',
    vocabSize,
    contextLength,
    numLayers: 1,
    hiddenSize: 1,
    specialTokens: { eos: [] },
    capabilities: {
      treeAttention: options.treeAttention ?? true,
      hiddenStates: false,
      layerSplit: false,
      inputEmbeddings: false,
      batchedForward: false,
    },
    logitsFor,
    openSequence: () => mockSequence(logitsFor, vocabSize),
    forwardBatch: (items, forwardOptions) =>
      items.map((item) => item.sequence.forward(item.block, forwardOptions) as ForwardOutput),
    dispose() {},
  };
  return model;
}

function mockSequence(logitsFor: (context: ArrayLike<number>) => Float32Array, vocabSize: number): Sequence {
  let cached: number[] = [];
  // The last block: a tree stays pending until accept; a chain is appended at once (the
  // autoregressive loop never calls accept) and accept cuts its rejected tail.
  let pendingTree: number[] | undefined;
  let chainStart = -1;
  return {
    get length() {
      return cached.length + (pendingTree ? pendingTree.length : 0);
    },
    tokens: () => Int32Array.from(pendingTree ? [...cached, ...pendingTree] : cached),
    forward(input: TokenBlock, forwardOptions) {
      if (pendingTree) throw new Error('mock: settle the last tree block with accept before the next forward');
      const tokens = Array.from(input.tokens);
      const parents = input.parents ? Array.from(input.parents) : tokens.map((_, i) => i - 1);
      const rows: Float32Array[] = tokens.map((_, i) => {
        const path: number[] = [];
        for (let node = i; node >= 0; node = parents[node]) path.push(tokens[node]);
        return logitsFor([...cached, ...path.reverse()]);
      });
      if (input.parents) {
        pendingTree = tokens;
        chainStart = -1;
      } else {
        chainStart = cached.length;
        cached = [...cached, ...tokens];
      }
      const which = forwardOptions?.logits ?? 'all';
      const chosen = which === 'last' ? rows.slice(-1) : which === 'none' ? [] : rows;
      const data = new Float32Array(chosen.length * vocabSize);
      for (const [r, row] of chosen.entries()) data.set(row, r * vocabSize);
      return { logits: { rows: chosen.length, columns: vocabSize, data } };
    },
    accept(path) {
      if (pendingTree) {
        const tree = pendingTree;
        cached = [...cached, ...Array.from(path, (i) => tree[i])];
        pendingTree = undefined;
      } else if (chainStart >= 0) {
        cached = cached.slice(0, chainStart + path.length);
      }
      chainStart = -1;
    },
    truncate(length) {
      pendingTree = undefined;
      cached = cached.slice(0, length);
    },
    fork() {
      throw new Error('mock: fork is not needed by these tests');
    },
    dispose() {},
  };
}

/** Greedy tree verification: follow the child that equals the target's argmax, then add the argmax. */
export function greedyTreeVerifier(): Verifier {
  return {
    name: 'greedy-tree',
    exact: true,
    supports: ['deterministic'],
    verify({ draft, targetLogits }) {
      const children = treeChildren(draft.parents);
      const path: number[] = [];
      let node = -1;
      for (;;) {
        const best = argmax(matrixRow(targetLogits, node + 1));
        const match = children(node).find((child) => draft.tokens[child] === best);
        if (match === undefined) return { path, next: best };
        path.push(match);
        node = match;
      }
    },
  };
}

/** Runs greedy autoregressive and speculative generation with `drafter` on the same prompt. */
export async function compareWithAutoregressive(
  model: CausalLM,
  drafter: Drafter,
  prompt: ArrayLike<number>,
  maxNewTokens: number,
  maxDraftTokens?: number,
): Promise<{ reference: GenerateResult; result: GenerateResult }> {
  const reference = await generate({ model, prompt, maxNewTokens, strategy: autoregressive() });
  const result = await generate({
    model,
    prompt,
    maxNewTokens,
    strategy: speculative({ drafter, verifier: greedyTreeVerifier(), maxDraftTokens }),
  });
  return { reference, result };
}
