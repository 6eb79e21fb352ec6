// Code completion with a training-free drafter: the drafter guesses the next tokens from the text
// already there (prompt lookup copies what followed the last match; Token Recycling remembers the
// target's own top candidates), the model checks the whole guess in one forward pass, and the greedy
// verifier keeps exactly what autoregressive decoding would have produced.
import { autoregressive, speculative, stream } from '@decodekit/core';
import { promptLookup, tokenRecycling } from '@decodekit/drafter-ngram';
import { defaultVerifier } from '@decodekit/verifiers';

/** The decoding methods this example offers, by name. */
export const methods = {
  pld: () => speculative({ drafter: promptLookup(), verifier: defaultVerifier() }),
  'token-recycling': () => speculative({ drafter: tokenRecycling(), verifier: defaultVerifier() }),
  autoregressive: () => autoregressive(),
};

/**
 * Completes `prompt` and reports progress as it goes.
 * @param {object} options
 * @param {import('@decodekit/core').CausalLM} options.model
 * @param {import('@decodekit/core').TextTokenizer} options.tokenizer
 * @param {string} options.prompt
 * @param {keyof typeof methods} [options.method]
 * @param {number} [options.maxNewTokens]
 * @param {(text: string) => void} [options.onText] called with each piece of new text
 * @param {(live: LiveStats) => void} [options.onStats] called after every verification step
 * @param {AbortSignal} [options.signal]
 * @returns {Promise<import('@decodekit/core').GenerateResult>}
 */
export async function complete({
  model,
  tokenizer,
  prompt,
  method = 'pld',
  maxNewTokens = 64,
  onText,
  onStats,
  signal,
}) {
  const makeStrategy = methods[method];
  if (!makeStrategy) throw new Error(`unknown method "${method}"; use one of ${Object.keys(methods).join(', ')}`);
  const live = { steps: 0, drafted: 0, accepted: 0, committed: 0, startedAt: performance.now() };
  // Code ends where the model starts a new top-level block or the document ends.
  const events = stream({
    model,
    tokenizer,
    prompt,
    maxNewTokens,
    strategy: makeStrategy(),
    stopSequences: ['\n\n\n'],
    signal,
  });
  for await (const event of events) {
    switch (event.type) {
      case 'token-delta':
        if (event.text) onText?.(event.text);
        break;
      case 'verify-end':
        live.steps += 1;
        live.drafted += event.drafted;
        live.accepted += event.accepted;
        live.committed += event.committed;
        onStats?.(summarize(live));
        break;
      case 'finish':
        return event.result;
      case 'error':
        throw event.error;
    }
  }
  throw new Error('the stream ended without a result');
}

/**
 * @typedef {object} LiveStats
 * @property {number} steps verification steps so far (one target forward each)
 * @property {number} tau tokens committed per verification step (bonus token included)
 * @property {number} acceptance share of drafted tokens the target accepted
 * @property {number} tokensPerSecond committed tokens per second since the start
 */

/** @returns {LiveStats} */
function summarize(live) {
  const seconds = (performance.now() - live.startedAt) / 1000;
  return {
    steps: live.steps,
    tau: live.committed / live.steps,
    acceptance: live.drafted === 0 ? 0 : live.accepted / live.drafted,
    tokensPerSecond: seconds > 0 ? live.committed / seconds : 0,
  };
}
