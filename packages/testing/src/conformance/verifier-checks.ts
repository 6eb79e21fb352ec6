import {
  argmax,
  createMatrix,
  createRng,
  createSamplerChain,
  type Draft,
  type DraftSampling,
  generate,
  isTreePath,
  type Matrix,
  type Rng,
  type SamplerChain,
  StatisticsRecorder,
  sampleCategorical,
  speculative,
  temperature,
  type Verifier,
} from '@decodekit/core';
import { createModelDrafter } from '../model-drafter.js';
import { createNgramMockModel } from '../ngram-mock-model.js';
import { noImmediateRepeatProcessor } from '../no-immediate-repeat-processor.js';
import { sequenceProbabilities } from '../sequence-probabilities.js';
import { type CheckResult, failed, guardCheck, passed, type StatisticalCheckResult } from './check-result.js';
import {
  compareDistribution,
  type DistributionComparison,
  formatNumber,
  summarise,
  tokenLabel,
  worstCells,
} from './statistical-report.js';

/** Chain drafts or branching trees. */
export type DraftShape = 'chain' | 'tree';

export interface VerifierCheckOptions {
  /** How the draft's nodes were chosen. */
  readonly sampling: DraftSampling;
  readonly shape: DraftShape;
  /** Number of independent trials (kernel default 100 000, end to end 100 000, greedy 300). */
  readonly trials?: number;
  /** Seed of every random choice in the check (default 1): a failure reproduces exactly. */
  readonly seed?: number;
  /** A chi-square p-value below this fails the check (default 1e-6). */
  readonly failBelow?: number;
  /**
   * `true` (default): the committed tokens must follow the target distribution (chi-square).
   * `false` (lossy verifiers): only valid paths are required; the total variation distance is reported.
   */
  readonly exact?: boolean;
}

/** Branching factor per depth of the kernel drafts: a 3-token chain, or a 3 × 2 tree of 9 nodes. */
const branching: Record<DraftShape, readonly number[]> = { chain: [1, 1, 1], tree: [3, 2] };

/**
 * A kernel test world: raw target logits and draft distributions as functions of the path after
 * the committed tokens, memoised, with a sampler chain whose output depends on the context.
 */
interface KernelWorld {
  readonly vocabSize: number;
  readonly committed: Int32Array;
  /** What `committed` must still hold after every verification. */
  readonly committedValues: readonly number[];
  readonly promptLength: number;
  readonly sampler: SamplerChain;
  targetLogits(path: readonly number[]): Float32Array;
  targetDistribution(path: readonly number[]): Float32Array;
  draftDistribution(path: readonly number[]): Float32Array;
}

function createKernelWorld(seed: number, vocabSize: number, greedy: boolean): KernelWorld {
  const target = createNgramMockModel({ vocabSize, order: 4, seed: seed * 2 + 1, scale: 1.5 });
  const other = createNgramMockModel({ vocabSize, order: 4, seed: seed * 2 + 2, scale: 1.5 });
  const committedValues = [1, 3] as const;
  const committed = Int32Array.from(committedValues);
  const processors = [noImmediateRepeatProcessor(), temperature(1.2)];
  const sampler = createSamplerChain({ processors, greedy });
  // Rows are memoised by (kind, path) packed into one number: paths are short, tokens small.
  const memo = new Map<number, Float32Array>();
  const contextOf = (path: readonly number[]) => [...committed, ...path];
  const cached = (kind: number, path: readonly number[], make: () => Float32Array) => {
    let key = kind;
    for (let i = 0; i < path.length; i++) key = key * (vocabSize + 1) + path[i] + 1;
    let row = memo.get(key);
    if (!row) memo.set(key, (row = make()));
    return row;
  };
  const targetLogits = (path: readonly number[]) =>
    cached(1, path, () => {
      const context = contextOf(path);
      const row = target.logitsFor(context);
      // Raw target logits with a hole (probability 0 before any processor): the draft keeps mass there.
      row[(context[context.length - 1] * 5 + path.length + 2) % vocabSize] = Number.NEGATIVE_INFINITY;
      return row;
    });
  const applyChain = (row: Float32Array, path: readonly number[]) =>
    sampler.distribution(row.slice(), { tokens: contextOf(path), promptLength: 1 });
  return {
    vocabSize,
    committed,
    committedValues,
    promptLength: 1,
    sampler,
    targetLogits,
    targetDistribution: (path) => cached(2, path, () => applyChain(targetLogits(path), path)),
    draftDistribution: (path) =>
      cached(3, path, () => {
        // Correlated with the target (so drafts are often accepted) but not equal to it.
        const base = target.logitsFor(contextOf(path));
        const noise = other.logitsFor(contextOf(path));
        const row = new Float32Array(vocabSize);
        for (let v = 0; v < vocabSize; v++) row[v] = 0.7 * base[v] + 0.8 * noise[v];
        // A hole in q where the target usually has mass: the residual must cover that token.
        const context = contextOf(path);
        row[(context[context.length - 1] * 3 + path.length + 4) % vocabSize] = Number.NEGATIVE_INFINITY;
        return applyChain(row, path);
      }),
  };
}

