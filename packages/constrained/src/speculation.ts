import {
  createSamplerChain,
  type Draft,
  type Drafter,
  emptyDraft,
  InvalidArgumentError,
  type LogitsProcessor,
  type SamplerChain,
  type SamplingContext,
  type SpeculativeOptions,
  type Strategy,
  speculative,
} from '@decodekit/core';
import type { Constraint } from './constraint.js';
import { ConstraintDeadEndError } from './errors.js';

/** Counters of the constraint work done by grammar-aware speculation (cumulative). */
export interface SpeculationConstraintStats {
  /** Logits rows the constraint processor masked. */
  rows: number;
  /** Constraint evaluations: single-token checks plus the vocabulary size per full mask. */
  evaluations: number;
  /** Draft nodes proposed by the wrapped drafter. */
  drafted: number;
  /** Draft nodes cut because the constraint rejects them (or an ancestor). */
  cut: number;
}

interface TrieNode {
  readonly state: unknown;
  readonly children: Map<number, TrieNode | null>;
}

/**
 * Constraint states of generated outputs, looked up by token path from a trie: each distinct
 * prefix is advanced once, however many rows, drafts and verifications ask for it.
 */
class PrefixStates {
  private root: TrieNode | undefined;
  private nodes = 0;
  constructor(
    private readonly constraint: Constraint,
    private readonly stats: SpeculationConstraintStats,
  ) {}

  /** The trie node of the output `tokens[from..]`, or undefined when the constraint rejects it. */
  nodeAt(tokens: ArrayLike<number>, from: number): TrieNode | undefined {
    if (!this.root || this.nodes > 200_000) {
      this.root = { state: this.constraint.start(), children: new Map() };
      this.nodes = 1;
    }
    let node: TrieNode = this.root;
    for (let i = from; i < tokens.length; i++) {
      const child = this.child(node, tokens[i]);
      if (!child) return undefined;
      node = child;
    }
    return node;
  }

  /** The trie node after `token` from `node`, advancing the constraint on first use. */
  child(node: TrieNode, token: number): TrieNode | null {
    let child = node.children.get(token);
    if (child === undefined) {
      this.stats.evaluations++;
      const state = this.constraint.advance(node.state, token);
      child = state === undefined ? null : { state, children: new Map() };
      node.children.set(token, child);
      this.nodes++;
    }
    return child;
  }
}

/** Options of {@link constraintProcessor}. */
export interface ConstraintProcessorOptions {
  /**
   * `mask` (default): every disallowed token gets -Infinity (a full-vocabulary evaluation per
   * row). `argmax`: only the tokens ranked above the best allowed one are masked, which is enough
   * for greedy selection and checks a few tokens instead of the vocabulary; never use it with a
   * sampling chain.
   */
  readonly mode?: 'mask' | 'argmax';
  /** Counters to update (shared with `constrainedDrafter` by `constrainedSpeculative`). */
  readonly stats?: SpeculationConstraintStats;
}

/**
 * A logits processor that enforces `constraint` on the output after the prompt
 * (`context.tokens` from `context.promptLength` on): disallowed tokens get -Infinity. Put it last
 * in a chain (`constrainedSamplerChain` does) so the constrained distribution is the chain's p
 * restricted to allowed tokens and renormalised, exactly what `tokenMasking()` samples from.
 * A pure function of (row, context), so the speculative verifier can apply it to draft rows in any
 * order. Rows after `eos` or after an output the constraint rejects (draft nodes the verifier never
 * reaches) allow only `eos`, so they stay well-defined.
 */
export function constraintProcessor(constraint: Constraint, options: ConstraintProcessorOptions = {}): LogitsProcessor {
  const mode = options.mode ?? 'mask';
  if (mode !== 'mask' && mode !== 'argmax') {
    throw new InvalidArgumentError('mode', `must be 'mask' or 'argmax', got ${String(mode)}`);
  }
  const stats = options.stats ?? { rows: 0, evaluations: 0, drafted: 0, cut: 0 };
  const states = new PrefixStates(constraint, stats);
  const size = constraint.vocabulary.size;
  const eos = constraint.vocabulary.eos;
  let scratch: Uint8Array | undefined;
  return {
    name: `constraint:${constraint.name}`,
    process(logits: Float32Array, context: SamplingContext) {
      stats.rows++;
      const { tokens, promptLength } = context;
      const afterEos = tokens.length > promptLength && tokens[tokens.length - 1] === eos;
      const state = afterEos ? undefined : states.nodeAt(tokens, promptLength)?.state;
      if (state === undefined) {
        const keep = logits[eos];
        logits.fill(Number.NEGATIVE_INFINITY);
        logits[eos] = Number.isFinite(keep) ? keep : 0;
        return;
      }
      if (mode === 'mask') {
        scratch ??= new Uint8Array(size);
        const allowed = constraint.mask(state, scratch);
        stats.evaluations += size;
        let any = false;
        for (let v = 0; v < logits.length; v++) {
          if (v >= size || allowed[v] !== 1) logits[v] = Number.NEGATIVE_INFINITY;
          else if (logits[v] !== Number.NEGATIVE_INFINITY) any = true;
        }
        if (!any) deadEnd(constraint, context);
        return;
      }
      // argmax mode: find the best allowed token, masking everything ranked above it.
      for (;;) {
        let best = -1;
        let bestValue = Number.NEGATIVE_INFINITY;
        for (let v = 0; v < logits.length; v++) {
          if (logits[v] > bestValue) {
            bestValue = logits[v];
            best = v;
          }
        }
        if (best < 0) deadEnd(constraint, context);
        stats.evaluations++;
        if (best < size && constraint.allows(state, best)) return;
        logits[best] = Number.NEGATIVE_INFINITY;
      }
    },
  };
}

