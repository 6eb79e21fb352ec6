import { type ConstrainedRequest, constrainedFlags, parseConstrainedRequest } from './constrained-flags.js';
import { type FlagSpec, type FlagValues, parseFlags } from './flags.js';
import { UsageError } from './usage-error.js';

const model = 'Model';
const sampling = 'Sampling (default: greedy; any sampling flag switches to sampling at temperature 1)';
const drafting = 'Speculative decoding';
const strategies = 'Decoding strategy (instead of token-by-token sampling; not with --draft)';
const output = 'Output';

/** The flags of `decodekit generate`. */
export const generateFlags: readonly FlagSpec[] = [
  {
    name: 'model',
    short: 'm',
    kind: 'string',
    value: 'DIR',
    group: model,
    description: 'model directory (default: the tiny model of @decodekit/models-tiny)',
  },
  {
    name: 'max-new-tokens',
    short: 'n',
    kind: 'integer',
    value: 'N',
    min: 1,
    group: model,
    description: 'most tokens to generate (default 128)',
  },
  {
    name: 'chat',
    kind: 'boolean',
    group: model,
    description: "wrap the prompt in the model's chat template as a user turn",
  },
  { name: 'system', kind: 'string', value: 'TEXT', group: model, description: 'system message for --chat' },
  {
    name: 'stop',
    kind: 'strings',
    value: 'TEXT',
    group: model,
    description: 'stop when this text appears (repeatable)',
  },
  {
    name: 'threads',
    kind: 'integer',
    value: 'N',
    min: 1,
    group: model,
    description: 'onnxruntime intra-op threads (default: all cores)',
  },
  { name: 'worker', kind: 'boolean', group: model, description: 'run onnxruntime in a worker thread' },
  {
    name: 'temperature',
    short: 't',
    kind: 'number',
    value: 'T',
    min: 0,
    group: sampling,
    description: '0 = greedy; higher = more random',
  },
  {
    name: 'top-k',
    kind: 'integer',
    value: 'K',
    min: 0,
    group: sampling,
    description: 'keep the K most likely tokens (0 = off)',
  },
  {
    name: 'top-p',
    kind: 'number',
    value: 'P',
    min: 0,
    max: 1,
    exclusiveMin: true,
    group: sampling,
    description: 'keep the smallest set with probability >= P (nucleus)',
  },
  {
    name: 'min-p',
    kind: 'number',
    value: 'P',
    min: 0,
    max: 1,
    group: sampling,
    description: "drop tokens below P x the top token's probability",
  },
  {
    name: 'typical-p',
    kind: 'number',
    value: 'P',
    min: 0,
    max: 1,
    exclusiveMin: true,
    group: sampling,
    description: 'locally typical sampling mass',
  },
  {
    name: 'top-n-sigma',
    kind: 'number',
    value: 'N',
    min: 0,
    group: sampling,
    description: 'keep logits within N standard deviations of the max',
  },
  {
    name: 'epsilon-cutoff',
    kind: 'number',
    value: 'E',
    min: 0,
    group: sampling,
    description: 'drop tokens with probability < E',
  },
  {
    name: 'eta-cutoff',
    kind: 'number',
    value: 'E',
    min: 0,
    group: sampling,
    description: 'entropy-dependent cutoff (eta sampling)',
  },
  {
    name: 'repetition-penalty',
    kind: 'number',
    value: 'R',
    min: 0,
    exclusiveMin: true,
    group: sampling,
    description: 'divide logits of seen tokens by R (1 = off)',
  },
  {
    name: 'presence-penalty',
    kind: 'number',
    value: 'P',
    group: sampling,
    description: 'subtract P from logits of seen tokens',
  },
  {
    name: 'frequency-penalty',
    kind: 'number',
    value: 'F',
    group: sampling,
    description: 'subtract F x count from logits of seen tokens',
  },
  {
    name: 'penalty-last-n',
    kind: 'integer',
    value: 'N',
    min: 0,
    group: sampling,
    description: 'penalties look at the last N tokens (0 = all)',
  },
  {
    name: 'no-repeat-ngram-size',
    kind: 'integer',
    value: 'N',
    min: 0,
    group: sampling,
    description: 'never repeat an N-gram',
  },
  {
    name: 'dry-multiplier',
    kind: 'number',
    value: 'M',
    min: 0,
    group: sampling,
    description: 'DRY repetition penalty strength (0 = off)',
  },
  {
    name: 'dry-base',
    kind: 'number',
    value: 'B',
    min: 1,
    group: sampling,
    description: 'DRY growth per extra repeated token (default 1.75)',
  },
  {
    name: 'dry-allowed-length',
    kind: 'integer',
    value: 'N',
    min: 1,
    group: sampling,
    description: 'DRY: repeats up to N tokens are free (default 2)',
  },
  {
    name: 'dry-penalty-last-n',
    kind: 'integer',
    value: 'N',
    min: 0,
    group: sampling,
    description: 'DRY searches the last N tokens (0 = all)',
  },
  {
    name: 'logit-bias',
    kind: 'strings',
    value: 'ID=BIAS',
    group: sampling,
    description: "add BIAS to token ID's logit; -inf bans it (repeatable)",
  },
  {
    name: 'ban-token',
    kind: 'strings',
    value: 'ID',
    group: sampling,
    description: 'never generate token ID (repeatable; ID,ID,... bans that sequence)',
  },
  {
    name: 'min-new-tokens',
    kind: 'integer',
    value: 'N',
    min: 0,
    group: sampling,
    description: 'no end-of-sequence before N new tokens',
  },
  {
    name: 'xtc-probability',
    kind: 'number',
    value: 'P',
    min: 0,
    max: 1,
    group: sampling,
    description: 'XTC: chance of excluding the top choices',
  },
  {
    name: 'xtc-threshold',
    kind: 'number',
    value: 'T',
    min: 0,
    max: 1,
    group: sampling,
    description: 'XTC: probability threshold (default 0.1)',
  },
  {
    name: 'mirostat',
    kind: 'integer',
    value: 'V',
    min: 1,
    max: 2,
    group: sampling,
    description: 'mirostat version 1 or 2 (autoregressive only)',
  },
  {
    name: 'mirostat-tau',
    kind: 'number',
    value: 'TAU',
    min: 0,
    group: sampling,
    description: 'mirostat target surprise (default 5)',
  },
  {
    name: 'mirostat-eta',
    kind: 'number',
    value: 'ETA',
    min: 0,
    max: 1,
    exclusiveMin: true,
    group: sampling,
    description: 'mirostat learning rate (default 0.1)',
  },
  {
    name: 'seed',
    short: 's',
    kind: 'integer',
    value: 'S',
    group: sampling,
    description: 'random seed (default 0): same seed, same text',
  },
  {
    name: 'draft',
    short: 'd',
    kind: 'string',
    value: 'NAME',
    group: drafting,
    description: 'drafter: pld, token-recycling, aded, lookahead, rest, ...',
  },
  {
    name: 'draft-model',
    kind: 'string',
    value: 'DIR',
    group: drafting,
    description: 'draft model for model drafters (default: the tiny draft model)',
  },
  {
    name: 'draft-option',
    kind: 'strings',
    value: 'KEY=VALUE',
    group: drafting,
    description: "drafter option, e.g. maxDraftTokens=8 (repeatable; see the drafter's docs)",
  },
  {
    name: 'draft-corpus',
    kind: 'string',
    value: 'FILE',
    group: drafting,
    description: 'text datastore for --draft rest (default: the tiny corpus sample)',
  },
  {
    name: 'max-draft-tokens',
    kind: 'integer',
    value: 'N',
    min: 0,
    group: drafting,
    description: 'most draft tokens verified per step (default 64)',
  },
  {
    name: 'strategy',
    kind: 'string',
    value: 'NAME',
    group: strategies,
    description: 'beam, diverse-beam, contrastive-search, cntp, momentum, cad, cfg, contrastive, superposed',
  },
  {
    name: 'strategy-option',
    kind: 'strings',
    value: 'KEY=VALUE',
    group: strategies,
    description: 'strategy option, e.g. beams=4 or alpha=0.6 (repeatable; see docs/methods)',
  },
  { name: 'context', kind: 'string', value: 'TEXT', group: strategies, description: 'the evidence for --strategy cad' },
  {
    name: 'negative-prompt',
    kind: 'string',
    value: 'TEXT',
    group: strategies,
    description: 'unconditional prompt for --strategy cfg (default: the last prompt token)',
  },
  {
    name: 'amateur-model',
    kind: 'string',
    value: 'DIR',
    group: strategies,
    description: 'amateur for --strategy contrastive (default: the tiny draft model)',
  },
  ...constrainedFlags,
  {
    name: 'json',
    kind: 'boolean',
    group: output,
    description: 'print one JSON object (text, tokens, statistics) and nothing else',
  },
  {
    name: 'no-stream',
    kind: 'boolean',
    group: output,
    description: 'print the text when generation ends instead of live',
  },
  { name: 'quiet', short: 'q', kind: 'boolean', group: output, description: 'no statistics summary on stderr' },
  { name: 'help', short: 'h', kind: 'boolean', group: output, description: 'show this help' },
];

