import type { FinishReason, RunStatistics } from '@decodekit/core';
import { formatMilliseconds, type styler } from './io.js';

/** What the summary says about a run besides its statistics. */
export interface SummaryContext {
  readonly strategy: string;
  readonly finishReason: FinishReason | 'aborted';
  readonly modelName: string;
  readonly draftModelName?: string;
}

/** The human statistics summary printed on stderr after a generation. */
export function formatSummary(stats: RunStatistics, context: SummaryContext, style: ReturnType<typeof styler>): string {
  const seconds = stats.timeMs.total / 1000;
  const overall = seconds > 0 ? stats.newTokens / seconds : 0;
  // Strategies that commit their output at the end (beam search, superposed decoding) have no
  // token-by-token phase: their decode rate would divide by almost nothing, so they get the overall rate.
  const batchEmitted = stats.timeToFirstTokenMs > stats.timeMs.total / 2;
  const rate = batchEmitted ? `${overall.toFixed(1)} tokens/s overall` : `${stats.tokensPerSecond.toFixed(1)} tokens/s`;
  const lines: string[] = [];
  lines.push(
    `${style.bold(plural(stats.newTokens, 'token'))} in ${formatMilliseconds(stats.timeMs.total)} · ` +
      `${style.bold(rate)} · finish: ${context.finishReason}`,
  );
  const modelPart = context.draftModelName
    ? `${context.modelName} + draft ${context.draftModelName}`
    : context.modelName;
  lines.push(
    `model ${modelPart} · strategy ${context.strategy} · prompt ${plural(stats.promptTokens, 'token')} · ` +
      `first token after ${formatMilliseconds(stats.timeToFirstTokenMs)}` +
      (seconds > 0 && !batchEmitted ? ` · overall ${overall.toFixed(1)} tokens/s` : ''),
  );
  lines.push(`τ ${stats.tau.toFixed(2)} tokens per target forward (${plural(stats.targetForwards, 'forward')})`);
  if (stats.drafted > 0) {
    const rate = stats.accepted / stats.drafted;
    const byPosition = stats.acceptanceByPosition
      .slice(0, 8)
      .map((value) => value.toFixed(2))
      .join(' ');
    const more = stats.acceptanceByPosition.length > 8 ? ' …' : '';
    lines.push(
      `drafted ${stats.drafted} · accepted ${stats.accepted} (${(rate * 100).toFixed(1)}%) · ` +
        `acceptance by position ${byPosition}${more}`,
    );
  }
  const { prefill, draft, verify, sample, other } = stats.timeMs;
  const parts: [string, number][] = [
    ['prefill', prefill],
    ['draft', draft],
    ['verify', verify],
    ['sample', sample],
    ['other', other],
  ];
  lines.push(
    `time: ${parts
      .filter(([name, value]) => value > 0 || name === 'prefill')
      .map(([name, value]) => `${name} ${formatMilliseconds(value)} (${percent(value, stats.timeMs.total)})`)
      .join(' · ')}`,
  );
  return `${lines.map((line, index) => (index === 0 ? line : style.dim(line))).join('\n')}\n`;
}

function percent(part: number, total: number): string {
  return total > 0 ? `${Math.round((part / total) * 100)}%` : '0%';
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
