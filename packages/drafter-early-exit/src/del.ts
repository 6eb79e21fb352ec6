import {
  type CausalLM,
  createMatrix,
  type Draft,
  type DraftContext,
  type Drafter,
  type DrafterStartContext,
  type DraftFeedback,
  InvalidArgumentError,
  type Sequence,
} from '@decodekit/core';
import { ExitDrafterState, requireInteger } from './internal/exit-sequence.js';

/** Options of {@link dynamicExitLayer}. */
export interface DelOptions {
  /** Most draft tokens per step (γ_max); default 18 as in the official code. */
  readonly gammaMax?: number;
  /** Smallest speculation length the TPL search may pick (γ_min); default 0. */
  readonly gammaMin?: number;
  /** Decay of the per-layer match statistics (ω); default 0.95 as in the official code. */
  readonly omega?: number;
  /**
   * How long a draft is: `confidence` (DEL, default) drafts up to γ_max tokens and stops at the
   * first token whose exit-layer probability is below the layer's confidence threshold; `tpl`
   * (the DELE variant) drafts exactly the length the tokens-per-layer search chose.
   */
  readonly draftLength?: 'confidence' | 'tpl';
  /** Exit layer of the first step (default 1, as in the official code). */
  readonly initialExitLayer?: number;
  /**
   * Cost of the final norm + LM head in layer units, added to the tokens-per-layer cost model:
   * `(L + h) + d·(E + h)`. Default 0: the official model `L + d·E`, which assumes the head is free
   * (true for 7B models; on tiny-lm the head costs about two layers, see docs/methods/del.md).
   */
  readonly headCostLayers?: number;
}

/** Read-only view of DEL's state, for reports and tests. */
export interface DelState {
  /** Exit layer (E) the next draft uses. */
  readonly exitLayer: number;
  /** Speculation length the tokens-per-layer search chose (used as the draft length by `tpl`). */
  readonly gamma: number;
  /** Per exit layer E = 1..L-1 (index E - 1): decayed shadow-token matches and mismatches. */
  readonly matches: Float64Array;
  readonly mismatches: Float64Array;
  /** Exit layers chosen so far, one entry per drafted step. */
  readonly exitHistory: readonly number[];
}

/** A DEL drafter: a `Drafter` plus its state. */
export interface DelDrafter extends Drafter {
  /** The current statistics and choice (a snapshot). */
  state(): DelState;
}

function argmaxRow(data: Float32Array, offset: number, width: number): { token: number; confidence: number } {
  let best = offset;
  for (let i = offset + 1; i < offset + width; i++) if (data[i] > data[best]) best = i;
  const max = data[best];
  let sum = 0;
  for (let i = offset; i < offset + width; i++) sum += Math.exp(data[i] - max);
  return { token: best - offset, confidence: 1 / sum };
}

/**
 * DEL, "Context-Aware Dynamic Exit Layer for Efficient Self-Speculative Decoding" (Entezari Zarch,
 * Gao, Jiang and Annavaram, arXiv 2504.05598, COLM 2025): LayerSkip self-speculation whose exit
 * layer and speculation length adapt to the context.
 *
 * After each verification it computes shadow tokens: every eligible layer ℓ (exit layers 1..L-1)
 * sends its hidden state of each position of the round through the shared norm + LM head, and its
 * greedy token is compared with the final layer's. Positions up to and including the first
 * mismatch of the current exit layer count; per layer it keeps exponentially decayed (ω) sums of
 * matches, mismatches and the confidence (softmax probability) of matched and mismatched shadow
 * tokens. The exit layer E and length d maximise the tokens-per-layer estimate
 * `(1 - α^(d+1)) / (1 - α) / (L + d·E)` with α = the layer's match rate. Drafting stops early when
 * the drafted token's exit-layer probability falls below the midpoint of the layer's mean
 * confidences on matches and on mismatches ("dynamic draft exiting"), and at γ_max.
 *
 * The hidden states of the round come for free: layers < E from drafting, layers >= E from the
 * verify forward (the drafter owns the target's layered sequence through `openTargetSequence`);
 * the cost DEL adds is one LM-head run over (L-1) x (accepted + 1) rows per step. Exact like
 * LayerSkip: the choice of E and d only changes speed. Statistics restart for every generation.
 *
 * @example
 * const strategy = speculative({ drafter: dynamicExitLayer(), verifier: defaultVerifier() });
 */
