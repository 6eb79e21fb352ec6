import { readFileSync } from 'node:fs';
import { DecodekitError } from '@decodekit/core';
import { runBench } from './bench-command.js';
import { isAbort, runGenerate } from './generate-command.js';
import { mainHelp } from './help.js';
import { runImage } from './image-command.js';
import { runInspect } from './inspect-command.js';
import { type CliIo, styler } from './io.js';
import { exitCodes, UsageError } from './usage-error.js';

/** The version of @decodekit/cli, read from its package.json. */
export function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

const commands: Record<string, (argv: readonly string[], io: CliIo) => Promise<number>> = {
  generate: runGenerate,
  inspect: runInspect,
  bench: runBench,
  image: runImage,
};

/**
 * Runs the `decodekit` command line and returns its exit code: 0 success, 1 a decodekit or other
 * error, 2 a usage error, 130 interrupted. Everything is written to `io`; nothing is thrown.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  const json = rest.includes('--json');
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      if (command === 'help' && rest[0] && commands[rest[0]]) return await commands[rest[0]](['--help'], io);
      io.stdout.write(mainHelp(cliVersion()));
      return exitCodes.success;
    }
    if (command === '--version' || command === '-v' || command === 'version') {
      io.stdout.write(`${cliVersion()}\n`);
      return exitCodes.success;
    }
    const run = commands[command];
    if (!run) {
      throw new UsageError(
        command.startsWith('-')
          ? `unknown option ${command}; options go after the command, e.g. decodekit generate ${command} ...`
          : `unknown command '${command}'; commands are: ${Object.keys(commands).join(', ')}`,
      );
    }
    return await run(rest, io);
  } catch (error) {
    return reportError(error, io, json, command && commands[command] ? command : undefined);
  }
}

function reportError(error: unknown, io: CliIo, json: boolean, command: string | undefined): number {
  const style = styler(io.stderr, io.env);
  if (error instanceof UsageError) {
    const help = command ? `decodekit ${command} --help` : 'decodekit --help';
    io.stderr.write(`${style.red('decodekit:')} ${error.message}\nRun '${help}' for usage.\n`);
    return exitCodes.usage;
  }
  if (isAbort(error)) {
    io.stderr.write(`\n${style.dim('decodekit: interrupted')}\n`);
    return exitCodes.interrupted;
  }
  const code = DecodekitError.is(error) ? error.code : String((error as { code?: unknown })?.code ?? 'internal');
  const message = error instanceof Error ? error.message : String(error);
  if (json) io.stdout.write(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
  io.stderr.write(`${style.red(`decodekit: error [${code}]:`)} ${message}\n`);
  const known = DecodekitError.is(error) || code === 'missing-package';
  if (!known && error instanceof Error && error.stack && io.env?.DECODEKIT_DEBUG) io.stderr.write(`${error.stack}\n`);
  else if (!known) io.stderr.write(style.dim('Set DECODEKIT_DEBUG=1 for the stack trace.\n'));
  return exitCodes.failure;
}
