import {
  InvalidArgumentError,
  InvalidStateError,
  matrixRow,
  prefill,
  type Strategy,
  type StrategyRun,
} from '@decodekit/core';
import type { Constraint } from '../constraint.js';
import { type ConstrainedTokenSampler, chainStep, throwDeadEnd } from './token-sampler.js';

/** Constraint work counted by a constrained strategy (cumulative over its runs). */
export interface ConstrainedDecodingStats {
  /** Tokens sampled under the constraint. */
  tokens: number;
  /** Constraint evaluations: single-token checks, plus the vocabulary size per full mask. */
  evaluations: number;
  /** Sum of the log weights of the sampled tokens (the log of the sequence's importance weight). */
  logWeight: number;
}

/** Options of {@link constrainedDecoding}. */
export interface ConstrainedDecodingOptions {
  /** What the output must match (built from a regex, JSON Schema or grammar). */
  readonly constraint: Constraint;
  /** How each token is drawn under the constraint: `tokenMasking()`, `rejectionSampling()` or `awrs()`. */
  readonly tokenSampler: ConstrainedTokenSampler;
}

/** A `Strategy` that also reports the constraint work it did. */
export interface ConstrainedStrategy extends Strategy {
  /** Counters, updated as the run goes (reset by each `start`). */
  readonly stats: Readonly<ConstrainedDecodingStats>;
}

/**
 * Autoregressive decoding under a constraint, for `generate()`/`stream()`: one target forward per
 * token, each token drawn by `tokenSampler` from the chain's distribution restricted to the tokens
 * the constraint allows. The output after the prompt always satisfies the constraint's prefix
 * property; it ends with the constraint's `eos` once complete (make sure `eos` is a stop token,
 * which it is by default when it is the model's end-of-sequence token).
 *
 * Throws `ConstraintDeadEndError` when no allowed token has probability > 0 (see its message).
 * With token masking or a greedy chain the tokens are exactly those of locally constrained sampling;
 * AWRS and ARS draw from the same distribution with far fewer constraint evaluations. For
 * globally weighted sampling use `smc()`.
 */
export function constrainedDecoding(options: ConstrainedDecodingOptions): ConstrainedStrategy {
  const { constraint, tokenSampler } = options;
  if (!constraint) throw new InvalidArgumentError('constraint', 'constrained decoding needs a constraint');
  if (!tokenSampler)
    throw new InvalidArgumentError('tokenSampler', 'pass tokenMasking(), rejectionSampling() or awrs()');
  const stats: ConstrainedDecodingStats = { tokens: 0, evaluations: 0, logWeight: 0 };
  return {
    name: `constrained:${tokenSampler.name}`,
    stats,
    async start(context) {
      const { model } = context;
      if (constraint.vocabulary.size > model.vocabSize) {
        throw new InvalidArgumentError(
          'constraint',
          `its vocabulary has ${constraint.vocabulary.size} tokens but model "${model.name}" only ${model.vocabSize}`,
        );
      }
      stats.tokens = 0;
      stats.evaluations = 0;
      stats.logWeight = 0;
      const sequence = model.openSequence();
      let pending: Float32Array | undefined;
      try {
        pending = (await prefill(context, sequence)).logits;
      } catch (error) {
        await sequence.dispose();
        throw error;
      }
      const tokens = Array.from(context.prompt);
      const promptLength = context.prompt.length;
      let state = constraint.start();
      let finished = false;
      const run: StrategyRun = {
        async step() {
          if (finished) return { tokens: [] };
          let raw = pending;
          pending = undefined;
          if (!raw) {
            if (sequence.length + 1 > model.contextLength) return { tokens: [], done: 'context-length' };
            const root = tokens[tokens.length - 1];
            const output = await context.stats.time('verify', () =>
              sequence.forward({ tokens: [root] }, { logits: 'last', signal: context.signal }),
            );
            context.stats.targetForwards++;
            raw = matrixRow(output.logits, 0);
          }
          const row = raw;
          const drawn = await context.stats.time('sample', () => {
            const { logits, probabilities } = chainStep(context.sampler, row, { tokens, promptLength });
            return tokenSampler.sample({
              constraint,
              state,
              logits,
              probabilities,
              greedy: context.sampler.greedy,
              rng: context.rng,
            });
          });
          stats.evaluations += drawn.evaluations;
          if (drawn.token < 0) throwDeadEnd(constraint, tokens.length - promptLength);
          const next = constraint.advance(state, drawn.token);
          if (next === undefined) {
            throw new InvalidStateError(
              `constraint ${constraint.name} allowed token ${drawn.token} but advance() refused it; the constraint is inconsistent`,
            );
          }
          state = next;
          stats.tokens++;
          stats.logWeight += drawn.logWeight;
          context.sampler.accept(drawn.token);
          tokens.push(drawn.token);
          if (drawn.token === constraint.vocabulary.eos) finished = true;
          return { tokens: [drawn.token] };
        },
        dispose: () => sequence.dispose(),
      };
      return run;
    },
  };
}
