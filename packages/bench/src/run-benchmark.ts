import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { isAbsolute, join, relative as relativePath } from 'node:path';
import {
  type CausalLM,
  createSamplerChain,
  generate,
  greedySampler,
  InvalidArgumentError,
  type Phase,
  type SamplerChain,
  type Strategy,
  temperature as temperatureProcessor,
  throwIfAborted,
} from '@decodekit/core';
import { tinyLm, tinyLmDraft } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { loadTokenizer } from '@decodekit/tokenizer';
import { firstDifference, GreedyMismatchError } from './greedy-mismatch-error.js';
import {
  autoregressiveMethod,
  createStrategyMethod,
  type MethodSpec,
  MethodUnavailable,
  parseMethodSpec,
  peerMethods,
} from './methods.js';
import { createRawGreedyLoop } from './ort-raw-loop.js';
import { type Spread, spreadOf } from './summary-statistics.js';
import { type BenchmarkTask, buildTasks, type TaskSuite, taskSuites } from './task-suites.js';
import { createTransformersJsPeer } from './transformers-js-peer.js';

/** `greedy`: argmax decoding, every lossless method checked token for token; `sampled`: temperature sampling. */
export type BenchmarkMode = 'greedy' | 'sampled';

/** Reported after every measured generation (and each warm-up). */
export interface BenchmarkProgress {
  readonly phase: 'setup' | 'warm-up' | 'measure';
  /** Measured generations done / planned. */
  readonly completed: number;
  readonly total: number;
  readonly repetition: number;
  readonly method: string;
  readonly suite?: TaskSuite;
  readonly taskId?: string;
  readonly message?: string;
}

/**
 * A method from outside decodekit's registries (your own drafter, a lossy verifier): a strategy,
 * or a factory called once for the run.
 */
export interface CustomMethod {
  readonly strategy: Strategy | (() => Strategy);
  /**
   * Whether greedy decoding with it must equal autoregressive greedy (default true: checked, and a
   * mismatch fails the run). Lossy methods are compared and counted instead, like the peers.
   */
  readonly lossless?: boolean;
}

export interface RunBenchmarkOptions {
  /** Target model directory (default the zoo's `tiny-lm`). */
  readonly modelDir?: string;
  /** Draft model directory for draft-model methods (default the zoo's `tiny-lm-draft` when `modelDir` is the default). */
  readonly draftModelDir?: string;
  /**
   * Methods to compare (default `autoregressive, pld, token-recycling, sps, ort-raw`). Autoregressive
   * is added when missing: every speedup is a ratio to it in the same run. Options may follow a
   * name: `sps:gamma=6`.
   */
  readonly methods?: readonly string[];
  /** More methods by label, run and reported like the built-in ones (labels must not be built-in names). */
  readonly customMethods?: Readonly<Record<string, CustomMethod>>;
  /** Task suites (default all three). */
  readonly suites?: readonly TaskSuite[];
  readonly mode?: BenchmarkMode;
  /** Temperature of `sampled` mode (default 1). */
  readonly temperature?: number;
  /** Measured passes over all prompts (default 5; the published protocol uses at least 5). */
  readonly repetitions?: number;
  /** Prompts per suite (default 40). */
  readonly promptsPerSuite?: number;
  /** Tokens generated per prompt (default 64); generation never stops early, so every method makes as many. */
  readonly maxNewTokens?: number;
  /** Seed of prompt selection and of sampling (default 0). */
  readonly seed?: number;
  /** onnxruntime intra-op threads for the target, draft model and peers (default 1: a 6M-parameter model gains nothing from a pool, and on a busy machine pool threads spin against each other). */
  readonly threads?: number;
  /** One unmeasured generation per method first (default true). */
  readonly warmUp?: boolean;
  /** A folder whose `node_modules` holds `@huggingface/transformers`, for the `transformers-js` peer. */
  readonly transformersSearchPath?: string;
  readonly onProgress?: (progress: BenchmarkProgress) => void;
  readonly signal?: AbortSignal;
}

