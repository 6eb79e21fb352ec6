/** The outcome of one conformance check. Suites assert `passed` and show `message`. */
export interface CheckResult {
  /** Short name of the check, as in the suite's test title. */
  readonly check: string;
  readonly passed: boolean;
  /** On failure: what differed (observed vs expected) and how to reproduce it. On success: a summary. */
  readonly message: string;
}

/** A check decided by a statistical test. */
export interface StatisticalCheckResult extends CheckResult {
  readonly trials: number;
  readonly seed: number;
  /** Chi-square p-value of the observed counts against the exact target distribution. */
  readonly pValue: number;
  readonly statistic: number;
  readonly degreesOfFreedom: number;
  /** Total variation distance between the empirical and exact distributions. */
  readonly totalVariation: number;
  /** The p-value below which the check fails. */
  readonly failBelow: number;
}

export function passed(check: string, message: string): CheckResult {
  return { check, passed: true, message };
}

export function failed(check: string, message: string): CheckResult {
  return { check, passed: false, message };
}

/** Runs `work` and turns a thrown error into a failed check that names it. */
export async function guardCheck(check: string, work: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await work();
  } catch (error) {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return failed(check, `${check}: threw ${text}`);
  }
}
