import type { BenchmarkResults, MethodResult } from './run-benchmark.js';
import { groupedBarChart, lineChart, type ScatterPoint, scatterChart } from './svg.js';

/** The benchmark's charts as SVG documents, by file stem. */
export interface BenchmarkCharts {
  /** Median speedup over autoregressive per method and suite, whiskers = interquartile range. */
  readonly speedup: string;
  /** τ against median speedup, one point per method and suite, with the speedup = τ line. */
  readonly tauVersusSpeedup: string;
  /** Acceptance rate by draft position, one line per drafter (all suites pooled). */
  readonly acceptanceByPosition: string;
}

function runDescription(results: BenchmarkResults): string {
  const s = results.settings;
  const repetitions = `${s.repetitions} repetition${s.repetitions === 1 ? '' : 's'}`;
  return `${s.mode}, ${s.promptsPerSuite} prompts/suite, ${s.maxNewTokens} new tokens, ${repetitions}, ${results.startedAt.slice(0, 10)}`;
}

const measured = (results: BenchmarkResults): MethodResult[] =>
  results.methods.filter((m) => m.available && m.kind !== 'baseline');

/** Renders the three benchmark charts from a results object. */
export function renderCharts(results: BenchmarkResults): BenchmarkCharts {
  const methods = measured(results);
  const suites = results.settings.suites;
  const subtitle = runDescription(results);

  const speedup = groupedBarChart({
    title: 'Speedup over autoregressive decoding (median, whiskers = IQR)',
    subtitle,
    yLabel: 'speedup (×)',
    groups: methods.map((m) => m.method),
    series: [...suites, 'overall'],
    values: [...suites, 'overall'].map((suite) =>
      methods.map((m) => {
        const figures = suite === 'overall' ? m.overall : m.suites[suite as keyof typeof m.suites];
        if (!figures) return undefined;
        return {
          value: figures.speedup.median,
          low: figures.speedup.lowerQuartile,
          high: figures.speedup.upperQuartile,
        };
      }),
    ),
    referenceLine: { value: 1, label: 'autoregressive = 1×' },
  });

  const drafters = methods.filter((m) => m.kind === 'decodekit' || m.kind === 'custom');
  const points: ScatterPoint[] = [];
  drafters.forEach((m, d) => {
    suites.forEach((suite, s) => {
      const figures = m.suites[suite];
      if (figures) points.push({ x: figures.tau, y: figures.speedup.median, label: '', series: d, shape: s });
    });
  });
  const tauVersusSpeedup = scatterChart({
    title: 'τ (tokens per target forward) vs wall-clock speedup',
    subtitle: `${subtitle}; on the dashed line speedup = τ (efficiency 1)`,
    xLabel: 'τ: tokens committed per target forward',
    yLabel: 'median speedup (×)',
    series: drafters.map((m) => m.method),
    shapes: suites,
    points,
    diagonal: 'speedup = τ',
  });

  const depth = Math.min(16, Math.max(0, ...drafters.map((m) => m.overall?.acceptanceByPosition.length ?? 0)));
  const acceptanceByPosition = lineChart({
    title: 'Acceptance rate by draft position (all suites)',
    subtitle: `${subtitle}; rate at depth d = accepted / drafted among steps whose draft reached d`,
    xLabel: 'draft position (depth)',
    yLabel: 'acceptance rate',
    xValues: Array.from({ length: Math.max(1, depth) }, (_, d) => String(d + 1)),
    series: drafters.map((m) => m.method),
    values: drafters.map((m) =>
      Array.from({ length: depth }, (_, d) =>
        (m.overall?.draftedByPosition[d] ?? 0) > 0 ? m.overall?.acceptanceByPosition[d] : undefined,
      ),
    ),
    yMax: 1,
  });
  return { speedup, tauVersusSpeedup, acceptanceByPosition };
}