/** The figures of one method on one suite (or `overall`: all suites together). */
export interface SuiteFigures {
  readonly generations: number;
  readonly newTokens: number;
  /** Generated tokens per second of wall time (prefill included), one value per repetition. */
  readonly tokensPerSecond: Spread;
  /** Per-repetition ratio of this method's tokens/s to autoregressive's in the same repetition. */
  readonly speedup: Spread;
  /** Tokens committed per target forward, prefill included (1.00 for autoregressive). */
  readonly tau: number;
  /** `speedup.median / tau`: how much of τ survives as wall-clock speedup (1 = drafting and verifying bigger blocks are free). */
  readonly efficiency: number;
  /** `acceptanceByPosition[d]`: of the steps whose draft reached depth d + 1, the fraction that accepted that depth. */
  readonly acceptanceByPosition: readonly number[];
  readonly draftedByPosition: readonly number[];
  readonly acceptedByPosition: readonly number[];
  /** Mean draft tokens proposed per target forward after prefill. */
  readonly draftTokensPerStep: number;
  /** Drafter time per decoding step (target forward after the prefill), in ms: the drafter's own cost. */
  readonly draftMsPerStep: number;
  /** Share of the wall time per phase (sums to 1). */
  readonly timeShare: Readonly<Record<Phase, number>>;
  /** Wall time per phase, summed over every measured generation (ms). */
  readonly timeMs: Readonly<Record<Phase | 'total', number>>;
  /** Largest process RSS seen right after one of this method's generations (bytes; process-wide, shared by all methods). */
  readonly peakResidentBytes: number;
  /** Largest V8 heap in use right after one of this method's generations (bytes). */
  readonly peakHeapUsedBytes: number;
}

/** One method's results. */
export interface MethodResult {
  /** The method as given (`sps:gamma=6`). */
  readonly method: string;
  readonly name: string;
  /**
   * `baseline` (autoregressive), `decodekit` (a drafter under `speculative()`), `custom` (from
   * `customMethods`) or `peer` (another engine).
   */
  readonly kind: 'baseline' | 'decodekit' | 'custom' | 'peer';
  /** False for peers and lossy custom methods: their greedy output is counted, not required to match. */
  readonly checked: boolean;
  readonly available: boolean;
  /** Why the method did not run (missing package, untrained head, sampled mode for greedy-only peers). */
  readonly unavailableReason?: string;
  /** For unchecked methods in greedy mode: generations whose tokens equal autoregressive greedy's. */
  readonly matchingGenerations?: number;
  readonly comparedGenerations?: number;
  /** A version string for peers (transformers.js). */
  readonly version?: string;
  readonly suites: Partial<Record<TaskSuite, SuiteFigures>>;
  readonly overall?: SuiteFigures;
}

/** What `runBenchmark` returns (and what `results.json` holds). */
export interface BenchmarkResults {
  readonly schemaVersion: 1;
  readonly startedAt: string;
  readonly wallTimeMs: number;
  readonly settings: {
    readonly modelDir: string;
    readonly draftModelDir?: string;
    /** SHA-256 of the target's `onnx/model.onnx` (and the draft's), so a result names the exact weights. */
    readonly modelSha256?: string;
    readonly draftModelSha256?: string;
    readonly methods: readonly string[];
    readonly suites: readonly TaskSuite[];
    readonly mode: BenchmarkMode;
    readonly temperature?: number;
    readonly repetitions: number;
    readonly promptsPerSuite: number;
    readonly maxNewTokens: number;
    readonly seed: number;
    readonly threads: number;
  };
  readonly environment: {
    readonly node: string;
    readonly platform: string;
    readonly cpuModel: string;
    readonly cpuCount: number;
    readonly totalMemoryBytes: number;
    /** 1-minute load average at the start and the end of the run (a loaded machine slows everything). */
    readonly loadAverageStart: number;
    readonly loadAverageEnd: number;
    readonly onnxruntimeVersion?: string;
  };
  readonly tasks: readonly { suite: TaskSuite; id: string; source: string; promptTokens: number }[];
  readonly methods: readonly MethodResult[];
  /** Greedy mode: every decodekit method matched autoregressive greedy on every generation (the run throws otherwise). */
  readonly greedyCheck: { readonly performed: boolean; readonly passed: boolean; readonly comparedGenerations: number };
  /** Process-wide RSS high-water mark (bytes). */
  readonly processPeakResidentBytes: number;
  /**
   * Set by `mergeBenchmarkResults`: how many runs (processes, started side by side) these results
   * come from; each method's speedup is against autoregressive decoding in its own run.
   */
  readonly mergedRuns?: number;
}