function deadEnd(constraint: Constraint, context: SamplingContext): never {
  throw new ConstraintDeadEndError(
    constraint.name,
    `after ${context.tokens.length - context.promptLength} generated tokens no allowed token is left after the ` +
      'sampler chain (loosen top-k/top-p/min-p, or the vocabulary cannot spell the rest of the match)',
  );
}

/**
 * `chain` with `constraintProcessor(constraint)` appended: the same processors and selection,
 * restricted to the tokens the constraint allows. Greedy chains use the lazy `argmax` mode.
 */
export function constrainedSamplerChain(
  chain: SamplerChain,
  constraint: Constraint,
  stats?: SpeculationConstraintStats,
): SamplerChain {
  const processor = constraintProcessor(constraint, { mode: chain.greedy ? 'argmax' : 'mask', stats });
  return createSamplerChain({ processors: [...chain.processors, processor], greedy: chain.greedy });
}

/**
 * Wraps a drafter so its drafts obey the constraint: each draft node is checked (one incremental
 * constraint step from its parent's state) and nodes the constraint rejects are cut together with
 * their descendants before the target runs, so no target compute is spent on impossible tokens.
 * Works for chains and trees, deterministic and sampled drafts (q rows of kept nodes are kept).
 */
export function constrainedDrafter(
  drafter: Drafter,
  constraint: Constraint,
  stats: SpeculationConstraintStats = { rows: 0, evaluations: 0, drafted: 0, cut: 0 },
): Drafter {
  if (!drafter) throw new InvalidArgumentError('drafter', 'constrainedDrafter needs a drafter to wrap');
  const states = new PrefixStates(constraint, stats);
  const wrapped: Drafter = {
    name: drafter.name,
    requires: drafter.requires,
    async propose(context): Promise<Draft> {
      const draft = await drafter.propose(context);
      const n = draft.tokens.length;
      stats.drafted += n;
      if (n === 0) return draft;
      const rootNode = states.nodeAt(context.tokens, context.promptLength);
      if (!rootNode) {
        stats.cut += n;
        return emptyDraft;
      }
      const nodeOf: (TrieNode | null)[] = new Array(n).fill(null);
      const newIndex = new Int32Array(n).fill(-1);
      const tokens: number[] = [];
      const parents: number[] = [];
      const q: (Float32Array | undefined)[] = [];
      for (let i = 0; i < n; i++) {
        const parent = draft.parents[i];
        const from = parent < 0 ? rootNode : nodeOf[parent];
        if (!from) continue;
        const node = states.child(from, draft.tokens[i]);
        if (!node) continue;
        nodeOf[i] = node;
        newIndex[i] = tokens.length;
        tokens.push(draft.tokens[i]);
        parents.push(parent < 0 ? -1 : newIndex[parent]);
        if (draft.q) q.push(draft.q[i]);
      }
      stats.cut += n - tokens.length;
      if (tokens.length === n) return draft;
      return { tokens, parents, sampling: draft.sampling, ...(draft.q ? { q } : {}) };
    },
  };
  if (drafter.start) wrapped.start = (context) => drafter.start?.(context);
  if (drafter.observe) wrapped.observe = (feedback) => drafter.observe?.(feedback);
  if (drafter.dispose) wrapped.dispose = () => drafter.dispose?.();
  return wrapped;
}

/** Options of {@link constrainedSpeculative}: those of core's `speculative` plus the constraint. */
export interface ConstrainedSpeculativeOptions extends SpeculativeOptions {
  readonly constraint: Constraint;
}

/** A speculative strategy that reports its constraint work. */
export interface ConstrainedSpeculativeStrategy extends Strategy {
  readonly stats: Readonly<SpeculationConstraintStats>;
}

/**
 * Grammar-aware speculative decoding: core's `speculative` strategy with the drafter wrapped by
 * `constrainedDrafter` (drafts the constraint rejects are cut before the target runs) and the
 * sampler chain by `constrainedSamplerChain` (the verifier, the bonus/correction token and sampled
 * drafters such as SpS all see the constrained distribution). The output is distributed exactly
 * as constrained autoregressive decoding with token masking; with a greedy chain it is the same
 * token sequence. Any drafter (PLD, draft models, ...) and any exact verifier fit.
 */
export function constrainedSpeculative(options: ConstrainedSpeculativeOptions): ConstrainedSpeculativeStrategy {
  const { constraint } = options;
  if (!constraint) throw new InvalidArgumentError('constraint', 'constrainedSpeculative needs a constraint');
  const stats: SpeculationConstraintStats = { rows: 0, evaluations: 0, drafted: 0, cut: 0 };
  const inner = speculative({ ...options, drafter: constrainedDrafter(options.drafter, constraint, stats) });
  return {
    name: `constrained-${inner.name}`,
    stats,
    start(context) {
      stats.rows = 0;
      stats.evaluations = 0;
      stats.drafted = 0;
      stats.cut = 0;
      return inner.start({ ...context, sampler: constrainedSamplerChain(context.sampler, constraint, stats) });
    },
  };
}
