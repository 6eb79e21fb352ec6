import type { CliIo } from '../src/io.js';

/** An in-memory `CliIo`: what the command wrote to stdout and stderr. */
export function memoryIo(options: { stdin?: string; stdoutTTY?: boolean; stderrTTY?: boolean } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (text: string) => out.push(text), isTTY: options.stdoutTTY ?? false },
    stderr: { write: (text: string) => err.push(text), isTTY: options.stderrTTY ?? false },
    stdin:
      options.stdin === undefined
        ? { isTTY: true, async *[Symbol.asyncIterator]() {} }
        : {
            isTTY: false,
            async *[Symbol.asyncIterator]() {
              yield Buffer.from(options.stdin as string);
            },
          },
    env: {},
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}
