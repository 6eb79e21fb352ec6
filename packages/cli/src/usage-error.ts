/**
 * A mistake in the command line (unknown flag, bad value, missing prompt). The CLI prints its
 * message with a pointer to `--help` and exits with code 2, as POSIX tools do for usage errors.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes of the `decodekit` command. */
export const exitCodes = {
  success: 0,
  /** A decodekit error (bad model directory, missing capability, ...) or any other failure. */
  failure: 1,
  /** The command line was wrong. */
  usage: 2,
  /** Interrupted with Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;
