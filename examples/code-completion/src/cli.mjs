#!/usr/bin/env node
// Usage: node src/cli.mjs [--method pld|token-recycling|autoregressive] [--max-tokens N] [--worker] [prompt]
import { parseArgs } from 'node:util';
import { tinyLm } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { loadTokenizer } from '@decodekit/tokenizer';
import { complete, methods } from './complete.mjs';

const defaultPrompt = `class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __repr__(self):
        return "Point(%r, %r)" % (self.x, self.y)

class Size:
    def __init__(self, width, height):
`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    method: { type: 'string', default: 'pld' },
    'max-tokens': { type: 'string', default: '96' },
    model: { type: 'string', default: tinyLm },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(
    `Usage: node src/cli.mjs [--method ${Object.keys(methods).join('|')}] [--max-tokens N] [--model DIR] [prompt]`,
  );
  process.exit(0);
}

const model = await loadModel(values.model);
const tokenizer = await loadTokenizer(values.model);
const prompt = positionals.join(' ') || defaultPrompt;
const status = statusLine();
process.stdout.write(prompt);
const result = await complete({
  model,
  tokenizer,
  prompt,
  method: values.method,
  maxNewTokens: Number(values['max-tokens']),
  onText: (text) => process.stdout.write(text),
  onStats: (s) =>
    status.update(
      `[${values.method}] step ${s.steps}  τ ${s.tau.toFixed(2)}  acceptance ${(100 * s.acceptance).toFixed(0)}%  ${s.tokensPerSecond.toFixed(0)} tok/s`,
    ),
});
status.close();
const { stats } = result;
process.stderr.write(
  `\n\n[${values.method}] ${stats.newTokens} tokens in ${stats.targetForwards} target forwards: τ ${stats.tau.toFixed(2)}, ` +
    `acceptance ${(100 * (stats.drafted ? stats.accepted / stats.drafted : 0)).toFixed(0)}%, ` +
    `${stats.tokensPerSecond.toFixed(0)} tokens/s, finish: ${result.finishReason}\n`,
);
await model.dispose();

/**
 * On a terminal: keeps the bottom row for a status line (the text scrolls above it). Elsewhere
 * (output piped to a file, CI) it does nothing, and only the final summary is printed.
 */
function statusLine() {
  const out = process.stdout;
  if (!out.isTTY || !out.rows) return { update() {}, close() {} };
  const rows = out.rows;
  out.write(`\n\x1b[1;${rows - 1}r\x1b[${rows - 1};1H`); // scroll region = every row but the last
  return {
    update(text) {
      out.write(`\x1b7\x1b[${rows};1H\x1b[2K${text.slice(0, out.columns - 1)}\x1b8`);
    },
    close() {
      out.write(`\x1b7\x1b[r\x1b8`); // whole screen scrolls again; the last status stays visible
    },
  };
}
