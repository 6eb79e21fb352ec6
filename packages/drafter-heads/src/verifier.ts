import { InvalidArgumentError, type Verifier } from '@decodekit/core';
import { defaultVerifier, type TypicalAcceptanceOptions, typicalAcceptanceVerifier } from '@decodekit/verifiers';

/** Options of `headVerifier`. */
export interface HeadVerifierOptions extends TypicalAcceptanceOptions {
  /**
   * `'exact'` (default): `defaultVerifier()` — greedy matching under a greedy sampler, sample-match
   * (exact for deterministic trees) under sampling. `'typical'`: Medusa's typical acceptance, LOSSY.
   */
  readonly acceptance?: 'exact' | 'typical';
}

/**
 * The verifier for a head drafter: exact by default; typical acceptance (Medusa's ε / δ rule,
 * `exact: false`) only when asked for.
 *
 * @example
 * const strategy = speculative({ drafter: medusa(), verifier: headVerifier({ acceptance: 'typical' }) });
 */
export function headVerifier(options: HeadVerifierOptions = {}): Verifier {
  const acceptance = options.acceptance ?? 'exact';
  if (acceptance === 'exact') return defaultVerifier();
  if (acceptance === 'typical') {
    const { acceptance: _, ...typical } = options;
    return typicalAcceptanceVerifier(typical);
  }
  throw new InvalidArgumentError('acceptance', `must be 'exact' or 'typical', got ${String(acceptance)}`);
}
