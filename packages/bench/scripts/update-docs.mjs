#!/usr/bin/env node
// Puts a benchmark run into docs/benchmarks.md: copies the charts to docs/benchmarks/, and rewrites
// the results and goals sections between their markers.
//
//   node packages/bench/scripts/update-docs.mjs RESULTS_DIR [--note "text shown above the table"]
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { note: { type: 'string' } } });
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

const resultsSection = [
  '## Current results',
  '',
  ...(values.note ? [values.note, ''] : []),
  table,
  '',
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
