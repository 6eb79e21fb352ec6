import type { CausalLM, Strategy } from '@decodekit/core';
import { UsageError } from './usage-error.js';

/** What the strategy factories of `@decodekit/samplers` need from the command line. */
export interface StrategyInputs {
  /** Options from `--strategy-option KEY=VALUE` (numbers and booleans converted). */
  readonly options: Readonly<Record<string, unknown>>;
  /** End-of-sequence / stop token ids. */
  readonly eos: readonly number[];
  readonly encode: (text: string) => ArrayLike<number>;
  /** `--context TEXT` (context-aware decoding). */
  readonly context?: string;
  /** `--negative-prompt TEXT` (classifier-free guidance). */
  readonly negativePrompt?: string;
  /** The amateur model of contrastive decoding, loaded on demand. */
  readonly amateur: () => Promise<CausalLM>;
  /** Token ids CNTP ends trials at (the first token of each punctuation mark). */
  readonly punctuation: () => number[];
}

/** A decoding strategy of `@decodekit/samplers` the CLI can run with `--strategy NAME`. */
export interface StrategyFlag {
  readonly name: string;
  /** The `@decodekit/samplers` export that builds it. */
  readonly factory: string;
  readonly description: string;
  /** Needs the decodekit extension graphs (hidden states, input embeddings). */
  readonly extensions: boolean;
  /** Builds the factory's options. */
  readonly options: (inputs: StrategyInputs) => Promise<Record<string, unknown>> | Record<string, unknown>;
}

/** `--strategy` names, in the order `--help` lists them. */
export const strategyFlags: readonly StrategyFlag[] = [
  {
    name: 'beam',
    factory: 'beamSearch',
    description: 'beam search (options: beams, lengthPenalty, earlyStopping)',
    extensions: false,
    options: ({ options, eos }) => ({ eos, ...options }),
  },
  {
    name: 'diverse-beam',
    factory: 'diverseBeamSearch',
    description: 'diverse beam search (options: beams, groups, diversityPenalty)',
    extensions: false,
    options: ({ options, eos }) => ({ eos, ...options }),
  },
  {
    name: 'contrastive-search',
    factory: 'contrastiveSearch',
    description: 'contrastive search (options: k, alpha)',
    extensions: true,
    options: ({ options }) => ({ ...options }),
  },
  {
    name: 'cntp',
    factory: 'cautiousNextTokenPrediction',
    description: 'Cautious Next Token Prediction (options: maxTrials, entropyLow, entropyHigh)',
    extensions: false,
    options: ({ options, eos, punctuation }) => ({ stopTokens: punctuation(), eos, ...options }),
  },
  {
    name: 'momentum',
    factory: 'momentumDecoding',
    description: 'Momentum Decoding (options: alpha, k, maxLength)',
    extensions: false,
    options: ({ options }) => ({ ...options }),
  },
  {
    name: 'cad',
    factory: 'contextAwareDecoding',
    description: 'context-aware decoding with --context TEXT (options: alpha)',
    extensions: false,
    options: ({ options, context, encode }) => {
      if (context === undefined) throw new UsageError('--strategy cad needs --context TEXT (the evidence)');
      return { context: encode(context), ...options };
    },
  },
  {
    name: 'cfg',
    factory: 'classifierFreeGuidanceDecoding',
    description: 'classifier-free guidance, optional --negative-prompt TEXT (options: scale)',
    extensions: false,
    options: ({ options, negativePrompt, encode }) => ({
      ...(negativePrompt !== undefined ? { unconditionalPrompt: encode(negativePrompt) } : {}),
      ...options,
    }),
  },
  {
    name: 'contrastive',
    factory: 'contrastiveDecoding',
    description: 'contrastive decoding against --amateur-model (options: alpha, beta, form)',
    extensions: false,
    options: async ({ options, amateur }) => ({ amateur: await amateur(), ...options }),
  },
  {
    name: 'superposed',
    factory: 'superposedDecoding',
    description: 'Superposed Decoding, k drafts from one pass (options: drafts, candidates, alpha)',
    extensions: true,
    options: ({ options, eos }) => ({ eos, ...options }),
  },
];

/** The `--strategy` entry called `name`, or a usage error listing the names. */
export function strategyFlag(name: string): StrategyFlag {
  const found = strategyFlags.find((entry) => entry.name === name);
  if (!found) {
    throw new UsageError(`unknown --strategy '${name}'; strategies: ${strategyFlags.map((s) => s.name).join(', ')}`);
  }
  return found;
}

/** Builds the strategy named by `--strategy` from an imported `@decodekit/samplers` module. */
export async function createStrategy(
  samplers: Readonly<Record<string, unknown>>,
  entry: StrategyFlag,
  inputs: StrategyInputs,
): Promise<Strategy> {
  const factory = samplers[entry.factory];
  if (typeof factory !== 'function') {
    throw new Error(`@decodekit/samplers has no ${entry.factory}(); update @decodekit/samplers`);
  }
  return (factory as (options: Record<string, unknown>) => Strategy)(await entry.options(inputs));
}
