import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  AbortError,
  autoregressive,
  type DecodeEvent,
  type FinishReason,
  type GenerateResult,
  type RunStatistics,
  type Strategy,
  speculative,
  stream,
  type Verifier,
  VocabularyMismatchError,
} from '@decodekit/core';
import { loadTokenizer } from '@decodekit/tokenizer';
import { setUpConstrained, writeSmcResult } from './constrained-flags.js';
import { resolveDrafter } from './drafter-registry.js';
import { type GenerateRequest, generateFlags, parseGenerateArguments } from './generate-options.js';
import { generateHelp } from './help.js';
import { type CliIo, formatBytes, formatMilliseconds, readAll, styler } from './io.js';
import { type LoadedModel, packages } from './packages.js';
import { createStrategy, strategyFlag } from './strategy-flags.js';
import { formatSummary } from './summary.js';
import { exitCodes, UsageError } from './usage-error.js';

/** The object `decodekit generate --json` prints (documented in docs/cli.md). */
export interface GenerateJsonOutput {
  readonly text: string;
  readonly tokens: readonly number[];
  readonly finishReason: FinishReason;
  readonly stats: RunStatistics;
  readonly model: {
    readonly name: string;
    readonly directory: string;
    readonly vocabSize: number;
    readonly contextLength: number;
  };
  readonly draftModel?: { readonly name: string; readonly directory: string };
  readonly strategy: string;
  readonly drafter?: string;
  /** With --json-schema, --regex or --grammar: the constraint kind, sampler and its evaluations. */
  readonly constraint?: {
    readonly kind: string;
    readonly sampler: string;
    readonly evaluations?: number;
    readonly evaluationsPerToken?: number;
  };
  readonly sampler: Readonly<Record<string, unknown>>;
  readonly seed: number;
  readonly prompt: { readonly text: string; readonly tokens: number };
}

// End-of-turn markers of common chat formats, added to the stop tokens with --chat.
const endOfTurnTokens = ['<|im_end|>', '<|eot_id|>', '<|end|>', '<end_of_turn>', '<|endoftext|>'];

