#!/usr/bin/env node
// Image benchmark of @decodekit/visual-ar: raster AR vs Speculative Jacobi Decoding vs NAR on the tiny image
// models of @decodekit/models-tiny, in one process, at matched sampling settings. Methods run interleaved per
// image (so machine-load drift hits all of them alike); records forward steps and wall time per image, then
// decodes every image with the VQ decoder and scores each method's set with the classifier judge (class
// accuracy, Fréchet distance of the penultimate features to the real test split).
//
// Usage (after `pnpm --filter @decodekit/visual-ar build`):
//   node packages/visual-ar/bench/image-bench.mjs [--count 216] [--cfg 2] [--top-k 0] [--top-p 1]
//        [--temperature 1] [--window 16] [--seed 0] [--methods raster,sjd,sjd-repeat,nar]
//        [--json docs/benchmarks/images.json] [--images docs/images] [--models DIR]
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createRng } from '@decodekit/core';
import * as tiny from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import {
  encodePng,
  generateNar,
  generateRaster,
  generateSjd,
  imageGrid,
  loadImageJudge,
  loadNarModel,
  loadVqDecoder,
  readImageLayout,
} from '@decodekit/visual-ar';
import { machineInfo, writeReport } from './report.mjs';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '216' },
    cfg: { type: 'string', default: '2' },
    'top-k': { type: 'string', default: '0' },
    'top-p': { type: 'string', default: '1' },
    temperature: { type: 'string', default: '1' },
    window: { type: 'string', default: '16' },
    seed: { type: 'string', default: '0' },
    methods: { type: 'string', default: 'raster,sjd,sjd-repeat,nar' },
    json: { type: 'string' },
    images: { type: 'string' },
    models: { type: 'string' },
  },
});

const root = values.models ? resolve(values.models) : dirname(tiny.tinyLm);
const dirs = {
  ar: values.models ? join(root, 'image-ar') : (tiny.imageAr ?? join(root, 'image-ar')),
  nar: values.models ? join(root, 'image-nar') : (tiny.imageNar ?? join(root, 'image-nar')),
  vq: values.models ? join(root, 'image-vq') : (tiny.imageVq ?? join(root, 'image-vq')),
  classifier: values.models ? join(root, 'image-classifier') : (tiny.imageClassifier ?? join(root, 'image-classifier')),
};
const count = Number(values.count);
const window = Number(values.window);
const sampling = {
  topK: Number(values['top-k']),
  topP: Number(values['top-p']),
  temperature: Number(values.temperature),
};
const guidance = { scale: Number(values.cfg) };
const seed = Number(values.seed);
const methodNames = values.methods.split(',').map((m) => m.trim());

const ar = await loadModel(dirs.ar, { intraOpNumThreads: 1 });
const nar = await loadNarModel(dirs.nar, { intraOpNumThreads: 1 });
const vq = await loadVqDecoder(dirs.vq, { intraOpNumThreads: 1 });
const judge = await loadImageJudge(dirs.classifier, { intraOpNumThreads: 1 });
const layout = await readImageLayout(dirs.ar);
const narLayout = await readImageLayout(dirs.nar);

const runners = {
  raster: (options) => generateRaster(ar, options),
  sjd: (options) => generateSjd(ar, { ...options, window, initialisation: 'random' }),
  'sjd-repeat': (options) => generateSjd(ar, { ...options, window, initialisation: 'repeat-horizon' }),
  'sjd-sample': (options) => generateSjd(ar, { ...options, window, initialisation: 'sample-horizon' }),
  nar: (options) => generateNar(nar, { ...options, layout: narLayout }),
};
// `sjd@8`, `sjd-repeat@32`, ...: an SJD variant with another window.
for (const name of methodNames) {
  const [base, w] = name.split('@');
  if (w !== undefined && base.startsWith('sjd') && runners[base]) {
    const init = { sjd: 'random', 'sjd-repeat': 'repeat-horizon', 'sjd-sample': 'sample-horizon' }[base];
    runners[name] = (options) => generateSjd(ar, { ...options, window: Number(w), initialisation: init });
  }
  if (!runners[name]) throw new Error(`unknown method ${name}`);
}
if (!methodNames.includes('raster')) throw new Error('raster is the baseline: include it in --methods');

const records = Object.fromEntries(methodNames.map((m) => [m, { tokens: [], steps: [], ms: [], labels: [] }]));
// Warm-up: one image per method (session initialisation, JIT), not recorded.
for (const name of methodNames) await runners[name]({ layout, classIndex: 0, seed: 12345, sampling, guidance });

