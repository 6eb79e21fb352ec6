import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/run-cli.js';
import { memoryIo } from './helpers.js';

// The tiny VAR models come from `make -C tools/fixtures var` and are not committed yet (issue #12): the tests of a
// real VAR/CoDe run come back with them (git history: commit b866958).

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'decodekit-image-var-cli-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('decodekit image --method var|code command lines', () => {
  it('without VAR model directories, says how to make them (exit code 2)', async () => {
    for (const method of ['var', 'code']) {
      const run = memoryIo();
      const argv = ['image', '--class', 'A', '--out', join(scratch, 'x.png'), '--method', method];
      expect(await runCli(argv, run.io)).toBe(2);
      expect(run.stderr()).toMatch(/no image-var-large yet .*make -C tools\/fixtures var.*--var-model DIR/);
    }
  });

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
