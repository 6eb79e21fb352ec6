import { resolve } from 'node:path';
import { type CausalLM, createRng, type Rng } from '@decodekit/core';
import { type FlagSpec, formatFlags, parseFlags } from './flags.js';
import { type ImageGridModule, imageRunTotals, type RgbaImage, writeImageGrid } from './image-output.js';
import { runVarImage } from './image-var.js';
import { type CliIo, formatMilliseconds, styler } from './io.js';
import { importPackage } from './optional-import.js';
import { packages } from './packages.js';
import { exitCodes, UsageError } from './usage-error.js';

/** The part of `@decodekit/visual-ar` this command uses (typed here: the package is an optional peer). */
interface ImageTokensResult {
  readonly tokens: Int32Array;
  readonly forwardSteps: number;
  readonly wallTimeMs: number;
  readonly committedPerStep?: readonly number[];
}
interface Layout {
  readonly classes: readonly string[];
  readonly numClasses: number;
  readonly codebookSize: number;
  readonly grid: readonly [number, number];
}
interface VisualArModule extends ImageGridModule {
  readImageLayout(directory: string): Promise<Layout>;
  classIndexOf(layout: Layout, label: string): number;
  generateRaster(model: CausalLM, options: Record<string, unknown>): Promise<ImageTokensResult>;
  generateSjd(model: CausalLM, options: Record<string, unknown>): Promise<ImageTokensResult>;
  generateNar(model: unknown, options: Record<string, unknown>): Promise<ImageTokensResult>;
  loadNarModel(directory: string, options?: { intraOpNumThreads?: number }): Promise<{ dispose(): Promise<void> }>;
  loadVqDecoder(
    directory: string,
    options?: { intraOpNumThreads?: number },
  ): Promise<{ decodeRgba(grids: readonly ArrayLike<number>[]): Promise<RgbaImage[]>; dispose(): Promise<void> }>;
}

/** Image model directories `@decodekit/models-tiny` exports once the image fixtures are trained. */
interface ImageModelsModule {
  readonly imageAr?: string;
  readonly imageNar?: string;
  readonly imageVq?: string;
}

const group = 'Options';
const methods = ['raster', 'sjd', 'nar', 'var', 'code'] as const;
const initialisations = ['random', 'repeat-horizon', 'sample-horizon'];

/** The flags of `decodekit image`. */
export const imageFlags: readonly FlagSpec[] = [
  {
    name: 'class',
    short: 'c',
    kind: 'string',
    value: 'LABEL',
    group,
    description: 'class to draw, e.g. 7 or A (required)',
  },
  {
    name: 'method',
    kind: 'string',
    value: 'M',
    group,
    description:
      'raster (AR, one token per step), sjd (Speculative Jacobi Decoding), nar, var (next-scale prediction) or code (CoDe: large drafter, small refiner) (default raster)',
  },
  {
    name: 'cfg',
    kind: 'number',
    value: 'S',
    group,
    description:
      'classifier-free guidance scale; 1 turns it off (default: 2 for raster/sjd/nar, 3 for var/code, the best measured on the tiny models)',
  },
  {
    name: 'cfg-schedule',
    kind: 'string',
    value: 'NAME',
    group,
    description: 'constant (default), linear (1 → S over the tokens) or linear-decreasing',
  },
  { name: 'seed', kind: 'integer', value: 'N', min: 0, group, description: 'random seed (default 0)' },
  { name: 'count', short: 'k', kind: 'integer', value: 'K', min: 1, group, description: 'images to draw (default 1)' },
  {
    name: 'top-k',
    kind: 'integer',
    value: 'K',
    min: 0,
    group,
    description: 'keep the K most likely codes (default 0: all)',
  },
  {
    name: 'top-p',
    kind: 'number',
    value: 'P',
    min: 0,
    exclusiveMin: true,
    max: 1,
    group,
    description: 'nucleus mass (default 1)',
  },
  {
    name: 'temperature',
    short: 't',
    kind: 'number',
    value: 'T',
    min: 0,
    group,
    description: 'softmax temperature (default 1; 0 = greedy)',
  },
  {
    name: 'window',
    kind: 'integer',
    value: 'W',
    min: 1,
    group,
    description: 'SJD: tokens scored per step (default 16)',
  },
  {
    name: 'init',
    kind: 'string',
    value: 'NAME',
    group,
    description: 'SJD: new draft slots: random (default), repeat-horizon, sample-horizon',
  },
  {
    name: 'split',
    kind: 'integer',
    value: 'N',
    min: 1,
    group,
    description: 'CoDe: scales made by the large drafter before the small refiner takes over (default 4)',
  },
  { name: 'out', short: 'o', kind: 'string', value: 'FILE', group, description: 'PNG file to write (required)' },
  { name: 'columns', kind: 'integer', value: 'N', min: 1, group, description: 'images per row of the grid' },
  {
    name: 'scale',
    kind: 'integer',
    value: 'N',
    min: 1,
    group,
    description: 'pixel upscaling of each image (default 4)',
  },
  {
    name: 'ar-model',
    kind: 'string',
    value: 'DIR',
    group,
    description: 'raster AR model (default: the tiny image-ar)',
  },
  { name: 'nar-model', kind: 'string', value: 'DIR', group, description: 'NAR model (default: the tiny image-nar)' },
  {
    name: 'var-model',
    kind: 'string',
    value: 'DIR',
    group,
    description: 'VAR model, CoDe drafter (default: the tiny image-var-large)',
  },
  {
    name: 'refiner-model',
    kind: 'string',
    value: 'DIR',
    group,
    description: 'CoDe refiner (default: the tiny image-var-small)',
  },
  {
    name: 'var-vq',
    kind: 'string',
    value: 'DIR',
    group,
    description: 'multi-scale VQ of var/code (default: the tiny image-var-vq)',
  },
  {
    name: 'vq',
    kind: 'string',
    value: 'DIR',
    group,
    description: 'VQ tokenizer directory (default: the tiny image-vq)',
  },
  {
    name: 'threads',
    kind: 'integer',
    value: 'N',
    min: 1,
    group,
    description: 'onnxruntime intra-op threads (default 1)',
  },
  { name: 'json', kind: 'boolean', group, description: 'print a JSON summary on standard output' },
  { name: 'quiet', short: 'q', kind: 'boolean', group, description: 'no progress on standard error' },
  { name: 'help', short: 'h', kind: 'boolean', group, description: 'show this help' },
];

