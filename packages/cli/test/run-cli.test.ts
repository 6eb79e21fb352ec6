import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliVersion, runCli } from '../src/run-cli.js';
import { memoryIo } from './helpers.js';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'decodekit-cli-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('runCli', () => {
  it('prints a help with commands and examples, and the version', async () => {
    const help = memoryIo();
    expect(await runCli(['--help'], help.io)).toBe(0);
    expect(help.stdout()).toMatch(/decodekit generate/);
    expect(help.stdout()).toMatch(/Examples:/);
    const generateHelp = memoryIo();
    expect(await runCli(['generate', '--help'], generateHelp.io)).toBe(0);
    for (const flag of [
      '--model',
      '--max-new-tokens',
      '--temperature',
      '--top-k',
      '--draft',
      '--json',
      '--chat',
      '--seed',
    ]) {
      expect(generateHelp.stdout()).toContain(flag);
    }
    const version = memoryIo();
    expect(await runCli(['--version'], version.io)).toBe(0);
    expect(version.stdout().trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(version.stdout().trim()).toBe(cliVersion());
  });

  it('exits 2 with a usage message for unknown commands and flags', async () => {
    const command = memoryIo();
    expect(await runCli(['generat', 'x'], command.io)).toBe(2);
    expect(command.stderr()).toMatch(/unknown command 'generat'; commands are: generate, inspect/);
    const flag = memoryIo();
    expect(await runCli(['generate', '--temprature', '1', 'x'], flag.io)).toBe(2);
    expect(flag.stderr()).toMatch(/unknown option --temprature/);
    expect(flag.stderr()).toMatch(/decodekit generate --help/);
    expect(flag.stdout()).toBe('');
  });

  it('exits 2 when there is no prompt and standard input is a terminal', async () => {
    const run = memoryIo();
    expect(await runCli(['generate'], run.io)).toBe(2);
    expect(run.stderr()).toMatch(/give a prompt/);
  });

  it('exits 1 with the model-format error for a missing model directory', async () => {
    const missing = join(scratch, 'no-such-model');
    const run = memoryIo();
    expect(await runCli(['generate', '--model', missing, 'hello'], run.io)).toBe(1);
    expect(run.stderr()).toContain('[model-format]');
    expect(run.stderr()).toContain(missing);
    const inspect = memoryIo();
    expect(await runCli(['inspect', missing], inspect.io)).toBe(1);
    expect(inspect.stderr()).toContain('[model-format]');
  });

  it('prints the error as JSON on stdout with --json', async () => {
    const missing = join(scratch, 'also-missing');
    const run = memoryIo();
    expect(await runCli(['generate', '--json', '--model', missing, 'hello'], run.io)).toBe(1);
    const output = JSON.parse(run.stdout());
    expect(output.error.code).toBe('model-format');
    expect(output.error.message).toContain(missing);
  });
});
