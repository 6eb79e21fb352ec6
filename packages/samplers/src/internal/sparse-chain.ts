import {
  argmax,
  type LogitsProcessor,
  NonFiniteLogitsError,
  type Rng,
  type SamplerChain,
  type SamplingContext,
} from '@decodekit/core';

/**
 * A `SamplerChain` with the semantics of core's `createSamplerChain` (processors in order, then
 * argmax or a categorical draw with one `rng.next()`), whose softmax and draw skip masked
 * (-Infinity) entries. After top-k only k entries are finite, so selection costs one pass over the
 * row instead of an exp per vocabulary entry. Draws are bit-identical to core's chain: the skipped
 * entries contribute exact zeros there.
 */
export function sparseSamplerChain(
  processors: readonly LogitsProcessor[],
  greedy: boolean,
  finalTemperature?: { readonly processor: LogitsProcessor; readonly inverse: number },
): SamplerChain {
  const list = [...processors];
  // A temperature that ends the chain is folded into `sample`'s softmax, saving a pass over the
  // row. Values are rounded to float32 exactly as the in-place division would store them.
  const fused = !greedy && finalTemperature !== undefined && list[list.length - 1] === finalTemperature.processor;
  const fusedInverse = fused ? (finalTemperature?.inverse ?? 1) : 1;
  const unfused = fused ? list.slice(0, -1) : list;
  let indices = new Int32Array(0);
  let probabilities = new Float32Array(0);
  const apply = (logits: Float32Array, context: SamplingContext, processors = list) => {
    for (const processor of processors) processor.process(logits, context);
  };
  // Writes the normalised probabilities of the unmasked entries into `probabilities`; returns their count.
  const normalise = (logits: Float32Array, inverse = 1): number => {
    if (indices.length < logits.length) {
      indices = new Int32Array(logits.length);
      probabilities = new Float32Array(logits.length);
    }
    // One pass gathers the unmasked entries and their maximum; the exps run on those only.
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
    if (inverse !== 1) max = Math.fround(max * inverse);
    for (let c = 0; c < count; c++) {
      const z = inverse === 1 ? logits[indices[c]] : Math.fround(logits[indices[c]] * inverse);
      const e = Math.exp(z - max);
      probabilities[c] = e;
      sum += e;
    }
    if (Number.isNaN(sum)) throw new NonFiniteLogitsError('logits contain NaN; check the model export and its inputs');
    const inverseSum = 1 / sum;
    for (let c = 0; c < count; c++) probabilities[c] *= inverseSum;
    return count;
  };
  const argmaxChecked = (logits: Float32Array) => {
    const best = argmax(logits);
    const value = logits[best];
    if (Number.isNaN(value) || value === Number.NEGATIVE_INFINITY) {
      throw new NonFiniteLogitsError(
        Number.isNaN(value)
          ? 'logits contain NaN; check the model export and its inputs'
          : 'every token was masked out',
      );
    }
    return best;
  };
  return {
    processors: list,
    greedy,
    stateful: list.some((p) => p.stateful),
    distribution(logits: Float32Array, context: SamplingContext, out = new Float32Array(logits.length)) {
      apply(logits, context);
      if (greedy) {
        const best = argmaxChecked(logits);
        out.fill(0);
        out[best] = 1;
        return out;
      }
      const count = normalise(logits);
      out.fill(0);
      for (let c = 0; c < count; c++) out[indices[c]] = probabilities[c];
      return out;
    },
    sample(logits: Float32Array, context: SamplingContext, rng: Rng) {
      apply(logits, context, unfused);
      if (greedy) return argmaxChecked(logits);
      const count = normalise(logits, fusedInverse);
      // Same walk as core's sampleCategorical over the non-zero entries.
      let total = 0;
      for (let c = 0; c < count; c++) total += probabilities[c];
      let u = rng.next() * total;
      let last = -1;
      for (let c = 0; c < count; c++) {
        const p = probabilities[c];
        if (p <= 0) continue;
        last = indices[c];
        u -= p;
        if (u < 0) return indices[c];
      }
      if (last < 0) throw new NonFiniteLogitsError('the distribution has no mass');
      return last;
    },
    accept(token: number) {
      for (const processor of list) processor.accept?.(token);
    },
    reset() {
      for (const processor of list) processor.reset?.();
    },
  };
}
