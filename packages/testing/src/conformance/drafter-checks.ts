import {
  type CausalLM,
  createRng,
  createSamplerChain,
  type Draft,
  type DraftContext,
  type Drafter,
  generate,
  greedySampler,
  type Matrix,
  type MaybePromise,
  StatisticsRecorder,
  speculative,
  temperature,
  type Verifier,
  validateParents,
} from '@decodekit/core';
import { createNgramMockModel } from '../ngram-mock-model.js';
import { sequenceProbabilities } from '../sequence-probabilities.js';
import { referenceRejectionSamplingVerifier } from '../verifiers/reference-rejection-sampling-verifier.js';
import { type CheckResult, failed, guardCheck, passed } from './check-result.js';
import { compareDistribution, summarise, tokenLabel, worstCells } from './statistical-report.js';

export interface DrafterCheckOptions {
  /** The target model (default: a bigram n-gram mock with 32 tokens, hidden states and tree attention). */
  readonly model?: () => MaybePromise<CausalLM>;
  /** The verifier of the generation checks (default `referenceRejectionSamplingVerifier()`, exact for every draft kind). */
  readonly verifier?: Verifier;
  /** Prompts (token ids); the defaults are repetitive so that n-gram drafters find matches. */
  readonly prompts?: readonly (readonly number[])[];
  /** Tokens generated per prompt in the greedy check (default 48). */
  readonly maxNewTokens?: number;
  /** Generations in the sampling check (default 10 000). */
  readonly samplingRuns?: number;
  /** Seed of the sampling check (default 1). */
  readonly seed?: number;
  /** A sampling-check p-value below this fails (default 1e-6). */
  readonly failBelow?: number;
}

export const defaultDrafterPrompts: readonly (readonly number[])[] = [
  [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3],
  [7, 8, 9, 7, 8, 9, 7, 8],
  [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9],
  [10, 11, 12, 13, 10, 11, 12, 13, 10, 11, 12, 13, 10],
];

export function defaultDrafterModel(): CausalLM {
  return createNgramMockModel({ vocabSize: 32, order: 2, seed: 5, contextLength: 512 });
}

function promptsFor(model: CausalLM, options: DrafterCheckOptions): number[][] {
  return (options.prompts ?? defaultDrafterPrompts).map((p) => p.map((t) => t % model.vocabSize));
}

/** Every problem of `draft` as a proposal for `maxTokens` nodes of a `vocabSize` vocabulary, or undefined. */
export function draftProblem(draft: Draft, maxTokens: number, vocabSize: number): string | undefined {
  if (!draft || typeof draft.tokens?.length !== 'number' || typeof draft.parents?.length !== 'number') {
    return 'the draft has no tokens/parents arrays';
  }
  const n = draft.tokens.length;
  if (draft.parents.length !== n) return `the draft has ${n} tokens but ${draft.parents.length} parents`;
  if (n > maxTokens) return `the draft has ${n} nodes but maxTokens was ${maxTokens}`;
  try {
    validateParents(draft.parents, 'draft parents');
  } catch (error) {
    return (error as Error).message;
  }
  for (let i = 0; i < n; i++) {
    const t = draft.tokens[i];
    if (!Number.isInteger(t) || t < 0 || t >= vocabSize) return `node ${i} has token ${t}, outside [0, ${vocabSize})`;
  }
  if (!['deterministic', 'independent', 'without-replacement'].includes(draft.sampling)) {
    return `unknown sampling '${draft.sampling}'`;
  }
  if (draft.sampling === 'deterministic') return undefined;
  if (!draft.q || draft.q.length !== n)
    return `a ${draft.sampling} draft needs one q row per node; got ${draft.q?.length ?? 'none'} for ${n} nodes`;
  for (let i = 0; i < n; i++) {
    const row = draft.q[i];
    if (!row || row.length !== vocabSize)
      return `q row of node ${i} has ${row?.length ?? 'no'} entries, expected ${vocabSize}`;
    let sum = 0;
    for (let v = 0; v < row.length; v++) {
      if (!(row[v] >= 0)) return `q row of node ${i} has entry ${v} = ${row[v]}`;
      sum += row[v];
    }
    if (Math.abs(sum - 1) > 1e-3) return `q row of node ${i} sums to ${sum}, not 1`;
    if (!(row[draft.tokens[i]] > 0)) return `node ${i} has token ${draft.tokens[i]} of probability 0 in its own q row`;
  }
  if (draft.sampling === 'without-replacement') {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const key = `${draft.parents[i]}:${draft.tokens[i]}`;
      if (seen.has(key))
        return `without-replacement siblings repeat token ${draft.tokens[i]} under parent ${draft.parents[i]}`;
      seen.add(key);
    }
  }
  return undefined;
}

