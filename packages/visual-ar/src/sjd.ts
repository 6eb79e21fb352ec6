import { argmax, type CausalLM, InvalidArgumentError, matrixRow, throwIfAborted } from '@decodekit/core';
import {
  disposePair,
  type ImageGenerationOptions,
  type ImageTokens,
  openPair,
  prepareGeneration,
} from './generation.js';
import { DistributionScratch, drawToken, imageDistribution } from './sampling.js';

/**
 * How SJD fills a new window slot (the paper's token initialisation, `get_multi_token_for_preparation`):
 * `'random'` (default) a uniform image token; `'repeat-horizon'` the token to the left in the same
 * row (a spatial prior); `'sample-horizon'` the argmax of the left neighbour's stored distribution.
 * Slots without a left neighbour (first column) fall back to `'random'`. Every initialised draft is
 * verified with a one-hot draft distribution, so the scheme changes speed, never the output law.
 */
export type SjdInitialisation = 'random' | 'repeat-horizon' | 'sample-horizon';

/** Settings of `generateSjd`. */
export interface SjdOptions extends ImageGenerationOptions {
  /**
   * Tokens scored per forward step: the last committed token plus `window − 1` draft tokens
   * (default 16, the paper's `max_num_new_tokens`). Window 1 is plain raster AR, draw for draw.
   */
  readonly window?: number;
  /** Initialisation of new window slots (default `'random'`). */
  readonly initialisation?: SjdInitialisation;
}

/** An SJD image with its acceptance record. */
export interface SjdImageTokens extends ImageTokens {
  readonly method: 'sjd';
  /** Tokens committed by each forward step (sums to `rows * columns`). */
  readonly committedPerStep: readonly number[];
  /** Draft tokens that passed the probabilistic convergence test. */
  readonly acceptedDrafts: number;
  /** Draft tokens that were verified (accepted or rejected). */
  readonly verifiedDrafts: number;
}

interface Draft {
  token: number;
  /** The distribution the draft was drawn from; undefined = one-hot on `token`. */
  q?: Float64Array;
}

/**
 * Speculative Jacobi Decoding (Teng et al., ICLR 2025): a window of draft image tokens is refined
 * by Jacobi iteration, and each forward step commits the longest prefix of drafts that passes the
 * probabilistic convergence criterion of speculative sampling — draft w at a position with target
 * distribution p (after CFG and the sampling filters) and draft distribution q is accepted with
 * probability `min(1, p(w) / q(w))`; at the first rejection a token is drawn from
 * `norm(max(0, p − q))` and the step ends; when every draft passes, one more token is drawn from the
 * next position's p. Drafts behind the rejection point are replaced by fresh samples from this
 * step's p (the Jacobi update, q := that p), and the window is topped up with initialised tokens.
 * The output has exactly the law of raster AR sampling with the same settings; the KV cache of the
 * rejected tail is truncated. Training-free, no draft model.
 */
