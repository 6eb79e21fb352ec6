import type { DecodeEvent } from './events.js';
import type { CausalLM, MaybePromise } from './model.js';
import type { Rng } from './rng.js';
import type { SamplerChain } from './sampler.js';
import type { StatisticsRecorder } from './statistics.js';

/** Everything a strategy needs for one generation. */
export interface StrategyContext {
  readonly model: CausalLM;
  readonly prompt: Int32Array;
  readonly sampler: SamplerChain;
  readonly rng: Rng;
  readonly signal?: AbortSignal;
  readonly maxNewTokens: number;
  /** Strategies record forwards, drafts and phase times here. */
  readonly stats: StatisticsRecorder;
  /** Emits step events (`draft-end`, `verify-end`) into the stream. */
  emit(event: DecodeEvent): void;
}

export interface StepResult {
  /** Tokens committed by this step, in order (at least one unless `done`). */
  readonly tokens: readonly number[];
  /** The strategy cannot go on (e.g. the context is full). */
  readonly done?: 'context-length';
}

/** One generation in progress. The loop calls `step` until a stop condition, then `dispose`. */
export interface StrategyRun {
  /** Commits the next tokens; `budget` is the most tokens the loop still wants. */
  step(budget: number): MaybePromise<StepResult>;
  dispose(): MaybePromise<void>;
}

/**
 * The outer decoding loop (autoregressive, speculative, beam search, contrastive search, CNTP, ...).
 * `start` runs the prefill; the loop in `generate()`/`stream()` handles stopping, events and statistics.
 */
export interface Strategy {
  /** Kebab-case name for statistics and the CLI. */
  readonly name: string;
  start(context: StrategyContext): MaybePromise<StrategyRun>;
}