function caseIndex(sampling: DraftSampling, shape: DraftShape): number {
  const kinds: readonly DraftSampling[] = ['deterministic', 'independent', 'without-replacement'];
  return kinds.indexOf(sampling) * 2 + (shape === 'tree' ? 1 : 0);
}

interface BuiltDraft {
  readonly draft: Draft;
  /** Path of tokens from the root to each node. */
  readonly paths: readonly (readonly number[])[];
}

type ChildChooser = (world: KernelWorld, path: readonly number[], count: number, rng: Rng) => number[];

/** Fixed children: on trees the first child repeats the last token (probability 0 under the chain). */
const fixedChildren: ChildChooser = (world, path, count) => {
  const last = path.length > 0 ? path[path.length - 1] : world.committed[world.committed.length - 1];
  if (count === 1) return [(last + 2) % world.vocabSize];
  return Array.from({ length: count }, (_, j) => (last + j) % world.vocabSize);
};

/** Random distinct children, the target's argmax first with probability 0.6 (greedy checks). */
const greedyTestChildren: ChildChooser = (world, path, count, rng) => {
  const children: number[] = [];
  if (rng.next() < 0.6) children.push(argmax(world.targetDistribution(path)));
  let guard = 0;
  while (children.length < count && guard++ < 100) {
    const token = rng.nextUint32() % world.vocabSize;
    if (!children.includes(token)) children.push(token);
  }
  return children;
};

function buildDraft(
  world: KernelWorld,
  sampling: DraftSampling,
  shape: DraftShape,
  rng: Rng,
  chooseFixed: ChildChooser,
): BuiltDraft {
  const tokens: number[] = [];
  const parents: number[] = [];
  const q: Float32Array[] = [];
  const paths: number[][] = [];
  let frontier: { node: number; path: number[] }[] = [{ node: -1, path: [] }];
  for (const count of branching[shape]) {
    const next: typeof frontier = [];
    for (const { node, path } of frontier) {
      let children: number[];
      let row: Float32Array | undefined;
      if (sampling === 'deterministic') {
        children = chooseFixed(world, path, count, rng);
      } else {
        // A copy per parent: siblings share it; a verifier that writes into q cannot corrupt later trials.
        row = world.draftDistribution(path).slice();
        children = drawChildren(row, count, sampling, rng);
      }
      for (const token of children) {
        tokens.push(token);
        parents.push(node);
        if (row) q.push(row);
        const childPath = [...path, token];
        paths.push(childPath);
        next.push({ node: tokens.length - 1, path: childPath });
      }
    }
    frontier = next;
  }
  const draft: Draft = sampling === 'deterministic' ? { tokens, parents, sampling } : { tokens, parents, sampling, q };
  return { draft, paths };
}

function drawChildren(row: Float32Array, count: number, sampling: DraftSampling, rng: Rng): number[] {
  const children: number[] = [];
  if (sampling === 'independent') {
    for (let j = 0; j < count; j++) children.push(sampleCategorical(row, rng));
    return children;
  }
  const remaining = row.slice();
  for (let j = 0; j < count; j++) {
    let mass = 0;
    for (let v = 0; v < remaining.length; v++) mass += remaining[v];
    if (!(mass > 1e-12)) break;
    const token = sampleCategorical(remaining, rng);
    remaining[token] = 0;
    children.push(token);
  }
  return children;
}

