import { resolve } from 'node:path';
import { type FlagSpec, formatFlags, parseFlags } from './flags.js';
import { type CliIo, formatMilliseconds, styler } from './io.js';
import { importPackage } from './optional-import.js';
import { exitCodes, UsageError } from './usage-error.js';

/** The part of `@decodekit/bench` this command uses (typed here: the package is an optional peer). */
interface BenchModule {
  runBenchmark(options: Record<string, unknown>): Promise<{ readonly wallTimeMs: number } & Record<string, unknown>>;
  renderMarkdownReport(results: unknown, options?: { readonly command?: string }): string;
  writeBenchmarkReport(
    results: unknown,
    directory: string,
    options?: { readonly command?: string },
  ): Promise<{
    readonly json: string;
    readonly markdown: string;
    readonly charts: readonly string[];
    readonly pngError?: string;
  }>;
}

interface Progress {
  readonly phase: 'setup' | 'warm-up' | 'measure';
  readonly completed: number;
  readonly total: number;
  readonly repetition: number;
  readonly method: string;
  readonly taskId?: string;
}

const group = 'Options';
/** The flags of `decodekit bench`. */
export const benchFlags: readonly FlagSpec[] = [
  {
    name: 'model',
    short: 'm',
    kind: 'string',
    value: 'DIR',
    group,
    description: 'target model directory (default: the tiny model)',
  },
  {
    name: 'draft-model',
    kind: 'string',
    value: 'DIR',
    group,
    description: 'draft model for sps, pearl, spectr, ... (default: the tiny draft model)',
  },
  {
    name: 'methods',
    kind: 'string',
    value: 'A,B,C',
    group,
    description:
      'methods to compare (default autoregressive,pld,token-recycling,sps,ort-raw); options after a colon: sps:gamma=6',
  },
  {
    name: 'suites',
    kind: 'string',
    value: 'A,B',
    group,
    description: 'task suites: code, prose, grounded (default all)',
  },
  {
    name: 'mode',
    kind: 'string',
    value: 'MODE',
    group,
    description: 'greedy (default; checks every method against autoregressive) or sampled',
  },
  {
    name: 'temperature',
    short: 't',
    kind: 'number',
    value: 'T',
    min: 0,
    exclusiveMin: true,
    group,
    description: 'temperature of --mode sampled (default 1)',
  },
  {
    name: 'repetitions',
    short: 'r',
    kind: 'integer',
    value: 'N',
    min: 1,
    group,
    description: 'measured passes over all prompts (default 5)',
  },
  {
    name: 'prompts',
    short: 'p',
    kind: 'integer',
    value: 'N',
    min: 1,
    group,
    description: 'prompts per suite (default 40)',
  },
  {
    name: 'max-new-tokens',
    short: 'n',
    kind: 'integer',
    value: 'N',
    min: 1,
    group,
    description: 'tokens generated per prompt (default 64)',
  },
  {
    name: 'seed',
    kind: 'integer',
    value: 'N',
    min: 0,
    group,
    description: 'seed of prompt selection and sampling (default 0)',
  },
  {
    name: 'threads',
    kind: 'integer',
    value: 'N',
    min: 1,
    group,
    description: 'onnxruntime intra-op threads (default 1: best for small models and busy machines)',
  },
  {
    name: 'out',
    short: 'o',
    kind: 'string',
    value: 'DIR',
    group,
    description: 'where results.json, results.md and the charts go (default bench-results)',
  },
  {
    name: 'transformers-dir',
    kind: 'string',
    value: 'DIR',
    group,
    description: 'a folder whose node_modules holds @huggingface/transformers (for the transformers-js peer)',
  },
  {
    name: 'smoke',
    kind: 'boolean',
    group,
    description: 'the CI subset: 2 prompts per suite, 1 repetition, 16 tokens, AR + pld + token-recycling + sps',
  },
  {
    name: 'json',
    kind: 'boolean',
    group,
    description: 'print the results JSON on standard output instead of the table',
  },
  { name: 'quiet', short: 'q', kind: 'boolean', group, description: 'no progress on standard error' },
  { name: 'help', short: 'h', kind: 'boolean', group, description: 'show this help' },
];

