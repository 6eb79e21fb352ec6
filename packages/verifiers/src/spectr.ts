import {
  InvalidArgumentError,
  pathTo,
  targetDistribution,
  type Verification,
  type Verifier,
  type VerifyInput,
} from '@decodekit/core';
import { verifyGreedy } from './greedy.js';
import { type CheckedInput, checkVerifyInput, draftRow } from './internal/checks.js';
import { bernoulli, sampleToken } from './internal/distribution.js';

const name = 'spectr';
const supports = ['independent'] as const;

/** Options of `specTrVerifier`. */
export interface SpecTrOptions {
  /**
   * The division factor ρ of K-SEQ's acceptance `min(1, p(x) / (ρ·q(x)))`. Default: the optimal
   * ρ*, the smallest ρ in [1, k] with `1 − (1 − β(ρ))^k ≤ ρ·β(ρ)`, found by bisection at every
   * level. A fixed ρ ≥ 1 is used where it is valid for the level's p, q and k, and replaced by ρ*
   * where it is not (an invalid ρ would need a negative residual). Larger ρ accepts less.
   */
  readonly rho?: number;
}

/**
 * SpecTr verification (Sun et al. 2023, "SpecTr: Fast Speculative Decoding via Optimal
 * Transport"; §7 of the digest): K-SEQ draft selection for k drafts drawn i.i.d. from q.
 *
 * The draft is a tree whose root children are the first tokens of k independent draft sequences
 * (duplicates kept as separate nodes; usually each node then has one child, its sequence's next
 * token). At each level the candidates are the children of every still-active node. With
 * `β(ρ) = Σ_x min(q(x), p(x)/ρ)` and `γ(ρ) = (1 − (1 − β)^k) / β`, candidate i is accepted with
 * probability `min(1, p(X_i) / (ρ·q(X_i)))` in order; the first acceptance Y is committed and
 * every candidate carrying Y stays active (their continuations are i.i.d. given the prefix). When
 * none is accepted, the correction is drawn from `p_res ∝ p − γ(ρ)·min(q, p/ρ)` (which is
 * `max(0, p − ρ*·q)` at ρ = ρ*) and the step ends. After the last level the bonus comes from p.
 *
 * Exact for any valid ρ (the digest's proof): acceptance contributes `γ(ρ)·min(q(x), p(x)/ρ)`,
 * the fall-through `(1 − β)^k·p_res(x)`, summing to p(x). With k = 1 it is speculative sampling.
 * All candidates of a level must be drawn from the same q (they share the prefix): the first
 * candidate's q row is used, and rows that differ from it by more than 1e-3 are refused with an
 * `InvalidArgumentError` (drafts from several distributions: use `recursiveRejectionVerifier()`).
 *
 * Under a greedy sampler it runs the greedy kernel instead (deepest argmax-matching path, no random
 * draws): p is one-hot there, so that is exact and accepts at least as many tokens.
 *
 * @example
 * const strategy = speculative({ drafter, verifier: specTrVerifier() });
 */
export function specTrVerifier(options: SpecTrOptions = {}): Verifier {
  const rho = options.rho;
  if (rho !== undefined && !(rho >= 1 && Number.isFinite(rho))) {
    throw new InvalidArgumentError('rho', `must be a finite number >= 1, got ${rho}; leave it out for the optimal ρ*`);
  }
  return {
    name,
    exact: true,
    supports,
    verify(input) {
      return verifySpecTr(input, checkVerifyInput(input, name, supports), rho);
    },
  };
}

/** One K-SEQ step's constants: the division factor and the residual weight. */
export interface KSeqPlan {
  readonly rho: number;
  /** γ(ρ) = (1 − (1 − β)^k) / β; 0 when p and q do not overlap (β = 0). */
  readonly gamma: number;
  /** β(ρ), the acceptance probability of one draft. */
  readonly beta: number;
}

/**
 * The ρ and γ K-SEQ uses for `count` i.i.d. drafts from `draft` against `target`: `fixedRho` when it
 * is valid, else the bisection's ρ* (upper end of the final bracket, so always valid).
 */
