import { type Draft, emptyDraft, InvalidArgumentError } from '@decodekit/core';
import { ContinuationTrie } from './continuation-trie.js';
import { corpusDocuments, type TokenCorpus } from './corpus.js';
import { integerOption, numberOption, seededUniform } from './options.js';
import type { SynchronousDrafter } from './synchronous-drafter.js';

/** Token ids must stay below this for the (a, b) pair key `a * 2^21 + b` to be exact. */
const pairBase = 2 ** 21;

/** Successors of one token pair: parallel arrays, unordered. */
interface Successors {
  readonly tokens: number[];
  readonly weights: number[];
}

/**
 * ADED's tri-gram table: token pair (a, b) -> up to `maxSuccessors` next tokens c with a weight.
 * Built from a corpus as normalised counts (per pair the weights sum to 1, then only the heaviest
 * `maxSuccessors` are kept), then adapted online: every trigram seen in the recent context gets
 * `+step`, capped at `cap`, so the table drifts towards what the target actually writes.
 */
export class TrigramTable {
  private readonly table = new Map<number, Successors>();

  constructor(readonly maxSuccessors = 12) {
    if (!Number.isInteger(maxSuccessors) || maxSuccessors < 1) {
      throw new InvalidArgumentError('maxSuccessors', `must be an integer >= 1, got ${maxSuccessors}`);
    }
  }

  /** Number of token pairs with successors. */
  get pairs(): number {
    return this.table.size;
  }

  /** Counts the trigrams of token documents, normalises per pair and keeps the top successors. */
  addCorpus(documents: readonly ArrayLike<number>[]): void {
    const counts = new Map<number, Map<number, number>>();
    for (const document of documents) {
      for (let i = 0; i + 2 < document.length; i++) {
        const key = pairKey(document[i], document[i + 1]);
        let next = counts.get(key);
        if (!next) {
          next = new Map();
          counts.set(key, next);
        }
        const c = checkToken(document[i + 2]);
        next.set(c, (next.get(c) ?? 0) + 1);
      }
    }
    for (const [key, next] of counts) {
      let total = 0;
      for (const count of next.values()) total += count;
      const entries = [...next].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, this.maxSuccessors);
      if (this.table.has(key)) {
        for (const [token, count] of entries) this.add(key, token, count / total, Number.POSITIVE_INFINITY);
      } else {
        this.table.set(key, { tokens: entries.map((e) => e[0]), weights: entries.map((e) => e[1] / total) });
      }
    }
  }

  /** Adds `step` (capped at `cap`) to every trigram inside `tokens[from..to)`. */
  adapt(tokens: ArrayLike<number>, from: number, to: number, step: number, cap: number): void {
    for (let i = Math.max(0, from); i + 2 < to; i++)
      this.add(pairKey(tokens[i], tokens[i + 1]), tokens[i + 2], step, cap);
  }

  /** Weight of trigram (a, b, c), 0 when absent. */
  weight(a: number, b: number, c: number): number {
    const entry = this.table.get(pairKey(a, b));
    if (!entry) return 0;
    const at = entry.tokens.indexOf(c);
    return at < 0 ? 0 : entry.weights[at];
  }

  /** Successors of (a, b), heaviest first (ties: lower id first). Empty when none. */
  successors(a: number, b: number): { tokens: number[]; weights: number[] } {
    const entry = a < 0 || b < 0 ? undefined : this.table.get(pairKey(a, b));
    if (!entry) return { tokens: [], weights: [] };
    const order = entry.tokens.map((_, i) => i);
    order.sort((x, y) => entry.weights[y] - entry.weights[x] || entry.tokens[x] - entry.tokens[y]);
    return { tokens: order.map((i) => entry.tokens[i]), weights: order.map((i) => entry.weights[i]) };
  }

  /**
   * Adds to one trigram's weight. A new successor of a full pair replaces the lightest one when it
   * would outweigh it, so the table stays bounded (the reference lets adapted lists grow).
   */
  private add(key: number, token: number, step: number, cap: number): void {
    checkToken(token);
    let entry = this.table.get(key);
    if (!entry) {
      entry = { tokens: [], weights: [] };
      this.table.set(key, entry);
    }
    const at = entry.tokens.indexOf(token);
    if (at >= 0) {
      entry.weights[at] = Math.min(cap, entry.weights[at] + step);
      return;
    }
    if (entry.tokens.length < this.maxSuccessors) {
      entry.tokens.push(token);
      entry.weights.push(Math.min(cap, step));
      return;
    }
    let lightest = 0;
    for (let i = 1; i < entry.weights.length; i++) if (entry.weights[i] < entry.weights[lightest]) lightest = i;
    if (entry.weights[lightest] < step) {
      entry.tokens[lightest] = token;
      entry.weights[lightest] = Math.min(cap, step);
    }
  }
}

