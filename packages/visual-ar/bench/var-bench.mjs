#!/usr/bin/env node
// Image benchmark of next-scale prediction (issue #12): VAR-large, VAR-small and CoDe (large drafter, small refiner)
// at several split points, next to the token-by-token methods of issue #11 (raster AR, SJD, NAR), in one process.
// Methods run interleaved per image (load drift hits all alike; the order rotates per image); records wall time per
// image and forward steps, decodes every image with its tokenizer and scores each method's set with the classifier
// judge (class accuracy, Fréchet distance of the penultimate features to the real test split). Then peak memory:
// one child process per method (only that method's models loaded) reports its peak RSS over `--memory-count` images,
// next to a child that loads nothing; VAR/CoDe also report the peak KV cache they hold.
//
// Usage (after `pnpm --filter @decodekit/visual-ar build`):
//   node packages/visual-ar/bench/var-bench.mjs [--count 216] [--cfg 2] [--var-cfg 3] [--top-k 0] [--top-p 1]
//        [--temperature 1] [--seed 0] [--methods raster,sjd@8,nar,var-large,var-small,code@2,code@3,code@4,code@5]
//        [--memory-count 24] [--json docs/benchmarks/images-var.json] [--images docs/images] [--models DIR]
// VAR's guidance ramps linearly over the scales from 1 to --var-cfg (VAR's schedule); raster/SJD/NAR use --cfg at
// every token (their papers' form). Baseline for the speedups: var-large (CoDe's claim) and raster.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRng } from '@decodekit/core';
import * as tiny from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import {
  encodePng,
  generateCode,
  generateNar,
  generateRaster,
  generateSjd,
  generateVar,
  imageGrid,
  loadImageJudge,
  loadMultiScaleVq,
  loadNarModel,
  loadVarModel,
  loadVqDecoder,
  readImageLayout,
} from '@decodekit/visual-ar';
import { machineInfo, writeReport } from './report.mjs';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '216' },
    cfg: { type: 'string', default: '2' },
    'var-cfg': { type: 'string', default: '3' },
    'top-k': { type: 'string', default: '0' },
    'top-p': { type: 'string', default: '1' },
    temperature: { type: 'string', default: '1' },
    seed: { type: 'string', default: '0' },
    methods: { type: 'string', default: 'raster,sjd@8,nar,var-large,var-small,code@2,code@3,code@4,code@5' },
    'memory-count': { type: 'string', default: '24' },
    'memory-probe': { type: 'string' },
    json: { type: 'string' },
    images: { type: 'string' },
    models: { type: 'string' },
  },
});

const root = values.models ? resolve(values.models) : dirname(tiny.imageVq);
const dirs = {
  ar: join(root, 'image-ar'),
  nar: join(root, 'image-nar'),
  vq: join(root, 'image-vq'),
  classifier: join(root, 'image-classifier'),
  varVq: join(root, 'image-var-vq'),
  varLarge: join(root, 'image-var-large'),
  varSmall: join(root, 'image-var-small'),
};
const count = Number(values.count);
const sampling = {
  topK: Number(values['top-k']),
  topP: Number(values['top-p']),
  temperature: Number(values.temperature),
};
const guidance = { scale: Number(values.cfg) };
const varGuidance = { scale: Number(values['var-cfg']), schedule: 'linear' };
const seed = Number(values.seed);
const probe = values['memory-probe'];
const methodNames = (probe ? [probe] : values.methods.split(',')).map((m) => m.trim()).filter((m) => m !== 'none');

// Load only what the methods need (the memory probes rely on it).
const needs = (pred) => methodNames.some(pred);
const isVar = (m) => m.startsWith('var-') || m.startsWith('code@');
const ar = needs((m) => m === 'raster' || m.startsWith('sjd'))
  ? await loadModel(dirs.ar, { intraOpNumThreads: 1 })
  : undefined;
