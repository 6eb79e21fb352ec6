import {
  argmax,
  autoregressive,
  CapabilityError,
  generate,
  greedySampler,
  InvalidArgumentError,
  logSoftmax,
  multinomialSampler,
  VocabularyMismatchError,
} from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import {
  type BeamHypothesis,
  beamSearch,
  buildNgramTable,
  cautiousNextTokenPrediction,
  cautiousTrialCount,
  classifierFreeGuidanceDecoding,
  contextAwareDecoding,
  contrastiveDecoding,
  contrastiveSearch,
  diverseBeamSearch,
  momentumDecoding,
  punctuationTokenIds,
  repetitionLength,
  type SuperposedDraft,
  samplerChain,
  superposedDecoding,
} from '../src/index.js';
import { createRecurrentMockModel } from './helpers/recurrent-mock-model.js';

const prompts = [[1, 2, 3], [7], [4, 4, 9, 0, 2]];

async function greedy(model: ReturnType<typeof createRecurrentMockModel>, prompt: number[], maxNewTokens: number) {
  return (await generate({ model, prompt, maxNewTokens, sampler: greedySampler() })).tokens;
}

describe('beam search', () => {
  it('with one beam equals greedy decoding', async () => {
    for (const seed of [1, 2, 3]) {
      const model = createRecurrentMockModel({ vocabSize: 24, seed, eos: [5] });
      for (const prompt of prompts) {
        const beam = await generate({
          model,
          prompt,
          maxNewTokens: 12,
          strategy: beamSearch({ beams: 1, earlyStopping: true }),
        });
        expect(beam.tokens).toEqual(await greedy(model, prompt, 12));
      }
    }
  });

  it('with enough beams finds the most probable sequence (exhaustive check)', async () => {
    const model = createRecurrentMockModel({ vocabSize: 4, seed: 9, scale: 1.5 });
    const prompt = [1, 2];
    let best = { tokens: [] as number[], logProbability: Number.NEGATIVE_INFINITY };
    for (let a = 0; a < 4; a++)
      for (let b = 0; b < 4; b++)
        for (let c = 0; c < 4; c++) {
          const tokens = [a, b, c];
          let sum = 0;
          tokens.forEach((token, i) => {
            sum += logSoftmax(model.logitsFor([...prompt, ...tokens.slice(0, i)]))[token];
          });
          if (sum > best.logProbability) best = { tokens, logProbability: sum };
        }
    let hypotheses: readonly BeamHypothesis[] = [];
    const result = await generate({
      model,
      prompt,
      maxNewTokens: 3,
      strategy: beamSearch({ beams: 16, lengthPenalty: 0, onHypotheses: (h) => (hypotheses = h) }),
    });
    expect(result.tokens).toEqual(best.tokens);
    expect(hypotheses[0].logProbability).toBeCloseTo(best.logProbability, 4);
    expect(hypotheses.length).toBe(16);
    for (let i = 1; i < hypotheses.length; i++)
      expect(hypotheses[i].score).toBeLessThanOrEqual(hypotheses[i - 1].score);
  });

  it('finishes beams on end-of-sequence tokens and records forwards', async () => {
    const model = createRecurrentMockModel({ vocabSize: 12, seed: 4, eos: [0, 1, 2] });
    const result = await generate({ model, prompt: [3, 4], maxNewTokens: 20, strategy: beamSearch({ beams: 3 }) });
    expect(result.tokens.length).toBeGreaterThan(0);
    expect(result.stats.targetForwards).toBeGreaterThan(1);
    if (result.finishReason === 'stop') expect([0, 1, 2]).toContain(result.tokens[result.tokens.length - 1]);
  });

  it('validates its settings', () => {
    expect(() => beamSearch({ beams: 0 })).toThrow(InvalidArgumentError);
    expect(() => diverseBeamSearch({ beams: 4, groups: 3 })).toThrow(/divide/);
    expect(() => diverseBeamSearch({ beams: 4, groups: 2, diversityPenalty: -1 })).toThrow(InvalidArgumentError);
  });
});

