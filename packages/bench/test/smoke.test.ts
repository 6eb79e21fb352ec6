import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { autoregressive, type Strategy } from '@decodekit/core';
import { tinyLm } from '@decodekit/models-tiny';
import { describe, expect, it } from 'vitest';
import { GreedyMismatchError } from '../src/greedy-mismatch-error.js';
import { runBenchmark } from '../src/run-benchmark.js';
import { writeBenchmarkReport } from '../src/write-report.js';

// The CI smoke run: the real tiny models, a tiny subset, the greedy equality check included.
describe('benchmark smoke run on the tiny models', () => {
  it('runs AR, PLD, Token Recycling and SpS on every suite and checks greedy equality', async () => {
    const progress: string[] = [];
    const results = await runBenchmark({
      methods: ['autoregressive', 'pld', 'token-recycling', 'sps'],
      promptsPerSuite: 2,
      repetitions: 1,
      maxNewTokens: 16,
      threads: 1,
      onProgress: (event) => {
        if (event.phase === 'measure') progress.push(`${event.method}/${event.taskId}`);
      },
    });
    expect(results.greedyCheck).toEqual({ performed: true, passed: true, comparedGenerations: 4 * 6 });
    expect(progress).toHaveLength(4 * 6);
    expect(results.tasks.map((t) => t.suite)).toEqual(['code', 'code', 'prose', 'prose', 'grounded', 'grounded']);
    const byName = new Map(results.methods.map((m) => [m.method, m]));
    expect([...byName.keys()]).toEqual(['autoregressive', 'pld', 'token-recycling', 'sps']);
    const ar = byName.get('autoregressive');
    for (const suite of ['code', 'prose', 'grounded'] as const) {
      const baseline = ar?.suites[suite];
      expect(baseline?.tau).toBe(1);
      expect(baseline?.speedup.median).toBeCloseTo(1, 12);
      expect(baseline?.newTokens).toBe(2 * 16);
      for (const method of ['pld', 'token-recycling', 'sps']) {
        const figures = byName.get(method)?.suites[suite];
        expect(figures?.generations).toBe(2);
        expect(figures?.newTokens).toBe(2 * 16);
        // Speculative steps commit at least one token per forward, and never more than draft + bonus.
        expect(figures?.tau).toBeGreaterThanOrEqual(1);
        expect(figures?.tokensPerSecond.median).toBeGreaterThan(0);
        expect(figures?.efficiency).toBeCloseTo((figures?.speedup.median ?? 0) / (figures?.tau ?? 1), 12);
        const shares = Object.values(figures?.timeShare ?? {});
        expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
        for (const rate of figures?.acceptanceByPosition ?? []) {
          expect(rate).toBeGreaterThanOrEqual(0);
          expect(rate).toBeLessThanOrEqual(1);
        }
      }
    }
    // SpS drafts 4 tokens per step by default: its acceptance curve has 4 positions.
    expect(byName.get('sps')?.overall?.draftedByPosition).toHaveLength(4);
    expect(results.processPeakResidentBytes).toBeGreaterThan(0);

    const directory = await mkdtemp(join(tmpdir(), 'decodekit-bench-'));
    try {
      const written = await writeBenchmarkReport(results, directory, { command: 'smoke' });
      expect(written.pngError).toBeUndefined();
      expect(written.charts).toHaveLength(6);
      for (const file of written.charts) expect((await stat(file)).size).toBeGreaterThan(500);
      const markdown = await readFile(written.markdown, 'utf8');
      expect(markdown).toContain('Greedy equality check: **passed**');
      expect(markdown).toContain('| token-recycling | grounded |');
      const json = JSON.parse(await readFile(written.json, 'utf8'));
      expect(json.settings.methods).toEqual(['autoregressive', 'pld', 'token-recycling', 'sps']);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }, 120_000);

  it('reports peers and methods that cannot run instead of failing', async () => {
    const results = await runBenchmark({
      // An explicit target without a draft model directory: draft-model methods cannot run.
      modelDir: tinyLm,
      methods: ['ort-raw', 'transformers-js', 'sps'],
      suites: ['grounded'],
      promptsPerSuite: 1,
      repetitions: 1,
      maxNewTokens: 8,
      threads: 1,
      warmUp: false,
      transformersSearchPath: join(tmpdir(), 'no-such-folder'),
    });
    const byName = new Map(results.methods.map((m) => [m.method, m]));
    expect(byName.get('autoregressive')?.available).toBe(true);
    const raw = byName.get('ort-raw');
    expect(raw?.kind).toBe('peer');
    // The hand-written loop runs the same graph: its greedy tokens equal decodekit's.
    expect(raw?.matchingGenerations).toBe(1);
    expect(raw?.comparedGenerations).toBe(1);
    expect(byName.get('transformers-js')?.available).toBe(false);
    expect(byName.get('transformers-js')?.unavailableReason).toMatch(/transformers/);
    expect(byName.get('sps')?.available).toBe(false);
    expect(byName.get('sps')?.unavailableReason).toMatch(/draftModelDir/);
    expect(results.greedyCheck.comparedGenerations).toBe(1);
  }, 60_000);

  it('starts every repetition with fresh drafters: a learning drafter does not see the prompts twice', async () => {
    // Token Recycling learns from every verified position; if it kept its state across repetitions,
    // the second repetition of the same prompts would draft from their own continuations.
    const settings = {
      methods: ['token-recycling'],
      suites: ['prose' as const],
      promptsPerSuite: 2,
      maxNewTokens: 24,
      warmUp: false,
    };
    const once = await runBenchmark({ ...settings, repetitions: 1 });
    const twice = await runBenchmark({ ...settings, repetitions: 2 });
    const tau = (r: typeof once) => r.methods.find((m) => m.method === 'token-recycling')?.overall?.tau;
    expect(tau(once)).toBeGreaterThan(1);
    expect(tau(twice)).toBe(tau(once));
  }, 60_000);

  it('rejects unknown methods and suites with the list of known ones', async () => {
    await expect(runBenchmark({ methods: ['no-such-method'] })).rejects.toThrow(/unknown method 'no-such-method'.*pld/);
    await expect(runBenchmark({ suites: ['poetry' as never] })).rejects.toThrow(/unknown suite 'poetry'/);
    await expect(runBenchmark({ methods: ['pld', 'pld'] })).rejects.toThrow(/listed twice/);
  });
});

// A strategy that runs autoregressive decoding but changes the third generated token: not lossless.
function corruptThirdToken(): Strategy {
  const inner = autoregressive();
  return {
    name: 'corrupt-third-token',
    async start(context) {
      const run = await inner.start(context);
      let generated = 0;
      return {
        async step(budget) {
          const step = await run.step(budget);
          const tokens = step.tokens.map((token, i) =>
            generated + i === 2 ? (token + 1) % context.model.vocabSize : token,
          );
          generated += tokens.length;
          return { ...step, tokens };
        },
        dispose: () => run.dispose(),
      };
    },
  };
}

describe('greedy equality check on a method that is not lossless', () => {
  const settings = {
    methods: ['autoregressive'],
    suites: ['prose' as const],
    promptsPerSuite: 1,
    repetitions: 1,
    maxNewTokens: 6,
    threads: 1,
    warmUp: false,
  };

  it('fails the run at the first differing token and names the prompt', async () => {
    const error = await runBenchmark({
      ...settings,
      customMethods: { corrupt: { strategy: corruptThirdToken } },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GreedyMismatchError);
    const mismatch = (error as GreedyMismatchError).mismatch;
    expect(mismatch).toMatchObject({
      method: 'corrupt',
      suite: 'prose',
      taskId: 'prose-0',
      position: 2,
      repetition: 0,
    });
    expect(mismatch.actual).toBe(((mismatch.expected as number) + 1) % 4096);
    expect((error as Error).message).toContain('prompt prose-0');
  }, 60_000);

  it('counts a method declared lossy instead of failing', async () => {
    const results = await runBenchmark({
      ...settings,
      customMethods: { corrupt: { strategy: corruptThirdToken, lossless: false } },
    });
    const corrupt = results.methods.find((m) => m.method === 'corrupt');
    expect(corrupt).toMatchObject({ kind: 'custom', checked: false, matchingGenerations: 0, comparedGenerations: 1 });
    expect(results.greedyCheck.passed).toBe(true);
    await expect(
      runBenchmark({ ...settings, customMethods: { pld: { strategy: corruptThirdToken } } }),
    ).rejects.toThrow(/built-in method name/);
  }, 60_000);
});