/** Wraps a drafter so that every proposal is checked; the first problem is kept in `problem`. */
function inspectingDrafter(drafter: Drafter, vocabSize: number) {
  const state = { problem: undefined as string | undefined, proposals: 0, nodes: 0 };
  const wrapped: Drafter = {
    name: drafter.name,
    requires: drafter.requires,
    start: drafter.start ? (context) => drafter.start?.(context) : undefined,
    async propose(context: DraftContext) {
      const before = context.tokens.join(',');
      const draft = await drafter.propose(context);
      if (context.tokens.join(',') !== before && !state.problem) {
        state.problem = `proposal ${state.proposals + 1} modified context.tokens (the committed tokens are read-only)`;
      }
      state.proposals++;
      state.nodes += draft?.tokens?.length ?? 0;
      const problem = draftProblem(draft, context.maxTokens, vocabSize);
      if (problem && !state.problem) {
        state.problem = `proposal ${state.proposals} after [${Array.from(context.tokens)}] (maxTokens ${context.maxTokens}): ${problem}`;
      }
      return draft;
    },
    observe: drafter.observe ? (feedback) => drafter.observe?.(feedback) : undefined,
    dispose: drafter.dispose ? () => drafter.dispose?.() : undefined,
    // The loop's hook for drafters that own the target sequence (LayerSkip, DEL, Hidden Transfer).
    openTargetSequence: drafter.openTargetSequence?.bind(drafter),
  };
  return { wrapped, state };
}

async function prefillHiddenStates(model: CausalLM, drafter: Drafter, prompt: number[]): Promise<Matrix | undefined> {
  if (!drafter.requires?.hiddenStates) return undefined;
  const sequence = model.openSequence();
  try {
    return (await sequence.forward({ tokens: prompt }, { logits: 'last', hiddenStates: true })).hiddenStates;
  } finally {
    await sequence.dispose();
  }
}

/**
 * Drafts are well-formed: valid parents, token ids in range, at most `maxTokens` nodes (an empty
 * draft for `maxTokens` 0), and for sampled drafts a q row per node that sums to 1 and gives the
 * drafted token positive probability. Calls `start` and `propose` directly with maxTokens 0, 1, 4, 16.
 */
export function checkDrafterProposals(
  createDrafter: () => MaybePromise<Drafter>,
  options: DrafterCheckOptions = {},
): Promise<CheckResult> {
  const check = 'well-formed drafts';
  return guardCheck(check, async () => {
    const model = await (options.model ?? defaultDrafterModel)();
    const drafter = await createDrafter();
    try {
      const sampler = createSamplerChain({ processors: [temperature(0.8)] });
      const rng = createRng(options.seed ?? 1);
      let nodes = 0;
      for (const prompt of promptsFor(model, options)) {
        await drafter.start?.({
          prompt: Int32Array.from(prompt),
          target: model,
          sampler,
          prefillHiddenStates: await prefillHiddenStates(model, drafter, prompt),
        });
        for (const maxTokens of [0, 1, 4, 16]) {
          const context = { tokens: Int32Array.from(prompt), promptLength: prompt.length, maxTokens, sampler, rng };
          const draft = await drafter.propose(context);
          const problem = draftProblem(draft, maxTokens, model.vocabSize);
          if (problem)
            return failed(check, `drafter "${drafter.name}", prompt [${prompt}], maxTokens ${maxTokens}: ${problem}`);
          if (maxTokens === 0 && draft.tokens.length !== 0) {
            return failed(
              check,
              `drafter "${drafter.name}": maxTokens 0 must give an empty draft, got ${draft.tokens.length} nodes`,
            );
          }
          nodes += draft.tokens.length;
        }
      }
      return passed(check, `drafter "${drafter.name}" proposed ${nodes} well-formed nodes`);
    } finally {
      await drafter.dispose?.();
      // The model is the caller's (it may be shared between checks): not disposed here.
    }
  });
}

/**
 * Speculative greedy generation with this drafter (core's `speculative` + `generate`) is
 * token-identical to autoregressive greedy on every prompt, every proposal in the loop is
 * well-formed, `observe` and `dispose` do not throw, and the drafter drafted something (otherwise
 * the check would prove nothing). One drafter serves all prompts in turn, as a reused strategy would.
 * With the default model it also runs on a chain-only copy of it (`treeAttention: false`), where
 * the loop verifies the first-child path of tree drafts.
 */
