// CI smoke test of the chat loop: a templated turn, a stop string, an abort mid-reply, a timeout.
import assert from 'node:assert/strict';
import { tinyLm } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { loadTokenizer } from '@decodekit/tokenizer';
import { chatTurn } from './src/chat.mjs';

const model = await loadModel(tinyLm);
const tokenizer = await loadTokenizer(tinyLm);
// The tiny model was trained on the King James Bible and Python, not on chats: a verse-like message
// gets a verse-like reply.
const history = [
  { role: 'system', content: 'You answer in the words of the King James Bible.' },
  { role: 'user', content: 'And Seth lived an hundred and five years, and begat' },
];

// 1. A plain turn: the chat template renders the history, the reply streams.
let streamed = '';
const first = await chatTurn({ model, tokenizer, history, maxNewTokens: 24, onText: (t) => (streamed += t) });
assert.equal(streamed, first.text);
assert.ok(first.text.length > 0, 'the model replied');
console.log(`turn 1 (${first.finishReason}, ${first.tokens} tokens): ${JSON.stringify(first.text)}`);

// 2. A stop string taken from the middle of that reply: the same greedy reply ends right before it.
const stop = first.text.slice(Math.floor(first.text.length / 2)).match(/\w{2,}/)?.[0];
assert.ok(stop && first.text.indexOf(stop) > 0, 'the reply has a word to stop at');
const stopped = await chatTurn({ model, tokenizer, history, stop: [stop], maxNewTokens: 24 });
assert.equal(stopped.finishReason, 'stop');
assert.equal(
  stopped.text,
  first.text.slice(0, first.text.indexOf(stop)),
  `reply ends before the stop string ${JSON.stringify(stop)}`,
);
console.log(`turn 2 (stop ${JSON.stringify(stop)}): ${JSON.stringify(stopped.text)}`);

// 3. Abort after the first piece of text (what Ctrl-C does): the partial reply is kept.
const controller = new AbortController();
const aborted = await chatTurn({
  model,
  tokenizer,
  history,
  maxNewTokens: 200,
  stop: [],
  signal: controller.signal,
  onText: () => controller.abort(new Error('user pressed Ctrl-C')),
});
assert.equal(aborted.finishReason, 'aborted');
assert.ok(aborted.text.length > 0 && aborted.tokens < 200, 'stopped early with the text so far');
console.log(`turn 3 (aborted after ${aborted.tokens} tokens): ${JSON.stringify(aborted.text)}`);

// 4. A time limit (AbortSignal.timeout) that has already expired: nothing is generated.
const expired = AbortSignal.timeout(0);
await new Promise((resolve) => setTimeout(resolve, 5));
const late = await chatTurn({ model, tokenizer, history, signal: expired });
assert.equal(late.finishReason, 'aborted');
assert.equal(late.text, '');

// 5. A second turn sees the whole conversation through the template.
const next = [...history, { role: 'assistant', content: first.text }, { role: 'user', content: 'And then?' }];
const prompt = tokenizer.applyChatTemplate(next);
assert.ok(prompt.includes(first.text) && prompt.endsWith('<|im_start|>assistant\n'));
const second = await chatTurn({ model, tokenizer, history: next, maxNewTokens: 16 });
console.log(`turn 4 (${second.finishReason}): ${JSON.stringify(second.text)}`);

await model.dispose();
console.log('chat smoke: ok');