/** Hugging Face / llama.cpp sampler settings, as `@decodekit/samplers`' `samplerChain` takes them. */
export type SamplerSettingsFromFlags = Record<string, unknown>;

/** What `decodekit generate` was asked to do. */
export interface GenerateRequest {
  readonly help: boolean;
  /** The prompt from the arguments; undefined means read standard input. */
  readonly prompt?: string;
  readonly model?: string;
  readonly maxNewTokens: number;
  readonly chat: boolean;
  readonly system?: string;
  readonly stop: readonly string[];
  readonly threads?: number;
  readonly worker: boolean;
  readonly sampler: SamplerSettingsFromFlags;
  readonly seed: number;
  readonly draft?: string;
  readonly draftModel?: string;
  readonly draftOptions: Readonly<Record<string, unknown>>;
  readonly draftCorpus?: string;
  readonly maxDraftTokens?: number;
  /** `--strategy`: a decoding strategy of `@decodekit/samplers` by CLI name. */
  readonly strategy?: string;
  readonly strategyOptions: Readonly<Record<string, unknown>>;
  readonly context?: string;
  readonly negativePrompt?: string;
  readonly amateurModel?: string;
  /** `--json-schema` / `--regex` / `--grammar` with `--sampler` and `--particles`. */
  readonly constrained?: ConstrainedRequest;
  readonly json: boolean;
  readonly stream: boolean;
  readonly quiet: boolean;
}