interface Measurement {
  wallMs: number;
  newTokens: number;
  targetForwards: number;
  drafted: number;
  timeMs: Record<Phase | 'total', number>;
  draftedByPosition: readonly number[];
  acceptedByPosition: readonly number[];
  resident: number;
  heapUsed: number;
}

interface Runner {
  readonly spec: MethodSpec;
  readonly kind: MethodResult['kind'];
  /** A greedy mismatch fails the run. */
  readonly checked: boolean;
  readonly version?: string;
  run(task: BenchmarkTask, seed: number): Promise<{ tokens: number[]; measurement: Measurement }>;
  /** Called before each measured repetition: decodekit methods start it with a fresh drafter. */
  beginRepetition?(): Promise<void>;
  dispose(): Promise<void>;
}

const phases: readonly Phase[] = ['prefill', 'draft', 'verify', 'sample', 'other'];
const defaultMethods = ['autoregressive', 'pld', 'token-recycling', 'sps', 'ort-raw'];

/**
 * Runs the benchmark: builds the task suites from the test split, loads the target (and draft)
 * model once, then for each repetition and each prompt runs every method in turn, rotating the
 * order from prompt to prompt so background load hits all methods alike. Speedups are per-repetition
 * ratios to autoregressive decoding in the same process. In greedy mode any decodekit method whose
 * tokens differ from autoregressive greedy's throws `GreedyMismatchError` naming the prompt and the
 * position. Library code: nothing is printed; follow progress with `onProgress`.
 */
