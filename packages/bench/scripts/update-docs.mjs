#!/usr/bin/env node
// Puts a benchmark run into docs/benchmarks.md: copies the charts to docs/benchmarks/, and rewrites
// the results and goals sections between their markers.
//
//   node packages/bench/scripts/update-docs.mjs RESULTS_DIR [--sampled SAMPLED_DIR] [--note "text shown above the table"]
//
// With --sampled, the sampled-mode run's table, charts (docs/benchmarks/sampled/) and results
// (docs/benchmarks/results-sampled.json) join the greedy run's, and an overall method x suite
// table (speedup, τ) of both modes leads the section.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { note: { type: 'string' }, sampled: { type: 'string' } },
});
const from = positionals[0] ?? 'bench-results';
const root = new URL('../../../', import.meta.url).pathname;
const docPath = join(root, 'docs/benchmarks.md');
const chartDir = join(root, 'docs/benchmarks');
const results = JSON.parse(readFileSync(join(from, 'results.json'), 'utf8'));
const table = readFileSync(join(from, 'results.md'), 'utf8').trim();

mkdirSync(chartDir, { recursive: true });
const charts = ['speedup', 'tau-vs-speedup', 'acceptance-by-position'];
for (const stem of charts) {
  for (const ext of ['svg', 'png']) copyFileSync(join(from, `${stem}.${ext}`), join(chartDir, `${stem}.${ext}`));
}
copyFileSync(join(from, 'results.json'), join(chartDir, 'results.json'));
const sampled = values.sampled ? JSON.parse(readFileSync(join(values.sampled, 'results.json'), 'utf8')) : undefined;
const sampledTable = values.sampled ? readFileSync(join(values.sampled, 'results.md'), 'utf8').trim() : '';
if (values.sampled) {
  mkdirSync(join(chartDir, 'sampled'), { recursive: true });
  for (const stem of charts) {
    for (const ext of ['svg', 'png'])
      copyFileSync(join(values.sampled, `${stem}.${ext}`), join(chartDir, 'sampled', `${stem}.${ext}`));
  }
  copyFileSync(join(values.sampled, 'results.json'), join(chartDir, 'results-sampled.json'));
}

