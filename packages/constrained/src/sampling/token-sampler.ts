import { InvalidArgumentError, type Rng, type SamplerChain, type SamplingContext } from '@decodekit/core';
import type { Constraint } from '../constraint.js';
import { ConstraintDeadEndError } from '../errors.js';

/** What a constrained token sampler gets for one position. */
export interface TokenSamplerInput<State = unknown> {
  readonly constraint: Constraint<State>;
  /** The constraint state after the output so far. */
  readonly state: State;
  /** The sampler chain's processed logits (processors applied; never softmaxed). Read-only. */
  readonly logits: Float32Array;
  /**
   * The chain's distribution p (sums to 1; one-hot when `greedy`). The constrained target is
   * g(x) ∝ p(x)·c(output + x). Read-only.
   */
  readonly probabilities: Float32Array;
  /** Greedy chain: pick the allowed token with the largest processed logit; weights are 1. */
  readonly greedy: boolean;
  readonly rng: Rng;
}

/** One constrained draw. */
export interface TokenSample {
  /** The chosen token, or -1 when no token with probability > 0 is allowed (a dead end). */
  readonly token: number;
  /**
   * Log of the importance weight: an unbiased, non-negative estimate of the local normaliser
   * Z = Σ_x p(x)·c(output + x) for proper samplers (AWRS, token masking gives Z exactly), 0 for
   * improper ones (ARS, greedy selection), -Infinity at a dead end.
   */
  readonly logWeight: number;
  /** Constraint evaluations spent: single-token checks, plus the vocabulary size per full mask. */
  readonly evaluations: number;
}

/**
 * A way to draw one token from the locally constrained distribution g(x) ∝ p(x)·c(output + x).
 * Implementations: `tokenMasking()`, `rejectionSampling()`, `awrs()`.
 */
export interface ConstrainedTokenSampler {
  /** Kebab-case name as on the CLI (`mask`, `ars`, `awrs`). */
  readonly name: string;
  /** True when `logWeight` is a proper (unbiased) weight, so SMC can use it. */
  readonly proper: boolean;
  sample<State>(input: TokenSamplerInput<State>): TokenSample;
}

/** A dead-end sample (no allowed token carries probability). */
export const deadEnd: TokenSample = Object.freeze({ token: -1, logWeight: Number.NEGATIVE_INFINITY, evaluations: 0 });

/**
 * Runs a raw logits row through `chain`: returns the processed logits (the chain applies its
 * processors in place, on a copy of `raw`) and the chain's distribution.
 */
export function chainStep(
  chain: SamplerChain,
  raw: ArrayLike<number>,
  context: SamplingContext,
): { logits: Float32Array; probabilities: Float32Array } {
  const logits = Float32Array.from(raw);
  const probabilities = chain.distribution(logits, context, new Float32Array(logits.length));
  return { logits, probabilities };
}

/** Throws `ConstraintDeadEndError` for a dead-end sample, with the likely cause. */
export function throwDeadEnd(constraint: Constraint, generated: number): never {
  throw new ConstraintDeadEndError(
    constraint.name,
    `after ${generated} generated tokens no allowed token has probability > 0. Either the sampler chain removed ` +
      'every allowed token (top-k, top-p, min-p and similar cut before the constraint: loosen them), or the ' +
      'vocabulary cannot spell the remaining completion.',
  );
}

/** Validates an integer option. */
export function integerSetting(name: string, value: number | undefined, fallback: number, min: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min) {
    throw new InvalidArgumentError(name, `must be an integer >= ${min}, got ${resolved}`);
  }
  return resolved;
}

/**
 * Draws tokens from p without replacement: each `draw` picks a remaining token with probability
 * proportional to p (equivalent to visiting tokens in descending Gumbel-key order), `remove` takes
 * a token out for good. Tokens with p = 0 are never drawn. A Fenwick tree over p makes the set-up
 * O(|V|) and every draw and removal O(log |V|), so rejection-heavy steps stay cheap.
 */