export async function runBenchmark(options: RunBenchmarkOptions = {}): Promise<BenchmarkResults> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const loadAverageStart = loadavg()[0];
  const modelDir = options.modelDir ?? tinyLm;
  const draftModelDir = options.draftModelDir ?? (options.modelDir === undefined ? tinyLmDraft : undefined);
  const mode = options.mode ?? 'greedy';
  const greedy = mode === 'greedy';
  const temperature = options.temperature ?? 1;
  const repetitions = integer('repetitions', options.repetitions ?? 5, 1);
  const promptsPerSuite = integer('promptsPerSuite', options.promptsPerSuite ?? 40, 1);
  const maxNewTokens = integer('maxNewTokens', options.maxNewTokens ?? 64, 1);
  const seed = integer('seed', options.seed ?? 0, 0);
  const threads = integer('threads', options.threads ?? 1, 1);
  const suites = [...new Set(options.suites ?? taskSuites)];
  for (const suite of suites) {
    if (!taskSuites.includes(suite))
      throw new InvalidArgumentError('suites', `unknown suite '${suite}'; suites are ${taskSuites.join(', ')}`);
  }
  if (suites.length === 0) throw new InvalidArgumentError('suites', 'name at least one suite');
  if (mode !== 'greedy' && mode !== 'sampled')
    throw new InvalidArgumentError('mode', `must be 'greedy' or 'sampled', got '${mode}'`);
  if (!greedy && !(temperature > 0))
    throw new InvalidArgumentError('temperature', `must be > 0 in sampled mode, got ${temperature}`);
  const custom = options.customMethods ?? {};
  for (const label of Object.keys(custom)) {
    if (parseableBuiltIn(label))
      throw new InvalidArgumentError('customMethods', `'${label}' is a built-in method name; pick another label`);
  }
  const specs = [...(options.methods ?? defaultMethods)].map(parseMethodSpec);
  for (const label of Object.keys(custom)) specs.push({ label, name: label, options: {} });
  if (!specs.some((spec) => spec.label === autoregressiveMethod)) specs.unshift(parseMethodSpec(autoregressiveMethod));
  const labels = new Set<string>();
  for (const spec of specs) {
    if (labels.has(spec.label)) throw new InvalidArgumentError('methods', `'${spec.label}' is listed twice`);
    labels.add(spec.label);
  }
  const progress = (event: BenchmarkProgress) => options.onProgress?.(event);

  const tokenizer = await loadTokenizer(modelDir);
  const target = await loadModel(modelDir, { intraOpNumThreads: threads });
  let draftModel: Promise<CausalLM> | undefined;
  let workerDraftModel: Promise<CausalLM> | undefined;
  const runners: Runner[] = [];
  const unavailable = new Map<string, string>();
  try {
    const tasks = buildTasks({
      tokenizer,
      suites,
      promptsPerSuite,
      maxNewTokens,
      contextLength: target.contextLength,
      seed,
    });
    const sampler = (): SamplerChain =>
      greedy ? greedySampler() : createSamplerChain({ processors: [temperatureProcessor(temperature)] });
    const resources = {
      target,
      greedy,
      encode: (text: string) => tokenizer.encode(text),
      draftModelDirectory: draftModelDir,
      draftModel: () => {
        if (!draftModelDir) {
          return Promise.reject(
            new MethodUnavailable(
              'draft-model methods need draftModelDir (--draft-model DIR) for a non-default target',
            ),
          );
        }
        draftModel ??= loadModel(draftModelDir, { intraOpNumThreads: threads });
        return draftModel;
      },
      workerDraftModel: () => {
        if (!draftModelDir) return resources.draftModel();
        workerDraftModel ??= loadModel(draftModelDir, { intraOpNumThreads: threads, worker: true });
        return workerDraftModel;
      },
    };
    for (const spec of specs) {
      progress({ phase: 'setup', completed: 0, total: 0, repetition: 0, method: spec.label, message: 'loading' });
      try {
        const context = { resources, target, sampler, maxNewTokens, modelDir, threads, greedy, options };
        const customMethod = custom[spec.label];
        runners.push(customMethod ? customRunner(spec, customMethod, context) : await createRunner(spec, context));
      } catch (error) {
        if (!(error instanceof MethodUnavailable)) throw error;
        unavailable.set(spec.label, error.message);
      }
    }

    if (options.warmUp ?? true) {
      for (const runner of runners) {
        throwIfAborted(options.signal);
        progress({ phase: 'warm-up', completed: 0, total: 0, repetition: 0, method: runner.spec.label });
        await runner.run(tasks[0], seed);
      }
    }

    const total = repetitions * tasks.length * runners.length;
    let completed = 0;
    // samples[method][suite][repetition] = measurements of that repetition.
    const samples = new Map<string, Map<TaskSuite, Measurement[][]>>();
    for (const runner of runners) {
      samples.set(
        runner.spec.label,
        new Map(suites.map((suite) => [suite, Array.from({ length: repetitions }, () => [])])),
      );
    }
    const peerMatches = new Map<string, { matching: number; compared: number }>();
    let compared = 0;
    let reference: Map<string, number[]> | undefined;
    for (let repetition = 0; repetition < repetitions; repetition++) {
      // Drafters that learn across prompts (Token Recycling, ADED, lookahead's pool) keep learning
      // within a repetition, as in a server, but must not carry what they saw of these very prompts'
      // continuations into the next repetition: each repetition starts with fresh drafters.
      for (const runner of runners) await runner.beginRepetition?.();
      for (let taskIndex = 0; taskIndex < tasks.length; taskIndex++) {
        const task = tasks[taskIndex];
        const outputs = new Map<string, number[]>();
        const taskSeed = seed + taskIndex * 1000 + repetition;
        for (let k = 0; k < runners.length; k++) {
          // Rotate the order per prompt: no method always runs first (cold caches) or last.
          const runner = runners[(k + taskIndex + repetition) % runners.length];
          throwIfAborted(options.signal);
          const { tokens, measurement } = await runner.run(task, taskSeed);
          samples.get(runner.spec.label)?.get(task.suite)?.[repetition].push(measurement);
          outputs.set(runner.spec.label, tokens);
          completed++;
          progress({
            phase: 'measure',
            completed,
            total,
            repetition,
            method: runner.spec.label,
            suite: task.suite,
            taskId: task.id,
          });
        }
        if (greedy) {
          reference ??= new Map();
          // Autoregressive greedy of the first repetition is the reference for every later one too.
          const expected = reference.get(task.id) ?? (outputs.get(autoregressiveMethod) as number[]);
          reference.set(task.id, expected);
          for (const runner of runners) {
            const actual = outputs.get(runner.spec.label) as number[];
            const position = firstDifference(expected, actual);
            if (!runner.checked) {
              const count = peerMatches.get(runner.spec.label) ?? { matching: 0, compared: 0 };
              count.compared++;
              if (position < 0) count.matching++;
              peerMatches.set(runner.spec.label, count);
              continue;
            }
            compared++;
            if (position >= 0) {
              throw new GreedyMismatchError({
                method: runner.spec.label,
                suite: task.suite,
                taskId: task.id,
                source: task.source,
                promptText: task.text,
                repetition,
                position,
                expected: expected[position],
                actual: actual[position],
              });
            }
          }
        }
      }
    }

    const methods: MethodResult[] = specs.map((spec) => {
      const runner = runners.find((r) => r.spec.label === spec.label);
      const kind = custom[spec.label] ? 'custom' : kindOf(spec);
      if (!runner) {
        return {
          method: spec.label,
          name: spec.name,
          kind,
          checked: false,
          available: false,
          unavailableReason: unavailable.get(spec.label),
          suites: {},
        };
      }
      const mine = samples.get(spec.label) as Map<TaskSuite, Measurement[][]>;
      const baseline = samples.get(autoregressiveMethod) as Map<TaskSuite, Measurement[][]>;
      const bySuite: Partial<Record<TaskSuite, SuiteFigures>> = {};
      for (const suite of suites) {
        bySuite[suite] = figures(mine.get(suite) as Measurement[][], baseline.get(suite) as Measurement[][]);
      }
      const all = (source: Map<TaskSuite, Measurement[][]>) =>
        Array.from({ length: repetitions }, (_, r) =>
          suites.flatMap((suite) => (source.get(suite) as Measurement[][])[r]),
        );
      const peer = peerMatches.get(spec.label);
      return {
        method: spec.label,
        name: spec.name,
        kind,
        checked: runner.checked,
        available: true,
        ...(runner.version ? { version: runner.version } : {}),
        ...(peer ? { matchingGenerations: peer.matching, comparedGenerations: peer.compared } : {}),
        suites: bySuite,
        overall: figures(all(mine), all(baseline)),
      };
    });

    return {
      schemaVersion: 1,
      startedAt,
      wallTimeMs: performance.now() - started,
      settings: {
        // Recorded relative to the working directory so results files name no machine's paths.
        modelDir: displayPath(modelDir),
        ...(draftModelDir ? { draftModelDir: displayPath(draftModelDir) } : {}),
        modelSha256: await graphDigest(modelDir),
        ...(draftModelDir ? { draftModelSha256: await graphDigest(draftModelDir) } : {}),
        methods: specs.map((spec) => spec.label),
        suites,
        mode,
        ...(greedy ? {} : { temperature }),
        repetitions,
        promptsPerSuite,
        maxNewTokens,
        seed,
        threads,
      },
      environment: {
        node: process.version,
        platform: `${platform()} ${release()} ${process.arch}`,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        cpuCount: availableParallelism(),
        totalMemoryBytes: totalmem(),
        loadAverageStart,
        loadAverageEnd: loadavg()[0],
        onnxruntimeVersion: await onnxruntimeVersion(),
      },
      tasks: tasks.map((task) => ({
        suite: task.suite,
        id: task.id,
        source: task.source,
        promptTokens: task.prompt.length,
      })),
      methods,
      greedyCheck: { performed: greedy, passed: greedy, comparedGenerations: compared },
      processPeakResidentBytes: process.resourceUsage().maxRSS * 1024,
    };
  } finally {
    for (const runner of runners) await runner.dispose().catch(() => {});
    if (draftModel) await (await draftModel.catch(() => undefined))?.dispose();
    if (workerDraftModel) await (await workerDraftModel.catch(() => undefined))?.dispose();
    await target.dispose();
  }
}