function targetMatrix(world: KernelWorld, built: BuiltDraft) {
  const V = world.vocabSize;
  const rows = built.paths.length + 1;
  const data = new Float32Array(rows * V);
  data.set(world.targetLogits([]), 0);
  for (let i = 0; i < built.paths.length; i++) data.set(world.targetLogits(built.paths[i]), (i + 1) * V);
  return createMatrix(rows, V, data);
}

function describeDraft(built: BuiltDraft): string {
  return `tokens [${Array.from(built.draft.tokens)}], parents [${Array.from(built.draft.parents)}]`;
}

/**
 * KERNEL test of one accept/reject step. For random target logits p and draft distributions q
 * (fixed seeds; the sampler chain masks immediate repeats and the raw target logits have holes,
 * so some drafted tokens have p = 0), it builds drafts of the given kind — fixed tokens,
 * independent draws from q, or siblings without replacement from q — calls `verify` `trials`
 * times, and compares the first committed token, and the first two jointly, with the exact target
 * distribution by a chi-square test. When a step commits only one token, the second is drawn from
 * the exact target distribution (as the next step would), so the joint test checks the tokens that
 * follow an accepted draft node.
 */
export function checkVerifierKernel(
  verifier: Verifier,
  options: VerifierCheckOptions,
): Promise<StatisticalCheckResult> {
  const { sampling, shape } = options;
  const trials = options.trials ?? 100_000;
  const seed = options.seed ?? 1;
  const failBelow = options.failBelow ?? 1e-6;
  const exact = options.exact ?? true;
  const check = `kernel ${sampling} ${shape}`;
  const setting = `${sampling} ${shape} drafts, ${trials} trials, seed ${seed}`;
  return guardStatistical(check, trials, seed, failBelow, async () => {
    // Each (kind, shape) case gets its own random p and q, all derived from the one seed.
    const world = createKernelWorld(seed * 8 + caseIndex(sampling, shape), 6, false);
    const V = world.vocabSize;
    const draftRng = createRng(seed);
    const verifyRng = createRng(seed + 0x9e3779b9);
    const nextRng = createRng(seed + 0x7f4a7c15);
    const first = new Float64Array(V);
    const pairs = new Float64Array(V * V);
    for (let trial = 0; trial < trials; trial++) {
      const built = buildDraft(world, sampling, shape, draftRng, fixedChildren);
      const targetLogits = targetMatrix(world, built);
      const { path, next } = verifier.verify({
        draft: built.draft,
        targetLogits,
        tokens: world.committed,
        promptLength: world.promptLength,
        sampler: world.sampler,
        rng: verifyRng,
      });
      const invalid = invalidResult(built, path, next, V) ?? modifiedInput(world, built, targetLogits);
      if (invalid) {
        return failedStatistical(
          check,
          `verifier "${verifier.name}" (${setting}), trial ${trial}: ${invalid}; draft ${describeDraft(built)}`,
          trials,
          seed,
          failBelow,
        );
      }
      const committed = [...path.map((node) => built.draft.tokens[node]), next];
      const a = committed[0];
      const b = committed.length > 1 ? committed[1] : sampleCategorical(world.targetDistribution([a]), nextRng);
      first[a]++;
      pairs[a * V + b]++;
    }
    const pFirst = world.targetDistribution([]);
    const pPairs = new Float64Array(V * V);
    for (let a = 0; a < V; a++) {
      if (pFirst[a] === 0) continue;
      const pSecond = world.targetDistribution([a]);
      for (let b = 0; b < V; b++) pPairs[a * V + b] = pFirst[a] * pSecond[b];
    }
    return judge(verifier, check, setting, exact, trials, seed, failBelow, [
      compareDistribution('first committed token', first, pFirst, tokenLabel(V, 1)),
      compareDistribution('first two committed tokens', pairs, pPairs, tokenLabel(V, 2)),
    ]);
  });
}

