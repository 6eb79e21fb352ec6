import {
  type CausalLM,
  type Draft,
  type DraftContext,
  type Drafter,
  type DraftFeedback,
  InvalidArgumentError,
  matrixRow,
  type Rng,
  type SamplerChain,
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
 *   its q (RSD-C, constant branching), `sampling: 'without-replacement'`;
 * - `stochastic-beam`: stochastic beam search of width k (RSD-S): the k sequences with the largest
 *   perturbed log-probabilities are kept at every depth, `sampling: 'without-replacement'`.
 */
export type MultiDraftMode = 'iid' | 'without-replacement' | 'stochastic-beam';

export interface MultiDraftOptions {
  /** The draft model; it must share the target's tokenizer. */
  readonly draftModel: CausalLM;
  /** Branches from the root: k draft sequences (`iid`), the root's children (`without-replacement`) or the beam width (`stochastic-beam`). Default 4. */
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
  /** Stochastic beam search: log q of the path (φ) and its perturbed value (G). */
  readonly logProbability: number;
  readonly perturbed: number;
}

interface Child {
  readonly parent: FrontierNode;
  readonly token: number;
  readonly q: Float32Array | undefined;
  readonly logProbability: number;
  readonly perturbed: number;
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
  if (mode !== 'iid' && mode !== 'without-replacement' && mode !== 'stochastic-beam') {
    throw new InvalidArgumentError(
      'mode',
      `must be "iid", "without-replacement" or "stochastic-beam", got ${JSON.stringify(mode)}`,
    );
  }
  const k = options.k ?? 4;
  const depth = options.depth ?? 4;
  requireInteger(k, 'k', 1);
  requireInteger(depth, 'depth', 1);
  if (options.branching && mode !== 'without-replacement') {
    throw new InvalidArgumentError('branching', 'per-depth branching applies to mode "without-replacement" only');
  }
  const beam = mode === 'stochastic-beam';
  const branching = Array.from({ length: depth }, (_, d) => options.branching?.[d] ?? (d === 0 || beam ? k : 1));
  for (let d = 0; d < depth; d++) requireInteger(branching[d], `branching[${d}]`, 1);
  if (beam && options.branching)
    throw new InvalidArgumentError(
      'branching',
      'stochastic beam search keeps k sequences per depth; leave branching out',
    );
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
      const plan = beam ? fitBeamPlan(k, depth, context.maxTokens, room) : fitPlan(branching, context.maxTokens, room);
      const sampling = sampler.greedy ? 'deterministic' : mode === 'iid' ? 'independent' : 'without-replacement';
      if (plan.length === 0)
        return { tokens: [], parents: [], sampling, q: sampling === 'deterministic' ? undefined : [] };
      const rootOutput = await base.catchUp(committed, { signal });
      const tokens: number[] = [];
      const parents: number[] = [];
      const q: Float32Array[] = [];
      const forks: Sequence[] = [];
      let frontier: FrontierNode[] = [
        {
          node: -1,
          logits: rootOutput.logits.slice(),
          contextTokens: Array.from(committed),
          sequence: undefined,
          logProbability: 0,
          perturbed: 0,
        },
      ];
      try {
        for (let level = 0; level < plan.length; level++) {
          const next: { parent: FrontierNode; node: number; token: number; child?: Child }[] = [];
          if (beam) {
            // RSD-S: candidates of every beam compete; each beam's kept children stay in perturbed order.
            const candidates: Child[] = [];
            for (const item of frontier)
              candidates.push(...beamCandidates(item, plan[level], sampler, promptLength, rng));
            const kept = topK(
              candidates.map((c) => c.perturbed),
              plan[level],
            );
            const chosen = Array.from(kept).sort((a, b) => a - b); // candidates are grouped by beam, best first
            for (const index of chosen) {
              const child = candidates[index];
              tokens.push(child.token);
              parents.push(child.parent.node);
              if (child.q) q.push(child.q);
              next.push({ parent: child.parent, node: tokens.length - 1, token: child.token, child });
            }
          } else
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
            logProbability: child.child?.logProbability ?? 0,
            perturbed: child.child?.perturbed ?? 0,
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

/** Beam widths per level: k each, cut to `budget` nodes in all and `room` levels. */
function fitBeamPlan(width: number, depth: number, budget: number, room: number): number[] {
  const plan: number[] = [];
  let total = 0;
  for (let level = 0; level < depth && level < room && total < budget; level++) {
    const w = Math.min(width, budget - total);
    plan.push(w);
    total += w;
  }
  return plan;
}

/**
 * The best `count` children of one beam by perturbed value (Kool, van Hoof and Welling 2019,
 * "Stochastic Beams and Where to Find Them"): a child's Gumbel-perturbed log-probability
 * φ + log q(x) + Gumbel is conditioned on its siblings' maximum equalling the parent's perturbed value,
 * so values compare across beams. Greedy chains use the plain log-probabilities (a deterministic beam
 * search). Children come out best first, which is their draw order without replacement.
 */
function beamCandidates(
  item: FrontierNode,
  count: number,
  sampler: SamplerChain,
  promptLength: number,
  rng: Rng,
): Child[] {
  const context = { tokens: item.contextTokens, promptLength };
  const row = sampler.distribution(item.logits, context, new Float32Array(item.logits.length));
  const V = row.length;
  const values = new Float64Array(V);
  if (sampler.greedy) {
    // `item.logits` holds the processed logits: rank by their log-softmax.
    const logZ = logSumExp(item.logits);
    for (let x = 0; x < V; x++) values[x] = item.logProbability + item.logits[x] - logZ;
  } else {
    for (let x = 0; x < V; x++) {
      const p = row[x];
      values[x] =
        p > 0
          ? item.logProbability + Math.log(p) - Math.log(-Math.log(rng.next() + 2 ** -33))
          : Number.NEGATIVE_INFINITY;
    }
  }
  const best = topK(values, count);
  const children: Child[] = [];
  const maximum = values[best[0]];
  for (const x of best) {
    if (values[x] === Number.NEGATIVE_INFINITY) break;
    const logProbability = item.logProbability + (sampler.greedy ? values[x] - item.logProbability : Math.log(row[x]));
    const perturbed = sampler.greedy ? values[x] : conditionOnMaximum(item.perturbed, maximum, values[x]);
    children.push({ parent: item, token: x, q: sampler.greedy ? undefined : row, logProbability, perturbed });
  }
  return children;
}

/** −log(exp(−parent) − exp(−maximum) + exp(−value)), computed stably (Kool et al., appendix B). */
function conditionOnMaximum(parent: number, maximum: number, value: number): number {
  const v = parent - value + log1mexp(value - maximum);
  return parent - Math.max(0, v) - Math.log1p(Math.exp(-Math.abs(v)));
}

// log(1 − exp(a)) for a ≤ 0.
function log1mexp(a: number): number {
  if (a === 0) return Number.NEGATIVE_INFINITY;
  return a > -Math.LN2 ? Math.log(-Math.expm1(a)) : Math.log1p(-Math.exp(a));
}

function logSumExp(row: Float32Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i] - max);
  return max + Math.log(sum);
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
