// Repetition statistics of greedy, momentum decoding, CNTP, contrastive search and multinomial
// sampling (T = 1) on the tiny target model: distinct-1/2/3 and the repeated 4-gram rate of the
// generated continuations, per domain and overall, plus wall time per method.
// Build first: pnpm turbo run build --filter @decodekit/samplers... --filter @decodekit/runtime-onnx...
// then: node packages/samplers/bench/repetition.mjs [promptsPerDomain=10] [newTokens=64] [modelDir=the zoo's tiny-lm]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, greedySampler, multinomialSampler } from '@decodekit/core';
import { loadModel } from '../../runtime-onnx/dist/index.js';
import { loadTokenizer } from '../../tokenizer/dist/index.js';
import {
  autoregressive,
  cautiousNextTokenPrediction,
  contrastiveSearch,
  momentumDecoding,
  punctuationTokenIds,
} from '../dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const modelDirectory = process.argv[4] ?? join(root, 'packages/models-tiny/models/tiny-lm');
const testSplit = join(root, 'packages/models-tiny/data/test.jsonl');
const promptsPerDomain = Number(process.argv[2] ?? 10);
const newTokens = Number(process.argv[3] ?? 64);
const promptTokens = 32;
const seed = 1234;

const tokenizer = await loadTokenizer(modelDirectory);
// One intra-op thread: the machine is shared with a training run.
const model = await loadModel(modelDirectory, { intraOpNumThreads: 1, allowSpinning: false });

// Prompts: the first `promptsPerDomain` documents of each domain, in file order, that have more
// than promptTokens + newTokens tokens; the prompt is the first 32 tokens of the document.
const documents = readFileSync(testSplit, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line));
const prompts = [];
for (const domain of ['python', 'kjv']) {
  const chosen = [];
  for (const document of documents) {
    if (document.domain !== domain || chosen.length >= promptsPerDomain) continue;
    const ids = tokenizer.encode(document.text, { addSpecialTokens: false });
    if (ids.length <= promptTokens + newTokens) continue;
    chosen.push({ domain, name: document.name, ids: ids.slice(0, promptTokens) });
  }
  if (chosen.length < promptsPerDomain && domain === 'kjv') {
    // The KJV split has few (long) books: take further non-overlapping windows of the same books.
    for (const document of documents) {
      if (document.domain !== domain) continue;
      const ids = tokenizer.encode(document.text, { addSpecialTokens: false });
      for (let start = 1024; start + promptTokens < ids.length && chosen.length < promptsPerDomain; start += 4096) {
        chosen.push({ domain, name: `${document.name}@${start}`, ids: ids.slice(start, start + promptTokens) });
      }
    }
  }
  prompts.push(...chosen.slice(0, promptsPerDomain));
}

process.stderr.write(`prompts: ${prompts.map((p) => p.name).join(', ')}\n`);
const stopTokens = punctuationTokenIds(tokenizer);
const methods = [
  { name: 'greedy', strategy: () => autoregressive(), sampler: () => greedySampler() },
  { name: 'momentum (α 0.2, k 2000)', strategy: () => momentumDecoding(), sampler: () => greedySampler() },
  {
    name: 'contrastive search (k 5, α 0.6)',
    strategy: () => contrastiveSearch(),
    sampler: () => greedySampler(),
  },
  {
    name: 'CNTP (N ≤ 10, T 1)',
    strategy: () => cautiousNextTokenPrediction({ stopTokens }),
    sampler: () => multinomialSampler(1),
  },
  { name: 'multinomial T 1 (reference)', strategy: () => autoregressive(), sampler: () => multinomialSampler(1) },
];

function ngrams(tokens, n) {
  const out = [];
  for (let i = 0; i + n <= tokens.length; i++) out.push(tokens.slice(i, i + n).join(','));
  return out;
}

// Counts pooled over the continuations of a group: distinct-n = unique / total n-grams, where
// "unique" is counted per continuation (the usual per-sample distinct-n, micro-averaged).
function statistics(continuations) {
  const totals = { 1: [0, 0], 2: [0, 0], 3: [0, 0] };
  let repeated4 = 0;
  let total4 = 0;
  for (const tokens of continuations) {
    for (const n of [1, 2, 3]) {
      const grams = ngrams(tokens, n);
      totals[n][0] += new Set(grams).size;
      totals[n][1] += grams.length;
    }
    const seen = new Set();
    for (const gram of ngrams(tokens, 4)) {
      if (seen.has(gram)) repeated4++;
      seen.add(gram);
      total4++;
    }
  }
  const ratio = ([a, b]) => (b === 0 ? Number.NaN : a / b);
  return {
    distinct1: ratio(totals[1]),
    distinct2: ratio(totals[2]),
    distinct3: ratio(totals[3]),
    repeated4: total4 === 0 ? Number.NaN : repeated4 / total4,
    meanLength: continuations.reduce((s, t) => s + t.length, 0) / continuations.length,
  };
}

const rows = [];
for (const method of methods) {
  const byDomain = { python: [], kjv: [] };
  let forwards = 0;
  const started = performance.now();
  for (let p = 0; p < prompts.length; p++) {
    const prompt = prompts[p];
    const result = await generate({
      model,
      prompt: prompt.ids,
      strategy: method.strategy(),
      sampler: method.sampler(),
      maxNewTokens: newTokens,
      stopTokens: [],
      seed: seed + p,
    });
    byDomain[prompt.domain].push(result.tokens);
    forwards += result.stats.targetForwards ?? 0;
  }
  const seconds = (performance.now() - started) / 1000;
  for (const [group, continuations] of [
    ['python', byDomain.python],
    ['kjv', byDomain.kjv],
    ['all', [...byDomain.python, ...byDomain.kjv]],
  ]) {
    rows.push({ method: method.name, group, ...statistics(continuations), seconds, forwards });
  }
  process.stderr.write(`${method.name}: ${seconds.toFixed(1)} s\n`);
}

const f = (x) => x.toFixed(3);
console.log(
  `${prompts.length} prompts (${prompts.filter((p) => p.domain === 'python').length} python, ${prompts.filter((p) => p.domain === 'kjv').length} kjv) × ${promptTokens} prompt tokens, ${newTokens} new tokens, no early stop, seeds ${seed}+i\n`,
);
console.log(
  '| method | domain | distinct-1 | distinct-2 | distinct-3 | repeated 4-grams | mean length | forwards / token | wall s (method, all prompts) |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.method} | ${r.group} | ${f(r.distinct1)} | ${f(r.distinct2)} | ${f(r.distinct3)} | ${f(r.repeated4)} | ${r.meanLength.toFixed(1)} | ${r.group === 'all' ? (r.forwards / (r.meanLength * prompts.length)).toFixed(2) : ''} | ${r.group === 'all' ? r.seconds.toFixed(1) : ''} |`,
  );
}
await model.dispose?.();
