import { InvalidArgumentError } from '@decodekit/core';
import type { SamplerSettings, SamplerStage } from './sampler-chain.js';

/**
 * Hugging Face transformers' order: logits processors (sequence bias, repetition penalty,
 * no-repeat n-gram, bad words, minimum length) first, then the warpers with temperature FIRST:
 * temperature → top-k → top-p → min-p → typical → epsilon → eta. Stages Hugging Face lacks follow.
 */
export const huggingFaceSamplerOrder: readonly SamplerStage[] = Object.freeze([
  'processors',
  'logit-bias',
  'penalties',
  'no-repeat-ngram',
  'banned-tokens',
  'min-length',
  'dry',
  'temperature',
  'top-k',
  'top-p',
  'min-p',
  'typical-p',
  'epsilon-cutoff',
  'eta-cutoff',
  'top-n-sigma',
  'xtc',
  'mirostat',
]);

/** The `generation_config.json` fields this mapping reads (snake_case, as Hugging Face writes them). */
export interface GenerationConfig {
  readonly do_sample?: boolean;
  readonly temperature?: number;
  readonly top_k?: number;
  readonly top_p?: number;
  readonly min_p?: number;
  readonly typical_p?: number;
  readonly epsilon_cutoff?: number;
  readonly eta_cutoff?: number;
  readonly repetition_penalty?: number;
  readonly no_repeat_ngram_size?: number;
  readonly min_length?: number;
  readonly min_new_tokens?: number;
  readonly bad_words_ids?: readonly (readonly number[])[];
  readonly suppress_tokens?: readonly number[];
  readonly sequence_bias?: ReadonlyArray<readonly [readonly number[], number]>;
  readonly eos_token_id?: number | readonly number[];
  readonly [other: string]: unknown;
}

/**
 * Maps a Hugging Face `generation_config.json` to {@link SamplerSettings} with Hugging Face's
 * semantics: greedy unless `do_sample` is true (then temperature defaults to 1 and top-k to 50,
 * Hugging Face's defaults), warpers only when sampling, processors always, and
 * {@link huggingFaceSamplerOrder}. Multi-token `sequence_bias` entries are not supported (throws).
 *
 * @example samplerChain(samplerSettingsFromGenerationConfig(JSON.parse(text)))
 */
export function samplerSettingsFromGenerationConfig(config: GenerationConfig): SamplerSettings {
  const sampling = config.do_sample === true;
  const eos = config.eos_token_id === undefined ? undefined : [config.eos_token_id].flat();
  const logitBias = new Map<number, number>();
  for (const [tokens, bias] of config.sequence_bias ?? []) {
    if (tokens.length !== 1) {
      throw new InvalidArgumentError(
        'sequence_bias',
        'only single-token biases are supported; use bannedTokens for sequences',
      );
    }
    logitBias.set(tokens[0], bias);
  }
  const banned = [...(config.bad_words_ids ?? []), ...(config.suppress_tokens ?? []).map((token) => [token])];
  const settings: Record<string, unknown> = {
    temperature: sampling ? (config.temperature ?? 1) : 0,
    order: huggingFaceSamplerOrder,
  };
  const set = (key: keyof SamplerSettings, value: unknown, neutral?: unknown) => {
    if (value !== undefined && value !== null && value !== neutral) settings[key] = value;
  };
  set('repetitionPenalty', config.repetition_penalty, 1);
  set('noRepeatNgramSize', config.no_repeat_ngram_size, 0);
  if (logitBias.size > 0) settings.logitBias = logitBias;
  if (banned.length > 0) settings.bannedTokens = banned;
  if (eos?.length) {
    set('minLength', config.min_length, 0);
    set('minNewTokens', config.min_new_tokens, 0);
    settings.eos = eos;
  }
  if (sampling) {
    set('topK', config.top_k ?? 50, 0);
    set('topP', config.top_p, 1);
    set('minP', config.min_p, 0);
    set('typicalP', config.typical_p, 1);
    set('epsilonCutoff', config.epsilon_cutoff, 0);
    set('etaCutoff', config.eta_cutoff, 0);
  }
  return settings as SamplerSettings;
}
