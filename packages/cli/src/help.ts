import { type FlagSpec, formatFlags } from './flags.js';

/** `decodekit --help`. */
export function mainHelp(version: string): string {
  return `decodekit ${version}: generate text with small language models, and try every decoding method.

Usage:
  decodekit generate [options] PROMPT   generate text after PROMPT (or standard input)
  decodekit inspect [DIR]               show what a model directory holds and supports
  decodekit bench [options]             speed and tau of every method vs autoregressive, same run
  decodekit image --class C --out F     draw class-conditional images (raster AR, SJD, NAR, VAR, CoDe) to a PNG
  decodekit --version                   print the version
  decodekit COMMAND --help              options of a command

Examples:
  decodekit generate 'def fibonacci(n):'
  decodekit generate --draft pld 'def fibonacci(n):'         speculative decoding, same text, fewer forwards
  decodekit generate -t 0.8 --top-p 0.95 --seed 7 'In the beginning'
  echo 'And God said' | decodekit generate --json -n 32 | jq .stats.tau
  decodekit inspect ./my-model
  decodekit bench --smoke                                    a few seconds; the full run: see docs/benchmarks.md

Without --model, the tiny model of @decodekit/models-tiny is used: it runs offline on any machine.
Docs: docs/cli.md
`;
}

/** `decodekit generate --help`. */
export function generateHelp(flags: readonly FlagSpec[]): string {
  return `Usage: decodekit generate [options] PROMPT

Generates text after PROMPT. The text streams to standard output; a summary (tokens/s, τ = tokens
per target forward, draft acceptance, time split) goes to standard error. Without PROMPT, or with
'-', the prompt is read from standard input.

${formatFlags(flags)}Examples:
  decodekit generate 'def fibonacci(n):'                     greedy, 128 tokens
  decodekit generate --draft pld -n 200 'def fibonacci(n):'  prompt lookup drafts, verified losslessly
  decodekit generate --draft token-recycling --draft-option maxDraftTokens=32 'import os'
  decodekit generate --temperature 0.7 --top-k 40 --seed 1 'And it came to pass'
  decodekit generate --chat --system 'You are brief.' 'Who begat Enos?'
  decodekit generate --json -n 16 'def add(a, b):' > run.json

Exit codes: 0 success, 1 error (model files, capabilities, ...), 2 bad command line, 130 interrupted.
`;
}

/** `decodekit inspect --help`. */
export function inspectHelp(flags: readonly FlagSpec[]): string {
  return `Usage: decodekit inspect [options] [DIR]

Shows a model directory: its files and sizes, the ONNX graphs found, the capabilities the runtime
detects (tree attention, hidden states, layer split, input embeddings, batched forward), the
model config and the tokenizer. DIR defaults to the tiny model of @decodekit/models-tiny.

${formatFlags(flags)}Examples:
  decodekit inspect
  decodekit inspect --json ./my-model | jq .capabilities
`;
}
