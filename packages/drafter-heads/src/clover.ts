import {
  type Draft,
  type DraftContext,
  type Drafter,
  type DrafterStartContext,
  type DraftFeedback,
  emptyDraft,
  InvalidArgumentError,
  type MaybePromise,
} from '@decodekit/core';
import type { CloverDecoder, ContextLayer } from './backend.js';
import { ContextState } from './context-state.js';
import { checkHiddenSize, chooseTree, resolveHeads } from './medusa.js';
import { type LoadHeadsOptions, loadCloverDecoder, loadContextLayer } from './onnx-heads.js';
import { type SparseTree, truncateTree } from './sparse-tree.js';
import { TargetFeatures } from './target-features.js';

/** Options of `clover()`. */
export interface CloverOptions extends LoadHeadsOptions {
  /** The augmenting block (default: `clover.context.onnx` of `directory`); a function is called on the first `start`. */
  readonly augmenter?: ContextLayer | (() => MaybePromise<ContextLayer>);
  /** The regressive draft step (default: `clover.onnx` of `directory`). */
  readonly decoder?: CloverDecoder | (() => MaybePromise<CloverDecoder>);
  /** Nodes of the sparse tree (default 16): the largest validation-chosen tree (`heads.json`) of at most this many. */
  readonly treeSize?: number;
  /** An explicit tree instead: root-to-node paths of child ranks. */
  readonly tree?: readonly (readonly number[])[];
  /** Draft depth limit (default 4, the depth the heads were trained for). */
  readonly depth?: number;
}

/**
 * Clover (Xiao et al. 2024, "Clover: Regressive Lightweight Speculative Decoding with Sequential
 * Knowledge"): the augmenting block (a decoder layer with its own KV cache over the target's hidden
 * states of the whole prefix) gives augmented states; the draft then runs a regressive step per
 * depth: the token above a node and the state of its path go through `fc`, an attention decoder
 * (cross-attention over the augmented prefix) and a residual block, and the result's next-token
 * top-k (through the target's LM head) gives the node's children. The state starts at the augmented
 * state before the root; one set of step weights serves every depth (recurrent, as in Clover-2).
 *
 * The tree is a sparse tree in Medusa's convention chosen by measured acceptance on the validation
 * split, built level by level: one step call per depth, batched over the nodes that have children.
 * Deterministic drafts: exact with `defaultVerifier()`; `headVerifier({ acceptance: 'typical' })` is
 * lossy. Needs hidden states and tree attention.
 *
 * @example
 * const strategy = speculative({ drafter: clover(), verifier: defaultVerifier() });
 */
export function clover(options: CloverOptions = {}): Drafter {
  const depthLimit = options.depth ?? 4;
  if (!Number.isInteger(depthLimit) || depthLimit < 1) {
    throw new InvalidArgumentError('depth', `must be an integer >= 1, got ${depthLimit}`);
  }
  const features = new TargetFeatures();
  const prefix = new ContextState();
  let augmenter: ContextLayer | undefined;
  let decoder: CloverDecoder | undefined;
  let tree: SparseTree | undefined;
  return {
    name: 'clover',
    requires: { hiddenStates: true, treeDrafts: true },
    async start(context: DrafterStartContext) {
      augmenter ??= await resolveHeads(options.augmenter, () => loadContextLayer('clover.context', options));
      decoder ??= await resolveHeads(options.decoder, () => loadCloverDecoder(options));
      checkHiddenSize('clover', augmenter, context);
      checkHiddenSize('clover', decoder, context);
      tree ??= chooseTree('clover', options, { numHeads: depthLimit, topK: decoder.topK });
      features.start(context);
      prefix.reset();
    },
    async propose(context: DraftContext): Promise<Draft> {
      if (!augmenter || !decoder || !tree || context.maxTokens === 0) return emptyDraft;
      await prefix.update(augmenter, features.take());
      const anchor = prefix.anchor(context.tokens);
      if (!anchor) return emptyDraft;
      const t = truncateTree(tree, context.maxTokens);
      const n = t.ranks.length;
      const L = context.tokens.length;
      const H = decoder.hiddenSize;
      const tokens = new Int32Array(n);
      const hasChildren = new Uint8Array(n);
      for (let i = 0; i < n; i++) if (t.parents[i] >= 0) hasChildren[t.parents[i]] = 1;
      // stepOutput(p): the state after node p's step (p = -1: the root's, which reads the anchor); node i reads its parent's.
      const stepOutput = new Map<number, Float32Array>();
      for (let d = 0; d < t.maxDepth; d++) {
        const expanding: number[] = [];
        if (d === 0) expanding.push(-1);
        else for (let i = 0; i < n; i++) if (t.depths[i] === d && hasChildren[i]) expanding.push(i);
        if (expanding.length === 0) break;
        const rows = expanding.length;
        const states = new Float32Array(rows * H);
        const ids = new Int32Array(rows);
        const positions = new Int32Array(rows).fill(L - 1 + d);
        expanding.forEach((node, r) => {
          states.set(node < 0 ? anchor.output : (stepOutput.get(t.parents[node]) as Float32Array), r * H);
          ids[r] = node < 0 ? context.tokens[L - 1] : tokens[node];
        });
        const out = await decoder.run(states, ids, positions, prefix.context);
        const rowOf = new Map<number, number>();
        expanding.forEach((node, r) => {
          rowOf.set(node, r);
          stepOutput.set(node, out.states.slice(r * H, (r + 1) * H));
        });
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
