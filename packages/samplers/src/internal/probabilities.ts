/** log Σ exp(z) over the unmasked entries, given the row's maximum. */
export function logSumExpFinite(logits: Float32Array, max: number): number {
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i];
    if (z !== Number.NEGATIVE_INFINITY) sum += Math.exp(z - max);
  }
  return max + Math.log(sum);
}

/** Entropy (nats) of softmax(z) and log Σ exp(z), in two passes, given the row's maximum. */
export function entropyAndLogSumExp(logits: Float32Array, max: number): { entropy: number; logSumExp: number } {
  const logSumExp = logSumExpFinite(logits, max);
  let entropy = 0;
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i];
    if (z === Number.NEGATIVE_INFINITY) continue;
    const logP = z - logSumExp;
    entropy -= Math.exp(logP) * logP;
  }
  return { entropy, logSumExp };
}

/** Log-softmax of `logits` into `out` (masked entries stay -Infinity). */
export function logSoftmaxInto(logits: Float32Array, out: Float32Array): Float32Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  const lse = logSumExpFinite(logits, max);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i] - lse;
  return out;
}
