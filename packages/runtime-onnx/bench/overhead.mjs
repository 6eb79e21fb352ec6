#!/usr/bin/env node
// Runtime overhead benchmark of @decodekit/runtime-onnx (run after `pnpm --filter @decodekit/runtime-onnx build`):
//
//   node --expose-gc bench/overhead.mjs [modelDir] [--runs 5] [--tokens 128] [--threads 1] [--json out.json] [--transformers DIR]
//
// Every figure is the median of --runs runs in this one process, so ratios are comparable.
// 1. Greedy decoding tokens/s: a minimal hand-written onnxruntime-node loop and decodekit's
//    Sequence.forward loop, in lockstep (one step each in turn) and each alone, and core's
//    generate() (sampler chain and statistics included).
// 2. Verify cost: one forward of k = 1, 2, 4, 8, 16 tokens after a cache of 64 / 256 / 480 tokens.
// 3. Event-loop responsiveness: the largest gap of a 1 ms setInterval while generating, in-thread vs worker.
//    transformers.js on the same directory joins those rounds, if @huggingface/transformers is installed
//    (or found under --transformers DIR).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
    transformers: { type: 'string' },
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
/** A full collection between measurements when node runs with --expose-gc (recommended). */
const collectGarbage = () => globalThis.gc?.();
/** CPU milliseconds (user + system, all threads of this process) since `since`. */
const cpuMs = (since) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const argmax = (row) => {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
};
const results = {
  directory,
  runs,
  newTokens,
  threads,
  promptLength,
  exposeGc: typeof globalThis.gc === 'function',
  node: process.version,
  ort: ort.env.versions?.node ?? '1.30',
};

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
      const cpu = process.cpuUsage();
      const feeds = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, count]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(length + count).fill(1n), [1, length + count]),
        position_ids: new ort.Tensor(
          'int64',
          BigInt64Array.from({ length: count }, (_, i) => BigInt(length + i)),
          [1, count],
        ),
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
      clock.cpuMs += cpuMs(cpu);
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
      const cpu = process.cpuUsage();
      const output = await sequence.forward({ tokens }, { logits: 'last' });
      const next = argmax(output.logits.data);
      out.push(next);
      tokens = [next];
      clock.ms += performance.now() - start;
      clock.cpuMs += cpuMs(cpu);
    })();
  }
  sequence.dispose();
  return out;
}

