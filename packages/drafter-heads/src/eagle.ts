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
import { emptyFeatureCache, type FeatureCache, type FeatureDrafter } from './backend.js';
import { checkHiddenSize, resolveHeads } from './medusa.js';
import { type LoadHeadsOptions, loadFeatureDrafter } from './onnx-heads.js';
import { TargetFeatures } from './target-features.js';

/** Options of `eagle()`. */
export interface EagleOptions extends LoadHeadsOptions {
  /** The feature drafter (default: `eagle.onnx` of `directory`); a function is called on the first `start`. */
  readonly drafter?: FeatureDrafter | (() => MaybePromise<FeatureDrafter>);
  /** Frontier width: nodes expanded per depth and children considered per node (default 4, at most the graph's top-k). */
  readonly topK?: number;
  /** Draft depth (default 4): draft-layer calls per step after the context update. */
  readonly depth?: number;
  /** Nodes kept after reranking (default 12; also capped by the loop's `maxTokens`). */
  readonly totalTokens?: number;
}

interface Node {
  readonly token: number;
  readonly parent: number; // index into nodes, -1 for the root
  readonly depth: number;
  readonly score: number; // summed draft log-probabilities along the path
  feature?: Float32Array; // the predicted feature after this node (once expanded)
  cacheIndex?: number; // its entry in this step's draft cache (once expanded)
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new InvalidArgumentError(name, `must be an integer >= 1, got ${value}`);
  return value;
}

/**
 * An EAGLE-style feature drafter (Li et al. 2024, "EAGLE: Speculative Sampling Requires Rethinking
 * Feature Uncertainty") with EAGLE-2's dynamic draft trees ("EAGLE-2: Faster Inference of Language
 * Models with Dynamic Draft Trees"). One decoder layer with its own KV cache reads
 * `fc(concat(E(token), feature))` and predicts the next target feature; the target's LM head gives
 * its tokens. The cache holds the target's true features of the committed tokens; drafting then
 * continues on the drafter's own predicted features.
 *
 * Tree (EAGLE-2): the root's top-k children form the first frontier; at each further depth the
 * frontier is run in one batched call (tree mask over the cache and each node's ancestors), each
 * frontier node proposes its top-k children scored by the summed log-probability of their path, and
 * the best `topK` children become the next frontier. Finally the `totalTokens` best-scored nodes
 * (a connected subtree: a child never scores above its parent) are the draft.
 *
 * Deterministic drafts: exact with `defaultVerifier()`; `headVerifier({ acceptance: 'typical' })`
 * is lossy. Needs a target with hidden states and tree attention.
 *
 * @example
 * const strategy = speculative({ drafter: eagle({ topK: 4, depth: 4, totalTokens: 12 }), verifier: defaultVerifier() });
 */
