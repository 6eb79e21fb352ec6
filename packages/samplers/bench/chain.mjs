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

// Wall time and process CPU time (user + system) per token for `count` tokens.
function measureOnce(rows, sampleOne, count) {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let t = 0; t < count; t++) sampleOne(rows[t % rows.length]);
  const wall = (performance.now() - start) / count;
  const cpu = process.cpuUsage(cpuStart);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 / count };
}

const lines = [
  '| vocabulary | chain (top-k 40) ms/token | naive full sort ms/token | speed-up | chain CPU ms/token | chain without top-k ms/token | naive without top-k ms/token |',
  '|---:|---:|---:|---:|---:|---:|---:|',
];
for (const vocabulary of vocabularies) {
  const rows = randomRows(vocabulary, 8, vocabulary);
  const contextRng = createRng(1);
  const tokens = Array.from({ length: 512 }, () => Math.floor(contextRng.next() * vocabulary));
  const context = { tokens, promptLength: 256 };
  const scratch = new Float32Array(vocabulary);
  const rng = createRng(2);
  const viaChain = (chain) => (row) => {
    scratch.set(row);
    return chain.sample(scratch, context, rng);
  };
  // The naive loop is ~50x slower: fewer tokens per run keep the benchmark short.
  const naiveTokens = Math.max(10, Math.round(tokensPerRun / 5));
  const methods = {
    chain: [viaChain(samplerChain(settings)), tokensPerRun],
    naive: [(row) => naiveSample(row, tokens, rng, settings), naiveTokens],
    chainNoTopK: [viaChain(samplerChain(noTopK)), tokensPerRun],
    naiveNoTopK: [(row) => naiveSample(row, tokens, rng, noTopK), naiveTokens],
  };
  const results = Object.fromEntries(Object.keys(methods).map((name) => [name, { wall: [], cpu: [] }]));
  // Warm up every path, then interleave the methods run by run so that load changes hit all alike.
  for (const [sampleOne, count] of Object.values(methods)) measureOnce(rows, sampleOne, count);
  for (let run = 0; run < runs; run++) {
    for (const [name, [sampleOne, count]] of Object.entries(methods)) {
      const { wall, cpu } = measureOnce(rows, sampleOne, count);
      results[name].wall.push(wall);
      results[name].cpu.push(cpu);
    }
  }
  const m = (name, kind = 'wall') => median(results[name][kind]);
  lines.push(
    `| ${vocabulary} | ${m('chain').toFixed(3)} | ${m('naive').toFixed(3)} | ${(m('naive') / m('chain')).toFixed(1)}x | ${m('chain', 'cpu').toFixed(3)} | ${m('chainNoTopK').toFixed(3)} | ${m('naiveNoTopK').toFixed(3)} |`,
  );
}
process.stdout.write(
  `${lines.join('\n')}\n\nmedian of ${runs} interleaved runs (chain ${tokensPerRun} tokens per run, naive ${Math.max(10, Math.round(tokensPerRun / 5))}), context 512 tokens, node ${process.version}\n`,
);
