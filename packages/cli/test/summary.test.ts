import type { RunStatistics } from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import { styler } from '../src/io.js';
import { formatSummary } from '../src/summary.js';

const plain = styler({ write: () => undefined, isTTY: false });

function statistics(overrides: Partial<RunStatistics> = {}): RunStatistics {
  return {
    promptTokens: 6,
    newTokens: 64,
    targetForwards: 25,
    drafted: 80,
    accepted: 39,
    tau: 64 / 25,
    acceptanceByPosition: [0.8, 0.6, 0.4],
    draftedByPosition: [20, 15, 10],
    acceptedByPosition: [16, 9, 4],
    timeMs: { prefill: 10, draft: 5, verify: 300, sample: 20, other: 165, total: 500 },
    timeToFirstTokenMs: 12,
    tokensPerSecond: 130.5,
    ...overrides,
  };
}

describe('formatSummary', () => {
  it('reports tokens, speed, τ, acceptance and the time split', () => {
    const text = formatSummary(
      statistics(),
      { strategy: 'speculative:pld', finishReason: 'length', modelName: 'tiny-lm' },
      plain,
    );
    expect(text).toContain('64 tokens in 500 ms');
    expect(text).toContain('130.5 tokens/s');
    expect(text).toContain('finish: length');
    expect(text).toContain('strategy speculative:pld');
    expect(text).toContain('τ 2.56 tokens per target forward (25 forwards)');
    expect(text).toContain('drafted 80 · accepted 39 (48.8%)');
    expect(text).toContain('acceptance by position 0.80 0.60 0.40');
    expect(text).toContain('prefill 10 ms (2%)');
    expect(text).toContain('verify 300 ms (60%)');
    expect(text).not.toContain('\x1b[');
  });

  it('leaves out drafting for autoregressive runs', () => {
    const text = formatSummary(
      statistics({ drafted: 0, accepted: 0, tau: 1, targetForwards: 64, acceptanceByPosition: [] }),
      { strategy: 'autoregressive', finishReason: 'stop', modelName: 'tiny-lm' },
      plain,
    );
    expect(text).toContain('τ 1.00');
    expect(text).not.toContain('drafted');
  });

  it('gives strategies that emit everything at the end their overall rate, not a decode rate', () => {
    const text = formatSummary(
      statistics({ drafted: 0, accepted: 0, timeToFirstTokenMs: 490, tokensPerSecond: 6300 }),
      { strategy: 'beam-search', finishReason: 'length', modelName: 'tiny-lm' },
      plain,
    );
    expect(text).toContain('128.0 tokens/s overall');
    expect(text).not.toContain('6300');
  });
});
