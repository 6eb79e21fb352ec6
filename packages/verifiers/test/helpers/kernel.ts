// A harness for kernel distribution tests: a toy target whose next-token distribution is a fixed
// random function of the tokens after the root, random drafts from a toy q, and a simulator that
// records the joint distribution of the first committed tokens.
import {
  createMatrix,
  createRng,
  type Draft,
  type DraftSampling,
  multinomialSampler,
  type Rng,
  type SamplerChain,
  sampleCategorical,
  type Verification,
  type Verifier,
  type VerifyInput,
} from '@decodekit/core';

/** Next-token distributions as a function of the tokens after the root (memoised, so rows are shared). */
export interface ToyTable {
  readonly vocab: number;
  distribution(prefix: readonly number[]): Float32Array;
  logits(prefix: readonly number[]): Float32Array;
}

export interface TableOptions {
  /** Probability that an entry is exactly zero (at least one entry stays positive). */
  readonly zeroFraction?: number;
  /** Larger values give more peaked distributions. */
  readonly sharpness?: number;
}

export function randomTable(vocab: number, seed: number, options: TableOptions = {}): ToyTable {
  const zeroFraction = options.zeroFraction ?? 0;
  const sharpness = options.sharpness ?? 1.5;
  const rows = new Map<string, Float32Array>();
  const logs = new Map<string, Float32Array>();
  const distribution = (prefix: readonly number[]) => {
    const key = prefix.join(',');
    let row = rows.get(key);
    if (!row) {
      // A per-prefix stream, so the table does not depend on the order prefixes are asked for.
      const rng = createRng(seed * 7919 + hashKey(key));
      row = new Float32Array(vocab);
      let sum = 0;
      for (let v = 0; v < vocab; v++) {
        const zero = rng.next() < zeroFraction;
        row[v] = zero ? 0 : Math.exp(sharpness * gaussian(rng));
        sum += row[v];
      }
      if (sum === 0) {
        row[Math.floor(rng.next() * vocab)] = 1;
        sum = 1;
      }
      for (let v = 0; v < vocab; v++) row[v] /= sum;
      rows.set(key, row);
    }
    return row;
  };
  return {
    vocab,
    distribution,
    logits(prefix) {
      const key = prefix.join(',');
      let row = logs.get(key);
      if (!row) {
        row = Float32Array.from(distribution(prefix), (p) => Math.log(p));
        logs.set(key, row);
      }
      return row;
    },
  };
}

/** A table with the given rows at the root (`[]`) and the fallback table everywhere else. */
export function tableWithRoot(root: ArrayLike<number>, rest: ToyTable): ToyTable {
  const row = Float32Array.from(root);
  const logRow = Float32Array.from(row, (p) => Math.log(p));
  return {
    vocab: rest.vocab,
    distribution: (prefix) => (prefix.length === 0 ? row : rest.distribution(prefix)),
    logits: (prefix) => (prefix.length === 0 ? logRow : rest.logits(prefix)),
  };
}

function hashKey(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return h >>> 0;
}

