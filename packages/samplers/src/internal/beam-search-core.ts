import {
  type BatchItem,
  matrixRow,
  prefill,
  type Sequence,
  type Strategy,
  type StrategyContext,
  type StrategyRun,
  topK,
} from '@decodekit/core';
import { contextOf, countForwards, processedLogProbabilities, requireStatelessSampler } from './decoding.js';

/** One finished (or, at the end, still running) beam. */
export interface BeamHypothesis {
  /** Generated tokens (an end-of-sequence token included when the beam finished on one). */
  readonly tokens: number[];
  /** Σ log p of the tokens under the processed distribution (diversity penalties included). */
  readonly logProbability: number;
  /** `logProbability / length^lengthPenalty`: what beams are ranked by. */
  readonly score: number;
  /** The beam group it came from (always 0 without groups). */
  readonly group: number;
  /** Whether it ended with an end-of-sequence token. */
  readonly finished: boolean;
}

export interface BeamSearchCoreOptions {
  readonly beams: number;
  readonly groups: number;
  readonly diversityPenalty: number;
  readonly lengthPenalty: number;
  readonly earlyStopping: boolean;
  readonly eos?: readonly number[];
  readonly onHypotheses?: (hypotheses: readonly BeamHypothesis[]) => void;
}

interface Beam {
  sequence: Sequence;
  tokens: number[];
  score: number;
  logits: Float32Array;
}

interface Candidate {
  beam: Beam;
  token: number;
  score: number;
}

/** Beam search with optional groups and Hamming diversity (Hugging Face's beam scorer, simplified). */
export function beamSearchStrategy(name: string, options: BeamSearchCoreOptions): Strategy {
  return {
    name,
    start(context) {
      requireStatelessSampler(name, context.sampler);
      let result: number[] | undefined;
      let sequences: Sequence[] = [];
      const run: StrategyRun = {
        async step() {
          if (result) return { tokens: [], done: 'context-length' };
          const { best, all } = await search(context, options, (open) => {
            sequences = open;
          });
          options.onHypotheses?.(all);
          result = best.tokens;
          return result.length > 0 ? { tokens: result } : { tokens: [], done: 'context-length' };
        },
        async dispose() {
          for (const sequence of sequences) {
            try {
              await sequence.dispose();
            } catch {
              // Already released during the search.
            }
          }
          sequences = [];
        },
      };
      return run;
    },
  };
}

async function search(
  context: StrategyContext,
  options: BeamSearchCoreOptions,
  track: (open: Sequence[]) => void,
): Promise<{ best: BeamHypothesis; all: BeamHypothesis[] }> {
  const { model, sampler, prompt } = context;
  const groupSize = options.beams / options.groups;
  const eos = new Set(options.eos ?? model.specialTokens.eos);
  const normalise = (logProbability: number, length: number) =>
    logProbability / Math.max(1, length) ** options.lengthPenalty;
  const root = model.openSequence();
  track([root]);
  const { logits } = await prefill(context, root);
  const groups: Beam[][] = [];
  for (let g = 0; g < options.groups; g++) {
    const sequence = g === 0 ? root : await root.fork();
    groups.push([{ sequence, tokens: [], score: 0, logits }]);
  }
  const open = () => groups.flat().map((beam) => beam.sequence);
  track(open());
  const finished: BeamHypothesis[][] = groups.map(() => []);
  const done = groups.map(() => false);
  const addFinished = (g: number, hypothesis: BeamHypothesis) => {
    const list = finished[g];
    list.push(hypothesis);
    list.sort((a, b) => b.score - a.score);
    if (list.length > groupSize) list.length = groupSize;
  };

  for (let step = 0; step < context.maxNewTokens; step++) {
    // A new token must fit in the context after every live beam.
    if (groups.some((beams) => beams.some((beam) => beam.sequence.length + 1 > model.contextLength))) break;
    const chosen = new Map<number, number>();
    const items: BatchItem[] = [];
    const children: Array<{ g: number; beam: Beam }> = [];
    for (let g = 0; g < groups.length; g++) {
      if (done[g]) continue;
      const candidates: Candidate[] = [];
      for (const beam of groups[g]) {
        const tokens = [...prompt, ...beam.tokens];
        const logProbabilities = await context.stats.time('sample', () =>
          processedLogProbabilities(sampler, beam.logits, contextOf(tokens, prompt.length)),
        );
        if (options.diversityPenalty > 0) {
          for (const [token, count] of chosen) logProbabilities[token] -= options.diversityPenalty * count;
        }
        for (const token of topK(logProbabilities, 2 * groupSize)) {
          const value = logProbabilities[token];
          if (value !== Number.NEGATIVE_INFINITY) candidates.push({ beam, token, score: beam.score + value });
        }
      }
      candidates.sort((a, b) => b.score - a.score);
      const next: Candidate[] = [];
      for (let rank = 0; rank < candidates.length && next.length < groupSize; rank++) {
        const candidate = candidates[rank];
        if (eos.has(candidate.token)) {
          // Only candidates that would have made the beam count as finished hypotheses.
          if (rank < groupSize) {
            const tokens = [...candidate.beam.tokens, candidate.token];
            addFinished(g, {
              tokens,
              logProbability: candidate.score,
              score: normalise(candidate.score, tokens.length),
              group: g,
              finished: true,
            });
          }
          continue;
        }
        next.push(candidate);
      }
      for (const candidate of next) chosen.set(candidate.token, (chosen.get(candidate.token) ?? 0) + 1);
      const worst = finished[g][finished[g].length - 1];
      if (next.length === 0) done[g] = true;
      else if (finished[g].length >= groupSize) {
        if (options.earlyStopping) done[g] = true;
        else if (worst.score >= normalise(next[0].score, step + 1)) done[g] = true;
      }
      // Build the surviving beams: the first child of a parent reuses its sequence, others fork it.
      const used = new Set<Beam>();
      const survivors: Beam[] = [];
      if (!done[g]) {
        for (const candidate of next) {
          const parent = candidate.beam;
          const sequence = used.has(parent) ? await parent.sequence.fork() : parent.sequence;
          used.add(parent);
          const beam: Beam = {
            sequence,
            tokens: [...parent.tokens, candidate.token],
            score: candidate.score,
            logits: parent.logits,
          };
          survivors.push(beam);
          children.push({ g, beam });
          items.push({ sequence, block: { tokens: [candidate.token] } });
        }
      }
      // Forks were taken before any forward, so parents can be released now.
      for (const beam of groups[g]) if (!used.has(beam) || done[g]) await beam.sequence.dispose();
      groups[g] = survivors;
    }
    track(open());
    // The last step's tokens need no forward: nothing will be scored after them.
    if (items.length === 0 || step === context.maxNewTokens - 1) break;
    const outputs = await context.stats.time('verify', () =>
      model.forwardBatch(items, { logits: 'last', signal: context.signal }),
    );
    countForwards(context, items.length);
    outputs.forEach((output, i) => {
      children[i].beam.logits = matrixRow(output.logits, 0).slice();
    });
  }
  // Groups still running contribute their live beams, ranked like finished ones.
  for (let g = 0; g < groups.length; g++) {
    if (done[g]) continue;
    for (const beam of groups[g]) {
      addFinished(g, {
        tokens: beam.tokens,
        logProbability: beam.score,
        score: normalise(beam.score, beam.tokens.length),
        group: g,
        finished: false,
      });
    }
  }
  const all = finished.flat().sort((a, b) => b.score - a.score);
  return { best: all[0] ?? { tokens: [], logProbability: 0, score: 0, group: 0, finished: false }, all };
}
