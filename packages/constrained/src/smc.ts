import {
  type CausalLM,
  createRng,
  InvalidArgumentError,
  InvalidStateError,
  logSumExp,
  type MaybePromise,
  matrixRow,
  multinomialSampler,
  type Rng,
  type SamplerChain,
  type Sequence,
  TokenOutOfRangeError,
  throwIfAborted,
} from '@decodekit/core';
import type { Constraint } from './constraint.js';
import { ConstraintDeadEndError } from './errors.js';
import { awrs } from './sampling/awrs.js';
import { type ConstrainedTokenSampler, chainStep, integerSetting } from './sampling/token-sampler.js';

/**
 * An optional critic (potential, twist) φ: the log of a non-negative score of a particle's output
 * so far. On finished particles it multiplies the target (the posterior becomes ∝ p·c·φ); on
 * unfinished ones it is a temporary twist that steers resampling and is removed at the next step.
 * Return `-Infinity` to kill a particle.
 */
export type SmcCritic = (generated: readonly number[], finished: boolean) => MaybePromise<number>;

/** Options of {@link smc}. */
export interface SmcOptions {
  /** The language model p; each particle gets its own KV-cached sequence (forked from the prompt's). */
  readonly model: CausalLM;
  /** Prompt token ids (the output after them must satisfy the constraint). */
  readonly prompt: ArrayLike<number>;
  readonly constraint: Constraint;
  /** The chain p is drawn from (default multinomial at temperature 1). Greedy and stateful chains are refused. */
  readonly sampler?: SamplerChain;
  /** Draws each token and its proper weight (default `awrs()`); `tokenMasking()` works too. */
  readonly tokenSampler?: ConstrainedTokenSampler;
  /** Number of particles N (default 10). */
  readonly particles?: number;
  /** Resample when the effective sample size falls below `essThreshold · N` (default 0.5; 0 never, 1 every step). */
  readonly essThreshold?: number;
  /** Most generated tokens per particle, end-of-sequence included (default 128). The last one is forced to be `eos`. */
  readonly maxNewTokens?: number;
  /** Optional potential φ (see {@link SmcCritic}). */
  readonly critic?: SmcCritic;
  /** Seed of the run (default 0); ignored when `rng` is given. */
  readonly seed?: number;
  /** The random stream for token draws and resampling (default `createRng(seed)`). */
  readonly rng?: Rng;
  /** Aborts the run between steps (and inside model calls) with `AbortError`. */
  readonly signal?: AbortSignal;
}

/** One particle at the end of a run. */
export interface SmcParticle {
  /** Generated tokens (after the prompt), the constraint's `eos` last when finished. */
  readonly tokens: readonly number[];
  /** The particle's log importance weight. */
  readonly logWeight: number;
  /** Its normalised weight (weights of all particles sum to 1). */
  readonly weight: number;
  /** `complete`: ended with `eos`; `dead`: weight 0 (no allowed token, forced `eos` not allowed, or the critic). */
  readonly status: 'complete' | 'dead';
}

/** One distinct output with its posterior probability. */
export interface SmcPosteriorEntry {
  readonly tokens: readonly number[];
  /** Sum of the normalised weights of the particles with this output. */
  readonly probability: number;
  /** How many particles hold it. */
  readonly particles: number;
}

/** What {@link smc} returns. */
export interface SmcResult {
  readonly particles: readonly SmcParticle[];
  /** Distinct complete outputs, most probable first: the weighted posterior over outputs. */
  readonly posterior: readonly SmcPosteriorEntry[];
  /** log Ẑ: an estimate of log Σ_y p(y)·c(y) (with φ(y) when a critic is given); Ẑ is unbiased. */
  readonly logMarginal: number;
  /** Work done by the run. */
  readonly stats: {
    /** Decoding steps (the longest particle's length). */
    readonly steps: number;
    /** How many times the particles were resampled. */
    readonly resamples: number;
    /** Constraint evaluations summed over particles. */
    readonly evaluations: number;
    /** Model calls (`forwardBatch` calls plus the prefill). */
    readonly forwards: number;
    /** Tokens drawn summed over particles. */
    readonly tokens: number;
  };
}

