import type { Matrix } from './matrix.js';
import type { CausalLM, MaybePromise, Sequence } from './model.js';
import type { Rng } from './rng.js';
import type { SamplerChain } from './sampler.js';

/**
 * How the random nodes of a draft were drawn, which decides the exact verifier:
 * - `deterministic`: no node was drawn at random (PLD, Token Recycling, greedy draft models, heads);
 * - `independent`: each node drawn from its `q` row independently of its siblings (SpS chains, SpecTr's k i.i.d. drafts);
 * - `without-replacement`: siblings drawn from their parent's `q` without replacement (RSD, Gumbel-top-k).
 */
export type DraftSampling = 'deterministic' | 'independent' | 'without-replacement';

/**
 * A proposal: a token tree whose root is the last committed token (not part of the draft).
 * `parents[i]` is node i's parent (an earlier index) or -1 for children of the root.
 */
export interface Draft {
  readonly tokens: ArrayLike<number>;
  readonly parents: ArrayLike<number>;
  readonly sampling: DraftSampling;
  /**
   * For sampled drafts: `q[i]` is the full-vocabulary distribution node i was drawn from, after the
   * same sampler chain the target uses. Siblings drawn from the same distribution share one row.
   */
  readonly q?: readonly (Float32Array | undefined)[];
  /**
   * Rows the loop appends to the verification block after the draft nodes, fed as input embeddings
   * (no vocabulary token): Parallel Prompt Decoding's trained prompt tokens, whose target outputs are
   * the next step's drafts. They are never verified or committed; the cache drops them with the
   * rejected nodes, and their raw logits come back in `DraftFeedback.extraLogits`. Needs a target with
   * `inputEmbeddings` and `treeAttention` (declare `requires.extraRows`). The loop leaves them out
   * when the block would not fit the context window (the feedback then has no `extraLogits`).
   */
  readonly extraRows?: DraftExtraRows;
}

/** Extra embedding rows of a draft (`Draft.extraRows`). */
export interface DraftExtraRows {
  /** Row-major `[rows, hiddenSize]` input embeddings, one row per entry of `parents`. */
  readonly embeddings: Float32Array;
  /**
   * What each row attaches to, so that it attends to the prefix and that node's path: -1 the root,
   * `i < tokens.length` draft node i, `tokens.length + k` (k < j) an earlier extra row k. A row sits at
   * its parent's position + 1.
   */
  readonly parents: ArrayLike<number>;
}

/** What a drafter needs from the target, checked once before generation starts. */
export interface DrafterRequirements {
  /** Target last hidden states in `observe` feedback (Medusa, Hydra, EAGLE). */
  readonly hiddenStates?: boolean;
  /** The drafter proposes branching trees; without tree attention the loop verifies the first-child path. */
  readonly treeDrafts?: boolean;
  /** Drafts carry `extraRows` (embedding rows in the verification block): the target needs `inputEmbeddings` and `treeAttention`. */
  readonly extraRows?: boolean;
}

export interface DraftContext {
  /** Committed tokens: prompt then generated. The last one is the root of the draft. */
  readonly tokens: Int32Array;
  readonly promptLength: number;
  /** The most draft nodes the loop can verify this step (context and max-new-tokens budget). */
  readonly maxTokens: number;
  /** The chain the target samples with: sampled drafters draw q from it. */
  readonly sampler: SamplerChain;
  readonly rng: Rng;
  readonly signal?: AbortSignal;
}

/** The outcome of one verification, sent to the drafter that proposed the draft. */
export interface DraftFeedback {
  readonly draft: Draft;
  /** Accepted draft node indices, root to node. */
  readonly acceptedPath: readonly number[];
  /** The token the target added after the accepted path (bonus or correction). */
  readonly nextToken: number;
  /** Committed tokens after this step (prompt, generated, accepted path and next token). */
  readonly tokens: Int32Array;
  /**
   * Raw target logits: row 0 after the root, row i + 1 after draft node i. Adaptive drafters
   * (Token Recycling, ADED) learn from them. Do not modify.
   */
  readonly targetLogits: Matrix;
  /** Target last hidden states for the same rows, when the drafter required them. */
  readonly targetHiddenStates?: Matrix;
  /** Raw target logits of the draft's `extraRows`, one row each in order, when the loop ran them. Do not modify. */
  readonly extraLogits?: Matrix;
  /** Target last hidden states of the extra rows, when the drafter required hidden states and the loop ran them. */
  readonly extraHiddenStates?: Matrix;
}

export interface DrafterStartContext {
  readonly prompt: Int32Array;
  readonly target: CausalLM;
  readonly sampler: SamplerChain;
  readonly signal?: AbortSignal;
  /** Target logits/hidden states of the prompt's last position, from the prefill forward. */
  readonly prefillHiddenStates?: Matrix;
}

/**
 * A drafter proposes tokens for the target to verify. One drafter object serves one generation at
 * a time; `start` resets it for a new prompt.
 */
export interface Drafter {
  /** Kebab-case method name, as on the CLI (`pld`, `token-recycling`, `sps`, ...). */
  readonly name: string;
  readonly requires?: DrafterRequirements;
  /** Called once per generation before the first `propose`, after the prompt's prefill. */
  start?(context: DrafterStartContext): MaybePromise<void>;
  /** Returns a draft of at most `context.maxTokens` nodes (may be empty). */
  propose(context: DraftContext): MaybePromise<Draft>;
  /** Learns from the verification of the last proposal. */
  observe?(feedback: DraftFeedback): MaybePromise<void>;
  /** Frees resources (draft model sequences, workers). */
  dispose?(): MaybePromise<void>;
  /**
   * Optional: opens the sequence the speculative loop runs the target on (prefill, verification
   * forwards, accept), instead of `target.openSequence()`. Self-speculative drafters (LayerSkip,
   * DEL) draft with the target's own lower layers; owning the target's sequence lets verification
   * reuse the KV entries and hidden states drafting already computed. The returned sequence must
   * follow the `Sequence` contract exactly (same logits as `target.openSequence()`); the loop calls
   * this once per generation, before `start`.
   */
  openTargetSequence?(target: CausalLM): MaybePromise<Sequence>;
}

/** An empty draft (autoregressive step). */
export const emptyDraft: Draft = Object.freeze({ tokens: [], parents: [], sampling: 'deterministic' as const });

/** A deterministic chain draft of `tokens`. */
export function chainDraft(tokens: ArrayLike<number>): Draft {
  const parents = new Int32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) parents[i] = i - 1;
  return { tokens: Int32Array.from(tokens as ArrayLike<number>), parents, sampling: 'deterministic' };
}
