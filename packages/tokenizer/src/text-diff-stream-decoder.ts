import type { StreamDecoder } from './types.js';

/**
 * A streaming detokenizer for any tokenizer: it decodes a short window of recent tokens with and
 * without the new ones and returns the difference (the incremental scheme of vLLM and TGI). The
 * window keeps the left context that decoders such as Metaspace need to place spaces, and text
 * ending in U+FFFD (an incomplete character) is held back until it completes or `flush` is called.
 */
export function createTextDiffStreamDecoder(decode: (tokens: number[]) => string): StreamDecoder {
  let tokens: number[] = [];
  let prefixOffset = 0;
  let readOffset = 0;
  const advance = (final: boolean): string => {
    const prefixText = readOffset > prefixOffset ? decode(tokens.slice(prefixOffset, readOffset)) : '';
    const fullText = tokens.length > prefixOffset ? decode(tokens.slice(prefixOffset)) : '';
    if (fullText.length <= prefixText.length) return '';
    if (!final && fullText.endsWith('\uFFFD')) return '';
    prefixOffset = readOffset;
    readOffset = tokens.length;
    // Drop tokens before the window so memory and decode cost stay bounded on long generations.
    if (prefixOffset > 0) {
      tokens = tokens.slice(prefixOffset);
      readOffset -= prefixOffset;
      prefixOffset = 0;
    }
    return fullText.slice(prefixText.length);
  };
  return {
    push(newTokens) {
      for (let i = 0; i < newTokens.length; i++) tokens.push(newTokens[i]);
      return advance(false);
    },
    flush() {
      const rest = advance(true);
      tokens = [];
      prefixOffset = 0;
      readOffset = 0;
      return rest;
    },
  };
}