export async function generateSjd(model: CausalLM, options: SjdOptions): Promise<SjdImageTokens> {
  const start = performance.now();
  const prepared = prepareGeneration(options, model.vocabSize);
  const { layout, total, sampling, scales, guided, rng } = prepared;
  const window = options.window ?? 16;
  if (!Number.isInteger(window) || window < 1) {
    throw new InvalidArgumentError('window', `must be an integer >= 1, got ${window}`);
  }
  const initialisation = options.initialisation ?? 'random';
  if (!['random', 'repeat-horizon', 'sample-horizon'].includes(initialisation)) {
    throw new InvalidArgumentError(
      'initialisation',
      `must be random, repeat-horizon or sample-horizon, got ${String(initialisation)}`,
    );
  }
  const size = layout.codebookSize;
  const columns = layout.grid[1];
  const tokens = new Int32Array(total).fill(-1);
  // For 'sample-horizon': the distribution each position's current value was drawn from.
  const stored: (Float64Array | undefined)[] = new Array(total);
  const scratch = new DistributionScratch(size);
  const rows: Float64Array[] = Array.from({ length: window }, () => new Float64Array(size));
  const residual = new Float64Array(size);
  const committedPerStep: number[] = [];
  let acceptedDrafts = 0;
  let verifiedDrafts = 0;
  let modelTokens = 0;
  let drafts: Draft[] = [];
  let committed = 0;
  let pendingConditional = prepared.classToken;
  let pendingUnconditional = layout.nullClassToken;

  // The value currently planned at `position` (committed or drafted), or -1.
  const valueAt = (position: number): number => {
    if (position < committed) return tokens[position];
    return drafts[position - committed]?.token ?? -1;
  };
  const initialise = (position: number): Draft => {
    const column = position % columns;
    if (column > 0 && initialisation === 'repeat-horizon') {
      const left = valueAt(position - 1);
      if (left >= 0) return { token: left };
    }
    if (column > 0 && initialisation === 'sample-horizon') {
      const left = stored[position - 1];
      if (left) return { token: argmax(left) };
    }
    return { token: Math.min(size - 1, Math.floor(rng.next() * size)) };
  };

  const keepStored = initialisation === 'sample-horizon';
  const remember = (position: number, distribution: Float64Array | undefined) => {
    if (keepStored) stored[position] = distribution?.slice();
  };

  const pair = openPair(model, guided);
  try {
    while (committed < total) {
      throwIfAborted(options.signal);
      const span = Math.min(window, total - committed);
      drafts = drafts.slice(0, span - 1);
      while (drafts.length < span - 1) {
        const position = committed + drafts.length;
        const draft = initialise(position);
        drafts.push(draft);
        remember(position, draft.q);
      }
      const draftTokens = drafts.map((d) => d.token);
      const base = pair.conditional.length;
      const items = [{ sequence: pair.conditional, block: { tokens: [pendingConditional, ...draftTokens] } }];
      if (pair.unconditional) {
        items.push({ sequence: pair.unconditional, block: { tokens: [pendingUnconditional, ...draftTokens] } });
      }
      const outputs = await model.forwardBatch(items, { logits: 'all', signal: options.signal });
      modelTokens += span;
      for (let r = 0; r < span; r++) {
        const conditional = matrixRow(outputs[0].logits, r);
        const unconditional = outputs[1] ? matrixRow(outputs[1].logits, r) : undefined;
        imageDistribution(conditional, unconditional, scales[committed + r], sampling, rows[r], scratch);
      }
      // Verify drafts left to right: draft j (position committed + j) against row j.
      let accepted = 0;
      let rejected = false;
      const first = committed;
      for (let j = 0; j < span - 1; j++) {
        const draft = drafts[j];
        const p = rows[j];
        const q = draft.q ? draft.q[draft.token] : 1;
        const ratio = p[draft.token] / q;
        verifiedDrafts++;
        if (ratio >= 1 || rng.next() < ratio) {
          tokens[first + j] = draft.token;
          remember(first + j, p);
          accepted++;
          continue;
        }
        // Rejected: draw from norm(max(0, p − q)); with a one-hot q that is p without the draft token.
        let mass = 0;
        for (let v = 0; v < size; v++) {
          const value = p[v] - (draft.q ? draft.q[v] : v === draft.token ? 1 : 0);
          residual[v] = Math.max(0, value);
          mass += residual[v];
        }
        tokens[first + j] = drawToken(mass > 0 ? residual : p, rng, sampling.greedy);
        remember(first + j, p);
        rejected = true;
        break;
      }
      if (!rejected) {
        // Every draft passed: the next position's p is conditioned on committed tokens only.
        tokens[first + accepted] = drawToken(rows[accepted], rng, sampling.greedy);
        remember(first + accepted, rows[accepted]);
      }
      acceptedDrafts += accepted;
      const gained = accepted + 1;
      committed += gained;
      committedPerStep.push(gained);
      // Keep the KV of the inputs that are now committed context: the pending token and accepted drafts.
      const keep = base + 1 + accepted;
      await pair.conditional.truncate(keep);
      if (pair.unconditional) await pair.unconditional.truncate(keep);
      pendingConditional = tokens[committed - 1];
      pendingUnconditional = tokens[committed - 1];
      // Jacobi update: positions behind the rejection point get fresh samples from this step's rows.
      const next: Draft[] = [];
      for (let r = gained; r < span; r++) {
        const p = rows[r].slice();
        const token = drawToken(p, rng, sampling.greedy);
        next.push(sampling.greedy ? { token } : { token, q: p });
        if (keepStored) stored[first + r] = p;
      }
      drafts = next;
      options.onProgress?.({ tokens: committed, total, steps: committedPerStep.length });
    }
  } finally {
    await disposePair(pair);
  }
  return {
    method: 'sjd',
    classIndex: options.classIndex,
    tokens,
    grid: layout.grid,
    forwardSteps: committedPerStep.length,
    modelTokens,
    wallTimeMs: performance.now() - start,
    committedPerStep,
    acceptedDrafts,
    verifiedDrafts,
  };
}
