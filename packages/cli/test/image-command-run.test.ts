import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { tinyLm } from '@decodekit/models-tiny';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/run-cli.js';
import { memoryIo } from './helpers.js';

const models = process.env.VISUAL_AR_MODELS ?? dirname(tinyLm);
const dirs = [
  '--ar-model',
  join(models, 'image-ar'),
  '--nar-model',
  join(models, 'image-nar'),
  '--vq',
  join(models, 'image-vq'),
];

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'decodekit-image-cli-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('decodekit image on the tiny image models', () => {
  it('draws a grid with each method and reports forward steps', { timeout: 60_000 }, async () => {
    const expectedSteps = { raster: 64, nar: 15 } as Record<string, number>;
    for (const method of ['raster', 'sjd', 'nar']) {
      const out = join(scratch, `${method}.png`);
      const run = memoryIo();
      const argv = [
        'image',
        '--class',
        'A',
        '--method',
        method,
        '--count',
        '2',
        '--seed',
        '3',
        '--cfg',
        '2',
        '--out',
        out,
        '--json',
        ...dirs,
      ];
      expect(await runCli(argv, run.io), run.stderr()).toBe(0);
      const summary = JSON.parse(run.stdout());
      expect(summary.count).toBe(2);
      expect(summary.class).toBe('A');
      if (expectedSteps[method]) expect(summary.forwardStepsPerImage).toBe(expectedSteps[method]);
      else expect(summary.forwardStepsPerImage).toBeLessThanOrEqual(64);
      const png = await readFile(out);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
    }
  });

  it('names the labels when the class is unknown', async () => {
    const run = memoryIo();
    expect(await runCli(['image', '--class', 'zz', '--out', join(scratch, 'x.png'), ...dirs], run.io)).toBe(1);
    expect(run.stderr()).toMatch(/unknown label 'zz'/);
  });
});