const nar = needs((m) => m === 'nar') ? await loadNarModel(dirs.nar, { intraOpNumThreads: 1 }) : undefined;
const large = needs((m) => m === 'var-large' || m.startsWith('code@')) ? await loadVarModel(dirs.varLarge) : undefined;
const small = needs((m) => m === 'var-small' || m.startsWith('code@')) ? await loadVarModel(dirs.varSmall) : undefined;
const vq = needs((m) => !isVar(m)) ? await loadVqDecoder(dirs.vq, { intraOpNumThreads: 1 }) : undefined;
const msvq = needs(isVar) ? await loadMultiScaleVq(dirs.varVq, { intraOpNumThreads: 1 }) : undefined;
const layout = ar || nar ? await readImageLayout(dirs.ar) : undefined;
const narLayout = nar ? await readImageLayout(dirs.nar) : undefined;
const numClasses = 36;

const runners = {};
for (const name of methodNames) {
  const [base, arg] = name.split('@');
  if (base === 'raster') runners[name] = (o) => generateRaster(ar, { ...o, layout, guidance });
  else if (base === 'sjd') {
    const window = Number(arg ?? 16);
    runners[name] = (o) => generateSjd(ar, { ...o, layout, guidance, window, initialisation: 'random' });
  } else if (base === 'nar') runners[name] = (o) => generateNar(nar, { ...o, layout: narLayout, guidance });
  else if (base === 'var-large') runners[name] = (o) => generateVar(large, msvq, { ...o, guidance: varGuidance });
  else if (base === 'var-small') runners[name] = (o) => generateVar(small, msvq, { ...o, guidance: varGuidance });
  else if (base === 'code') {
    const split = Number(arg);
    runners[name] = (o) => generateCode(large, small, msvq, { ...o, split, guidance: varGuidance });
  } else throw new Error(`unknown method ${name}`);
}

/**
 * Peak resident set size of this process. Linux's VmHWM starts afresh at exec; getrusage's maxRSS does not (a child
 * inherits the parent's peak across fork + exec, which made every probe report the parent's 150 MB).
 */
function peakRss() {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) * 1024;
  } catch {
    // not Linux: fall back to the current RSS
  }
  return process.memoryUsage().rss;
}

if (probe) {
  // Child process: generate a few images with one method, report peak RSS.
  const n = Number(values['memory-count']);
  for (let i = 0; i < n; i++) await runners[probe]?.({ classIndex: i % numClasses, rng: createRng(i), sampling });
  process.stdout.write(`${JSON.stringify({ method: probe, maxRssBytes: peakRss() })}\n`);
  process.exit(0);
}

const records = Object.fromEntries(
  methodNames.map((m) => [m, { tokens: [], steps: [], ms: [], labels: [], cache: [], modelTokens: [] }]),
);
for (const name of methodNames) await runners[name]({ classIndex: 0, seed: 12345, sampling }); // warm-up