describe('diverse beam search', () => {
  it('one beam per group without penalty: every group is greedy', async () => {
    const model = createRecurrentMockModel({ vocabSize: 20, seed: 5 });
    let hypotheses: readonly BeamHypothesis[] = [];
    const strategy = diverseBeamSearch({
      beams: 3,
      groups: 3,
      diversityPenalty: 0,
      onHypotheses: (h) => (hypotheses = h),
    });
    const result = await generate({ model, prompt: [1, 2], maxNewTokens: 8, strategy });
    const expected = await greedy(model, [1, 2], 8);
    expect(result.tokens).toEqual(expected);
    expect(hypotheses.map((h) => h.tokens)).toEqual([expected, expected, expected]);
  });

  it('a large diversity penalty makes the groups start differently', async () => {
    const model = createRecurrentMockModel({ vocabSize: 20, seed: 6 });
    let hypotheses: readonly BeamHypothesis[] = [];
    const strategy = diverseBeamSearch({
      beams: 2,
      groups: 2,
      diversityPenalty: 100,
      onHypotheses: (h) => (hypotheses = h),
    });
    await generate({ model, prompt: [3], maxNewTokens: 5, strategy });
    const firstTokens = new Set(hypotheses.map((h) => h.tokens[0]));
    expect(new Set(hypotheses.map((h) => h.group))).toEqual(new Set([0, 1]));
    expect(firstTokens.size).toBe(2);
  });
});

describe('contrastive search', () => {
  it('alpha 0 equals greedy decoding (tree and fork paths)', async () => {
    for (const treeAttention of [true, false]) {
      const model = createRecurrentMockModel({ vocabSize: 30, seed: 7, treeAttention });
      for (const prompt of prompts) {
        const result = await generate({ model, prompt, maxNewTokens: 10, strategy: contrastiveSearch({ alpha: 0 }) });
        expect(result.tokens).toEqual(await greedy(model, prompt, 10));
      }
    }
  });

  it('tree and fork paths choose the same tokens', async () => {
    const outputs = [];
    for (const treeAttention of [true, false]) {
      const model = createRecurrentMockModel({ vocabSize: 30, seed: 8, treeAttention });
      outputs.push((await generate({ model, prompt: [2, 5], maxNewTokens: 12, strategy: contrastiveSearch() })).tokens);
    }
    expect(outputs[0]).toEqual(outputs[1]);
  });

  it('k = 1 equals greedy decoding', async () => {
    const model = createRecurrentMockModel({ vocabSize: 30, seed: 3 });
    const result = await generate({
      model,
      prompt: [9],
      maxNewTokens: 10,
      strategy: contrastiveSearch({ k: 1, alpha: 0.9 }),
    });
    expect(result.tokens).toEqual(await greedy(model, [9], 10));
  });

  it('needs hidden states', async () => {
    const model = createRecurrentMockModel({ vocabSize: 10, hiddenStates: false });
    await expect(
      generate({ model, prompt: [1], maxNewTokens: 2, strategy: contrastiveSearch() }),
    ).rejects.toBeInstanceOf(CapabilityError);
  });
});

