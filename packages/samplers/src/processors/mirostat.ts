import { type LogitsProcessor, topK } from '@decodekit/core';
import { MirostatState } from '../internal/mirostat-state.js';
import { checkInteger, checkNumber } from '../internal/validate.js';

/** Options of {@link mirostat} and {@link mirostatV2}. */
export interface MirostatOptions {
  /** Target surprise τ in bits (> 0). Default 5. */
  readonly tau?: number;
  /** Learning rate η of the surprise controller, in (0, 1]. Default 0.1. */
  readonly eta?: number;
}

/** Options of {@link mirostat} (version 1). */
export interface MirostatV1Options extends MirostatOptions {
  /** How many of the most probable tokens estimate the Zipf exponent (llama.cpp's `m`). Integer >= 2. Default 100. */
  readonly estimationWindow?: number;
}

/**
 * Mirostat version 1 (Basu et al., 2021, Algorithm 1, as in llama.cpp): estimates the Zipf
 * exponent `ŝ` from the top `m` probabilities (`ŝ = Σ t_i b_i / Σ t_i²`, `t_i = ln((i+2)/(i+1))`,
 * `b_i = ln(p_i / p_{i+1})`), sets `k = ((ε̂ · 2^μ) / (1 - V^(-ε̂)))^(1/ŝ)` with `ε̂ = ŝ - 1`, and keeps
 * the top k tokens. After each committed token, `μ ← μ - η·(-log2 p(token) - τ)`; `μ` starts at 2τ.
 *
 * Stateful: the chain must `accept` every committed token (the decode loops do), and speculative
 * strategies refuse it. Put it last in the chain, after temperature.
 */
export function mirostat(options: MirostatV1Options = {}): LogitsProcessor {
  const tau = checkNumber('mirostat.tau', options.tau ?? 5, { min: 0, minOpen: true });
  const eta = checkNumber('mirostat.eta', options.eta ?? 0.1, { min: 0, max: 1, minOpen: true });
  const window = checkInteger('mirostat.estimationWindow', options.estimationWindow ?? 100, 2);
  const state = new MirostatState(tau, eta);
  return {
    name: 'mirostat',
    stateful: true,
    process(logits) {
      const vocabulary = logits.length;
      const top = topK(logits, Math.min(window, vocabulary));
      let sumProducts = 0;
      let sumSquares = 0;
      for (let i = 0; i + 1 < top.length; i++) {
        const next = logits[top[i + 1]];
        if (next === Number.NEGATIVE_INFINITY) break;
        const t = Math.log((i + 2) / (i + 1));
        const b = logits[top[i]] - next; // ln(p_i / p_{i+1})
        sumProducts += t * b;
        sumSquares += t * t;
      }
      if (sumSquares > 0) {
        const s = sumProducts / sumSquares;
        const epsilon = s - 1;
        const k = ((epsilon * 2 ** state.mu) / (1 - vocabulary ** -epsilon)) ** (1 / s);
        const keep = Number.isFinite(k) ? Math.max(1, Math.min(vocabulary, Math.floor(k))) : vocabulary;
        if (keep < vocabulary) {
          const best = topK(logits, keep);
          const threshold = logits[best[best.length - 1]];
          for (let i = 0; i < vocabulary; i++) if (logits[i] < threshold) logits[i] = Number.NEGATIVE_INFINITY;
        }
      }
      state.remember(logits);
    },
    accept: (token) => state.accept(token),
    reset: () => state.reset(),
  };
}
