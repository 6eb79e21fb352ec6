// One turn of a chat: render the history with the model's chat template, stream the assistant's
// reply, stop at the end-of-turn token or a stop string, and give up cleanly when the signal fires.
import { DecodekitError, stream } from '@decodekit/core';

/**
 * @typedef {{ role: 'system' | 'user' | 'assistant', content: string }} Message
 * @typedef {{ text: string, finishReason: 'stop' | 'length' | 'context-length' | 'aborted', tokens: number }} Reply
 */

/**
 * Generates the assistant's next message for `history` (which ends with the user's message).
 * @param {object} options
 * @param {import('@decodekit/core').CausalLM} options.model
 * @param {import('@decodekit/tokenizer').Tokenizer} options.tokenizer
 * @param {Message[]} options.history
 * @param {readonly string[]} [options.stop] stop strings: the reply ends before the first one
 * @param {number} [options.maxNewTokens]
 * @param {import('@decodekit/core').SamplerChain} [options.sampler] default greedy
 * @param {number} [options.seed]
 * @param {AbortSignal} [options.signal] aborting keeps the text streamed so far
 * @param {(text: string) => void} [options.onText]
 * @returns {Promise<Reply>}
 */
export async function chatTurn({
  model,
  tokenizer,
  history,
  stop = [],
  maxNewTokens = 96,
  sampler,
  seed,
  signal,
  onText,
}) {
  // The template ends with the assistant header, so the model continues as the assistant.
  const prompt = tokenizer.applyChatTemplate(history, { addGenerationPrompt: true });
  // The turn ends at the end-of-turn marker (a special token) as well as at end of text.
  const endOfTurn = tokenizer.tokenToId('<|im_end|>');
  const stopTokens = [...tokenizer.specialTokens.eos, ...(endOfTurn === undefined ? [] : [endOfTurn])];
  let text = '';
  let tokens = 0;
  try {
    for await (const event of stream({
      model,
      tokenizer,
      prompt,
      maxNewTokens,
      stopTokens,
      stopSequences: stop,
      sampler,
      seed,
      signal,
    })) {
      if (event.type === 'token-delta') {
        tokens += event.tokens.length;
        if (event.text) {
          text += event.text;
          onText?.(event.text);
        }
      } else if (event.type === 'finish') {
        return {
          text: event.result.text ?? text,
          finishReason: event.result.finishReason,
          tokens: event.result.tokens.length,
        };
      } else if (event.type === 'error') {
        throw event.error;
      }
    }
  } catch (error) {
    if (DecodekitError.is(error) && error.code === 'aborted') return { text, finishReason: 'aborted', tokens };
    throw error;
  }
  throw new Error('the stream ended without a result');
}