const samplingFlags = [
  'top-k',
  'top-p',
  'min-p',
  'typical-p',
  'top-n-sigma',
  'epsilon-cutoff',
  'eta-cutoff',
  'xtc-probability',
  'mirostat',
];

/** Parses the arguments after `generate`. Throws `UsageError` for anything wrong. */
export function parseGenerateArguments(argv: readonly string[]): GenerateRequest {
  const { values, positionals } = parseFlags(argv, generateFlags);
  const flag = <T>(name: string) => values[name] as T | undefined;
  if (flag<string>('system') !== undefined && !flag<boolean>('chat')) {
    throw new UsageError('--system only applies with --chat');
  }
  if ((flag('draft-model') !== undefined || flag('draft-option') !== undefined) && flag('draft') === undefined) {
    throw new UsageError('--draft-model and --draft-option need --draft NAME');
  }
  const strategyOnly = ['strategy-option', 'context', 'negative-prompt', 'amateur-model'];
  for (const name of strategyOnly) {
    if (flag(name) !== undefined && flag('strategy') === undefined)
      throw new UsageError(`--${name} needs --strategy NAME`);
  }
  if (flag('strategy') !== undefined && flag('draft') !== undefined) {
    throw new UsageError('--strategy and --draft do not combine: speculative decoding is its own strategy');
  }
  const prompt =
    positionals.length === 0 || (positionals.length === 1 && positionals[0] === '-')
      ? undefined
      : positionals.join(' ');
  return {
    help: flag<boolean>('help') === true,
    prompt,
    model: flag('model'),
    maxNewTokens: flag<number>('max-new-tokens') ?? 128,
    chat: flag<boolean>('chat') === true,
    system: flag('system'),
    stop: flag<string[]>('stop') ?? [],
    threads: flag('threads'),
    worker: flag<boolean>('worker') === true,
    sampler: samplerSettings(values),
    seed: flag<number>('seed') ?? 0,
    draft: flag('draft'),
    draftModel: flag('draft-model'),
    draftOptions: parseDraftOptions(flag<string[]>('draft-option') ?? []),
    draftCorpus: flag('draft-corpus'),
    maxDraftTokens: flag('max-draft-tokens'),
    strategy: flag('strategy'),
    strategyOptions: parseDraftOptions(flag<string[]>('strategy-option') ?? [], 'strategy-option'),
    context: flag('context'),
    negativePrompt: flag('negative-prompt'),
    amateurModel: flag('amateur-model'),
    constrained: parseConstrainedRequest(values),
    json: flag<boolean>('json') === true,
    stream: flag<boolean>('no-stream') !== true && flag<boolean>('json') !== true,
    quiet: flag<boolean>('quiet') === true,
  };
}

/**
 * Maps sampling flags to `samplerChain` settings. Without `--temperature`, decoding is greedy
 * unless a truncation flag (top-k, top-p, ...) asks for sampling, which then runs at temperature 1.
 */