interface Particle {
  sequence: Sequence | undefined;
  tokens: number[];
  state: unknown;
  logWeight: number;
  twist: number;
  /** Raw logits of the next position, when already computed (prefill). Shared read-only. */
  logits: Float32Array | undefined;
  finished: boolean;
}

/**
 * Sequential Monte Carlo over constrained generations (Lipkin et al. 2025 with AWRS; the particle
 * loop of genlm-control/llamppl): N particles extend their outputs one token at a time, each token
 * drawn by a proper-weighting token sampler (AWRS by default) whose weight estimates the local
 * normaliser. When the effective sample size 1/Σŵ² falls below `essThreshold · N` the particles
 * are resampled (stratified) and every weight set to their mean; a resampled particle continues on
 * a fork of its ancestor's KV cache (`Sequence.fork`). The weighted particles target the global
 * distribution p(y)·c(y)/Z instead of the myopic product of local masks, and `logMarginal`
 * estimates log Z.
 *
 * Errors: `InvalidArgumentError` for bad settings (greedy or stateful chain, improper token sampler,
 * out-of-range numbers), `ConstraintDeadEndError` when every particle died, `AbortError` when
 * `signal` fires (checked between steps).
 */
export async function smc(options: SmcOptions): Promise<SmcResult> {
  const { model, constraint } = options;
  if (!constraint) throw new InvalidArgumentError('constraint', 'smc needs a constraint');
  const sampler = options.sampler ?? multinomialSampler(1);
  const tokenSampler = options.tokenSampler ?? awrs();
  const count = integerSetting('particles', options.particles, 10, 1);
  const maxNewTokens = integerSetting('maxNewTokens', options.maxNewTokens, 128, 1);
  const essThreshold = options.essThreshold ?? 0.5;
  if (!(essThreshold >= 0 && essThreshold <= 1)) {
    throw new InvalidArgumentError('essThreshold', `must be a number in [0, 1], got ${essThreshold}`);
  }
  if (sampler.greedy) {
    throw new InvalidArgumentError(
      'sampler',
      'SMC samples particles; a greedy chain would make them identical. Use a temperature > 0',
    );
  }
  if (sampler.stateful) {
    throw new InvalidArgumentError(
      'sampler',
      'stateful processors (mirostat) cannot be shared by particles; drop them for SMC',
    );
  }
  if (!tokenSampler.proper) {
    throw new InvalidArgumentError(
      'tokenSampler',
      `"${tokenSampler.name}" returns no proper weights, so SMC would be biased; use awrs() or tokenMasking()`,
    );
  }
  if (constraint.vocabulary.size > model.vocabSize) {
    throw new InvalidArgumentError(
      'constraint',
      `its vocabulary has ${constraint.vocabulary.size} tokens but model "${model.name}" only ${model.vocabSize}`,
    );
  }
  const prompt = Int32Array.from(options.prompt);
  if (prompt.length === 0) throw new InvalidArgumentError('prompt', 'the prompt is empty; give at least one token');
  for (const id of prompt) {
    if (!Number.isInteger(id) || id < 0 || id >= model.vocabSize)
      throw new TokenOutOfRangeError(id, model.vocabSize, 'prompt');
  }
  if (prompt.length + maxNewTokens > model.contextLength) {
    throw new InvalidArgumentError(
      'maxNewTokens',
      `the prompt (${prompt.length} tokens) plus ${maxNewTokens} new tokens do not fit the context of ${model.contextLength}; lower maxNewTokens or shorten the prompt`,
    );
  }
  const rng = options.rng ?? createRng(options.seed ?? 0);
  const { signal, critic } = options;
  const eos = constraint.vocabulary.eos;
  const promptLength = prompt.length;

  const particles: Particle[] = [];
  let forwards = 0;
  let evaluations = 0;
  let drawnTokens = 0;
  let resamples = 0;
  let steps = 0;
  try {
    throwIfAborted(signal);
    const root = model.openSequence();
    particles.push({
      sequence: root,
      tokens: [],
      state: constraint.start(),
      logWeight: 0,
      twist: 0,
      logits: undefined,
      finished: false,
    });
    const prefilled = await root.forward({ tokens: prompt }, { logits: 'last', signal });
    forwards++;
    const first = matrixRow(prefilled.logits, prefilled.logits.rows - 1).slice();
    particles[0].logits = first;
    for (let i = 1; i < count; i++) {
      particles.push({ ...particles[0], tokens: [], sequence: await root.fork() });
    }

    while (particles.some((p) => !p.finished)) {
      throwIfAborted(signal);
      steps++;
      const needForward = particles.filter((p) => !p.finished && !p.logits);
      if (needForward.length > 0) {
        const outputs = await model.forwardBatch(
          needForward.map((p) => ({
            sequence: p.sequence as Sequence,
            block: { tokens: [p.tokens[p.tokens.length - 1]] },
          })),
          { logits: 'last', signal },
        );
        forwards++;
        needForward.forEach((p, i) => {
          const out = outputs[i].logits;
          p.logits = matrixRow(out, out.rows - 1);
        });
      }
      for (const p of particles) {
        if (p.finished) continue;
        p.logWeight -= p.twist;
        p.twist = 0;
        const raw = p.logits as Float32Array;
        p.logits = undefined;
        const context = { tokens: [...prompt, ...p.tokens], promptLength };
        const { logits, probabilities } = chainStep(sampler, raw, context);
        let token: number;
        if (p.tokens.length === maxNewTokens - 1) {
          // Budget reached: force eos, weighted by its probability under p and the constraint.
          evaluations++;
          token = eos;
          p.logWeight += constraint.allows(p.state, eos) ? Math.log(probabilities[eos]) : Number.NEGATIVE_INFINITY;
        } else {
          const drawn = tokenSampler.sample({ constraint, state: p.state, logits, probabilities, greedy: false, rng });
          evaluations += drawn.evaluations;
          token = drawn.token;
          p.logWeight += drawn.logWeight;
        }
        drawnTokens++;
        if (token < 0 || p.logWeight === Number.NEGATIVE_INFINITY) {
          await kill(p);
          continue;
        }
        const next = constraint.advance(p.state, token);
        if (next === undefined) {
          throw new InvalidStateError(
            `constraint ${constraint.name} allowed token ${token} but advance() refused it; the constraint is inconsistent`,
          );
        }
        p.state = next;
        p.tokens.push(token);
        if (token === eos) {
          p.finished = true;
          await release(p);
          if (critic) p.logWeight += await critic(p.tokens, true);
          if (p.logWeight === Number.NEGATIVE_INFINITY) await kill(p);
        } else if (critic && essThreshold > 0) {
          p.twist = await critic(p.tokens, false);
          p.logWeight += p.twist;
          if (p.logWeight === Number.NEGATIVE_INFINITY) await kill(p);
        }
      }
      if (particles.every((p) => p.logWeight === Number.NEGATIVE_INFINITY)) {
        throw new ConstraintDeadEndError(
          constraint.name,
          `every one of the ${count} particles died by step ${steps} (no allowed token with probability > 0, ` +
            'the forced end of sequence was not allowed at maxNewTokens, or the critic): raise maxNewTokens, ' +
            'loosen the sampler chain, or add particles',
        );
      }
      if (particles.some((p) => !p.finished) && essThreshold > 0) {
        const weights = normalisedWeights(particles.map((p) => p.logWeight));
        let sumSquares = 0;
        for (const w of weights) sumSquares += w * w;
        if (1 / sumSquares < essThreshold * count) {
          await resample(particles, weights, rng);
          resamples++;
        }
      }
    }
  } finally {
    for (const p of particles) await release(p);
  }

  const logWeights = particles.map((p) => p.logWeight);
  const weights = normalisedWeights(logWeights);
  const out: SmcParticle[] = particles.map((p, i) => ({
    tokens: p.tokens,
    logWeight: p.logWeight,
    weight: weights[i],
    status: p.logWeight === Number.NEGATIVE_INFINITY ? 'dead' : 'complete',
  }));
  const groups = new Map<string, { tokens: number[]; probability: number; particles: number }>();
  for (let i = 0; i < particles.length; i++) {
    if (out[i].status === 'dead') continue;
    const key = particles[i].tokens.join(',');
    const group = groups.get(key);
    if (group) {
      group.probability += weights[i];
      group.particles++;
    } else groups.set(key, { tokens: particles[i].tokens, probability: weights[i], particles: 1 });
  }
  const posterior = [...groups.values()].sort((a, b) => b.probability - a.probability);
  return {
    particles: out,
    posterior,
    logMarginal: logMeanExp(logWeights),
    stats: { steps, resamples, evaluations, forwards, tokens: drawnTokens },
  };
}