/** Runs `decodekit generate`; returns the exit code. */
export async function runGenerate(argv: readonly string[], io: CliIo): Promise<number> {
  const request = parseGenerateArguments(argv);
  if (request.help) {
    io.stdout.write(generateHelp(generateFlags));
    return exitCodes.success;
  }
  const promptText = await readPrompt(request, io);
  // Progress notes for slow set-up steps, on stderr and only for people.
  const note = (text: string) => {
    if (!request.json && !request.quiet) io.stderr.write(styler(io.stderr, io.env).dim(text));
  };
  const strategyEntry = request.strategy === undefined ? undefined : strategyFlag(request.strategy);
  const tinyModels =
    request.model === undefined ||
    (request.draft !== undefined && request.draftModel === undefined) ||
    (strategyEntry?.name === 'contrastive' && request.amateurModel === undefined);
  const defaults = tinyModels
    ? await packages.tinyModels().catch(ignoreUnless(request.model === undefined))
    : undefined;
  const modelDirectory = request.model ?? (defaults?.tinyLm as string);

  // The tokenizer first: it is quick and its errors (missing directory, bad files) are the clearest.
  const tokenizer = await loadTokenizer(modelDirectory);
  const samplers = await packages.samplers();
  const runtime = await packages.runtime();
  const loadOptions = { worker: request.worker, ...(request.threads ? { intraOpNumThreads: request.threads } : {}) };
  // Plain decoding needs only the standard graph; skipping the extension graphs halves start-up.
  const model = await runtime.loadModel(modelDirectory, {
    ...loadOptions,
    extensions: request.draft !== undefined || strategyEntry?.extensions === true,
  });
  const disposables: LoadedModel[] = [model];
  try {
    if (tokenizer.vocabSize > model.vocabSize) {
      throw new VocabularyMismatchError(
        `the tokenizer of ${modelDirectory} has ${tokenizer.vocabSize} tokens but the model only ${model.vocabSize}; the tokenizer and model files do not belong together.`,
      );
    }
    const prompt = request.chat
      ? tokenizer.encode(
          tokenizer.applyChatTemplate(
            [
              ...(request.system ? [{ role: 'system', content: request.system }] : []),
              { role: 'user', content: promptText },
            ],
            { addGenerationPrompt: true },
          ),
          { addSpecialTokens: false },
        )
      : tokenizer.encode(promptText);
    const stopTokens = new Set([...model.specialTokens.eos, ...tokenizer.specialTokens.eos]);
    if (request.chat) {
      for (const marker of endOfTurnTokens) {
        const id = tokenizer.tokenToId(marker);
        if (id !== undefined) stopTokens.add(id);
      }
    }
    // SMC samples particles: without --temperature it runs at temperature 1 instead of greedy.
    const smcTemperature = request.constrained?.sampler === 'smc' && request.constrained.samplingDefault;
    const sampler = samplers.samplerChain({
      ...request.sampler,
      ...(smcTemperature ? { temperature: 1 } : {}),
      eos: [...stopTokens],
    });
    const constrained = request.constrained ? await setUpConstrained(request.constrained, tokenizer) : undefined;
    let strategy: Strategy = autoregressive();
    let draftModel: LoadedModel | undefined;
    let draftDirectory: string | undefined;
    if (request.draft !== undefined) {
      const drafter = await resolveDrafter(request.draft);
      const options: Record<string, unknown> = { ...request.draftOptions };
      if (drafter.needsDraftModel && options.draftModel === undefined) {
        const directory = request.draftModel ?? defaults?.tinyLmDraft;
        if (!directory) throw new UsageError(`--draft ${request.draft} needs --draft-model DIR`);
        draftModel = await runtime.loadModel(directory, loadOptions);
        draftDirectory = resolve(directory);
        disposables.push(draftModel);
        options.draftModel = draftModel;
      } else if (request.draftModel !== undefined) {
        throw new UsageError(`--draft ${request.draft} uses no draft model; drop --draft-model`);
      }
      if (request.draft === 'rest' && options.corpus === undefined && options.index === undefined) {
        const path = request.draftCorpus ?? (defaults?.readTrainSample ? "the tiny zoo's training sample" : undefined);
        if (!path) throw new UsageError('--draft rest needs a datastore: --draft-corpus FILE (a text file)');
        options.corpus =
          request.draftCorpus !== undefined
            ? await readFile(request.draftCorpus, 'utf8')
            : (defaults?.readTrainSample?.() as string);
        options.encode = (text: string) => tokenizer.encode(text, { addSpecialTokens: false });
        note(
          `rest: building the datastore from ${path} (${formatBytes(Buffer.byteLength(options.corpus as string))})…`,
        );
      } else if (request.draftCorpus !== undefined) {
        throw new UsageError('--draft-corpus only applies to --draft rest');
      }
      const verifiers = await packages.verifiers();
      // Greedy chains make every draft deterministic, which the default verifier handles exactly.
      const verifierName = sampler.greedy ? 'defaultVerifier' : (drafter.verifier ?? 'defaultVerifier');
      const createVerifier = (verifiers as unknown as Record<string, unknown>)[verifierName];
      if (typeof createVerifier !== 'function') {
        throw new Error(`@decodekit/verifiers has no ${verifierName}(), which drafter ${drafter.name} asks for`);
      }
      const startedAt = performance.now();
      const created = drafter.create(options);
      if (typeof options.corpus === 'string') note(` done in ${formatMilliseconds(performance.now() - startedAt)}\n`);
      strategy = (constrained ? constrained.speculative : speculative)({
        drafter: created,
        verifier: (createVerifier as () => Verifier)(),
        ...(request.maxDraftTokens !== undefined ? { maxDraftTokens: request.maxDraftTokens } : {}),
      });
    } else if (request.maxDraftTokens !== undefined) {
      throw new UsageError('--max-draft-tokens needs --draft NAME');
    }
    if (strategyEntry) {
      const encode = (text: string) => tokenizer.encode(text, { addSpecialTokens: false });
      strategy = await createStrategy(samplers as unknown as Record<string, unknown>, strategyEntry, {
        options: request.strategyOptions,
        eos: [...stopTokens],
        encode,
        context: request.context,
        negativePrompt: request.negativePrompt,
        amateur: async () => {
          const directory = request.amateurModel ?? defaults?.tinyLmDraft;
          if (!directory) throw new UsageError('--strategy contrastive needs --amateur-model DIR');
          const amateur = await runtime.loadModel(directory, loadOptions);
          disposables.push(amateur);
          return amateur;
        },
        // CNTP's stop set: the first token of each punctuation mark, as the official code derives it.
        punctuation: () =>
          (
            samplers as unknown as { punctuationTokenIds(tokenizer: { encode: typeof encode }): number[] }
          ).punctuationTokenIds({ encode }),
      });
    }

    const constrainedStrategy =
      constrained && request.draft === undefined && constrained.request.sampler !== 'smc'
        ? constrained.strategy()
        : undefined;
    if (constrainedStrategy) strategy = constrainedStrategy;
    if (constrained?.request.sampler === 'smc') {
      const smcResult = await constrained.smc({
        model,
        prompt,
        sampler,
        maxNewTokens: request.maxNewTokens,
        seed: request.seed,
        signal: io.signal,
      });
      writeSmcResult(io, smcResult, {
        decode: (tokens) => tokenizer.decode(tokens.filter((token) => !stopTokens.has(token))),
        json: request.json,
        quiet: request.quiet,
        extra: {
          model: { name: model.name, directory: model.directory ?? resolve(modelDirectory) },
          constraint: { kind: constrained.request.kind, sampler: 'smc' },
          sampler: request.sampler,
          seed: request.seed,
          prompt: { text: promptText, tokens: prompt.length },
        },
      });
      return exitCodes.success;
    }

    const renderer = new GenerateRenderer(io, request, model.name, draftModel?.name, promptText);
    let result: GenerateResult | undefined;
    for await (const event of stream({
      model,
      tokenizer,
      prompt,
      strategy,
      sampler,
      maxNewTokens: request.maxNewTokens,
      stopTokens: [...stopTokens],
      stopSequences: request.stop,
      seed: request.seed,
      signal: io.signal,
    })) {
      if (event.type === 'error') {
        renderer.end();
        throw event.error;
      }
      renderer.handle(event);
      if (event.type === 'finish') result = event.result;
    }
    if (!result) throw new Error('generation ended without a result');
    renderer.end();
    if (request.json) {
      const output: GenerateJsonOutput = {
        text: result.text ?? '',
        tokens: result.tokens,
        finishReason: result.finishReason,
        stats: result.stats,
        model: {
          name: model.name,
          directory: model.directory ?? resolve(modelDirectory),
          vocabSize: model.vocabSize,
          contextLength: model.contextLength,
        },
        ...(draftModel
          ? { draftModel: { name: draftModel.name, directory: draftModel.directory ?? (draftDirectory as string) } }
          : {}),
        strategy: renderer.strategy ?? strategy.name,
        ...(request.draft ? { drafter: request.draft } : {}),
        ...(constrained
          ? {
              constraint: {
                kind: constrained.request.kind,
                sampler: request.draft ? 'mask' : constrained.request.sampler,
                ...(constrainedStrategy
                  ? {
                      evaluations: constrainedStrategy.stats.evaluations,
                      evaluationsPerToken:
                        constrainedStrategy.stats.evaluations / Math.max(1, constrainedStrategy.stats.tokens),
                    }
                  : {}),
              },
            }
          : {}),
        sampler: request.sampler,
        seed: request.seed,
        prompt: { text: promptText, tokens: prompt.length },
      };
      io.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    } else {
      renderer.finish(result);
    }
    return exitCodes.success;
  } finally {
    for (const item of disposables) await Promise.resolve(item.dispose()).catch(() => undefined);
  }
}

