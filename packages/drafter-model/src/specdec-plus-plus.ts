import { CapabilityError, type CausalLM, type Drafter, InvalidArgumentError } from '@decodekit/core';
import { type AcceptanceHead, type AcceptanceHeadWeights, acceptanceHeadFromWeights } from './acceptance-head.js';
import { createChainDrafter } from './internal/chain-drafter.js';
import { requireInteger } from './internal/draw.js';

export interface SpecDecPlusPlusOptions {
  /** The draft model; it must output its last hidden state (`capabilities.hiddenStates`). */
  readonly draftModel: CausalLM;
  /** The trained acceptance head, or its JSON weights. */
  readonly acceptanceHead: AcceptanceHead | AcceptanceHeadWeights;
  /**
   * Stop drafting when the predicted probability that some drafted token is rejected,
   * 1 − Π P(accepted), exceeds this (default 0.3, the paper's README; larger gives longer drafts).
   */
  readonly threshold?: number;
  /** Fewest draft tokens per step (default 2, the paper's lower bound). */
  readonly minLength?: number;
  /** Most draft tokens per step (default 16; the paper uses 20). */
  readonly maxLength?: number;
}

/**
 * SpecDec++ (Huang, Guo and Wang 2024, "SpecDec++: Boosting Speculative Decoding via Adaptive
 * Candidate Lengths"): speculative sampling whose draft length is chosen per step by an acceptance
 * head on the draft model's last hidden state. After drawing draft token s ≥ 2, the head reads the
 * hidden state at the position of token s − 1 (the draft forward that produced token s) and predicts
 * P(token s − 1 accepted); drafting stops once 1 − Π P(accepted) > `threshold`, within
 * [`minLength`, `maxLength`], exactly as the reference `ada` schedule does.
 *
 * Exact: the head only decides how many tokens are proposed; verification is plain speculative
 * sampling (greedy: greedy matching). The head is trained per draft/target pair and temperature;
 * `@decodekit/models-tiny` ships one for its tiny pair where it was trained.
 *
 * @example
 * const acceptanceHead = JSON.parse(readFileSync(join(tinyLmDraft, 'specdec-head.json'), 'utf8'));
 * const drafter = specDecPlusPlus({ draftModel, acceptanceHead, threshold: 0.3 });
 */
export function specDecPlusPlus(options: SpecDecPlusPlusOptions): Drafter {
  const { draftModel } = options;
  if (!draftModel) throw new InvalidArgumentError('draftModel', 'SpecDec++ needs a draft model (a CausalLM)');
  if (!options.acceptanceHead)
    throw new InvalidArgumentError('acceptanceHead', 'SpecDec++ needs a trained acceptance head');
  const head =
    'predict' in options.acceptanceHead ? options.acceptanceHead : acceptanceHeadFromWeights(options.acceptanceHead);
  const threshold = options.threshold ?? 0.3;
  if (!(threshold >= 0 && threshold <= 1))
    throw new InvalidArgumentError('threshold', `must lie in [0, 1], got ${threshold}`);
  const maxLength = options.maxLength ?? 16;
  requireInteger(maxLength, 'maxLength', 1);
  const minLength = options.minLength ?? Math.min(2, maxLength);
  requireInteger(minLength, 'minLength', 1, maxLength);
  let cumulativeAcceptance = 1;

  return createChainDrafter({
    name: 'specdec-pp',
    draftModel,
    hiddenStates: true,
    start() {
      if (!draftModel.capabilities.hiddenStates) {
        throw new CapabilityError(
          'hiddenStates',
          `SpecDec++'s acceptance head reads the draft model's hidden states, which "${draftModel.name}" does not output`,
        );
      }
      if (draftModel.hiddenSize !== head.hiddenSize) {
        throw new InvalidArgumentError(
          'acceptanceHead',
          `takes hidden states of ${head.hiddenSize} values but draft model "${draftModel.name}" has ${draftModel.hiddenSize}; train the head for this draft model`,
        );
      }
    },
    draftLength: () => maxLength,
    stopAfter(index, output) {
      const steps = index + 1;
      if (steps === 1)
        cumulativeAcceptance = 1; // nothing proposed before the first token
      else if (output.hiddenState) cumulativeAcceptance *= head.predict(output.hiddenState);
      if (steps >= maxLength) return true;
      if (steps < minLength) return false;
      return 1 - cumulativeAcceptance > threshold;
    },
  });
}
