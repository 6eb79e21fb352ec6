import { describe, expect, it } from 'vitest';
import { parseDraftOptions, parseGenerateArguments } from '../src/generate-options.js';
import { UsageError } from '../src/usage-error.js';

describe('parseGenerateArguments', () => {
  it('defaults to greedy decoding of 128 tokens with seed 0, streamed', () => {
    const request = parseGenerateArguments(['def', 'fibonacci(n):']);
    expect(request.prompt).toBe('def fibonacci(n):');
    expect(request.maxNewTokens).toBe(128);
    expect(request.sampler).toEqual({ temperature: 0 });
    expect(request.seed).toBe(0);
    expect(request.stream).toBe(true);
    expect(request.json).toBe(false);
    expect(request.draft).toBeUndefined();
  });

  it('maps sampling flags to samplerChain settings, sampling at temperature 1 when truncation is asked for', () => {
    const request = parseGenerateArguments([
      '--top-k',
      '40',
      '--top-p=0.9',
      '--min-p',
      '0.05',
      '--repetition-penalty',
      '1.1',
      '--xtc-probability',
      '0.5',
      '--dry-multiplier',
      '0.8',
      '-s',
      '7',
      'x',
    ]);
    expect(request.sampler).toEqual({
      temperature: 1,
      topK: 40,
      topP: 0.9,
      minP: 0.05,
      repetitionPenalty: 1.1,
      xtc: { probability: 0.5 },
      dry: { multiplier: 0.8 },
    });
    expect(request.seed).toBe(7);
    expect(parseGenerateArguments(['-t', '0.7', 'x']).sampler).toEqual({ temperature: 0.7 });
    expect(parseGenerateArguments(['--mirostat', '2', '--mirostat-tau', '3', 'x']).sampler).toEqual({
      temperature: 1,
      mirostat: { version: 2, tau: 3 },
    });
  });

  it('reads drafting and output flags', () => {
    const request = parseGenerateArguments([
      '--draft',
      'pld',
      '--draft-option',
      'maxDraftTokens=8',
      '--draft-option',
      'ngramSize=3',
      '--max-draft-tokens',
      '16',
      '--json',
      '-n',
      '20',
      'hello',
    ]);
    expect(request.draft).toBe('pld');
    expect(request.draftOptions).toEqual({ maxDraftTokens: 8, ngramSize: 3 });
    expect(request.maxDraftTokens).toBe(16);
    expect(request.json).toBe(true);
    expect(request.stream).toBe(false); // JSON output is printed once, at the end
    expect(request.maxNewTokens).toBe(20);
    expect(parseGenerateArguments(['--no-stream', 'x']).stream).toBe(false);
    expect(parseGenerateArguments(['--stop', 'a', '--stop', 'b', 'x']).stop).toEqual(['a', 'b']);
  });

  it('leaves the prompt to standard input when it is missing or -', () => {
    expect(parseGenerateArguments([]).prompt).toBeUndefined();
    expect(parseGenerateArguments(['-']).prompt).toBeUndefined();
    expect(parseGenerateArguments(['--', '--not-a-flag']).prompt).toBe('--not-a-flag');
  });

  it.each([
    [['--bogus', 'x'], /unknown option --bogus/],
    [['--top-k', 'abc', 'x'], /--top-k expects an integer, got 'abc'/],
    [['--top-k', '1.5', 'x'], /--top-k expects an integer/],
    [['--top-p', '0', 'x'], /--top-p must be > 0 and <= 1, got 0/],
    [['--temperature', '-1', 'x'], /--temperature must be >= 0/],
    [['--max-new-tokens', '0', 'x'], /--max-new-tokens must be >= 1/],
    [['--mirostat', '3', 'x'], /--mirostat must be >= 1 and <= 2/],
    [['--model'], /--model.* needs a value|argument missing/],
    [['--system', 'be brief', 'x'], /--system only applies with --chat/],
    [['--draft-model', 'dir', 'x'], /need --draft NAME/],
    [['--xtc-threshold', '0.2', 'x'], /--xtc-threshold needs --xtc-probability/],
    [['--draft', 'pld', '--draft-option', 'novalue', 'x'], /KEY=VALUE/],
  ])('rejects %j with a usage error', (argv, message) => {
    expect(() => parseGenerateArguments(argv)).toThrow(UsageError);
    expect(() => parseGenerateArguments(argv)).toThrow(message);
  });
});

describe('parseDraftOptions', () => {
  it('converts numbers and booleans and keeps other values as text', () => {
    expect(parseDraftOptions(['a=1', 'b=0.5', 'c=true', 'd=false', 'e=word', 'f=', 'g=1e3'])).toEqual({
      a: 1,
      b: 0.5,
      c: true,
      d: false,
      e: 'word',
      f: '',
      g: 1000,
    });
  });
});

describe('negative numbers', () => {
  it('are values of the flag before them, not options', () => {
    expect(parseGenerateArguments(['--presence-penalty', '-0.5', 'x']).sampler).toEqual({
      temperature: 0,
      presencePenalty: -0.5,
    });
    expect(parseGenerateArguments(['-s', '-3', 'x']).seed).toBe(-3);
    expect(parseGenerateArguments(['--', '-1']).prompt).toBe('-1');
  });
});

describe('processor flags beyond truncation', () => {
  it('maps logit bias, bans, min new tokens, DRY and mirostat details to samplerChain settings', () => {
    const request = parseGenerateArguments([
      '--logit-bias',
      '42=-2.5',
      '--logit-bias',
      '7+1',
      '--logit-bias',
      '9=-inf',
      '--ban-token',
      '13',
      '--ban-token',
      '17,42',
      '--min-new-tokens',
      '5',
      '--dry-multiplier',
      '0.8',
      '--dry-base',
      '2',
      '--dry-allowed-length',
      '3',
      '--mirostat',
      '2',
      '--mirostat-eta',
      '0.2',
      'hi',
    ]);
    expect(request.sampler).toMatchObject({
      logitBias: [
        [42, -2.5],
        [7, 1],
        [9, Number.NEGATIVE_INFINITY],
      ],
      bannedTokens: [13, [17, 42]],
      minNewTokens: 5,
      dry: { multiplier: 0.8, base: 2, allowedLength: 3 },
      mirostat: { version: 2, eta: 0.2 },
    });
  });
  it('rejects malformed values and details without their switch', () => {
    expect(() => parseGenerateArguments(['--logit-bias', 'x=1', 'hi'])).toThrow(/TOKEN_ID=BIAS/);
    expect(() => parseGenerateArguments(['--logit-bias', '4=+inf', 'hi'])).toThrow(UsageError);
    expect(() => parseGenerateArguments(['--ban-token', '1,a', 'hi'])).toThrow(/--ban-token expects/);
    expect(() => parseGenerateArguments(['--dry-base', '2', 'hi'])).toThrow(/needs --dry-multiplier/);
    expect(() => parseGenerateArguments(['--mirostat-eta', '0.2', 'hi'])).toThrow(/needs --mirostat/);
  });
});
