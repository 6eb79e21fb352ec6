import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageVq } from '@decodekit/models-tiny';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/run-cli.js';
import { memoryIo } from './helpers.js';

// The VAR models sit next to image-vq (VISUAL_AR_MODELS overrides the folder, as in image-command-run.test.ts).
const models = process.env.VISUAL_AR_MODELS ?? join(imageVq, '..');
const dirs = [
  '--var-model',
  join(models, 'image-var-large'),
  '--refiner-model',
  join(models, 'image-var-small'),
  '--var-vq',
  join(models, 'image-var-vq'),
];

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'decodekit-image-var-cli-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('decodekit image --method var|code on the tiny VAR models', () => {
  it('draws a grid with VAR and with CoDe and reports one pass per scale', { timeout: 60_000 }, async () => {
    for (const method of ['var', 'code']) {
      const out = join(scratch, `${method}.png`);
      const run = memoryIo();
      const argv = ['image', '--class', 'K', '--method', method, '--count', '2', '--cfg', '3', '--out', out, '--json'];
      if (method === 'code') argv.push('--split', '3');
      if (method === 'code') argv.push(...dirs); // var: the default directories next to image-vq
      expect(await runCli(argv, run.io), run.stderr()).toBe(0);
      const summary = JSON.parse(run.stdout());
      expect(summary).toMatchObject({ method, class: 'K', count: 2, forwardStepsPerImage: 6 });
      // CoDe: the drafter runs scales 0..2 (1 + 4 + 9 tokens), the refiner all 130 positions (prefill + its scales)
      expect(summary.modelTokensPerImage).toEqual(method === 'code' ? [14, 130] : [130]);
      const png = await readFile(out);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
    }
  });

  it('rejects a split outside 1..S−1 with exit code 1', async () => {
    const run = memoryIo();
    const argv = [
      'image',
      '--class',
      'A',
      '--out',
      join(scratch, 'x.png'),
      '--method',
      'code',
      '--split',
      '6',
      ...dirs,
    ];
    expect(await runCli(argv, run.io)).toBe(1);
    expect(run.stderr()).toMatch(/split/);
  });

  it('names the labels when the class is unknown', async () => {
    const run = memoryIo();
    const argv = ['image', '--class', 'zz', '--method', 'code', '--out', join(scratch, 'x.png'), ...dirs];
    expect(await runCli(argv, run.io)).toBe(2);
    expect(run.stderr()).toMatch(/unknown class 'zz'/);
  });
});

describe('decodekit image --method var|code command lines', () => {
  it('rejects --split without code, and SJD flags or a bad schedule with var/code, with exit code 2', async () => {
    for (const argv of [
      ['image', '--class', 'A', '--out', 'x.png', '--method', 'var', '--split', '3'],
      ['image', '--class', 'A', '--out', 'x.png', '--method', 'raster', '--split', '3'],
      ['image', '--class', 'A', '--out', 'x.png', '--method', 'code', '--window', '4'],
      ['image', '--class', 'A', '--out', 'x.png', '--method', 'var', '--cfg-schedule', 'zigzag'],
    ]) {
      const run = memoryIo();
      expect(await runCli(argv, run.io)).toBe(2);
      expect(run.stderr()).toMatch(/decodekit image --help/);
    }
  });
});