export function dynamicExitLayer(options: DelOptions = {}): DelDrafter {
  const gammaMax = options.gammaMax ?? 18;
  const gammaMin = options.gammaMin ?? 0;
  const omega = options.omega ?? 0.95;
  const mode = options.draftLength ?? 'confidence';
  const initialExit = options.initialExitLayer ?? 1;
  const headCost = options.headCostLayers ?? 0;
  requireInteger(gammaMax, 'gammaMax', 1);
  requireInteger(gammaMin, 'gammaMin', 0, gammaMax - 1);
  requireInteger(initialExit, 'initialExitLayer', 1);
  if (!(omega > 0 && omega <= 1)) throw new InvalidArgumentError('omega', `must be in (0, 1], got ${omega}`);
  if (!(headCost >= 0)) throw new InvalidArgumentError('headCostLayers', `must be a number >= 0, got ${headCost}`);
  if (mode !== 'confidence' && mode !== 'tpl') {
    throw new InvalidArgumentError('draftLength', `must be 'confidence' or 'tpl', got ${String(mode)}`);
  }
  const state = new ExitDrafterState('del');
  let layers = 0;
  let matches = new Float64Array(0);
  let mismatches = new Float64Array(0);
  let confMatch = new Float64Array(0);
  let confMismatch = new Float64Array(0);
  let exitLayer = initialExit;
  let gamma = 1;
  let firstRound = true;
  const history: number[] = [];

  const reset = (numLayers: number): void => {
    layers = numLayers;
    if (initialExit > numLayers - 1) {
      throw new InvalidArgumentError('initialExitLayer', `must be at most ${numLayers - 1}, got ${initialExit}`);
    }
    matches = new Float64Array(numLayers - 1);
    mismatches = new Float64Array(numLayers - 1);
    confMatch = new Float64Array(numLayers - 1);
    confMismatch = new Float64Array(numLayers - 1);
    exitLayer = initialExit;
    gamma = 1;
    firstRound = true;
    history.length = 0;
  };

  /** Tokens-per-layer search over every eligible exit layer and length. */
  const select = (): void => {
    let best = Number.NEGATIVE_INFINITY;
    for (let l = 0; l < layers - 1; l++) {
      const total = matches[l] + mismatches[l];
      const alpha = total > 0 ? matches[l] / total : 0;
      let expected = 1; // g(ℓ, 0)
      for (let d = 0; d < gammaMax; d++) {
        if (d > 0) expected = 1 + alpha * expected;
        if (d < gammaMin) continue;
        const score = expected / (layers + headCost + d * (l + 1 + headCost));
        if (score > best) {
          best = score;
          exitLayer = l + 1;
          gamma = d;
        }
      }
    }
  };

  const threshold = (): number => {
    const l = exitLayer - 1;
    if (!(matches[l] > 0) || !(mismatches[l] > 0)) return Number.NaN;
    return (confMatch[l] / matches[l] + confMismatch[l] / mismatches[l]) / 2;
  };

  return {
    name: 'del',
    openTargetSequence(target: CausalLM): Sequence {
      return state.openTarget(target, () => true);
    },
    async start(context: DrafterStartContext) {
      await state.start(context.target);
      reset(context.target.numLayers);
    },
    propose(context: DraftContext): Promise<Draft> {
      const length = firstRound ? 1 : mode === 'tpl' ? gamma : gammaMax;
      firstRound = false;
      if (length > 0 && context.maxTokens > 0) history.push(exitLayer);
      const limit = mode === 'confidence' ? threshold() : Number.NaN;
      return state.draft(context, {
        exitLayer,
        length,
        collect: state.shared,
        stop: mode === 'confidence' ? (_index, drafted) => drafted.confidence < limit : undefined,
      });
    },
    async observe(feedback: DraftFeedback) {
      const round = state.round;
      state.round = undefined;
      if (!round?.verified) return;
      const drafted = round.drafted.length;
      const finals: number[] = [];
      const width = feedback.targetLogits.columns;
      for (let i = 0; i <= drafted; i++) finals.push(argmaxRow(feedback.targetLogits.data, i * width, width).token);
      // Positions up to and including the first mismatch of the exit layer in use.
      let kept = drafted + 1;
      for (let i = 0; i < drafted; i++) {
        if (round.drafted[i].shadow !== finals[i]) {
          kept = i + 1;
          break;
        }
      }
      const eligible = layers - 1;
      const hiddenSize = round.rows[0].get(0)?.length ?? 0;
      if (hiddenSize === 0) return;
      const batch = new Float32Array(eligible * kept * hiddenSize);
      for (let l = 0; l < eligible; l++) {
        for (let i = 0; i < kept; i++) {
          const rowData = round.rows[l].get(i);
          if (!rowData) return; // incomplete round (should not happen on a shared sequence)
          batch.set(rowData, (l * kept + i) * hiddenSize);
        }
      }
      const { logits } = await state.head(createMatrix(eligible * kept, hiddenSize, batch));
      for (let l = 0; l < eligible; l++) {
        let match = 0;
        let mismatch = 0;
        let sumMatch = 0;
        let sumMismatch = 0;
        for (let i = 0; i < kept; i++) {
          const shadow = argmaxRow(logits.data, (l * kept + i) * logits.columns, logits.columns);
          if (shadow.token === finals[i]) {
            match++;
            sumMatch += shadow.confidence;
          } else {
            mismatch++;
            sumMismatch += shadow.confidence;
          }
        }
        matches[l] = omega * matches[l] + match;
        mismatches[l] = omega * mismatches[l] + mismatch;
        confMatch[l] = omega * confMatch[l] + sumMatch;
        confMismatch[l] = omega * confMismatch[l] + sumMismatch;
      }
      select();
    },
    state: () => ({
      exitLayer,
      gamma,
      matches: matches.slice(),
      mismatches: mismatches.slice(),
      exitHistory: history.slice(),
    }),
    dispose: () => state.dispose(),
  };
}