/** `decodekit bench --help`. */
export function benchHelp(): string {
  return `Usage: decodekit bench [options]

Benchmarks decoding methods on the same prompts in one process: code completion, prose continuation
and input-grounded copying tasks from the tiny model zoo's held-out test split. Methods run in turn
on every prompt; speedups are per-repetition ratios to autoregressive decoding in the same run.
Reports tokens/s, speedup (median, IQR), τ, acceptance by draft position, the time split and
efficiency = speedup / τ; writes results.json, results.md and SVG/PNG charts to --out. In greedy
mode any token that differs from autoregressive greedy decoding fails the run (exit 1) and names
the prompt and position.

${formatFlags(benchFlags)}Methods: autoregressive, pld, token-recycling, aded, lookahead, rest, sps, pearl, specdec-pp,
spectr, rsd, vocabtrim, the draft heads medusa, hydra (prefixAttention=true: Hydra++'s prefix layer),
eagle, clover, chimera (acceptance=typical: lossy typical acceptance), and the peers ort-raw (hand-written onnxruntime-node loop) and
transformers-js (needs @huggingface/transformers; see --transformers-dir).

Examples:
  decodekit bench --smoke                                        seconds: the CI subset
  decodekit bench --methods pld,token-recycling,sps -r 5 -p 40   the published protocol
  decodekit bench --suites grounded --methods pld,pld:maxNgram=5 -n 128
  decodekit bench --mode sampled -t 0.8 --methods sps,spectr,rsd
`;
}

// A time estimate for people: seconds, or minutes past a minute and a half.
const remaining = (ms: number) => (ms < 90_000 ? `${Math.ceil(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);

const smokeMethods = 'autoregressive,pld,token-recycling,sps';
const list = (value: unknown) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : undefined;

/** Runs `decodekit bench`; returns the exit code. */
export async function runBench(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, benchFlags);
  if (values.help) {
    io.stdout.write(benchHelp());
    return exitCodes.success;
  }
  if (positionals.length > 0) throw new UsageError(`bench takes no arguments, got '${positionals[0]}'`);
  const mode = (values.mode as string | undefined) ?? 'greedy';
  if (mode !== 'greedy' && mode !== 'sampled') throw new UsageError(`--mode is greedy or sampled, got '${mode}'`);
  if (values.temperature !== undefined && mode !== 'sampled')
    throw new UsageError('--temperature needs --mode sampled');
  const smoke = values.smoke === true;
  const bench = await importPackage<BenchModule>('@decodekit/bench', 'decodekit bench');
  const style = styler(io.stderr, io.env);
  const quiet = values.quiet === true || values.json === true;
  let lastLine = 0;
  let measureStart: number | undefined;
  const onProgress = (event: Progress) => {
    if (quiet) return;
    if (event.phase !== 'measure') {
      if (io.stderr.isTTY) io.stderr.write(`\r\x1b[2K${style.dim(`${event.phase} ${event.method}`)}`);
      return;
    }
    measureStart ??= performance.now();
    const elapsed = performance.now() - measureStart;
    const left = event.completed > 0 ? (elapsed / event.completed) * (event.total - event.completed) : 0;
    const line = `[${event.completed}/${event.total}] repetition ${event.repetition + 1}, ${event.method} on ${event.taskId}, about ${remaining(left)} left`;
    if (io.stderr.isTTY) io.stderr.write(`\r\x1b[2K${style.dim(line)}`);
    else if (
      event.completed === event.total ||
      event.completed - lastLine >= Math.max(1, Math.round(event.total / 10))
    ) {
      lastLine = event.completed;
      io.stderr.write(`${line}\n`);
    }
  };
  const results = await bench.runBenchmark({
    modelDir: values.model === undefined ? undefined : resolve(values.model as string),
    draftModelDir: values['draft-model'] === undefined ? undefined : resolve(values['draft-model'] as string),
    methods: list(values.methods) ?? list(smoke ? smokeMethods : undefined),
    suites: list(values.suites),
    mode,
    temperature: values.temperature,
    repetitions: (values.repetitions as number | undefined) ?? (smoke ? 1 : undefined),
    promptsPerSuite: (values.prompts as number | undefined) ?? (smoke ? 2 : undefined),
    maxNewTokens: (values['max-new-tokens'] as number | undefined) ?? (smoke ? 16 : undefined),
    seed: values.seed,
    threads: (values.threads as number | undefined) ?? 1,
    transformersSearchPath:
      values['transformers-dir'] === undefined ? undefined : resolve(values['transformers-dir'] as string),
    onProgress,
    signal: io.signal,
  });
  if (!quiet && io.stderr.isTTY) io.stderr.write('\r\x1b[2K');
  const command = `decodekit bench${argv.length ? ` ${argv.join(' ')}` : ''}`;
  const out = resolve((values.out as string | undefined) ?? 'bench-results');
  const written = await bench.writeBenchmarkReport(results, out, { command });
  if (values.json) io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else io.stdout.write(bench.renderMarkdownReport(results, { command }));
  if (!quiet) {
    io.stderr.write(
      `${style.green('done')} in ${formatMilliseconds(results.wallTimeMs)}: ${written.json}, ${written.markdown}, ${written.charts.length} chart files in ${out}\n`,
    );
    if (written.pngError)
      io.stderr.write(`${style.red('no PNG charts:')} ${written.pngError} (the SVGs are written)\n`);
  }
  return exitCodes.success;
}
