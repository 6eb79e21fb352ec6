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
import type { MedusaHeads } from './backend.js';
import { type LoadHeadsOptions, loadMedusaHeads, readHeadsManifest } from './onnx-heads.js';
import { type SparseTree, sparseTree, treeForSize, truncateTree } from './sparse-tree.js';
import { TargetFeatures } from './target-features.js';

/** Options of `medusa()`. */
export interface MedusaOptions extends LoadHeadsOptions {
  /**
   * The heads to draft with (default: `medusa.onnx` of `directory`). A function is called once, on
   * the first `start`.
   */
  readonly heads?: MedusaHeads | (() => MaybePromise<MedusaHeads>);
  /**
   * Nodes of the sparse tree (default 16): the largest tree of at most this many nodes among the
   * trees chosen by measured acceptance on the validation split (`heads.json`).
   */
  readonly treeSize?: number;
  /** An explicit tree instead: root-to-node paths of child ranks, e.g. `[[0], [1], [0, 0]]`. */
  readonly tree?: readonly (readonly number[])[];
}

/** Resolves a heads option: a ready object, a factory, or the ONNX loader. */
export async function resolveHeads<T>(
  given: T | (() => MaybePromise<T>) | undefined,
  load: () => Promise<T>,
): Promise<T> {
  if (given === undefined) return load();
  return typeof given === 'function' ? await (given as () => MaybePromise<T>)() : given;
}

/** Checks that heads built for a hidden size fit the target the loop runs. */
export function checkHiddenSize(name: string, heads: { hiddenSize: number }, context: DrafterStartContext): void {
  if (heads.hiddenSize !== context.target.hiddenSize) {
    throw new InvalidArgumentError(
      name,
      `the heads read hidden states of size ${heads.hiddenSize} but target "${context.target.name}" has ${context.target.hiddenSize}; train heads for this target (tools/fixtures/heads.py) and pass their directory`,
    );
  }
}

/** Resolves the tree option of a tree method: explicit choices, or the manifest's tree (`trees[method]`) for a size. */
export function chooseTree(
  method: string,
  options: { tree?: readonly (readonly number[])[]; treeSize?: number; directory?: string },
  heads: { numHeads: number; topK: number },
): SparseTree {
  const size = options.treeSize ?? 16;
  if (!Number.isInteger(size) || size < 1) {
    throw new InvalidArgumentError('treeSize', `must be an integer >= 1, got ${size}`);
  }
  const choices = options.tree ?? treeForSize(readHeadsManifest(options.directory).trees[method] ?? {}, size);
  return sparseTree(choices, heads.topK, heads.numHeads);
}

/**
 * Medusa (Cai et al. 2024, "Medusa: Simple LLM Inference Acceleration Framework with Multiple
 * Decoding Heads"): K heads on the target's last hidden state before the root each predict one
 * future offset; the draft is a sparse tree over their top-k tokens in which a node's token depends
 * only on its depth and rank (`top_rank(head_{depth−1})`), never on its parent. The default tree
 * was chosen by measured path acceptance on the validation split.
 *
 * One head call per step. The draft is deterministic, so `defaultVerifier()` verifies it exactly
 * (greedy match, or sample-match under sampling); `headVerifier({ acceptance: 'typical' })` is
 * Medusa's lossy typical acceptance. Needs a target with hidden states and tree attention.
 *
 * @example
 * const strategy = speculative({ drafter: medusa({ treeSize: 24 }), verifier: defaultVerifier() });
 */
export function medusa(options: MedusaOptions = {}): Drafter {
  const features = new TargetFeatures();
  let heads: MedusaHeads | undefined;
  let tree: SparseTree | undefined;
  return {
    name: 'medusa',
    requires: { hiddenStates: true, treeDrafts: true },
    async start(context: DrafterStartContext) {
      heads ??= await resolveHeads(options.heads, () => loadMedusaHeads(options));
      checkHiddenSize('medusa', heads, context);
      tree ??= chooseTree('medusa', options, heads);
      features.start(context);
    },
    async propose(context: DraftContext): Promise<Draft> {
      const anchor = features.anchor(context.tokens);
      if (!heads || !tree || !anchor || context.maxTokens === 0) return emptyDraft;
      const t = truncateTree(tree, context.maxTokens);
      const top = await heads.run(anchor, 1);
      const tokens = new Int32Array(t.ranks.length);
      for (let i = 0; i < tokens.length; i++) tokens[i] = top.ids[(t.depths[i] - 1) * top.k + t.ranks[i]];
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
