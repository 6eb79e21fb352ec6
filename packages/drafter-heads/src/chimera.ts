import {
  type Draft,
  type DraftContext,
  type Drafter,
  type DrafterStartContext,
  type DraftFeedback,
  emptyDraft,
  type MaybePromise,
} from '@decodekit/core';
import type { ChimeraDecoder, ContextLayer } from './backend.js';
import { ContextState } from './context-state.js';
import { checkHiddenSize, chooseTree, resolveHeads } from './medusa.js';
import { type LoadHeadsOptions, loadChimeraDecoder, loadContextLayer } from './onnx-heads.js';
import { type SparseTree, truncateTree } from './sparse-tree.js';
import { TargetFeatures } from './target-features.js';

/** Options of `chimera()`. */
export interface ChimeraOptions extends LoadHeadsOptions {
  /** The full-context decoder's pass over committed features (default: `chimera.context.onnx` of `directory`). */
  readonly contextLayer?: ContextLayer | (() => MaybePromise<ContextLayer>);
  /** The draft graph: trigram encoder, decoder rows, residual heads (default: `chimera.onnx` of `directory`). */
  readonly decoder?: ChimeraDecoder | (() => MaybePromise<ChimeraDecoder>);
  /** Nodes of the sparse tree (default 16): the largest validation-chosen tree (`heads.json`) of at most this many. */
  readonly treeSize?: number;
  /** An explicit tree instead: root-to-node paths of child ranks. */
  readonly tree?: readonly (readonly number[])[];
}

/**
 * Chimera (Zeng et al. 2024, "Chimera: A Lossless Decoding Method for Accelerating Large Language
 * Models Inference by Fusing All Tokens"): a trigram encoder turns the last three tokens of a path
 * into a query row; one full-context decoder layer attends from it to the target's hidden states of
 * the whole prefix (the layer's own KV cache, filled from the committed features) and to the rows of
 * the node's ancestors; residual head d adds its projection of that output to the target's hidden
 * state before the root and predicts the node's children through the target's LM head.
 *
 * The tree is a sparse tree in Medusa's convention chosen by measured acceptance on the validation
 * split, built level by level: one draft call per depth under a tree mask. Deterministic drafts:
 * exact with `defaultVerifier()`; `headVerifier({ acceptance: 'typical' })` is lossy. Needs hidden
 * states and tree attention.
 *
 * @example
 * const strategy = speculative({ drafter: chimera(), verifier: defaultVerifier() });
 */
export function chimera(options: ChimeraOptions = {}): Drafter {
  const features = new TargetFeatures();
  const prefix = new ContextState();
  let layer: ContextLayer | undefined;
  let decoder: ChimeraDecoder | undefined;
  let tree: SparseTree | undefined;
  return {
    name: 'chimera',
    requires: { hiddenStates: true, treeDrafts: true },
    async start(context: DrafterStartContext) {
      layer ??= await resolveHeads(options.contextLayer, () => loadContextLayer('chimera.context', options));
      decoder ??= await resolveHeads(options.decoder, () => loadChimeraDecoder(options));
      checkHiddenSize('chimera', layer, context);
      checkHiddenSize('chimera', decoder, context);
      tree ??= chooseTree('chimera', options, decoder);
      features.start(context);
      prefix.reset();
    },
    async propose(context: DraftContext): Promise<Draft> {
      if (!layer || !decoder || !tree || context.maxTokens === 0) return emptyDraft;
      await prefix.update(layer, features.take());
      const anchor = prefix.anchor(context.tokens);
      if (!anchor) return emptyDraft;
      const t = truncateTree(tree, context.maxTokens);
      const n = t.ranks.length;
      const committed = context.tokens;
      const L = committed.length;
      const tokens = new Int32Array(n);
      const hasChildren = new Uint8Array(n);
      for (let i = 0; i < n; i++) if (t.parents[i] >= 0) hasChildren[t.parents[i]] = 1;
      // The token `back` steps above `node` on its path (node -1 = the root, then the committed tokens;
      // positions before the first token repeat it, as in training).
      const tokenAbove = (node: number, back: number): number => {
        let at = node;
        for (; back > 0 && at >= 0; back--) at = t.parents[at];
        if (at >= 0) return tokens[at];
        return committed[Math.max(0, L - 1 - back)];
      };
      const cacheIndex = new Map<number, number>(); // expanded node (-1: root) -> its row in this step's cache
      let past = prefix.cache;
      for (let d = 0; d < t.maxDepth; d++) {
        const expanding: number[] = [];
        if (d === 0) expanding.push(-1);
        else for (let i = 0; i < n; i++) if (t.depths[i] === d && hasChildren[i]) expanding.push(i);
        if (expanding.length === 0) break;
        const rows = expanding.length;
        const span = past.length + rows;
        const trigrams = new Int32Array(rows * 3);
        const heads = new Int32Array(rows).fill(d);
        const positions = new Int32Array(rows).fill(L - 1 + d);
        const mask = new Uint8Array(rows * span);
        expanding.forEach((node, r) => {
          for (let j = 0; j < 3; j++) trigrams[r * 3 + j] = tokenAbove(node, 2 - j);
          mask.fill(1, r * span, r * span + prefix.cache.length);
          if (node >= 0) {
            for (let a = t.parents[node]; a >= 0; a = t.parents[a]) mask[r * span + (cacheIndex.get(a) as number)] = 1;
            mask[r * span + (cacheIndex.get(-1) as number)] = 1;
          }
          mask[r * span + past.length + r] = 1;
        });
        const out = await decoder.run({ trigrams, anchor: anchor.feature, heads, positions, mask, past });
        const rowOf = new Map<number, number>();
        expanding.forEach((node, r) => {
          rowOf.set(node, r);
          cacheIndex.set(node, past.length + r);
        });
        past = out.present;
        for (let i = 0; i < n; i++) {
          if (t.depths[i] !== d + 1) continue;
          const r = rowOf.get(t.parents[i]) as number;
          tokens[i] = out.top.ids[r * out.top.k + t.ranks[i]];
        }
      }
      return { tokens, parents: t.parents, sampling: 'deterministic' };
    },
    observe(feedback: DraftFeedback) {
      features.observe(feedback);
    },
    dispose() {
      features.reset();
      prefix.reset();
    },
  };
}