function gaussian(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Tokens on the path from the root to `node` (inclusive). */
export function pathTokens(draft: Pick<Draft, 'tokens' | 'parents'>, node: number): number[] {
  const out: number[] = [];
  for (let i = node; i >= 0; i = draft.parents[i]) out.push(draft.tokens[i]);
  return out.reverse();
}

/** A draft tree built node by node. */
class DraftBuilder {
  readonly tokens: number[] = [];
  readonly parents: number[] = [];
  readonly q: Float32Array[] = [];
  add(parent: number, token: number, row?: Float32Array): number {
    this.tokens.push(token);
    this.parents.push(parent);
    if (row) this.q.push(row);
    return this.tokens.length - 1;
  }
  build(sampling: DraftSampling): Draft {
    return {
      tokens: this.tokens,
      parents: this.parents,
      sampling,
      q: sampling === 'deterministic' ? undefined : this.q,
    };
  }
}

/**
 * A tree drafted with `branches[l]` children per node at depth l, each drawn from q(path):
 * independently (`independent`) or without replacement among siblings (`without-replacement`).
 * Siblings share their parent's q row object, as the Draft contract allows.
 */
export function sampledTree(
  q: ToyTable,
  branches: readonly number[],
  sampling: 'independent' | 'without-replacement',
  rng: Rng,
): Draft {
  const builder = new DraftBuilder();
  let level: { node: number; prefix: number[] }[] = [{ node: -1, prefix: [] }];
  for (const branching of branches) {
    const nextLevel: { node: number; prefix: number[] }[] = [];
    for (const { node, prefix } of level) {
      const row = q.distribution(prefix);
      const remaining = Float32Array.from(row);
      for (let b = 0; b < branching; b++) {
        let token: number;
        if (sampling === 'independent') token = sampleCategorical(row, rng);
        else {
          if (!remaining.some((x) => x > 0)) break;
          token = sampleCategorical(remaining, rng);
          remaining[token] = 0;
        }
        const child = builder.add(node, token, row);
        nextLevel.push({ node: child, prefix: [...prefix, token] });
      }
    }
    level = nextLevel;
  }
  return builder.build(sampling);
}

/** k independent chains of `length` tokens from the root, each drawn from q(path) (SpecTr's k i.i.d. drafts). */
export function independentChains(q: ToyTable, count: number, length: number, rng: Rng): Draft {
  const builder = new DraftBuilder();
  for (let k = 0; k < count; k++) {
    let node = -1;
    const prefix: number[] = [];
    for (let i = 0; i < length; i++) {
      const row = q.distribution(prefix);
      const token = sampleCategorical(row, rng);
      node = builder.add(node, token, row);
      prefix.push(token);
    }
  }
  return builder.build('independent');
}

/** A fixed deterministic draft. */
export function fixedDraft(tokens: readonly number[], parents: readonly number[]): Draft {
  return { tokens, parents, sampling: 'deterministic' };
}

/** The verifier's input for `draft` under the toy target (root token 0, prompt of one token). */
export function verifyInputFor(
  target: ToyTable,
  draft: Draft,
  rng: Rng,
  sampler: SamplerChain = multinomialSampler(1),
): VerifyInput {
  const n = draft.tokens.length;
  const vocab = target.vocab;
  const matrix = createMatrix(n + 1, vocab);
  matrix.data.set(target.logits([]), 0);
  for (let i = 0; i < n; i++) matrix.data.set(target.logits(pathTokens(draft, i)), (i + 1) * vocab);
  return { draft, targetLogits: matrix, tokens: Int32Array.of(0), promptLength: 1, sampler, rng };
}

export interface SimulationOptions {
  readonly target: ToyTable;
  readonly makeDraft: (rng: Rng) => Draft;
  readonly trials: number;
  /** Length of the recorded token sequence; short commits are completed by plain target sampling. */
  readonly outputLength: number;
  readonly seed: number;
  readonly sampler?: SamplerChain;
}

export interface SimulationResult {
  /** Counts of each output sequence, indexed in base `vocab` (first token most significant). */
  readonly counts: Float64Array;
  /** Exact target probability of each output sequence. */
  readonly expected: Float64Array;
  /** Mean number of accepted draft nodes per verification. */
  readonly meanAccepted: number;
  /** How many trials accepted at least one draft node. */
  readonly acceptedAny: number;
}

export function simulate(verifier: Verifier, options: SimulationOptions): SimulationResult {
  const { target, trials, outputLength } = options;
  const vocab = target.vocab;
  const rng = createRng(options.seed);
  const counts = new Float64Array(vocab ** outputLength);
  let accepted = 0;
  let acceptedAny = 0;
  for (let t = 0; t < trials; t++) {
    const draft = options.makeDraft(rng);
    const result: Verification = verifier.verify(verifyInputFor(target, draft, rng, options.sampler));
    accepted += result.path.length;
    if (result.path.length > 0) acceptedAny++;
    const committed = result.path.map((node) => draft.tokens[node]);
    committed.push(result.next);
    while (committed.length < outputLength) committed.push(sampleCategorical(target.distribution(committed), rng));
    let index = 0;
    for (let i = 0; i < outputLength; i++) index = index * vocab + committed[i];
    counts[index]++;
  }
  return {
    counts,
    expected: exactSequenceProbabilities(target, outputLength),
    meanAccepted: accepted / trials,
    acceptedAny,
  };
}

/** P(first `length` tokens = s) under the toy target, for every s in base-`vocab` order. */
export function exactSequenceProbabilities(target: ToyTable, length: number): Float64Array {
  const vocab = target.vocab;
  const out = new Float64Array(vocab ** length);
  const walk = (prefix: number[], probability: number) => {
    if (prefix.length === length) {
      let index = 0;
      for (const token of prefix) index = index * vocab + token;
      out[index] = probability;
      return;
    }
    const row = target.distribution(prefix);
    for (let v = 0; v < vocab; v++) if (row[v] > 0) walk([...prefix, v], probability * row[v]);
  };
  walk([], 1);
  return out;
}
