import type { CausalLM, Draft, DraftContext, Drafter, DrafterStartContext, Sequence } from '@decodekit/core';
import { checkExitLayer, ExitDrafterState, requireInteger } from './internal/exit-sequence.js';

/** Options of {@link layerSkip}. */
export interface LayerSkipOptions {
  /** Layers the draft runs (exit layer E: layers [0, E) and the shared head); default 4. Must be < numLayers. */
  readonly exitLayer?: number;
  /** Draft tokens per step (γ, LayerSkip's `num_speculations`); default 4; 0 drafts nothing. */
  readonly gamma?: number;
  /**
   * Verify on the drafter's layered sequence, reusing the lower layers' KV entries and exit states
   * (default true). `false` leaves the target's sequence to the loop: verification then runs the
   * whole-model graph and recomputes layers < E (for measuring what the reuse is worth).
   */
  readonly shareCache?: boolean;
}

/**
 * LayerSkip self-speculative decoding (Elhoushi et al. 2024, "LayerSkip: Enabling Early Exit
 * Inference and Self-Speculative Decoding", arXiv 2404.16710): the target drafts γ tokens with its
 * own first E layers and its shared final norm + LM head, then verifies them with layers [E, L).
 *
 * Cache reuse: the drafter opens the target's sequence itself (`openTargetSequence`, used by
 * `speculative()`), a layered sequence with one KV cache per layer. Drafting writes the KV entries
 * of layers < E and keeps the layer-E inputs of the drafted tokens; the verify forward then runs
 * only the last drafted token through layers < E and the whole block through layers [E, L).
 * Rejected entries are cut from every layer on `accept`. Without the hook (another loop) the
 * drafter keeps its own layered sequence and the target verifies as usual (no reuse).
 *
 * Exact: the target's logits are those of the full model (fp32 per-layer graphs, atol 1e-4), so
 * greedy output is token-identical to autoregressive decoding and speculative sampling keeps the
 * target distribution (sampled drafts carry their q rows, drawn through the target's sampler chain).
 * Needs a target with per-layer graphs (`capabilities.layerSplit`), loaded in-thread.
 *
 * @example
 * const target = await loadModel(tinyLm); // in-thread, with decodekit extensions
 * const strategy = speculative({ drafter: layerSkip({ exitLayer: 4, gamma: 4 }), verifier: defaultVerifier() });
 * const result = await generate({ model: target, prompt, strategy, maxNewTokens: 64 });
 */
export function layerSkip(options: LayerSkipOptions = {}): Drafter {
  const exitLayer = options.exitLayer ?? 4;
  const gamma = options.gamma ?? 4;
  requireInteger(exitLayer, 'exitLayer', 1);
  requireInteger(gamma, 'gamma', 0);
  const state = new ExitDrafterState('layerskip');
  const openTargetSequence = (target: CausalLM): Sequence => {
    checkExitLayer(exitLayer, target.numLayers, 'exitLayer');
    return state.openTarget(target, () => false);
  };
  return {
    name: 'layerskip',
    ...(options.shareCache === false ? {} : { openTargetSequence }),
    async start(context: DrafterStartContext) {
      checkExitLayer(exitLayer, context.target.numLayers, 'exitLayer');
      await state.start(context.target);
    },
    propose(context: DraftContext): Promise<Draft> {
      return state.draft(context, { exitLayer, length: gamma, collect: false });
    },
    dispose: () => state.dispose(),
  };
}
