import {
  createSamplerChain,
  InvalidArgumentError,
  type LogitsProcessor,
  type SamplerChain,
  temperature,
} from '@decodekit/core';
import { bannedTokens } from './processors/banned-tokens.js';
import { type DryOptions, dry } from './processors/dry.js';
import { epsilonCutoff } from './processors/epsilon-cutoff.js';
import { etaCutoff } from './processors/eta-cutoff.js';
import { frequencyPenalty } from './processors/frequency-penalty.js';
import { logitBias, type TokenBiases } from './processors/logit-bias.js';
import { minLength, minNewTokens } from './processors/min-length.js';
import { minP } from './processors/min-p.js';
import { type MirostatOptions, mirostat } from './processors/mirostat.js';
import { mirostatV2 } from './processors/mirostat-v2.js';
import { noRepeatNgram } from './processors/no-repeat-ngram.js';
import { presencePenalty } from './processors/presence-penalty.js';
import { repetitionPenalty } from './processors/repetition-penalty.js';
import { topK } from './processors/top-k.js';
import { topNSigma } from './processors/top-n-sigma.js';
import { topP } from './processors/top-p.js';
import { typicalP } from './processors/typical-p.js';
import { type XtcOptions, xtc } from './processors/xtc.js';

/** The stages a {@link samplerChain} can hold, by name. */
export type SamplerStage =
  | 'processors'
  | 'logit-bias'
  | 'banned-tokens'
  | 'min-length'
  | 'penalties'
  | 'no-repeat-ngram'
  | 'dry'
  | 'top-n-sigma'
  | 'top-k'
  | 'typical-p'
  | 'top-p'
  | 'min-p'
  | 'epsilon-cutoff'
  | 'eta-cutoff'
  | 'xtc'
  | 'temperature'
  | 'mirostat';

/**
 * The default stage order: hard masks first (custom processors such as grammars, logit bias, bans,
 * minimum length), then llama.cpp's default sampler order — penalties → DRY → top-nσ → top-k →
 * typical → top-p → min-p → XTC → temperature — with Hugging Face's epsilon/eta cutoffs beside
 * min-p, and mirostat last (it truncates the tempered distribution, as in llama.cpp).
 *
 * Note that truncation runs BEFORE temperature here, as in llama.cpp; Hugging Face divides by
 * the temperature first. Pass `order` to get Hugging Face's behaviour (put 'temperature' first).
 */
export const defaultSamplerOrder: readonly SamplerStage[] = Object.freeze([
  'processors',
  'logit-bias',
  'banned-tokens',
  'min-length',
  'penalties',
  'no-repeat-ngram',
  'dry',
  'top-n-sigma',
  'top-k',
  'typical-p',
  'top-p',
  'min-p',
  'epsilon-cutoff',
  'eta-cutoff',
  'xtc',
  'temperature',
  'mirostat',
]);

/** Hugging Face / llama.cpp style sampling settings. Every setting is off unless given. */
export interface SamplerSettings {
  /** > 0, or 0 for greedy selection (argmax after the processors). Default 1. */
  readonly temperature?: number;
  readonly topK?: number;
  readonly topP?: number;
  readonly minP?: number;
  readonly typicalP?: number;
  readonly epsilonCutoff?: number;
  readonly etaCutoff?: number;
  readonly topNSigma?: number;
  /** Never keep fewer tokens than this in top-p, min-p, typical, epsilon and eta. Default 1. */
  readonly minTokensToKeep?: number;
  readonly xtc?: XtcOptions;
  /** Mirostat version 1 or 2 with its options. Replaces nothing: combine with top-k etc. at your own risk. */
  readonly mirostat?: MirostatOptions & { readonly version: 1 | 2; readonly estimationWindow?: number };
  readonly repetitionPenalty?: number;
  readonly presencePenalty?: number;
  readonly frequencyPenalty?: number;
  /** Window of the three penalties (llama.cpp's `penalty_last_n`); 0 = whole scope. Default 0. */
  readonly penaltyLastN?: number;
  readonly dry?: DryOptions;
  readonly noRepeatNgramSize?: number;
  readonly logitBias?: TokenBiases;
  readonly bannedTokens?: ReadonlyArray<number | readonly number[]>;
  /** Needs `eos`. */
  readonly minLength?: number;
  /** Needs `eos`. */
  readonly minNewTokens?: number;
  /** End-of-sequence ids for `minLength` / `minNewTokens` (usually `model.specialTokens.eos`). */
  readonly eos?: readonly number[];
  /** Custom processors (grammar masks, ...), run at the 'processors' stage. */
  readonly processors?: readonly LogitsProcessor[];
  /** Stage order; default {@link defaultSamplerOrder}. Every configured stage must be listed. */
  readonly order?: readonly SamplerStage[];
}

