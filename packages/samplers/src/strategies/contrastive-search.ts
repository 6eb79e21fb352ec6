import {
  CapabilityError,
  type ForwardOutput,
  matrixRow,
  prefill,
  type Sequence,
  type Strategy,
  type StrategyRun,
  topK,
} from '@decodekit/core';
import { contextOf, countForwards, requireStatelessSampler } from '../internal/decoding.js';
import { checkInteger, checkNumber } from '../internal/validate.js';

/** Options of {@link contrastiveSearch}. */
export interface ContrastiveSearchOptions {
  /** Candidates per step (the top k tokens), integer >= 1. Default 5 (Su et al.; Hugging Face examples use 4). */
  readonly k?: number;
  /** Degeneration penalty weight α in [0, 1]. Default 0.6. α = 0 is greedy decoding. */
  readonly alpha?: number;
}

/**
 * Contrastive search (Su et al., 2022, SimCTG): at each step takes the top-k tokens of the
 * processed distribution p, runs each one through the model to get its last hidden state h_v,
 * and picks `argmax_v (1 − α)·p(v) − α·max_j cos(h_v, h_j)` over the hidden states h_j of every
 * earlier token. Deterministic: the sampler chain's processors shape p; its selection is unused.
 *
 * Needs `capabilities.hiddenStates` (throws `CapabilityError` otherwise). Cost per token: one forward
 * of k candidates — a single tree block of k siblings where the model has tree attention, else k
 * forked sequences — and the candidate's logits serve the next step, so no extra forward.
 */
export function contrastiveSearch(options: ContrastiveSearchOptions = {}): Strategy {
  const k = checkInteger('k', options.k ?? 5, 1);
  const alpha = checkNumber('alpha', options.alpha ?? 0.6, { min: 0, max: 1 });
  return {
    name: 'contrastive-search',
    async start(context) {
      const { model, sampler, prompt } = context;
      if (!model.capabilities.hiddenStates) {
        throw new CapabilityError(
          'hiddenStates',
          `contrastive search compares hidden states, but model "${model.name}" does not output them; export the model with hidden state outputs or use beam search`,
        );
      }
      requireStatelessSampler('contrastive search', sampler);
      let sequence: Sequence = model.openSequence();
      const first = await prefill(context, sequence, true).catch(async (error) => {
        await sequence.dispose();
        throw error;
      });
      const hiddenSize = model.hiddenSize;
      // Unit-normalised hidden states of every token so far, for cosine similarity.
      const history: Float32Array[] = [];
      if (first.hiddenStates) {
        for (let r = 0; r < first.hiddenStates.rows; r++) history.push(unit(matrixRow(first.hiddenStates, r)));
      }
      let logits = first.logits;
      const tokens = Array.from(prompt);
      const run: StrategyRun = {
        async step() {
          if (sequence.length + 1 > model.contextLength) return { tokens: [], done: 'context-length' };
          const probabilities = await context.stats.time('sample', () => {
            const row = logits.slice();
            for (const processor of sampler.processors) processor.process(row, contextOf(tokens, prompt.length));
            return softmaxRow(row);
          });
          const candidates = Array.from(topK(probabilities, k)).filter((v) => probabilities[v] > 0);
          const outputs = await runCandidates(candidates);
          let best = 0;
          let bestScore = Number.NEGATIVE_INFINITY;
          const hiddens: Float32Array[] = [];
          candidates.forEach((token, i) => {
            const hidden = unit(outputs.hidden[i]);
            hiddens.push(hidden);
            let similarity = -1;
            for (const earlier of history) similarity = Math.max(similarity, dot(hidden, earlier, hiddenSize));
            if (history.length === 0) similarity = 0;
            const score = (1 - alpha) * probabilities[token] - alpha * similarity;
            if (score > bestScore) {
              bestScore = score;
              best = i;
            }
          });
          await outputs.keep(best);
          const token = candidates[best];
          history.push(hiddens[best]);
          logits = outputs.logits[best];
          tokens.push(token);
          context.sampler.accept(token);
          return { tokens: [token] };
        },
        dispose: () => sequence.dispose(),
      };

      // Runs every candidate after the current sequence; `keep(i)` makes candidate i the sequence.
      async function runCandidates(candidates: number[]) {
        // A tree block holds all k candidates in the cache at once: use it only where they fit.
        const treeFits = sequence.length + candidates.length <= model.contextLength;
        if (model.capabilities.treeAttention && candidates.length > 1 && treeFits) {
          const output: ForwardOutput = await context.stats.time('verify', () =>
            sequence.forward(
              { tokens: candidates, parents: candidates.map(() => -1) },
              { logits: 'all', hiddenStates: true, signal: context.signal },
            ),
          );
          context.stats.targetForwards++;
          return {
            logits: candidates.map((_, i) => matrixRow(output.logits, i).slice()),
            hidden: candidates.map((_, i) => matrixRow(output.hiddenStates ?? missing(), i)),
            keep: async (i: number) => sequence.accept([i]),
          };
        }
        const forks: Sequence[] = [];
        for (let i = 0; i < candidates.length; i++) forks.push(i === 0 ? sequence : await sequence.fork());
        const results = await context.stats.time('verify', () =>
          model.forwardBatch(
            forks.map((fork, i) => ({ sequence: fork, block: { tokens: [candidates[i]] } })),
            { logits: 'last', hiddenStates: true, signal: context.signal },
          ),
        );
        countForwards(context, forks.length);
        return {
          logits: results.map((r) => matrixRow(r.logits, 0).slice()),
          hidden: results.map((r) => matrixRow(r.hiddenStates ?? missing(), 0)),
          keep: async (i: number) => {
            for (let j = 0; j < forks.length; j++) if (j !== i) await forks[j].dispose();
            sequence = forks[i];
          },
        };
      }
      return run;
    },
  };
}

function missing(): never {
  throw new CapabilityError('hiddenStates', 'the model returned no hidden states although it declares them');
}

function unit(vector: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i] * vector[i];
  const inverse = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return vector.map((x) => x * inverse);
}

function dot(a: Float32Array, b: Float32Array, size: number): number {
  let sum = 0;
  for (let i = 0; i < size; i++) sum += a[i] * b[i];
  return sum;
}

function softmaxRow(row: Float32Array): Float32Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  let sum = 0;
  for (let i = 0; i < row.length; i++) {
    const e = row[i] === Number.NEGATIVE_INFINITY ? 0 : Math.exp(row[i] - max);
    row[i] = e;
    sum += e;
  }
  for (let i = 0; i < row.length; i++) row[i] /= sum;
  return row;
}