async function readPrompt(request: GenerateRequest, io: CliIo): Promise<string> {
  if (request.prompt !== undefined) return request.prompt;
  if (!io.stdin || io.stdin.isTTY) {
    throw new UsageError("give a prompt: decodekit generate 'def fibonacci(n):'  (or pipe text into standard input)");
  }
  const text = await readAll(io.stdin);
  if (text.length === 0) throw new UsageError('the prompt on standard input is empty');
  return text;
}

// The tiny models are only needed when no --model is given; otherwise their absence is fine.
function ignoreUnless(required: boolean) {
  return (error: unknown) => {
    if (required) throw error;
    return undefined;
  };
}

/** Prints a generation for people: text live on stdout, tokens/s on stderr, a summary at the end. */
class GenerateRenderer {
  strategy: string | undefined;
  private tokens = 0;
  private lastText = '';
  private firstTokenAt: number | undefined;
  private lastProgressAt = 0;
  private progressShown = false;
  private readonly live: boolean;

  constructor(
    private readonly io: CliIo,
    private readonly request: GenerateRequest,
    private readonly modelName: string,
    private readonly draftModelName: string | undefined,
    private readonly promptText?: string,
  ) {
    // A live status line only where it cannot interleave with the text: stderr on a terminal, stdout elsewhere.
    this.live = !request.json && !request.quiet && io.stderr.isTTY === true && io.stdout.isTTY !== true;
  }

