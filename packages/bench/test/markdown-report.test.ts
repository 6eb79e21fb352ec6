import { describe, expect, it } from 'vitest';
import { renderCharts } from '../src/charts.js';
import { renderMarkdownReport } from '../src/markdown-report.js';
import type { BenchmarkResults, SuiteFigures } from '../src/run-benchmark.js';
import { spreadOf } from '../src/summary-statistics.js';

function figures(speedups: number[], tau: number): SuiteFigures {
  const speedup = spreadOf(speedups);
  return {
    generations: 4,
    newTokens: 64,
    tokensPerSecond: spreadOf(speedups.map((s) => s * 100)),
    speedup,
    tau,
    efficiency: speedup.median / tau,
    acceptanceByPosition: tau > 1 ? [0.9, 0.5] : [],
    draftedByPosition: tau > 1 ? [10, 4] : [],
    acceptedByPosition: tau > 1 ? [9, 2] : [],
    draftTokensPerStep: tau > 1 ? 1.4 : 0,
    draftMsPerStep: tau > 1 ? 0.25 : 0,
    timeShare: { prefill: 0.1, draft: 0.2, verify: 0.6, sample: 0.05, other: 0.05 },
    timeMs: { prefill: 10, draft: 20, verify: 60, sample: 5, other: 5, total: 100 },
    peakResidentBytes: 250e6,
    peakHeapUsedBytes: 40e6,
  };
}

const results: BenchmarkResults = {
  schemaVersion: 1,
  startedAt: '2026-11-27T18:00:00.000Z',
  wallTimeMs: 42_000,
  settings: {
    modelDir: '/models/tiny-lm',
    methods: ['autoregressive', 'pld', 'specdec-pp'],
    suites: ['code', 'grounded'],
    mode: 'greedy',
    repetitions: 4,
    promptsPerSuite: 2,
    maxNewTokens: 16,
    seed: 0,
    threads: 1,
  },
  environment: {
    node: 'v20.20.2',
    platform: 'linux',
    cpuModel: 'Test CPU',
    cpuCount: 2,
    totalMemoryBytes: 24 * 2 ** 30,
    loadAverageStart: 1,
    loadAverageEnd: 2,
    onnxruntimeVersion: '1.30.0',
  },
  tasks: [],
  methods: [
    {
      method: 'autoregressive',
      name: 'autoregressive',
      kind: 'baseline',
      checked: true,
      available: true,
      suites: { code: figures([1, 1, 1, 1], 1), grounded: figures([1, 1, 1, 1], 1) },
      overall: figures([1, 1, 1, 1], 1),
    },
    {
      method: 'pld',
      name: 'pld',
      kind: 'decodekit',
      checked: true,
      available: true,
      suites: { code: figures([1.1, 1.2, 1.3, 1.4], 1.5), grounded: figures([2, 2.2, 2.4, 2.6], 3) },
      overall: figures([1.5, 1.6, 1.7, 1.8], 2.2),
    },
    {
      method: 'specdec-pp',
      name: 'specdec-pp',
      kind: 'decodekit',
      checked: true,
      available: false,
      unavailableReason: 'needs a trained acceptance head',
      suites: {},
    },
  ],
  greedyCheck: { performed: true, passed: true, comparedGenerations: 16 },
  processPeakResidentBytes: 260e6,
};

describe('markdown report', () => {
  it('has a row per method and suite with median speedup, IQR, tau and efficiency', () => {
    const markdown = renderMarkdownReport(results, { command: 'decodekit bench -p 2' });
    expect(markdown).toContain('Command: `decodekit bench -p 2`');
    expect(markdown).toContain('Greedy equality check: **passed** — 16 decodekit generations');
    // Quartiles of 2, 2.2, 2.4, 2.6 (type 7): 2.15 and 2.45; median 2.3; efficiency 2.3 / 3.
    expect(markdown).toContain(
      '| pld | grounded | 230.0 | 2.30 (2.15–2.45) | 3.00 | 0.77 | 0.90 0.50 | 0.250 | 20 / 70 / 5 / 5 | 250 |',
    );
    expect(markdown).toContain('| pld | **overall** |');
    expect(markdown).toContain('| autoregressive | code | 100.0 | 1.00 | 1.00 | 1.00 |');
    expect(markdown).toContain('- specdec-pp: needs a trained acceptance head');
    expect(markdown).toContain('wall time 42.0 s');
  });

  it('charts only the available methods other than the baseline', () => {
    const charts = renderCharts(results);
    expect(charts.speedup).toContain('>pld<');
    expect(charts.speedup).not.toContain('>autoregressive<');
    expect(charts.speedup).not.toContain('specdec-pp');
    // One scatter point per drafter and suite, in the first series colour (legend markers are white).
    expect(charts.tauVersusSpeedup.match(/fill="#0072B2" stroke="#222"/g)).toHaveLength(2);
    expect(charts.acceptanceByPosition).toContain('<polyline');
  });
});