function parseableBuiltIn(label: string): boolean {
  try {
    parseMethodSpec(label);
    return true;
  } catch {
    return false;
  }
}

function kindOf(spec: MethodSpec): MethodResult['kind'] {
  if (spec.name === autoregressiveMethod) return 'baseline';
  return peerMethods.includes(spec.name) ? 'peer' : 'decodekit';
}

async function graphDigest(directory: string): Promise<string | undefined> {
  try {
    return createHash('sha256')
      .update(await readFile(join(directory, 'onnx', 'model.onnx')))
      .digest('hex');
  } catch {
    return undefined;
  }
}

function integer(setting: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min)
    throw new InvalidArgumentError(setting, `must be an integer >= ${min}, got ${value}`);
  return value;
}

async function onnxruntimeVersion(): Promise<string | undefined> {
  try {
    const ort = (await import('onnxruntime-node')) as unknown as { env?: { versions?: { common?: string } } };
    return ort.env?.versions?.common;
  } catch {
    return undefined;
  }
}

function memory(): { resident: number; heapUsed: number } {
  const usage = process.memoryUsage();
  return { resident: usage.rss, heapUsed: usage.heapUsed };
}

interface RunnerContext {
  readonly resources: Parameters<typeof createStrategyMethod>[1];
  readonly target: CausalLM;
  readonly sampler: () => SamplerChain;
  readonly maxNewTokens: number;
  readonly modelDir: string;
  readonly threads: number;
  readonly greedy: boolean;
  readonly options: RunBenchmarkOptions;
}

