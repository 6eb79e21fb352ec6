import {
  type CausalLM,
  ContextOverflowError,
  matrixRow,
  type Sequence,
  type Strategy,
  type StrategyContext,
  type StrategyRun,
  VocabularyMismatchError,
} from '@decodekit/core';
import { contextOf, countForwards } from './decoding.js';

/** Two sequences decoded in lockstep; each step samples from a combination of their logits rows. */
export interface GuidedDecodingOptions {
  readonly name: string;
  /** The prompt of the main sequence (what sampling processors see as the prompt). */
  conditionalPrompt(prompt: Int32Array): Int32Array;
  /** The prompt of the second sequence. */
  secondaryPrompt(prompt: Int32Array): Int32Array;
  /** Runs the second sequence on this model instead of the strategy's (contrastive decoding's amateur). */
  readonly secondaryModel?: CausalLM;
  /** Writes the row to sample from; may reuse `conditional`. */
  combine(conditional: Float32Array, secondary: Float32Array): Float32Array;
}

/**
 * Shared loop of classifier-free guidance, context-aware decoding and contrastive decoding: both
 * sequences receive the same generated tokens; each step combines the two last logits rows and
 * samples with the context's sampler chain.
 */
export function guidedDecoding(options: GuidedDecodingOptions): Strategy {
  return {
    name: options.name,
    async start(context) {
      const { model } = context;
      const secondaryModel = options.secondaryModel ?? model;
      if (secondaryModel.vocabSize !== model.vocabSize) {
        throw new VocabularyMismatchError(
          `${options.name}: model "${model.name}" has ${model.vocabSize} tokens but "${secondaryModel.name}" has ${secondaryModel.vocabSize}; both must share one tokenizer`,
        );
      }
      const mainPrompt = options.conditionalPrompt(context.prompt);
      const otherPrompt = options.secondaryPrompt(context.prompt);
      for (const [prompt, m] of [
        [mainPrompt, model],
        [otherPrompt, secondaryModel],
      ] as const) {
        if (prompt.length + 1 > m.contextLength) throw new ContextOverflowError(prompt.length + 1, m.contextLength);
      }
      const main = model.openSequence();
      let other: Sequence | undefined;
      const sequences = () => [main, other].filter((s): s is Sequence => s !== undefined);
      try {
        other = secondaryModel.openSequence();
        const [mainRow, otherRow] = await runBoth(context, options, main, other, mainPrompt, otherPrompt, 'prefill');
        return guidedRun(context, options, main, other, mainPrompt, mainRow, otherRow);
      } catch (error) {
        for (const sequence of sequences()) await sequence.dispose();
        throw error;
      }
    },
  };
}

async function runBoth(
  context: StrategyContext,
  options: GuidedDecodingOptions,
  main: Sequence,
  other: Sequence,
  mainTokens: ArrayLike<number>,
  otherTokens: ArrayLike<number>,
  phase: 'prefill' | 'verify',
): Promise<[Float32Array, Float32Array]> {
  const forwardOptions = { logits: 'last' as const, signal: context.signal };
  if (!options.secondaryModel) {
    const outputs = await context.stats.time(phase, () =>
      context.model.forwardBatch(
        [
          { sequence: main, block: { tokens: mainTokens } },
          { sequence: other, block: { tokens: otherTokens } },
        ],
        forwardOptions,
      ),
    );
    countForwards(context, 2);
    return [matrixRow(outputs[0].logits, 0).slice(), matrixRow(outputs[1].logits, 0).slice()];
  }
  const mainOutput = await context.stats.time(phase, () => main.forward({ tokens: mainTokens }, forwardOptions));
  context.stats.targetForwards++;
  // The secondary model is a drafter-sized helper: its time counts as draft time, not target forwards.
  const otherOutput = await context.stats.time('draft', () => other.forward({ tokens: otherTokens }, forwardOptions));
  return [matrixRow(mainOutput.logits, 0).slice(), matrixRow(otherOutput.logits, 0).slice()];
}

function guidedRun(
  context: StrategyContext,
  options: GuidedDecodingOptions,
  main: Sequence,
  other: Sequence,
  mainPrompt: Int32Array,
  mainRow: Float32Array,
  otherRow: Float32Array,
): StrategyRun {
  const tokens = Array.from(mainPrompt);
  const secondaryModel = options.secondaryModel ?? context.model;
  let rows: [Float32Array, Float32Array] | undefined = [mainRow, otherRow];
  return {
    async step() {
      if (!rows) {
        if (main.length + 1 > context.model.contextLength || other.length + 1 > secondaryModel.contextLength) {
          return { tokens: [], done: 'context-length' };
        }
        const last = [tokens[tokens.length - 1]];
        rows = await runBoth(context, options, main, other, last, last, 'verify');
      }
      const [conditional, secondary] = rows;
      rows = undefined;
      const token = await context.stats.time('sample', () =>
        context.sampler.sample(
          options.combine(conditional, secondary),
          contextOf(tokens, mainPrompt.length),
          context.rng,
        ),
      );
      context.sampler.accept(token);
      tokens.push(token);
      return { tokens: [token] };
    },
    async dispose() {
      await main.dispose();
      await other.dispose();
    },
  };
}
