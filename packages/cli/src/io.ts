/** A stream the CLI writes to; `isTTY` decides colours and live progress. */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** The process's streams and environment, injected so the commands can be tested in-process. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** Read when the prompt is `-` or missing and standard input is not a terminal. */
  readonly stdin?: AsyncIterable<string | Uint8Array> & { readonly isTTY?: boolean };
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Fires on Ctrl-C: generation stops and the partial statistics are printed. */
  readonly signal?: AbortSignal;
}

/** Reads all of standard input as UTF-8 text. */
export async function readAll(input: AsyncIterable<string | Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of input) text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

/** Styles text for a terminal; plain when the stream is not a TTY or NO_COLOR is set. */
export function styler(stream: OutputStream, env: Readonly<Record<string, string | undefined>> = {}) {
  const enabled = stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  const wrap = (open: number, close: number) => (text: string) =>
    enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text;
  return { enabled, bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), cyan: wrap(36, 39) };
}

/** `1.2 MB`-style sizes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}

/** Milliseconds as `850 ms` or `1.25 s`. */
export function formatMilliseconds(milliseconds: number): string {
  if (milliseconds < 1000) return `${milliseconds < 10 ? milliseconds.toFixed(1) : Math.round(milliseconds)} ms`;
  return `${(milliseconds / 1000).toFixed(2)} s`;
}
