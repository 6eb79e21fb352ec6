import type { BenchmarkResults, MethodResult, SuiteFigures } from './run-benchmark.js';

const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const percent = (value: number) => `${Math.round(value * 100)}`;
const megabytes = (bytes: number) => `${Math.round(bytes / 1e6)}`;
const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
const duration = (ms: number) => (ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`);

function row(method: MethodResult, suite: string, f: SuiteFigures, baseline: boolean): string {
  const acceptance = f.acceptanceByPosition
    .slice(0, 4)
    .map((a) => fixed(a))
    .join(' ');
  const split = `${percent(f.timeShare.draft)} / ${percent(f.timeShare.verify + f.timeShare.prefill)} / ${percent(f.timeShare.sample)} / ${percent(f.timeShare.other)}`;
  const speedup = baseline
    ? '1.00'
    : `${fixed(f.speedup.median)} (${fixed(f.speedup.lowerQuartile)}–${fixed(f.speedup.upperQuartile)})`;
  // Older results files lack the per-step drafter time; methods that never draft show a dash.
  const drafts = f.draftMsPerStep !== undefined && !baseline && f.draftTokensPerStep > 0;
  const draftMs = drafts ? fixed(f.draftMsPerStep, 3) : '–';
  return `| ${method.method} | ${suite} | ${fixed(f.tokensPerSecond.median, 1)} | ${speedup} | ${fixed(f.tau)} | ${baseline ? '1.00' : fixed(f.efficiency)} | ${acceptance || '–'} | ${draftMs} | ${split} | ${megabytes(f.peakResidentBytes)} |`;
}

/**
 * The results as Markdown: the settings and machine, the greedy equality verdict, then one table
 * row per method and suite (and overall): tokens/s, speedup (median and interquartile range of the
 * per-repetition ratios), τ, efficiency = speedup / τ, acceptance at draft positions 1–4, the
 * draft / verify / sample / other time split and the process RSS high-water mark.
 */
export function renderMarkdownReport(results: BenchmarkResults, options: { readonly command?: string } = {}): string {
  const s = results.settings;
  const e = results.environment;
  const lines: string[] = [];
  lines.push(
    `Run ${results.startedAt} — ${s.mode}${s.temperature ? ` (temperature ${s.temperature})` : ''}, ${s.suites.length} suites × ${s.promptsPerSuite} prompts, ${s.maxNewTokens} new tokens each, ${plural(s.repetitions, 'repetition')}, seed ${s.seed}, ${plural(s.threads, 'onnxruntime thread')}; wall time ${duration(results.wallTimeMs)}.`,
  );
  lines.push('');
  if (results.mergedRuns) {
    lines.push(
      `Merged from ${results.mergedRuns} runs on the same prompts and settings, each with its own autoregressive baseline: every speedup is a ratio to autoregressive decoding in the method's own run (the autoregressive row is the first run's); the wall time is the longest run's.`,
      '',
    );
  }
  if (options.command) lines.push(`Command: \`${options.command}\``, '');
  const digest = (sha?: string) => (sha ? ` (onnx/model.onnx sha256 ${sha.slice(0, 12)}…)` : '');
  lines.push(
    `Model: ${s.modelDir}${digest(s.modelSha256)}${s.draftModelDir ? `; draft model: ${s.draftModelDir}${digest(s.draftModelSha256)}` : ''}.`,
    '',
  );
  lines.push(
    `Machine: ${e.cpuCount} × ${e.cpuModel}, ${fixed(e.totalMemoryBytes / 2 ** 30, 0)} GiB, ${e.platform}, Node ${e.node}, onnxruntime-node ${e.onnxruntimeVersion ?? '?'}; 1-minute load average ${fixed(e.loadAverageStart, 1)} at the start, ${fixed(e.loadAverageEnd, 1)} at the end.`,
  );
  lines.push('');
  if (results.greedyCheck.performed) {
    lines.push(
      `Greedy equality check: **${results.greedyCheck.passed ? 'passed' : 'FAILED'}** — ${results.greedyCheck.comparedGenerations} decodekit generations token-identical to autoregressive greedy.`,
    );
    for (const peer of results.methods.filter((m) => !m.checked && m.comparedGenerations)) {
      lines.push(
        `${peer.method}${peer.version ? ` ${peer.version}` : ''}: ${peer.matchingGenerations}/${peer.comparedGenerations} generations identical to decodekit's autoregressive greedy (compared, not required).`,
      );
    }
    lines.push('');
  }
  lines.push(
    '| method | suite | tokens/s | speedup (IQR) | τ | efficiency | acceptance @1 2 3 4 | draft ms / step | time % draft / verify / sample / other | peak RSS MB |',
    '|---|---|---:|---:|---:|---:|---|---:|---|---:|',
  );
  for (const method of results.methods) {
    if (!method.available) continue;
    for (const suite of s.suites) {
      const f = method.suites[suite];
      if (f) lines.push(row(method, suite, f, method.kind === 'baseline'));
    }
    if (method.overall && s.suites.length > 1)
      lines.push(row(method, '**overall**', method.overall, method.kind === 'baseline'));
  }
  const missing = results.methods.filter((m) => !m.available);
  if (missing.length > 0) {
    lines.push('', 'Not measured:');
    for (const m of missing) lines.push(`- ${m.method}: ${m.unavailableReason ?? 'unavailable'}`);
  }
  lines.push(
    '',
    "tokens/s: generated tokens over wall time (prefill included), median of repetitions. Speedup: per repetition, the method's tokens/s over autoregressive's in the same repetition; median (interquartile range). τ: tokens committed per target forward, prefill included. Efficiency: median speedup / τ. Draft ms / step: drafter time per target forward after the prefill. Verify time includes the prefill. Peak RSS: process-wide high-water mark seen after the method's generations (all methods share one process).",
  );
  return `${lines.join('\n')}\n`;
}
