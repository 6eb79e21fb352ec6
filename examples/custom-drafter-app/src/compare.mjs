// Runs one prompt with autoregressive decoding, PLD and the third-party frequent-successor drafter,
// and reports how many target forwards each needed. With the greedy verifier all give the same text.
import { autoregressive, generate, speculative } from '@decodekit/core';
import { promptLookup } from '@decodekit/drafter-ngram';
import { defaultVerifier } from '@decodekit/verifiers';
import { frequentSuccessorDrafter } from 'decodekit-drafter-frequent-successor';

/**
 * @param {object} options
 * @param {import('@decodekit/core').CausalLM} options.model
 * @param {import('@decodekit/tokenizer').Tokenizer} options.tokenizer
 * @param {string} options.prompt
 * @param {number} [options.maxNewTokens]
 * @param {string} [options.corpus] text whose successor counts the drafter learns before generating
 */
export async function compare({ model, tokenizer, prompt, maxNewTokens = 64, corpus }) {
  const corpusIds = corpus ? tokenizer.encode(corpus) : undefined;
  const runs = {
    autoregressive: autoregressive(),
    pld: speculative({ drafter: promptLookup(), verifier: defaultVerifier() }),
    'frequent-successor': speculative({ drafter: frequentSuccessorDrafter(), verifier: defaultVerifier() }),
    ...(corpusIds && {
      'frequent-successor + corpus': speculative({
        drafter: frequentSuccessorDrafter({ corpus: corpusIds }),
        verifier: defaultVerifier(),
      }),
    }),
  };
  const results = {};
  for (const [name, strategy] of Object.entries(runs)) {
    const { text, stats } = await generate({ model, tokenizer, prompt, maxNewTokens, strategy, stopTokens: [] });
    results[name] = {
      text,
      newTokens: stats.newTokens,
      targetForwards: stats.targetForwards,
      tau: stats.tau,
      acceptance: stats.drafted ? stats.accepted / stats.drafted : 0,
      ms: stats.timeMs.total,
    };
  }
  return results;
}
