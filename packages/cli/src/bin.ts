#!/usr/bin/env node
import { runCli } from './run-cli.js';

const controller = new AbortController();
// First Ctrl-C stops generation cleanly; a second one exits at once.
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
});
process.stdin.setEncoding('utf8');
const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  signal: controller.signal,
});
process.exitCode = code;
