import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecodekitError, ModelFormatError } from '@decodekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenizer, loadTokenizer } from '../src/index.js';
import { fixtureDirectory } from './helpers.js';

let scratch: string;
let tokenizerJson: Record<string, unknown>;
let configJson: Record<string, unknown>;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'decodekit-tokenizer-'));
  tokenizerJson = JSON.parse(await readFile(join(fixtureDirectory, 'tokenizer.json'), 'utf8'));
  configJson = JSON.parse(await readFile(join(fixtureDirectory, 'tokenizer_config.json'), 'utf8'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function modelDirectory(name: string, files: Record<string, string>): Promise<string> {
  const directory = join(scratch, name);
  await mkdir(directory, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(directory, file), text);
  return directory;
}

describe('loadTokenizer', () => {
  it('reads the vocabulary and special token ids from tokenizer.json and tokenizer_config.json', async () => {
    const tokenizer = await loadTokenizer(fixtureDirectory);
    const vocabulary = (tokenizerJson.model as { vocab: Record<string, number> }).vocab;
    expect(tokenizer.vocabSize).toBe(Math.max(...Object.values(vocabulary)) + 1);
    expect(tokenizer.specialTokens.eos).toEqual([tokenizer.tokenToId(configJson.eos_token as string)]);
    expect(tokenizer.specialTokens.pad).toBe(tokenizer.tokenToId(configJson.pad_token as string));
    expect(tokenizer.specialTokens.bos).toBeUndefined();
    expect(tokenizer.specialTokenIds.has(tokenizer.tokenToId('<|im_end|>') as number)).toBe(true);
    expect(tokenizer.idToToken(tokenizer.specialTokens.eos[0])).toBe('<|endoftext|>');
  });

  it('adds generation_config.json end-of-sequence ids', async () => {
    const imEnd = 3;
    const directory = await modelDirectory('with-generation-config', {
      'tokenizer.json': JSON.stringify(tokenizerJson),
      'tokenizer_config.json': JSON.stringify(configJson),
      'generation_config.json': JSON.stringify({ eos_token_id: [0, imEnd], bos_token_id: 2 }),
    });
    const tokenizer = await loadTokenizer(directory);
    expect([...tokenizer.specialTokens.eos].sort()).toEqual([0, imEnd]);
    expect(tokenizer.specialTokens.bos).toBe(2);
  });

  it('names the path and the fix when the directory or tokenizer.json is missing', async () => {
    const missing = join(scratch, 'does-not-exist');
    await expect(loadTokenizer(missing)).rejects.toThrow(ModelFormatError);
    await expect(loadTokenizer(missing)).rejects.toThrow(missing);
    const empty = await modelDirectory('empty', {});
    const error = await loadTokenizer(empty).catch((e: unknown) => e);
    expect(DecodekitError.is(error)).toBe(true);
    expect((error as DecodekitError).code).toBe('model-format');
    expect((error as Error).message).toContain(join(empty, 'tokenizer.json'));
    expect((error as Error).message).toMatch(/save_pretrained/);
  });

  it('rejects malformed JSON and tokenizer files it cannot understand with ModelFormatError', async () => {
    const broken = await modelDirectory('broken-json', { 'tokenizer.json': '{ "model": ' });
    await expect(loadTokenizer(broken)).rejects.toThrow(/not valid JSON/);
    const badConfig = await modelDirectory('broken-config', {
      'tokenizer.json': JSON.stringify(tokenizerJson),
      'tokenizer_config.json': '[1, 2',
    });
    await expect(loadTokenizer(badConfig)).rejects.toThrow(ModelFormatError);
    const unknownModel = await modelDirectory('unknown-model', {
      'tokenizer.json': JSON.stringify({ ...tokenizerJson, model: { type: 'NoSuchModel' } }),
    });
    await expect(loadTokenizer(unknownModel)).rejects.toThrow(ModelFormatError);
  });

  it('works without tokenizer_config.json (no chat template, no special roles)', async () => {
    const directory = await modelDirectory('no-config', { 'tokenizer.json': JSON.stringify(tokenizerJson) });
    const tokenizer = await loadTokenizer(directory);
    expect(tokenizer.decode(tokenizer.encode('In the beginning'))).toBe('In the beginning');
    expect(tokenizer.specialTokens.eos).toEqual([]);
    expect(tokenizer.chatTemplate).toBeUndefined();
  });
});

describe('applyChatTemplate', () => {
  const messages = [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Who begat Enos?' },
  ];

  it('renders the ChatML template of tokenizer_config.json', async () => {
    const tokenizer = await loadTokenizer(fixtureDirectory);
    const turns = '<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nWho begat Enos?<|im_end|>\n';
    expect(tokenizer.applyChatTemplate(messages, { addGenerationPrompt: false })).toBe(turns);
    expect(tokenizer.applyChatTemplate(messages)).toBe(`${turns}<|im_start|>assistant\n`);
    // The rendered prompt encodes its markers as single special tokens.
    const ids = tokenizer.encode(tokenizer.applyChatTemplate(messages));
    expect(ids.filter((id) => id === tokenizer.tokenToId('<|im_start|>'))).toHaveLength(3);
  });

  it('passes special tokens and extra variables to the template, and prefers chat_template.jinja', async () => {
    const directory = await modelDirectory('jinja-file', {
      'tokenizer.json': JSON.stringify(tokenizerJson),
      'tokenizer_config.json': JSON.stringify(configJson),
      'chat_template.jinja':
        '{{ greeting }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{% endfor %}{{ eos_token }}',
    });
    const tokenizer = await loadTokenizer(directory);
    expect(tokenizer.applyChatTemplate(messages.slice(1), { variables: { greeting: '>' } })).toBe(
      '>[user]Who begat Enos?<|endoftext|>',
    );
  });

  it('throws a CapabilityError naming the chat template when there is none', () => {
    const tokenizer = createTokenizer({
      tokenizer: tokenizerJson,
      config: { ...configJson, chat_template: undefined },
    });
    const error = (() => {
      try {
        tokenizer.applyChatTemplate(messages);
      } catch (caught) {
        return caught as DecodekitError & { capability: string };
      }
    })();
    expect(error?.code).toBe('missing-capability');
    expect(error?.capability).toBe('chatTemplate');
    expect(error?.message).toMatch(/no chat_template/);
  });

  it('chooses among named templates and reports template errors as invalid messages', () => {
    const tokenizer = createTokenizer({
      tokenizer: tokenizerJson,
      config: {
        ...configJson,
        chat_template: [
          { name: 'default', template: '{% for m in messages %}{{ m.content }}{% endfor %}' },
          { name: 'strict', template: "{{ raise_exception('roles must alternate') }}" },
        ],
      },
    });
    expect(tokenizer.applyChatTemplate(messages)).toBe('You are terse.Who begat Enos?');
    expect(() => tokenizer.applyChatTemplate(messages, { templateName: 'strict' })).toThrow(/roles must alternate/);
    expect(() => tokenizer.applyChatTemplate(messages, { templateName: 'tool_use' })).toThrow(/default, strict/);
  });
});
