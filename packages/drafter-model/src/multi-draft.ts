import {
  type CausalLM,
  type Draft,
  type DraftContext,
  type Drafter,
  type DraftFeedback,
  InvalidArgumentError,
  matrixRow,
  type Rng,
  type Sequence,
  sampleCategorical,
  topK,
} from '@decodekit/core';
import { checkVocabulary, DraftSequence } from './internal/draft-sequence.js';
import { requireInteger } from './internal/draw.js';

/**
 * How the branches of a multi-draft tree are drawn:
 * - `iid`: k draft sequences drawn independently from the draft model (SpecTr), `sampling: 'independent'`;
 * - `without-replacement`: the children of a node are a Gumbel-top-b sample without replacement from
 *   its q (RSD with constant branching), `sampling: 'without-replacement'`.
 */
export type MultiDraftMode = 'iid' | 'without-replacement';

export interface MultiDraftOptions {
  /** The draft model; it must share the target's tokenizer. */
  readonly draftModel: CausalLM;
  /** Branches from the root: k draft sequences (`iid`) or the root's children (`without-replacement`). Default 4. */
  readonly k?: number;
  /** Tokens per branch (tree depth), default 4. Lowered when the tree would exceed the loop's `maxTokens`. */
  readonly depth?: number;
  readonly mode: MultiDraftMode;
  /**
   * `without-replacement` only: children per node at each depth (RSD's constant branching factors
   * b_1..b_L), default `[k, 1, 1, ...]` (k branches at the root, then chains). Missing entries are 1.
   */
  readonly branching?: readonly number[];
}

interface FrontierNode {
  /** Draft node index, or -1 for the root. */
  readonly node: number;
  /** Draft-model logits after this node (processed in place when drawn from). */
  readonly logits: Float32Array;
  readonly contextTokens: readonly number[];
  /** The node's own draft sequence (a fork), or undefined for the root (the shared base sequence). */
  readonly sequence: Sequence | undefined;
}

/**
 * Multi-draft speculative decoding with a draft model: a token tree whose branches are several
 * draft sequences, verified together in one target forward with tree attention.
 *
 * - `mode: 'iid'` (CLI `spectr`): k sequences drawn i.i.d. from the draft model, the root's k
 *   children (duplicates kept) each continued as its own chain. Verify with `specTrVerifier()`
 *   (Sun et al. 2023, "SpecTr: Fast Speculative Decoding via Optimal Transport") or
 *   `recursiveRejectionVerifier()`.
 * - `mode: 'without-replacement'` (CLI `rsd`): the children of every node are drawn without
 *   replacement from its q by Gumbel-top-b, with constant branching factors per depth (Jeon et al.
 *   2024, "Recursive Speculative Decoding", RSD-C). Verify with `recursiveSpeculativeVerifier()`.
 *
 * Every node records its parent's q row (the target's sampler chain applied to the draft logits in
 * the node's exact context). With a greedy sampler chain the tree is deterministic: the root's top-k
 * tokens (top-b per node) continued greedily, for `greedyVerifier()`/`defaultVerifier()`. The
 * branches of one depth run in one `forwardBatch` call, each on its own fork of the draft sequence.
 * Needs tree attention in the target; without it the loop verifies the first branch only.
 *
 * @example
 * const drafter = multiDraft({ draftModel, k: 4, depth: 3, mode: 'iid' });
 * const strategy = speculative({ drafter, verifier: specTrVerifier() });
 */
