#!/usr/bin/env node
// Writes the benchmark figures of each method into its docs page (docs/methods/<page>.md), between
// `<!-- bench:start -->` and `<!-- bench:end -->` (inserted right after the page's "## Measured"
// heading the first time).
//
//   node packages/bench/scripts/update-method-docs.mjs GREEDY_DIR [SAMPLED_DIR]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [greedyDir, sampledDir] = process.argv.slice(2);
if (!greedyDir) {
  process.stderr.write('usage: update-method-docs.mjs GREEDY_DIR [SAMPLED_DIR]\n');
  process.exit(2);
}
const root = new URL('../../../', import.meta.url).pathname;
const load = (dir) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
const runs = [['greedy', load(greedyDir)], ...(sampledDir ? [['sampled', load(sampledDir)]] : [])];

// page: [its own method labels (every suite), comparison labels (overall row only)]
const pages = {
  pld: [['pld'], []],
  'token-recycling': [['token-recycling'], ['pld', 'lookahead']],
  aded: [['aded'], ['pld']],
  lookahead: [['lookahead'], ['pld']],
  rest: [['rest'], ['pld']],
  sps: [['sps:gamma=2', 'sps:gamma=4', 'sps:gamma=6', 'sps:adaptiveGamma=true'], []],
  pearl: [['pearl'], ['sps:gamma=4']],
  'specdec-pp': [['specdec-pp'], ['sps:gamma=2', 'sps:gamma=4', 'sps:gamma=6', 'sps:adaptiveGamma=true']],
  spectr: [
    ['spectr:k=2', 'spectr:k=4', 'spectr:k=2:depth=2'],
    ['sps:gamma=4', 'rsd', 'rsd:k=2:depth=2'],
  ],
  rsd: [
    ['rsd', 'rsd:k=2:depth=2'],
    ['sps:gamma=4', 'spectr:k=4', 'spectr:k=2:depth=2'],
  ],
  vocabtrim: [['vocabtrim'], ['sps:gamma=4']],
};

const f2 = (v) => (Number.isFinite(v) ? v.toFixed(2) : '–');
function row(label, suite, f) {
  const acceptance = f.acceptanceByPosition.slice(0, 4).map(f2).join(' ') || '–';
  const draftMs = f.draftMsPerStep === undefined ? '–' : f.draftMsPerStep.toFixed(3);
  return `| ${label} | ${suite} | ${f2(f.speedup.median)}× (${f2(f.speedup.lowerQuartile)}–${f2(f.speedup.upperQuartile)}) | ${f2(f.tau)} | ${f2(f.efficiency)} | ${acceptance} | ${f2(f.draftTokensPerStep)} | ${draftMs} |`;
}

function describeRun(mode, results) {
  const s = results.settings;
  const e = results.environment;
  const check = results.greedyCheck.performed
    ? ` Greedy equality check passed on all ${results.greedyCheck.comparedGenerations} decodekit generations of these runs (every method, every prompt, every repetition).`
    : ' No token check in sampled mode (exactness under sampling is tested by the chi-square tests).';
  const when = results.mergedRuns
    ? `${results.mergedRuns} runs of one protocol on ${results.startedAt.slice(0, 10)} (side by side or one after another; each method against autoregressive decoding in its own run; commits, times and load per run in benchmarks.md)`
    : `run ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC (load average ${f2(e.loadAverageStart)} → ${f2(e.loadAverageEnd)})`;
  return `${mode === 'greedy' ? 'Greedy' : `Sampled (temperature ${s.temperature ?? 1})`}: ${when}, ${s.suites.length} suites × ${s.promptsPerSuite} test-split prompts, ${s.maxNewTokens} new tokens, ${s.repetitions} interleaved repetitions, seed ${s.seed}, ${e.cpuCount}-core machine.${check}`;
}

function table(results, own, compare) {
  const lines = [
    '| method | suite | speedup (IQR) | τ | efficiency | acceptance @1 2 3 4 | draft tokens / step | draft ms / step |',
    '|---|---|---:|---:|---:|---|---:|---:|',
  ];
  const find = (label) => results.methods.find((m) => m.method === label && m.available);
  for (const label of own) {
    const m = find(label);
    if (!m) continue;
    for (const suite of results.settings.suites) lines.push(row(label, suite, m.suites[suite]));
    lines.push(row(label, '**overall**', m.overall));
  }
  for (const label of compare) {
    const m = find(label);
    if (m) lines.push(row(label, 'overall', m.overall));
  }
  return lines.join('\n');
}

for (const [page, [own, compare]] of Object.entries(pages)) {
  // A page none of whose methods these runs measured keeps its block (an empty table says nothing).
  if (!own.some((label) => runs.some(([, r]) => r.methods.some((m) => m.method === label && m.available)))) {
    process.stdout.write(`kept docs/methods/${page}.md: none of its methods is in these runs\n`);
    continue;
  }
  const path = join(root, 'docs/methods', `${page}.md`);
  let doc = readFileSync(path, 'utf8');
  const body = [
    '### In the benchmark (`@decodekit/bench`)',
    '',
    'From the runs published in [benchmarks.md](../benchmarks.md) (exact commands there), on the trained',
    'tiny models. Speedup: median (interquartile range) over repetitions of the ratio to autoregressive',
    'decoding in the same repetition; τ: tokens per target forward, prefill included; efficiency =',
    'speedup / τ; draft ms / step: drafter time per target forward. Comparison rows (other methods,',
    'overall only) come from the same run.',
    '',
  ];
  for (const [mode, results] of runs) {
    // A run without any of the page's own methods adds nothing but an empty table.
    if (!own.some((label) => results.methods.some((m) => m.method === label && m.available))) continue;
    body.push(describeRun(mode, results), '', table(results, own, compare), '');
  }
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const block = `${start}\n${body.join('\n').trimEnd()}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i >= 0 && j > i) {
    doc = `${doc.slice(0, i)}${block}${doc.slice(j + end.length)}`;
  } else {
    const heading = doc.indexOf('\n## Measured');
    if (heading < 0) throw new Error(`${path} has no "## Measured" section`);
    const lineEnd = doc.indexOf('\n', heading + 1);
    doc = `${doc.slice(0, lineEnd + 1)}\n${block}\n${doc.slice(lineEnd + 1)}`;
  }
  writeFileSync(path, doc);
  process.stdout.write(`updated ${path}\n`);
}