function checkToken(token: number): number {
  if (!Number.isInteger(token) || token < 0 || token >= pairBase) {
    throw new InvalidArgumentError('corpus', `token id ${token} is outside [0, ${pairBase})`);
  }
  return token;
}

function pairKey(a: number, b: number): number {
  return checkToken(a) * pairBase + checkToken(b);
}

/** Options of {@link aded}. */
export interface AdedOptions {
  /**
   * Token corpus the tri-gram table is built from (the paper uses chat or code corpora tokenised
   * with the target tokenizer). Text documents need `encode`. Without a corpus the table starts
   * empty and learns only from the prompt and the generated text.
   */
  readonly corpus?: TokenCorpus;
  /** The target tokenizer's encode, for text documents in `corpus`. */
  readonly encode?: (text: string) => ArrayLike<number>;
  /** Successors kept per token pair (default 12, as the reference reader). */
  readonly maxSuccessors?: number;
  /** MCTS iterations per draft (default 150). */
  readonly iterations?: number;
  /** Deepest search/rollout depth in tokens (default 4, the reference `sentence_length`). */
  readonly searchDepth?: number;
  /** Most-visited search prefixes turned into draft paths (default 24, the reference `top_k`). */
  readonly topPaths?: number;
  /** Most draft nodes (default 64, the reference `num_draft`). */
  readonly maxDraftTokens?: number;
  /** Recent context tokens whose trigrams are reinforced before each search (default 16). */
  readonly adaptationWindow?: number;
  /** Weight added per reinforcement (default 0.04). */
  readonly adaptationStep?: number;
  /** Largest weight reinforcement can reach (default 3.0). */
  readonly adaptationCap?: number;
  /**
   * Reinforce every trigram of the prompt once at `start` (default true). Not in the paper, whose
   * corpus provides the cold start; without a corpus this is what makes the first drafts useful.
   */
  readonly learnFromPrompt?: boolean;
  /** PUCT constant c1, the base of the exploration weight (default 32, from the reference). */
  readonly explorationBase?: number;
  /** PUCT constant c2, the visit scale of the exploration weight's log term (default 8, from the reference). */
  readonly explorationScale?: number;
  /** Seed of the drafter's private rollout generator (default 0); the run's random stream is never used. */
  readonly seed?: number;
}

/**
 * ADED / Adaptix (Liu, Lei, Zhang, Xu, "Adaptive Draft-Verification for Efficient Large Language
 * Model Decoding", arXiv 2407.12021, AAAI 2025): a training-free drafter over a tri-gram table
 * that adapts online to the text being generated, with a Monte Carlo tree search (PUCT) that
 * chooses which continuations to put in the draft tree.
 *
 * Each step: reinforce the trigrams of the last `adaptationWindow` committed tokens; run
 * `iterations` rounds of select (PUCT) / expand (all successors at once) / rollout (sample
 * successors in proportion to their weight up to `searchDepth` tokens) / backpropagate (score =
 * 1 + sum of trigram weights along the state); take the `topPaths` most-visited prefixes, extend
 * each by its heaviest successor, merge them into a trie weighted by visits and keep the
 * `maxDraftTokens` heaviest nodes. Deterministic draft: lossless with any exact verifier.
 *
 * The table persists across generations (as the reference's reader object), so adaptation carries
 * over from one prompt to the next.
 */
export function aded(options: AdedOptions = {}): SynchronousDrafter {
  const table = new TrigramTable(integerOption('maxSuccessors', options.maxSuccessors, 12, 1));
  const iterations = integerOption('iterations', options.iterations, 150, 1);
  const searchDepth = integerOption('searchDepth', options.searchDepth, 4, 1);
  const topPaths = integerOption('topPaths', options.topPaths, 24, 1);
  const maxDraftTokens = integerOption('maxDraftTokens', options.maxDraftTokens, 64, 1);
  const adaptationWindow = integerOption('adaptationWindow', options.adaptationWindow, 16, 0);
  const adaptationStep = numberOption('adaptationStep', options.adaptationStep, 0.04, 0);
  const adaptationCap = numberOption('adaptationCap', options.adaptationCap, 3, 0);
  const learnFromPrompt = options.learnFromPrompt ?? true;
  const explorationBase = numberOption('explorationBase', options.explorationBase, 32, 0);
  const explorationScale = numberOption('explorationScale', options.explorationScale, 8, 0, true);
  const seed = integerOption('seed', options.seed, 0, 0);
  if (options.corpus !== undefined) table.addCorpus(corpusDocuments(options.corpus, options.encode, 'corpus'));
  let uniform = seededUniform(seed);

  return {
    name: 'aded',
    requires: { treeDrafts: true },
    start(context) {
      uniform = seededUniform(seed);
      if (learnFromPrompt) table.adapt(context.prompt, 0, context.prompt.length, adaptationStep, adaptationCap);
    },
    propose(context): Draft {
      if (context.maxTokens <= 0) return emptyDraft;
      const tokens = context.tokens;
      const length = tokens.length;
      table.adapt(tokens, length - adaptationWindow, length, adaptationStep, adaptationCap);
      if (length < 2) return emptyDraft;
      const paths = searchDraftPaths(table, tokens[length - 2], tokens[length - 1], {
        iterations,
        searchDepth,
        topPaths,
        explorationBase,
        explorationScale,
        uniform,
      });
      const trie = new ContinuationTrie();
      for (const path of paths) trie.insert(path.tokens, 0, path.tokens.length, path.visits);
      return trie.toDraft(Math.min(context.maxTokens, maxDraftTokens));
    },
  };
}