export function checkDrafterGreedyGeneration(
  createDrafter: () => MaybePromise<Drafter>,
  options: DrafterCheckOptions = {},
): Promise<CheckResult> {
  const check = 'greedy generation';
  return guardCheck(check, async () => {
    const model = await (options.model ?? defaultDrafterModel)();
    const drafter = await createDrafter();
    const { wrapped, state } = inspectingDrafter(drafter, model.vocabSize);
    const verifier = options.verifier ?? referenceRejectionSamplingVerifier();
    const maxNewTokens = options.maxNewTokens ?? 48;
    let drafted = 0;
    let accepted = 0;
    let forwards = 0;
    let generatedTokens = 0;
    const runs: { model: CausalLM; prompt: number[]; label: string }[] = promptsFor(model, options).map((prompt) => ({
      model,
      prompt,
      label: '',
    }));
    if (!options.model) {
      const chainOnly = createNgramMockModel({ vocabSize: 32, order: 2, seed: 5, treeAttention: false });
      for (const prompt of promptsFor(model, options).slice(0, 2))
        runs.push({ model: chainOnly, prompt, label: ' (chain-only model)' });
    }
    try {
      for (const { model, prompt, label } of runs) {
        const plain = await generate({ model, prompt, maxNewTokens, stopTokens: [], sampler: greedySampler() });
        const fast = await generate({
          model,
          prompt,
          maxNewTokens,
          stopTokens: [],
          sampler: greedySampler(),
          strategy: speculative({ drafter: wrapped, verifier }),
        });
        if (state.problem) return failed(check, `drafter "${drafter.name}": ${state.problem}`);
        if (fast.tokens.join(',') !== plain.tokens.join(',')) {
          const at = fast.tokens.findIndex((t, i) => t !== plain.tokens[i]);
          return failed(
            check,
            `drafter "${drafter.name}" with verifier "${verifier.name}", prompt [${prompt}]${label}: speculative greedy output differs from autoregressive at token ${at}: [${fast.tokens}] vs [${plain.tokens}]`,
          );
        }
        drafted += fast.stats.drafted;
        accepted += fast.stats.accepted;
        forwards += fast.stats.targetForwards;
        generatedTokens += fast.tokens.length;
      }
      if (drafted === 0) {
        return failed(
          check,
          `drafter "${drafter.name}" proposed no tokens on any prompt, so the equality proves nothing; pass prompts on which it drafts (options.prompts)`,
        );
      }
      return passed(
        check,
        `identical to autoregressive greedy in ${runs.length} generations; drafted ${drafted}, accepted ${accepted}, τ ${(generatedTokens / forwards).toFixed(2)}`,
      );
    } finally {
      // The loop already disposed the drafter after each run: a second dispose must be harmless.
      // The model is the caller's (it may be shared between checks) and stays open.
      await drafter.dispose?.();
    }
  });
}

/**
 * Sampling keeps the target distribution: the joint distribution of the first 3 generated tokens
 * under speculative sampling with this drafter (temperature 0.7, `samplingRuns` generations) is
 * compared with the exact distribution of plain sampling by chi-square (cells with small
 * expected counts pooled). Needs a model with `logitsFor` (every mock of this package) for the
 * exact distribution.
 */
export function checkDrafterSampling(
  createDrafter: () => MaybePromise<Drafter>,
  options: DrafterCheckOptions = {},
): Promise<CheckResult> {
  const check = 'sampling distribution';
  return guardCheck(check, async () => {
    const model = await (options.model ?? defaultDrafterModel)();
    const logitsFor = (model as Partial<{ logitsFor(context: ArrayLike<number>): Float32Array }>).logitsFor;
    if (typeof logitsFor !== 'function') {
      return failed(
        check,
        `model "${model.name}" has no logitsFor(context), so exact sequence probabilities are unknown; use a mock model of @decodekit/testing`,
      );
    }
    const drafter = await createDrafter();
    const { wrapped, state } = inspectingDrafter(drafter, model.vocabSize);
    const verifier = options.verifier ?? referenceRejectionSamplingVerifier();
    const runs = options.samplingRuns ?? 10_000;
    const seed = options.seed ?? 1;
    const failBelow = options.failBelow ?? 1e-6;
    const length = 3;
    const V = model.vocabSize;
    const prompt = Int32Array.from(promptsFor(model, options)[0]);
    const sampler = createSamplerChain({ processors: [temperature(0.7)] });
    const strategy = speculative({ drafter: wrapped, verifier });
    const rng = createRng(seed);
    const counts = new Float64Array(V ** length);
    let drafted = 0;
    try {
      for (let run = 0; run < runs; run++) {
        const stats = new StatisticsRecorder();
        const active = await strategy.start({ model, prompt, sampler, rng, maxNewTokens: 16, stats, emit: () => {} });
        let index = 0;
        let generated = 0;
        try {
          while (generated < length) {
            const step = await active.step(16);
            if (step.tokens.length === 0) return failed(check, `drafter "${drafter.name}": a step committed no tokens`);
            for (const token of step.tokens) {
              if (generated === length) break;
              index = index * V + token;
              generated++;
            }
          }
        } finally {
          await active.dispose();
        }
        drafted += stats.drafted;
        counts[index]++;
        if (state.problem) return failed(check, `drafter "${drafter.name}": ${state.problem}`);
      }
      const expected = sequenceProbabilities(
        { vocabSize: V, logitsFor: logitsFor.bind(model) },
        prompt,
        length,
        sampler,
      );
      const comparison = compareDistribution(
        `first ${length} generated tokens`,
        counts,
        expected,
        tokenLabel(V, length),
      );
      const summary = `drafter "${drafter.name}" with verifier "${verifier.name}" (${runs} generations, seed ${seed}, ${drafted} tokens drafted): ${summarise(comparison)}`;
      if (comparison.chiSquare.pValue < failBelow) {
        return failed(check, `${summary}. Worst cells: ${worstCells(comparison)}. Fails below p = ${failBelow}.`);
      }
      return passed(check, summary);
    } finally {
      // The loop already disposed the drafter after each run: a second dispose must be harmless.
      // The model is the caller's (it may be shared between checks) and stays open.
      await drafter.dispose?.();
    }
  });
}
