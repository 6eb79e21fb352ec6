import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  autoregressive,
  type CausalLM,
  type Drafter,
  InvalidArgumentError,
  type Strategy,
  speculative,
  type Verifier,
} from '@decodekit/core';
import { earlyExitDrafters } from '@decodekit/drafter-early-exit';
import { headDrafters, headVerifier } from '@decodekit/drafter-heads';
import { modelDrafters } from '@decodekit/drafter-model';
import { ngramDrafters } from '@decodekit/drafter-ngram';
import { readTrainSample } from '@decodekit/models-tiny';
import { defaultVerifier, recursiveSpeculativeVerifier, specTrVerifier } from '@decodekit/verifiers';

/** decodekit's baseline: one target forward per token. */
export const autoregressiveMethod = 'autoregressive';

/** Peers measured in the same run: a hand-written onnxruntime-node loop and transformers.js. */
export const peerMethods: readonly string[] = Object.freeze(['ort-raw', 'transformers-js']);

/** Training-free drafters of `@decodekit/drafter-ngram`. */
export const ngramMethods: readonly string[] = Object.freeze(Object.keys(ngramDrafters));

/** Draft-model drafters of `@decodekit/drafter-model` (they need a draft model directory). */
export const draftModelMethods: readonly string[] = Object.freeze(Object.keys(modelDrafters));

/** Draft-head drafters of `@decodekit/drafter-heads` (heads trained on the tiny target; `acceptance=typical` opts into lossy typical acceptance). */
export const headMethods: readonly string[] = Object.freeze(Object.keys(headDrafters));

/** Early-exit self-speculative drafters of `@decodekit/drafter-early-exit` (the target's own first layers). */
export const earlyExitMethods: readonly string[] = Object.freeze(Object.keys(earlyExitDrafters));

/** Every method name `runBenchmark` accepts (options may follow: `sps:gamma=6`). */
export const benchmarkMethods: readonly string[] = Object.freeze([
  autoregressiveMethod,
  ...ngramMethods,
  ...draftModelMethods,
  ...headMethods,
  ...earlyExitMethods,
  ...peerMethods,
]);

/** A method name with its options, parsed from `name` or `name:key=value:key=value`. */
export interface MethodSpec {
  /** The label in the report: the text as given. */
  readonly label: string;
  readonly name: string;
  readonly options: Readonly<Record<string, unknown>>;
}

/** Parses `sps:gamma=6:adaptiveGamma=true` into a name and typed options (numbers, booleans, strings). */
export function parseMethodSpec(text: string): MethodSpec {
  const [name, ...pairs] = text.trim().split(':');
  if (!benchmarkMethods.includes(name)) {
    throw new InvalidArgumentError(
      'methods',
      `unknown method '${name}'; known methods: ${benchmarkMethods.join(', ')}`,
    );
  }
  const options: Record<string, unknown> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) {
      throw new InvalidArgumentError('methods', `option '${pair}' of '${text}' is not key=value (e.g. sps:gamma=6)`);
    }
    const raw = pair.slice(equals + 1);
    options[pair.slice(0, equals)] =
      raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return { label: text.trim(), name, options };
}

/** What building a decodekit strategy may need; each resource is made once, on first use. */
export interface MethodResources {
  readonly target: CausalLM;
  readonly greedy: boolean;
  readonly encode: (text: string) => ArrayLike<number>;
  /** The draft model, or a reason it is missing. */
  draftModel(): Promise<CausalLM>;
  /**
   * The draft model loaded in worker mode (its own thread), for PEARL, whose draft runs while the
   * target verifies; the caller disposes it. When missing, PEARL shares `draftModel()` (no overlap).
   */
  workerDraftModel?(): Promise<CausalLM>;
  readonly draftModelDirectory?: string;
}

/** A decodekit method ready to run: a strategy to pass to `generate`. */
export interface StrategyMethod {
  readonly strategy: Strategy;
  /** Called once at the end (drafters that hold sequences or workers). */
  dispose(): Promise<void>;
}

