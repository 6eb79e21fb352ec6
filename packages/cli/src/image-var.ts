import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRng, type Rng } from '@decodekit/core';
import { type ImageGridModule, imageRunTotals, type RgbaImage, writeImageGrid } from './image-output.js';
import { type CliIo, formatMilliseconds, styler } from './io.js';
import { importPackage } from './optional-import.js';
import { packages } from './packages.js';
import { exitCodes, UsageError } from './usage-error.js';

/** The part of `@decodekit/visual-ar` the VAR/CoDe methods use (typed here: the package is an optional peer). */
interface VarResult {
  readonly tokens: Int32Array;
  readonly forwardSteps: number;
  readonly wallTimeMs: number;
  readonly modelTokens: readonly number[];
}
interface VarModel {
  readonly config: { readonly classes: readonly string[]; readonly numClasses: number };
  dispose(): Promise<void>;
}
interface MultiScaleVq {
  decodeRgba(codes: readonly ArrayLike<number>[]): Promise<RgbaImage[]>;
  dispose(): Promise<void>;
}
interface VisualArVarModule extends ImageGridModule {
  loadVarModel(directory: string, options?: { intraOpNumThreads?: number }): Promise<VarModel>;
  loadMultiScaleVq(directory: string, options?: { intraOpNumThreads?: number }): Promise<MultiScaleVq>;
  generateVar(model: VarModel, vq: MultiScaleVq, options: Record<string, unknown>): Promise<VarResult>;
  generateCode(
    drafter: VarModel,
    refiner: VarModel,
    vq: MultiScaleVq,
    options: Record<string, unknown>,
  ): Promise<VarResult>;
}

/**
 * `decodekit image --method var|code`: next-scale prediction with the tiny VAR models (`image-var-large`,
 * `image-var-small`, `image-var-vq` next to `imageVq` in `@decodekit/models-tiny`) or the directories given by
 * `--var-model`, `--refiner-model`, `--var-vq`. The guidance schedule defaults to VAR's linear ramp over the scales.
 */
export async function runVarImage(
  method: 'var' | 'code',
  label: string,
  outFile: string,
  values: Readonly<Record<string, unknown>>,
  io: CliIo,
): Promise<number> {
  if (method === 'var' && values.split !== undefined) throw new UsageError('--split applies to --method code');
  if (values.window !== undefined || values.init !== undefined)
    throw new UsageError('--window and --init apply to --method sjd');
  const schedule = values['cfg-schedule'];
  if (schedule !== undefined && !['constant', 'linear', 'linear-decreasing'].includes(schedule as string)) {
    throw new UsageError(`--cfg-schedule is constant, linear or linear-decreasing; got '${String(schedule)}'`);
  }
  if (method === 'var' && values['refiner-model'] !== undefined) {
    throw new UsageError('--refiner-model applies to --method code');
  }
  const visual = await importPackage<VisualArVarModule>('@decodekit/visual-ar', 'decodekit image');
  const needDefault = [values['var-model'], values['var-vq'], values['refiner-model']].some((v) => v === undefined);
  const tiny = needDefault ? ((await packages.tinyModels()) as unknown as { imageVq?: string }) : {};
  const pick = (flag: string, name: string) => {
    const value = values[flag] as string | undefined;
    if (value !== undefined) return resolve(value);
    if (tiny.imageVq === undefined) {
      throw new UsageError(`this @decodekit/models-tiny has no VAR models; pass --${flag} DIR`);
    }
    const dir = join(dirname(tiny.imageVq), name);
    if (!existsSync(join(dir, 'config.json'))) {
      throw new UsageError(
        `this @decodekit/models-tiny has no ${name} yet (train it with \`make -C tools/fixtures var\`); pass --${flag} DIR`,
      );
    }
    return dir;
  };
  const threads = (values.threads as number | undefined) ?? 1;
  const count = (values.count as number | undefined) ?? 1;
  const split = (values.split as number | undefined) ?? 4;
  const large = await visual.loadVarModel(pick('var-model', 'image-var-large'), { intraOpNumThreads: threads });
  const refiner =
    method === 'code'
      ? await visual.loadVarModel(pick('refiner-model', 'image-var-small'), { intraOpNumThreads: threads })
      : undefined;
  const vq = await visual.loadMultiScaleVq(pick('var-vq', 'image-var-vq'), { intraOpNumThreads: threads });
  const style = styler(io.stderr, io.env);
  const quiet = values.quiet === true || values.json === true;
  const rng: Rng = createRng((values.seed as number | undefined) ?? 0);
  const results: VarResult[] = [];
  const start = performance.now();
  try {
    const classes = large.config.classes;
    let classIndex = classes.indexOf(label);
    if (classIndex < 0 && /^\d+$/.test(label) && Number(label) < large.config.numClasses) classIndex = Number(label);
    if (classIndex < 0) throw new UsageError(`unknown class '${label}'; the labels are ${classes.join(' ')}`);
    for (let n = 0; n < count; n++) {
      const options = {
        classIndex,
        split,
        rng: rng.split(),
        signal: io.signal,
        sampling: { topK: values['top-k'], topP: values['top-p'], temperature: values.temperature },
        guidance: { scale: (values.cfg as number | undefined) ?? 3, schedule: schedule ?? 'linear' },
        onProgress: (p: { scales: number; total: number; tokens: number }) => {
          if (!quiet && io.stderr.isTTY) {
            io.stderr.write(`\r\x1b[2K${style.dim(`image ${n + 1}/${count}: scale ${p.scales}/${p.total}`)}`);
          }
        },
      };
      const result =
        method === 'var'
          ? await visual.generateVar(large, vq, options)
          : await visual.generateCode(large, refiner as VarModel, vq, options);
      results.push(result);
      if (!quiet && !io.stderr.isTTY) {
        io.stderr.write(
          `image ${n + 1}/${count}: ${result.forwardSteps} forward passes, ${formatMilliseconds(result.wallTimeMs)}\n`,
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
    const summary = {
      method,
      ...(method === 'code' ? { split } : {}),
      class: classes[classIndex],
      count,
      out: path,
      ...totals,
      modelTokensPerImage: results[0].modelTokens,
    };
    if (!quiet && io.stderr.isTTY) io.stderr.write('\r\x1b[2K');
    if (values.json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    if (!quiet) {
      io.stderr.write(
        `${style.green('done')}: ${count} image${count === 1 ? '' : 's'} of class ${summary.class} with ${method}` +
          `${method === 'code' ? ` (split ${split})` : ''}, ${summary.forwardStepsPerImage.toFixed(0)} forward passes per image ` +
          `(${summary.tokensPerStep.toFixed(1)} tokens/pass), ${formatMilliseconds(summary.generationMsPerImage)} per image, ` +
          `${formatMilliseconds(totals.wallTimeMs)} in all → ${path}\n`,
      );
    }
  } finally {
    await vq.dispose();
    await large.dispose();
    await refiner?.dispose();
  }
  return exitCodes.success;
}
