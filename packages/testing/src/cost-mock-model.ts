import type {
  BatchItem,
  CausalLM,
  ForwardOptions,
  ForwardOutput,
  MaybePromise,
  Sequence,
  TokenBlock,
} from '@decodekit/core';
import { InvalidArgumentError } from '@decodekit/core';

export interface CostMockModelOptions {
  /** Fixed cost of every `forward` call in milliseconds (default 0): the weight-loading cost of a real model. */
  readonly msPerForward?: number;
  /** Extra cost per block token in milliseconds (default 0). */
  readonly msPerToken?: number;
  /**
   * How the cost is spent: `'busy'` (default) spins the CPU and blocks the event loop, like
   * onnxruntime-node's `run()`; `'sleep'` waits on a timer (forward then returns a promise; timers
   * round to about 1 ms).
   */
  readonly mode?: 'busy' | 'sleep';
}

/** Spins until `milliseconds` have passed on the monotonic clock. */
function busyWait(milliseconds: number): void {
  const end = performance.now() + milliseconds;
  while (performance.now() < end) {
    // spin: a mock of compute that blocks the thread
  }
}

/**
 * Wraps a model so that every `forward` costs `msPerForward + msPerToken × block length`
 * milliseconds (and `forwardBatch` one `msPerForward` for the whole batch when the base model
 * batches, else one per item), for decode-loop tests and benchmark demos where a target forward
 * must be expensive relative to drafting. Logits and every other behaviour are the base model's.
 */
export function createCostMockModel<M extends CausalLM>(base: M, options: CostMockModelOptions = {}): M {
  const msPerForward = options.msPerForward ?? 0;
  const msPerToken = options.msPerToken ?? 0;
  const mode = options.mode ?? 'busy';
  if (!(msPerForward >= 0) || !(msPerToken >= 0)) {
    throw new InvalidArgumentError(
      'cost',
      `msPerForward and msPerToken must be >= 0, got ${msPerForward} and ${msPerToken}`,
    );
  }
  const spend = <T>(milliseconds: number, work: () => MaybePromise<T>): MaybePromise<T> => {
    if (milliseconds <= 0) return work();
    if (mode === 'busy') {
      busyWait(milliseconds);
      return work();
    }
    return new Promise<void>((resolve) => setTimeout(resolve, milliseconds)).then(work);
  };
  const unwrapped = new WeakMap<Sequence, Sequence>();
  const wrapSequence = (sequence: Sequence): Sequence => {
    const outer: Sequence = {
      get length() {
        return sequence.length;
      },
      tokens: () => sequence.tokens(),
      forward: (block: TokenBlock, forwardOptions?: ForwardOptions) =>
        spend(msPerForward + msPerToken * block.tokens.length, () => sequence.forward(block, forwardOptions)),
      accept: (path) => sequence.accept(path),
      truncate: (length) => sequence.truncate(length),
      fork: () => {
        const forked = sequence.fork();
        return forked instanceof Promise ? forked.then(wrapSequence) : wrapSequence(forked);
      },
      dispose: () => sequence.dispose(),
    };
    unwrapped.set(outer, sequence);
    return outer;
  };
  const wrapped = Object.create(base) as M & { openSequence(): Sequence };
  Object.defineProperty(wrapped, 'openSequence', {
    value: () => wrapSequence(base.openSequence()),
  });
  Object.defineProperty(wrapped, 'forwardBatch', {
    value: (items: readonly BatchItem[], forwardOptions?: ForwardOptions): MaybePromise<ForwardOutput[]> => {
      // Batched: one fixed cost for the whole call; otherwise every item pays, as it would run alone.
      const tokens = items.reduce((sum, item) => sum + item.block.tokens.length, 0);
      const fixed = base.capabilities.batchedForward ? msPerForward : msPerForward * items.length;
      const inner = items.map((item) => ({
        sequence: unwrapped.get(item.sequence) ?? item.sequence,
        block: item.block,
      }));
      return spend(fixed + msPerToken * tokens, () => base.forwardBatch(inner, forwardOptions));
    },
  });
  return wrapped;
}
