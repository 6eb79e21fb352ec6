import type { CausalLM, MaybePromise } from '@decodekit/core';
import { afterAll, assert, beforeAll, describe, it } from 'vitest';
import { checkDisposal, type SequenceCheckOptions, sequenceChecks } from './sequence-checks.js';

export interface SequenceConformanceOptions extends SequenceCheckOptions {
  /** Per-test timeout in milliseconds (default 30 000; real models load and run slower than mocks). */
  readonly timeout?: number;
}

/**
 * Registers vitest tests that check a `CausalLM` and its sequences against the core contract:
 * forward shapes and the `logits` option, truncate and accept equal to recomputation from scratch,
 * tree blocks equal to their root-to-node chains (positions and masks), fork isolation,
 * forwardBatch, hidden states, dispose semantics, and typed errors for bad tokens and context
 * overflow. Works with synchronous and asynchronous (worker) models.
 *
 * @example
 * describeSequenceConformance('onnx tiny', () => loadModel(tinyTargetPath));
 */
export function describeSequenceConformance(
  name: string,
  openModel: () => MaybePromise<CausalLM>,
  options: SequenceConformanceOptions = {},
): void {
  const timeout = options.timeout ?? 30_000;
  describe(`${name}: sequence conformance`, () => {
    let model: CausalLM | undefined;
    beforeAll(async () => {
      model = await openModel();
    }, timeout);
    afterAll(async () => {
      await model?.dispose();
    }, timeout);
    for (const { title, run } of sequenceChecks) {
      it(
        title,
        async () => {
          const result = await run(model as CausalLM, options);
          assert(result.passed, result.message);
        },
        timeout,
      );
    }
    it(
      'dispose makes sequences unusable (DisposedError)',
      async () => {
        const result = await checkDisposal(openModel, options);
        assert(result.passed, result.message);
      },
      timeout,
    );
  });
}
