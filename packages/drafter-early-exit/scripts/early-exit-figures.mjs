// Turns a `decodekit bench` results.json of the early-exit sweep (layerskip:exitLayer=E:gamma=G for
// every E and a few G, del, the autoregressive baseline) into the figures of docs/methods/layerskip.md
// and del.md: a table of the best gamma per exit layer, and SVG/PNG charts (acceptance by draft
// position per exit layer; tau and speedup per exit layer with its best gamma, and DEL).
// Run after `pnpm build` (uses the bench package's chart helpers from its dist):
//   node packages/drafter-early-exit/scripts/early-exit-figures.mjs RESULTS_DIR OUT_DIR
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupedBarChart, lineChart, svgToPng } from '../../bench/dist/index.js';

const [resultsDir, outDir] = process.argv.slice(2);
if (!resultsDir || !outDir) throw new Error('usage: early-exit-figures.mjs RESULTS_DIR OUT_DIR');
const results = JSON.parse(readFileSync(join(resultsDir, 'results.json'), 'utf8'));
const methods = results.methods.filter((m) => m.available !== false);
const overall = (m) => m.overall ?? m.suites[Object.keys(m.suites)[0]];
const parse = (label) => {
  const match = /^layerskip:exitLayer=(\d+):gamma=(\d+)$/.exec(label);
  return match ? { exitLayer: Number(match[1]), gamma: Number(match[2]) } : undefined;
};
const layerskip = methods.map((m) => ({ m, spec: parse(m.method) })).filter((x) => x.spec);
const exits = [...new Set(layerskip.map((x) => x.spec.exitLayer))].sort((a, b) => a - b);
const gammas = [...new Set(layerskip.map((x) => x.spec.gamma))].sort((a, b) => a - b);
const fmt = (v, d = 2) => (v === undefined || Number.isNaN(v) ? '–' : v.toFixed(d));
const speed = (f) => f.speedup?.median ?? 1;
const iqr = (f) => `${fmt(f.speedup?.lowerQuartile)}–${fmt(f.speedup?.upperQuartile)}`;

const lines = [];
lines.push('| exit layer E | γ | τ overall | speedup overall (IQR) | speedup code | speedup prose | acceptance @1 |');
lines.push('|---:|---:|---:|---:|---:|---:|---:|');
const best = new Map();
for (const E of exits) {
  const rows = layerskip.filter((x) => x.spec.exitLayer === E);
  rows.sort((a, b) => speed(overall(b.m)) - speed(overall(a.m)));
  best.set(E, rows[0]);
  for (const { m, spec } of rows) {
    const o = overall(m);
    const mark = m === rows[0].m ? '**' : '';
    lines.push(
      `| ${E} | ${mark}${spec.gamma}${mark} | ${fmt(o.tau)} | ${mark}${fmt(speed(o))}${mark} (${iqr(o)}) | ${fmt(speed(m.suites.code ?? o))} | ${fmt(speed(m.suites.prose ?? o))} | ${fmt(o.acceptanceByPosition?.[0])} |`,
    );
  }
}
const others = methods.filter((m) => m.method.startsWith('del'));
const summary = [];
summary.push('| method | τ overall | speedup overall (IQR) | speedup code | speedup prose | draft ms / step |');
summary.push('|---|---:|---:|---:|---:|---:|');
for (const E of exits) {
  const { m } = best.get(E);
  const o = overall(m);
  summary.push(
    `| ${m.method} | ${fmt(o.tau)} | ${fmt(speed(o))} (${iqr(o)}) | ${fmt(speed(m.suites.code ?? o))} | ${fmt(speed(m.suites.prose ?? o))} | ${fmt(o.draftMsPerStep ?? o.timeMs?.draft / Math.max(1, o.targetForwards ?? 1), 1)} |`,
  );
}
for (const m of others) {
  const o = overall(m);
  summary.push(
    `| ${m.method} | ${fmt(o.tau)} | ${fmt(speed(o))} (${iqr(o)}) | ${fmt(speed(m.suites.code ?? o))} | ${fmt(speed(m.suites.prose ?? o))} | ${fmt(o.draftMsPerStep, 1)} |`,
  );
}
writeFileSync(join(outDir, 'early-exit-sweep.md'), `${lines.join('\n')}\n\n${summary.join('\n')}\n`);

// Acceptance by draft position for each exit layer (largest gamma: every position drafted).
const gMax = gammas[gammas.length - 1];
const positions = Array.from({ length: gMax }, (_, i) => String(i + 1));
const acceptance = exits.map((E) => {
  const entry = layerskip.find((x) => x.spec.exitLayer === E && x.spec.gamma === gMax);
  const a = entry ? (overall(entry.m).acceptanceByPosition ?? []) : [];
  return positions.map((_, i) => a[i]);
});
const delEntry = others.find((m) => m.method === 'del');
const series = exits.map((E) => `E = ${E}`);
if (delEntry) {
  const a = overall(delEntry).acceptanceByPosition ?? [];
  acceptance.push(positions.map((_, i) => a[i]));
  series.push('DEL');
}
const acceptanceSvg = lineChart({
  title: 'Early-exit drafts: acceptance by draft position, per exit layer',
  subtitle: `tiny-lm (8 layers), LayerSkip γ = ${gMax} (and DEL), greedy, code + prose suites; P(position accepted | drafted)`,
  xLabel: 'draft position',
  yLabel: 'acceptance rate',
  xValues: positions,
  series,
  values: acceptance,
  yMax: 1,
});
const bestLabels = exits.map((E) => `E=${E} γ=${best.get(E).spec.gamma}`);
const bars = [...exits.map((E) => best.get(E).m), ...others];
const delLabel = (label) => {
  const tpl = label.includes('draftLength=tpl');
  const head = /headCostLayers=(\d+)/.exec(label);
  return `${tpl ? 'DELE' : 'DEL'}${head ? ` h=${head[1]}` : ''}`;
};
const labels = [...bestLabels, ...others.map((m) => delLabel(m.method))];
const speedSvg = groupedBarChart({
  title: 'LayerSkip (best γ per exit layer) and DEL: speedup over autoregressive',
  subtitle: 'same run, medians over repetitions (whiskers: IQR); shared, loaded 2-core machine',
  yLabel: 'speedup (×)',
  groups: labels,
  series: ['code', 'prose', 'overall'],
  values: ['code', 'prose', 'overall'].map((suite) =>
    bars.map((m) => {
      const f = suite === 'overall' ? overall(m) : m.suites[suite];
      return f?.speedup
        ? { value: f.speedup.median, low: f.speedup.lowerQuartile, high: f.speedup.upperQuartile }
        : undefined;
    }),
  ),
  referenceLine: { value: 1, label: 'autoregressive' },
  format: (v) => v.toFixed(2),
  width: 1100,
});
const tauSvg = groupedBarChart({
  title: 'LayerSkip (best γ per exit layer) and DEL: τ (tokens per target forward)',
  subtitle: 'overall (code + prose), greedy',
  yLabel: 'τ',
  groups: labels,
  series: ['τ'],
  values: [bars.map((m) => ({ value: overall(m).tau }))],
  format: (v) => v.toFixed(2),
  width: 1100,
});
for (const [name, svg] of [
  ['early-exit-acceptance', acceptanceSvg],
  ['early-exit-speedup', speedSvg],
  ['early-exit-tau', tauSvg],
]) {
  writeFileSync(join(outDir, `${name}.svg`), svg);
  writeFileSync(join(outDir, `${name}.png`), await svgToPng(svg));
}
console.log(`${lines.join('\n')}\n\n${summary.join('\n')}`);