async function createRunner(spec: MethodSpec, context: RunnerContext): Promise<Runner> {
  const { maxNewTokens } = context;
  if (spec.name === 'ort-raw' || spec.name === 'transformers-js') {
    if (!context.greedy) throw new MethodUnavailable(`${spec.name} is a greedy-only peer; it runs in greedy mode`);
    if (Object.keys(spec.options).length > 0)
      throw new InvalidArgumentError('methods', `${spec.name} takes no options`);
    if (spec.name === 'ort-raw') {
      const loop = await createRawGreedyLoop(context.modelDir, context.threads);
      return {
        spec,
        kind: 'peer',
        checked: false,
        async run(task) {
          const start = performance.now();
          const output = await loop.generate(task.prompt, maxNewTokens);
          const wallMs = performance.now() - start;
          const timeMs = {
            prefill: 0,
            draft: 0,
            verify: output.forwardMs,
            sample: output.sampleMs,
            other: 0,
            total: wallMs,
          };
          timeMs.other = Math.max(0, wallMs - output.forwardMs - output.sampleMs);
          return { tokens: output.tokens, measurement: peerMeasurement(output.tokens.length, wallMs, timeMs) };
        },
        dispose: () => loop.dispose(),
      };
    }
    let peer: Awaited<ReturnType<typeof createTransformersJsPeer>>;
    try {
      peer = await createTransformersJsPeer(context.modelDir, context.threads, context.options.transformersSearchPath);
    } catch (error) {
      const reason = String((error as Error)?.message ?? error).split('\n')[0];
      throw new MethodUnavailable(`transformers.js could not run offline here: ${reason}`);
    }
    return {
      spec,
      kind: 'peer',
      checked: false,
      version: peer.version,
      async run(task) {
        const start = performance.now();
        const output = await peer.generate(task.prompt, maxNewTokens);
        const wallMs = performance.now() - start;
        const timeMs = { prefill: 0, draft: 0, verify: 0, sample: 0, other: wallMs, total: wallMs };
        return { tokens: output.tokens, measurement: peerMeasurement(output.tokens.length, wallMs, timeMs) };
      },
      dispose: () => peer.dispose(),
    };
  }
  let method = await createStrategyMethod(spec, context.resources);
  const runner = strategyRunner(
    spec,
    kindOf(spec),
    true,
    () => method.strategy,
    context,
    () => method.dispose(),
  );
  return {
    ...runner,
    async beginRepetition() {
      await method.dispose();
      method = await createStrategyMethod(spec, context.resources);
    },
  };
}

function customRunner(spec: MethodSpec, custom: CustomMethod, context: RunnerContext): Runner {
  const strategy = typeof custom.strategy === 'function' ? custom.strategy() : custom.strategy;
  return strategyRunner(
    spec,
    'custom',
    custom.lossless !== false,
    () => strategy,
    context,
    async () => {},
  );
}