const started = performance.now();
for (let n = 0; n < count; n++) {
  const classIndex = n % numClasses;
  for (let m = 0; m < methodNames.length; m++) {
    const name = methodNames[(n + m) % methodNames.length];
    const result = await runners[name]({ classIndex, rng: createRng(seed * 1_000_003 + n), sampling });
    const r = records[name];
    r.tokens.push(result.tokens);
    r.steps.push(result.forwardSteps);
    r.ms.push(result.wallTimeMs);
    r.labels.push(classIndex);
    if (result.peakCacheBytes !== undefined) r.cache.push(result.peakCacheBytes);
    if (Array.isArray(result.modelTokens)) r.modelTokens.push(result.modelTokens);
  }
  if ((n + 1) % 24 === 0 || n + 1 === count) {
    process.stderr.write(`[${n + 1}/${count}] ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  }
}
const generationSeconds = (performance.now() - started) / 1000;

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
};
const median = (xs) => quantile(xs, 0.5);
const perImageSpeedup = (baseline, name) => {
  if (!records[baseline]) return undefined;
  const ratios = records[name].ms.map((ms, i) => records[baseline].ms[i] / ms);
  return {
    median: median(ratios),
    p10: quantile(ratios, 0.1),
    p90: quantile(ratios, 0.9),
    ofMeans: mean(records[baseline].ms) / mean(records[name].ms),
  };
};

const results = {};
const judge = await loadImageJudge(dirs.classifier, { intraOpNumThreads: 1 });
for (const name of methodNames) {
  const r = records[name];
  const decoder = isVar(name) ? msvq : vq;
  const chunks = [];
  for (let i = 0; i < r.tokens.length; i += 64) chunks.push(await decoder.decode(r.tokens.slice(i, i + 64)));
  const size = chunks[0].size;
  const data = new Float32Array(chunks.reduce((s, c) => s + c.data.length, 0));
  let offset = 0;
  for (const c of chunks) {
    data.set(c.data, offset);
    offset += c.data.length;
  }
  const quality = await judge.evaluate({ count: r.tokens.length, size, data }, r.labels);
  results[name] = {
    images: r.tokens.length,
    forwardStepsPerImage: mean(r.steps),
    wallMsPerImage: { mean: mean(r.ms), median: median(r.ms), p10: quantile(r.ms, 0.1), p90: quantile(r.ms, 0.9) },
    speedupVsVarLarge: perImageSpeedup('var-large', name),
    speedupVsRaster: perImageSpeedup('raster', name),
    peakKvCacheBytes: r.cache.length ? Math.max(...r.cache) : undefined,
    modelTokensPerImage: r.modelTokens.length ? r.modelTokens[0] : undefined,
    classAccuracy: quality.classAccuracy,
    frechetDistance: quality.frechetDistance,
  };
  if (values.images && isVar(name)) {
    // Grids of the VAR/CoDe methods only (the raster/SJD/NAR grids belong to image-bench.mjs).
    const shown = Math.min(r.tokens.length, numClasses);
    const rgba = await decoder.decodeRgba(r.tokens.slice(0, shown));
    await mkdir(resolve(values.images), { recursive: true });
    await writeFile(
      join(resolve(values.images), `var-bench-${name.replace('@', '-split')}.png`),
      encodePng(imageGrid(rgba, { columns: 9, scale: 2, padding: 2 })),
    );
  }
}
await Promise.all([
  judge.dispose(),
  ar?.dispose(),
  nar?.dispose(),
  large?.dispose(),
  small?.dispose(),
  vq?.dispose(),
  msvq?.dispose(),
]);

// Peak memory: a fresh child per method (and one that loads nothing), one after the other.
const script = fileURLToPath(import.meta.url);
const memory = {};
for (const name of ['none', ...methodNames]) {
  const args = [script, '--memory-probe', name, '--memory-count', values['memory-count']];
  if (values.models) args.push('--models', values.models);
  const child = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const line = child.stdout.trim().split('\n').pop();
  memory[name] = child.status === 0 ? JSON.parse(line).maxRssBytes : `failed: ${child.stderr.slice(-300)}`;
}
for (const name of methodNames) results[name].peakRssBytes = memory[name];

const modelFiles = {};
for (const file of [
  join(dirs.ar, 'onnx', 'model.onnx'),
  join(dirs.nar, 'nar.onnx'),
  join(dirs.vq, 'decoder.onnx'),
  join(dirs.classifier, 'model.onnx'),
  join(dirs.varVq, 'decoder.onnx'),
  join(dirs.varLarge, 'var.onnx'),
  join(dirs.varSmall, 'var.onnx'),
]) {
  try {
    modelFiles[relative(process.cwd(), file)] = createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
  } catch {
    // a method's model may be missing when it is not benchmarked
  }
}
const report = {
  command: `node packages/visual-ar/bench/var-bench.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  date: new Date().toISOString(),
  modelFiles,
  settings: { count, sampling, guidance, varGuidance, seed, methods: methodNames, threads: 1 },
  machine: machineInfo(),
  memoryBaselineRssBytes: memory.none,
  generationSeconds,
  results,
};
await writeReport(report, values.json);