/** `decodekit image --help`. */
export function imageHelp(): string {
  return `Usage: decodekit image --class LABEL --out FILE.png [options]

Draws class-conditional images with the tiny image models of @decodekit/models-tiny (or your own:
--ar-model, --nar-model, --vq) and writes them as one PNG grid. raster is plain autoregressive
decoding (one forward step per token), sjd is Speculative Jacobi Decoding (same output law, fewer
steps), nar is Neighbouring AR (one step per anti-diagonal: rows + columns − 1 steps), var is
next-scale prediction (one pass per scale, coarse to fine; --cfg ramps linearly over the scales
unless --cfg-schedule says otherwise) and code is Collaborative Decoding (the large VAR drafts the
first --split scales, the small one refines the rest). Progress goes to standard error, then a
summary of forward steps and time.

${formatFlags(imageFlags)}Examples:
  decodekit image --class A --out a.png
  decodekit image --class 7 --method sjd --cfg 2 --count 16 --seed 1 --out sevens.png
  decodekit image --class Q --method nar --top-k 64 --count 9 --out q.png
  decodekit image --class K --method code --split 4 --cfg 3 --count 9 --out k.png
`;
}

/** Runs `decodekit image`; returns the exit code. */
export async function runImage(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, imageFlags);
  if (values.help) {
    io.stdout.write(imageHelp());
    return exitCodes.success;
  }
  if (positionals.length > 0) throw new UsageError(`image takes no arguments, got '${positionals[0]}'`);
  const label = values.class as string | undefined;
  if (label === undefined) throw new UsageError('--class LABEL is required (e.g. --class A)');
  const outFile = values.out as string | undefined;
  if (outFile === undefined) throw new UsageError('--out FILE.png is required');
  const method = (values.method as string | undefined) ?? 'raster';
  if (!(methods as readonly string[]).includes(method)) {
    throw new UsageError(`--method is ${methods.join(', ')}; got '${method}'`);
  }
  if (method === 'var' || method === 'code') return runVarImage(method, label, outFile, values, io);
  if (values.split !== undefined) throw new UsageError('--split applies to --method code');
  if (method !== 'sjd' && (values.window !== undefined || values.init !== undefined)) {
    throw new UsageError('--window and --init apply to --method sjd');
  }
  const init = values.init as string | undefined;
  if (init !== undefined && !initialisations.includes(init)) {
    throw new UsageError(`--init is ${initialisations.join(', ')}; got '${init}'`);
  }
  const schedule = values['cfg-schedule'] as string | undefined;
  if (schedule !== undefined && !['constant', 'linear', 'linear-decreasing'].includes(schedule)) {
    throw new UsageError(`--cfg-schedule is constant, linear or linear-decreasing; got '${schedule}'`);
  }
  const count = (values.count as number | undefined) ?? 1;
  const threads = (values.threads as number | undefined) ?? 1;
  const visual = await importPackage<VisualArModule>('@decodekit/visual-ar', 'decodekit image');
  const needDefault = values[method === 'nar' ? 'nar-model' : 'ar-model'] === undefined || values.vq === undefined;
  const tiny = needDefault ? ((await packages.tinyModels()) as unknown as ImageModelsModule) : {};
  const pick = (flag: string, fallback: string | undefined, what: string) => {
    const value = values[flag] as string | undefined;
    if (value !== undefined) return resolve(value);
    if (fallback === undefined) {
      throw new UsageError(
        `this @decodekit/models-tiny has no ${what} model yet; pass --${flag} DIR (see docs/visual-ar-layout.md)`,
      );
    }
    return fallback;
  };
  const modelDir =
    method === 'nar' ? pick('nar-model', tiny.imageNar, 'NAR') : pick('ar-model', tiny.imageAr, 'image AR');
  const vqDir = pick('vq', tiny.imageVq, 'VQ tokenizer');
  const layout = await visual.readImageLayout(modelDir);
  const classIndex = visual.classIndexOf(layout, label);
  const style = styler(io.stderr, io.env);
  const quiet = values.quiet === true || values.json === true;
  const runtime = method === 'nar' ? undefined : await packages.runtime();
  const model =
    method === 'nar'
      ? await visual.loadNarModel(modelDir, { intraOpNumThreads: threads })
      : await runtime?.loadModel(modelDir, { intraOpNumThreads: threads });
  const vq = await visual.loadVqDecoder(vqDir, { intraOpNumThreads: threads });
  const rng: Rng = createRng((values.seed as number | undefined) ?? 0);
  const results: ImageTokensResult[] = [];
  const start = performance.now();
  try {
    for (let n = 0; n < count; n++) {
      const options = {
        layout,
        classIndex,
        rng: rng.split(),
        signal: io.signal,
        sampling: { topK: values['top-k'], topP: values['top-p'], temperature: values.temperature },
        guidance: { scale: (values.cfg as number | undefined) ?? 2, schedule },
        window: values.window,
        initialisation: init,
        onProgress: (p: { tokens: number; total: number; steps: number }) => {
          if (!quiet && io.stderr.isTTY) {
            io.stderr.write(
              `\r\x1b[2K${style.dim(`image ${n + 1}/${count}: ${p.tokens}/${p.total} tokens, ${p.steps} steps`)}`,
            );
          }
        },
      };
      const result =
        method === 'raster'
          ? await visual.generateRaster(model as CausalLM, options)
          : method === 'sjd'
            ? await visual.generateSjd(model as CausalLM, options)
            : await visual.generateNar(model, options);
      results.push(result);
      if (!quiet && !io.stderr.isTTY) {
        io.stderr.write(
          `image ${n + 1}/${count}: ${result.forwardSteps} forward steps, ${formatMilliseconds(result.wallTimeMs)}\n`,
        );
      }
    }
    const path = await writeImageGrid(
      visual,
      vq,
      results,
      { columns: values.columns as number | undefined, scale: values.scale as number | undefined },
      outFile,
    );
    const totals = imageRunTotals(results, start);
    const summary = { method, class: layout.classes[classIndex], count, out: path, ...totals };
    if (!quiet && io.stderr.isTTY) io.stderr.write('\r\x1b[2K');
    if (values.json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    if (!quiet) {
      io.stderr.write(
        `${style.green('done')}: ${count} image${count === 1 ? '' : 's'} of class ${summary.class} with ${method}, ` +
          `${summary.forwardStepsPerImage.toFixed(1)} forward steps per image (${summary.tokensPerStep.toFixed(2)} tokens/step), ` +
          `${formatMilliseconds(summary.generationMsPerImage)} per image, ${formatMilliseconds(totals.wallTimeMs)} in all → ${path}\n`,
      );
    }
  } finally {
    await vq.dispose();
    await model?.dispose();
  }
  return exitCodes.success;
}