  handle(event: DecodeEvent): void {
    if (event.type === 'stream-start') {
      this.strategy = event.strategy;
      // On a terminal the continuation reads best after its prompt (dimmed); pipes get the new text only.
      if (this.request.stream && this.io.stdout.isTTY === true && !this.request.chat && this.promptText) {
        this.io.stdout.write(styler(this.io.stdout, this.io.env).dim(this.promptText));
        this.lastText = this.promptText;
      }
    } else if (event.type === 'token-delta') {
      this.tokens += event.tokens.length;
      if (event.tokens.length > 0) this.firstTokenAt ??= performance.now();
      if (this.request.stream && event.text) {
        this.io.stdout.write(event.text);
        this.lastText = event.text;
      }
      this.progress();
    }
  }

  private progress(): void {
    const now = performance.now();
    if (!this.live || now - this.lastProgressAt < 100) return;
    this.lastProgressAt = now;
    const seconds = this.firstTokenAt === undefined ? 0 : (now - this.firstTokenAt) / 1000;
    const rate = seconds > 0 ? (this.tokens - 1) / seconds : 0;
    this.io.stderr.write(`\r\x1b[K${this.tokens} tokens · ${rate.toFixed(1)} tokens/s`);
    this.progressShown = true;
  }

  /** Clears the live status line. */
  end(): void {
    if (this.progressShown) this.io.stderr.write('\r\x1b[K');
    this.progressShown = false;
    if (this.request.stream && this.lastText && !this.lastText.endsWith('\n')) this.io.stdout.write('\n');
    this.lastText = '';
  }

  finish(result: GenerateResult): void {
    if (!this.request.stream) this.io.stdout.write(`${result.text ?? ''}${result.text?.endsWith('\n') ? '' : '\n'}`);
    if (this.request.quiet) return;
    const style = styler(this.io.stderr, this.io.env);
    if (this.io.stderr.isTTY === true) this.io.stderr.write('\n');
    this.io.stderr.write(
      formatSummary(
        result.stats,
        {
          strategy: this.strategy ?? 'autoregressive',
          finishReason: result.finishReason,
          modelName: this.modelName,
          draftModelName: this.draftModelName,
        },
        style,
      ),
    );
  }
}

/** True for the error an aborted generation ends with. */
export function isAbort(error: unknown): boolean {
  return error instanceof AbortError || (error as { code?: string })?.code === 'aborted';
}
