import { readFile } from 'node:fs/promises';
import type { CausalLM, SamplerChain, SpeculativeOptions, Strategy } from '@decodekit/core';
import type { FlagSpec, FlagValues } from './flags.js';
import { importPackage } from './optional-import.js';
import { UsageError } from './usage-error.js';

const group = 'Constrained generation (the output must match; see docs/constrained.md)';

/** The flags of `decodekit generate` for constrained generation. */
export const constrainedFlags: readonly FlagSpec[] = [
  {
    name: 'json-schema',
    kind: 'string',
    value: 'FILE',
    group,
    description: 'the output is JSON valid under this JSON Schema',
  },
  { name: 'regex', kind: 'string', value: 'PATTERN', group, description: 'the output matches this regular expression' },
  {
    name: 'grammar',
    kind: 'string',
    value: 'FILE',
    group,
    description: 'the output is derived from this GBNF grammar',
  },
  {
    name: 'sampler',
    kind: 'string',
    value: 'NAME',
    group,
    description: 'mask (token masking, default), awrs (adaptive weighted rejection sampling) or smc',
  },
  {
    name: 'particles',
    kind: 'integer',
    value: 'N',
    min: 1,
    group,
    description: 'SMC particles for --sampler smc (default 10)',
  },
];

/** What the constrained-generation flags asked for. */
export interface ConstrainedRequest {
  readonly kind: 'json-schema' | 'regex' | 'grammar';
  /** The regex, or the path of the schema / grammar file. */
  readonly source: string;
  readonly sampler: 'mask' | 'awrs' | 'smc';
  readonly particles: number;
  /** SMC samples particles: without an explicit temperature it runs at temperature 1. */
  readonly samplingDefault: boolean;
}

const samplerNames = ['mask', 'awrs', 'smc'] as const;

/** Reads the constrained-generation flags; undefined when no constraint was given. Throws `UsageError`. */
export function parseConstrainedRequest(values: FlagValues): ConstrainedRequest | undefined {
  const given = (['json-schema', 'regex', 'grammar'] as const).filter((name) => values[name] !== undefined);
  const sampler = values.sampler as string | undefined;
  const particles = values.particles as number | undefined;
  if (given.length === 0) {
    if (sampler !== undefined || particles !== undefined) {
      throw new UsageError(
        '--sampler and --particles need a constraint: --json-schema FILE, --regex PATTERN or --grammar FILE',
      );
    }
    return undefined;
  }
  if (given.length > 1)
    throw new UsageError(`give one constraint, not ${given.map((name) => `--${name}`).join(' and ')}`);
  if (sampler !== undefined && !(samplerNames as readonly string[]).includes(sampler)) {
    throw new UsageError(`--sampler must be one of ${samplerNames.join(', ')}, got '${sampler}'`);
  }
  const resolved = (sampler ?? 'mask') as ConstrainedRequest['sampler'];
  if (particles !== undefined && resolved !== 'smc') throw new UsageError('--particles only applies to --sampler smc');
  if (values.strategy !== undefined) {
    throw new UsageError('--strategy does not combine with a constraint; constrained decoding is its own strategy');
  }
  if (values.draft !== undefined && resolved !== 'mask') {
    throw new UsageError(
      `--draft combines with a constraint through grammar-aware speculation (masking); drop --sampler ${resolved}`,
    );
  }
  const kind = given[0];
  return {
    kind,
    source: values[kind] as string,
    sampler: resolved,
    particles: particles ?? 10,
    samplingDefault: values.temperature === undefined,
  };
}

/** The part of `@decodekit/constrained` the CLI uses. */
interface ConstrainedModule {
  tokenizerVocabulary(tokenizer: unknown): unknown;
  regexConstraint(pattern: string, vocabulary: unknown): unknown;
  gbnfConstraint(grammar: string, vocabulary: unknown): unknown;
  jsonSchemaConstraint(schema: unknown, vocabulary: unknown): unknown;
  tokenMasking(): unknown;
  awrs(): unknown;
  constrainedDecoding(options: { constraint: unknown; tokenSampler: unknown }): Strategy & {
    readonly stats: { tokens: number; evaluations: number };
  };
  constrainedSpeculative(options: SpeculativeOptions & { constraint: unknown }): Strategy;
  smc(options: Record<string, unknown>): Promise<SmcOutput>;
}

