import { describe, expect, it } from 'vitest';
import {
  AbortError,
  argmax,
  autoregressive,
  ContextOverflowError,
  type DecodeEvent,
  type Drafter,
  generate,
  greedySampler,
  InvalidArgumentError,
  speculative,
  stream,
  type TextTokenizer,
  TokenOutOfRangeError,
  targetDistribution,
  treeChildren,
  type Verifier,
} from '../src/index.js';
import { createToyModel, toyLogits } from './toy-model.js';

// Greedy verification written out plainly, as the oracle for the loop tests.
const greedyOracle: Verifier = {
  name: 'greedy-oracle',
  exact: true,
  supports: ['deterministic'],
  verify(input) {
    const children = treeChildren(input.draft.parents);
    const path: number[] = [];
    let node = -1;
    for (;;) {
      const best = argmax(targetDistribution(input, node));
      const child = children(node).find((c) => input.draft.tokens[c] === best);
      if (child === undefined) return { path, next: best };
      path.push(child);
      node = child;
    }
  },
};

function expectedGreedy(prompt: number[], count: number, vocab: number): number[] {
  const out: number[] = [];
  let last = prompt[prompt.length - 1];
  for (let i = 0; i < count; i++) {
    last = argmax(toyLogits(last, vocab));
    out.push(last);
  }
  return out;
}

// Proposes the true greedy continuation for `good` tokens then a wrong one, as a chain or a tree.
function oracleDrafter(good: number, tree: boolean, vocab: number): Drafter {
  return {
    name: 'oracle',
    propose(context) {
      const truth = expectedGreedy(Array.from(context.tokens), good + 1, vocab);
      const tokens = truth.slice(0, good);
      tokens.push((truth[good] + 1) % vocab);
      const n = Math.min(tokens.length, context.maxTokens);
      if (!tree)
        return {
          tokens: tokens.slice(0, n),
          parents: tokens.slice(0, n).map((_, i) => i - 1),
          sampling: 'deterministic',
        };
      // A wrong sibling first at the root, then the chain: the verifier must still find the chain.
      const all = [(truth[0] + 2) % vocab, ...tokens].slice(0, n);
      const parents = all.map((_, i) => (i <= 1 ? -1 : i - 1));
      return { tokens: all, parents, sampling: 'deterministic' };
    },
  };
}