function strategyRunner(
  spec: MethodSpec,
  kind: MethodResult['kind'],
  checked: boolean,
  strategy: () => Strategy,
  context: RunnerContext,
  dispose: () => Promise<void>,
): Runner {
  const { maxNewTokens } = context;
  return {
    spec,
    kind,
    checked,
    async run(task, seed) {
      const start = performance.now();
      const result = await generate({
        model: context.target,
        prompt: task.prompt,
        strategy: strategy(),
        sampler: context.sampler(),
        maxNewTokens,
        stopTokens: [],
        seed,
        signal: context.options.signal,
      });
      const wallMs = performance.now() - start;
      const { stats } = result;
      return {
        tokens: result.tokens,
        measurement: {
          wallMs,
          newTokens: stats.newTokens,
          targetForwards: stats.targetForwards,
          drafted: stats.drafted,
          timeMs: { ...stats.timeMs },
          draftedByPosition: stats.draftedByPosition,
          acceptedByPosition: stats.acceptedByPosition,
          ...memory(),
        },
      };
    },
    dispose,
  };
}

function peerMeasurement(newTokens: number, wallMs: number, timeMs: Record<Phase | 'total', number>): Measurement {
  return {
    wallMs,
    newTokens,
    targetForwards: newTokens,
    drafted: 0,
    timeMs,
    draftedByPosition: [],
    acceptedByPosition: [],
    ...memory(),
  };
}

// Aggregates per-repetition measurements into the reported figures.
function figures(byRepetition: Measurement[][], baselineByRepetition: Measurement[][]): SuiteFigures {
  const rate = (list: Measurement[]) => {
    const tokens = list.reduce((sum, m) => sum + m.newTokens, 0);
    const ms = list.reduce((sum, m) => sum + m.wallMs, 0);
    return ms > 0 ? (tokens * 1000) / ms : 0;
  };
  const rates = byRepetition.map(rate);
  const speedups = rates.map((own, r) => {
    const baseline = rate(baselineByRepetition[r]);
    return baseline > 0 ? own / baseline : Number.NaN;
  });
  const flat = byRepetition.flat();
  const newTokens = flat.reduce((sum, m) => sum + m.newTokens, 0);
  const forwards = flat.reduce((sum, m) => sum + m.targetForwards, 0);
  const drafted = flat.reduce((sum, m) => sum + m.drafted, 0);
  const depth = Math.max(0, ...flat.map((m) => m.draftedByPosition.length));
  const draftedByPosition = Array.from({ length: depth }, (_, d) =>
    flat.reduce((sum, m) => sum + (m.draftedByPosition[d] ?? 0), 0),
  );
  const acceptedByPosition = Array.from({ length: depth }, (_, d) =>
    flat.reduce((sum, m) => sum + (m.acceptedByPosition[d] ?? 0), 0),
  );
  const timeMs = { prefill: 0, draft: 0, verify: 0, sample: 0, other: 0, total: 0 };
  for (const m of flat) for (const key of [...phases, 'total'] as const) timeMs[key] += m.timeMs[key];
  const timeShare = Object.fromEntries(
    phases.map((phase) => [phase, timeMs.total > 0 ? timeMs[phase] / timeMs.total : 0]),
  ) as Record<Phase, number>;
  const tau = forwards > 0 ? newTokens / forwards : 0;
  const speedup = spreadOf(speedups.filter((value) => Number.isFinite(value)));
  return {
    generations: flat.length,
    newTokens,
    tokensPerSecond: spreadOf(rates),
    speedup,
    tau,
    efficiency: tau > 0 ? speedup.median / tau : 0,
    acceptanceByPosition: draftedByPosition.map((n, d) => (n > 0 ? acceptedByPosition[d] / n : 0)),
    draftedByPosition,
    acceptedByPosition,
    // Forwards after the prefill are the verification steps.
    draftTokensPerStep: forwards > flat.length ? drafted / (forwards - flat.length) : 0,
    draftMsPerStep: forwards > flat.length ? timeMs.draft / (forwards - flat.length) : 0,
    timeShare,
    timeMs,
    peakResidentBytes: Math.max(0, ...flat.map((m) => m.resident)),
    peakHeapUsedBytes: Math.max(0, ...flat.map((m) => m.heapUsed)),
  };
}

/** `dir` relative to the working directory when it lies inside it (results must not carry machine paths). */
function displayPath(dir: string): string {
  const relative = relativePath(process.cwd(), dir);
  return relative && !relative.startsWith('..') && !isAbsolute(relative) ? relative : dir;
}