export function planKSeq(target: Float32Array, draft: Float32Array, count: number, fixedRho?: number): KSeqPlan {
  // Float32 rows sum to 1 only up to ~1e-7; β is computed on the rows renormalised in double
  // precision so that p = q gives β(1) = 1 and ρ* = 1 instead of a rounding-driven bisection.
  let targetMass = 0;
  let draftMass = 0;
  for (let i = 0; i < target.length; i++) {
    targetMass += target[i];
    draftMass += draft[i];
  }
  const beta = (rho: number) => {
    let sum = 0;
    for (let i = 0; i < target.length; i++) {
      const scaled = target[i] / (targetMass * rho);
      const proposal = draft[i] / draftMass;
      sum += Math.min(proposal, scaled);
    }
    return Math.min(1, sum);
  };
  // ρ is valid when 1 − (1 − β)^k ≤ ρ·β, i.e. the residual p − γ·min(q, p/ρ) is non-negative
  // (up to double rounding, which the residual's clamp at zero absorbs).
  const slack = (rho: number, b: number) => 1 - (1 - b) ** count - rho * b - 1e-12;
  const plan = (rho: number, b: number): KSeqPlan => ({
    rho,
    beta: b,
    gamma: b > 0 ? (1 - (1 - b) ** count) / b : 0,
  });
  if (fixedRho !== undefined) {
    const b = beta(fixedRho);
    if (slack(fixedRho, b) <= 0) return plan(fixedRho, b);
  }
  const atOne = beta(1);
  if (count === 1 || atOne === 0 || slack(1, atOne) <= 0) return plan(1, atOne);
  // slack(k) ≤ 0 always (Bernoulli's inequality), so [1, k] brackets a valid ρ.
  let low = 1;
  let high = count;
  let highBeta = beta(high);
  for (let iteration = 0; iteration < 32 && high - low > 1e-9 * count; iteration++) {
    const middle = 0.5 * (low + high);
    const b = beta(middle);
    if (slack(middle, b) <= 0) {
      high = middle;
      highBeta = b;
    } else low = middle;
  }
  return plan(high, highBeta);
}

/** The SpecTr kernel. */
export function verifySpecTr(input: VerifyInput, checked: CheckedInput, fixedRho?: number): Verification {
  if (input.sampler.greedy) return verifyGreedy(input, checked);
  const { tokens } = input.draft;
  let active: number[] = [-1]; // nodes that all carry the committed token path so far
  for (;;) {
    const candidates: number[] = [];
    for (const node of active) candidates.push(...checked.children(node));
    const target = targetDistribution(input, active[0]);
    const path = active[0] < 0 ? [] : pathTo(input.draft.parents, active[0]);
    if (candidates.length === 0) return { path, next: sampleToken(target, input.rng) };
    const draft = sharedDraftRow(input, candidates, checked.vocabSize);
    const { rho, gamma } = planKSeq(target, draft, candidates.length, fixedRho);
    let accepted = -1;
    for (const candidate of candidates) {
      const token = tokens[candidate];
      const scaled = rho * draft[token];
      if (bernoulli(target[token] >= scaled ? 1 : target[token] / scaled, input.rng)) {
        accepted = candidate;
        break;
      }
    }
    if (accepted < 0) return { path, next: sampleToken(residual(target, draft, rho, gamma), input.rng) };
    const token = tokens[accepted];
    active = candidates.filter((candidate) => tokens[candidate] === token);
  }
}

// Largest difference tolerated between candidates' q rows: forks of one draft model give the same
// distribution up to float rounding; a different model gives rows far apart.
const sameRowTolerance = 1e-3;

/**
 * The q row every candidate of a level was drawn from. K-SEQ's proof needs one q for all k drafts;
 * rows from different distributions (several draft models) are refused rather than silently
 * giving a biased output.
 */
function sharedDraftRow(input: VerifyInput, candidates: readonly number[], vocabSize: number): Float32Array {
  const shared = draftRow(input, candidates[0], vocabSize, name) as Float32Array;
  for (const candidate of candidates) {
    const row = draftRow(input, candidate, vocabSize, name) as Float32Array;
    if (row !== shared) {
      let difference = 0;
      for (let i = 0; i < vocabSize; i++) difference = Math.max(difference, Math.abs(row[i] - shared[i]));
      if (difference > sameRowTolerance) {
        throw new InvalidArgumentError(
          `${name} draft.q`,
          `candidates ${candidates[0]} and ${candidate} share a prefix but were drawn from different q rows ` +
            `(max difference ${difference.toExponential(2)}); SpecTr needs i.i.d. drafts from one q, ` +
            'use recursiveRejectionVerifier() for drafts from different distributions',
        );
      }
    }
    const token = input.draft.tokens[candidate];
    if (!(shared[token] > 0)) {
      throw new InvalidArgumentError(
        `${name} draft.q`,
        `candidate ${candidate} (token ${token}) has no mass in its level's q row, so it cannot have been drawn from it`,
      );
    }
  }
  return shared;
}

// p_res ∝ p − γ·min(q, p/ρ), clamped at 0 against rounding; written over the target copy.
function residual(target: Float32Array, draft: Float32Array, rho: number, gamma: number): Float32Array {
  const out = new Float32Array(target.length);
  let mass = 0;
  for (let i = 0; i < target.length; i++) {
    const scaled = target[i] / rho;
    const value = target[i] - gamma * Math.min(draft[i], scaled);
    if (value > 0) {
      out[i] = value;
      mass += value;
    }
  }
  // No mass left means the fall-through had probability ~0 (p = q at ρ = 1): p itself is exact.
  return mass > 0 ? out : target;
}
