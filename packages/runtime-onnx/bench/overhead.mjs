#!/usr/bin/env node
// Runtime overhead benchmark of @decodekit/runtime-onnx (run after `pnpm --filter @decodekit/runtime-onnx build`):
//
//   node bench/overhead.mjs [modelDir] [--runs 5] [--tokens 128] [--threads 1] [--json out.json]
//
// Every figure is the median of --runs runs in this one process, so ratios are comparable.
// 1. Greedy decoding tokens/s: a minimal hand-written onnxruntime-node loop, decodekit's
//    Sequence.forward loop, and core's generate() (sampler chain and statistics included).
// 2. Verify cost: one forward of k = 1, 2, 4, 8, 16 tokens after a cache of 64 / 256 / 480 tokens.
// 3. Event-loop responsiveness: the largest gap of a 1 ms setInterval while generating, in-thread vs worker.
// 4. transformers.js on the same directory, if @huggingface/transformers is installed.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generate } from '@decodekit/core';
import * as ort from 'onnxruntime-node';
import { loadModel } from '../dist/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '5' },
    tokens: { type: 'string', default: '128' },
    threads: { type: 'string', default: '1' },
    json: { type: 'string' },
  },
});
const directory = positionals[0] ?? fileURLToPath(new URL('../../models-tiny/models/tiny-lm', import.meta.url));
const runs = Number(values.runs);
const newTokens = Number(values.tokens);
const threads = Number(values.threads);
const promptLength = 32;
const prompt = Array.from({ length: promptLength }, (_, i) => 256 + ((i * 37) % 1024));

const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const argmax = (row) => {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
};
const results = { directory, runs, newTokens, threads, promptLength, node: process.version, ort: ort.env.versions?.node ?? '1.30' };

// ---- 1. greedy tokens/s --------------------------------------------------------------------
// Each loop is a generator of steps, so the hand-written loop and decodekit's loop can run in
// lockstep (one step of each in turn): background load then hits both alike.
function* handWrittenSteps(session, config, clock) {
  // The smallest correct loop: feed the prompt, then one token per run, present -> past.
  const layers = config.num_hidden_layers;
  const kvHeads = config.num_key_value_heads;
  const headDim = config.head_dim ?? config.hidden_size / config.num_attention_heads;
  let past = {};
  for (let i = 0; i < layers; i++) {
    for (const kind of ['key', 'value']) {
      past[`past_key_values.${i}.${kind}`] = new ort.Tensor('float32', new Float32Array(0), [1, kvHeads, 0, headDim]);
    }
  }
  let ids = prompt;
  let length = 0;
  const out = [];
  for (let step = 0; step < newTokens; step++) {
    const count = ids.length;
    yield (async () => {
      const start = performance.now();
      const feeds = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, count]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(length + count).fill(1n), [1, length + count]),
        position_ids: new ort.Tensor('int64', BigInt64Array.from({ length: count }, (_, i) => BigInt(length + i)), [1, count]),
        ...past,
      };
      const result = await session.run(feeds);
      const vocab = result.logits.dims[2];
      const next = argmax(result.logits.data.subarray((count - 1) * vocab, count * vocab));
      out.push(next);
      past = {};
      for (let i = 0; i < layers; i++) {
        past[`past_key_values.${i}.key`] = result[`present.${i}.key`];
        past[`past_key_values.${i}.value`] = result[`present.${i}.value`];
      }
      length += count;
      ids = [next];
      clock.ms += performance.now() - start;
    })();
  }
  return out;
}

function* sequenceSteps(model, clock) {
  const sequence = model.openSequence();
  const out = [];
  let tokens = prompt;
  for (let step = 0; step < newTokens; step++) {
    yield (async () => {
      const start = performance.now();
      const output = await sequence.forward({ tokens }, { logits: 'last' });
      const next = argmax(output.logits.data);
      out.push(next);
      tokens = [next];
      clock.ms += performance.now() - start;
    })();
  }
  sequence.dispose();
  return out;
}

/** Runs step generators in lockstep; returns each one's token list. */
async function lockstep(...loops) {
  const outputs = loops.map(() => undefined);
  for (;;) {
    let active = false;
    for (let i = 0; i < loops.length; i++) {
      if (outputs[i] !== undefined) continue;
      const next = loops[i].next();
      if (next.done) outputs[i] = next.value;
      else {
        active = true;
        await next.value;
      }
    }
    if (!active) return outputs;
  }
}

async function sequenceLoop(model) {
  const clock = { ms: 0 };
  const [tokens] = await lockstep(sequenceSteps(model, clock));
  return { ms: clock.ms, tokens };
}

async function generateLoop(model) {
  const start = performance.now();
  const result = await generate({ model, prompt, maxNewTokens: newTokens, stopTokens: [] });
  return { ms: performance.now() - start, tokens: result.tokens };
}