// method x suite: "speedup× / τ" per cell, one row per method, greedy and sampled columns side by side.
function overallTable() {
  const suites = [...results.settings.suites, 'overall'];
  const cell = (m, suite) => {
    const f = suite === 'overall' ? m?.overall : m?.suites[suite];
    return f ? `${f.speedup.median.toFixed(2)}× / ${f.tau.toFixed(2)}` : '–';
  };
  const modes = sampled ? [results, sampled] : [results];
  const header = modes.flatMap((run) =>
    suites.map((suite) => `${run.settings.mode === 'greedy' ? 'greedy' : 'sampled'} ${suite}`),
  );
  const lines = [`| method | ${header.join(' | ')} |`, `|---|${header.map(() => '---:').join('|')}|`];
  for (const m of results.methods) {
    if (!m.available) continue;
    const other = sampled?.methods.find((x) => x.method === m.method && x.available);
    const cells = [...suites.map((s) => cell(m, s)), ...(sampled ? suites.map((s) => cell(other, s)) : [])];
    lines.push(`| ${m.method} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

const resultsSection = [
  '## Current results',
  '',
  ...(values.note ? [values.note, ''] : []),
  '### Overall: speedup over autoregressive / τ, method × suite',
  '',
  overallTable(),
  '',
  'Each cell: median speedup over autoregressive decoding in the same run (per-repetition ratios) / τ',
  '(tokens per target forward). Spreads, acceptance by position and time splits in the full tables below.',
  '',
  '### Greedy run',
  '',
  table,
  '',
  ...(sampled
    ? [
        '### Sampled run',
        '',
        sampledTable,
        '',
        'Full figures: [benchmarks/results-sampled.json](benchmarks/results-sampled.json); charts of the sampled run:',
        '[speedup](benchmarks/sampled/speedup.svg), [τ vs speedup](benchmarks/sampled/tau-vs-speedup.svg),',
        '[acceptance by position](benchmarks/sampled/acceptance-by-position.svg).',
        '',
        '### Charts (greedy run)',
        '',
      ]
    : []),
  'The full figures (spreads, time in ms per phase, acceptance counts, prompt sources) are in',
  '[benchmarks/results.json](benchmarks/results.json).',
  '',
  '![Speedup over autoregressive decoding by method and suite](benchmarks/speedup.png)',
  '',
  '![τ against speedup](benchmarks/tau-vs-speedup.png)',
  '',
  '![Acceptance rate by draft position](benchmarks/acceptance-by-position.png)',
  '',
  'SVG versions: [speedup](benchmarks/speedup.svg), [τ vs speedup](benchmarks/tau-vs-speedup.svg),',
  '[acceptance by position](benchmarks/acceptance-by-position.svg).',
].join('\n');

const trainingFree = new Set(['pld', 'token-recycling', 'aded', 'lookahead', 'rest']);
const drafters = results.methods.filter(
  (m) => m.available && m.overall && (m.kind === 'decodekit' || m.kind === 'custom'),
);
const free = drafters.filter((m) => trainingFree.has(m.name));
const byOverall = (list) => [...list].sort((a, b) => b.overall.speedup.median - a.overall.speedup.median);
const best = byOverall(free)[0];
const bestAny = byOverall(drafters)[0];
const f2 = (v) => v.toFixed(2);
const status = (value, goal) => (value >= goal ? '**met**' : `not met (${f2(value / goal)}× of the goal)`);
const goals = [];
if (best) {
  const o = best.overall;
  const perSuite = results.settings.suites.map((s) => `${s} ${f2(best.suites[s].speedup.median)}×`).join(', ');
  goals.push(
    '| goal | target | measured (overall, all suites) | status |',
    '| --- | --- | --- | --- |',
    `| best training-free drafter, speedup over AR | ≥ 2.5× | ${f2(o.speedup.median)}× (${best.method}; IQR ${f2(o.speedup.lowerQuartile)}–${f2(o.speedup.upperQuartile)}; ${perSuite}) | ${status(o.speedup.median, 2.5)} |`,
    `| its τ | ≥ 3 | ${f2(o.tau)} | ${status(o.tau, 3)} |`,
    `| its efficiency (speedup / τ) | ≥ 0.8 | ${f2(o.efficiency)} | ${status(o.efficiency, 0.8)} |`,
  );
  const bestSuite = free
    .flatMap((m) => results.settings.suites.map((s) => ({ m, s, f: m.suites[s] })))
    .sort((a, b) => b.f.speedup.median - a.f.speedup.median)[0];
  goals.push(
    '',
    `Best single suite for a training-free drafter: ${bestSuite.m.method} on ${bestSuite.s}, ${f2(bestSuite.f.speedup.median)}× at τ ${f2(bestSuite.f.tau)} (efficiency ${f2(bestSuite.f.efficiency)}).`,
  );
  if (bestAny && bestAny !== best) {
    goals.push(
      `Best method overall, training-free or not: ${bestAny.method}, ${f2(bestAny.overall.speedup.median)}× at τ ${f2(bestAny.overall.tau)} (efficiency ${f2(bestAny.overall.efficiency)}).`,
    );
  }
} else {
  goals.push('No training-free drafter was in this run.');
}
const goalsSection = goals.join('\n');

let doc = readFileSync(docPath, 'utf8');
const splice = (text, name, body) => {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`docs/benchmarks.md lacks the ${name} markers`);
  return `${text.slice(0, i + start.length)}\n${body}\n${text.slice(j)}`;
};
doc = splice(doc, 'results', resultsSection);
doc = splice(doc, 'goals', goalsSection);
writeFileSync(docPath, doc);
process.stdout.write(`updated ${docPath} and ${chartDir}\n`);
