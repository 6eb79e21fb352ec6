import type { CausalLM, Drafter, DraftFeedback, Sequence } from '@decodekit/core';
import { createMockModel, createNgramMockModel, type MockModel } from '@decodekit/testing';

/** The conformance suite's default target: a 32-token bigram mock. */
export function targetModel(options: { asynchronous?: boolean } = {}): MockModel {
  return createNgramMockModel({ vocabSize: 32, order: 2, seed: 5, contextLength: 512, ...options });
}

function mix(value: number): number {
  let z = value >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export interface DraftMockOptions {
  /** Size of the hashed perturbation added to the target's logits (0: the draft equals the target). */
  readonly noise?: number;
  readonly seed?: number;
  readonly vocabSize?: number;
  readonly asynchronous?: boolean;
  readonly contextLength?: number;
}

/**
 * A draft mock close to `target`: the target's logits plus a hashed perturbation of the last two
 * tokens, with a hidden state whose first entry is the perturbation size at the last position.
 */
export function draftModelFor(target: MockModel, options: DraftMockOptions = {}): MockModel {
  const noise = options.noise ?? 1.5;
  const seed = options.seed ?? 11;
  const vocabSize = options.vocabSize ?? target.vocabSize;
  const perturb = (context: ArrayLike<number>, v: number) => {
    const a = context.length > 0 ? context[context.length - 1] : -1;
    const b = context.length > 1 ? context[context.length - 2] : -1;
    const h = mix(mix(mix(seed ^ (a + 7)) ^ (b + 13)) ^ (v * 2654435761));
    return (h / 4294967296 - 0.5) * 2 * noise;
  };
  return createMockModel({
    name: 'draft-mock',
    vocabSize,
    contextLength: options.contextLength ?? target.contextLength,
    hiddenSize: 4,
    asynchronous: options.asynchronous,
    logitsFor(context, out) {
      const row = target.logitsFor(context);
      for (let v = 0; v < vocabSize; v++) out[v] = (v < row.length ? row[v] : 0) + perturb(context, v);
    },
    hiddenStateFor(context, out) {
      out.fill(0);
      out[0] = context.length > 0 ? (context[context.length - 1] % 4) / 4 : 0;
      out[1] = 1;
    },
  });
}

/** A model wrapper that remembers every sequence it opened (to look at the drafter's cache). */
export function recordingModel(model: CausalLM): { model: CausalLM; sequences: Sequence[] } {
  const sequences: Sequence[] = [];
  const wrapped: CausalLM = Object.create(model);
  Object.defineProperty(wrapped, 'openSequence', {
    value: () => {
      const sequence = model.openSequence();
      sequences.push(sequence);
      return sequence;
    },
  });
  return { model: wrapped, sequences };
}

/** Wraps a drafter so `check` sees each feedback after the drafter observed it. */
export function afterObserve(drafter: Drafter, check: (feedback: DraftFeedback) => void | Promise<void>): Drafter {
  return {
    ...drafter,
    name: drafter.name,
    start: drafter.start?.bind(drafter),
    propose: drafter.propose.bind(drafter),
    dispose: drafter.dispose?.bind(drafter),
    async observe(feedback) {
      await drafter.observe?.(feedback);
      await check(feedback);
    },
  };
}