/**
 * END-TO-END test (DESIGN §4.3): the joint distribution of the first `length` (3) generated tokens
 * under core's `speculative` strategy — a model drafter of the given kind on an n-gram draft mock,
 * this verifier, a sampling chain — against the exact joint distribution of plain sampling from
 * the n-gram target mock, by chi-square over `trials` generations (vocabulary of 5).
 */
export function checkVerifierEndToEnd(
  verifier: Verifier,
  options: VerifierCheckOptions & { readonly length?: number },
): Promise<StatisticalCheckResult> {
  const { sampling, shape } = options;
  const trials = options.trials ?? 100_000;
  const seed = options.seed ?? 1;
  const failBelow = options.failBelow ?? 1e-6;
  const exact = options.exact ?? true;
  const length = options.length ?? 3;
  const check = `end to end ${sampling} ${shape}`;
  const setting = `${sampling} ${shape} drafts, ${trials} generations of ${length} tokens, seed ${seed}`;
  return guardStatistical(check, trials, seed, failBelow, async () => {
    const V = 5;
    const target = createNgramMockModel({ vocabSize: V, order: 3, seed: 100 + seed, scale: 1.5 });
    const draftModel = createNgramMockModel({ vocabSize: V, order: 2, seed: 200 + seed, scale: 1.5 });
    const sampler = createSamplerChain({ processors: [noImmediateRepeatProcessor(), temperature(1.1)] });
    const prompt = Int32Array.from([0, 2, 4, 1]);
    const drafter = createModelDrafter(draftModel, {
      maxTokens: shape === 'chain' ? 3 : 4,
      sampling: sampling === 'deterministic' ? 'greedy' : sampling,
      branches: shape === 'chain' ? 1 : 2,
    });
    const strategy = speculative({ drafter, verifier, maxDraftTokens: 4 });
    const rng = createRng(seed);
    const counts = new Float64Array(V ** length);
    for (let trial = 0; trial < trials; trial++) {
      const run = await strategy.start({
        model: target,
        prompt,
        sampler,
        rng,
        maxNewTokens: 16,
        stats: new StatisticsRecorder(),
        emit: () => {},
      });
      let index = 0;
      let generated = 0;
      try {
        while (generated < length) {
          // A generous budget so that drafts are as deep as the drafter allows.
          const step = await run.step(16);
          if (step.tokens.length === 0) {
            return failedStatistical(
              check,
              `verifier "${verifier.name}" (${setting}): a step committed no tokens`,
              trials,
              seed,
              failBelow,
            );
          }
          for (const token of step.tokens) {
            if (generated === length) break;
            index = index * V + token;
            generated++;
          }
        }
      } finally {
        await run.dispose();
      }
      counts[index]++;
    }
    const expected = sequenceProbabilities(target, prompt, length, sampler);
    return judge(verifier, check, setting, exact, trials, seed, failBelow, [
      compareDistribution(`first ${length} generated tokens`, counts, expected, tokenLabel(V, length)),
    ]);
  });
}

/**
 * GREEDY test: with a greedy sampler chain, `verify` must commit exactly the target's argmax chain,
 * as far as the draft allows: the committed tokens equal the greedy continuation and the accepted
 * path is the longest draft path that matches it. With `exact: false` only valid paths are
 * required and the number of verifications that differ from greedy is reported.
 */
