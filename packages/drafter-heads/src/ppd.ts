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
import { tinyLmHeads } from '@decodekit/models-tiny';
import {
  attachedRows,
  type ExtraRowPlan,
  extraNodesLimit,
  openGraph,
  planTree,
  readExtraRowManifest,
  topIds,
  treeDraft,
} from './extra-rows.js';
import { resolveHeads } from './medusa.js';
import type { LoadHeadsOptions } from './onnx-heads.js';

/** Trained prompt-token embeddings: row k is the input of the extra row that predicts depth k + 1. */
export interface PromptEmbeddings {
  readonly hiddenSize: number;
  /** Prompt tokens per node = draft depth. */
  readonly count: number;
  /** Row-major `[count, hiddenSize]`. */
  readonly embeddings: Float32Array;
}

/** Options of `ppd()`. */
export interface PpdOptions extends LoadHeadsOptions {
  /** The prompt embeddings (default: `ppd.onnx` of `directory`); a function is called on the first `start`. */
  readonly prompts?: PromptEmbeddings | (() => MaybePromise<PromptEmbeddings>);
  /** Nodes of the sparse tree (default 16): the largest validation-chosen tree (`ppd.json`) of at most this size. */
  readonly treeSize?: number;
  /** An explicit tree instead: root-to-node paths of child ranks, e.g. `[[0], [1], [0, 0]]`. */
  readonly tree?: readonly (readonly number[])[];
  /**
   * How many rows of each verification block (root included) carry the prompt tokens (default 4, or
   * 'all'): the rows most likely to end the accepted path, by the validation counts. When the step ends
   * on a row without them, the next step drafts nothing (and attaches them to its root).
   */
  readonly extraNodes?: number | 'all';
}

/** Loads the prompt embeddings (`ppd.onnx`: prompt ids → embeddings) of a heads directory. */
export async function loadPromptEmbeddings(options: LoadHeadsOptions = {}): Promise<PromptEmbeddings> {
  const directory = options.directory ?? tinyLmHeads;
  const manifest = readExtraRowManifest('ppd', directory);
  const { ort, session } = await openGraph(directory, manifest.graph.file, options.threads ?? 1);
  const count = manifest.numPrompts ?? manifest.depth;
  const ids = BigInt64Array.from({ length: count }, (_, k) => BigInt(k));
  const out = await session.run({ prompt_ids: new ort.Tensor('int64', ids, [count]) }, ['prompt_embeddings']);
  const embeddings = Float32Array.from(out.prompt_embeddings.data as Float32Array);
  await session.release();
  return { hiddenSize: manifest.hiddenSize, count, embeddings };
}

/**
 * Parallel Prompt Decoding (Chen et al., "Hardware-Aware Parallel Prompt Decoding for
 * Memory-Efficient Acceleration of LLM Inference"): K trained prompt-token embeddings ride along in
 * the target's verification forward as extra input rows (`Draft.extraRows`), chained under the block
 * rows most likely to end the accepted path. Prompt row k under node x sits at x's position + k and
 * sees the context up to x and the prompt rows before it; the target's output there predicts the
 * token at depth k below the next root. After verification the prompt rows under the last accepted
 * node give the next draft: a Medusa-style sparse tree over their top-k (validation-chosen), and the
 * cache drops the prompt rows with the rejected nodes. No draft model runs at all.
 *
 * The draft is a deterministic function of the target's outputs, fixed before its random draws, so
 * `defaultVerifier()` is exact (greedy output identical to autoregressive greedy; sample-match under
 * sampling); `headVerifier({ acceptance: 'typical' })` is the lossy opt-in that PPD's paper uses for
 * sampling. Needs a target with input embeddings and tree attention.
 *
 * @example
 * const strategy = speculative({ drafter: ppd({ treeSize: 16 }), verifier: headVerifier() });
 */
export function ppd(options: PpdOptions = {}): Drafter {
  const limit = extraNodesLimit(options.extraNodes, 4);
  let prompts: PromptEmbeddings | undefined;
  let plan: ExtraRowPlan | undefined;
  // The prompt rows of the last proposal: block row -> index of its first extra row.
  let attached = new Map<number, number>();
  // The next draft's per-depth top-k ids, for the root at `position + 1`.
  let prediction: { position: number; ids: Int32Array } | undefined;
  const k = 10;
  return {
    name: 'ppd',
    requires: { extraRows: true, treeDrafts: true },
    async start(context: DrafterStartContext) {
      prompts ??= await resolveHeads(options.prompts, () => loadPromptEmbeddings(options));
      if (prompts.hiddenSize !== context.target.hiddenSize) {
        throw new InvalidArgumentError(
          'ppd',
          `the prompt embeddings have size ${prompts.hiddenSize} but target "${context.target.name}" has hidden size ${context.target.hiddenSize}; train them for this target (tools/fixtures/heads_transfer.py) and pass their directory`,
        );
      }
      plan ??= planTree(readExtraRowManifest('ppd', options.directory), options);
      if (plan.tree.maxDepth > prompts.count) {
        throw new InvalidArgumentError(
          'tree',
          `is ${plan.tree.maxDepth} deep but there are ${prompts.count} prompt tokens`,
        );
      }
      attached = new Map();
      prediction = undefined;
    },
    propose(context: DraftContext): Draft {
      attached = new Map();
      if (!prompts || !plan || context.maxTokens === 0) return emptyDraft;
      const { tokens } = context;
      const draft =
        prediction && prediction.position === tokens.length - 2
          ? treeDraft(plan.tree, context.maxTokens, prediction.ids, k)
          : { tokens: new Int32Array(0), parents: new Int32Array(0) };
      prediction = undefined;
      const rows = attachedRows(plan, draft.tokens.length + 1, limit);
      const K = prompts.count;
      const H = prompts.hiddenSize;
      const embeddings = new Float32Array(rows.length * K * H);
      const parents = new Int32Array(rows.length * K);
      rows.forEach((row, m) => {
        attached.set(row, m * K);
        for (let j = 0; j < K; j++) {
          const index = m * K + j;
          embeddings.set(prompts?.embeddings.subarray(j * H, (j + 1) * H) as Float32Array, index * H);
          // The first prompt row attaches to the block row (draft node row - 1, -1 = root), the rest chain.
          parents[index] = j === 0 ? row - 1 : draft.tokens.length + index - 1;
        }
      });
      return { ...draft, sampling: 'deterministic', extraRows: { embeddings, parents } };
    },
    observe(feedback: DraftFeedback) {
      const path = feedback.acceptedPath;
      const end = path.length === 0 ? 0 : path[path.length - 1] + 1;
      const first = attached.get(end);
      attached = new Map();
      if (!prompts || !feedback.extraLogits || first === undefined) return;
      prediction = {
        position: feedback.tokens.length - 2,
        ids: topIds(feedback.extraLogits, first, prompts.count, k),
      };
    },
    dispose() {
      attached = new Map();
      prediction = undefined;
    },
  };
}
