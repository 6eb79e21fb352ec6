import { describe, expect, it } from 'vitest';
import {
  CapabilityError,
  type CausalLM,
  ContextOverflowError,
  createMatrix,
  type Draft,
  type Drafter,
  type DraftFeedback,
  type ForwardOptions,
  type ForwardOutput,
  generate,
  greedySampler,
  InvalidArgumentError,
  InvalidStateError,
  isChain,
  type Matrix,
  pathTo,
  type Sequence,
  speculative,
  type TokenBlock,
} from '../src/index.js';
import { createToyModel, toyLogits } from './toy-model.js';

const vocab = 7;
const width = 2;

/** Embedding of token t: [t, 1]. A row's logits are toyLogits of round(embedding[0]), so extra rows can name a token. */
function embeddingOf(token: number): number[] {
  return [token, 1];
}

interface RecordedBlock {
  readonly tokens: number[];
  readonly parents?: number[];
  readonly embeddings?: number[];
}

/** The toy model with input embeddings: every block is recorded, and the cache must never keep a -1 row. */
function createEmbeddingToyModel(contextLength = 64): CausalLM & { blocks: RecordedBlock[] } {
  const blocks: RecordedBlock[] = [];
  const model = {
    ...createToyModel(vocab, contextLength),
    hiddenSize: width,
    capabilities: {
      treeAttention: true,
      hiddenStates: false,
      layerSplit: false,
      inputEmbeddings: true,
      batchedForward: false,
    },
    blocks,
    embeddingMatrix(): Matrix {
      const data = new Float32Array(vocab * width);
      for (let t = 0; t < vocab; t++) data.set(embeddingOf(t), t * width);
      return createMatrix(vocab, width, data);
    },
    openSequence(): Sequence {
      let cached: number[] = [];
      let last: { start: number; parents?: number[] } | undefined;
      return {
        get length() {
          return cached.length;
        },
        tokens: () => Int32Array.from(cached),
        forward(block: TokenBlock, options?: ForwardOptions): ForwardOutput {
          if (last?.parents && !isChain(last.parents)) throw new InvalidStateError('accept the previous tree first');
          if (cached.includes(-1)) throw new InvalidStateError('an extra row stayed in the cache');
          const n = block.tokens.length;
          if (cached.length + n > contextLength) throw new ContextOverflowError(cached.length + n, contextLength);
          const parents = block.parents ? Array.from(block.parents) : undefined;
          blocks.push({
            tokens: Array.from(block.tokens),
            parents,
            embeddings: block.embeddings ? Array.from(block.embeddings) : undefined,
          });
          const out = createMatrix(n, vocab);
          for (let i = 0; i < n; i++) {
            const input = block.embeddings ? Math.round(block.embeddings[i * width]) : block.tokens[i];
            out.data.set(toyLogits(input, vocab), i * vocab);
          }
          last = { start: cached.length, parents };
          cached = cached.concat(Array.from(block.tokens));
          if (options?.logits === 'last') return { logits: createMatrix(1, vocab, out.data.slice((n - 1) * vocab)) };
          return { logits: out };
        },
        accept(path: ArrayLike<number>) {
          if (!last) throw new InvalidStateError('nothing to accept');
          const { start, parents } = last;
          if (parents && path.length > 0) pathTo(parents, path[path.length - 1]);
          cached = cached.slice(0, start).concat(Array.from(path, (i) => cached[start + i]));
          last = undefined;
        },
        truncate(length: number) {
          cached = cached.slice(0, length);
          last = undefined;
        },
        fork(): Sequence {
          throw new InvalidStateError('not needed');
        },
        dispose() {},
      };
    },
  };
  return model;
}

function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/**
 * A PPD-shaped drafter: one extra row under the root and under every draft node, whose embedding names
 * the token the drafter guesses follows that node; the target's output at the row then predicts the
 * token after the next one. `observe` keeps the prediction of the row under the last accepted node.
 */
function lookaheadDrafter(options: { badParent?: boolean; badWidth?: boolean } = {}) {
  const seen: DraftFeedback[] = [];
  let prediction: { length: number; token: number } | undefined;
  const guess = (token: number) => argmax(toyLogits(token, vocab));
  const drafter: Drafter & { seen: DraftFeedback[] } = {
    name: 'lookahead-rows',
    requires: { extraRows: true },
    seen,
    start() {
      prediction = undefined;
    },
    propose(context): Draft {
      if (context.maxTokens === 0) return { tokens: [], parents: [], sampling: 'deterministic' };
      const root = context.tokens[context.tokens.length - 1];
      const tokens = prediction && prediction.length === context.tokens.length ? [prediction.token] : [];
      const nodes = [root, ...tokens];
      const embeddings = new Float32Array(nodes.length * width);
      for (let j = 0; j < nodes.length; j++) embeddings.set([guess(nodes[j]), 0], j * width);
      const parents = nodes.map((_, j) => (options.badParent ? tokens.length + 1 : j - 1));
      return {
        tokens,
        parents: tokens.map((_, i) => i - 1),
        sampling: 'deterministic',
        extraRows: { embeddings: options.badWidth ? embeddings.subarray(1) : embeddings, parents },
      };
    },
    observe(feedback) {
      seen.push(feedback);
      const end = feedback.acceptedPath.length;
      prediction = feedback.extraLogits
        ? { length: feedback.tokens.length, token: argmax(feedback.extraLogits.data.subarray(end * vocab)) }
        : undefined;
      // (the row under the end node predicts the token after nextToken: index = path length)
      if (feedback.extraLogits) expect(feedback.extraLogits.rows).toBe(feedback.draft.tokens.length + 1);
    },
  };
  return drafter;
}