describe('cautious next token prediction', () => {
  it('trial counts follow the official code formula', () => {
    expect(cautiousTrialCount(0.005)).toBe(1);
    expect(cautiousTrialCount(0.17)).toBe(1);
    expect(cautiousTrialCount(0.18)).toBe(2);
    expect(cautiousTrialCount(0.755)).toBe(5);
    expect(cautiousTrialCount(1.5)).toBe(10);
    expect(cautiousTrialCount(7)).toBe(10);
  });

  it('never triggered, it equals plain sampling with the same seed', async () => {
    const model = createRecurrentMockModel({ vocabSize: 25, seed: 11, scale: 1 });
    for (const seed of [1, 2, 3]) {
      const plain = await generate({ model, prompt: [1, 2], maxNewTokens: 15, sampler: multinomialSampler(1), seed });
      const cautious = await generate({
        model,
        prompt: [1, 2],
        maxNewTokens: 15,
        sampler: multinomialSampler(1),
        seed,
        strategy: cautiousNextTokenPrediction({ stopTokens: [0, 1], entropyLow: 1e9, entropyHigh: 2e9 }),
      });
      expect(cautious.tokens).toEqual(plain.tokens);
      expect(cautious.stats.targetForwards).toBe(plain.stats.targetForwards);
    }
  });

  it('branches at uncertain positions and commits whole chunks from a consistent cache', async () => {
    const model = createRecurrentMockModel({ vocabSize: 25, seed: 12, scale: 1 });
    const result = await generate({
      model,
      prompt: [3],
      maxNewTokens: 20,
      sampler: samplerChain({ temperature: 1 }),
      seed: 4,
      strategy: cautiousNextTokenPrediction({ stopTokens: [0, 1, 2, 3, 4], maxTrials: 4 }),
    });
    expect(result.tokens.length).toBe(20);
    // Trials cost extra forwards.
    expect(result.stats.targetForwards).toBeGreaterThan(20);
  });

  it('punctuationTokenIds takes the first id of each punctuation string', () => {
    const tokenizer = { encode: (text: string) => Array.from(text, (c) => c.charCodeAt(0)), decode: () => '' };
    expect(punctuationTokenIds(tokenizer, ['.', ',\n'])).toEqual([46, 44]);
  });
});

