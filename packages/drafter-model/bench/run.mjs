// Benchmark of the draft-model drafters on the tiny model zoo (built dist, real ONNX models).
//
//   node bench/run.mjs [--runs 5] [--prompts 6] [--tokens 64] [--temperature 0] [--methods ar,sps-4,...] [--json out.json]
//
// Each round runs every method once over the same prompts (methods interleaved, so background load
// hits them alike); figures are medians over rounds of the round's total wall time. τ = tokens
// committed per target forward; acceptance by position = accepted / drafted at draft depth i.
// Greedy runs also check that every method's output is token-identical to autoregressive decoding.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  autoregressive,
  createSamplerChain,
  generate,
  greedySampler,
  speculative,
  temperature as temperatureProcessor,
} from '@decodekit/core';
import { multiDraft, pearl, specDecPlusPlus, speculativeSampling, vocabTrim } from '@decodekit/drafter-model';
import { readSplit, tinyLm, tinyLmDraft } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { loadTokenizer } from '@decodekit/tokenizer';
import { defaultVerifier, recursiveSpeculativeVerifier, specTrVerifier } from '@decodekit/verifiers';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    prompts: { type: 'string', default: '6' },
    tokens: { type: 'string', default: '64' },
    temperature: { type: 'string', default: '0' },
    methods: { type: 'string' },
    json: { type: 'string' },
    threads: { type: 'string', default: '1' },
  },
});
const runs = Number(values.runs);
const promptCount = Number(values.prompts);
const maxNewTokens = Number(values.tokens);
const temperatureValue = Number(values.temperature);
const greedy = temperatureValue === 0;
const sampler = () =>
  greedy ? greedySampler() : createSamplerChain({ processors: [temperatureProcessor(temperatureValue)] });

const tokenizer = await loadTokenizer(tinyLm);
// One intra-op thread per session by default: on a small shared machine a spinning 2-thread pool per
// session loses more to preemption than it gains (pass --threads 0 for onnxruntime's default).
const threads = Number(values.threads);
const sessionOptions = threads > 0 ? { intraOpNumThreads: threads } : {};
const target = await loadModel(tinyLm, sessionOptions);
const draftModel = await loadModel(tinyLmDraft, sessionOptions);
let workerDraft;
let workerTarget;

// Prompts: windows from the middle of test-split documents, alternating domains, ≤ 48 tokens.
function prompts(split, count, offset) {
  const docs = { kjv: readSplit(split, 'kjv'), python: readSplit(split, 'python') };
  const out = [];
  for (let i = 0; out.length < count; i++) {
    const domain = i % 2 === 0 ? 'kjv' : 'python';
    const doc = docs[domain][(offset + (i >> 1) * 3) % docs[domain].length];
    const start = Math.floor(doc.text.length / 3);
    const text = doc.text.slice(start, start + 400);
    const ids = Array.from(tokenizer.encode(text));
    out.push(ids.slice(Math.max(0, ids.length - 48)));
  }
  return out;
}
const benchPrompts = prompts('test', promptCount, 0);

// VocabTrim calibration: the target's own greedy continuations of validation prompts (the paper's best source).
async function calibrationTokens() {
  const tokens = [];
  for (const prompt of prompts('validation', 8, 1)) {
    const result = await generate({ model: target, prompt, maxNewTokens: 96, stopTokens: [] });
    tokens.push(...result.tokens);
  }
  return tokens;
}