interface SmcOutput {
  readonly particles: readonly { tokens: readonly number[]; weight: number; status: string }[];
  readonly posterior: readonly { tokens: readonly number[]; probability: number; particles: number }[];
  readonly logMarginal: number;
  readonly stats: Readonly<Record<string, number>>;
}

/** A constraint built from the flags, and the strategies that use it. */
export interface ConstrainedSetup {
  readonly request: ConstrainedRequest;
  /** Constrained decoding (`mask` or `awrs`), for `generate()`. */
  strategy(): Strategy & { readonly stats: { tokens: number; evaluations: number } };
  /** Grammar-aware speculative decoding with the given drafter and verifier. */
  speculative(options: SpeculativeOptions): Strategy;
  /** Runs SMC and returns its particles and posterior. */
  smc(options: {
    model: CausalLM;
    prompt: ArrayLike<number>;
    sampler: SamplerChain;
    maxNewTokens: number;
    seed: number;
    signal?: AbortSignal;
  }): Promise<SmcOutput>;
}

/** Loads `@decodekit/constrained` and compiles the constraint the flags describe. */
export async function setUpConstrained(request: ConstrainedRequest, tokenizer: unknown): Promise<ConstrainedSetup> {
  const module = await importPackage<ConstrainedModule>('@decodekit/constrained', 'constrained generation');
  const vocabulary = module.tokenizerVocabulary(tokenizer);
  let constraint: unknown;
  if (request.kind === 'regex') constraint = module.regexConstraint(request.source, vocabulary);
  else {
    const text = await readFile(request.source, 'utf8').catch((error: unknown) => {
      throw new UsageError(`--${request.kind}: cannot read ${request.source} (${(error as Error).message})`);
    });
    if (request.kind === 'grammar') constraint = module.gbnfConstraint(text, vocabulary);
    else {
      let schema: unknown;
      try {
        schema = JSON.parse(text);
      } catch (error) {
        throw new UsageError(`--json-schema: ${request.source} is not JSON (${(error as Error).message})`);
      }
      constraint = module.jsonSchemaConstraint(schema, vocabulary);
    }
  }
  return {
    request,
    strategy: () =>
      module.constrainedDecoding({
        constraint,
        tokenSampler: request.sampler === 'awrs' ? module.awrs() : module.tokenMasking(),
      }),
    speculative: (options) => module.constrainedSpeculative({ ...options, constraint }),
    smc: (options) => module.smc({ ...options, constraint, particles: request.particles }),
  };
}

/** Writes an SMC result: the most probable output on stdout (or one JSON object), the posterior on stderr. */
export function writeSmcResult(
  io: { stdout: { write(text: string): unknown }; stderr: { write(text: string): unknown } },
  result: SmcOutput,
  options: {
    decode: (tokens: readonly number[]) => string;
    json: boolean;
    quiet: boolean;
    extra: Readonly<Record<string, unknown>>;
  },
): void {
  const posterior = result.posterior.map((entry) => ({
    text: options.decode(entry.tokens),
    tokens: entry.tokens,
    probability: entry.probability,
    particles: entry.particles,
  }));
  const best = posterior[0];
  if (options.json) {
    const output = {
      text: best?.text ?? '',
      tokens: best?.tokens ?? [],
      posterior,
      logMarginal: result.logMarginal,
      particles: result.particles.length,
      deadParticles: result.particles.filter((p) => p.status === 'dead').length,
      smcStats: result.stats,
      ...options.extra,
    };
    io.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    return;
  }
  io.stdout.write(`${best?.text ?? ''}\n`);
  if (options.quiet) return;
  const lines = posterior
    .slice(0, 5)
    .map((entry) => `  ${entry.probability.toFixed(3)}  (${entry.particles} particles)  ${JSON.stringify(entry.text)}`);
  io.stderr.write(
    `smc: ${result.particles.length} particles, ${result.stats.resamples} resamples, log Z ≈ ${result.logMarginal.toFixed(3)}, ` +
      `${result.stats.evaluations} constraint evaluations\nposterior (top ${lines.length} of ${posterior.length}):\n${lines.join('\n')}\n`,
  );
}
