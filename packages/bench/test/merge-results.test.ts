import { describe, expect, it } from 'vitest';
import { renderMarkdownReport } from '../src/markdown-report.js';
import { mergeBenchmarkResults } from '../src/merge-results.js';
import type { BenchmarkResults, MethodResult, SuiteFigures } from '../src/run-benchmark.js';
import { spreadOf } from '../src/summary-statistics.js';

function figures(speedup: number, tau: number): SuiteFigures {
  return {
    generations: 2,
    newTokens: 32,
    tokensPerSecond: spreadOf([speedup * 100]),
    speedup: spreadOf([speedup]),
    tau,
    efficiency: speedup / tau,
    acceptanceByPosition: [],
    draftedByPosition: [],
    acceptedByPosition: [],
    draftTokensPerStep: 0,
    draftMsPerStep: 0,
    timeShare: { prefill: 0, draft: 0, verify: 1, sample: 0, other: 0 },
    timeMs: { prefill: 0, draft: 0, verify: 10, sample: 0, other: 0, total: 10 },
    peakResidentBytes: 1e8,
    peakHeapUsedBytes: 1e7,
  };
}

function method(name: string, kind: MethodResult['kind'], speedup: number, tau: number): MethodResult {
  return {
    method: name,
    name,
    kind,
    checked: true,
    available: true,
    suites: { code: figures(speedup, tau) },
    overall: figures(speedup, tau),
  };
}

function run(methods: MethodResult[], compared: number, load: number): BenchmarkResults {
  return {
    schemaVersion: 1,
    startedAt: '2026-11-27T20:00:00.000Z',
    wallTimeMs: 1000 * compared,
    settings: {
      modelDir: 'tiny-lm',
      modelSha256: 'abc',
      methods: methods.map((m) => m.method),
      suites: ['code'],
      mode: 'greedy',
      repetitions: 5,
      promptsPerSuite: 1,
      maxNewTokens: 32,
      seed: 0,
      threads: 1,
    },
    environment: {
      node: 'v20',
      platform: 'linux',
      cpuModel: 'cpu',
      cpuCount: 2,
      totalMemoryBytes: 1,
      loadAverageStart: load,
      loadAverageEnd: load,
    },
    tasks: [{ suite: 'code', id: 'code-0', source: 'a.py@0', promptTokens: 128 }],
    methods,
    greedyCheck: { performed: true, passed: true, comparedGenerations: compared },
    processPeakResidentBytes: 1e8,
  };
}

describe('mergeBenchmarkResults', () => {
  const a = run([method('autoregressive', 'baseline', 1, 1), method('pld', 'decodekit', 1.3, 2)], 10, 3);
  const b = {
    ...run([method('autoregressive', 'baseline', 1, 1), method('sps', 'decodekit', 0.8, 1.9)], 20, 7),
    startedAt: '2026-11-27T19:00:00.000Z',
  };

  it('keeps each method with its own run figures, one autoregressive row, and sums the greedy check', () => {
    const merged = mergeBenchmarkResults([a, b]);
    expect(merged.methods.map((m) => m.method)).toEqual(['autoregressive', 'pld', 'sps']);
    expect(merged.methods[2].overall?.speedup.median).toBe(0.8);
    expect(merged.greedyCheck).toEqual({ performed: true, passed: true, comparedGenerations: 30 });
    expect(merged.settings.methods).toEqual(['autoregressive', 'pld', 'sps']);
    expect(merged.environment.loadAverageEnd).toBe(7);
    expect(merged.wallTimeMs).toBe(20_000);
    expect(merged.mergedRuns).toBe(2);
    expect(merged.startedAt).toBe('2026-11-27T19:00:00.000Z');
    expect(renderMarkdownReport(merged)).toContain('Merged from 2 runs');
  });

  it('refuses runs of different prompts or a method measured twice', () => {
    const other = { ...b, tasks: [{ suite: 'code' as const, id: 'code-0', source: 'b.py@7', promptTokens: 128 }] };
    expect(() => mergeBenchmarkResults([a, other])).toThrow(/prompts/);
    expect(() => mergeBenchmarkResults([a, a])).toThrow(/'pld' is in more than one run/);
    expect(() => mergeBenchmarkResults([])).toThrow(/at least one/);
  });

  it('checks the target weights always and the draft weights among the runs that loaded a draft model', () => {
    const withDraft = (r: BenchmarkResults, sha: string): BenchmarkResults => ({
      ...r,
      settings: { ...r.settings, draftModelDir: 'tiny-lm-draft', draftModelSha256: sha },
    });
    // a: n-gram methods on a target given by directory, no draft model; b: draft-model methods.
    const merged = mergeBenchmarkResults([a, withDraft(b, 'def')]);
    expect(merged.settings.draftModelSha256).toBe('def');
    expect(merged.settings.draftModelDir).toBe('tiny-lm-draft');
    expect(() => mergeBenchmarkResults([withDraft(a, 'xyz'), withDraft(b, 'def')])).toThrow(/draft model weights/);
    const otherTarget = { ...b, settings: { ...b.settings, modelSha256: 'other' } };
    expect(() => mergeBenchmarkResults([a, otherTarget])).toThrow(/model weights/);
  });
});