export function checkVerifierGreedy(verifier: Verifier, options: VerifierCheckOptions): Promise<CheckResult> {
  const { sampling, shape } = options;
  const trials = options.trials ?? 300;
  const seed = options.seed ?? 1;
  const exact = options.exact ?? true;
  const check = `greedy ${sampling} ${shape}`;
  return guardCheck(check, async () => {
    let differing = 0;
    const world = createKernelWorld(seed * 8 + caseIndex(sampling, shape) + 100, 8, true);
    const rng = createRng(seed);
    for (let trial = 0; trial < trials; trial++) {
      const built = buildDraft(world, sampling, shape, rng, greedyTestChildren);
      const targetLogits = targetMatrix(world, built);
      const { path, next } = verifier.verify({
        draft: built.draft,
        targetLogits,
        tokens: world.committed,
        promptLength: world.promptLength,
        sampler: world.sampler,
        rng,
      });
      const where = `verifier "${verifier.name}" (${sampling} ${shape} drafts, seed ${seed}), trial ${trial}, draft ${describeDraft(built)}`;
      const invalid = invalidResult(built, path, next, world.vocabSize) ?? modifiedInput(world, built, targetLogits);
      if (invalid) return failed(check, `${where}: ${invalid}`);
      const committed = [...path.map((node) => built.draft.tokens[node]), next];
      const expected = greedyContinuation(world, committed.length);
      const longest = longestGreedyMatch(world, built);
      let problem: string | undefined;
      if (committed.join(',') !== expected.join(',')) {
        problem = `${where}: committed [${committed}] but the target's greedy continuation is [${expected}]`;
      } else if (path.length !== longest) {
        problem = `${where}: accepted ${path.length} draft tokens but ${longest} match the greedy continuation`;
      }
      if (problem && exact) return failed(check, problem);
      if (problem) differing++;
    }
    if (!exact) {
      return passed(
        check,
        `lossy verifier "${verifier.name}": ${differing} of ${trials} greedy verifications differ from the argmax chain (valid paths throughout)`,
      );
    }
    return passed(check, `${trials} greedy verifications commit the argmax chain with the longest matching path`);
  });
}

/**
 * GREEDY GENERATION: `generate` with `speculative` (a model drafter of the given kind) and a greedy
 * chain is token-identical to autoregressive greedy decoding on several prompts (reported, not
 * required, with `exact: false`).
 */
export function checkVerifierGreedyGeneration(verifier: Verifier, options: VerifierCheckOptions): Promise<CheckResult> {
  const { sampling, shape } = options;
  const seed = options.seed ?? 1;
  const exact = options.exact ?? true;
  const check = `greedy generation ${sampling} ${shape}`;
  return guardCheck(check, async () => {
    const target = createNgramMockModel({ vocabSize: 16, order: 3, seed: 300 + seed });
    const draftModel = createNgramMockModel({ vocabSize: 16, order: 2, seed: 400 + seed });
    const prompts = [
      [1, 2, 3],
      [5, 5, 5, 5, 5],
      [0, 9, 4, 7, 0, 9, 4],
    ];
    for (const prompt of prompts) {
      const plain = await generate({ model: target, prompt, maxNewTokens: 40, stopTokens: [] });
      const drafter = createModelDrafter(draftModel, {
        maxTokens: shape === 'chain' ? 4 : 6,
        sampling: sampling === 'deterministic' ? 'greedy' : sampling,
        branches: shape === 'chain' ? 1 : 2,
      });
      const fast = await generate({
        model: target,
        prompt,
        maxNewTokens: 40,
        stopTokens: [],
        strategy: speculative({ drafter, verifier }),
      });
      if (fast.tokens.join(',') !== plain.tokens.join(',')) {
        const at = fast.tokens.findIndex((t, i) => t !== plain.tokens[i]);
        const message = `verifier "${verifier.name}" with ${sampling} ${shape} drafts, prompt [${prompt}]: speculative greedy generation differs from autoregressive at token ${at}: [${fast.tokens}] vs [${plain.tokens}]`;
        if (exact) return failed(check, message);
        return passed(check, `lossy verifier (reported, not required): ${message}`);
      }
    }
    return passed(check, `${prompts.length} prompts × 40 tokens identical to autoregressive greedy`);
  });
}

/** The target's greedy continuation after the committed tokens, `length` tokens long. */
function greedyContinuation(world: KernelWorld, length: number): number[] {
  const path: number[] = [];
  while (path.length < length) path.push(argmax(world.targetDistribution(path)));
  return path;
}

function longestGreedyMatch(world: KernelWorld, built: BuiltDraft): number {
  let depth = 0;
  const path: number[] = [];
  for (;;) {
    path.push(argmax(world.targetDistribution(path)));
    if (!built.paths.some((p) => p.join(',') === path.join(','))) return depth;
    depth++;
  }
}

