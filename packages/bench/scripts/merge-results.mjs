#!/usr/bin/env node
// Merges benchmark runs of the same prompts and settings (e.g. processes started side by side, each
// with autoregressive decoding and part of the methods) into one report: results.json, results.md
// and the charts. Needs the package built (`pnpm --filter @decodekit/bench build`).
//
//   node packages/bench/scripts/merge-results.mjs OUT_DIR RUN_DIR... [--command "the commands"]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mergeBenchmarkResults, writeBenchmarkReport } from '../dist/index.js';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { command: { type: 'string' } } });
const [out, ...dirs] = positionals;
if (!out || dirs.length === 0) {
  process.stderr.write('usage: merge-results.mjs OUT_DIR RUN_DIR... [--command "..."]\n');
  process.exit(2);
}
const runs = dirs.map((dir) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
const merged = mergeBenchmarkResults(runs);
const written = await writeBenchmarkReport(merged, out, values.command ? { command: values.command } : {});
process.stdout.write(`${written.json}\n${written.markdown}\n${written.charts.join('\n')}\n`);
if (written.pngError) process.stderr.write(`PNG charts skipped: ${written.pngError}\n`);