function loadHead() {
  try {
    return JSON.parse(readFileSync(join(tinyLmDraft, 'specdec-head.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

const head = loadHead();
const calibration = await calibrationTokens();
const methods = {
  ar: () => ({ strategy: autoregressive() }),
  'sps-2': () => spec(speculativeSampling({ draftModel, gamma: 2 })),
  'sps-4': () => spec(speculativeSampling({ draftModel, gamma: 4 })),
  'sps-6': () => spec(speculativeSampling({ draftModel, gamma: 6 })),
  'sps-adaptive': () => spec(speculativeSampling({ draftModel, gamma: 4, adaptiveGamma: true })),
  'sps-4-worker': () => spec(speculativeSampling({ draftModel: workerDraft, gamma: 4 })),
  'pearl-4': () => spec(pearl({ draftModel, gamma: 4 })),
  'pearl-4-worker': () => spec(pearl({ draftModel: workerDraft, gamma: 4 })),
  'pearl-4-worker-post-only': () => spec(pearl({ draftModel: workerDraft, gamma: 4, preVerify: false })),
  // Both models in worker threads: the main thread only dispatches, so target and draft can overlap.
  'ar-worker-target': () => ({ strategy: autoregressive(), model: workerTarget }),
  'sps-4-both-worker': () => ({
    ...spec(speculativeSampling({ draftModel: workerDraft, gamma: 4 })),
    model: workerTarget,
  }),
  'pearl-4-both-worker': () => ({ ...spec(pearl({ draftModel: workerDraft, gamma: 4 })), model: workerTarget }),
  'specdec-pp': () => (head ? spec(specDecPlusPlus({ draftModel, acceptanceHead: head, threshold: 0.3 })) : undefined),
  'specdec-pp-0.5': () =>
    head ? spec(specDecPlusPlus({ draftModel, acceptanceHead: head, threshold: 0.5 })) : undefined,
  'specdec-pp-0.7': () =>
    head ? spec(specDecPlusPlus({ draftModel, acceptanceHead: head, threshold: 0.7 })) : undefined,
  'spectr-3x3': () =>
    spec(multiDraft({ draftModel, k: 3, depth: 3, mode: 'iid' }), greedy ? defaultVerifier() : specTrVerifier()),
  'rsd-3x3': () =>
    spec(
      multiDraft({ draftModel, k: 3, depth: 3, mode: 'without-replacement' }),
      greedy ? defaultVerifier() : recursiveSpeculativeVerifier(),
    ),
  'rsd-s-3x3': () =>
    spec(
      multiDraft({ draftModel, k: 3, depth: 3, mode: 'stochastic-beam' }),
      greedy ? defaultVerifier() : recursiveSpeculativeVerifier(),
    ),
  'vocabtrim-1024': () => spec(vocabTrim({ draftModel, keep: 1024, calibrationTokens: calibration, gamma: 4 })),
  'vocabtrim-256': () => spec(vocabTrim({ draftModel, keep: 256, calibrationTokens: calibration, gamma: 4 })),
};
function spec(drafter, verifier = defaultVerifier()) {
  return { strategy: speculative({ drafter, verifier }) };
}

const selected = values.methods ? values.methods.split(',') : Object.keys(methods);
if (selected.some((name) => name.endsWith('-worker')))
  workerDraft = await loadModel(tinyLmDraft, { ...sessionOptions, worker: true });

async function runOnce(name) {
  const made = methods[name]();
  if (!made) return undefined;
  const outputs = [];
  let committed = 0;
  let forwards = 0;
  let draftMs = 0;
  let verifyMs = 0;
  const drafted = [];
  const accepted = [];
  const start = performance.now();
  for (let p = 0; p < benchPrompts.length; p++) {
    const result = await generate({
      model: made.model ?? target,
      prompt: benchPrompts[p],
      maxNewTokens,
      stopTokens: [],
      sampler: sampler(),
      seed: p,
      strategy: made.strategy,
    });
    outputs.push(result.tokens);
    committed += result.stats.newTokens;
    forwards += result.stats.targetForwards;
    draftMs += result.stats.timeMs.draft;
    verifyMs += result.stats.timeMs.verify;
    result.stats.draftedByPosition.forEach((n, i) => {
      drafted[i] = (drafted[i] ?? 0) + n;
    });
    result.stats.acceptedByPosition.forEach((n, i) => {
      accepted[i] = (accepted[i] ?? 0) + n;
    });
  }
  return { ms: performance.now() - start, outputs, committed, forwards, draftMs, verifyMs, drafted, accepted };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// Cost of one forward after a 48-token prefix: the draft/target cost ratio that bounds any speedup.
async function forwardMs(model, blockLength) {
  const times = [];
  const sequence = model.openSequence();
  await sequence.forward({ tokens: benchPrompts[0] }, { logits: 'none' });
  const base = sequence.length;
  for (let i = 0; i < 40; i++) {
    const block = Array.from({ length: blockLength }, (_, j) => (i * 31 + j * 7) % 4000);
    const start = performance.now();
    await sequence.forward({ tokens: block }, { logits: 'all' });
    times.push(performance.now() - start);
    await sequence.truncate(base);
  }
  await sequence.dispose();
  return median(times);
}
const costs = {
  targetOneToken: await forwardMs(target, 1),
  targetFiveTokens: await forwardMs(target, 5),
  draftOneToken: await forwardMs(draftModel, 1),
};

// Warm-up (ORT session initialisation, JIT), then interleaved rounds.
for (const name of selected) await runOnce(name);
const samples = Object.fromEntries(selected.map((name) => [name, []]));
for (let round = 0; round < runs; round++) {
  for (const name of selected) {
    const sample = await runOnce(name);
    if (sample) samples[name].push(sample);
  }
}

const arMs = samples.ar?.length ? median(samples.ar.map((s) => s.ms)) : undefined;
const reference = samples.ar?.[0]?.outputs;
const rows = [];
for (const name of selected) {
  const list = samples[name];
  if (!list.length) {
    rows.push({ method: name, note: 'skipped (missing input, e.g. no trained specdec-head.json)' });
    continue;
  }
  const first = list[0];
  const ms = median(list.map((s) => s.ms));
  const tau = first.committed / first.forwards;
  const acceptance = first.drafted.slice(0, 8).map((n, i) => (n ? first.accepted[i] / n : 0));
  rows.push({
    method: name,
    medianMs: Math.round(ms),
    tokensPerSecond: +((first.committed / ms) * 1000).toFixed(1),
    speedup: arMs ? +(arMs / ms).toFixed(2) : undefined,
    tau: +tau.toFixed(2),
    draftMsMedian: Math.round(median(list.map((s) => s.draftMs))),
    verifyMsMedian: Math.round(median(list.map((s) => s.verifyMs))),
    acceptanceByPosition: acceptance.map((a) => +a.toFixed(2)),
    identicalToAr:
      greedy && reference
        ? first.outputs.every((o, i) => JSON.stringify(o) === JSON.stringify(reference[i]))
        : undefined,
  });
}

const { loadavg, cpus } = await import('node:os');
const header = `tiny-lm target + tiny-lm-draft, ${benchPrompts.length} prompts x ${maxNewTokens} tokens, ${
  greedy ? 'greedy' : `temperature ${temperatureValue}`
}, median of ${runs} rounds; ${cpus().length} CPUs, intra-op threads ${threads > 0 ? threads : 'default'}, load average at the end ${loadavg()
  .map((x) => x.toFixed(1))
  .join(' ')}`;
const lines = [
  header,
  '',
  `forward cost (median ms, after a 48-token prefix): target 1 token ${costs.targetOneToken.toFixed(2)}, target 5 tokens ${costs.targetFiveTokens.toFixed(2)}, draft 1 token ${costs.draftOneToken.toFixed(2)} (draft/target ratio ${(costs.draftOneToken / costs.targetOneToken).toFixed(2)})`,
  '',
  '| method | median ms | tokens/s | speedup vs AR | τ | draft ms | verify ms | acceptance by position (1..8) | greedy = AR |',
  '|---|---:|---:|---:|---:|---:|---:|---|---|',
  ...rows.map((r) =>
    r.note
      ? `| ${r.method} | ${r.note} |||||||`
      : `| ${r.method} | ${r.medianMs} | ${r.tokensPerSecond} | ${r.speedup ?? ''} | ${r.tau} | ${r.draftMsMedian} | ${r.verifyMsMedian} | ${r.acceptanceByPosition.join(' ')} | ${r.identicalToAr ?? ''} |`,
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);
if (values.json) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(values.json, JSON.stringify({ header, costs, rows }, null, 2));
}
await target.dispose();
await draftModel.dispose();
await workerDraft?.dispose();
await workerTarget?.dispose();