const started = performance.now();
for (let n = 0; n < count; n++) {
  const classIndex = n % layout.numClasses;
  // Rotate the method order per image so no method always runs first after a pause.
  for (let m = 0; m < methodNames.length; m++) {
    const name = methodNames[(n + m) % methodNames.length];
    const result = await runners[name]({
      layout,
      classIndex,
      rng: createRng(seed * 1_000_003 + n),
      sampling,
      guidance,
    });
    const record = records[name];
    record.tokens.push(result.tokens);
    record.steps.push(result.forwardSteps);
    record.ms.push(result.wallTimeMs);
    record.labels.push(classIndex);
  }
  if ((n + 1) % 20 === 0 || n + 1 === count) {
    process.stderr.write(`[${n + 1}/${count}] ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  }
}
const generationSeconds = (performance.now() - started) / 1000;

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

const rasterMs = records.raster.ms;
const results = {};
for (const name of methodNames) {
  const r = records[name];
  // Decode and judge in chunks (memory).
  const chunks = [];
  for (let i = 0; i < r.tokens.length; i += 64) chunks.push(await vq.decode(r.tokens.slice(i, i + 64)));
  const size = chunks[0].size;
  const data = new Float32Array(chunks.reduce((s, c) => s + c.data.length, 0));
  let offset = 0;
  for (const c of chunks) {
    data.set(c.data, offset);
    offset += c.data.length;
  }
  const quality = await judge.evaluate({ count: r.tokens.length, size, data }, r.labels);
  // Per-image speed ratio to raster on the same image index (same class, same seed, adjacent in time).
  const ratios = r.ms.map((ms, i) => rasterMs[i] / ms);
  results[name] = {
    images: r.tokens.length,
    forwardStepsPerImage: {
      mean: mean(r.steps),
      median: median(r.steps),
      min: Math.min(...r.steps),
      max: Math.max(...r.steps),
    },
    tokensPerStep: (r.tokens[0].length * r.tokens.length) / r.steps.reduce((a, b) => a + b, 0),
    stepReductionVsRaster: mean(records.raster.steps) / mean(r.steps),
    wallMsPerImage: { mean: mean(r.ms), median: median(r.ms), p10: quantile(r.ms, 0.1), p90: quantile(r.ms, 0.9) },
    speedupVsRaster: {
      ofMeans: mean(rasterMs) / mean(r.ms),
      medianPerImage: median(ratios),
      p10: quantile(ratios, 0.1),
      p90: quantile(ratios, 0.9),
    },
    classAccuracy: quality.classAccuracy,
    frechetDistance: quality.frechetDistance,
  };
  if (values.images) {
    // One image per class (the first `numClasses` images), as a 9-column grid.
    const shown = Math.min(r.tokens.length, layout.numClasses);
    const rgba = await vq.decodeRgba(r.tokens.slice(0, shown));
    const grid = imageGrid(rgba, { columns: 9, scale: 2, padding: 2 });
    await mkdir(resolve(values.images), { recursive: true });
    await writeFile(join(resolve(values.images), `visual-ar-${name.replace('@', '-w')}.png`), encodePng(grid));
  }
}

let fdFloor;
try {
  fdFloor = JSON.parse(await readFile(join(dirs.classifier, 'config.json'), 'utf8')).fd_test_half_vs_half;
} catch {
  fdFloor = undefined;
}
// Which model files were measured (the tiny models are retrained from time to time).
const modelFiles = {};
for (const file of [
  join(dirs.ar, 'onnx', 'model.onnx'),
  join(dirs.nar, 'nar.onnx'),
  join(dirs.vq, 'decoder.onnx'),
  join(dirs.classifier, 'model.onnx'),
]) {
  modelFiles[relative(process.cwd(), file)] = createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}
const trainSteps = {
  ar: JSON.parse(await readFile(join(dirs.ar, 'image_config.json'), 'utf8')).train_steps,
  nar: JSON.parse(await readFile(join(dirs.nar, 'image_config.json'), 'utf8')).train_steps,
};
const report = {
  command: `node packages/visual-ar/bench/image-bench.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  date: new Date().toISOString(),
  models: Object.fromEntries(Object.entries(dirs).map(([k, v]) => [k, relative(process.cwd(), v)])),
  modelFiles,
  trainSteps,
  settings: { count, sampling, guidance, window, seed, methods: methodNames, threads: 1 },
  machine: machineInfo(),
  judge: {
    referenceTestAccuracy: judge.referenceAccuracy,
    frechetFloorTestHalfVsHalf: fdFloor,
    featureDim: judge.featureDim,
  },
  generationSeconds,
  results,
};
await writeReport(report, values.json);
await Promise.all([ar.dispose(), nar.dispose(), vq.dispose(), judge.dispose()]);