/** Runs step generators in lockstep, reversing the order every step; returns each one's result. */
async function lockstep(...loops) {
  const outputs = loops.map(() => undefined);
  for (let step = 0; ; step++) {
    let active = false;
    const order = loops.map((_, i) => i);
    if (step % 2 === 1) order.reverse();
    for (const i of order) {
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
  const clock = { ms: 0, cpuMs: 0 };
  const [tokens] = await lockstep(sequenceSteps(model, clock));
  return { ms: clock.ms, tokens };
}

async function generateLoop(model) {
  const start = performance.now();
  const result = await generate({ model, prompt, maxNewTokens: newTokens, stopTokens: [] });
  return { ms: performance.now() - start, tokens: result.tokens };
}

// Optional: --transformers DIR names a folder whose node_modules holds @huggingface/transformers
// (it is not a dependency of this package). It loads the same directory offline and runs in the
// same rounds as decodekit's generate(), so both see the same machine load.
async function loadTransformersJs() {
  try {
    const from = values.transformers
      ? createRequire(`${values.transformers}/`).resolve('@huggingface/transformers')
      : '@huggingface/transformers';
    const transformers = await import(from.startsWith('/') ? pathToFileURL(from).href : from);
    transformers.env.allowRemoteModels = false;
    transformers.env.allowLocalModels = true;
    transformers.env.localModelPath = `${dirname(directory)}/`;
    const lm = await transformers.AutoModelForCausalLM.from_pretrained(basename(directory), {
      dtype: 'fp32',
      session_options: { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' },
    });
    const input_ids = new transformers.Tensor('int64', BigInt64Array.from(prompt, BigInt), [1, prompt.length]);
    const mask = new transformers.Tensor('int64', new BigInt64Array(prompt.length).fill(1n), [1, prompt.length]);
    const run = async () => {
      const start = performance.now();
      const output = await lm.generate({
        input_ids,
        attention_mask: mask,
        max_new_tokens: newTokens,
        min_new_tokens: newTokens,
        do_sample: false,
      });
      return { ms: performance.now() - start, tokens: output.tolist()[0].slice(prompt.length).map(Number) };
    };
    return { version: transformers.env.version, run, dispose: () => lm.dispose?.() };
  } catch (error) {
    return { unavailable: String(error?.message ?? error).split('\n')[0] };
  }
}

const { readFile } = await import('node:fs/promises');
const config = JSON.parse(await readFile(`${directory}/config.json`, 'utf8'));
const sessionOptions = {
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
};
const session = await ort.InferenceSession.create(`${directory}/onnx/model.onnx`, sessionOptions);
const model = await loadModel(directory, { intraOpNumThreads: threads });
const transformersJs = await loadTransformersJs();
const timings = {
  handWritten: [],
  sequence: [],
  handWrittenCpu: [],
  sequenceCpu: [],
  handWrittenAlone: [],
  sequenceAlone: [],
  generate: [],
  transformersJs: [],
};
let transformersSameTokens;
await lockstep(handWrittenSteps(session, config, { ms: 0, cpuMs: 0 }), sequenceSteps(model, { ms: 0, cpuMs: 0 })); // warm-up
await generateLoop(model);
if (transformersJs.run) await transformersJs.run();
for (let run = 0; run < runs; run++) {
  // Lockstep pair: the precise overhead figure (same load, same step sizes).
  const handClock = { ms: 0, cpuMs: 0 };
  const sequenceClock = { ms: 0, cpuMs: 0 };
  collectGarbage();
  const [a, b] = await lockstep(handWrittenSteps(session, config, handClock), sequenceSteps(model, sequenceClock));
  if (b.join() !== a.join()) throw new Error('greedy tokens differ between loops');
  timings.handWritten.push(handClock.ms);
  timings.sequence.push(sequenceClock.ms);
  timings.handWrittenCpu.push(handClock.cpuMs);
  timings.sequenceCpu.push(sequenceClock.cpuMs);
  // Each loop alone (no cache sharing with another loop), in the same round, the order rotated
  // every round so that no variant always pays for the garbage or cache state of the one before.
  const alone = [
    async () => {
      const clock = { ms: 0, cpuMs: 0 };
      await lockstep(handWrittenSteps(session, config, clock));
      timings.handWrittenAlone.push(clock.ms);
    },
    async () => {
      const clock = { ms: 0, cpuMs: 0 };
      await lockstep(sequenceSteps(model, clock));
      timings.sequenceAlone.push(clock.ms);
    },
    async () => {
      const c = await generateLoop(model);
      if (c.tokens.join() !== a.join()) throw new Error('generate() tokens differ from the hand-written loop');
      timings.generate.push(c.ms);
    },
  ];
  if (transformersJs.run) {
    alone.push(async () => {
      const t = await transformersJs.run();
      transformersSameTokens ??= t.tokens.join() === a.join();
      timings.transformersJs.push(t.ms);
    });
  }
  for (let k = 0; k < alone.length; k++) {
    collectGarbage();
    await alone[(run + k) % alone.length]();
  }
}
const tps = (ms) => (newTokens / ms) * 1000;
results.greedy = {
  // Lockstep pair (one step of each in turn): wall and CPU overhead of decodekit's Sequence loop.
  lockstep: {
    handWrittenTokensPerSecond: tps(median(timings.handWritten)),
    sequenceTokensPerSecond: tps(median(timings.sequence)),
    sequenceOverheadPercent: (median(timings.sequence) / median(timings.handWritten) - 1) * 100,
    // CPU time (all threads of this process) is far less sensitive to other processes than wall time.
    sequenceCpuOverheadPercent: (median(timings.sequenceCpu) / median(timings.handWrittenCpu) - 1) * 100,
    medianCpuMs: { handWritten: median(timings.handWrittenCpu), sequence: median(timings.sequenceCpu) },
  },
  // Each loop alone, all four in every round.
  alone: {
    handWrittenTokensPerSecond: tps(median(timings.handWrittenAlone)),
    sequenceTokensPerSecond: tps(median(timings.sequenceAlone)),
    generateTokensPerSecond: tps(median(timings.generate)),
    sequenceOverheadPercent: (median(timings.sequenceAlone) / median(timings.handWrittenAlone) - 1) * 100,
    generateOverheadPercent: (median(timings.generate) / median(timings.handWrittenAlone) - 1) * 100,
  },
};
results.transformersJs = transformersJs.run
  ? {
      version: transformersJs.version,
      tokensPerSecond: tps(median(timings.transformersJs)),
      sameGreedyTokens: transformersSameTokens,
    }
  : { unavailable: transformersJs.unavailable };
await transformersJs.dispose?.();
await session.release();

// ---- 2. verify cost curve ----------------------------------------------------------------------
// One sequence per context; every round measures each (context, k) once, so load drifts spread
// over all cells instead of skewing one.
const contexts = [64, 256, Math.min(480, model.contextLength - 16)];
const blockSizes = [1, 2, 4, 8, 16];
const verifyRounds = Math.max(runs, 15);
const verifySequences = [];
for (const context of contexts) {
  const sequence = model.openSequence();
  await sequence.forward(
    { tokens: Array.from({ length: context }, (_, i) => 256 + ((i * 53) % 2048)) },
    { logits: 'none' },
  );
  verifySequences.push(sequence);
}
const verifySamples = contexts.map(() => blockSizes.map(() => []));
const verifyCpuSamples = contexts.map(() => blockSizes.map(() => []));
for (let round = -1; round < verifyRounds; round++) {
  for (let c = 0; c < contexts.length; c++) {
    for (let b = 0; b < blockSizes.length; b++) {
      const block = Array.from({ length: blockSizes[b] }, (_, i) => 300 + i);
      const start = performance.now();
      const cpu = process.cpuUsage();
      await verifySequences[c].forward({ tokens: block }, { logits: 'all' });
      const elapsed = performance.now() - start;
      const cpuElapsed = cpuMs(cpu);
      await verifySequences[c].truncate(contexts[c]);
      if (round >= 0) {
        // round -1 warms up
        verifySamples[c][b].push(elapsed);
        verifyCpuSamples[c][b].push(cpuElapsed);
      }
    }
  }
}
results.verifyCostMs = {};
results.verifyCostCpuMs = {};
contexts.forEach((context, c) => {
  results.verifyCostMs[context] = Object.fromEntries(blockSizes.map((k, b) => [k, median(verifySamples[c][b])]));
  results.verifyCostCpuMs[context] = Object.fromEntries(blockSizes.map((k, b) => [k, median(verifyCpuSamples[c][b])]));
});
for (const sequence of verifySequences) sequence.dispose();

// ---- 3. event-loop responsiveness ----------------------------------------------------------
async function timerGap(target) {
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
  return { worst, ticks, elapsed };
}
const workerModel = await loadModel(directory, { intraOpNumThreads: threads, worker: true });
await sequenceLoop(workerModel); // warm-up
const gaps = { inThread: [], worker: [] };
for (let run = 0; run < runs; run++) {
  gaps.inThread.push(await timerGap(model));
  gaps.worker.push(await timerGap(workerModel));
}
const summarize = (list) => ({
  maxGapMs: median(list.map((g) => g.worst)),
  ticksPerSecond: median(list.map((g) => (g.ticks / g.elapsed) * 1000)),
  tokensPerSecond: tps(median(list.map((g) => g.elapsed))),
});
results.eventLoop = { inThread: summarize(gaps.inThread), worker: summarize(gaps.worker) };
await workerModel.dispose();
await model.dispose();

const show = (value) => (typeof value === 'number' ? Number(value.toFixed(2)) : value);
console.log(JSON.stringify(results, (_, value) => show(value), 2));
if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2));