const { readFile } = await import('node:fs/promises');
const config = JSON.parse(await readFile(`${directory}/config.json`, 'utf8'));
const sessionOptions = { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' };
const session = await ort.InferenceSession.create(`${directory}/onnx/model.onnx`, sessionOptions);
const model = await loadModel(directory, { intraOpNumThreads: threads });
const timings = { handWritten: [], sequence: [], generate: [] };
let reference;
await lockstep(handWrittenSteps(session, config, { ms: 0 }), sequenceSteps(model, { ms: 0 })); // warm-up
for (let run = 0; run < runs; run++) {
  const handClock = { ms: 0 };
  const sequenceClock = { ms: 0 };
  const [a, b] = await lockstep(handWrittenSteps(session, config, handClock), sequenceSteps(model, sequenceClock));
  const c = await generateLoop(model);
  reference ??= a;
  if (b.join() !== a.join() || c.tokens.join() !== a.join()) throw new Error('greedy tokens differ between loops');
  timings.handWritten.push(handClock.ms);
  timings.sequence.push(sequenceClock.ms);
  timings.generate.push(c.ms);
}
const tps = (ms) => (newTokens / ms) * 1000;
results.greedy = {
  handWrittenTokensPerSecond: tps(median(timings.handWritten)),
  sequenceTokensPerSecond: tps(median(timings.sequence)),
  generateTokensPerSecond: tps(median(timings.generate)),
  sequenceOverheadPercent: (median(timings.sequence) / median(timings.handWritten) - 1) * 100,
  generateOverheadPercent: (median(timings.generate) / median(timings.handWritten) - 1) * 100,
  medianMs: { handWritten: median(timings.handWritten), sequence: median(timings.sequence), generate: median(timings.generate) },
};
await session.release();

// ---- 2. verify cost curve ----------------------------------------------------------------------
const contexts = [64, 256, Math.min(480, model.contextLength - 16)];
const blockSizes = [1, 2, 4, 8, 16];
results.verifyCostMs = {};
for (const context of contexts) {
  const sequence = model.openSequence();
  await sequence.forward({ tokens: Array.from({ length: context }, (_, i) => 256 + ((i * 53) % 2048)) }, { logits: 'none' });
  const row = {};
  for (const k of blockSizes) {
    const block = Array.from({ length: k }, (_, i) => 300 + i);
    const samples = [];
    await sequence.forward({ tokens: block }, { logits: 'all' });
    await sequence.truncate(context);
    for (let run = 0; run < Math.max(runs, 7); run++) {
      const start = performance.now();
      await sequence.forward({ tokens: block }, { logits: 'all' });
      samples.push(performance.now() - start);
      await sequence.truncate(context);
    }
    row[k] = median(samples);
  }
  results.verifyCostMs[context] = row;
  await sequence.dispose();
}

// ---- 3. event-loop responsiveness ----------------------------------------------------------
async function maxTimerGap(target) {
  const gaps = [];
  for (let run = 0; run < runs; run++) {
    let last = performance.now();
    let worst = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
      ticks++;
    }, 1);
    const start = performance.now();
    await sequenceLoop(target);
    const elapsed = performance.now() - start;
    clearInterval(timer);
    gaps.push({ worst, ticks, elapsed });
  }
  return {
    maxGapMs: median(gaps.map((g) => g.worst)),
    ticksPerSecond: median(gaps.map((g) => (g.ticks / g.elapsed) * 1000)),
    tokensPerSecond: tps(median(gaps.map((g) => g.elapsed))),
  };
}
const workerModel = await loadModel(directory, { intraOpNumThreads: threads, worker: true });
await sequenceLoop(workerModel); // warm-up
results.eventLoop = { inThread: await maxTimerGap(model), worker: await maxTimerGap(workerModel) };
await workerModel.dispose();
await model.dispose();

// ---- 4. transformers.js ------------------------------------------------------------------------
try {
  const transformers = await import('@huggingface/transformers');
  transformers.env.allowRemoteModels = false;
  transformers.env.localModelPath = `${directory}/..`;
  const name = directory.split('/').filter(Boolean).pop();
  const lm = await transformers.AutoModelForCausalLM.from_pretrained(name, { dtype: 'fp32' });
  const input = new transformers.Tensor('int64', BigInt64Array.from(prompt, BigInt), [1, prompt.length]);
  const samples = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    await lm.generate({ input_ids: input, max_new_tokens: newTokens, min_new_tokens: newTokens, do_sample: false });
    samples.push(performance.now() - start);
  }
  results.transformersJs = { tokensPerSecond: tps(median(samples)) };
} catch (error) {
  results.transformersJs = { unavailable: String(error?.message ?? error).split('\n')[0] };
}

const show = (value) => (typeof value === 'number' ? Number(value.toFixed(2)) : value);
console.log(JSON.stringify(results, (_, value) => show(value), 2));
if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2));