describe('speculative(): extra embedding rows (Draft.extraRows)', () => {
  it('runs them after the draft, returns their logits, keeps them out of verification and the cache', async () => {
    const model = createEmbeddingToyModel();
    const prompt = [1, 4, 2];
    const plain = await generate({ model, prompt, maxNewTokens: 20, stopTokens: [], sampler: greedySampler() });
    model.blocks.length = 0;
    const drafter = lookaheadDrafter();
    const fast = await generate({
      model,
      prompt,
      maxNewTokens: 20,
      stopTokens: [],
      sampler: greedySampler(),
      strategy: speculative({
        drafter,
        verifier: {
          name: 'greedy',
          exact: true,
          supports: ['deterministic'],
          verify(input) {
            // The verifier sees the root and draft rows only.
            expect(input.targetLogits.rows).toBe(input.draft.tokens.length + 1);
            const path: number[] = [];
            let row = 0;
            for (let i = 0; i < input.draft.tokens.length; i++) {
              if (argmax(input.targetLogits.data.subarray(row * vocab, (row + 1) * vocab)) !== input.draft.tokens[i])
                break;
              path.push(i);
              row = i + 1;
            }
            return { path, next: argmax(input.targetLogits.data.subarray(row * vocab, (row + 1) * vocab)) };
          },
        },
      }),
    });
    expect(fast.tokens).toEqual(plain.tokens);
    // After the first step every draft is the prediction of an extra row, and the target accepts it.
    expect(fast.stats.targetForwards).toBeLessThan(15);
    expect(fast.stats.accepted).toBeGreaterThan(5);
    const verifyBlocks = model.blocks.slice(1); // the first block is the prefill
    expect(verifyBlocks.length).toBeGreaterThan(0);
    for (const block of verifyBlocks) {
      const rows = block.tokens.filter((t) => t !== -1).length;
      const extras = block.tokens.length - rows;
      expect(extras).toBe(rows); // one extra row per node (root included)
      // Token rows carry the embedding table's rows; extra rows attach to root / node j.
      for (let i = 0; i < rows; i++)
        expect(block.embeddings?.slice(i * width, (i + 1) * width)).toEqual(embeddingOf(block.tokens[i]));
      expect(block.parents?.slice(rows)).toEqual(Array.from({ length: extras }, (_, j) => j));
    }
    for (const feedback of drafter.seen) {
      expect(feedback.targetLogits.rows).toBe(feedback.draft.tokens.length + 1);
      expect(feedback.extraLogits?.rows).toBe(feedback.draft.tokens.length + 1);
    }
  });

  it('leaves the extra rows out when the block would not fit the context window', async () => {
    const model = createEmbeddingToyModel(12);
    const prompt = [3, 5];
    const plain = await generate({ model, prompt, maxNewTokens: 12, stopTokens: [], sampler: greedySampler() });
    const drafter = lookaheadDrafter();
    const fast = await generate({
      model,
      prompt,
      maxNewTokens: 12,
      stopTokens: [],
      sampler: greedySampler(),
      strategy: speculative({
        drafter,
        verifier: {
          name: 'greedy',
          exact: true,
          supports: ['deterministic'],
          verify(input) {
            const first = argmax(input.targetLogits.data.subarray(0, vocab));
            if (input.draft.tokens.length > 0 && input.draft.tokens[0] === first)
              return { path: [0], next: argmax(input.targetLogits.data.subarray(vocab, 2 * vocab)) };
            return { path: [], next: first };
          },
        },
      }),
    });
    expect(fast.tokens).toEqual(plain.tokens);
    expect(fast.finishReason).toBe('context-length');
    expect(drafter.seen.some((feedback) => feedback.extraLogits === undefined)).toBe(true);
  });

  it('needs a target with input embeddings, and checks the rows', async () => {
    const verifier = {
      name: 'none',
      exact: true,
      supports: ['deterministic'] as const,
      verify: () => ({ path: [], next: 0 }),
    };
    const run = (model: CausalLM, drafter: Drafter) =>
      generate({
        model,
        prompt: [1, 2],
        maxNewTokens: 4,
        stopTokens: [],
        strategy: speculative({ drafter, verifier }),
      });
    await expect(run(createToyModel(vocab), lookaheadDrafter())).rejects.toBeInstanceOf(CapabilityError);
    await expect(run(createEmbeddingToyModel(), lookaheadDrafter({ badParent: true }))).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(run(createEmbeddingToyModel(), lookaheadDrafter({ badWidth: true }))).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });
});