async function release(p: Particle): Promise<void> {
  const sequence = p.sequence;
  p.sequence = undefined;
  p.logits = undefined;
  if (sequence) await sequence.dispose();
}

async function kill(p: Particle): Promise<void> {
  p.logWeight = Number.NEGATIVE_INFINITY;
  p.finished = true;
  await release(p);
}

/** Normalised weights exp(lw - logsumexp(lw)); all zero when every weight is -Infinity. */
export function normalisedWeights(logWeights: readonly number[]): number[] {
  const total = logSumExp(logWeights);
  if (total === Number.NEGATIVE_INFINITY) return logWeights.map(() => 0);
  return logWeights.map((lw) => Math.exp(lw - total));
}

function logMeanExp(values: readonly number[]): number {
  return logSumExp(values) - Math.log(values.length);
}

/**
 * Stratified resampling: N ancestors, one uniform draw in each stratum [i/N, (i+1)/N) of the
 * cumulative weights. Returns ancestor indices in ascending order.
 */
export function stratifiedAncestors(weights: readonly number[], rng: Rng): number[] {
  const n = weights.length;
  const ancestors = new Array<number>(n);
  let cumulative = weights[0];
  let j = 0;
  for (let i = 0; i < n; i++) {
    const u = (i + rng.next()) / n;
    while (u > cumulative && j < n - 1) {
      j++;
      cumulative += weights[j];
    }
    // Never pick a zero-weight particle because of rounding at the end of the cumulative sum.
    let pick = j;
    while (weights[pick] === 0 && pick > 0) pick--;
    while (weights[pick] === 0 && pick < n - 1) pick++;
    ancestors[i] = pick;
  }
  return ancestors;
}

async function resample(particles: Particle[], weights: number[], rng: Rng): Promise<void> {
  const ancestors = stratifiedAncestors(weights, rng);
  const logMean = logMeanExp(particles.map((p) => p.logWeight));
  const used = new Set<number>();
  const next: Particle[] = [];
  for (const a of ancestors) {
    const source = particles[a];
    let sequence: Sequence | undefined;
    if (!source.finished) {
      if (used.has(a)) sequence = await (source.sequence as Sequence).fork();
      else sequence = source.sequence; // the first descendant keeps the ancestor's cache
    }
    used.add(a);
    next.push({ ...source, sequence, tokens: [...source.tokens], logWeight: logMean });
  }
  for (let i = 0; i < particles.length; i++) if (!used.has(i)) await release(particles[i]);
  particles.splice(0, particles.length, ...next);
}
