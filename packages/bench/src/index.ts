/**
 * @decodekit/bench: the decodekit benchmark. Task suites (Python code completion, KJV prose
 * continuation, input-grounded copying) from the tiny zoo's held-out test split; every method
 * interleaved per prompt in one process, speedup as per-repetition ratios to autoregressive
 * decoding, τ, acceptance by draft position, time split, efficiency = speedup / τ, the greedy
 * equality check, peers (a raw onnxruntime-node loop, transformers.js), and reports as JSON,
 * Markdown and SVG/PNG charts.
 */

export { type BenchmarkCharts, renderCharts } from './charts.js';
export { firstDifference, type GreedyMismatch, GreedyMismatchError } from './greedy-mismatch-error.js';
export { renderMarkdownReport } from './markdown-report.js';
export { mergeBenchmarkResults } from './merge-results.js';
export {
  autoregressiveMethod,
  benchmarkMethods,
  draftModelMethods,
  type MethodSpec,
  ngramMethods,
  parseMethodSpec,
  peerMethods,
} from './methods.js';
export { createRawGreedyLoop, type RawGreedyLoop, type RawLoopOutput } from './ort-raw-loop.js';
export { svgToPng } from './png.js';
export {
  type BenchmarkMode,
  type BenchmarkProgress,
  type BenchmarkResults,
  type CustomMethod,
  type MethodResult,
  type RunBenchmarkOptions,
  runBenchmark,
  type SuiteFigures,
} from './run-benchmark.js';
export { median, quantile, type Spread, spreadOf } from './summary-statistics.js';
export {
  type BarValue,
  escapeXml,
  type GroupedBarChartOptions,
  groupedBarChart,
  type LineChartOptions,
  lineChart,
  niceTicks,
  palette,
  type ScatterChartOptions,
  type ScatterPoint,
  scatterChart,
} from './svg.js';
export {
  type BenchmarkTask,
  type BuildTasksOptions,
  buildTasks,
  type TaskSuite,
  type TaskTokenizer,
  taskSuites,
} from './task-suites.js';
export { createTransformersJsPeer, type TransformersJsPeer } from './transformers-js-peer.js';
export { type WrittenReport, writeBenchmarkReport } from './write-report.js';
