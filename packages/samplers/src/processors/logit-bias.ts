import { InvalidArgumentError, type LogitsProcessor } from '@decodekit/core';

/** Token id → bias, as a Map, a record (OpenAI's `logit_bias` JSON) or [id, bias] pairs. */
export type TokenBiases =
  | ReadonlyMap<number, number>
  | Readonly<Record<number, number>>
  | ReadonlyArray<readonly [number, number]>;

/**
 * Logit bias (OpenAI's `logit_bias`, llama.cpp's `logit_bias`, node-llama-cpp's `tokenBias`):
 * `z(v) ← z(v) + bias(v)`. A bias of -Infinity bans the token. Ids outside the row are ignored
 * (the vocabulary is only known once a row arrives).
 *
 * @param biases - finite numbers or -Infinity; an empty set disables it.
 */
export function logitBias(biases: TokenBiases): LogitsProcessor {
  const entries = normaliseBiases(biases);
  return {
    name: 'logit-bias',
    process(logits) {
      for (const [token, bias] of entries) if (token < logits.length) logits[token] += bias;
    },
  };
}

function normaliseBiases(biases: TokenBiases): Array<[number, number]> {
  let pairs: Array<[number | string, number]>;
  if (biases instanceof Map) pairs = [...biases.entries()];
  else if (Array.isArray(biases)) pairs = biases.map(([token, bias]) => [token, bias]);
  else pairs = Object.entries(biases as Record<string, number>);
  return pairs.map(([key, bias]) => {
    const token = Number(key);
    if (!Number.isInteger(token) || token < 0) {
      throw new InvalidArgumentError('logitBias', `token ids must be integers >= 0, got ${key}`);
    }
    if (Number.isNaN(bias) || bias === Number.POSITIVE_INFINITY || typeof bias !== 'number') {
      throw new InvalidArgumentError(
        'logitBias',
        `biases must be finite numbers or -Infinity, got ${bias} for token ${token}`,
      );
    }
    return [token, bias];
  });
}
