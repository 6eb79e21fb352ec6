import { InvalidArgumentError } from '@decodekit/core';
import type { BenchmarkResults, MethodResult } from './run-benchmark.js';

/**
 * Merges runs of the same prompts and settings that measured different methods (for example three
 * processes started side by side, each with autoregressive decoding and a third of the methods)
 * into one results object. Every method keeps the figures of its own run, so its speedup stays a
 * ratio to autoregressive decoding measured in the same process; the autoregressive row is the
 * first run's. Throws `InvalidArgumentError` when the runs differ in mode, suites, prompts, token
 * count, repetitions, seed or weights, or when a method other than autoregressive appears twice.
 */
export function mergeBenchmarkResults(runs: readonly BenchmarkResults[]): BenchmarkResults {
  if (runs.length === 0) throw new InvalidArgumentError('runs', 'give at least one results object');
  const [first] = runs;
  const same = (label: string, get: (r: BenchmarkResults) => unknown) => {
    const expected = JSON.stringify(get(first));
    runs.forEach((run, i) => {
      if (JSON.stringify(get(run)) !== expected)
        throw new InvalidArgumentError(
          'runs',
          `run ${i} differs from run 0 in ${label}; merge only runs of one protocol`,
        );
    });
  };
  same('mode', (r) => [r.settings.mode, r.settings.temperature]);
  same('suites', (r) => r.settings.suites);
  same('prompts', (r) => r.tasks.map((t) => [t.id, t.source, t.promptTokens]));
  same('maxNewTokens', (r) => r.settings.maxNewTokens);
  same('repetitions', (r) => r.settings.repetitions);
  same('seed', (r) => r.settings.seed);
  same('model weights', (r) => r.settings.modelSha256);
  // A run without a draft model (n-gram or early-exit methods on a target given by directory) does
  // not depend on one; the runs that loaded a draft model must agree on its weights.
  const drafts = new Set(runs.flatMap((r) => (r.settings.draftModelSha256 ? [r.settings.draftModelSha256] : [])));
  if (drafts.size > 1)
    throw new InvalidArgumentError('runs', 'the runs differ in draft model weights; merge only runs of one protocol');
  const withDraft = runs.find((r) => r.settings.draftModelSha256 !== undefined)?.settings;
  const methods: MethodResult[] = [];
  const seen = new Set<string>();
  for (const run of runs) {
    for (const method of run.methods) {
      if (method.kind === 'baseline' && seen.has(method.method)) continue;
      if (seen.has(method.method))
        throw new InvalidArgumentError('runs', `method '${method.method}' is in more than one run`);
      seen.add(method.method);
      methods.push(method);
    }
  }
  const max = (get: (r: BenchmarkResults) => number) => Math.max(...runs.map(get));
  return {
    ...first,
    // The earliest start, so the report's "Run ..." line covers every merged run.
    startedAt: runs.map((r) => r.startedAt).sort()[0],
    wallTimeMs: max((r) => r.wallTimeMs),
    settings: {
      ...first.settings,
      ...(withDraft ? { draftModelDir: withDraft.draftModelDir, draftModelSha256: withDraft.draftModelSha256 } : {}),
      methods: methods.map((m) => m.method),
    },
    environment: {
      ...first.environment,
      loadAverageStart: max((r) => r.environment.loadAverageStart),
      loadAverageEnd: max((r) => r.environment.loadAverageEnd),
    },
    methods,
    greedyCheck: {
      performed: runs.every((r) => r.greedyCheck.performed),
      passed: runs.every((r) => r.greedyCheck.passed),
      comparedGenerations: runs.reduce((sum, r) => sum + r.greedyCheck.comparedGenerations, 0),
    },
    processPeakResidentBytes: max((r) => r.processPeakResidentBytes),
    ...(runs.length > 1 ? { mergedRuns: runs.length } : {}),
  };
}
