import {
  type Draft,
  type DraftContext,
  type Drafter,
  type DrafterStartContext,
  type DraftFeedback,
  emptyDraft,
  type MaybePromise,
} from '@decodekit/core';
import type { ContextLayer, HydraHeads } from './backend.js';
import { ContextState } from './context-state.js';
import { checkHiddenSize, chooseTree, resolveHeads } from './medusa.js';
import { type LoadHeadsOptions, loadContextLayer, loadHydraHeads } from './onnx-heads.js';
import { type SparseTree, truncateTree } from './sparse-tree.js';
import { TargetFeatures } from './target-features.js';

/** Options of `hydra()`. */
export interface HydraOptions extends LoadHeadsOptions {
  /** The heads to draft with (default: `hydra.{h}.onnx` of `directory`); a function is called on the first `start`. */
  readonly heads?: HydraHeads | (() => MaybePromise<HydraHeads>);
  /**
   * Nodes of the sparse tree (default 16): the largest validation-chosen tree (`heads.json`) of at
   * most this many nodes.
   */
  readonly treeSize?: number;
  /** An explicit tree instead: root-to-node paths of child ranks. */
  readonly tree?: readonly (readonly number[])[];
  /**
   * Hydra++'s prefix-attention layer (default false): a decoder layer with its own KV cache runs over
   * the target's hidden states of the whole prefix, and its output for the position before the root
   * replaces that hidden state as the heads' input. Trees then come from `heads.json`'s `hydrapp` entry.
   */
  readonly prefixAttention?: boolean;
  /** The prefix layer (default: `hydrapp.prefix.onnx` of `directory`); implies `prefixAttention`. */
  readonly prefixLayer?: ContextLayer | (() => MaybePromise<ContextLayer>);
}

/**
 * Hydra (Ankner et al. 2024, "Hydra: Sequentially-Dependent Draft Heads for Medusa Decoding"):
 * like Medusa, but head h also reads the embeddings of the root and of the h tokens drafted above
 * the node it expands, so a node's children depend on its whole path. The tree (same convention as
 * Medusa's, chosen by measured acceptance on the validation split) is built level by level: one head
 * call per depth, batched over the nodes of that depth that have children.
 *
 * With `prefixAttention` (Hydra++'s `prefix-mlp` head architecture), one extra decoder layer over
 * the target's prefix hidden states (own KV cache, one call per step for the newly committed rows)
 * feeds the heads instead of the raw hidden state.
 *
 * Deterministic drafts: exact with `defaultVerifier()`; `headVerifier({ acceptance: 'typical' })`
 * is the lossy typical acceptance. Needs hidden states and tree attention.
 *
 * @example
 * const strategy = speculative({ drafter: hydra(), verifier: defaultVerifier() });
 */
export function hydra(options: HydraOptions = {}): Drafter {
  const features = new TargetFeatures();
  const withPrefix = options.prefixAttention === true || options.prefixLayer !== undefined;
  const prefix = new ContextState();
  let heads: HydraHeads | undefined;
  let layer: ContextLayer | undefined;
  let tree: SparseTree | undefined;
  return {
    name: 'hydra',
    requires: { hiddenStates: true, treeDrafts: true },
    async start(context: DrafterStartContext) {
      heads ??= await resolveHeads(options.heads, () => loadHydraHeads(options));
      checkHiddenSize('hydra', heads, context);
      if (withPrefix) {
        layer ??= await resolveHeads(options.prefixLayer, () => loadContextLayer('hydrapp.prefix', options));
        checkHiddenSize('hydra', layer, context);
      }
      tree ??= chooseTree(withPrefix ? 'hydrapp' : 'hydra', options, heads);
      features.start(context);
      prefix.reset();
    },
    async propose(context: DraftContext): Promise<Draft> {
      // Hydra++: the prefix layer catches up on the committed features; its newest output is the anchor.
      if (layer) await prefix.update(layer, features.take());
      const anchor = layer ? prefix.anchor(context.tokens)?.output : features.anchor(context.tokens);
      if (!heads || !tree || !anchor || context.maxTokens === 0) return emptyDraft;
      const t = truncateTree(tree, context.maxTokens);
      const n = t.ranks.length;
      const root = context.tokens[context.tokens.length - 1];
      const H = heads.hiddenSize;
      const tokens = new Int32Array(n);
      const hasChildren = new Uint8Array(n);
      for (let i = 0; i < n; i++) if (t.parents[i] >= 0) hasChildren[t.parents[i]] = 1;
      // Level d expands the root (d = 0) or the depth-d nodes with children; head d gives their children.
      for (let d = 0; d < t.maxDepth; d++) {
        const expanding: number[] = [];
        if (d === 0) expanding.push(-1);
        else for (let i = 0; i < n; i++) if (t.depths[i] === d && hasChildren[i]) expanding.push(i);
        if (expanding.length === 0) break;
        const rows = expanding.length;
        const hidden = new Float32Array(rows * H);
        const paths = new Int32Array(rows * (d + 1));
        expanding.forEach((node, r) => {
          hidden.set(anchor, r * H);
          paths[r * (d + 1)] = root;
          for (let k = d, at = node; k >= 1; k--, at = t.parents[at]) paths[r * (d + 1) + k] = tokens[at];
        });
        const top = await heads.run(d, hidden, paths, rows);
        const rowOf = new Map(expanding.map((node, r) => [node, r]));
        for (let i = 0; i < n; i++) {
          if (t.depths[i] !== d + 1) continue;
          const r = rowOf.get(t.parents[i]) as number;
          tokens[i] = top.ids[r * top.k + t.ranks[i]];
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
