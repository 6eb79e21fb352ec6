import { matrixRow } from '../matrix.js';
import type { Sequence } from '../model.js';
import type { Strategy, StrategyContext, StrategyRun } from '../strategy.js';

/**
 * Plain autoregressive decoding: one target forward per token. The baseline every speculative
 * method is compared with (τ = 1.00).
 */
export function autoregressive(): Strategy {
  return {
    name: 'autoregressive',
    async start(context) {
      const sequence = context.model.openSequence();
      try {
        const logits = await prefill(context, sequence);
        return autoregressiveRun(context, sequence, logits);
      } catch (error) {
        await sequence.dispose();
        throw error;
      }
    },
  };
}

/** Runs the prompt through `sequence` and returns a copy of the last position's logits. */
export async function prefill(context: StrategyContext, sequence: Sequence, hiddenStates = false) {
  const output = await context.stats.time('prefill', () =>
    sequence.forward({ tokens: context.prompt }, { logits: 'last', signal: context.signal, hiddenStates }),
  );
  context.stats.targetForwards++;
  return { logits: matrixRow(output.logits, output.logits.rows - 1).slice(), hiddenStates: output.hiddenStates };
}

function autoregressiveRun(
  context: StrategyContext,
  sequence: Sequence,
  prefilled: { logits: Float32Array },
): StrategyRun {
  const tokens = Array.from(context.prompt);
  let pending: Float32Array | undefined = prefilled.logits;
  return {
    async step() {
      let logits = pending;
      pending = undefined;
      if (!logits) {
        if (sequence.length + 1 > context.model.contextLength) return { tokens: [], done: 'context-length' };
        const root = tokens[tokens.length - 1];
        const output = await context.stats.time('verify', () =>
          sequence.forward({ tokens: [root] }, { logits: 'last', signal: context.signal }),
        );
        context.stats.targetForwards++;
        logits = matrixRow(output.logits, 0).slice();
      }
      const sampled = logits;
      const token = await context.stats.time('sample', () =>
        context.sampler.sample(sampled, { tokens, promptLength: context.prompt.length }, context.rng),
      );
      context.sampler.accept(token);
      tokens.push(token);
      return { tokens: [token] };
    },
    dispose: () => sequence.dispose(),
  };
}
