import {
  type ForwardOutput,
  InvalidArgumentError,
  matrixRow,
  type SamplerChain,
  type SamplingContext,
  type Sequence,
  type StrategyContext,
} from '@decodekit/core';
import { logSoftmaxInto } from './probabilities.js';

/** Counts one model call in the statistics: a batched call is one, an unbatched batch is one per item. */
export function countForwards(context: StrategyContext, items: number): void {
  context.stats.targetForwards += context.model.capabilities.batchedForward ? 1 : items;
}

/** Runs `tokens` after `sequence`'s cache and returns a copy of the last logits row (and hidden state). */
export async function forwardLast(
  context: StrategyContext,
  sequence: Sequence,
  tokens: ArrayLike<number>,
  hiddenStates = false,
): Promise<{ logits: Float32Array; hidden?: Float32Array }> {
  const output: ForwardOutput = await context.stats.time('verify', () =>
    sequence.forward({ tokens }, { logits: 'last', signal: context.signal, hiddenStates }),
  );
  context.stats.targetForwards++;
  const hidden = output.hiddenStates ? matrixRow(output.hiddenStates, output.hiddenStates.rows - 1).slice() : undefined;
  return { logits: matrixRow(output.logits, 0).slice(), hidden };
}

/** The chain's processors applied to a copy of `logits`, then log-softmax (selection is not used). */
export function processedLogProbabilities(
  sampler: SamplerChain,
  logits: Float32Array,
  samplingContext: SamplingContext,
): Float32Array {
  const row = logits.slice();
  for (const processor of sampler.processors) processor.process(row, samplingContext);
  return logSoftmaxInto(row, row);
}

/** Throws when a strategy that scores several continuations gets a stateful chain (mirostat). */
export function requireStatelessSampler(strategy: string, sampler: SamplerChain): void {
  if (sampler.stateful) {
    throw new InvalidArgumentError(
      'sampler',
      `${strategy} scores several continuations per step, which stateful processors (mirostat, XTC with an rng) cannot follow; remove them`,
    );
  }
}

/** The sampling context of a continuation. */
export function contextOf(tokens: ArrayLike<number>, promptLength: number): SamplingContext {
  return { tokens, promptLength };
}
