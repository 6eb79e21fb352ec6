import type { LogitsProcessor } from '@decodekit/core';
import { MirostatState } from '../internal/mirostat-state.js';
import { logSumExpFinite } from '../internal/probabilities.js';
import { maskBelow, maxLogit } from '../internal/row.js';
import { checkNumber } from '../internal/validate.js';
import type { MirostatOptions } from './mirostat.js';

/**
 * Mirostat version 2 (Basu et al., 2021, as in llama.cpp): masks tokens whose surprise
 * `-log2 p(v)` exceeds `μ` (keeping at least the most probable one); after each committed token,
 * `μ ← μ - η·(-log2 p'(token) - τ)` with `p'` the truncated, renormalised distribution. `μ` starts at 2τ.
 *
 * Stateful: the chain must `accept` every committed token (the decode loops do), and speculative
 * strategies refuse it. Put it last in the chain, after temperature.
 */
export function mirostatV2(options: MirostatOptions = {}): LogitsProcessor {
  const tau = checkNumber('mirostatV2.tau', options.tau ?? 5, { min: 0, minOpen: true });
  const eta = checkNumber('mirostatV2.eta', options.eta ?? 0.1, { min: 0, max: 1, minOpen: true });
  const state = new MirostatState(tau, eta);
  return {
    name: 'mirostat-v2',
    stateful: true,
    process(logits) {
      const max = maxLogit(logits);
      const logSumExp = logSumExpFinite(logits, max);
      // -log2 p > mu  <=>  z < logsumexp - mu · ln 2
      maskBelow(logits, logSumExp - state.mu * Math.LN2, 1, max);
      state.remember(logits);
    },
    accept: (token) => state.accept(token),
    reset: () => state.reset(),
  };
}