export function samplerSettings(values: FlagValues): SamplerSettingsFromFlags {
  const number = (name: string) => values[name] as number | undefined;
  const sampled = samplingFlags.some((name) => values[name] !== undefined);
  const settings: Record<string, unknown> = { temperature: number('temperature') ?? (sampled ? 1 : 0) };
  const direct: [string, string][] = [
    ['top-k', 'topK'],
    ['top-p', 'topP'],
    ['min-p', 'minP'],
    ['typical-p', 'typicalP'],
    ['top-n-sigma', 'topNSigma'],
    ['epsilon-cutoff', 'epsilonCutoff'],
    ['eta-cutoff', 'etaCutoff'],
    ['repetition-penalty', 'repetitionPenalty'],
    ['presence-penalty', 'presencePenalty'],
    ['frequency-penalty', 'frequencyPenalty'],
    ['penalty-last-n', 'penaltyLastN'],
    ['no-repeat-ngram-size', 'noRepeatNgramSize'],
  ];
  for (const [flag, key] of direct) if (number(flag) !== undefined) settings[key] = number(flag);
  const dryDetails: [string, string][] = [
    ['dry-base', 'base'],
    ['dry-allowed-length', 'allowedLength'],
    ['dry-penalty-last-n', 'lastN'],
  ];
  for (const [flag] of dryDetails) {
    if (number(flag) !== undefined && number('dry-multiplier') === undefined) {
      throw new UsageError(`--${flag} needs --dry-multiplier M`);
    }
  }
  if (number('dry-multiplier') !== undefined) {
    const dry: Record<string, number> = { multiplier: number('dry-multiplier') as number };
    for (const [flag, key] of dryDetails) if (number(flag) !== undefined) dry[key] = number(flag) as number;
    settings.dry = dry;
  }
  const biases = values['logit-bias'] as string[] | undefined;
  if (biases !== undefined) settings.logitBias = biases.map(parseLogitBias);
  const bans = values['ban-token'] as string[] | undefined;
  if (bans !== undefined) settings.bannedTokens = bans.map(parseBannedTokens);
  if (number('min-new-tokens') !== undefined) settings.minNewTokens = number('min-new-tokens');
  if (number('xtc-threshold') !== undefined && number('xtc-probability') === undefined) {
    throw new UsageError('--xtc-threshold needs --xtc-probability');
  }
  if (number('xtc-probability') !== undefined) {
    settings.xtc = {
      probability: number('xtc-probability'),
      ...(number('xtc-threshold') !== undefined ? { threshold: number('xtc-threshold') } : {}),
    };
  }
  for (const flag of ['mirostat-tau', 'mirostat-eta']) {
    if (number(flag) !== undefined && number('mirostat') === undefined) {
      throw new UsageError(`--${flag} needs --mirostat 1 or 2`);
    }
  }
  if (number('mirostat') !== undefined) {
    settings.mirostat = {
      version: number('mirostat'),
      ...(number('mirostat-tau') !== undefined ? { tau: number('mirostat-tau') } : {}),
      ...(number('mirostat-eta') !== undefined ? { eta: number('mirostat-eta') } : {}),
    };
  }
  return settings;
}

/** `ID=BIAS` (llama.cpp's `ID+BIAS` / `ID-BIAS` too); `-inf` bans the token. */
export function parseLogitBias(text: string): [number, number] {
  const match = /^\s*(\d+)\s*(?:=\s*([+-]?(?:inf|[\d.]+(?:e[+-]?\d+)?))|([+-](?:inf|[\d.]+(?:e[+-]?\d+)?)))\s*$/i.exec(
    text,
  );
  const raw = match?.[2] ?? match?.[3];
  const bias =
    raw === undefined ? Number.NaN : /inf$/i.test(raw) ? (raw.startsWith('-') ? -Infinity : Infinity) : Number(raw);
  if (!match || Number.isNaN(bias) || bias === Infinity) {
    throw new UsageError(`--logit-bias expects TOKEN_ID=BIAS (a number, or -inf to ban), e.g. 42=-2.5; got '${text}'`);
  }
  return [Number(match[1]), bias];
}

/** `ID` bans one token; `ID,ID,...` bans that token sequence. */
export function parseBannedTokens(text: string): number | number[] {
  const ids = text.split(',').map((part) => part.trim());
  if (ids.length === 0 || ids.some((id) => !/^\d+$/.test(id))) {
    throw new UsageError(`--ban-token expects a token id or comma-separated ids, e.g. 42 or 17,42; got '${text}'`);
  }
  return ids.length === 1 ? Number(ids[0]) : ids.map(Number);
}

/** Parses repeated `KEY=VALUE` drafter or strategy options; numbers and booleans are converted. */
export function parseDraftOptions(pairs: readonly string[], flagName = 'draft-option'): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new UsageError(`--${flagName} expects KEY=VALUE, got '${pair}'`);
    const key = pair.slice(0, equals).trim();
    const text = pair.slice(equals + 1).trim();
    let value: unknown = text;
    if (text === 'true' || text === 'false') value = text === 'true';
    else if (text !== '' && Number.isFinite(Number(text))) value = Number(text);
    options[key] = value;
  }
  return options;
}
