import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/run-cli.js';
import { memoryIo } from './helpers.js';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'decodekit-bench-cli-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('decodekit bench', () => {
  it('documents its flags', async () => {
    const help = memoryIo();
    expect(await runCli(['bench', '--help'], help.io)).toBe(0);
    for (const flag of [
      '--methods',
      '--suites',
      '--mode',
      '--repetitions',
      '--prompts',
      '--max-new-tokens',
      '--out',
      '--smoke',
    ]) {
      expect(help.stdout()).toContain(flag);
    }
  });

  it('rejects bad command lines with exit code 2', async () => {
    for (const argv of [
      ['bench', '--mode', 'beam'],
      ['bench', '--repetitions', '0'],
      ['bench', '--temperature', '0.5'],
      ['bench', 'extra'],
    ]) {
      const run = memoryIo();
      expect(await runCli(argv, run.io)).toBe(2);
      expect(run.stderr()).toContain('decodekit bench --help');
    }
  });

  it('runs the smoke subset, prints the table and writes the report', async () => {
    const out = join(scratch, 'smoke');
    const run = memoryIo();
    expect(await runCli(['bench', '--smoke', '--suites', 'grounded', '--out', out], run.io)).toBe(0);
    expect(run.stdout()).toContain('Greedy equality check: **passed**');
    expect(run.stdout()).toContain('| pld | grounded |');
    expect(run.stderr()).toContain('done in');
    const files = await readdir(out);
    for (const name of [
      'results.json',
      'results.md',
      'speedup.svg',
      'speedup.png',
      'tau-vs-speedup.png',
      'acceptance-by-position.png',
    ]) {
      expect(files).toContain(name);
    }
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(results.settings).toMatchObject({ promptsPerSuite: 2, repetitions: 1, maxNewTokens: 16, threads: 1 });
  }, 60_000);

  it('fails with exit code 1 and the list of methods for an unknown method', async () => {
    const run = memoryIo();
    expect(await runCli(['bench', '--methods', 'no-such-method', '--out', join(scratch, 'x')], run.io)).toBe(1);
    expect(run.stderr()).toMatch(/unknown method 'no-such-method'/);
  });
});
