import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Draft,
  type Drafter,
  generate,
  type Matrix,
  speculative,
  treeChildren,
  type Verifier,
} from '@decodekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type OnnxCausalLM } from '../src/index.js';
import { row, tinyLm } from './helpers.js';

/** GPT-2 byte-level pieces back to text (the tokenizer's ByteLevel decoder). */
function byteLevelDecode(pieces: string): string {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const byteOf = new Map<number, number>();
  for (const b of printable) byteOf.set(b, b);
  let extra = 0;
  for (let b = 0; b < 256; b++) if (!printable.includes(b)) byteOf.set(256 + extra++, b);
  const bytes = Uint8Array.from([...pieces].map((char) => byteOf.get(char.codePointAt(0) ?? 0) ?? 0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Greedy tree verification: follow the child whose token is the target's argmax. */
const greedyTreeVerifier: Verifier = {
  name: 'test-greedy-tree',
  exact: true,
  supports: ['deterministic'],
  verify({ draft, targetLogits }: { draft: Draft; targetLogits: Matrix }) {
    const children = treeChildren(draft.parents);
    const path: number[] = [];
    let node = -1;
    for (;;) {
      const wanted = argmax(row(targetLogits, node + 1));
      const match = children(node).find((child) => draft.tokens[child] === wanted);
      if (match === undefined) return { path, next: wanted };
      path.push(match);
      node = match;
    }
  },
};

/**
 * Proposes a tree whose first branch is wrong and whose second branch is the model's own greedy
 * continuation, so acceptance only happens through tree attention and a non-prefix KV gather.
 */
function oracleTreeDrafter(oracle: OnnxCausalLM): Drafter {
  return {
    name: 'test-oracle-tree',
    requires: { treeDrafts: true },
    async propose({ tokens, maxTokens }) {
      const depth = Math.min(3, maxTokens - 1);
      if (depth < 1) return { tokens: [], parents: [], sampling: 'deterministic' };
      const sequence = oracle.openSequence();
      let logits = (await sequence.forward({ tokens }, { logits: 'last' })).logits;
      const continuation: number[] = [];
      for (let i = 0; i < depth; i++) {
        const next = argmax(row(logits, 0));
        continuation.push(next);
        logits = (await sequence.forward({ tokens: [next] }, { logits: 'last' })).logits;
      }
      await sequence.dispose();
      const wrong = (continuation[0] + 1) % oracle.vocabSize;
      // Node 0: a wrong first child; nodes 1..depth: the right chain under the root.
      const draftTokens = [wrong, ...continuation];
      const parents = [-1, -1, ...continuation.slice(1).map((_, i) => i + 1)];
      return { tokens: draftTokens, parents, sampling: 'deterministic' };
    },
  };
}

describe('decoding with core on tiny-lm', () => {
  let model: OnnxCausalLM;
  let vocabulary: Map<number, string>;
  let prompt: number[];
  beforeAll(async () => {
    model = await loadModel(tinyLm, { intraOpNumThreads: 1 });
    const tokenizer = JSON.parse(await readFile(join(tinyLm, 'tokenizer.json'), 'utf8')) as {
      model: { vocab: Record<string, number> };
    };
    vocabulary = new Map(Object.entries(tokenizer.model.vocab).map(([text, id]) => [id, text]));
    const ids = new Map(Object.entries(tokenizer.model.vocab));
    // A prompt from whole-word tokens of the vocabulary ("the", "of", ...), whatever their ids are.
    prompt = ['In', 'Ġthe', 'Ġbeginning', 'Ġthe', 'ĠLORD']
      .map((text) => ids.get(text))
      .filter((id): id is number => id !== undefined);
    if (prompt.length < 2) prompt = [...ids.values()].slice(300, 306);
  });
  afterAll(async () => {
    await model.dispose();
  });

  it('greedy generation produces text-like tokens', async () => {
    const result = await generate({ model, prompt, maxNewTokens: 32, stopTokens: [] });
    expect(result.tokens).toHaveLength(32);
    const pieces = result.tokens.map((id) => vocabulary.get(id));
    expect(pieces.every((piece) => piece !== undefined && !piece.startsWith('<|'))).toBe(true);
    const text = byteLevelDecode(pieces.join(''));
    expect(text.length).toBeGreaterThan(0);
    // Printable text: letters, digits, punctuation, spaces and newlines; no control bytes or broken UTF-8.
    expect(text).toMatch(/^[\p{L}\p{N}\p{P}\p{S}\p{Zs}\n\t]+$/u);
    // Words, not a run of punctuation: the trained model continues in KJV style.
    expect(pieces.filter((piece) => /[A-Za-z]/.test(piece ?? '')).length).toBeGreaterThan(pieces.length / 3);
  });

  it('speculative decoding with tree drafts is token-identical to greedy and accepts through the tree', async () => {
    const reference = await generate({ model, prompt, maxNewTokens: 24, stopTokens: [] });
    const oracle = await loadModel(tinyLm, { intraOpNumThreads: 1, extensions: false });
    try {
      const result = await generate({
        model,
        prompt,
        maxNewTokens: 24,
        stopTokens: [],
        strategy: speculative({ drafter: oracleTreeDrafter(oracle), verifier: greedyTreeVerifier }),
      });
      expect(result.tokens).toEqual(reference.tokens);
      expect(result.stats.targetForwards).toBeLessThan(reference.stats.targetForwards / 2);
    } finally {
      await oracle.dispose();
    }
  });
});