/** The method cannot run in this setting (missing draft model, untrained head, ...): reported, not fatal. */
export class MethodUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MethodUnavailable';
  }
}

// Retrieval drafters (REST) and ADED's cold start read the training-split sample, capped so the
// one-time index build stays a few seconds on a small machine.
const corpusCharacters = 1_000_000;
let trainingCorpus: string[] | undefined;
function corpusDocuments(): string[] {
  if (!trainingCorpus) {
    trainingCorpus = [];
    let total = 0;
    for (const doc of readTrainSample().split('\n<|endoftext|>\n')) {
      if (total >= corpusCharacters) break;
      trainingCorpus.push(doc);
      total += doc.length;
    }
  }
  return trainingCorpus;
}

/**
 * Builds the strategy for a decodekit method (`autoregressive`, an n-gram drafter or a draft-model
 * drafter). `runBenchmark` builds one per repetition; it serves every generation of that
 * repetition, as in a server: drafters that learn across prompts (Token Recycling's hot start) do
 * so here too, but never see the same prompt twice.
 */
export async function createStrategyMethod(spec: MethodSpec, resources: MethodResources): Promise<StrategyMethod> {
  if (spec.name === autoregressiveMethod) return { strategy: autoregressive(), dispose: async () => {} };
  let drafter: Drafter;
  let verifier: Verifier = defaultVerifier();
  if (ngramMethods.includes(spec.name)) {
    const options: Record<string, unknown> = { ...spec.options };
    if ((spec.name === 'rest' || spec.name === 'aded') && options.corpus === undefined && options.index === undefined) {
      options.corpus = corpusDocuments();
      options.encode = resources.encode;
    }
    drafter = ngramDrafters[spec.name](options);
  } else if (draftModelMethods.includes(spec.name)) {
    // PEARL overlaps drafting with verification only when the draft model runs in its own thread.
    const draftModel =
      spec.name === 'pearl' && resources.workerDraftModel
        ? await resources.workerDraftModel()
        : await resources.draftModel();
    const options: Record<string, unknown> = { draftModel, ...spec.options };
    if (spec.name === 'specdec-pp' && options.acceptanceHead === undefined) {
      const headPath = resources.draftModelDirectory
        ? join(resources.draftModelDirectory, 'specdec-head.json')
        : undefined;
      if (!headPath || !existsSync(headPath)) {
        throw new MethodUnavailable(
          `specdec-pp needs a trained acceptance head (specdec-head.json in the draft model directory; tools/fixtures/specdec_head.py trains it)`,
        );
      }
      options.acceptanceHead = JSON.parse(readFileSync(headPath, 'utf8'));
    }
    if (spec.name === 'vocabtrim') {
      options.keep ??= 1024;
      // Calibration from the training sample (not the test split the prompts come from).
      options.calibrationTokens ??= Array.from(resources.encode(corpusDocuments().join('\n').slice(0, 200_000)));
    }
    const factory = modelDrafters[spec.name as keyof typeof modelDrafters] as (options: never) => Drafter;
    drafter = factory(options as never);
    if (!resources.greedy && spec.name === 'spectr') verifier = specTrVerifier();
    if (!resources.greedy && spec.name === 'rsd') verifier = recursiveSpeculativeVerifier();
  } else if (headMethods.includes(spec.name)) {
    const { acceptance, ...options } = spec.options;
    const factory = headDrafters[spec.name as keyof typeof headDrafters] as (options: never) => Drafter;
    drafter = factory(options as never);
    if (acceptance !== undefined) verifier = headVerifier({ acceptance: acceptance as 'exact' | 'typical' });
  } else if (earlyExitMethods.includes(spec.name)) {
    drafter = earlyExitDrafters[spec.name as keyof typeof earlyExitDrafters](spec.options);
  } else {
    throw new InvalidArgumentError('methods', `'${spec.name}' is not a decodekit strategy method`);
  }
  return {
    strategy: speculative({ drafter, verifier }),
    dispose: async () => {
      await drafter.dispose?.();
    },
  };
}
