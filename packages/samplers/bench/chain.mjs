// Per-token cost of a full sampler chain (repetition penalty, temperature, top-k, top-p, min-p,
// sampling) against a naive implementation that fully sorts the vocabulary, in the same run.
// Run after `pnpm --filter @decodekit/samplers build`: node bench/chain.mjs
import { createRng } from '@decodekit/core';
import { samplerChain } from '../dist/index.js';

const vocabularies = [4096, 32000, 151936];
const runs = 7;
const tokensPerRun = 100;
const settings = { repetitionPenalty: 1.1, temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05 };
const noTopK = { repetitionPenalty: 1.1, temperature: 0.8, topP: 0.95, minP: 0.05 };

function randomRows(vocabulary, count, seed) {
  const rng = createRng(seed);
  const rows = [];
  for (let r = 0; r < count; r++) {
    const row = new Float32Array(vocabulary);
    for (let i = 0; i < vocabulary; i++) row[i] = (rng.next() + rng.next() + rng.next() - 1.5) * 8;
    rows.push(row);
  }
  return rows;
}

// The textbook implementation: sort every token by logit, then walk the sorted list.
function naiveSample(logits, tokens, rng, { repetitionPenalty, temperature, topK, topP, minP }) {
  const z = Float64Array.from(logits);
  for (const t of new Set(tokens)) z[t] = z[t] > 0 ? z[t] / repetitionPenalty : z[t] * repetitionPenalty;
  const order = Array.from(z.keys()).sort((a, b) => z[b] - z[a]);
  const kept = topK ? order.slice(0, topK) : order;
  const max = z[kept[0]];
  let sum = 0;
  const p = kept.map((i) => {
    const e = Math.exp(z[i] - max);
    sum += e;
    return e;
  });
  let cumulative = 0;
  let cut = p.length;
  for (let r = 0; r < p.length; r++) {
    cumulative += p[r] / sum;
    if (cumulative >= topP) {
      cut = r + 1;
      break;
    }
  }
  const survivors = [];
  for (let r = 0; r < cut; r++) if (p[r] >= minP * p[0]) survivors.push(kept[r]);
  const weights = survivors.map((i) => Math.exp((z[i] - max) / temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  for (let r = 0; r < survivors.length; r++) {
    u -= weights[r];
    if (u < 0) return survivors[r];
  }
  return survivors[survivors.length - 1];
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(rows, sampleOne) {
  const perRun = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    for (let t = 0; t < tokensPerRun; t++) sampleOne(rows[t % rows.length]);
    perRun.push((performance.now() - start) / tokensPerRun);
  }
  return median(perRun);
}

const lines = [
  '| vocabulary | chain (top-k 40) ms/token | naive full sort ms/token | speed-up | chain without top-k ms/token | naive without top-k ms/token |',
  '|---:|---:|---:|---:|---:|---:|',
];
for (const vocabulary of vocabularies) {
  const rows = randomRows(vocabulary, 8, vocabulary);
  const contextRng = createRng(1);
  const tokens = Array.from({ length: 512 }, () => Math.floor(contextRng.next() * vocabulary));
  const context = { tokens, promptLength: 256 };
  const scratch = new Float32Array(vocabulary);
  const chain = samplerChain(settings);
  const chainNoTopK = samplerChain(noTopK);
  const rng = createRng(2);
  const measure = (c) => (row) => {
    scratch.set(row);
    return c.sample(scratch, context, rng);
  };
  // Warm up the JIT on every path before timing.
  time(rows, measure(chain));
  time(rows, (row) => naiveSample(row, tokens, rng, settings));
  const fast = time(rows, measure(chain));
  const naive = time(rows, (row) => naiveSample(row, tokens, rng, settings));
  time(rows, measure(chainNoTopK));
  const fastNoTopK = time(rows, measure(chainNoTopK));
  const naiveNoTopK = time(rows, (row) => naiveSample(row, tokens, rng, noTopK));
  lines.push(
    `| ${vocabulary} | ${fast.toFixed(3)} | ${naive.toFixed(3)} | ${(naive / fast).toFixed(1)}x | ${fastNoTopK.toFixed(3)} | ${naiveNoTopK.toFixed(3)} |`,
  );
}
process.stdout.write(
  `${lines.join('\n')}\n\nmedian of ${runs} runs x ${tokensPerRun} tokens, context 512 tokens, node ${process.version}\n`,
);
