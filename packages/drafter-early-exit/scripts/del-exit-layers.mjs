// Which exit layers DEL picks, on the benchmark's prompts: runs DEL (greedy) on the same tasks as
// `decodekit bench --suites code,prose -p 5 -n 64` (seed 0) and reports how often each exit layer
// was chosen per suite, with the per-layer match rate α its statistics ended with. Writes a chart.
// Run after `pnpm build`: node packages/drafter-early-exit/scripts/del-exit-layers.mjs OUT_DIR [MODEL_DIR]
// (MODEL_DIR: another export of tiny-lm, default the zoo's).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate, speculative } from '@decodekit/core';
import { tinyLm } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { buildTasks, groupedBarChart, svgToPng } from '../../bench/dist/index.js';
import { loadTokenizer } from '../../tokenizer/dist/index.js';
import { defaultVerifier } from '../../verifiers/dist/index.js';
import { dynamicExitLayer } from '../dist/index.js';

const [outDir, modelDir = tinyLm] = process.argv.slice(2);
if (!outDir) throw new Error('usage: del-exit-layers.mjs OUT_DIR [MODEL_DIR]');
const model = await loadModel(modelDir, { intraOpNumThreads: 1 });
const tokenizer = await loadTokenizer(modelDir);
const tasks = buildTasks({
  tokenizer,
  suites: ['code', 'prose'],
  promptsPerSuite: 5,
  maxNewTokens: 64,
  contextLength: model.contextLength,
  seed: 0,
});
const L = model.numLayers;
const counts = { code: new Array(L - 1).fill(0), prose: new Array(L - 1).fill(0) };
const alphas = { code: [], prose: [] };
for (const task of tasks) {
  const drafter = dynamicExitLayer();
  const strategy = speculative({ drafter, verifier: defaultVerifier() });
  await generate({ model, prompt: task.prompt, strategy, maxNewTokens: 64, stopTokens: [] });
  const state = drafter.state();
  for (const E of state.exitHistory) counts[task.suite][E - 1]++;
  alphas[task.suite].push(Array.from(state.matches, (m, l) => m / Math.max(1e-9, m + state.mismatches[l])));
}
await model.dispose();
const share = (row) => {
  const total = row.reduce((a, b) => a + b, 0);
  return row.map((c) => c / Math.max(1, total));
};
const meanAlpha = (rows) => Array.from({ length: L - 1 }, (_, l) => rows.reduce((s, r) => s + r[l], 0) / rows.length);
const lines = [
  '| exit layer E | chosen (code) | chosen (prose) | final α (code) | final α (prose) |',
  '|---:|---:|---:|---:|---:|',
];
const codeShare = share(counts.code);
const proseShare = share(counts.prose);
const codeAlpha = meanAlpha(alphas.code);
const proseAlpha = meanAlpha(alphas.prose);
for (let l = 0; l < L - 1; l++) {
  lines.push(
    `| ${l + 1} | ${(100 * codeShare[l]).toFixed(0)} % | ${(100 * proseShare[l]).toFixed(0)} % | ${codeAlpha[l].toFixed(2)} | ${proseAlpha[l].toFixed(2)} |`,
  );
}
const svg = groupedBarChart({
  title: 'DEL: exit layer chosen per step, and per-layer shadow-token match rate α',
  subtitle: 'tiny-lm, greedy, 5 code + 5 prose prompts of the bench (seed 0), 64 new tokens',
  yLabel: 'share of steps / α',
  groups: Array.from({ length: L - 1 }, (_, l) => `E = ${l + 1}`),
  series: ['chosen (code)', 'chosen (prose)', 'α (code)', 'α (prose)'],
  values: [codeShare, proseShare, codeAlpha, proseAlpha].map((row) => row.map((value) => ({ value }))),
  format: (v) => v.toFixed(2),
});
writeFileSync(join(outDir, 'del-exit-layers.svg'), svg);
writeFileSync(join(outDir, 'del-exit-layers.png'), await svgToPng(svg));
writeFileSync(join(outDir, 'del-exit-layers.md'), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