export function eagle(options: EagleOptions = {}): Drafter {
  const width = positiveInteger('topK', options.topK ?? 4);
  const maxDepth = positiveInteger('depth', options.depth ?? 4);
  const total = positiveInteger('totalTokens', options.totalTokens ?? 12);
  const features = new TargetFeatures();
  let model: FeatureDrafter | undefined;
  let cache: FeatureCache = emptyFeatureCache();
  let waiting: { position: number; feature: Float32Array }[] = [];
  // The drafter's output for the newest committed pair: the predicted feature after the root and its top-k.
  let rootOutput: { position: number; feature: Float32Array; ids: Int32Array; logprobs: Float32Array } | undefined;

  const reset = () => {
    cache = emptyFeatureCache();
    waiting = [];
    rootOutput = undefined;
  };

  /** Feeds the committed (feature, next token) pairs not in the cache yet. */
  async function update(drafter: FeatureDrafter, tokens: Int32Array): Promise<void> {
    waiting.push(...features.take());
    const ready = waiting.filter((entry) => entry.position + 1 < tokens.length);
    if (ready.length === 0) return;
    waiting = waiting.filter((entry) => entry.position + 1 >= tokens.length);
    const rows = ready.length;
    const H = drafter.hiddenSize;
    const input = new Float32Array(rows * H);
    const ids = new Int32Array(rows);
    const positions = new Int32Array(rows);
    const span = cache.length + rows;
    const mask = new Uint8Array(rows * span);
    ready.forEach((entry, r) => {
      input.set(entry.feature, r * H);
      ids[r] = tokens[entry.position + 1];
      positions[r] = entry.position;
      mask.fill(1, r * span, r * span + cache.length + r + 1);
    });
    const out = await drafter.run({ features: input, tokens: ids, positions, mask, past: cache });
    cache = out.present;
    const last = rows - 1;
    const k = out.top.k;
    rootOutput = {
      position: positions[last],
      feature: out.features.slice(last * H, (last + 1) * H),
      ids: out.top.ids.slice(last * k, (last + 1) * k),
      logprobs: out.top.logprobs.slice(last * k, (last + 1) * k),
    };
  }

  return {
    name: 'eagle',
    requires: { hiddenStates: true, treeDrafts: true },
    async start(context: DrafterStartContext) {
      model ??= await resolveHeads(options.drafter, () => loadFeatureDrafter(options));
      checkHiddenSize('eagle', model, context);
      if (width > model.topK) {
        throw new InvalidArgumentError('topK', `must be at most ${model.topK} (the top-k the drafter graph returns)`);
      }
      reset();
      features.start(context);
    },
    async propose(context: DraftContext): Promise<Draft> {
      if (!model || context.maxTokens === 0) return emptyDraft;
      const drafter = model;
      const { tokens } = context;
      await update(drafter, tokens);
      const L = tokens.length;
      if (!rootOutput || rootOutput.position !== L - 2) return emptyDraft;
      const budget = Math.min(total, context.maxTokens);
      const H = drafter.hiddenSize;
      const nodes: Node[] = [];
      const firstCount = Math.min(width, rootOutput.ids.length);
      for (let j = 0; j < firstCount; j++) {
        nodes.push({ token: rootOutput.ids[j], parent: -1, depth: 1, score: rootOutput.logprobs[j] });
      }
      let frontier = nodes.map((_, i) => i);
      let past = cache;
      const committed = cache.length;
      for (let depth = 1; depth < maxDepth && frontier.length > 0 && budget > 1; depth++) {
        const rows = frontier.length;
        const input = new Float32Array(rows * H);
        const ids = new Int32Array(rows);
        const positions = new Int32Array(rows).fill(L - 2 + depth);
        const span = past.length + rows;
        const mask = new Uint8Array(rows * span);
        frontier.forEach((index, r) => {
          const node = nodes[index];
          const parentFeature = node.parent < 0 ? rootOutput?.feature : nodes[node.parent].feature;
          input.set(parentFeature as Float32Array, r * H);
          ids[r] = node.token;
          mask.fill(1, r * span, r * span + committed);
          for (let a = node.parent; a >= 0; a = nodes[a].parent) mask[r * span + (nodes[a].cacheIndex as number)] = 1;
          mask[r * span + past.length + r] = 1;
        });
        const out = await drafter.run({ features: input, tokens: ids, positions, mask, past });
        const k = out.top.k;
        const children: Node[] = [];
        frontier.forEach((index, r) => {
          const node = nodes[index];
          node.feature = out.features.slice(r * H, (r + 1) * H);
          node.cacheIndex = past.length + r;
          for (let j = 0; j < Math.min(width, k); j++) {
            children.push({
              token: out.top.ids[r * k + j],
              parent: index,
              depth: depth + 1,
              score: node.score + out.top.logprobs[r * k + j],
            });
          }
        });
        past = out.present;
        children.sort((a, b) => b.score - a.score);
        frontier = [];
        for (const child of children.slice(0, width)) {
          frontier.push(nodes.length);
          nodes.push(child);
        }
      }
      // Rerank: the best `budget` nodes; a parent scores at least as high as its children and wins ties by depth.
      const order = nodes
        .map((_, i) => i)
        .sort((a, b) => nodes[b].score - nodes[a].score || nodes[a].depth - nodes[b].depth || a - b);
      const chosen = new Set<number>();
      for (const i of order) {
        if (chosen.size >= budget) break;
        if (nodes[i].parent < 0 || chosen.has(nodes[i].parent)) chosen.add(i);
      }
      const kept = [...chosen].sort((a, b) => nodes[a].depth - nodes[b].depth || a - b);
      const indexOf = new Map(kept.map((node, i) => [node, i]));
      const draftTokens = new Int32Array(kept.length);
      const parents = new Int32Array(kept.length);
      kept.forEach((node, i) => {
        draftTokens[i] = nodes[node].token;
        parents[i] = nodes[node].parent < 0 ? -1 : (indexOf.get(nodes[node].parent) as number);
      });
      return { tokens: draftTokens, parents, sampling: 'deterministic' };
    },
    observe(feedback: DraftFeedback) {
      features.observe(feedback);
    },
    dispose() {
      reset();
      features.reset();
    },
  };
}