describe('generate', () => {
  it('autoregressive greedy follows the argmax chain with tau 1', async () => {
    const model = createToyModel(7);
    const result = await generate({ model, prompt: [3], maxNewTokens: 12, strategy: autoregressive() });
    expect(result.tokens).toEqual(expectedGreedy([3], 12, 7));
    expect(result.finishReason).toBe('length');
    expect(result.stats.targetForwards).toBe(12);
    expect(result.stats.tau).toBe(1);
  });

  it('speculative greedy is token-identical to autoregressive, chain and tree, and commits several tokens per forward', async () => {
    for (const tree of [false, true]) {
      for (const good of [0, 1, 3]) {
        const model = createToyModel(7);
        const drafter = oracleDrafter(good, tree, 7);
        const result = await generate({
          model,
          prompt: [2, 5],
          maxNewTokens: 20,
          strategy: speculative({ drafter, verifier: greedyOracle }),
        });
        expect(result.tokens).toEqual(expectedGreedy([2, 5], 20, 7));
        if (good > 0) {
          expect(result.stats.tau).toBeGreaterThan(1.5);
          expect(result.stats.acceptanceByPosition[0]).toBeGreaterThan(0);
        } else {
          expect(result.stats.accepted).toBe(0);
        }
      }
    }
  });

  it('falls back to the first-child path on a chain-only model', async () => {
    const model = createToyModel(7);
    (model as { capabilities: object }).capabilities = { ...model.capabilities, treeAttention: false };
    const result = await generate({
      model,
      prompt: [1],
      maxNewTokens: 10,
      strategy: speculative({ drafter: oracleDrafter(2, true, 7), verifier: greedyOracle }),
    });
    expect(result.tokens).toEqual(expectedGreedy([1], 10, 7));
  });

  it('stops at stop tokens and includes the stop token', async () => {
    const model = createToyModel(7);
    const full = expectedGreedy([3], 12, 7);
    const stop = full[4];
    const result = await generate({ model, prompt: [3], maxNewTokens: 12, stopTokens: [stop] });
    expect(result.finishReason).toBe('stop');
    expect(result.tokens).toEqual(full.slice(0, full.indexOf(stop) + 1));
  });

  it('cuts text at stop sequences without streaming any part of them', async () => {
    const tokenizer: TextTokenizer = {
      encode: (text) => Array.from(text, (c) => c.charCodeAt(0) - 97),
      decode: (tokens) => Array.from(tokens, (t) => String.fromCharCode(97 + t)).join(''),
    };
    const model = createToyModel(7);
    const full = tokenizer.decode(expectedGreedy([0], 30, 7));
    const stopText = full.slice(6, 8);
    const events: DecodeEvent[] = [];
    for await (const event of stream({ model, prompt: 'a', tokenizer, maxNewTokens: 30, stopSequences: [stopText] })) {
      events.push(event);
    }
    const finish = events.at(-1);
    expect(finish?.type).toBe('finish');
    const text = finish?.type === 'finish' ? finish.result.text : undefined;
    expect(text).toBe(full.slice(0, full.indexOf(stopText)));
    const streamed = events.map((e) => (e.type === 'token-delta' ? (e.text ?? '') : '')).join('');
    expect(streamed).toBe(text);
    expect(events[0].type).toBe('stream-start');
  });

  it('reports bad input with typed errors', async () => {
    const model = createToyModel(7, 8);
    await expect(generate({ model, prompt: [9] })).rejects.toBeInstanceOf(TokenOutOfRangeError);
    await expect(generate({ model, prompt: [] })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(generate({ model, prompt: [1, 2, 3, 4, 5, 6, 0, 1] })).rejects.toBeInstanceOf(ContextOverflowError);
    await expect(generate({ model, prompt: [1], maxNewTokens: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(generate({ model, prompt: 'text' })).rejects.toThrow(/tokenizer/);
  });

  it('finishes with context-length when the window fills', async () => {
    const model = createToyModel(7, 8);
    const result = await generate({ model, prompt: [1, 2, 3], maxNewTokens: 50 });
    expect(result.finishReason).toBe('context-length');
    expect(result.tokens.length).toBe(6);
  });

  it('aborts between steps and yields a typed error', async () => {
    const model = createToyModel(7);
    const controller = new AbortController();
    const events: DecodeEvent[] = [];
    for await (const event of stream({ model, prompt: [1], maxNewTokens: 50, signal: controller.signal })) {
      events.push(event);
      if (event.type === 'token-delta' && events.length > 3) controller.abort();
    }
    const last = events.at(-1);
    expect(last?.type).toBe('error');
    expect(last?.type === 'error' && last.error).toBeInstanceOf(AbortError);
  });

  it('emits draft-end and verify-end events for speculative strategies', async () => {
    const model = createToyModel(7);
    const types = new Set<string>();
    for await (const event of stream({
      model,
      prompt: [1],
      maxNewTokens: 8,
      sampler: greedySampler(),
      strategy: speculative({ drafter: oracleDrafter(2, false, 7), verifier: greedyOracle }),
    })) {
      types.add(event.type);
    }
    expect([...types]).toEqual(
      expect.arrayContaining(['stream-start', 'draft-end', 'verify-end', 'token-delta', 'finish']),
    );
  });

  it('rejects drafts that break the contract', async () => {
    const model = createToyModel(7);
    const bad: Drafter = { name: 'bad', propose: () => ({ tokens: [99], parents: [-1], sampling: 'deterministic' }) };
    await expect(
      generate({
        model,
        prompt: [1],
        maxNewTokens: 5,
        strategy: speculative({ drafter: bad, verifier: greedyOracle }),
      }),
    ).rejects.toBeInstanceOf(TokenOutOfRangeError);
  });
});
