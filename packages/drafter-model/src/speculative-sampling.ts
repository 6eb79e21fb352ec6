import { type CausalLM, type Drafter, InvalidArgumentError } from '@decodekit/core';
import { createChainDrafter } from './internal/chain-drafter.js';
import { requireInteger } from './internal/draw.js';

/** How an adaptive draft length moves between steps (Hugging Face's assisted-generation heuristic by default). */
export interface AdaptiveGammaOptions {
  /** Shortest draft (default 1). */
  readonly min?: number;
  /** Longest draft (default 16). */
  readonly max?: number;
  /** Added to γ after a step whose whole draft was accepted (default 2). */
  readonly increase?: number;
  /** Taken from γ after a step with a rejection (default 1). */
  readonly decrease?: number;
}

export interface SpeculativeSamplingOptions {
  /** The draft model; it must share the target's tokenizer (same vocabulary size). */
  readonly draftModel: CausalLM;
  /** Draft tokens per step (default 4); with `adaptiveGamma`, the first step's length. */
  readonly gamma?: number;
  /**
   * Adapt γ between steps: grow it by `increase` when every draft token was accepted, shrink it by
   * `decrease` (not below `min`) after a rejection. `true` uses the defaults (+2 / −1 in [1, 16],
   * the schedule of Hugging Face's assisted generation).
   */
  readonly adaptiveGamma?: boolean | AdaptiveGammaOptions;
}

/**
 * Speculative sampling (SpS; Leviathan, Kalman and Matias 2023, "Fast Inference from Transformers
 * via Speculative Decoding"; Chen et al. 2023, "Accelerating Large Language Model Decoding with
 * Speculative Sampling"): a small draft model proposes γ tokens autoregressively and the target
 * verifies them in one forward.
 *
 * Draft tokens are drawn through the target's own sampler chain in their exact context, and each
 * q row is recorded (`sampling: 'independent'`), so `speculativeSamplingVerifier()` keeps the output
 * distributed exactly as target sampling; with a greedy chain the draft is the draft model's
 * argmax chain (`deterministic`) and greedy verification reproduces greedy decoding token for token.
 * The draft model's KV cache follows the committed tokens at O(new tokens) per step.
 *
 * @example
 * const draftModel = await loadModel(tinyLmDraft);
 * const strategy = speculative({ drafter: speculativeSampling({ draftModel, gamma: 4 }), verifier: defaultVerifier() });
 * const result = await generate({ model: target, prompt, strategy, maxNewTokens: 64 });
 */
export function speculativeSampling(options: SpeculativeSamplingOptions): Drafter {
  const { draftModel } = options;
  if (!draftModel)
    throw new InvalidArgumentError('draftModel', 'speculative sampling needs a draft model (a CausalLM)');
  const initial = options.gamma ?? 4;
  requireInteger(initial, 'gamma', 1);
  const adaptive = resolveAdaptive(options.adaptiveGamma, initial);
  let gamma = initial;
  return createChainDrafter({
    name: 'sps',
    draftModel,
    start() {
      gamma = initial;
    },
    draftLength: () => gamma,
    learn(drafted, accepted) {
      if (!adaptive || drafted === 0) return;
      gamma =
        accepted === drafted
          ? Math.min(adaptive.max, gamma + adaptive.increase)
          : Math.max(adaptive.min, gamma - adaptive.decrease);
    },
  });
}

/** Alias of `speculativeSampling` under its CLI name. */
export const sps: typeof speculativeSampling = speculativeSampling;

function resolveAdaptive(
  value: boolean | AdaptiveGammaOptions | undefined,
  initial: number,
): Required<AdaptiveGammaOptions> | undefined {
  if (!value) return undefined;
  const settings = value === true ? {} : value;
  const resolved = {
    min: settings.min ?? 1,
    max: settings.max ?? Math.max(16, initial),
    increase: settings.increase ?? 2,
    decrease: settings.decrease ?? 1,
  };
  requireInteger(resolved.min, 'adaptiveGamma.min', 1);
  requireInteger(resolved.max, 'adaptiveGamma.max', resolved.min);
  requireInteger(resolved.increase, 'adaptiveGamma.increase', 0);
  requireInteger(resolved.decrease, 'adaptiveGamma.decrease', 0);
  if (initial < resolved.min || initial > resolved.max) {
    throw new InvalidArgumentError(
      'gamma',
      `must lie in adaptiveGamma's [${resolved.min}, ${resolved.max}], got ${initial}`,
    );
  }
  return resolved;
}
