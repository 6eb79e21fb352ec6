import { describe, expect, it } from 'vitest';
import { runCli } from '../src/run-cli.js';
import { strategyFlags } from '../src/strategy-flags.js';
import { memoryIo } from './helpers.js';

const prompt = 'And the king said';

async function generateJson(...flags: string[]) {
  const run = memoryIo();
  const code = await runCli(['generate', '-n', '12', '--json', ...flags, prompt], run.io);
  expect(run.stderr()).toBe('');
  expect(code).toBe(0);
  return JSON.parse(run.stdout()) as { tokens: number[]; strategy: string };
}

async function usageError(...flags: string[]) {
  const run = memoryIo();
  expect(await runCli(['generate', ...flags, prompt], run.io)).toBe(2);
  return run.stderr();
}

describe('decodekit generate --strategy', () => {
  it('rejects strategy flags without --strategy, with --draft, and unknown names', async () => {
    expect(await usageError('--context', 'x')).toMatch(/--context needs --strategy/);
    expect(await usageError('--strategy-option', 'beams=2')).toMatch(/--strategy-option needs --strategy/);
    expect(await usageError('--strategy', 'beam', '--draft', 'pld')).toMatch(/do not combine/);
    expect(await usageError('--strategy', 'nope')).toMatch(/unknown --strategy 'nope'.*beam/);
    expect(await usageError('--strategy', 'cad')).toMatch(/--strategy cad needs --context/);
    expect(await usageError('--strategy', 'beam', '--strategy-option', 'beams')).toMatch(/--strategy-option expects/);
  });

  it('reports invalid strategy options as the strategy names them', async () => {
    const run = memoryIo();
    expect(await runCli(['generate', '--strategy', 'beam', '--strategy-option', 'beams=0', prompt], run.io)).toBe(1);
    expect(run.stderr()).toMatch(/beams/);
  });

  it('runs every strategy on the tiny model and names it in --json', async () => {
    const expected: Record<string, string> = {
      beam: 'beam-search',
      'diverse-beam': 'diverse-beam-search',
      'contrastive-search': 'contrastive-search',
      cntp: 'cautious-next-token-prediction',
      momentum: 'momentum-decoding',
      cad: 'context-aware-decoding',
      cfg: 'classifier-free-guidance',
      contrastive: 'contrastive-decoding',
      superposed: 'superposed-decoding',
    };
    for (const entry of strategyFlags) {
      const extra =
        entry.name === 'cad'
          ? ['--context', 'Asa was king of Judah.']
          : entry.name === 'cntp'
            ? ['-t', '0.8']
            : entry.name === 'diverse-beam'
              ? ['--strategy-option', 'beams=4', '--strategy-option', 'groups=2']
              : [];
      const output = await generateJson('--strategy', entry.name, ...extra);
      expect(output.strategy).toBe(expected[entry.name]);
      expect(output.tokens.length).toBeGreaterThan(0);
    }
  }, 60_000);

  it('one beam, CFG scale 1 and contrastive search with alpha 0 all equal greedy decoding', async () => {
    const greedy = (await generateJson()).tokens;
    expect((await generateJson('--strategy', 'beam', '--strategy-option', 'beams=1')).tokens).toEqual(greedy);
    expect((await generateJson('--strategy', 'cfg', '--strategy-option', 'scale=1')).tokens).toEqual(greedy);
    expect((await generateJson('--strategy', 'contrastive-search', '--strategy-option', 'alpha=0')).tokens).toEqual(
      greedy,
    );
  }, 60_000);

  it('--ban-token and --logit-bias -inf keep the banned tokens out of greedy output', async () => {
    const greedy = (await generateJson()).tokens;
    const [first, second] = [greedy[1], greedy[2]];
    const banned = (await generateJson('--ban-token', String(first), '--logit-bias', `${second}=-inf`)).tokens;
    expect(banned).not.toContain(first);
    expect(banned).not.toContain(second);
    expect(banned.slice(0, 1)).toEqual(greedy.slice(0, 1));
  }, 30_000);
});