describe('momentum decoding', () => {
  it('measures repeated n-gram length as the reference does', () => {
    const history = [1, 2, 3, 7, 8, 2, 3, 7];
    expect(repetitionLength(history, 9)).toBe(0);
    expect(repetitionLength(history, 1)).toBe(1);
    expect(repetitionLength(history, 2)).toBe(1);
    expect(repetitionLength(history, 3)).toBe(1);
    expect(repetitionLength(history, 8)).toBe(4);
    expect(repetitionLength(history, 8, 3)).toBe(3);
  });

  it('alpha 0 equals greedy decoding', async () => {
    const model = createRecurrentMockModel({ vocabSize: 30, seed: 13 });
    for (const prompt of prompts) {
      const result = await generate({ model, prompt, maxNewTokens: 12, strategy: momentumDecoding({ alpha: 0 }) });
      expect(result.tokens).toEqual(await greedy(model, prompt, 12));
    }
  });

  it('with the default resistance never repeats a 5-gram', async () => {
    const model = createRecurrentMockModel({ vocabSize: 12, seed: 14, scale: 4 });
    const result = await generate({ model, prompt: [1], maxNewTokens: 80, strategy: momentumDecoding() });
    const all = [1, ...result.tokens];
    const seen = new Set<string>();
    for (let i = 0; i + 5 <= all.length; i++) {
      const key = all.slice(i, i + 5).join(',');
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
    expect(result.stats.targetForwards).toBe(80);
  });
});

describe('context-aware decoding', () => {
  it('alpha 0 equals plain decoding with the context prepended', async () => {
    const model = createRecurrentMockModel({ vocabSize: 20, seed: 15, scale: 1.5 });
    const evidence = [5, 6, 7];
    for (const seed of [1, 2]) {
      const plain = await generate({
        model,
        prompt: [...evidence, 1, 2],
        maxNewTokens: 10,
        sampler: multinomialSampler(1),
        seed,
      });
      const cad = await generate({
        model,
        prompt: [1, 2],
        maxNewTokens: 10,
        sampler: multinomialSampler(1),
        seed,
        strategy: contextAwareDecoding({ alpha: 0, context: evidence }),
      });
      expect(cad.tokens).toEqual(plain.tokens);
      expect(cad.stats.targetForwards).toBe(2 * plain.stats.targetForwards);
    }
  });

  it('contrasts (1 + α) z(c, x) − α z(x)', async () => {
    const model = createRecurrentMockModel({ vocabSize: 20, seed: 16 });
    const evidence = [8, 9];
    const withContext = model.logitsFor([...evidence, 3]);
    const without = model.logitsFor([3]);
    const combined = withContext.map((z, i) => 2 * z - without[i]);
    const result = await generate({
      model,
      prompt: [3],
      maxNewTokens: 1,
      strategy: contextAwareDecoding({ alpha: 1, context: evidence }),
    });
    expect(result.tokens[0]).toBe(argmax(combined));
  });
});

describe('classifier-free guidance decoding', () => {
  it('scale 1 equals plain decoding; other scales follow z_u + s (z_c − z_u)', async () => {
    const model = createRecurrentMockModel({ vocabSize: 20, seed: 17 });
    const plain = await greedy(model, [4, 5], 8);
    const guided = await generate({
      model,
      prompt: [4, 5],
      maxNewTokens: 8,
      strategy: classifierFreeGuidanceDecoding({ scale: 1 }),
    });
    expect(guided.tokens).toEqual(plain);
    const conditional = model.logitsFor([4, 5]);
    const unconditional = model.logitsFor([0]);
    const expected = argmax(conditional.map((c, i) => unconditional[i] + 3 * (c - unconditional[i])));
    const strong = await generate({
      model,
      prompt: [4, 5],
      maxNewTokens: 1,
      strategy: classifierFreeGuidanceDecoding({ scale: 3, unconditionalPrompt: [0] }),
    });
    expect(strong.tokens[0]).toBe(expected);
  });
});

describe('contrastive decoding', () => {
  const expert = createRecurrentMockModel({ vocabSize: 20, seed: 18 });
  const amateur = createRecurrentMockModel({ vocabSize: 20, seed: 19, hiddenSize: 4 });

  it('alpha 1 keeps only the expert argmax: greedy decoding', async () => {
    const result = await generate({
      model: expert,
      prompt: [1, 2],
      maxNewTokens: 10,
      strategy: contrastiveDecoding({ amateur, alpha: 1 }),
    });
    expect(result.tokens).toEqual(await greedy(expert, [1, 2], 10));
  });

  it('picks argmax of (1 + β) z_e − β z_a over the plausible head', async () => {
    const zExpert = expert.logitsFor([6]);
    const zAmateur = amateur.logitsFor([6]);
    const max = Math.max(...zExpert);
    const scores = zExpert.map((z, i) =>
      z >= max + Math.log(0.1) ? 1.5 * z - 0.5 * zAmateur[i] : Number.NEGATIVE_INFINITY,
    );
    const result = await generate({
      model: expert,
      prompt: [6],
      maxNewTokens: 1,
      strategy: contrastiveDecoding({ amateur }),
    });
    expect(result.tokens[0]).toBe(argmax(scores));
  });

  it('log-ratio form: log p_e − log p_a(τ)', async () => {
    const pExpert = logSoftmax(expert.logitsFor([6]));
    const pAmateur = logSoftmax(amateur.logitsFor([6]).map((z) => z / 0.5));
    const max = Math.max(...pExpert);
    const scores = pExpert.map((lp, i) => (lp >= max + Math.log(0.1) ? lp - pAmateur[i] : Number.NEGATIVE_INFINITY));
    const result = await generate({
      model: expert,
      prompt: [6],
      maxNewTokens: 1,
      strategy: contrastiveDecoding({ amateur, form: 'log-ratio' }),
    });
    expect(result.tokens[0]).toBe(argmax(scores));
  });

  it('rejects an amateur with another vocabulary', async () => {
    const other = createRecurrentMockModel({ vocabSize: 21 });
    await expect(
      generate({ model: expert, prompt: [1], maxNewTokens: 1, strategy: contrastiveDecoding({ amateur: other }) }),
    ).rejects.toBeInstanceOf(VocabularyMismatchError);
  });
});

describe('superposed decoding', () => {
  it('one draft without n-grams is greedy decoding', async () => {
    const model = createRecurrentMockModel({ vocabSize: 30, seed: 20 });
    for (const prompt of prompts) {
      const result = await generate({ model, prompt, maxNewTokens: 10, strategy: superposedDecoding({ drafts: 1 }) });
      expect(result.tokens).toEqual(await greedy(model, prompt, 10));
      expect(result.stats.targetForwards).toBe(10);
    }
  });

  it('returns k drafts ranked by perplexity from one forward per position', async () => {
    const model = createRecurrentMockModel({ vocabSize: 30, seed: 21 });
    let drafts: readonly SuperposedDraft[] = [];
    const result = await generate({
      model,
      prompt: [1, 2],
      maxNewTokens: 6,
      strategy: superposedDecoding({ drafts: 3, onDrafts: (d) => (drafts = d) }),
    });
    expect(drafts.length).toBe(3);
    expect(result.tokens).toEqual(drafts[0].tokens);
    for (let i = 1; i < drafts.length; i++)
      expect(drafts[i].perplexity).toBeGreaterThanOrEqual(drafts[i - 1].perplexity);
    expect(new Set(drafts.map((d) => d.tokens.join(','))).size).toBe(3);
    expect(result.stats.targetForwards).toBe(6);
  });

  it('the n-gram filter only lets supported continuations through', async () => {
    const model = createRecurrentMockModel({ vocabSize: 12, seed: 22 });
    const corpus = [1, 2, 3, 4, 5, 1, 2, 6, 7, 1, 3, 4, 2, 3, 5, 6, 7, 8, 1, 2, 3, 4];
    const table = buildNgramTable(corpus, 1);
    let drafts: readonly SuperposedDraft[] = [];
    await generate({
      model,
      prompt: [1],
      maxNewTokens: 5,
      strategy: superposedDecoding({
        drafts: 2,
        candidates: 12,
        ngrams: [{ table, weight: 1 }],
        onDrafts: (d) => (drafts = d),
      }),
    });
    const bigrams = new Set(corpus.slice(1).map((t, i) => `${corpus[i]},${t}`));
    for (const draft of drafts) {
      const all = [1, ...draft.tokens];
      for (let i = 1; i < all.length; i++) {
        const supported = table.next(all.slice(0, i));
        if (supported && [...supported.keys()].some((t) => t < 12))
          expect(bigrams.has(`${all[i - 1]},${all[i]}`)).toBe(true);
      }
    }
  });

  it('needs input embeddings', async () => {
    const model = createRecurrentMockModel({ vocabSize: 10, inputEmbeddings: false });
    await expect(
      generate({ model, prompt: [1], maxNewTokens: 2, strategy: superposedDecoding() }),
    ).rejects.toBeInstanceOf(CapabilityError);
  });
});

describe('greedy and multinomial are core re-exports', () => {
  it('autoregressive with a samplerChain runs', async () => {
    const model = createRecurrentMockModel({ vocabSize: 30, seed: 23 });
    const result = await generate({
      model,
      prompt: [1],
      maxNewTokens: 5,
      strategy: autoregressive(),
      sampler: samplerChain({ temperature: 0.7, topK: 10, topP: 0.9 }),
      seed: 3,
    });
    expect(result.tokens.length).toBe(5);
  });
});

describe('strategies near the end of the context', () => {
  it('stop with finish reason context-length instead of overflowing', async () => {
    const strategies = [
      () => beamSearch({ beams: 3 }),
      () => contrastiveSearch({ k: 4 }),
      () => momentumDecoding(),
      () => cautiousNextTokenPrediction({ stopTokens: [0], maxTrials: 3 }),
      () => contextAwareDecoding({ alpha: 0.5, context: [1] }),
      () => superposedDecoding({ drafts: 2 }),
    ];
    for (const make of strategies) {
      const model = createRecurrentMockModel({ vocabSize: 16, seed: 30, contextLength: 12 });
      const result = await generate({ model, prompt: [1, 2, 3], maxNewTokens: 40, strategy: make() });
      expect(result.tokens.length).toBeGreaterThan(0);
      expect(result.tokens.length).toBeLessThanOrEqual(12);
      expect(['context-length', 'length']).toContain(result.finishReason);
    }
  });
});