export function multiDraft(options: MultiDraftOptions): Drafter {
  const { draftModel, mode } = options;
  if (!draftModel)
    throw new InvalidArgumentError('draftModel', 'multi-draft decoding needs a draft model (a CausalLM)');
  if (mode !== 'iid' && mode !== 'without-replacement') {
    throw new InvalidArgumentError('mode', `must be "iid" or "without-replacement", got ${JSON.stringify(mode)}`);
  }
  const k = options.k ?? 4;
  const depth = options.depth ?? 4;
  requireInteger(k, 'k', 1);
  requireInteger(depth, 'depth', 1);
  if (options.branching && mode !== 'without-replacement') {
    throw new InvalidArgumentError('branching', 'per-depth branching applies to mode "without-replacement" only');
  }
  const branching = Array.from({ length: depth }, (_, d) => options.branching?.[d] ?? (d === 0 ? k : 1));
  for (let d = 0; d < depth; d++) requireInteger(branching[d], `branching[${d}]`, 1);
  const name = mode === 'iid' ? 'spectr' : 'rsd';
  const base = new DraftSequence(draftModel);

  return {
    name,
    requires: { treeDrafts: true },
    async start(context) {
      checkVocabulary(draftModel, context.target, name);
      await base.reset(context.prompt, context.signal);
    },
    async propose(context: DraftContext): Promise<Draft> {
      const { sampler, rng, promptLength, signal } = context;
      const committed = context.tokens;
      const room = draftModel.contextLength - committed.length + 1;
      const plan = fitPlan(branching, context.maxTokens, room);
      const sampling = sampler.greedy ? 'deterministic' : mode === 'iid' ? 'independent' : 'without-replacement';
      if (plan.length === 0)
        return { tokens: [], parents: [], sampling, q: sampling === 'deterministic' ? undefined : [] };
      const rootOutput = await base.catchUp(committed, { signal });
      const tokens: number[] = [];
      const parents: number[] = [];
      const q: Float32Array[] = [];
      const forks: Sequence[] = [];
      let frontier: FrontierNode[] = [
        { node: -1, logits: rootOutput.logits.slice(), contextTokens: Array.from(committed), sequence: undefined },
      ];
      try {
        for (let level = 0; level < plan.length; level++) {
          const next: { parent: FrontierNode; node: number; token: number }[] = [];
          for (const item of frontier) {
            const context = { tokens: item.contextTokens, promptLength };
            if (sampler.greedy) {
              const count = level === 0 || mode === 'without-replacement' ? plan[level] : 1;
              sampler.distribution(item.logits, context, new Float32Array(item.logits.length));
              for (const token of topK(item.logits, count)) {
                if (item.logits[token] === Number.NEGATIVE_INFINITY) break;
                tokens.push(token);
                parents.push(item.node);
                next.push({ parent: item, node: tokens.length - 1, token });
              }
              continue;
            }
            const row = sampler.distribution(item.logits, context, new Float32Array(item.logits.length));
            const drawn =
              mode === 'iid'
                ? Array.from({ length: level === 0 ? plan[0] : 1 }, () => sampleCategorical(row, rng))
                : gumbelTopK(row, plan[level], rng);
            for (const token of drawn) {
              tokens.push(token);
              parents.push(item.node);
              q.push(row);
              next.push({ parent: item, node: tokens.length - 1, token });
            }
          }
          if (level + 1 === plan.length || next.length === 0) break;
          // One fork per child, then one batched draft forward for the whole level.
          const sequences: Sequence[] = [];
          for (const child of next) {
            const sequence = child.parent.sequence ? await child.parent.sequence.fork() : (await base.fork()).sequence;
            forks.push(sequence);
            sequences.push(sequence);
          }
          const outputs = await draftModel.forwardBatch(
            next.map((child, i) => ({ sequence: sequences[i], block: { tokens: [child.token] } })),
            { logits: 'last', signal },
          );
          frontier = next.map((child, i) => ({
            node: child.node,
            logits: matrixRow(outputs[i].logits, outputs[i].logits.rows - 1).slice(),
            contextTokens: [...child.parent.contextTokens, child.token],
            sequence: sequences[i],
          }));
        }
      } finally {
        for (const fork of forks) await fork.dispose();
      }
      return sampling === 'deterministic' ? { tokens, parents, sampling } : { tokens, parents, sampling, q };
    },
    async observe(feedback: DraftFeedback) {
      if (feedback.tokens.length > draftModel.contextLength) await base.dropMismatch(feedback.tokens);
      else await base.catchUp(feedback.tokens);
    },
    async dispose() {
      await base.dispose();
    },
  };
}

/** Branching factors per level cut so the tree has at most `budget` nodes and `room` levels. */
function fitPlan(branching: readonly number[], budget: number, room: number): number[] {
  const plan: number[] = [];
  let width = 1;
  let total = 0;
  for (let level = 0; level < branching.length && level < room; level++) {
    let b = branching[level];
    while (b > 0 && total + width * b > budget) b--;
    if (b === 0) break;
    plan.push(b);
    width *= b;
    total += width;
  }
  return plan;
}

/**
 * Up to `count` distinct tokens drawn without replacement from `probabilities`, in draw order:
 * the top `count` of log q + Gumbel noise (Gumbel-top-k), O(V log count).
 */
export function gumbelTopK(probabilities: Float32Array, count: number, rng: Rng): number[] {
  const keys = new Float64Array(probabilities.length);
  let support = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i];
    if (p > 0) {
      support++;
      // A uniform strictly inside (0, 1), so the Gumbel draw is finite.
      const uniform = rng.next() + 2 ** -33;
      keys[i] = Math.log(p) - Math.log(-Math.log(uniform));
    } else keys[i] = Number.NEGATIVE_INFINITY;
  }
  return Array.from(topK(keys, Math.min(count, support)));
}
