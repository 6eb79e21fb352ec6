import {
  type Draft,
  type DraftContext,
  type Drafter,
  type DrafterStartContext,
  type DraftFeedback,
  emptyDraft,
  type MaybePromise,
} from '@decodekit/core';
import type { HydraHeads } from './backend.js';
import { checkHiddenSize, chooseTree, resolveHeads } from './medusa.js';
import { type LoadHeadsOptions, loadHydraHeads } from './onnx-heads.js';
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
}

/**
 * Hydra (Ankner et al. 2024, "Hydra: Sequentially-Dependent Draft Heads for Medusa Decoding"):
 * like Medusa, but head h also reads the embeddings of the root and of the h tokens drafted above
 * the node it expands, so a node's children depend on its whole path. The tree (same convention as
 * Medusa's, chosen by measured acceptance on the validation split) is built level by level: one head
 * call per depth, batched over the nodes of that depth that have children.
 *
 * Deterministic drafts: exact with `defaultVerifier()`; `headVerifier({ acceptance: 'typical' })`
 * is the lossy typical acceptance. Needs hidden states and tree attention.
 *
 * @example
 * const strategy = speculative({ drafter: hydra(), verifier: defaultVerifier() });
 */
export function hydra(options: HydraOptions = {}): Drafter {
  const features = new TargetFeatures();
  let heads: HydraHeads | undefined;
  let tree: SparseTree | undefined;
  return {
    name: 'hydra',
    requires: { hiddenStates: true, treeDrafts: true },
    async start(context: DrafterStartContext) {
      heads ??= await resolveHeads(options.heads, () => loadHydraHeads(options));
      checkHiddenSize('hydra', heads, context);
      tree ??= chooseTree('hydra', options, heads);
      features.start(context);
    },
    async propose(context: DraftContext): Promise<Draft> {
      const anchor = features.anchor(context.tokens);
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
    },
  };
}
