import { InvalidArgumentError, NonFiniteLogitsError } from './errors.js';
import { argmax } from './math/select.js';
import type { Rng } from './rng.js';

/** What a processor may look at besides the logits row. */
export interface SamplingContext {
  /** Every token before the position being sampled: prompt, generated tokens, and draft path so far. */
  readonly tokens: ArrayLike<number>;
  /** How many of `tokens` are the prompt (for min-new-tokens, penalties that skip the prompt, ...). */
  readonly promptLength: number;
}

/**
 * Edits one logits row in place (llama.cpp's sampler object): mask with -Infinity, add biases,
 * divide by a temperature. Processors must be pure functions of (row, context) unless they declare
 * `stateful`, because speculative verification applies them to rows out of order.
 */
export interface LogitsProcessor {
  readonly name: string;
  process(logits: Float32Array, context: SamplingContext): void;
  /** Set by processors whose output depends on earlier choices (mirostat). */
  readonly stateful?: boolean;
  /** Tells a stateful processor which token was committed. */
  accept?(token: number): void;
  /** Forgets state learnt by `accept`. */
  reset?(): void;
}

/**
 * Turns a logits row into the distribution a token is drawn from: processors in order, then
 * selection (argmax when `greedy`, else a categorical draw). The verifier applies the same chain to
 * target and draft rows, so speculative sampling stays exact under any warping.
 */
export interface SamplerChain {
  readonly processors: readonly LogitsProcessor[];
  /** Argmax selection. The distribution is then a point mass on the argmax. */
  readonly greedy: boolean;
  /** True if some processor is stateful (such chains cannot verify drafts out of order). */
  readonly stateful: boolean;
  /**
   * Applies the processors to `logits` IN PLACE and writes the probabilities into `out`
   * (a new array when omitted). Greedy chains give a one-hot row.
   */
  distribution(logits: Float32Array, context: SamplingContext, out?: Float32Array): Float32Array;
  /** Applies the processors in place and selects a token. */
  sample(logits: Float32Array, context: SamplingContext, rng: Rng): number;
  /** Forwards the committed token to stateful processors. */
  accept(token: number): void;
  reset(): void;
}

export interface SamplerChainOptions {
  readonly processors?: readonly LogitsProcessor[];
  readonly greedy?: boolean;
}

/**
 * Builds a chain: processors in order, then argmax (`greedy`) or one categorical draw with a single
 * `rng.next()`. The softmax and the draw skip masked (-Infinity) entries: after top-k only k entries
 * are finite, so selection costs one pass over the row instead of an exp per vocabulary entry. Draws
 * equal a dense softmax + `sampleCategorical` bit for bit (masked entries contribute exact zeros).
 */
export function createSamplerChain(options: SamplerChainOptions = {}): SamplerChain {
  const processors = [...(options.processors ?? [])];
  const greedy = options.greedy ?? false;
  // Scratch reused across calls: the unmasked indices of the row and their probabilities.
  let indices = new Int32Array(0);
  let probabilities = new Float32Array(0);
  const apply = (logits: Float32Array, context: SamplingContext) => {
    for (const processor of processors) processor.process(logits, context);
  };
  // Normalises the unmasked entries into `probabilities` (aligned with `indices`); returns their count.
  const normalise = (logits: Float32Array): number => {
    if (indices.length < logits.length) {
      indices = new Int32Array(logits.length);
      probabilities = new Float32Array(logits.length);
    }
    let count = 0;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < logits.length; i++) {
      const z = logits[i];
      if (z === Number.NEGATIVE_INFINITY) continue;
      indices[count++] = i;
      if (z > max) max = z;
    }
    if (max === Number.NEGATIVE_INFINITY)
      throw new NonFiniteLogitsError('every token was masked out by the processors');
    if (max === Number.POSITIVE_INFINITY) throw new NonFiniteLogitsError('logits contain +Infinity');
    let sum = 0;
    for (let c = 0; c < count; c++) {
      const e = Math.exp(logits[indices[c]] - max);
      probabilities[c] = e;
      sum += e;
    }
    if (Number.isNaN(sum)) throw new NonFiniteLogitsError('logits contain NaN; check the model export and its inputs');
    const inverse = 1 / sum;
    for (let c = 0; c < count; c++) probabilities[c] *= inverse;
    return count;
  };
  return {
    processors,
    greedy,
    stateful: processors.some((p) => p.stateful),
    distribution(logits, context, out = new Float32Array(logits.length)) {
      apply(logits, context);
      if (greedy) {
        const best = argmaxChecked(logits); // before filling: `out` may be `logits` itself
        out.fill(0);
        out[best] = 1;
        return out;
      }
      const count = normalise(logits);
      out.fill(0);
      for (let c = 0; c < count; c++) out[indices[c]] = probabilities[c];
      return out;
    },
    sample(logits, context, rng) {
      apply(logits, context);
      if (greedy) return argmaxChecked(logits);
      const count = normalise(logits);
      // sampleCategorical's walk over the non-zero entries.
      let total = 0;
      for (let c = 0; c < count; c++) total += probabilities[c];
      let u = rng.next() * total;
      let last = -1;
      for (let c = 0; c < count; c++) {
        const p = probabilities[c];
        if (p <= 0) continue;
        last = indices[c];
        u -= p;
        if (u < 0) return last;
      }
      if (last < 0) throw new NonFiniteLogitsError('the distribution has no mass');
      return last;
    },
    accept(token) {
      for (const processor of processors) processor.accept?.(token);
    },
    reset() {
      for (const processor of processors) processor.reset?.();
    },
  };
}

function argmaxChecked(logits: Float32Array): number {
  const best = argmax(logits);
  const value = logits[best];
  if (Number.isNaN(value) || value === Number.NEGATIVE_INFINITY) {
    throw new NonFiniteLogitsError(
      Number.isNaN(value) ? 'logits contain NaN; check the model export and its inputs' : 'every token was masked out',
    );
  }
  return best;
}

/** Divides logits by `value` (> 0). Temperature 0 is greedy selection: use `greedySampler()`. */
export function temperature(value: number): LogitsProcessor {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new InvalidArgumentError(
      'temperature',
      `must be a finite number > 0, got ${value}; use greedy selection for temperature 0`,
    );
  }
  const inverse = 1 / value;
  return {
    name: 'temperature',
    process(logits) {
      if (inverse === 1) return;
      for (let i = 0; i < logits.length; i++) logits[i] *= inverse;
    },
  };
}

/** Argmax selection with no processors: the chain of greedy decoding. */
export function greedySampler(processors: readonly LogitsProcessor[] = []): SamplerChain {
  return createSamplerChain({ processors, greedy: true });
}

/**
 * Multinomial sampling at a temperature (0 means greedy), after the given processors.
 * `@decodekit/samplers` builds richer chains (top-k, top-p, min-p, penalties, ...).
 */
export function multinomialSampler(temperatureValue = 1, processors: readonly LogitsProcessor[] = []): SamplerChain {
  if (temperatureValue === 0) return greedySampler(processors);
  return createSamplerChain({ processors: [...processors, temperature(temperatureValue)] });
}
