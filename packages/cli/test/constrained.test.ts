import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGenerateArguments } from '../src/generate-options.js';
import { runCli } from '../src/run-cli.js';
import { memoryIo } from './helpers.js';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'decodekit-constrained-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('decodekit generate with a constraint', () => {
  it('parses --regex / --json-schema / --grammar with --sampler and --particles', () => {
    expect(parseGenerateArguments(['--regex', 'a+', 'x']).constrained).toMatchObject({
      kind: 'regex',
      source: 'a+',
      sampler: 'mask',
    });
    expect(
      parseGenerateArguments(['--json-schema', 's.json', '--sampler', 'smc', '--particles', '4', 'x']).constrained,
    ).toMatchObject({
      kind: 'json-schema',
      sampler: 'smc',
      particles: 4,
      samplingDefault: true,
    });
    expect(parseGenerateArguments(['x']).constrained).toBeUndefined();
    const usage = (argv: string[]) => () => parseGenerateArguments(argv);
    expect(usage(['--regex', 'a', '--grammar', 'g', 'x'])).toThrow(/one constraint/);
    expect(usage(['--sampler', 'awrs', 'x'])).toThrow(/need a constraint/);
    expect(usage(['--regex', 'a', '--sampler', 'beam', 'x'])).toThrow(/--sampler must be/);
    expect(usage(['--regex', 'a', '--particles', '3', 'x'])).toThrow(/only applies to --sampler smc/);
    expect(usage(['--regex', 'a', '--draft', 'pld', '--sampler', 'awrs', 'x'])).toThrow(/grammar-aware speculation/);
    expect(usage(['--regex', 'a', '--strategy', 'beam', 'x'])).toThrow(/--strategy/);
  });

  it('generates text that matches a regex with AWRS, and reports the constraint work in --json', async () => {
    const memory = memoryIo();
    const code = await runCli(
      [
        'generate',
        '--regex',
        '[A-Z][a-z]+( [a-z]+){2,6}\\.',
        '--sampler',
        'awrs',
        '-n',
        '32',
        '--json',
        'And God said',
      ],
      memory.io,
    );
    expect(code).toBe(0);
    const output = JSON.parse(memory.stdout());
    expect(output.text).toMatch(/^[A-Z][a-z]+( [a-z]+){2,6}\.$/);
    expect(output.constraint).toMatchObject({ kind: 'regex', sampler: 'awrs' });
    expect(output.constraint.evaluationsPerToken).toBeLessThan(4096);
  }, 60_000);

  it('combines a JSON Schema with --draft pld and a GBNF grammar with SMC', async () => {
    const schemaPath = join(scratch, 'schema.json');
    await writeFile(
      schemaPath,
      JSON.stringify({ type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] }),
    );
    const json = memoryIo();
    // 64 tokens: the retrained tiny-lm indents the object with 20 spaces first, so 24 tokens end
    // before the value (finish reason 'length'); with room it completes '{ "ok" : true }'.
    expect(
      await runCli(['generate', '--json-schema', schemaPath, '--draft', 'pld', '-n', '64', '--json', 'x'], json.io),
    ).toBe(0);
    const output = JSON.parse(json.stdout());
    expect(JSON.parse(output.text)).toHaveProperty('ok');
    const grammarPath = join(scratch, 'answer.gbnf');
    await writeFile(grammarPath, 'root ::= "yes" | "no"\n');
    const smc = memoryIo();
    expect(
      await runCli(
        ['generate', '--grammar', grammarPath, '--sampler', 'smc', '--particles', '4', '--json', 'Is it?'],
        smc.io,
      ),
    ).toBe(0);
    const result = JSON.parse(smc.stdout());
    expect(['yes', 'no']).toContain(result.text);
    expect(result.particles).toBe(4);
    expect(result.posterior.reduce((a: number, e: { probability: number }) => a + e.probability, 0)).toBeCloseTo(1, 6);
  }, 60_000);
});
