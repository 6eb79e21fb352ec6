import { type CausalLM, generate, greedySampler, multinomialSampler, type Strategy } from '@decodekit/core';
import { speculativeSampling } from '@decodekit/drafter-model';
import { promptLookup } from '@decodekit/drafter-ngram';
import { readSplit, tinyLm, tinyLmDraft } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { loadTokenizer, type Tokenizer } from '@decodekit/tokenizer';
import { defaultVerifier } from '@decodekit/verifiers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  awrs,
  type Constraint,
  constrainedDecoding,
  constrainedSpeculative,
  jsonSchemaConstraint,
  regexConstraint,
  smc,
  type TokenVocabulary,
  tokenizerVocabulary,
  tokenMasking,
} from '../src/index.js';

// A verse-like sentence: words, commas and semicolons, ending with a full stop.
const verse = /[A-Z][a-z]+( [a-z]+,?;?){3,30}\./;
const verseRegExp = new RegExp(`^${verse.source}$`);

describe('constrained generation on the tiny ONNX models', () => {
  let target: CausalLM;
  let draftModel: CausalLM;
  let tokenizer: Tokenizer;
  let vocabulary: TokenVocabulary;
  const prompts: number[][] = [];
  const constraint = (): Constraint => regexConstraint(verse, vocabulary);
  const text = (tokens: readonly number[]) =>
    tokenizer.decode(
      tokens.filter((t) => t !== vocabulary.eos),
      { skipSpecialTokens: true },
    );

  beforeAll(async () => {
    tokenizer = await loadTokenizer(tinyLm);
    vocabulary = tokenizerVocabulary(tokenizer);
    target = await loadModel(tinyLm);
    draftModel = await loadModel(tinyLmDraft);
    for (const doc of readSplit('test', 'kjv').slice(0, 3)) {
      prompts.push(Array.from(tokenizer.encode(doc.text.slice(0, 300))));
    }
  }, 60_000);
  afterAll(async () => {
    await target?.dispose();
    await draftModel?.dispose();
  });

  it('greedy: AWRS and grammar-aware PLD / SpS give the tokens of constrained autoregressive masking', async () => {
    const maxNewTokens = 40;
    const run = (strategy: Strategy, prompt: number[]) =>
      generate({ model: target, prompt, strategy, sampler: greedySampler(), maxNewTokens });
    let drafted = 0;
    let accepted = 0;
    for (const prompt of prompts.slice(0, 2)) {
      const reference = await run(
        constrainedDecoding({ constraint: constraint(), tokenSampler: tokenMasking() }),
        prompt,
      );
      const output = text(reference.tokens);
      if (reference.finishReason === 'stop') expect(output).toMatch(verseRegExp);
      expect(output.length).toBeGreaterThan(10);
      const lazy = await run(constrainedDecoding({ constraint: constraint(), tokenSampler: awrs() }), prompt);
      expect(lazy.tokens).toEqual(reference.tokens);
      for (const drafter of [promptLookup({ maxDraftTokens: 8 }), speculativeSampling({ draftModel, gamma: 4 })]) {
        const strategy = constrainedSpeculative({ drafter, verifier: defaultVerifier(), constraint: constraint() });
        const result = await run(strategy, prompt);
        expect(result.tokens).toEqual(reference.tokens);
        drafted += result.stats.drafted;
        accepted += result.stats.accepted;
      }
    }
    expect(drafted).toBeGreaterThan(0);
    expect(accepted).toBeGreaterThan(0);
  }, 60_000);

  it('AWRS checks far fewer tokens than masking, and sampled outputs match the regex', async () => {
    const masking = constrainedDecoding({ constraint: constraint(), tokenSampler: tokenMasking() });
    const lazy = constrainedDecoding({ constraint: constraint(), tokenSampler: awrs() });
    let maskingPerToken = 0;
    let awrsPerToken = 0;
    for (const [strategy, index] of [
      [masking, 0],
      [lazy, 1],
    ] as const) {
      for (let seed = 0; seed < 3; seed++) {
        const result = await generate({
          model: target,
          prompt: prompts[seed],
          strategy,
          sampler: multinomialSampler(0.8),
          maxNewTokens: 48,
          seed,
        });
        const output = text(result.tokens);
        if (result.finishReason === 'stop') expect(output).toMatch(verseRegExp);
        const perToken = strategy.stats.evaluations / strategy.stats.tokens;
        if (index === 0) maskingPerToken += perToken / 3;
        else awrsPerToken += perToken / 3;
      }
    }
    expect(maskingPerToken).toBe(vocabulary.size);
    expect(awrsPerToken).toBeLessThan(maskingPerToken / 20);
  }, 60_000);

  it('JSON Schema: greedy masking, AWRS and grammar-aware PLD / SpS agree; sampled outputs parse and conform', async () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string', maxLength: 12 }, age: { type: 'integer', minimum: 0, maximum: 120 } },
      required: ['name', 'age'],
    } as const;
    const make = () => jsonSchemaConstraint(schema, vocabulary);
    const conforms = (output: string) => {
      const value = JSON.parse(output) as { name: unknown; age: unknown };
      expect(typeof value.name).toBe('string');
      expect((value.name as string).length).toBeLessThanOrEqual(12);
      expect(Number.isInteger(value.age)).toBe(true);
      expect(value.age as number).toBeGreaterThanOrEqual(0);
      expect(value.age as number).toBeLessThanOrEqual(120);
    };
    const prompt = prompts[1];
    const run = (strategy: Strategy) =>
      generate({ model: target, prompt, strategy, sampler: greedySampler(), maxNewTokens: 48 });
    const reference = await run(constrainedDecoding({ constraint: make(), tokenSampler: tokenMasking() }));
    if (reference.finishReason === 'stop') conforms(text(reference.tokens));
    for (const strategy of [
      constrainedDecoding({ constraint: make(), tokenSampler: awrs() }),
      constrainedSpeculative({ drafter: promptLookup(), verifier: defaultVerifier(), constraint: make() }),
      constrainedSpeculative({
        drafter: speculativeSampling({ draftModel, gamma: 4 }),
        verifier: defaultVerifier(),
        constraint: make(),
      }),
    ]) {
      expect((await run(strategy)).tokens).toEqual(reference.tokens);
    }
    let complete = 0;
    for (let seed = 0; seed < 4; seed++) {
      const result = await generate({
        model: target,
        prompt,
        strategy: constrainedDecoding({ constraint: make(), tokenSampler: awrs() }),
        sampler: multinomialSampler(1),
        maxNewTokens: 64,
        seed,
      });
      if (result.finishReason !== 'stop') continue;
      complete++;
      conforms(text(result.tokens));
    }
    expect(complete).toBeGreaterThan(0);
  }, 60_000);

  it('SMC returns weighted particles whose complete outputs match the regex', async () => {
    const short = /[A-Z][a-z]+( [a-z]+){1,5}\./;
    const result = await smc({
      model: target,
      prompt: prompts[0],
      constraint: regexConstraint(short, vocabulary),
      sampler: multinomialSampler(1),
      particles: 4,
      maxNewTokens: 48,
      seed: 3,
    });
    const complete = result.particles.filter((p) => p.status === 'complete');
    expect(complete.length).toBeGreaterThan(0);
    for (const particle of complete) expect(text(particle.tokens)).toMatch(new RegExp(`^${short.source}$`));
    expect(result.posterior.reduce((a, e) => a + e.probability, 0)).toBeCloseTo(1, 9);
    expect(Number.isFinite(result.logMarginal)).toBe(true);
  }, 60_000);
});
