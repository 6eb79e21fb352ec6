/** The phases a step's wall time is split into. */
export type Phase = 'prefill' | 'draft' | 'verify' | 'sample' | 'other';

/** What every run reports, whatever the strategy. */
export interface RunStatistics {
  readonly promptTokens: number;
  readonly newTokens: number;
  /** Target model forward calls, the prefill included. */
  readonly targetForwards: number;
  /** Draft tokens proposed (tree nodes count one each). */
  readonly drafted: number;
  /** Draft tokens accepted by verification. */
  readonly accepted: number;
  /** Tokens committed per target forward, bonus included: `newTokens / targetForwards` (1.00 for autoregressive). */
  readonly tau: number;
  /**
   * `acceptanceByPosition[d]`: of the steps whose draft reached depth d + 1, the fraction that
   * accepted a token at that depth.
   */
  readonly acceptanceByPosition: readonly number[];
  /** Raw counts behind `acceptanceByPosition`: steps that drafted / accepted at each depth. */
  readonly draftedByPosition: readonly number[];
  readonly acceptedByPosition: readonly number[];
  /** Wall time per phase in milliseconds; `total` is the whole run. */
  readonly timeMs: Readonly<Record<Phase | 'total', number>>;
  /** Time from the start of the run to the first generated token. */
  readonly timeToFirstTokenMs: number;
  /** Decode-phase speed: tokens after the first, over the time after the first token. */
  readonly tokensPerSecond: number;
}

/** Accumulates statistics during a run; strategies record into it, the loop finalises it. */
export class StatisticsRecorder {
  private readonly phaseMs: Record<Phase, number> = { prefill: 0, draft: 0, verify: 0, sample: 0, other: 0 };
  private readonly startedAt = performance.now();
  private firstTokenAt: number | undefined;
  private finishedAt: number | undefined;
  targetForwards = 0;
  drafted = 0;
  accepted = 0;
  readonly draftedByPosition: number[] = [];
  readonly acceptedByPosition: number[] = [];

  /** Adds `milliseconds` to `phase`. */
  add(phase: Phase, milliseconds: number): void {
    this.phaseMs[phase] += milliseconds;
  }

  /** Times a synchronous or asynchronous piece of work into `phase`. */
  async time<T>(phase: Phase, work: () => T | Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.phaseMs[phase] += performance.now() - start;
    }
  }

  /** Records one verification: a draft `draftDepth` deep with `draftSize` nodes, `acceptedLength` accepted. */
  recordVerification(draftSize: number, draftDepth: number, acceptedLength: number): void {
    this.drafted += draftSize;
    this.accepted += acceptedLength;
    for (let d = 0; d < draftDepth; d++) {
      this.draftedByPosition[d] = (this.draftedByPosition[d] ?? 0) + 1;
      if (acceptedLength > d) this.acceptedByPosition[d] = (this.acceptedByPosition[d] ?? 0) + 1;
      else this.acceptedByPosition[d] ??= 0;
    }
  }

  markFirstToken(): void {
    this.firstTokenAt ??= performance.now();
  }

  finish(promptTokens: number, newTokens: number): RunStatistics {
    this.finishedAt ??= performance.now();
    const total = this.finishedAt - this.startedAt;
    const measured = this.phaseMs.prefill + this.phaseMs.draft + this.phaseMs.verify + this.phaseMs.sample;
    const firstTokenAt = this.firstTokenAt ?? this.finishedAt;
    const decodeMs = this.finishedAt - firstTokenAt;
    const draftedByPosition = [...this.draftedByPosition];
    const acceptedByPosition = draftedByPosition.map((_, d) => this.acceptedByPosition[d] ?? 0);
    return {
      promptTokens,
      newTokens,
      targetForwards: this.targetForwards,
      drafted: this.drafted,
      accepted: this.accepted,
      tau: this.targetForwards > 0 ? newTokens / this.targetForwards : 0,
      acceptanceByPosition: draftedByPosition.map((n, d) => (n > 0 ? acceptedByPosition[d] / n : 0)),
      draftedByPosition,
      acceptedByPosition,
      timeMs: { ...this.phaseMs, other: this.phaseMs.other + Math.max(0, total - measured), total },
      timeToFirstTokenMs: firstTokenAt - this.startedAt,
      tokensPerSecond: newTokens > 1 && decodeMs > 0 ? ((newTokens - 1) * 1000) / decodeMs : 0,
    };
  }
}
