import { describe, expect, it } from 'vitest';
import { runCli } from '../src/run-cli.js';
import { memoryIo } from './helpers.js';

describe('decodekit image', () => {
  it('documents its flags and is listed in the main help', async () => {
    const help = memoryIo();
    expect(await runCli(['image', '--help'], help.io)).toBe(0);
    for (const flag of [
      '--class',
      '--method',
      '--cfg',
      '--seed',
      '--count',
      '--top-k',
      '--top-p',
      '--window',
      '--out',
    ]) {
      expect(help.stdout()).toContain(flag);
    }
    const main = memoryIo();
    expect(await runCli(['--help'], main.io)).toBe(0);
    expect(main.stdout()).toContain('decodekit image');
  });

  it('rejects bad command lines with exit code 2', async () => {
    for (const argv of [
      ['image', '--out', 'x.png'],
      ['image', '--class', 'A'],
      ['image', '--class', 'A', '--out', 'x.png', '--method', 'beam'],
      ['image', '--class', 'A', '--out', 'x.png', '--window', '4'],
      ['image', '--class', 'A', '--out', 'x.png', '--method', 'sjd', '--init', 'zigzag'],
      ['image', '--class', 'A', '--out', 'x.png', '--top-p', '1.5'],
      ['image', 'extra'],
    ]) {
      const run = memoryIo();
      expect(await runCli(argv, run.io)).toBe(2);
      expect(run.stderr()).toMatch(/decodekit image --help/);
    }
  });
});