/**
 * Builds a core `SamplerChain` (core's `createSamplerChain`, whose softmax and draw skip masked
 * entries) from Hugging Face-like settings, in a fixed, documented order
 * ({@link defaultSamplerOrder}, or `settings.order`). `temperature: 0` gives greedy selection after
 * the processors. Settings at their neutral value (topP 1, topK 0, penalty 1, ...) add nothing.
 */
export function samplerChain(settings: SamplerSettings = {}): SamplerChain {
  const temperatureValue = settings.temperature ?? 1;
  if (!(temperatureValue >= 0) || !Number.isFinite(temperatureValue)) {
    throw new InvalidArgumentError('temperature', `must be a finite number >= 0 (0 = greedy), got ${temperatureValue}`);
  }
  const minimum = settings.minTokensToKeep === undefined ? {} : { minTokensToKeep: settings.minTokensToKeep };
  const stages = new Map<SamplerStage, LogitsProcessor[]>();
  const add = (stage: SamplerStage, ...processors: LogitsProcessor[]) => {
    stages.set(stage, [...(stages.get(stage) ?? []), ...processors]);
  };
  if (settings.processors?.length) add('processors', ...settings.processors);
  if (settings.logitBias !== undefined) add('logit-bias', logitBias(settings.logitBias));
  if (settings.bannedTokens?.length) add('banned-tokens', bannedTokens(settings.bannedTokens));
  const needsEos = (setting: string) => {
    if (!settings.eos)
      throw new InvalidArgumentError(setting, 'needs the end-of-sequence ids: pass `eos` (model.specialTokens.eos)');
    return settings.eos;
  };
  if (settings.minLength !== undefined)
    add('min-length', minLength(settings.minLength, settings.minLength > 0 ? needsEos('minLength') : []));
  if (settings.minNewTokens !== undefined)
    add('min-length', minNewTokens(settings.minNewTokens, settings.minNewTokens > 0 ? needsEos('minNewTokens') : []));
  const window = { lastN: settings.penaltyLastN ?? 0 };
  // Every given setting is validated by its factory; neutral values make no-op processors.
  if (settings.repetitionPenalty !== undefined) add('penalties', repetitionPenalty(settings.repetitionPenalty, window));
  if (settings.presencePenalty !== undefined) add('penalties', presencePenalty(settings.presencePenalty, window));
  if (settings.frequencyPenalty !== undefined) add('penalties', frequencyPenalty(settings.frequencyPenalty, window));
  if (settings.noRepeatNgramSize !== undefined) add('no-repeat-ngram', noRepeatNgram(settings.noRepeatNgramSize));
  if (settings.dry !== undefined) add('dry', dry(settings.dry));
  if (settings.topNSigma !== undefined) add('top-n-sigma', topNSigma(settings.topNSigma));
  if (settings.topK !== undefined) add('top-k', topK(settings.topK));
  if (settings.typicalP !== undefined) add('typical-p', typicalP(settings.typicalP, minimum));
  if (settings.topP !== undefined) add('top-p', topP(settings.topP, minimum));
  if (settings.minP !== undefined) add('min-p', minP(settings.minP, minimum));
  if (settings.epsilonCutoff !== undefined) add('epsilon-cutoff', epsilonCutoff(settings.epsilonCutoff, minimum));
  if (settings.etaCutoff !== undefined) add('eta-cutoff', etaCutoff(settings.etaCutoff, minimum));
  if (settings.xtc !== undefined) add('xtc', xtc(settings.xtc));
  const greedy = temperatureValue === 0;
  const temperatureProcessor = !greedy && temperatureValue !== 1 ? temperature(temperatureValue) : undefined;
  if (temperatureProcessor) add('temperature', temperatureProcessor);
  if (settings.mirostat) {
    const { version, ...options } = settings.mirostat;
    if (version !== 1 && version !== 2)
      throw new InvalidArgumentError('mirostat.version', `must be 1 or 2, got ${version}`);
    add('mirostat', version === 1 ? mirostat(options) : mirostatV2(options));
  }
  const order = resolveOrder(settings.order, stages);
  return createSamplerChain({ processors: order.flatMap((stage) => stages.get(stage) ?? []), greedy });
}

function resolveOrder(order: readonly SamplerStage[] | undefined, stages: Map<SamplerStage, LogitsProcessor[]>) {
  if (!order) return defaultSamplerOrder;
  const known = new Set<string>(defaultSamplerOrder);
  const seen = new Set<SamplerStage>();
  for (const stage of order) {
    if (!known.has(stage)) {
      throw new InvalidArgumentError('order', `unknown stage '${stage}'; stages are ${defaultSamplerOrder.join(', ')}`);
    }
    if (seen.has(stage)) throw new InvalidArgumentError('order', `stage '${stage}' is listed twice`);
    seen.add(stage);
  }
  for (const stage of stages.keys()) {
    if (!seen.has(stage)) {
      throw new InvalidArgumentError(
        'order',
        `stage '${stage}' is configured but missing from order; add it or drop its setting`,
      );
    }
  }
  return order;
}