/** The inputs a verifier must leave alone: target logits and committed tokens. */
function modifiedInput(world: KernelWorld, built: BuiltDraft, targetLogits: Matrix): string | undefined {
  const V = world.vocabSize;
  for (let row = 0; row < targetLogits.rows; row++) {
    const expected = world.targetLogits(row === 0 ? [] : built.paths[row - 1]);
    for (let v = 0; v < V; v++) {
      const value = targetLogits.data[row * V + v];
      if (value !== expected[v] && !(Number.isNaN(value) && Number.isNaN(expected[v]))) {
        return `modified targetLogits (row ${row}, token ${v}: ${expected[v]} became ${value}); use targetDistribution, which copies the row`;
      }
    }
  }
  if (world.committed.join(',') !== world.committedValues.join(','))
    return 'modified the committed tokens (input.tokens)';
  return undefined;
}

function invalidResult(
  built: BuiltDraft,
  path: readonly number[],
  next: number,
  vocabSize: number,
): string | undefined {
  if (!path || typeof path.length !== 'number') return `returned path ${String(path)}, not an array`;
  if (!isTreePath(built.draft.parents, path, built.draft.tokens.length)) {
    return `returned path [${Array.from(path)}], which is not a root-to-node path of the draft`;
  }
  if (!Number.isInteger(next) || next < 0 || next >= vocabSize) {
    return `returned next token ${next}, outside the vocabulary [0, ${vocabSize})`;
  }
  return undefined;
}

function judge(
  verifier: Verifier,
  check: string,
  setting: string,
  exact: boolean,
  trials: number,
  seed: number,
  failBelow: number,
  comparisons: readonly DistributionComparison[],
): StatisticalCheckResult {
  const worst = comparisons.reduce((a, b) => (b.chiSquare.pValue < a.chiSquare.pValue ? b : a));
  const totalVariation = Math.max(...comparisons.map((c) => c.totalVariation));
  const summary = comparisons.map(summarise).join('; ');
  const base = {
    check,
    trials,
    seed,
    failBelow,
    pValue: worst.chiSquare.pValue,
    statistic: worst.chiSquare.statistic,
    degreesOfFreedom: worst.chiSquare.degreesOfFreedom,
    totalVariation,
  };
  if (!exact) {
    return {
      ...base,
      passed: true,
      message: `lossy verifier "${verifier.name}" (${setting}): measured total variation distance ${formatNumber(totalVariation)} from the target distribution; ${summary}`,
    };
  }
  if (worst.chiSquare.pValue < failBelow) {
    const pointMass = comparisons[0].chiSquare.worstCells.some((cell) => cell.observed === trials);
    const hint = pointMass
      ? ' Every trial committed the same first token: if this verifier is meant for greedy chains only, register it with { greedyOnly: true }.'
      : '';
    return {
      ...base,
      passed: false,
      message:
        `verifier "${verifier.name}" (${setting}): the committed tokens are not distributed as the target. ` +
        `${summary}. Worst cells of the ${worst.label}: ${worstCells(worst)}. ` +
        `The check fails when a p-value is below ${formatNumber(failBelow)}.${hint}`,
    };
  }
  return { ...base, passed: true, message: `verifier "${verifier.name}" (${setting}): ${summary}` };
}

function failedStatistical(
  check: string,
  message: string,
  trials: number,
  seed: number,
  failBelow: number,
): StatisticalCheckResult {
  return {
    check,
    passed: false,
    message,
    trials,
    seed,
    failBelow,
    pValue: Number.NaN,
    statistic: Number.NaN,
    degreesOfFreedom: 0,
    totalVariation: Number.NaN,
  };
}

async function guardStatistical(
  check: string,
  trials: number,
  seed: number,
  failBelow: number,
  work: () => Promise<StatisticalCheckResult>,
): Promise<StatisticalCheckResult> {
  try {
    return await work();
  } catch (error) {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return failedStatistical(
      check,
      `${check} (${trials} trials, seed ${seed}): threw ${text}`,
      trials,
      seed,
      failBelow,
    );
  }
}