export class WithoutReplacement {
  private readonly removed: Uint8Array;
  private readonly tree: Float64Array;
  private readonly size: number;
  private readonly top: number;
  private readonly total: number;
  private remainingTotal: number;
  /** Tokens with p > 0 not removed yet. */
  remaining: number;

  constructor(private readonly p: Float32Array) {
    const n = p.length;
    this.size = n;
    this.removed = new Uint8Array(n);
    const tree = new Float64Array(n + 1);
    let total = 0;
    let count = 0;
    for (let v = 0; v < n; v++) {
      let pv = p[v];
      if (!(pv > 0)) pv = 0; // negative or NaN entries count as zero
      if (pv > 0) {
        total += pv;
        count++;
      }
      tree[v + 1] += pv;
      const parent = v + 1 + ((v + 1) & -(v + 1));
      if (parent <= n) tree[parent] += tree[v + 1];
    }
    let top = 1;
    while (top * 2 <= n) top *= 2;
    this.tree = tree;
    this.top = top;
    this.total = total;
    this.remainingTotal = total;
    this.remaining = count;
  }

  /** Mass of p not removed, relative to the whole of p (1 at the start). */
  get remainingMass(): number {
    return this.total > 0 ? Math.max(0, this.remainingTotal / this.total) : 0;
  }

  /** p(v) normalised by the whole of p. */
  probability(v: number): number {
    return this.p[v] / this.total;
  }

  isRemoved(v: number): boolean {
    return this.removed[v] === 1;
  }

  /** A remaining token drawn proportionally to p, or -1 when none is left. */
  draw(rng: Rng): number {
    if (this.remaining === 0) return -1;
    let rest = rng.next() * this.remainingTotal;
    let position = 0;
    const tree = this.tree;
    for (let step = this.top; step > 0; step >>= 1) {
      const next = position + step;
      if (next <= this.size && tree[next] <= rest) {
        position = next;
        rest -= tree[next];
      }
    }
    // `position` tokens have cumulative mass <= the target: the draw is token `position`.
    if (position < this.size && this.p[position] > 0 && this.removed[position] === 0) return position;
    return this.nearestRemaining(Math.min(position, this.size - 1)); // rounding at a boundary
  }

  remove(v: number): void {
    if (this.removed[v] === 1 || !(this.p[v] > 0)) return;
    this.removed[v] = 1;
    this.update(v, -this.p[v]);
    this.remaining--;
  }

  /** Puts a removed token back (used to peek at the next token in order). */
  restore(v: number): void {
    if (this.removed[v] === 0 || !(this.p[v] > 0)) return;
    this.removed[v] = 0;
    this.update(v, this.p[v]);
    this.remaining++;
  }

  private update(v: number, delta: number): void {
    this.remainingTotal += delta;
    if (this.remaining <= 1 && delta < 0) this.remainingTotal = Math.max(0, this.remainingTotal);
    for (let i = v + 1; i <= this.size; i += i & -i) this.tree[i] += delta;
  }

  private nearestRemaining(from: number): number {
    for (let v = from; v >= 0; v--) if (this.p[v] > 0 && this.removed[v] === 0) return v;
    for (let v = from + 1; v < this.size; v++) if (this.p[v] > 0 && this.removed[v] === 0) return v;
    return -1;
  }
}

/**
 * Greedy constrained selection by lazy search: visit tokens in descending processed-logit order
 * and return the first one the constraint allows. Costs one check per visited token.
 */
export function greedyLazy<State>(input: TokenSamplerInput<State>): TokenSample {
  const { logits, constraint, state } = input;
  const visited = new Uint8Array(logits.length);
  let evaluations = 0;
  for (;;) {
    let best = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let v = 0; v < logits.length; v++) {
      if (visited[v] === 0 && logits[v] > bestValue) {
        bestValue = logits[v];
        best = v;
      }
    }
    if (best < 0) return { ...deadEnd, evaluations };
    visited[best] = 1;
    evaluations++;
    if (constraint.allows(state, best)) return { token: best, logWeight: 0, evaluations };
  }
}
