import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';

/** How a flag's value is read. */
export type FlagKind = 'boolean' | 'string' | 'integer' | 'number' | 'strings';

/** One command-line flag: the parser and the help text are both built from these. */
export interface FlagSpec {
  readonly name: string;
  readonly short?: string;
  readonly kind: FlagKind;
  /** Placeholder in the help text (`N`, `DIR`, ...). */
  readonly value?: string;
  readonly description: string;
  /** Heading the flag is listed under in `--help`. */
  readonly group: string;
  /** Smallest allowed value for numbers. */
  readonly min?: number;
  /** Largest allowed value for numbers. */
  readonly max?: number;
  /** The bound `min` itself is not allowed. */
  readonly exclusiveMin?: boolean;
}

export type FlagValues = Record<string, string | boolean | number | string[] | undefined>;

/** Parses `argv` against `specs`: unknown flags, missing values and bad numbers are `UsageError`s. */
export function parseFlags(
  argv: readonly string[],
  specs: readonly FlagSpec[],
): { values: FlagValues; positionals: string[] } {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const spec of specs) {
    options[spec.name] = {
      type: spec.kind === 'boolean' ? 'boolean' : 'string',
      multiple: spec.kind === 'strings',
      ...(spec.short ? { short: spec.short } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: joinNegativeNumbers(argv, specs), options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(describeParseError(error as Error & { code?: string }));
  }
  const values: FlagValues = {};
  for (const spec of specs) {
    const raw = parsed.values[spec.name];
    if (raw === undefined) continue;
    values[spec.name] =
      spec.kind === 'integer' || spec.kind === 'number'
        ? readNumber(spec, String(raw))
        : (raw as string | boolean | string[]);
  }
  return { values, positionals: parsed.positionals };
}

// parseArgs reads `--presence-penalty -0.5` as two options; join a negative number to its flag.
function joinNegativeNumbers(argv: readonly string[], specs: readonly FlagSpec[]): string[] {
  const takesValue = new Set<string>();
  for (const spec of specs) {
    if (spec.kind === 'boolean') continue;
    takesValue.add(`--${spec.name}`);
    if (spec.short) takesValue.add(`-${spec.short}`);
  }
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (takesValue.has(argv[i]) && next !== undefined && /^-\d|^-\.\d/.test(next)) {
      args.push(argv[i].startsWith('--') ? `${argv[i]}=${next}` : `${argv[i]}${next}`);
      i++;
    } else {
      args.push(argv[i]);
    }
    if (argv[i] === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
  }
  return args;
}

function readNumber(spec: FlagSpec, text: string): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  const expected = spec.kind === 'integer' ? 'an integer' : 'a number';
  if (!Number.isFinite(value) || (spec.kind === 'integer' && !Number.isInteger(value))) {
    throw new UsageError(`--${spec.name} expects ${expected}, got '${text}'`);
  }
  const below = spec.min !== undefined && (value < spec.min || (spec.exclusiveMin === true && value === spec.min));
  const above = spec.max !== undefined && value > spec.max;
  if (below || above) {
    const low = spec.min === undefined ? '' : `${spec.exclusiveMin ? '>' : '>='} ${spec.min}`;
    const high = spec.max === undefined ? '' : `<= ${spec.max}`;
    throw new UsageError(`--${spec.name} must be ${[low, high].filter(Boolean).join(' and ')}, got ${text}`);
  }
  return value;
}

// node:util's messages mention parseArgs internals; say it in terms of the command line instead.
function describeParseError(error: Error & { code?: string }): string {
  const flag = /'(-[^']*)'/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${flag ?? ''}`.trim();
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const long = /--[\w-]+/.exec(error.message)?.[0];
      return long ? `option ${long} needs a value` : error.message;
    }
    default:
      return error.message;
  }
}

/** The help lines of `specs`, grouped under their headings. */
export function formatFlags(specs: readonly FlagSpec[]): string {
  const groups = new Map<string, FlagSpec[]>();
  for (const spec of specs) groups.set(spec.group, [...(groups.get(spec.group) ?? []), spec]);
  const left = (spec: FlagSpec) =>
    `${spec.short ? `-${spec.short}, ` : '    '}--${spec.name}${spec.value ? ` ${spec.value}` : ''}`;
  const width = Math.max(...specs.map((spec) => left(spec).length)) + 2;
  const lines: string[] = [];
  for (const [group, members] of groups) {
    lines.push(`${group}:`);
    for (const spec of members) lines.push(`  ${left(spec).padEnd(width)}${spec.description}`);
    lines.push('');
  }
  return lines.join('\n');
}