/** Settings of one draft search. @internal */
export interface SearchSettings {
  readonly iterations: number;
  readonly searchDepth: number;
  readonly topPaths: number;
  readonly explorationBase: number;
  readonly explorationScale: number;
  readonly uniform: () => number;
}

/**
 * The MCTS of ADED from the root pair (a, b): returns up to `topPaths` continuations (the
 * most-visited search prefixes, each extended by its heaviest successor) with their visit counts,
 * most visited first.
 * @internal
 */
export function searchDraftPaths(
  table: TrigramTable,
  a: number,
  b: number,
  settings: SearchSettings,
): { tokens: number[]; visits: number }[] {
  const { iterations, searchDepth, explorationBase, explorationScale, uniform } = settings;
  // Node arrays; node 0 is the root (the pair (a, b), no token of its own).
  const previous: number[] = [a];
  const token: number[] = [b];
  const parent: number[] = [-1];
  const depth: number[] = [0];
  const prior: number[] = [0];
  const visits: number[] = [0];
  const total: number[] = [0];
  const children: (number[] | undefined)[] = [undefined];

  const puct = (child: number, parentVisits: number): number => {
    if (visits[child] === 0) return Number.POSITIVE_INFINITY;
    const exploration = explorationBase + Math.log((parentVisits + explorationScale + 1) / explorationScale);
    return total[child] / visits[child] + (exploration * prior[child] * Math.sqrt(parentVisits)) / (1 + visits[child]);
  };

  for (let iteration = 0; iteration < iterations; iteration++) {
    let node = 0;
    let score = 1;
    // Select: follow the best PUCT child through expanded nodes.
    for (;;) {
      const list = children[node];
      if (!list || list.length === 0 || depth[node] >= searchDepth) break;
      let best = list[0];
      let bestScore = puct(best, visits[node]);
      for (let k = 1; k < list.length; k++) {
        const s = puct(list[k], visits[node]);
        if (s > bestScore) {
          best = list[k];
          bestScore = s;
        }
      }
      node = best;
      score += prior[node];
    }
    // Expand: add every successor at once (heaviest first), then step into the heaviest one.
    if (children[node] === undefined && depth[node] < searchDepth) {
      const next = table.successors(previous[node], token[node]);
      const list: number[] = [];
      for (let k = 0; k < next.tokens.length; k++) {
        list.push(token.length);
        previous.push(token[node]);
        token.push(next.tokens[k]);
        parent.push(node);
        depth.push(depth[node] + 1);
        prior.push(next.weights[k]);
        visits.push(0);
        total.push(0);
        children.push(undefined);
      }
      children[node] = list;
      if (list.length > 0) {
        node = list[0];
        score += prior[node];
      }
    }
    // Rollout: extend by successors drawn in proportion to their weight.
    let x = previous[node];
    let y = token[node];
    for (let d = depth[node]; d < searchDepth; d++) {
      const next = table.successors(x, y);
      if (next.tokens.length === 0) break;
      let sum = 0;
      for (const w of next.weights) sum += w;
      let u = uniform() * sum;
      let pick = next.tokens.length - 1;
      for (let k = 0; k < next.tokens.length; k++) {
        u -= next.weights[k];
        if (u < 0) {
          pick = k;
          break;
        }
      }
      score += next.weights[pick];
      x = y;
      y = next.tokens[pick];
    }
    // Backpropagate.
    for (let n = node; n >= 0; n = parent[n]) {
      visits[n]++;
      total[n] += score;
    }
  }

  // Extraction: most-visited prefixes (earlier nodes first on ties), each extended by its heaviest successor.
  const candidates: number[] = [];
  for (let n = 1; n < token.length; n++) if (visits[n] > 0) candidates.push(n);
  candidates.sort((x, y) => visits[y] - visits[x] || x - y);
  const paths: { tokens: number[]; visits: number }[] = [];
  for (const n of candidates.slice(0, settings.topPaths)) {
    const path: number[] = [];
    for (let m = n; m > 0; m = parent[m]) path.push(token[m]);
    path.reverse();
    const next = table.successors(previous[n], token[n]);
    if (next.tokens.length > 0) path.push(next.tokens[0]);
    paths.push({ tokens: path, visits: visits[n] });
  }
  return paths;
}
