#!/usr/bin/env node
// Usage: node src/cli.mjs [--stop STRING]... [--timeout SECONDS] [--temperature T] [--max-tokens N]
// Type a message and press Enter. Ctrl-C while a reply streams stops that reply; Ctrl-C (or Ctrl-D)
// at the prompt quits.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { tinyLm } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { samplerChain } from '@decodekit/samplers';
import { loadTokenizer } from '@decodekit/tokenizer';
import { chatTurn } from './chat.mjs';

const { values } = parseArgs({
  options: {
    stop: { type: 'string', multiple: true, default: ['\n\n'] },
    timeout: { type: 'string', default: '30' },
    temperature: { type: 'string', default: '0' },
    'max-tokens': { type: 'string', default: '96' },
    system: { type: 'string', default: 'You answer in the words of the King James Bible.' },
    model: { type: 'string', default: tinyLm },
  },
});

const model = await loadModel(values.model);
const tokenizer = await loadTokenizer(values.model);
const t = Number(values.temperature);
const sampler = t > 0 ? samplerChain({ temperature: t, topP: 0.95, repetitionPenalty: 1.1 }) : undefined;
/** @type {import('./chat.mjs').Message[]} */
const history = values.system ? [{ role: 'system', content: values.system }] : [];

const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: 'you> ' });
let current; // the AbortController of the reply being streamed, if any
rl.on('SIGINT', () => {
  if (current) current.abort(new Error('stopped with Ctrl-C'));
  else rl.close();
});

console.log(
  `Chatting with ${model.name} (${values.model}). Ctrl-C stops a reply; Ctrl-C or Ctrl-D at the prompt quits.`,
);
rl.prompt();
try {
  // Lines typed (or piped in) while a reply streams wait in the iterator's buffer.
  for await (const line of rl) {
    if (!line.trim()) {
      rl.prompt();
      continue;
    }
    history.push({ role: 'user', content: line });
    current = new AbortController();
    // Either Ctrl-C or the time limit ends the reply.
    const signal = AbortSignal.any([current.signal, AbortSignal.timeout(Number(values.timeout) * 1000)]);
    process.stdout.write('bot> ');
    const reply = await chatTurn({
      model,
      tokenizer,
      history,
      stop: values.stop.map((s) => s.replaceAll('\\n', '\n')), // --stop '\n2 ' from a shell
      maxNewTokens: Number(values['max-tokens']),
      sampler,
      seed: history.length,
      signal,
      onText: (text) => process.stdout.write(text),
    });
    current = undefined;
    if (reply.finishReason !== 'stop') process.stdout.write(`\n[${reply.finishReason} after ${reply.tokens} tokens]`);
    history.push({ role: 'assistant', content: reply.text });
    process.stdout.write('\n\n'); // not part of the prompt: readline redraws a prompt's lines
    rl.prompt();
  }
} finally {
  rl.close();
  await model.dispose();
}
